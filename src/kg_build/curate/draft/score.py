"""How close a draft's figures come to the curated ones of the same text: recall (the share
of curated figures the draft proposes with the right value, unit and scale, at the same
place in the text) and precision (the share of proposed figures that are curated)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg_build.facts.model import Figure

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Score:
    curated: int
    proposed: int
    found: int  # curated figures the draft has
    right: int  # proposed figures that are curated
    measures: int  # of the found, with the curated measure
    comparators: int  # of the found, with the curated comparator

    @property
    def recall(self) -> float:
        return self.found / self.curated if self.curated else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0


def _spans(text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
    folded = _SPACE.sub(" ", text)
    spans = []
    for quote in quotes:
        q = _SPACE.sub(" ", quote).strip()
        at = folded.find(q)
        while at >= 0:
            spans.append((at, at + len(q)))
            at = folded.find(q, at + 1)
    return spans


def _meets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s < f and r < e for s, e in a for r, f in b)


def score(text: str, curated: Sequence[Figure], proposed: Sequence[dict[str, Any]]) -> Score:
    cur = [(f, _spans(text, f.quote)) for f in curated]
    pro = [
        (
            p,
            Decimal(str(p["value"])),
            _spans(text, [p["quote"]] if isinstance(p["quote"], str) else p["quote"]),
        )
        for p in proposed
    ]

    def same(
        f: Figure,
        fs: list[tuple[int, int]],
        p: dict[str, Any],
        value: Decimal,
        ps: list[tuple[int, int]],
    ) -> bool:
        return f.value == value and f.unit == p["unit"] and _meets(fs, ps)

    found = measures = comparators = 0
    for f, fs in cur:
        match = next((p for p, v, ps in pro if same(f, fs, p, v, ps)), None)
        if match is not None:
            found += 1
            measures += match["measure"] == f.measure
            comparators += match.get("comparator", "exactly") == f.comparator.value
    right = sum(any(same(f, fs, p, v, ps) for f, fs in cur) for p, v, ps in pro)
    return Score(len(cur), len(pro), found, right, measures, comparators)
