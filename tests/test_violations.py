"""Quality checks whose patterns read a bounded distance from ?this (validate/query_reach.py)
run on the nodes an incremental build re-checks, and find there what they find over
everything."""

from __future__ import annotations

import pyoxigraph as ox
from conftest import ROOT
from rdflib import URIRef

from kg_build.facts.load import Corpus
from kg_build.query.catalog import load_catalog
from kg_build.query.engines import OxigraphEngine
from kg_build.query.violations import run_violation_queries
from kg_build.rdf.graph import Built, Origins, SourceGraphs
from kg_build.rdf.iris import Iris
from kg_build.validate.query_reach import local_anchors

BASE = "https://w3id.org/ganzhou-gba/"
GBA = f"{BASE}def/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CATALOG = load_catalog(ROOT / "queries")


def _dangling(store: ox.Store, name: str) -> URIRef:
    """A project that concerns a project nobody describes."""
    node = ox.NamedNode(f"{BASE}id/project/{name}")
    store.add(ox.Quad(node, RDF_TYPE, ox.NamedNode(f"{GBA}InvestmentProject")))
    store.add(ox.Quad(node, ox.NamedNode(f"{GBA}concerns"), ox.NamedNode(f"{node.value}-gone")))
    return URIRef(node.value)


def test_a_local_check_run_around_nodes_finds_their_rows_only() -> None:
    query = CATALOG["dangling-link-violation"]
    assert local_anchors(query.text) == (("this",), 1)
    store = ox.Store()
    a, b = _dangling(store, "a"), _dangling(store, "b")
    built = Built(SourceGraphs(), Origins(), Iris(BASE, Corpus()))
    checks = {query.name: query}
    engine = OxigraphEngine(store)

    def found(around: list[URIRef] | None) -> set[str]:
        problems = run_violation_queries(checks, engine, built, around)
        return {p.hint.rsplit(" on ", 1)[1] for p in problems}

    assert found(None) == {str(a), str(b)}
    assert found([a]) == {str(a)}
    assert found([URIRef(f"{BASE}id/project/other")]) == set()
    assert found([]) == set()


def test_a_pair_check_run_around_nodes_finds_the_rows_of_both_ends() -> None:
    """same-name-twice compares two resources: a change to one of them gives a row for each
    (as a full run does), though only one of them is among the nodes re-checked."""
    query = CATALOG["same-name-twice-violation"]
    assert local_anchors(query.text) == (("this", "other"), 0)
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    company = ox.NamedNode(f"{GBA}Company")
    nodes = [ox.NamedNode(f"{BASE}id/organisation/{n}") for n in ("x", "y", "z")]
    for node, name in zip(nodes, ("Same Name", "Same Name", "Other Name"), strict=True):
        store.add(ox.Quad(node, RDF_TYPE, company, ox.DefaultGraph()))
        store.add(ox.Quad(node, label, ox.Literal(name, language="en"), ox.DefaultGraph()))
    built = Built(SourceGraphs(), Origins(), Iris(BASE, Corpus()))
    engine = OxigraphEngine(store)
    x, y, z = (URIRef(n.value) for n in nodes)

    def found(around: list[URIRef] | None) -> list[str]:
        problems = run_violation_queries({query.name: query}, engine, built, around)
        return sorted(p.hint.rsplit(" on ", 1)[1] for p in problems)

    assert found(None) == [str(x), str(y)]
    assert found([x]) == [str(x), str(y)]  # y's row too, each once
    assert found([x, y]) == [str(x), str(y)]
    assert found([z]) == []
