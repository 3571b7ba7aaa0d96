"""Integration tests against a real Virtuoso (Debian's virtuoso-opensource), started here on
loopback with its own database, free ports and fresh passwords."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import BASE, run_kg
from golden_results import GOLDEN, same, to_document
from virtuoso_server import SERVER, Virtuoso, required, running_virtuoso

from kg_build.query.catalog import load_catalog
from kg_build.query.engines import RemoteEngine
from kg_build.query.params import bind
from kg_build.store.graph_store import (
    Target,
    count_triples,
    named_graphs_of,
    ntriples_of,
    put_graph,
)

pytestmark = pytest.mark.virtuoso

if SERVER is None:
    if required():
        raise RuntimeError("CI must run the Virtuoso tests: install virtuoso-opensource")
    pytest.skip(
        "virtuoso-t is not installed (Debian: virtuoso-opensource)", allow_module_level=True
    )

GRAPH = f"{BASE}graph/all"
KG = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(published: Path) -> Path:
    return published


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-db")) as server:
        yield server


def _load_command(
    server: Virtuoso, dist: Path, *extra: str, password: str | None = None
) -> list[str]:
    return [
        "load",
        "--endpoint",
        server.graph_store,
        "--user",
        server.user,
        "--password",
        password or server.password,
        "--dist",
        str(dist),
        *extra,
    ]


def _load(server: Virtuoso, dist: Path, *extra: str, password: str | None = None) -> object:
    return run_kg(*_load_command(server, dist, *extra, password=password))


def _count(server: Virtuoso, graph: str = GRAPH) -> int:
    return count_triples(Target(server.graph_store, graph, query_endpoint=server.sparql))


def _whole_triples(dist: Path) -> int:
    """The triples of the whole release: facts, ontology and description, each once."""
    whole = ntriples_of(dist / "ganzhou-gba.nt", dist / "ontology.ttl", dist / "void.ttl")
    return len(whole.splitlines())


def _dump_triples(dist: Path) -> int:
    return sum(1 for line in (dist / "ganzhou-gba.nt").read_text().splitlines() if line.strip())


def test_load_and_count(virtuoso: Virtuoso, dist: Path) -> None:
    result = _load(virtuoso, dist)
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    assert _count(virtuoso) == _whole_triples(dist) > _dump_triples(dist)
    assert _count(virtuoso, f"{BASE}graph/ontology") > 1000
    # each source's graph as well, for the queries that name the source of a relation
    for graph, data in named_graphs_of(dist / "ganzhou-gba.trig").items():
        assert _count(virtuoso, graph) == len(data.splitlines()), graph


def test_every_canned_query_gives_the_golden_answer(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    # Virtuoso's own default graph is every graph, a triple once per graph holding it: the
    # graph of the whole release is the default graph instead (kg query --as-loaded);
    # GRAPH patterns still see the sources' graphs
    engine = RemoteEngine(virtuoso.sparql, default_graphs=(GRAPH,))
    for query in load_catalog(ROOT / "queries").values():
        result = engine.run(query, bind(query, {}))
        if query.is_violation:
            assert result.rows == [], query.name
            continue
        expected = json.loads((GOLDEN / f"{query.name}.json").read_text(encoding="utf-8"))
        got = to_document(query, {}, result)
        assert same(expected, got), (query.name, _differences(expected, got))


def test_every_canned_query_with_its_examples_answers_as_the_embedded_store(
    virtuoso: Virtuoso, dist: Path
) -> None:
    """Each query that has examples, run with them on Virtuoso and on the release's own
    Oxigraph store: the same answer. (Virtuoso 7.2 once found nothing for q=赣州, a Chinese
    parameter that search-by-name CONTAINS-es: parameters are now sent with their datatype.)"""
    from kg_build.query.engines import OxigraphEngine
    from kg_build.store.from_dumps import oxigraph_from_dist

    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    remote = RemoteEngine(virtuoso.sparql, default_graphs=(GRAPH,))
    local = OxigraphEngine(oxigraph_from_dist(dist, BASE))
    asked = 0
    for query in load_catalog(ROOT / "queries").values():
        given = {p.name: p.example for p in query.parameters if p.example is not None}
        if not given:
            continue
        bound = bind(query, given)
        ours = to_document(query, given, local.run(query, bound))
        theirs = to_document(query, given, remote.run(query, bound))
        assert same(ours, theirs), (query.name, _differences(ours, theirs))
        asked += 1
    assert asked >= 5
    search = load_catalog(ROOT / "queries")["search-by-name"]
    found = remote.run(search, bind(search, {"q": "赣州"}))
    assert len(found.rows) > 10


def _differences(expected: dict[str, object], got: dict[str, object]) -> object:
    """What to show when Virtuoso answers otherwise: rows only one side has, or the lists."""
    if "rows" not in expected:
        return got
    ours = [json.dumps(r) for r in got.get("rows", [])]  # type: ignore[attr-defined]
    theirs = [json.dumps(r) for r in expected["rows"]]  # type: ignore[attr-defined]
    return {"missing": sorted(set(theirs) - set(ours)), "extra": sorted(set(ours) - set(theirs))}


def test_a_dump_in_parts_replaces_the_graph(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist, "--facts-only", "--batch", "1000").code == 0  # type: ignore[attr-defined]
    assert _count(virtuoso) == _dump_triples(dist)


def test_kg_query_against_virtuoso(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    result = run_kg(
        "query", "travel-times", "--endpoint", virtuoso.sparql, "--as-loaded", "-f", "csv"
    )
    assert result.code == 0, result.err
    assert f"Xinfeng County,Shenzhen,5.5 h,1.5 h,240,{BASE}id/source/cns-2022-02-17-" in result.out


def test_a_second_load_replaces_rather_than_adds(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    assert _count(virtuoso) == _whole_triples(dist)


def test_a_malformed_payload_leaves_the_old_graph(
    virtuoso: Virtuoso, dist: Path, tmp_path: Path
) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    before = _count(virtuoso)
    broken = tmp_path / "dist"
    shutil.copytree(dist, broken, symlinks=True)
    (broken / "ganzhou-gba.nt").write_text('<http://a> <http://b> "unterminated .\n')
    result = _load(virtuoso, broken, "--facts-only")
    assert result.code == 2  # type: ignore[attr-defined]
    assert "not valid N-Triples" in result.err  # type: ignore[attr-defined]
    assert "unchanged" in result.err  # type: ignore[attr-defined]
    assert _count(virtuoso) == before


def test_a_wrong_password_fails_cleanly(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    before = _count(virtuoso)
    result = _load(virtuoso, dist, password="not-the-password")  # noqa: S106 - deliberately wrong
    assert result.code == 2  # type: ignore[attr-defined]
    assert "refused the credentials" in result.err  # type: ignore[attr-defined]
    assert "Traceback" not in result.err  # type: ignore[attr-defined]
    assert _count(virtuoso) == before


def test_digest_authentication_sends_each_part_once(virtuoso: Virtuoso, dist: Path) -> None:
    """Virtuoso asks for digest authentication. Answered once per load, every part goes once:
    a part sent, refused with 401 and sent again would make the progress go backwards."""
    data = (dist / "ganzhou-gba.nt").read_bytes()
    seen: list[int] = []
    target = Target(virtuoso.graph_store, GRAPH, virtuoso.user, virtuoso.password, "auto")
    loaded = put_graph(target, data, batch=500, progress=lambda sent, _: seen.append(sent))
    assert loaded.triples == _dump_triples(dist)
    assert seen == sorted(seen) and seen[-1] == len(data)
    assert loaded.attempts == -(-_dump_triples(dist) // 500)  # one request per part


def test_a_load_cut_off_by_a_dying_server_leaves_the_old_graph(dist: Path, tmp_path: Path) -> None:
    """Virtuoso is killed (SIGKILL) while a load is under way and started again: the graph
    holds the old release, whole; the load said so; a load after that succeeds."""
    with running_virtuoso(tmp_path / "db") as server:  # its own: this test kills it
        small = tmp_path / "small"
        shutil.copytree(dist, small, symlinks=True)
        old = b"".join(sorted((small / "ganzhou-gba.nt").read_bytes().splitlines(True))[:300])
        (small / "current" / "ganzhou-gba.nt").write_bytes(old)
        assert _load(server, small, "--facts-only").code == 0  # type: ignore[attr-defined]
        assert _count(server) == 300
        extra = ("--facts-only", "--batch", "50", "--retries", "0")
        loading = subprocess.Popen(  # noqa: S603 - the installed kg, fixed arguments
            [KG, *_load_command(server, dist, *extra)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        staged = _staged(server)
        deadline = time.monotonic() + 120
        while staged() < 500:  # some parts are on the server, others are not
            assert loading.poll() is None and time.monotonic() < deadline, loading.stderr
            time.sleep(0.05)
        server.crash()
        err = loading.communicate(timeout=120)[1]
        assert loading.returncode == 2, err
        assert "graphs are unchanged" in err and "Traceback" not in err, err
        server.restart()
        assert _count(server) == 300
        ask = f"ASK {{ GRAPH <{GRAPH}> {{ {old.splitlines()[0].decode().rstrip(' .')} }} }}"
        assert RemoteEngine(server.sparql).run_text(ask).rows != []
        assert _load(server, dist, "--facts-only").code == 0  # type: ignore[attr-defined]
        assert _count(server) == _dump_triples(dist)


def _staged(server: Virtuoso) -> Callable[[], int]:
    """How many triples the staging graphs of loads under way hold."""
    engine = RemoteEngine(server.sparql)
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER (STRSTARTS(STR(?g), "urn:kg-build:staging:")) }'
    )

    def count() -> int:
        rows = engine.run_text(query).rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    return count
