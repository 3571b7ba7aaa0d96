"""kg load against a local Graph Store Protocol server that misbehaves on purpose: retries with
backoff, basic authentication, a rejected payload, verification of the count."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, run_kg
from sparql_endpoint import Behaviour, serve

from kg_build.store.graph_store import LoadError, Target, put_graph

NT = b"<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:c> .\n"
GRAPH = "urn:graph:test"


def _count(store: ox.Store, graph: str = GRAPH) -> int:
    return len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))


def test_transient_failures_are_retried() -> None:
    store = ox.Store()
    behaviour = Behaviour(failures=2, status=503)
    with serve(store, behaviour) as (url, _):
        target = Target(url.replace("/sparql", "/store"), GRAPH, query_endpoint=url)
        loaded = put_graph(target, NT, backoff=0.01)
    assert loaded.triples == 2 and loaded.attempts == 3 and behaviour.puts == 3
    assert _count(store) == 2


def test_retries_give_up_with_a_clear_error() -> None:
    behaviour = Behaviour(failures=10, status=503)
    with serve(ox.Store(), behaviour) as (url, _):
        target = Target(url.replace("/sparql", "/store"), GRAPH, query_endpoint=url)
        with pytest.raises(LoadError, match="HTTP 503"):
            put_graph(target, NT, retries=2, backoff=0.01)
    assert behaviour.puts == 3


def test_a_put_replaces_the_graph_and_a_rejected_one_keeps_it() -> None:
    store = ox.Store()
    with serve(store) as (url, _):
        target = Target(url.replace("/sparql", "/store"), GRAPH, query_endpoint=url)
        put_graph(target, NT)
        put_graph(target, NT)
        assert _count(store) == 2
        with pytest.raises(LoadError, match="rejected the graph"):
            put_graph(target, b"<urn:a> <urn:p> broken\n")
        assert _count(store) == 2


def test_basic_authentication(tmp_path: Path) -> None:
    store = ox.Store()
    behaviour = Behaviour(user="loader", password="secret-1")  # noqa: S106 - a test server
    with serve(store, behaviour) as (url, _):
        gsp = url.replace("/sparql", "/store")
        good = Target(gsp, GRAPH, "loader", "secret-1", query_endpoint=url)
        assert put_graph(good, NT).triples == 2
        bad = Target(gsp, GRAPH, "loader", "wrong", query_endpoint=url)
        with pytest.raises(LoadError, match="refused the credentials"):
            put_graph(bad, NT)
        assert _count(store) == 2


def test_kg_load_loads_every_graph_of_the_release(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    assert run_kg("build", "--no-reason", "--dist", str(dist)).code == 0
    store = ox.Store()
    with serve(store) as (url, _):
        result = run_kg(
            "load",
            "--endpoint",
            url.replace("/sparql", "/store"),
            "--query-endpoint",
            url,
            "--dist",
            str(dist),
        )
    assert result.code == 0, result.err
    dump = sum(1 for line in (dist / "ganzhou-gba.nt").read_text().splitlines() if line.strip())
    assert _count(store, f"{BASE}graph/all") == dump
    assert _count(store, f"{BASE}graph/ontology") > 1000
    assert _count(store, f"{BASE}graph/description") > 100
    assert "triples verified" in result.err


def test_kg_load_needs_a_build(tmp_path: Path) -> None:
    result = run_kg("load", "--endpoint", "http://127.0.0.1:9/store", "--dist", str(tmp_path))
    assert result.code == 2 and "kg build" in result.err
