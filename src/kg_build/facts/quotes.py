"""Check that every quote occurs verbatim in its source's text, when that text is at hand.

White space is folded (YAML wraps long quotes); nothing else is: a quote with a changed word,
quotation mark or apostrophe fails, so curators copy rather than retype.

The outcome is kept per part (a fact file or source folder) with the size, mtime and inode
of each text its quotes were looked up in. Given the last release's check, a part that was
not read again and whose texts look the same is not checked again (as incremental/state.py
does for fact folders): after one source changed, its quotes alone are looked up.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import Problem
from kg_build.facts.load import RACY_NS, Corpus, Origin, Part
from kg_build.facts.model import (
    Person,
    PersonStatement,
    Project,
    ProjectStatement,
    Record,
    Statement,
)
from kg_build.progress import bar

_SPACE = re.compile(r"\s+")

Stamp = tuple[str, int, int, int]  # a text's path, size, mtime_ns, inode


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def occurs(quote: str, text: str) -> bool:
    """Whether the quote check finds `quote` in `text` (white space folded, nothing else)."""
    return _fold(quote) in _fold(text)


@dataclass(frozen=True)
class PartQuotes:
    """What the quotes of one part gave, and the texts (source -> stamp) they were looked up
    in; a source without a text at hand has no stamp and its quotes are not counted."""

    texts: tuple[tuple[str, Stamp | None], ...]
    problems: tuple[Problem, ...]
    checked: int


@dataclass
class QuoteCheck:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    unchecked: dict[str, str] = field(default_factory=dict)  # source -> why not
    parts: dict[str, PartQuotes] = field(default_factory=dict)
    taken: int = 0  # when the texts were looked at (time.time_ns())
    looked_up: int = 0  # quotes looked up by this check (the others' outcome was kept)


def find_text(name: str, text_dirs: Sequence[Path]) -> Path | None:
    for directory in text_dirs:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def check_quotes(
    corpus: Corpus,
    text_dirs: Sequence[Path],
    previous: QuoteCheck | None = None,
    unchanged: Collection[str] = (),
) -> QuoteCheck:
    """Every quote of `corpus` against its source's text. With the last release's check,
    the parts named in `unchanged` (not read again) keep their outcome while their texts'
    stamps are the same."""
    result = QuoteCheck(taken=time.time_ns())
    paths: dict[str, Path] = {}
    stamps: dict[str, Stamp] = {}
    for source, _origin in corpus.sources.values():
        if source.text is None:
            result.unchecked[source.id] = "no text is registered for this source"
            continue
        path = find_text(source.text, text_dirs)
        if path is None:
            shown = ", ".join(str(d) for d in text_dirs) or "(no text directories given)"
            result.unchecked[source.id] = f"{source.text} not found in {shown}"
            continue
        info = os.stat(path)
        paths[source.id] = path
        stamps[source.id] = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    settled = previous.taken - RACY_NS if previous is not None else 0
    todo: dict[str, tuple[Part, tuple[tuple[str, Stamp | None], ...]]] = {}
    for name, part in corpus.parts.items():
        said = {e.source for e in part.entries} | {s.source for s in part.statements}
        texts = tuple((sid, stamps.get(sid)) for sid in sorted(said))
        kept = previous.parts.get(name) if previous is not None and name in unchanged else None
        if (
            kept is not None
            and kept.texts == texts
            and all(stamp is None or stamp[2] < settled for _, stamp in texts)
        ):
            result.parts[name] = kept
        else:
            todo[name] = (part, texts)
    folded: dict[str, str] = {}
    for name, (part, texts) in bar(todo.items(), len(todo), "checking quotes"):
        for sid, _stamp in texts:
            if sid in paths and sid not in folded:
                folded[sid] = _fold(paths[sid].read_text(encoding="utf-8"))
        result.parts[name] = _check_part(part, texts, folded)
        result.looked_up += result.parts[name].checked
    for outcome in result.parts.values():
        result.problems.extend(outcome.problems)
        result.checked += outcome.checked
    return result


def _check_part(
    part: Part, texts: tuple[tuple[str, Stamp | None], ...], folded: dict[str, str]
) -> PartQuotes:
    problems, checked = [], 0
    said: list[tuple[Record | Statement, str, Origin]]
    said = [(e.record, e.source, e.origin) for e in part.entries]
    said += [(s.statement, s.source, s.origin) for s in part.statements]
    for record, source, origin in said:
        text = folded.get(source)
        if text is None:
            continue
        for where, quote in _quotes(record):
            checked += 1
            if _fold(quote) not in text:
                problems.append(
                    Problem(
                        origin.file,
                        origin.line_of(where),
                        where,
                        f"quote not found in the text of {source}: {_clip(quote)!r}",
                        "copy the passage exactly from the source; only line breaks may differ",
                    )
                )
    return PartQuotes(texts, tuple(problems), checked)


def _quotes(record: Record | Statement) -> Iterator[tuple[str, str]]:
    for i, quote in enumerate(record.quote):
        yield (f"quote.{i}" if len(record.quote) > 1 else "quote"), quote
    nested: list[tuple[str, list[str]]] = []
    if isinstance(record, Person | PersonStatement):
        nested = [(f"roles.{i}.quote", r.quote) for i, r in enumerate(record.roles)]
    elif isinstance(record, Project | ProjectStatement):
        nested = [(f"milestones.{i}.quote", m.quote) for i, m in enumerate(record.milestones)]
    for path, quotes in nested:
        for quote in quotes:
            yield path, quote


def _clip(text: str, width: int = 70) -> str:
    text = _fold(text)
    return text if len(text) <= width else text[: width - 1] + "…"
