"""`kg link suggest`: reconcile the graph's places against a gazetteer.

Each candidate division is scored on name (Chinese full or short name, pinyin, the English
name without its administrative suffix), on type (province / prefecture / county level) and on
parent (the graph's parent has the candidate's parent code). Bands, as LIMES uses them:
accept, review, reject. A name shared by several divisions (the same county name in two
provinces) never lands in accept unless the parent tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kg_build.facts.load import Corpus
from kg_build.facts.model import Place
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


@dataclass(frozen=True)
class Suggestion:
    place: str
    code: str
    name: str
    wikidata: str
    score: float
    band: str  # accept, review, reject
    why: str
    current_code: str | None


def _keys(place: Place) -> set[str]:
    english = _SUFFIX.sub("", place.name.en).replace(" ", "").replace("-", "").lower()
    keys = {place.name.zh, place.name.zh.rstrip("市县区省"), english}
    if place.name.pinyin:
        keys.add(place.name.pinyin.replace(" ", "").replace("-", "").lower())
    return {k for k in keys if k}


def suggest_links(
    corpus: Corpus, gazetteer: Gazetteer, progress: Callable[[int, int], None] | None = None
) -> list[Suggestion]:
    places = [e.record for e in corpus.of_kind("places") if isinstance(e.record, Place)]
    codes = {p.id: p.code for p in places}
    out: list[Suggestion] = []
    for index, place in enumerate(places, 1):
        if progress:
            progress(index, len(places))
        candidates: dict[str, Division] = {}
        for key in _keys(place):
            for division in gazetteer.by_name.get(key, []):
                candidates[division.code] = division
        scored = sorted((_score(place, d, codes) for d in candidates.values()), key=lambda s: -s[0])
        same_name = len(candidates)
        for score, division, why in scored:
            band = "accept" if score >= ACCEPT else "review" if score >= REVIEW else "reject"
            if band == "accept" and same_name > 1 and "parent agrees" not in why:
                band, why = "review", why + "; several divisions have this name"
            out.append(
                Suggestion(
                    place.id,
                    division.code,
                    division.full_name_zh,
                    division.wikidata,
                    round(score, 3),
                    band,
                    why,
                    place.code,
                )
            )
    return out


def _score(place: Place, d: Division, codes: dict[str, str | None]) -> tuple[float, Division, str]:
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
    return score, d, ", ".join(reasons)


def review_table(suggestions: list[Suggestion]) -> str:
    """The review file: tab-separated, one candidate a line, best first within each place."""
    lines = ["place\tband\tscore\tcode\tname\twikidata\tcurrent_code\twhy"]
    for s in suggestions:
        lines.append(
            f"{s.place}\t{s.band}\t{s.score:.3f}\t{s.code}\t{s.name}\t{s.wikidata}\t"
            f"{s.current_code or ''}\t{s.why}"
        )
    return "\n".join(lines) + "\n"
