"""Where a text names something the graph already has, or a place of the gazetteer.

Names are the graph's English, Chinese and pinyin names and alternative names. English
ones match with case, dashes, plurals and possessives folded ("the Jiangxi-Shenzhen
High-Speed Railways'" names `ganshen-hsr`), then fuzzily (rapidfuzz) for long names a
translation bent; Chinese ones match as written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kg_build.facts.load import Corpus
from kg_build.facts.model import NamedRecord, Place
from kg_build.link.gazetteer import Division, Gazetteer

Span = tuple[int, int]
_CJK = re.compile(r"[\u3400-\u9fff]")
# kinds of thing a text names, and which wins when one name belongs to several
KIND_ORDER = ("projects", "organisations", "events", "agreements", "places", "people")
FUZZY_MIN_LENGTH = 14  # shorter names differ by a letter from other names: exact only
FUZZY_SCORE = 90.0


@dataclass(frozen=True)
class Mention:
    span: Span
    text: str
    id: str
    kind: str
    exact: bool = True
    others: tuple[str, ...] = ()  # other things of the same name


@dataclass(frozen=True)
class PlaceProposal:
    span: Span
    text: str
    division: Division
    others: tuple[Division, ...] = ()  # divisions of the same name, not chosen


@dataclass
class Names:
    """Every name of the graph's things: name -> [(id, kind)]."""

    by_name: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    place_codes: dict[str, str] = field(default_factory=dict)  # division code -> place id
    ids: set[str] = field(default_factory=set)

    def add(self, name: str, id_: str, kind: str) -> None:
        name = name.strip()
        if len(name) >= 2 and (id_, kind) not in self.by_name[name]:
            self.by_name[name].append((id_, kind))


def names_of(corpus: Corpus) -> Names:
    names = Names()
    for entry in corpus.entries.values():
        names.ids.add(entry.record.id)
        record = entry.record
        if entry.kind not in KIND_ORDER or not isinstance(record, NamedRecord):
            continue
        n = record.name
        for name in (n.en, n.zh, *n.alt_en, *n.alt_zh):
            names.add(name, record.id, entry.kind)
        if n.pinyin:
            names.add(n.pinyin.replace(" ", "").title(), record.id, entry.kind)
        if isinstance(record, Place) and record.code:
            names.place_codes[record.code] = record.id
            # 信丰县 is 信丰 in running text: a division's name without its level
            short = re.sub(r"(?:特别行政区|自治区|自治州|自治县|省|市|县|区)$", "", n.zh)
            if len(short) >= 2 and short != n.zh:
                names.add(short, record.id, entry.kind)
    for s in corpus.statements:
        for name in (*s.statement.alt_en, *s.statement.alt_zh):
            names.add(name, s.statement.about, s.kind)
    return names


def _pattern(name: str) -> re.Pattern[str]:
    words = [w for w in re.split(r"[\s\-\u2010-\u2015]+", name) if w]
    inflected = [re.escape(w) + r"(?:s|es|'s|’s|s'|s’)?" for w in words]
    return re.compile(
        r"(?<![\w])" + r"[\s\-\u2010-\u2015]+".join(inflected) + r"(?![\w])", re.IGNORECASE
    )


def _best(found: Iterable[Mention]) -> list[Mention]:
    """Longest first where two overlap; exact before fuzzy."""
    kept: list[Mention] = []
    for m in sorted(found, key=lambda m: (-(m.span[1] - m.span[0]), not m.exact, m.span)):
        if all(m.span[1] <= k.span[0] or m.span[0] >= k.span[1] for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.span)


def _owner(owners: Sequence[tuple[str, str]]) -> tuple[str, str, tuple[str, ...]]:
    ranked = sorted(owners, key=lambda o: (KIND_ORDER.index(o[1]), o[0]))
    return ranked[0][0], ranked[0][1], tuple(o[0] for o in ranked[1:])


def mentions(text: str, names: Names, sentences: Sequence[Span] = ()) -> list[Mention]:
    found: list[Mention] = []
    missed: list[str] = []
    for name, owners in names.by_name.items():
        id_, kind, others = _owner(owners)
        if _CJK.search(name):
            hits = [m.span() for m in re.finditer(re.escape(name), text)]
        else:
            hits = [m.span() for m in _pattern(name).finditer(text)]
        for s, e in hits:
            found.append(Mention((s, e), text[s:e], id_, kind, True, others))
        if not hits and not _CJK.search(name) and len(name) >= FUZZY_MIN_LENGTH:
            missed.append(name)
    lowered = text.lower()
    for s0, e0 in sentences or [(0, len(text))]:
        sentence = lowered[s0:e0]
        for name in missed:
            hit = fuzz.partial_ratio_alignment(name.lower(), sentence, score_cutoff=FUZZY_SCORE)
            if hit is None:
                continue
            s, e = _words(text, s0 + hit.dest_start, s0 + hit.dest_end)
            id_, kind, others = _owner(names.by_name[name])
            found.append(Mention((s, e), text[s:e], id_, kind, False, others))
    return _best(found)


def _words(text: str, start: int, end: int) -> Span:
    """Widened to whole words, trimmed of spaces and punctuation at either end."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def english_name(division: Division) -> str:
    return division.pinyin.replace(" ", "").title()


def gazetteer_places(
    text: str, gazetteer: Gazetteer, names: Names, taken: Sequence[Span]
) -> list[PlaceProposal]:
    """Divisions the text names that the graph has no place for, outside the spans `taken`
    (names of things it has). Of several divisions of one name, the one under a place the
    graph has or the text names wins; the others are listed for the curator."""
    by_form: dict[str, list[Division]] = defaultdict(list)
    for division in gazetteer.by_code.values():
        if division.code in names.place_codes or len(division.pinyin.split()) < 2:
            continue
        for form in {english_name(division), division.full_name_zh, division.name_zh}:
            if len(form) >= 2:
                by_form[form].append(division)
    hits: list[tuple[Span, str]] = []
    for form in by_form:
        if _CJK.search(form):
            spans = [m.span() for m in re.finditer(re.escape(form), text)]
        else:
            spans = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w])", text)]
        hits += [(s, form) for s in spans if not any(_overlap(s, t) for t in taken)]
    named_codes = {d.code for _, form in hits for d in by_form[form]} | set(names.place_codes)
    proposals: list[PlaceProposal] = []
    for span, form in sorted(hits, key=lambda h: (h[0][0], -(h[0][1] - h[0][0]))):
        if proposals and span[0] < proposals[-1].span[1]:
            continue
        ranked = sorted(
            by_form[form],
            key=lambda d: (-_ancestors_named(d, gazetteer, named_codes), d.code),
        )
        proposals.append(PlaceProposal(span, text[span[0] : span[1]], ranked[0], tuple(ranked[1:])))
    return proposals


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _ancestors_named(division: Division, gazetteer: Gazetteer, named: set[str]) -> int:
    count, code = 0, division.parent_code
    while code:
        count += code in named
        parent = gazetteer.by_code.get(code)
        code = parent.parent_code if parent else ""
    return count
