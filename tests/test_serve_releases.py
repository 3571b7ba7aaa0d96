"""A running `kg serve` follows the releases `kg build` makes in its dist/: it switches to a new
store between requests, without a restart, and lets go of the old one."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import ROOT, build_release, run_kg
from process_tree import deleted_files_open

from kg_build.serve.background import started_server
from kg_build.serve.pool import Pool, PoolLimits

LABEL = "SELECT ?name WHERE { <https://w3id.org/ganzhou-gba/id/place/xinfeng> "
LABEL += "<http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(LANG(?name) = 'en') }"
SETTINGS = {"base": "https://w3id.org/ganzhou-gba/", "forms": "", "max_rows": 100}


def _label(url: str) -> str:
    response = requests.get(f"{url}/sparql", params={"query": LABEL}, timeout=30)
    assert response.status_code == 200, (response.status_code, response.text)
    return str(response.json()["results"]["bindings"][0]["name"]["value"])


def test_each_new_build_is_served_without_a_restart(facts_copy: Path, tmp_path: Path) -> None:
    dist, log = tmp_path / "dist", tmp_path / "serve.log"
    places = facts_copy / "places.yaml"
    original = places.read_text(encoding="utf-8")

    def build(name: str) -> None:
        places.write_text(
            original.replace("name: {en: Xinfeng County,", f"name: {{en: {name},"), "utf-8"
        )
        build_release(dist, facts=facts_copy)

    build("Xinfeng County")
    with started_server(dist, cwd=ROOT, log=log) as run:
        assert _label(run.url) == "Xinfeng County"
        assert ">Xinfeng County<" in requests.get(f"{run.url}/", timeout=30).text
        for round_ in range(1, 6):
            build(f"Xinfeng County {round_}")
            deadline = time.monotonic() + 15
            while _label(run.url) != f"Xinfeng County {round_}":
                assert time.monotonic() < deadline, f"release {round_} not served after 15 s"
                time.sleep(0.2)
            home = requests.get(f"{run.url}/", timeout=30).text  # kept per release
            assert f">Xinfeng County {round_}<" in home
        time.sleep(2)  # the last old worker has gone
        assert run.process.poll() is None
        assert deleted_files_open(run.process.pid) == []
        assert len([p for p in (dist / "releases").iterdir() if p.name.startswith("r-")]) == 1
    switches = log.read_text(encoding="utf-8").count("now serving release")
    assert switches == 5


def _marked_copy(release: Path, target: Path) -> None:
    """A copy of a release that answers ASK { ?s ?p 'yes' } with true (the original: false)."""
    shutil.copytree(release, target)
    marker = ox.NamedNode("urn:example:new-release")
    writable = ox.Store(str(target))
    writable.add(ox.Quad(marker, marker, ox.Literal("yes"), ox.DefaultGraph()))
    writable.flush()
    del writable


def _relink(dist: Path, folder: str) -> None:
    link = dist / ".store.link.tmp"
    link.symlink_to(folder)
    os.replace(link, dist / "store")


def test_a_query_under_way_finishes_on_the_release_it_began_on(
    published: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(published, dist, symlinks=True)
    new = dist / "store-0000000000000001"
    _marked_copy((dist / "store").resolve(), new)

    pool = Pool(dist, SETTINGS, PoolLimits(workers=2, timeout=60))
    pool.start()
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # seconds of work
    ask = "ASK { ?s ?p 'yes' }"

    async def session() -> tuple[bytes, bytes, bytes, list[str]]:
        try:
            under_way = asyncio.ensure_future(pool.run({"op": "sparql", "query": cross}))
            await asyncio.sleep(0.3)
            before = (await pool.run({"op": "sparql", "query": ask})).body
            _relink(dist, new.name)
            deadline = time.monotonic() + 10
            while pool.release != new.resolve():
                assert time.monotonic() < deadline, "the pool did not switch"
                await asyncio.sleep(0.1)
            after = (await pool.run({"op": "sparql", "query": ask})).body
            finished = await under_way
            assert finished.status == 200
            await asyncio.sleep(0.5)
            return before, after, finished.body, pool.serving
        finally:
            pool.close_now()

    before, after, finished, serving = asyncio.run(session())
    assert b"false" in before and b"true" in after
    assert b'"value":"' in finished.replace(b" ", b"").replace(b"\n", b"")
    assert serving == [new.name, new.name]  # the old release's workers have all stopped


def test_a_removed_release_keeps_answering_until_the_switch(
    facts_copy: Path, tmp_path: Path
) -> None:
    """`kg build` removes the old release right after repointing dist/store. RocksDB opens some
    table files of a store only when a query first needs them (here: a store an incremental
    build made), so workers read a pin of the release (hard links), not the release folder."""
    dist = tmp_path / "dist"
    for name in ("Xinfeng County", "Xinfeng County 2"):  # the second build is incremental
        text = (facts_copy / "places.yaml").read_text(encoding="utf-8")
        (facts_copy / "places.yaml").write_text(
            text.replace("name: {en: Xinfeng County,", f"name: {{en: {name},"), "utf-8"
        )
        build_release(dist, facts=facts_copy)
    release = (dist / "store").resolve()
    queries = [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p 'Xinfeng County 2'@en }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p 'Xinfeng County 2'@en } }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?class }",
    ]
    reader = ox.Store.read_only(str(release))
    expected = []
    for query in queries:
        solutions = reader.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        count = next(iter(solutions))["n"]
        assert isinstance(count, ox.Literal)
        expected.append(count.value)
    del reader

    pool = Pool(dist, SETTINGS, PoolLimits(workers=1, timeout=60))
    pool.start()

    async def session() -> list[tuple[int, bytes]]:
        try:
            shutil.rmtree(release)  # as a build does once it has repointed the link
            replies = [await pool.run({"op": "sparql", "query": q}) for q in queries]
            return [(r.status, r.body) for r in replies]
        finally:
            pool.close_now()

    for (status, body), count in zip(asyncio.run(session()), expected, strict=True):
        assert status == 200 and f'"value":"{count}"'.encode() in body.replace(b" ", b"")
    assert not (dist / ".kg-serve").exists()  # the pins went with the pool


def _broken_copy(release: Path, target: Path) -> None:
    shutil.copytree(release, target)
    (target / "CURRENT").write_text("MANIFEST-999999\n")  # RocksDB cannot open it


def test_a_store_that_does_not_open_stops_kg_serve_with_exit_2(
    published: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(published, dist, symlinks=True)
    release = (dist / "store").resolve()
    shutil.rmtree(release)
    _broken_copy((published / "store").resolve(), release)
    done = run_kg("serve", "--dist", str(dist), "--port", "1")
    assert done.code == 2 and "cannot pin" in done.err and "MANIFEST-999999" in done.err
    assert not (dist / ".kg-serve").exists()


def test_a_new_release_that_does_not_open_leaves_the_old_one_served(
    published: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(published, dist, symlinks=True)
    old = (dist / "store").resolve()
    _broken_copy(old, dist / "store-00000000000000bad")
    good = dist / "store-0000000000000good"
    shutil.copytree(old, good)

    pool = Pool(dist, SETTINGS, PoolLimits(workers=1, timeout=30))
    pool.start()

    async def session() -> tuple[int, Path, int, Path]:
        try:
            _relink(dist, "store-00000000000000bad")
            await asyncio.sleep(2.5)  # looked at, pinned, refused
            during = await pool.run({"op": "sparql", "query": "ASK { ?s ?p ?o }"})
            serving_during = pool.release
            _relink(dist, good.name)
            deadline = time.monotonic() + 10
            while pool.release != good.resolve() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            after = await pool.run({"op": "sparql", "query": "ASK { ?s ?p ?o }"})
            return during.status, serving_during, after.status, pool.release
        finally:
            pool.close_now()

    with caplog.at_level("ERROR", logger="kg_build.serve"):
        during, serving_during, after, serving_after = asyncio.run(session())
    assert (during, serving_during) == (200, old)
    assert "store-00000000000000bad cannot be served" in caplog.text
    assert (after, serving_after) == (200, good.resolve())
