"""Names of things the graph does not have yet: railways, zones, companies, events and
people, each with the kind and type its name suggests and an identifier to start from."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pypinyin import lazy_pinyin

Span = tuple[int, int]


@dataclass(frozen=True)
class Candidate:
    span: Span
    name: str
    kind: str  # projects, organisations, events, people
    type: str  # a type of the fact format (high-speed-railway, company, ...), or a role
    id: str
    ordinal: int | None = None  # of an event: the 3rd ... Conference
    role: str = ""  # of a person: the title the text gives them


# (keyword pattern, kind, type): the last word or words of a name say what it names
_KEYWORDS_EN: tuple[tuple[str, str, str], ...] = (
    (r"high-speed rail(?:way)?s?", "projects", "high-speed-railway"),
    (r"(?:rail(?:way)?|line)s?", "projects", "railway"),
    (r"(?:expressway|highway)s?", "projects", "expressway"),
    (r"[Aa]irports?", "projects", "airport"),
    (r"[Ll]and [Pp]ort|[Pp]orts?", "projects", "port"),
    (r"[Cc]anals?", "projects", "canal"),
    (r"[Ss]tations?", "projects", "station"),
    (r"[Dd]ata [Cc]ent(?:er|re)s?", "projects", "data-centre"),
    (r"(?:Special )?Cooperation Zones?", "projects", "cooperation-zone"),
    (
        r"(?:Development|Demonstration|Pilot|Economic|Free Trade) Zones?",
        "projects",
        "development-zone",
    ),
    (r"(?:Industrial )?Park|(?:Production )?Base|Town", "projects", "industrial-base"),
    (
        r"Co\., Ltd\.?|Company|Group|Corporation|Technology|Inc\.|Holdings",
        "organisations",
        "company",
    ),
    (r"Bank", "organisations", "bank"),
    (r"Hospital", "organisations", "hospital"),
    (r"Alliance", "organisations", "alliance"),
    (r"News Agency|News Service", "organisations", "news-agency"),
    (r"Bureau|Commission|Government|Ministry|Department", "organisations", "government-body"),
    (r"Conference|Forum|Summit|Expo|Fair|Exhibition", "events", "conference"),
    (r"Meeting", "events", "meeting"),
    (r"Festival", "events", "festival"),
)
_CAP = r"(?:[A-Z][\w’'&.]*(?:-[A-Z]?[\w’'&.]+)*|\([A-Z]\w*\))"
_LINK = r"(?:of|and|for|the|de|&)"
_ORDINAL = r"(?:(?P<ord>\d+)(?:st|nd|rd|th)\s+)?"
_EN = [
    (
        re.compile(
            rf"{_ORDINAL}(?P<name>{_CAP}(?:\s+(?:{_CAP}|{_LINK}(?=\s+[A-Z])))*\s+(?:{keyword}))(?![\w-])"
        ),
        kind,
        type_,
    )
    for keyword, kind, type_ in _KEYWORDS_EN
]
_TITLE = (
    r"(?:[Dd]eputy |[Vv]ice |[Ee]xecutive |[Pp]arty )?(?:[Mm]ayor|[Cc]hairman|[Cc]hairwoman|"
    r"[Ss]ecretary|[Dd]irector|[Gg]eneral [Mm]anager|[Pp]resident|[Gg]overnor|[Hh]ead|CEO)"
)
_PERSON = r"[A-Z][a-z]+ [A-Z][a-z]+"
_PEOPLE = (
    re.compile(rf"(?P<name>{_PERSON}),\s+(?:the\s+)?(?P<role>{_TITLE})\b"),
    re.compile(rf"(?<![\w])(?P<role>{_TITLE})\s+(?P<name>{_PERSON})\b(?!\s+(?:of|and)\b)"),
    re.compile(rf"(?P<role>[Pp]hoto(?:graph)?) by (?P<name>{_PERSON})\b"),
)
_KEYWORDS_ZH: tuple[tuple[str, str, str], ...] = (
    ("高速铁路|高铁", "projects", "high-speed-railway"),
    ("铁路", "projects", "railway"),
    ("高速公路|高速", "projects", "expressway"),
    ("机场", "projects", "airport"),
    ("陆港|港", "projects", "port"),
    ("运河", "projects", "canal"),
    ("合作区", "projects", "cooperation-zone"),
    ("开发区|示范区|试验区|新区", "projects", "development-zone"),
    ("产业园|园区|基地", "projects", "industrial-base"),
    ("有限公司|公司|集团", "organisations", "company"),
    ("银行", "organisations", "bank"),
    ("医院", "organisations", "hospital"),
    ("联盟", "organisations", "alliance"),
    ("大会|博览会|论坛|峰会", "events", "conference"),
    ("会议", "events", "meeting"),
)
# where a Chinese name cannot begin: after these the words before are a verb or a particle
_ZH_BREAK = "的和与在是了将把对向由从到及等、并共建成立推动加快已这该其"
# words a capitalised name does not begin with: the start of a sentence, a title
_LEAD = re.compile(
    rf"^(?:(?:During|In|At|On|With|From|To|By|For|As|Through|Under|Since|After|Before|When|"
    rf"The|A|An)\s+(?:the\s+)?|{_TITLE}\s+of\s+(?:the\s+)?)+"
)


def slug(name: str) -> str:
    """An identifier from a name: English words, or the pinyin of Chinese ones."""
    text = re.sub(r"\b(?:Co\.,? Ltd\.?|Inc\.|the|The)\b", " ", name)
    if re.search(r"[\u3400-\u9fff]", text):
        text = " ".join(lazy_pinyin(text))
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) or "candidate"


def candidates(text: str, taken: Sequence[Span]) -> list[Candidate]:
    """Names not overlapping the spans `taken` (the names of things the graph has) other
    than by holding them whole: "Ganzhou Rural Commercial Bank" holds "Ganzhou"."""
    found = [*_english(text), *_chinese(text)]
    kept: list[Candidate] = []
    for c in sorted(found, key=lambda c: (-(c.span[1] - c.span[0]), c.span)):
        s0, e0 = c.span
        if any(
            s0 < e and s < e0 and not (s0 <= s <= e <= e0 and e - s < e0 - s0) for s, e in taken
        ):
            continue
        if any(s0 < e and s < e0 for s, e in (k.span for k in kept)):
            continue
        kept.append(c)
    return sorted(kept, key=lambda c: c.span)


def _english(text: str) -> Iterator[Candidate]:
    for pattern, kind, type_ in _EN:
        for m in pattern.finditer(text):
            whole = _LEAD.sub("", m.group("name"))
            start = m.end("name") - len(whole)
            ordinal = int(m.group("ord")) if m.group("ord") else None
            # "Ping An Bank and China Guangfa Bank": two names of one kind
            for name in _split(whole, pattern):
                at = text.index(name, start)
                if len(name.split()) >= 2:
                    yield Candidate((at, at + len(name)), name, kind, type_, slug(name), ordinal)
    for pattern in _PEOPLE:
        for m in pattern.finditer(text):
            name, role = m.group("name"), m.group("role").lower()
            role = "photographer" if role.startswith("photo") else role
            yield Candidate(m.span("name"), name, "people", role, slug(name), role=role)


def _split(name: str, pattern: re.Pattern[str]) -> list[str]:
    parts = re.split(r"\s+and\s+", name)
    for i in range(1, len(parts)):
        left, right = " and ".join(parts[:i]), " and ".join(parts[i:])
        if pattern.fullmatch(left) and pattern.fullmatch(right):
            return [left, right]
    return [name]


def _chinese(text: str) -> Iterator[Candidate]:
    for keywords, kind, type_ in _KEYWORDS_ZH:
        for m in re.finditer(rf"[\u4e00-\u9fff]{{2,10}}?(?:{keywords})", text):
            name = m.group()
            cut = max((name.rfind(c, 0, len(name) - 2) for c in _ZH_BREAK), default=-1)
            name = name[cut + 1 :]
            if len(name) < 3:
                continue
            start = m.end() - len(name)
            yield Candidate((start, m.end()), name, kind, type_, slug(name))
