"""HermiT: the shipped data is consistent, contradictions are caught, part-of is closed."""

from __future__ import annotations

import pytest
from conftest import BASE
from rdflib import Graph, Literal, URIRef

from kg_build.namespaces import GBA
from kg_build.pipeline import Checked
from kg_build.reason.owl import InconsistentError, reason, reasoner_input

pytestmark = pytest.mark.slow


def test_closure_equals_the_sparql_path_closure(checked: Checked) -> None:
    data = checked.built.union()
    result = reason(checked.ontology, data, BASE)
    inferred = {(s, o) for s, _, o in result.inferred.triples((None, GBA.partOf, None))}
    query = f"SELECT ?a ?b WHERE {{ ?a <{GBA.directlyPartOf}>+ ?b }}"
    assert inferred == {(row[0], row[1]) for row in data.query(query)}
    assert (URIRef(f"{BASE}id/place/longnan"), URIRef(f"{BASE}id/place/jiangxi")) in inferred


def test_a_contradiction_is_reported(checked: Checked) -> None:
    data = checked.built.union()
    # divisionCode is functional: two codes for one place cannot both be true.
    data.add((URIRef(f"{BASE}id/place/ganzhou"), GBA.divisionCode, Literal("360701")))
    with pytest.raises(InconsistentError, match="inconsistent"):
        reason(checked.ontology, data, BASE)


def test_non_owl2_literals_are_kept_from_hermit(checked: Checked) -> None:
    graph, skipped = reasoner_input(checked.ontology, checked.built.union())
    assert skipped > 0
    datatypes = {o.datatype for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    assert not any("date" == str(d).rsplit("#", 1)[-1] or "wktLiteral" in str(d) for d in datatypes)
    assert isinstance(graph, Graph)
