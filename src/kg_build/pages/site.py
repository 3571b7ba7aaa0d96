"""A static copy of what kg serve answers, for a publisher without a server: every page, each
resource's RDF forms, the canned queries' answers as of the release, the dumps, the dataset's
description, under the paths kg serve answers at (`/id/place/xinfeng` is
`id/place/xinfeng/index.html`, which any web server gives for `/id/place/xinfeng/`). Made
as (path, bytes); `kg site` writes them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg_build.namespaces import data_prefixes
from kg_build.pages import charts, html, i18n
from kg_build.pages.links import linker
from kg_build.pages.render import navigation, render
from kg_build.publish.notes import NOTES
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import OxigraphEngine
from kg_build.query.formats import render as render_result
from kg_build.query.params import bind
from kg_build.rdf.describe import DISTRIBUTIONS

STATIC = Path(__file__).resolve().parent / "static"
# A resource's RDF forms beside its page: file name, media type, pyoxigraph's format.
FORMS = (
    ("index.ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("index.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("index.nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("index.trig", "application/trig", ox.RdfFormat.TRIG),
)
_UNSAFE = ("..", "?", "#", "%", "\\", "//")


def folder_of(iri: str, base: str) -> str | None:
    """The site folder of one of the dataset's IRIs ("id/place/xinfeng/"), None for an IRI
    that is not under `base` or has no path a file system and a URL would both keep."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if any(bad in rest for bad in _UNSAFE) or rest.startswith("/"):
        return None
    return rest if rest.endswith("/") or not rest else rest + "/"


def iris(store: ox.Store, base: str) -> list[str]:
    """Every IRI of the dataset that has a page: each subject under `base`, and each named
    graph's IRI (a distribution's IRI is the file itself, as kg serve answers it)."""
    found = {
        q.subject.value
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base)
    }
    found |= {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    files = {f"{base}dist/{name}" for name in DISTRIBUTIONS}  # these IRIs are the files
    return sorted(i for i in found - files if folder_of(i, base) is not None and i != base)


def site_files(
    store: ox.Store,
    release: Path,
    base: str,
    catalog: Mapping[str, CannedQuery],
    tiles: str,
) -> Iterator[tuple[str, bytes]]:
    """Every file of the site, as (path under the site's folder, content)."""
    pages = iris(store, base)
    known = {*pages, base, *(f"{base}dist/{name}" for name in DISTRIBUTIONS)}
    served = linker(base)

    def link(iri: str) -> str | None:
        # an IRI of ours that the site has no file for (the SPARQL endpoint) is only text
        return None if iri.startswith(base) and iri not in known else served(iri)

    prefixes = {p: str(ns) for p, ns in data_prefixes(base).items()}
    answers = [q for q in catalog.values() if not q.is_violation]
    for iri in pages:  # the RDF forms, once
        folder = folder_of(iri, base) or ""
        for name, data in _rdf_forms(store, ox.NamedNode(iri), base, prefixes):
            yield f"{folder}{name}", data
    for lang, page_file in PAGE_FILES.items():  # the pages, in each language

        def in_language(iri: str, page_file: str = page_file) -> str | None:
            href = link(iri)
            if page_file == "index.html" or href is None or not href.startswith("/"):
                return href
            return f"{href.rstrip('/')}/{page_file}" if iri in pages or iri == base else href

        with i18n.speaking(lang):
            yield from _pages(store, base, pages, answers, in_language, tiles, page_file)
            yield from _answers(store, answers, in_language, base, page_file)
    for name in (*DISTRIBUTIONS, *NOTES):  # the dumps, and what the release says of itself
        if (release / name).is_file():
            yield f"dist/{name}", (release / name).read_bytes()
    if (release / "void.ttl").is_file():
        yield ".well-known/void", (release / "void.ttl").read_bytes()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            yield f"static/{path.relative_to(STATIC).as_posix()}", path.read_bytes()


PAGE_FILES = {"en": "index.html", "zh": "index.zh.html"}  # a folder's page in each language


@contextmanager
def _navigating(folder: str, page_file: str) -> Iterator[None]:
    """While a page of `folder` is made: its links to itself in each language, and to the
    home page in its own."""
    files = {code: "" if f == "index.html" else f for code, f in PAGE_FILES.items()}
    own = "" if page_file == "index.html" else page_file
    nav = {"home_href": f"/{own}", "switch": {c: f"/{folder}{f}" for c, f in files.items()}}
    token = navigation.set(nav)
    try:
        yield
    finally:
        navigation.reset(token)


def _rdf_forms(
    store: ox.Store, node: ox.NamedNode, base: str, prefixes: Mapping[str, str]
) -> Iterator[tuple[str, bytes]]:
    """A resource's RDF forms (a graph no description speaks of: its triples)."""
    if any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph())):
        triples = [*html.description(store, node), html.in_dataset(node, base)]
        quads = [*html.description_quads(store, node), ox.Quad(*html.in_dataset(node, base))]
    else:
        quads = list(store.quads_for_pattern(None, None, None, node))
        triples = [q.triple for q in quads]
    for name, _, fmt in FORMS:
        statements = quads if fmt == ox.RdfFormat.TRIG else triples
        yield name, ox.serialize(statements, format=fmt, prefixes=dict(prefixes)) or b""


def _pages(
    store: ox.Store,
    base: str,
    pages: list[str],
    answers: list[CannedQuery],
    link: html.Link,
    tiles: str,
    page_file: str,
) -> Iterator[tuple[str, bytes]]:
    """The home page and every resource's, in the current language, as `page_file`."""
    void = [("/.well-known/void", "text/turtle"), ("/dist/void.ttl", "text/turtle")]
    listed = page_file if page_file != "index.html" else ""
    links = render("query-links.html", queries=answers, page_file=listed)
    with _navigating("", page_file):
        yield page_file, html.home(store, links, link, base, tiles, False, void).encode()
    for iri in pages:
        folder = folder_of(iri, base) or ""
        node = ox.NamedNode(iri)
        alternates = [(f"/{folder}{name}", media) for name, media, _ in FORMS]
        with _navigating(folder, page_file):
            if any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph())):
                page = html.resource(store, node, link, alternates, tiles, base)
            else:  # a named graph no description speaks of: what it is
                count = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
                page = html.graph_page(iri, iri, count, alternates)
        yield f"{folder}{page_file}", page.encode()


def _answers(
    store: ox.Store,
    queries: list[CannedQuery],
    link: html.Link,
    base: str,
    page_file: str,
) -> Iterator[tuple[str, bytes]]:
    """Each canned query's answer with its default values: a page (in the current language,
    as `page_file`), CSV and JSON (once)."""
    engine = OxigraphEngine(store)
    namespaces = data_prefixes(base)
    for query in queries:
        result = engine.run(query, bind(query, {}))
        folder = f"api/queries/{query.name}/"
        named = html.namer(store, base)
        table = html.html_table(result, link, named) if result.kind != "graph" else ""
        chart = None
        if query.chart and result.kind == "select":
            chart = charts.of_answer(query.chart, result.variables, result.rows, query.summary)
        downloads = (
            [(f"/{folder}index.csv", "CSV"), (f"/{folder}index.json", "JSON")]
            if result.kind != "graph"
            else [(f"/{folder}index.ttl", "Turtle")]
        )
        with _navigating(folder, page_file):
            page = html.results(query.summary, table, query.description, chart, downloads)
        yield f"{folder}{page_file}", page.encode()
        if page_file != "index.html":
            continue
        if result.kind == "graph":
            yield f"{folder}index.ttl", render_result(result, "turtle", namespaces).encode()
        else:
            yield f"{folder}index.json", render_result(result, "json", namespaces).encode()
            yield f"{folder}index.csv", render_result(result, "csv", namespaces).encode()
