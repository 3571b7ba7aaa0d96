"""A gazetteer of China's administrative divisions (code, parent, level, names, pinyin, Wikidata
item, point), read from a CSV file the user points at; nothing is fetched."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import InputError, Problem

COLUMNS = ("code", "parent_code", "level", "name_zh", "full_name_zh", "pinyin", "wikidata")


@dataclass(frozen=True)
class Division:
    code: str
    parent_code: str
    level: str  # province, prefecture, county
    name_zh: str
    full_name_zh: str
    pinyin: str  # "gan zhou"
    wikidata: str
    line: int
    lat: str = ""  # decimal degrees, where the file gives them
    lon: str = ""

    @property
    def pinyin_key(self) -> str:
        return self.pinyin.replace(" ", "").lower()


class Gazetteer:
    def __init__(self, path: Path, divisions: list[Division], digest: str = "") -> None:
        self.path = path
        # what a link taken from this file cites: the file and its content, since the
        # gazetteer carries no version of its own
        self.evidence = f"{path.name} sha256:{digest[:16]}"
        self.by_code = {d.code: d for d in divisions}
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for d in divisions:
            for key in {d.name_zh, d.full_name_zh, d.pinyin_key}:
                self.by_name[key].append(d)

    def __len__(self) -> int:
        return len(self.by_code)


def load_gazetteer(path: Path) -> Gazetteer:
    if not path.is_file():
        raise InputError([Problem(str(path), 0, "", "gazetteer not found", "pass --gazetteer CSV")])
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                [
                    Problem(
                        str(path),
                        1,
                        missing[0],
                        f"gazetteer lacks column {missing[0]!r}",
                        f"expected columns: {', '.join(COLUMNS)}",
                    )
                ]
            )
        rows = [
            Division(
                r["code"],
                r["parent_code"],
                r["level"],
                r["name_zh"],
                r["full_name_zh"],
                r["pinyin"],
                r["wikidata"],
                reader.line_num,
                r.get("lat") or "",
                r.get("lon") or "",
            )
            for r in reader
        ]
    return Gazetteer(path, rows, hashlib.sha256(path.read_bytes()).hexdigest())
