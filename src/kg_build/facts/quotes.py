"""Check that every quote occurs verbatim in its source's text, when that text is at hand.

White space is folded (YAML wraps long quotes); nothing else is: a quote with a changed word,
quotation mark or apostrophe fails, so curators copy rather than retype.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import Problem
from kg_build.facts.load import Corpus, Entry
from kg_build.facts.model import Person, Project
from kg_build.progress import bar

_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass
class QuoteCheck:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    unchecked: dict[str, str] = field(default_factory=dict)  # source -> why not


def find_text(name: str, text_dirs: Sequence[Path]) -> Path | None:
    for directory in text_dirs:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def check_quotes(corpus: Corpus, text_dirs: Sequence[Path]) -> QuoteCheck:
    result = QuoteCheck()
    texts: dict[str, str] = {}
    for source, _origin in corpus.sources.values():
        if source.text is None:
            result.unchecked[source.id] = "no text is registered for this source"
            continue
        path = find_text(source.text, text_dirs)
        if path is None:
            shown = ", ".join(str(d) for d in text_dirs) or "(no text directories given)"
            result.unchecked[source.id] = f"{source.text} not found in {shown}"
            continue
        texts[source.id] = _fold(path.read_text(encoding="utf-8"))
    entries = corpus.entries.values()
    for entry in bar(entries, len(entries), "checking quotes"):
        text = texts.get(entry.source)
        if text is None:
            continue
        for where, quote in _quotes(entry):
            result.checked += 1
            if _fold(quote) not in text:
                result.problems.append(
                    Problem(
                        entry.origin.file,
                        entry.origin.line_of(where),
                        where,
                        f"quote not found in the text of {entry.source}: {_clip(quote)!r}",
                        "copy the passage exactly from the source; only line breaks may differ",
                    )
                )
    return result


def _quotes(entry: Entry) -> Iterator[tuple[str, str]]:
    record = entry.record
    for i, quote in enumerate(record.quote):
        yield (f"quote.{i}" if len(record.quote) > 1 else "quote"), quote
    nested: list[tuple[str, list[str]]] = []
    if isinstance(record, Person):
        nested = [(f"roles.{i}.quote", r.quote) for i, r in enumerate(record.roles)]
    elif isinstance(record, Project):
        nested = [(f"milestones.{i}.quote", m.quote) for i, m in enumerate(record.milestones)]
    for path, quotes in nested:
        for quote in quotes:
            yield path, quote


def _clip(text: str, width: int = 70) -> str:
    text = _fold(text)
    return text if len(text) <= width else text[: width - 1] + "…"
