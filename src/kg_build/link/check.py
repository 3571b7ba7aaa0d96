"""`kg link check`: external identifiers are well-formed and agree with the gazetteer.

For each place: its division code exists; the gazetteer's parent of that code is a place the
graph says it is part of; its Wikidata item is the one the gazetteer gives for the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg_build.errors import Problem
from kg_build.facts.load import Corpus, Origin
from kg_build.facts.model import Place
from kg_build.link.gazetteer import Gazetteer

_QID = re.compile(r"^Q[1-9][0-9]*$")
_CODE = re.compile(r"^[1-8][0-9]{5}$")


def check_links(corpus: Corpus, gazetteer: Gazetteer) -> list[Problem]:
    return sorted(_problems(corpus, gazetteer))


def _problems(corpus: Corpus, gazetteer: Gazetteer) -> Iterator[Problem]:
    places = [e for e in corpus.of_kind("places") if isinstance(e.record, Place)]
    codes = {e.record.id: e.record.code for e in places if isinstance(e.record, Place)}
    for entry in places:
        place = entry.record
        if not isinstance(place, Place):
            continue
        where = entry.origin
        if place.wikidata is not None and not _QID.match(place.wikidata):
            yield Problem(
                where.file,
                where.line_of("wikidata"),
                "wikidata",
                f"{place.wikidata!r} is not a Wikidata item identifier",
                "write Q followed by digits",
            )
        if place.code is not None:
            yield from _code_problems(place, place.code, where, codes, gazetteer)


def _code_problems(
    place: Place, code: str, where: Origin, codes: dict[str, str | None], gazetteer: Gazetteer
) -> Iterator[Problem]:
    """The place's division code: well-formed, in the gazetteer, and the gazetteer's parent
    and Wikidata item for it are the place's."""
    if not _CODE.match(code):
        yield Problem(
            where.file,
            where.line_of("code"),
            "code",
            f"{code!r} is not a GB/T 2260 code",
            "six digits, the first 1-8",
        )
        return
    row = gazetteer.by_code.get(code)
    if row is None:
        yield Problem(
            where.file,
            where.line_of("code"),
            "code",
            f"code {code} is not in the gazetteer {gazetteer.path.name}",
            "check the code; `kg link suggest` proposes one",
        )
        return
    parents = {codes.get(p) for p in place.part_of}
    if row.parent_code and row.parent_code not in parents:
        parent = gazetteer.by_code.get(row.parent_code)
        shown = f"{row.parent_code} {parent.full_name_zh}" if parent else row.parent_code
        yield Problem(
            where.file,
            where.line_of("part_of"),
            "part_of",
            f"the gazetteer puts {code} {row.full_name_zh} under {shown}, "
            "which part_of does not name",
            "add that place to part_of, or fix the code",
        )
    if place.wikidata and row.wikidata and place.wikidata != row.wikidata:
        yield Problem(
            where.file,
            where.line_of("wikidata"),
            "wikidata",
            f"{place.wikidata} disagrees with the gazetteer's {row.wikidata} for code {code}",
            "use the gazetteer's item, or say in note why not",
        )
    if place.wikidata is None and row.wikidata:
        yield Problem(
            where.file,
            where.line_of("code"),
            "wikidata",
            f"the gazetteer links code {code} to {row.wikidata}; the place has no wikidata",
            f"add `wikidata: {row.wikidata}`",
        )
