"""A text cut into sentences (pysbd, per line, so that no quote spans a paragraph break) and
clauses, with the character offsets of each: everything the draft quotes is a slice of the
text, so that it passes the quote check as it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pysbd

Span = tuple[int, int]
_CJK = re.compile(r"[\u3400-\u9fff]")
# a clause ends at a comma or semicolon followed by a space (not 466,000), or a Chinese one
_CLAUSE_END = re.compile(r"[,;:](?=\s)|[，；：]")
_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W_\u3400-\u9fff]+")
CLAUSE_WORDS = 6  # a shorter clause is quoted with its neighbour: it rarely stands alone


def language_of(text: str) -> str:
    """zh when a fifth of the letters are Chinese characters, else en."""
    letters = [c for c in text if c.isalpha()]
    chinese = sum(1 for c in letters if _CJK.match(c))
    return "zh" if letters and chinese * 5 >= len(letters) else "en"


@dataclass(frozen=True)
class Text:
    text: str
    language: str
    sentences: tuple[Span, ...]

    def sentence_of(self, offset: int) -> Span:
        for span in self.sentences:
            if span[0] <= offset < span[1]:
                return span
        return (offset, offset)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def clause(self, span: Span, words: int = CLAUSE_WORDS) -> Span:
        """The clause around `span`, widened by neighbouring clauses of its sentence until
        it has `words` words; trimmed of spaces."""
        s0, e0 = self.sentence_of(span[0])
        cuts = [s0] + [m.end() for m in _CLAUSE_END.finditer(self.text, s0, e0)] + [e0]
        cuts = sorted(set(cuts))
        i = max(k for k in range(len(cuts) - 1) if cuts[k] <= span[0])
        j = min(k for k in range(1, len(cuts)) if cuts[k] >= span[1])
        while len(_TOKEN.findall(self.text[cuts[i] : cuts[j]])) < words:
            if i > 0:
                i -= 1
            elif j < len(cuts) - 1:
                j += 1
            else:
                break
        return _trim(self.text, cuts[i], cuts[j])

    def quote(self, span: Span, words: int = CLAUSE_WORDS) -> str:
        s, e = self.clause(span, words)
        return self.text[s:e]


def _trim(text: str, start: int, end: int) -> Span:
    """Without spaces and clause marks at either end, nor a quotation mark left unpaired."""
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in ",;:，；："):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:，；："):
            end -= 1
        piece = text[start:end]
        if piece and piece[-1] in _QUOTE_MARKS and _unpaired(piece):
            end -= 1
        elif piece and piece[0] in _QUOTE_MARKS and _unpaired(piece):
            start += 1
        if (start, end) == before:
            return start, end


_QUOTE_MARKS = '"“”'
# where pysbd keeps sentences together that a quotation holds: split after . ! ? before a
# capital, unless the full stop ends a usual abbreviation
_INNER_END = re.compile(
    r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bNo\.)(?<!\bCo\.)(?<!\bLtd\.)(?<!\bInc\.)"
    r"(?<!\bSt\.)(?<!\bvs\.)(?<![A-Z]\.)(?<=[.!?。！？])\s+(?=[\"“]?[A-Z])|(?<=[。！？])(?=.)"
)


def _unpaired(piece: str) -> bool:
    return (piece.count('"') % 2 == 1) or (piece.count("“") != piece.count("”"))


def read(text: str, language: str | None = None) -> Text:
    language = language or language_of(text)
    segmenter = pysbd.Segmenter(language=language, clean=False, char_span=True)
    sentences: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for piece in segmenter.segment(line):
                start = offset + piece.start
                cuts = [m.end() for m in _INNER_END.finditer(text, start, offset + piece.end)]
                for s0, e0 in zip([start, *cuts], [*cuts, offset + piece.end], strict=True):
                    s, e = _trim(text, s0, e0)
                    if s < e:
                        sentences.append((s, e))
        offset += len(line) + 1
    return Text(text, language, tuple(sentences))


def words_in(text: str) -> int:
    return len(_TOKEN.findall(text))


def within(span: Span, spans: Sequence[Span]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)
