"""`kg link suggest`: reconcile the graph's places (and organisations) against a gazetteer file
or a Wikidata-compatible SPARQL endpoint.

Each candidate is scored on name (Chinese full or short name, pinyin, the English name without
its administrative suffix), on type (province / prefecture / county level; an organisation
class) and on parent (the graph's parent has the candidate's parent code; an organisation's
seat is where the candidate is located). Bands, as LIMES uses them: accept, review, reject. A
name shared by several candidates (the same county name in two provinces) never lands in
accept unless the parent tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kg_build.facts.load import Corpus
from kg_build.facts.model import Organisation, Place
from kg_build.link.gazetteer import Division, Gazetteer

ACCEPT, REVIEW = 0.85, 0.5
LEVELS = {
    "province": "province",
    "special-administrative-region": "province",
    "prefecture-level-city": "prefecture",
    "county": "county",
    "county-level-city": "county",
    "district": "county",
}
_SUFFIX = re.compile(r"\s+(county|district|city|province|pass|area|mountains)$", re.IGNORECASE)
COLUMNS = (
    "id",
    "band",
    "score",
    "code",
    "name",
    "wikidata",
    "current_code",
    "current_wikidata",
    "why",
    "evidence",
)


@dataclass(frozen=True)
class Suggestion:
    id: str  # the place or organisation in the curated facts
    code: str  # division code; empty for organisations
    name: str
    wikidata: str
    score: float
    band: str  # accept, review, reject
    why: str
    current_code: str | None
    current_wikidata: str | None
    evidence: str  # the reference file and its digest, or the endpoint and the date


@dataclass(frozen=True)
class OrgCandidate:
    wikidata: str
    name: str
    labels: frozenset[str]  # lower-cased labels in any language
    is_organisation: bool  # an instance of an organisation class
    located_in: frozenset[str]  # Wikidata items of its seat / headquarters / admin unit


class PlaceSource(Protocol):
    evidence: str

    def divisions_for(self, place: Place) -> list[Division]: ...


class OrganisationSource(Protocol):
    evidence: str

    def organisations_for(self, organisation: Organisation) -> list[OrgCandidate]: ...


def squashed(english: str) -> str:
    """ "Xinfeng County" -> "xinfeng": comparable with a gazetteer's pinyin."""
    return _SUFFIX.sub("", english).replace(" ", "").replace("-", "").lower()


def place_keys(place: Place) -> set[str]:
    """The names a place may go by in a gazetteer: Chinese with and without its suffix, the
    English name without its suffix and the pinyin, both squashed to lower case."""
    keys = {place.name.zh, place.name.zh.rstrip("市县区省"), squashed(place.name.en)}
    if place.name.pinyin:
        keys.add(place.name.pinyin.replace(" ", "").replace("-", "").lower())
    return {k for k in keys if k}


class GazetteerPlaces:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.evidence = gazetteer.evidence

    def divisions_for(self, place: Place) -> list[Division]:
        found: dict[str, Division] = {}
        for key in place_keys(place):
            for division in self.gazetteer.by_name.get(key, []):
                found[division.code] = division
        return list(found.values())


def suggest_links(
    corpus: Corpus,
    places: PlaceSource,
    organisations: OrganisationSource | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Suggestion]:
    records = [e.record for e in corpus.of_kind("places") if isinstance(e.record, Place)]
    orgs = [e.record for e in corpus.of_kind("organisations") if isinstance(e.record, Organisation)]
    codes = {p.id: p.code for p in records}
    items = {p.id: p.wikidata for p in records}
    total = len(records) + (len(orgs) if organisations else 0)
    out: list[Suggestion] = []
    for index, place in enumerate(records, 1):
        if progress:
            progress(index, total)
        scored = [_score_place(place, d, codes) for d in places.divisions_for(place)]
        out += _banded(place, scored, places.evidence)
    if organisations is None:
        return out
    for index, org in enumerate(orgs, len(records) + 1):
        if progress:
            progress(index, total)
        seat = items.get(org.seat) if org.seat else None
        scored_orgs = [
            _score_organisation(org, c, seat) for c in organisations.organisations_for(org)
        ]
        out += _banded(org, scored_orgs, organisations.evidence)
    return out


Scored = tuple[float, str, str, str, str]  # score, code, name, wikidata, why


def _banded(record: Place | Organisation, scored: list[Scored], evidence: str) -> list[Suggestion]:
    scored.sort(key=lambda s: (-s[0], s[1], s[3]))
    shared_name = len(scored) > 1
    out = []
    for score, code, name, wikidata, why in scored:
        band = "accept" if score >= ACCEPT else "review" if score >= REVIEW else "reject"
        if band == "accept" and shared_name and "parent agrees" not in why:
            band, why = "review", why + "; several candidates have this name"
        out.append(
            Suggestion(
                record.id,
                code,
                name,
                wikidata,
                round(score, 3),
                band,
                why,
                getattr(record, "code", None),
                record.wikidata,
                evidence,
            )
        )
    return out


def _score_place(place: Place, d: Division, codes: dict[str, str | None]) -> Scored:
    reasons = []
    score = 0.0
    if place.name.zh in (d.full_name_zh, d.name_zh):
        score += 0.5
        reasons.append("Chinese name")
    elif place.name.pinyin and place.name.pinyin.replace(" ", "").lower() == d.pinyin_key:
        score += 0.35
        reasons.append("pinyin")
    else:
        score += 0.25
        reasons.append("English name")
    if LEVELS.get(place.type.value) == d.level:
        score += 0.2
        reasons.append("level")
    parents = {codes.get(p) for p in place.part_of}
    if d.parent_code and d.parent_code in parents:
        score += 0.3
        reasons.append("parent agrees")
    elif not d.parent_code and d.level == "province":
        score += 0.3
        reasons.append("top level")
    return score, d.code, d.full_name_zh, d.wikidata, ", ".join(reasons)


def _score_organisation(org: Organisation, c: OrgCandidate, seat: str | None) -> Scored:
    reasons = []
    names = org.name
    if names.zh.lower() in c.labels or any(a.lower() in c.labels for a in names.alt_zh):
        score = 0.5
        reasons.append("Chinese name")
    else:
        score = 0.35
        reasons.append("English name")
    if c.is_organisation:
        score += 0.2
        reasons.append("organisation")
    if seat and seat in c.located_in:
        score += 0.3
        reasons.append("parent agrees (seat)")
    return score, "", c.name, c.wikidata, ", ".join(reasons)


def review_table(suggestions: list[Suggestion]) -> str:
    """The review file: tab-separated, one candidate a line, best first within each record.
    Change a row's band to `accept` to take it; `kg link accept` writes accepted rows."""
    lines = ["\t".join(COLUMNS)]
    for s in suggestions:
        lines.append(
            f"{s.id}\t{s.band}\t{s.score:.3f}\t{s.code}\t{s.name}\t{s.wikidata}\t"
            f"{s.current_code or ''}\t{s.current_wikidata or ''}\t{s.why}\t{s.evidence}"
        )
    return "\n".join(lines) + "\n"
