"""kg load against a local Graph Store Protocol server that misbehaves on purpose: retries with
backoff, basic authentication, a rejected payload, verification of the count."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, run_kg
from sparql_endpoint import Behaviour, serve

from kg_build.store.graph_store import LoadError, Target, ntriples_of, put_graph, put_graphs

NT = b"<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:c> .\n"
GRAPH = "urn:graph:test"


@contextmanager
def _graph_store(behaviour: Behaviour) -> Iterator[tuple[ox.Store, Target]]:
    """A local Graph Store Protocol server behaving as told, and the target graph on it."""
    store = ox.Store()
    with serve(store, behaviour) as (url, _):
        yield store, Target(url.replace("/sparql", "/store"), GRAPH, query_endpoint=url)


def _count(store: ox.Store, graph: str = GRAPH) -> int:
    return len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))


def test_transient_failures_are_retried() -> None:
    behaviour = Behaviour(failures=2, status=503)
    with _graph_store(behaviour) as (store, target):
        loaded = put_graph(target, NT, backoff=0.01)
    assert loaded.triples == 2 and loaded.attempts == 3 and behaviour.puts == 3
    assert _count(store) == 2


def test_retries_give_up_with_a_clear_error() -> None:
    behaviour = Behaviour(failures=10, status=503)
    with _graph_store(behaviour) as (_, target):
        with pytest.raises(LoadError, match="HTTP 503"):
            put_graph(target, NT, retries=2, backoff=0.01)
    assert behaviour.puts == 3


def test_a_put_replaces_the_graph_and_a_malformed_dump_is_not_sent() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        put_graph(target, NT)
        assert _count(store) == 2
        with pytest.raises(LoadError, match="not valid N-Triples.*line 1.*nothing was sent"):
            put_graph(target, b"<urn:a> <urn:p> broken\n")
        assert _count(store) == 2 and behaviour.puts == 2


def test_a_request_the_server_refuses_leaves_the_previous_graph() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        behaviour.failures, behaviour.status, behaviour.message = 1, 413, b"too large"
        with pytest.raises(
            LoadError, match=r"rejected the graph \(HTTP 413\): too large.*unchanged"
        ):
            put_graph(target, BIG)
        assert _count(store) == 2


BIG = b"".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n".encode() for i in range(25))


def test_a_large_dump_goes_in_parts_that_replace_the_graph() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        seen: list[tuple[int, int]] = []
        loaded = put_graph(target, BIG, batch=10, progress=lambda s, t: seen.append((s, t)))
    assert loaded.triples == 25 and _count(store) == 25  # the two old triples are gone
    assert seen == sorted(seen) and seen[-1] == (len(BIG), len(BIG))  # progress over all parts
    assert (behaviour.puts, behaviour.posts) == (2, 2)  # 10 + 10 + 5


def test_a_deadlock_is_retried() -> None:
    # what Virtuoso answers when two transactions deadlock
    deadlock = b"Error 40001 SR172: Transaction deadlocked"
    behaviour = Behaviour(failures=1, status=500, message=deadlock)
    with _graph_store(behaviour) as (store, target):
        loaded = put_graph(target, BIG, batch=10, backoff=0.01)
    assert loaded.triples == 25 and loaded.attempts == 4


def test_a_failure_midway_leaves_the_old_graph_whole() -> None:
    """The dump goes to a staging graph; the target is replaced (MOVE) only once the server
    holds all of it. A failure after two of three parts leaves the old graph as it was, and
    the staging graph is dropped."""
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        behaviour.fail_after, behaviour.status = behaviour.puts + behaviour.posts + 2, 500
        behaviour.message = b"out of memory"
        with pytest.raises(LoadError, match=r"failed \(HTTP 500\).*<urn:graph:test> is unchanged"):
            put_graph(target, BIG, batch=10, backoff=0.01)
        assert _count(store) == 2
        assert [g.value for g in store.named_graphs()] == [GRAPH]


def test_the_graph_is_replaced_in_one_update_and_nothing_else_is_left() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        loaded = put_graph(target, BIG, batch=10)
        assert loaded.triples == 25 and _count(store) == 25
        assert [g.value for g in store.named_graphs()] == [GRAPH]
        assert behaviour.updates == 2  # one MOVE per load


def test_a_server_without_sparql_update_there_is_said_and_changes_nothing() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graph(target, NT)
        behaviour.refuse_updates = True
        with pytest.raises(LoadError, match=r"refused the update.*--update-endpoint.*unchanged"):
            put_graph(target, BIG, batch=10)
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


def test_many_graphs_are_all_staged_before_any_is_replaced() -> None:
    """A failure while the second graph is sent leaves the first as it was: every graph is
    on the server before the first MOVE."""
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graphs(target, {GRAPH: NT, "urn:graph:other": NT})
        behaviour.fail_after, behaviour.status = behaviour.puts + behaviour.posts + 3, 500
        with pytest.raises(LoadError, match=r"the 2 graphs are unchanged"):
            put_graphs(target, {GRAPH: BIG, "urn:graph:other": BIG}, batch=10, backoff=0.01)
        assert _count(store) == 2 and _count(store, "urn:graph:other") == 2
        assert sorted(g.value for g in store.named_graphs()) == ["urn:graph:other", GRAPH]


def test_an_emptied_graph_is_emptied_and_stale_graphs_are_dropped() -> None:
    behaviour = Behaviour()
    with _graph_store(behaviour) as (store, target):
        put_graphs(target, {"urn:ours:a": NT, "urn:ours:b": NT, "urn:theirs": NT})
        updates = behaviour.updates
        loaded = put_graphs(target, {"urn:ours:a": b""}, drop_under="urn:ours:")
        assert loaded.graphs == 1 and loaded.triples == 0
        assert [g.value for g in store.named_graphs()] == ["urn:theirs"]
        assert behaviour.updates == updates + 1  # the drops in the request of the moves


def test_kg_load_loads_every_graph_of_the_release(tmp_path: Path) -> None:
    """The union, each named graph of the TriG, the ontology and the description; a graph
    under the base that the release no longer has (a source removed) is dropped, another
    one is left alone."""
    dist = tmp_path / "dist"
    assert run_kg("build", "--no-reason", "--dist", str(dist)).code == 0
    store = ox.Store()
    removed, theirs = ox.NamedNode(f"{BASE}graph/removed-source"), ox.NamedNode("urn:theirs")
    for graph in (removed, theirs):
        store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"), graph))
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
    # the whole release in one graph: facts, ontology and description, each triple once
    whole = ntriples_of(dist / "ganzhou-gba.nt", dist / "ontology.ttl", dist / "void.ttl")
    assert _count(store, f"{BASE}graph/all") == len(whole.splitlines()) > dump
    assert _count(store, f"{BASE}graph/ontology") > 1000
    assert _count(store, f"{BASE}graph/description") > 100
    trig = ox.Dataset(ox.parse(path=str(dist / "ganzhou-gba.trig")))
    named = {q.graph_name for q in trig if isinstance(q.graph_name, ox.NamedNode)}
    assert len(named) >= 4  # the sources' graphs, the inferences' and the description's
    for graph in named:
        assert _count(store, graph.value) == sum(1 for q in trig if q.graph_name == graph)
    assert removed not in set(store.named_graphs()) and theirs in set(store.named_graphs())
    assert "triples in" in result.err and "verified" in result.err
    # queried as loaded, the server answers as the embedded store does, the sources of
    # relations (from the sources' graphs) included
    with serve(store, Behaviour(union_default_graph=False)) as (url, _):
        for name in ("projects-in-place", "place-hierarchy", "travel-times"):
            remote = run_kg("query", name, "--endpoint", url, "--as-loaded", "-f", "json")
            local = run_kg("query", name, "--dist", str(dist), "-f", "json")
            assert remote.code == 0 and local.code == 0, remote.err + local.err
            assert _bag(remote.out) == _bag(local.out) != Counter(), name
            if name == "projects-in-place":
                assert "/id/source/" in remote.out


def _bag(answer: str) -> Counter[str]:
    rows = json.loads(answer)["results"]["bindings"]
    return Counter(json.dumps(row, sort_keys=True) for row in rows)


def test_kg_load_needs_a_build(tmp_path: Path) -> None:
    result = run_kg("load", "--endpoint", "http://127.0.0.1:9/store", "--dist", str(tmp_path))
    assert result.code == 2 and "kg build" in result.err


def test_kg_load_to_a_server_not_there_says_so_in_one_line(published: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/store"
    result = run_kg("load", "--endpoint", endpoint, "--dist", str(published), "--retries", "0")
    assert result.code == 2, result.err
    assert result.err.strip().splitlines()[-1] == (
        f"error: cannot reach {endpoint}: connection refused "
        "(is the server running, and the URL right?)"
    )
