"""The ranks of figures that other figures of the same thing compete with (facts/ranks.py),
and which of them disagree, as triples of the graph of what the dataset infers: no source
says them."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef

from kg_build.facts.ranks import Disagreements
from kg_build.namespaces import GBA
from kg_build.rdf.iris import Iris

RANKS = {"preferred": GBA.PreferredRank, "normal": GBA.NormalRank, "deprecated": GBA.DeprecatedRank}


def rank_triples(
    found: Disagreements, iris: Iris
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    for figure_id, ranked in sorted(found.ranks.items()):
        figure = iris.entity(figure_id)
        yield figure, GBA.valueRank, RANKS[ranked.rank]
        yield figure, GBA.rankReason, Literal(ranked.reason, lang="en")
    # each way: gba:disagreesWith is symmetric, and a store without a reasoner answers both
    for conflict in found.conflicts:
        for a, b in conflict.pairs:
            yield iris.entity(a), GBA.disagreesWith, iris.entity(b)
            yield iris.entity(b), GBA.disagreesWith, iris.entity(a)
