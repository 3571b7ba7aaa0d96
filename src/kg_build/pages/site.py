"""A static copy of what kg serve answers, for a publisher without a server: every page, each
resource's RDF forms, the canned queries' answers as of the release, the dumps, the dataset's
description, under the paths kg serve answers at (`/id/place/xinfeng` is
`id/place/xinfeng/index.html`, which any web server gives for `/id/place/xinfeng/`). Made
as (path, bytes); `kg site` writes them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg_build.namespaces import data_prefixes
from kg_build.pages import charts, html
from kg_build.pages.links import linker
from kg_build.pages.render import render
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
    void = [("/.well-known/void", "text/turtle"), ("/dist/void.ttl", "text/turtle")]
    answers = [q for q in catalog.values() if not q.is_violation]
    links = render("query-links.html", queries=answers)
    yield "index.html", html.home(store, links, link, base, tiles, False, void).encode()
    for iri in pages:
        folder = folder_of(iri, base) or ""
        node = ox.NamedNode(iri)
        alternates = [(f"/{folder}{name}", media) for name, media, _ in FORMS]
        graph = [q.triple for q in store.quads_for_pattern(None, None, None, node)]
        described = any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph()))
        if described:
            page = html.resource(store, node, link, alternates, tiles, base)
            triples = [*html.description(store, node), html.in_dataset(node, base)]
            quads = [*html.description_quads(store, node), ox.Quad(*html.in_dataset(node, base))]
        else:  # a named graph no description speaks of: what it is, and its triples
            page = html.graph_page(iri, iri, len(graph), alternates)
            triples = graph
            quads = list(store.quads_for_pattern(None, None, None, node))
        yield f"{folder}index.html", page.encode()
        for name, _, fmt in FORMS:
            statements = quads if fmt == ox.RdfFormat.TRIG else triples
            yield f"{folder}{name}", ox.serialize(statements, format=fmt, prefixes=prefixes) or b""
    yield from _answers(store, answers, link, prefixes, base)
    for name in DISTRIBUTIONS:
        if (release / name).is_file():
            yield f"dist/{name}", (release / name).read_bytes()
    if (release / "void.ttl").is_file():
        yield ".well-known/void", (release / "void.ttl").read_bytes()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            yield f"static/{path.relative_to(STATIC).as_posix()}", path.read_bytes()


def _answers(
    store: ox.Store,
    queries: list[CannedQuery],
    link: html.Link,
    prefixes: Mapping[str, str],
    base: str,
) -> Iterator[tuple[str, bytes]]:
    """Each canned query's answer with its default values: a page, CSV and JSON."""
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
        page = html.results(query.summary, table, query.description, chart, downloads)
        yield f"{folder}index.html", page.encode()
        if result.kind == "graph":
            yield f"{folder}index.ttl", render_result(result, "turtle", namespaces).encode()
        else:
            yield f"{folder}index.json", render_result(result, "json", namespaces).encode()
            yield f"{folder}index.csv", render_result(result, "csv", namespaces).encode()
