"""HermiT: the shipped data is consistent, contradictions are caught, part-of is closed."""

from __future__ import annotations

import owlready2
import pyoxigraph as ox
import pytest
from conftest import BASE
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.query import ResultRow

from kg_build.build.chunks import sorted_triples
from kg_build.namespaces import GBA
from kg_build.pipeline import Checked
from kg_build.reason import owl
from kg_build.reason.owl import (
    InconsistentError,
    ReasonerUnavailableError,
    _hermit,
    check_consistent,
    check_modules,
    infer,
    modules,
    part_of_slice,
    reason,
    reasoner_input,
    subjects_by_graph,
)
from kg_build.validate.shacl import data_store

pytestmark = pytest.mark.slow


def test_closure_equals_the_sparql_path_closure(checked: Checked) -> None:
    data = checked.built.union()
    result = reason(checked.ontology, data, BASE)
    inferred = {(s, o) for s, _, o in result.inferred.triples((None, GBA.partOf, None))}
    query = f"SELECT ?a ?b WHERE {{ ?a <{GBA.directlyPartOf}>+ ?b }}"
    rows = [row for row in data.query(query) if isinstance(row, ResultRow)]
    assert inferred == {(row[0], row[1]) for row in rows}
    assert (URIRef(f"{BASE}id/place/longnan"), URIRef(f"{BASE}id/place/jiangxi")) in inferred


def test_a_contradiction_is_reported(checked: Checked) -> None:
    data = checked.built.union()
    # divisionCode is functional: two codes for one place cannot both be true.
    data.add((URIRef(f"{BASE}id/place/ganzhou"), GBA.divisionCode, Literal("360701")))
    with pytest.raises(InconsistentError, match="inconsistent"):
        reason(checked.ontology, data, BASE)


def test_the_closure_follows_from_the_part_of_statements_alone(checked: Checked) -> None:
    """Builds reason over the part-of slice (cheap, and cached between incremental builds);
    HermiT over all the data must conclude exactly the same part-of values."""
    data = sorted_triples(checked.built.union())
    world = _hermit(checked.ontology, data)
    whole = {
        (s, o)
        for s, p, o in world.as_rdflib_graph()
        if p == GBA.partOf and str(s).startswith(BASE) and str(o).startswith(BASE)
    }
    world.close()
    stated = {(s, o) for s, _, o in checked.built.union().triples((None, GBA.directlyPartOf, None))}
    from_slice = infer(checked.ontology, part_of_slice(data), BASE)
    assert {(s, o) for s, _, o in from_slice} == whole | stated
    assert len(whole) > 20


def test_non_owl2_literals_are_kept_from_hermit(checked: Checked) -> None:
    triples, skipped = reasoner_input(checked.ontology, checked.built.union())
    assert skipped > 0
    datatypes = {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    assert not any(d.rsplit("#", 1)[-1] == "date" or "wktLiteral" in d for d in datatypes)
    assert str(XSD.string) in datatypes
    # the data's labels are annotations: nothing for HermiT to reason with
    labels = [t for t in triples if t.predicate.value == str(RDFS.label)]
    assert labels and not any(str(t.subject).startswith(f"<{BASE}id/") for t in labels)


def test_modules_find_the_contradiction_a_single_run_finds(
    checked: Checked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds check consistency module by module (reason/owl.py says why that is exact here)."""
    monkeypatch.setattr(owl, "MODULE_SUBJECTS", 100)  # several modules, even on this small graph
    data = sorted_triples(checked.built.union())
    store = data_store([data], checked.ontology)
    subjects = subjects_by_graph(checked.graphs)
    assert len(subjects) == len(set(subjects)) == len({t.subject for t in data})
    parts = modules(store, subjects, part_of_slice(data))
    assert len(parts) >= 3
    assert {t.subject for part in parts for t in part} >= set(subjects)  # every one is checked
    check_modules(checked.ontology, parts)  # the shipped data is consistent
    ganzhou = ox.NamedNode(f"{BASE}id/place/ganzhou")
    code = ox.NamedNode(str(GBA.divisionCode))
    store.add(ox.Quad(ganzhou, code, ox.Literal("360701"), ox.DefaultGraph()))
    with pytest.raises(InconsistentError, match="inconsistent"):
        check_modules(checked.ontology, modules(store, subjects, part_of_slice(data)))


def test_a_hermit_that_cannot_run_is_a_setup_error(
    checked: Checked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JVM that stops without HermiT's answer (here: refused heap size) is not taken for
    a verdict on the data."""
    monkeypatch.setattr(owlready2.reasoning, "JAVA_MEMORY", "nonsense")
    with pytest.raises(ReasonerUnavailableError, match="without an answer"):
        check_consistent(checked.ontology, part_of_slice(sorted_triples(checked.built.union())))
