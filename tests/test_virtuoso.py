"""Integration tests against a real Virtuoso (Debian's virtuoso-opensource), started here on
loopback with its own database, free ports and fresh passwords."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BASE, run_kg
from golden_results import GOLDEN, same, to_document
from virtuoso_server import SERVER, Virtuoso, required, running_virtuoso

from kg_build.query.catalog import load_catalog
from kg_build.query.engines import RemoteEngine
from kg_build.query.params import bind
from kg_build.store.graph_store import Target, count_triples

pytestmark = pytest.mark.virtuoso

if SERVER is None:
    if required():
        raise RuntimeError("CI must run the Virtuoso tests: install virtuoso-opensource")
    pytest.skip(
        "virtuoso-t is not installed (Debian: virtuoso-opensource)", allow_module_level=True
    )

GRAPH = f"{BASE}graph/all"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(published: Path) -> Path:
    return published


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-db")) as server:
        yield server


def _load(server: Virtuoso, dist: Path, *extra: str, password: str | None = None) -> object:
    return run_kg(
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
    )


def _count(server: Virtuoso, graph: str = GRAPH) -> int:
    return count_triples(Target(server.graph_store, graph, query_endpoint=server.sparql))


def _dump_triples(dist: Path) -> int:
    return sum(1 for line in (dist / "ganzhou-gba.nt").read_text().splitlines() if line.strip())


def test_load_and_count(virtuoso: Virtuoso, dist: Path) -> None:
    result = _load(virtuoso, dist)
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    assert _count(virtuoso) == _dump_triples(dist)
    assert _count(virtuoso, f"{BASE}graph/ontology") > 1000


def test_every_canned_query_gives_the_golden_answer(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    engine = RemoteEngine(virtuoso.sparql)
    for query in load_catalog(ROOT / "queries").values():
        result = engine.run(query, bind(query, {}))
        if query.is_violation:
            assert result.rows == [], query.name
            continue
        expected = json.loads((GOLDEN / f"{query.name}.json").read_text(encoding="utf-8"))
        assert same(expected, to_document(query, {}, result)), query.name


def test_a_dump_in_parts_replaces_the_graph(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist, "--facts-only", "--batch", "1000").code == 0  # type: ignore[attr-defined]
    assert _count(virtuoso) == _dump_triples(dist)


def test_kg_query_against_virtuoso(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    result = run_kg("query", "travel-times", "--endpoint", virtuoso.sparql, "-f", "csv")
    assert result.code == 0, result.err
    assert "Xinfeng County,Shenzhen,5.5,1.5,4\n" in result.out


def test_a_second_load_replaces_rather_than_adds(virtuoso: Virtuoso, dist: Path) -> None:
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    assert _load(virtuoso, dist).code == 0  # type: ignore[attr-defined]
    assert _count(virtuoso) == _dump_triples(dist)


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
