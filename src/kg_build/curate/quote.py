"""Find the verbatim passage of a source's text that a curator means by a remembered or
retyped fragment, and give it exactly as the quote check wants it (white space folded, every
other character as the text has it).

Matching folds what retyping changes: case, white space, curly and straight quotation marks
and apostrophes, the kinds of dash. A fragment that still matches nowhere is looked for
fuzzily (rapidfuzz's best partial alignment), the passage widened to whole words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

# What retyping turns one character into: each maps to one character, so that positions in
# the folded text are positions in the original.
_SAME = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\uff08": "(", "\uff09": ")", "\uff0c": ",", "\uff1a": ":",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
MIN_SCORE = 80.0  # below this, a fuzzy alignment is a guess, not the passage


@dataclass(frozen=True)
class Passage:
    text: str  # as the quote check wants it: the source's characters, white space folded
    line: int  # where it starts in the text file, from 1
    exact: bool  # the fragment matched with only case, spaces, quotes and dashes folded
    score: float


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` folded, and for each folded character the offset of its original."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        out.append(ch.translate(_SAME).casefold()[:1] or ch)
        where.append(i)
    return "".join(out), where


def find(text: str, fragment: str) -> Passage | None:
    """The passage of `text` that `fragment` means, or None if nothing is close enough."""
    folded, where = _folded(text)
    wanted, _ = _folded(fragment.strip())
    wanted = wanted.strip()
    if not wanted:
        return None
    at = folded.find(wanted)
    if at >= 0:
        return _passage(text, where, at, at + len(wanted), exact=True, score=100.0)
    aligned = fuzz.partial_ratio_alignment(wanted, folded, score_cutoff=MIN_SCORE)
    if aligned is None:
        return None
    start, end = aligned.dest_start, aligned.dest_end
    # widen to whole words: a quote that starts or ends inside a word is no quote
    while start > 0 and folded[start - 1].isalnum() and folded[start].isalnum():
        start -= 1
    while end < len(folded) and folded[end - 1].isalnum() and folded[end].isalnum():
        end += 1
    return _passage(text, where, start, end, exact=False, score=aligned.score)


def _passage(
    text: str, where: list[int], start: int, end: int, exact: bool, score: float
) -> Passage:
    first, last = where[start], where[end - 1] + 1
    original = _SPACE.sub(" ", text[first:last]).strip()
    return Passage(original, text.count("\n", 0, first) + 1, exact, score)
