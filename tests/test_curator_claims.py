"""What the curator states and the source does not is published as the curator's claim, with
the reason, never as the source's word (facts: `curator: {field: reason}`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, ROOT, kg_here, project_config, texts_args
from rdflib import Literal, URIRef

from kg_build.namespaces import GBA, SH
from kg_build.pipeline import check
from kg_build.validate.shacl import load_shapes

CNS = "cns-2022-02-17-ganzhou-bay-area"
ID = BASE + "id/"
REASON = "The article names no operator; the city government opens its routes."


def _mark(facts: Path, mark: str) -> None:
    projects = facts / "sources" / CNS / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    anchor = "    connects: [ganzhou, guangzhou]\n    participants: [ganzhou-government]\n"
    assert anchor in text
    projects.write_text(text.replace(anchor, anchor + mark, 1), encoding="utf-8")


def test_a_field_of_the_curators_is_published_as_a_claim(facts_copy: Path) -> None:
    _mark(facts_copy, f"    curator:\n      participants: {REASON}\n")
    checked = check(project_config(facts=facts_copy))
    assert checked.problems == []
    graph = next(
        g for g in checked.built.dataset.graphs() if g.identifier == URIRef(BASE + "graph/" + CNS)
    )
    route, government = (
        ID + "project/ganzhou-guangzhou-air-route",
        ID + "organisation/ganzhou-government",
    )
    claims = list(graph.subjects(GBA.claimSubject, URIRef(route)))
    assert len(claims) == 1
    claim = claims[0]
    assert (claim, GBA.claimSubject, URIRef(route)) in graph
    assert (claim, GBA.claimObject, URIRef(government)) in graph
    assert (claim, GBA.curatorReason, Literal(REASON, lang="en")) in graph
    attestation = URIRef(ID + "attestation/project/ganzhou-guangzhou-air-route")
    assert (attestation, GBA.curatorClaim, claim) in graph
    # the triple itself stays: the claim says whose it is
    assert (URIRef(route), GBA.participant, URIRef(government)) in graph
    # and nothing else of the record is marked
    assert set(graph.objects(claim, GBA.claimPredicate)) == {GBA.participant}


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ("    curator:\n      located_in: because it is\n", "'located_in' is not set here"),
        ("    curator:\n      quote: it is the curator's own\n", "'quote' is no field"),
        ("    curator:\n      colour: a field that is not\n", "'colour' is no field"),
        ("    curator:\n      participants: why\n", "at least 10 characters"),
        ("    curator:\n      milestones.3: the fourth of one milestone\n", "names nothing"),
    ],
)
def test_a_wrong_mark_is_refused_at_its_record(facts_copy: Path, mark: str, message: str) -> None:
    _mark(facts_copy, mark)
    result = kg_here("validate", "--facts", str(facts_copy), *texts_args())
    assert result.code == 2, result.err
    assert message in result.err and f"sources/{CNS}/projects.yaml:" in result.err


def test_a_claim_of_a_triple_that_is_not_there_does_not_conform(facts_copy: Path) -> None:
    """The shape checks that the claimed triple is in the data, and that the claim says why."""
    from pyshacl import validate

    _mark(facts_copy, f"    curator:\n      participants: {REASON}\n")
    checked = check(project_config(facts=facts_copy))
    data = checked.built.union()
    route = URIRef(ID + "project/ganzhou-guangzhou-air-route")
    claim = next(iter(data.subjects(GBA.claimSubject, route)))
    data.remove((data.value(claim, GBA.claimSubject), GBA.participant, None))
    data.remove((claim, GBA.curatorReason, None))
    shapes = load_shapes(ROOT / "shapes")
    conforms, results, _ = validate(data + checked.ontology, shacl_graph=shapes)
    assert not conforms
    messages = {
        str(results.value(r, SH.resultMessage)) for r in results.subjects(SH.focusNode, claim)
    }
    assert messages == {
        "a curator's claim names a triple the data does not have (curator)",
        "a curator's claim says why, in English (curator)",
    }
