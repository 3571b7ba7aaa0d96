"""`kg site OUT`: the release as a static site (issue 23): a page for every IRI of the dataset,
every link inside the site resolving, served as it is by `python -m http.server`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import BASE, run_kg
from rdflib import Graph, URIRef
from virtuoso_server import free_port


@pytest.fixture(scope="module")
def site(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "www"
    made = run_kg("site", str(out), "--dist", str(published), "--tiles", "")
    assert made.code == 0, made.err
    assert "wrote" in made.err
    return out


def _dataset_iris(published: Path) -> set[str]:
    """Every IRI the release describes, read from its dumps (not from the store the site was
    made from): subjects under BASE and named graphs, less the files' own IRIs."""
    found = set()
    for name in ("ganzhou-gba.trig", "ontology.ttl"):
        for quad in ox.parse(path=str(published / "current" / name)):
            if isinstance(quad.subject, ox.NamedNode):
                found.add(quad.subject.value)
            if isinstance(quad.graph_name, ox.NamedNode):
                found.add(quad.graph_name.value)
    return {
        i for i in found if i.startswith(BASE) and i != BASE and not i.startswith(f"{BASE}dist/")
    }


def test_every_iri_of_the_dataset_has_its_page_and_rdf(site: Path, published: Path) -> None:
    iris = _dataset_iris(published)
    assert len(iris) > 500
    missing = [
        (i, page)
        for i in iris
        for page in ("index.html", "index.zh.html")
        if not (site / i[len(BASE) :].rstrip("/") / page).is_file()
    ]
    assert missing == []
    xinfeng = site / "id" / "place" / "xinfeng"
    graph = Graph().parse(xinfeng / "index.ttl", format="turtle")
    assert (URIRef(f"{BASE}id/place/xinfeng"), None, None) in graph
    for name in ("index.jsonld", "index.nt", "index.trig"):
        assert (xinfeng / name).stat().st_size > 100
    for name in ("ganzhou-gba.nt", "void.ttl"):
        assert (site / "dist" / name).read_bytes() == (published / "current" / name).read_bytes()
    assert (site / ".well-known" / "void").read_bytes() == (
        published / "current" / "void.ttl"
    ).read_bytes()


_LINK = re.compile(r'(?:href|src|action)="(/[^"]*)"')


def test_every_link_inside_the_site_resolves(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) > 500
    broken = set()
    for page in pages:
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            path = target.split("?", 1)[0].split("#", 1)[0].replace("&amp;", "&")
            local = site / path.lstrip("/")
            if not (local.is_file() or (local / "index.html").is_file()):
                broken.add((str(page.relative_to(site)), target))
    assert sorted(broken)[:10] == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/sparql"' not in home  # no server, no endpoint to link to
    assert 'href="/api/queries/travel-times/"' in home
    # a Chinese page links to Chinese pages, and to itself in English
    chinese = (site / "id" / "place" / "xinfeng" / "index.zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in chinese and "<h1>信丰县</h1>" in chinese
    assert 'href="/id/place/xinfeng/" lang="en"' in chinese
    forms = ("index.ttl", "index.jsonld", "index.nt", "index.trig")
    inner = [
        href
        for href in re.findall(r'<a href="(/id/[^"]*)"', chinese)
        if not href.endswith(forms) and href != "/id/place/xinfeng/"
    ]
    assert inner and all(href.endswith("/index.zh.html") for href in inner), inner[:5]


@pytest.fixture(scope="module")
def http_server(site: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_site_works_from_python_http_server(http_server: str, published: Path) -> None:
    page = requests.get(f"{http_server}/id/place/xinfeng", timeout=10)  # 301 to the folder
    # http.server names no charset; the page's <meta charset="utf-8"> does, as browsers read
    text = page.content.decode("utf-8")
    assert page.status_code == 200 and "Xinfeng County" in text and "信丰县" in text
    turtle = requests.get(f"{http_server}/id/place/xinfeng/index.ttl", timeout=10)
    assert (URIRef(f"{BASE}id/place/xinfeng"), None, None) in Graph().parse(
        data=turtle.content, format="turtle"
    )
    answer = requests.get(f"{http_server}/api/queries/travel-times/index.json", timeout=10)
    asked = run_kg("query", "travel-times", "--format", "json", "--dist", str(published))
    assert answer.json() == json.loads(asked.out) and answer.json()["results"]["bindings"]
    table = requests.get(f"{http_server}/api/queries/travel-times/", timeout=10)
    assert "Xinfeng County" in table.text and "<table" in table.text
    dump = requests.get(f"{http_server}/dist/ganzhou-gba.nt", timeout=10)
    assert dump.content == (published / "current" / "ganzhou-gba.nt").read_bytes()
    changes = requests.get(f"{http_server}/dist/CHANGES.md", timeout=10)
    assert changes.content == (published / "current" / "CHANGES.md").read_bytes()
    assert requests.get(f"{http_server}/static/map.js", timeout=10).status_code == 200


def test_a_new_site_replaces_the_old_whole_and_a_failed_one_leaves_it(
    published: Path, tmp_path: Path
) -> None:
    out = tmp_path / "www"
    assert run_kg("site", str(out), "--dist", str(published), "--tiles", "").code == 0
    (out / "stray.html").write_text("from before")
    assert run_kg("site", str(out), "--dist", str(published), "--tiles", "").code == 0
    assert not (out / "stray.html").exists() and (out / "index.html").is_file()
    (out / "stray.html").write_text("from before")
    failed = run_kg("site", str(out), "--dist", str(tmp_path / "no-such-release"))
    assert failed.code == 2 and "kg build" in failed.err
    assert (out / "stray.html").read_text() == "from before"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
