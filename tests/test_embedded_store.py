"""The embedded store under dist/: made by kg build, idempotent, swapped atomically, and a clear
message when it is missing or damaged."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, build_release, run_kg

from kg_build.errors import InputError
from kg_build.store.embedded import StoreChange, open_release, open_store, write_store


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("store") / "dist"
    build_release(dist)
    return dist


def test_build_writes_a_store_holding_the_release(release: Path) -> None:
    store = open_store(release)
    dump = ox.Dataset(ox.parse(path=str(release / "ganzhou-gba.trig"), format=ox.RdfFormat.TRIG))
    ontology = list(ox.parse(path=str(release / "ontology.ttl"), format=ox.RdfFormat.TURTLE))
    named = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert len(named) == len(dump) + len(ontology)
    # the default graph is the union of the named graphs, each triple once
    union = {(q.subject, q.predicate, q.object) for q in named}
    default = [
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    ]
    assert len(default) == len(set(default)) == len(union)
    assert set(default) == union
    assert (release / "store").is_symlink() and (release / "current").is_symlink()


def test_the_store_holds_the_dumps_literals_as_written(release: Path) -> None:
    """Quad for quad, the store holds what the TriG dump says, literals in the same form:
    a store rewrites literals into its canonical forms ("62.0" as "62", positiveInteger as
    integer), so the build publishes those forms, and queries, SHACL over the store and the
    dumps all see the same data."""
    store = open_store(release)
    dump = set(ox.parse(path=str(release / "ganzhou-gba.trig"), format=ox.RdfFormat.TRIG))
    ontology_graph = ox.NamedNode(f"{BASE}graph/ontology")
    held = {q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)}
    held = {q for q in held if q.graph_name != ontology_graph}
    assert held == dump, (sorted(map(str, held - dump))[:5], sorted(map(str, dump - held))[:5])
    ontology = {q.triple for q in ox.parse(path=str(release / "ontology.ttl"))}
    assert {q.triple for q in store.quads_for_pattern(None, None, None, ontology_graph)} == ontology


def test_a_store_built_on_the_previous_one_holds_what_a_fresh_load_holds(
    tmp_path: Path, release: Path
) -> None:
    """write_store with a change starts from a checkpoint of the previous store; the result
    is the store a fresh load gives. A previous store that cannot be read is not built on:
    the release is loaded whole, with a notice."""
    trig = b"<urn:g> { <urn:a> <urn:b> <urn:c> . }\n<urn:h> { <urn:a> <urn:b> <urn:d> . }\n"
    first = write_store(tmp_path / "one" / "store", trig, b"", BASE)
    now = b"<urn:g> { <urn:a> <urn:b> <urn:e> . }\n<urn:h> { <urn:a> <urn:b> <urn:d> . }\n"
    change = StoreChange(
        first, {"urn:g": (b"<urn:a> <urn:b> <urn:c> .\n", b"<urn:a> <urn:b> <urn:e> .\n")}
    )
    said: list[str] = []
    second = write_store(tmp_path / "two" / "store", now, b"", BASE, change, notice=said.append)
    fresh = write_store(tmp_path / "three" / "store", now, b"", BASE)
    assert set(open_release(second)) == set(open_release(fresh)) and not said
    for path in first.iterdir():  # damage the previous store
        if path.suffix == ".sst" or path.name.startswith("CURRENT"):
            path.write_bytes(b"\0garbage")
    third = write_store(tmp_path / "four" / "store", now, b"", BASE, change, notice=said.append)
    assert set(open_release(third)) == set(open_release(fresh))
    assert len(said) == 1 and "cannot be read" in said[0] and "loading anew" in said[0]


def test_missing_store_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="kg build"):
        open_store(tmp_path)
    result = run_kg("query", "travel-times", "--dist", str(tmp_path))
    assert (
        result.code == 2 and "embedded store not found" in result.err and "kg build" in result.err
    )


def test_damaged_store_says_how_to_fix_it(tmp_path: Path, release: Path) -> None:
    trig, ontology = (
        (release / "ganzhou-gba.trig").read_bytes(),
        (release / "ontology.ttl").read_bytes(),
    )
    target = write_store(tmp_path / "store", trig, ontology, BASE)
    for path in target.iterdir():
        if path.name != ".complete" and path.is_file():
            path.write_bytes(b"\0garbage")
    result = run_kg("query", "travel-times", "--dist", str(tmp_path))
    assert result.code == 2, result.err
    assert "cannot be opened" in result.err and "kg build" in result.err


def test_a_store_of_an_older_layout_is_refused_and_rebuilt(tmp_path: Path) -> None:
    # An older kg-build's store opens and answers, wrongly (no union in the default graph):
    # it must be refused, and a build must not reuse it.
    ontology = b"<urn:o> <urn:p> <urn:q> .\n"
    trig = b"<urn:g> { <urn:a> <urn:b> <urn:c> . }\n"
    target = write_store(tmp_path / "store", trig, ontology, BASE)
    (target / ".complete").write_text("ok\n", encoding="utf-8")  # as kg-build 0.x wrote it
    result = run_kg("query", "travel-times", "--dist", str(tmp_path))
    assert result.code == 2 and "another version of kg-build" in result.err
    assert "kg build" in result.err
    change = StoreChange(target, {})
    said: list[str] = []
    again = write_store(
        tmp_path / "new" / "store", trig, ontology, BASE, change, notice=said.append
    )
    assert said and "incomplete" in said[0]  # not built on
    # written anew: both triples in their graphs and in the default graph's union
    assert len(list(open_release(again).quads_for_pattern(None, None, None, None))) == 4


def test_a_triple_in_several_graphs_answers_once(tmp_path: Path) -> None:
    """Sources share triples (a day, a place's label). Queries read the default graph, which
    holds the union once; Oxigraph's union-default-graph mode would multiply the rows."""
    trig = b"""
    <urn:g1> { <urn:s> <urn:p> "a" . <urn:s> <urn:q> "b" . }
    <urn:g2> { <urn:s> <urn:p> "a" . <urn:s> <urn:q> "b" . }
    """
    write_store(tmp_path / "store", trig, b"", BASE)
    store = open_store(tmp_path)
    query = "SELECT ?a ?b WHERE { <urn:s> <urn:p> ?a . <urn:s> <urn:q> ?b }"
    assert len(_solutions(store.query(query))) == 1
    assert len(_solutions(store.query(query, use_default_graph_as_union=True))) > 1
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { <urn:s> <urn:p> ?a } }"
    assert len(_solutions(store.query(graphs))) == 2


def _solutions(result: object) -> list[ox.QuerySolution]:
    assert isinstance(result, ox.QuerySolutions)
    return list(result)
