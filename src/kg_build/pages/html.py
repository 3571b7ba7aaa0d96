"""The pages of the dataset as HTML (kg serve answers with them, kg site writes them): from
the templates, with what each page shows read by pages/view.py; and the triples of a
resource that its RDF forms and its embedded JSON-LD hold."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox
from markupsafe import Markup
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg_build.pages import diagram, i18n, structured, view
from kg_build.pages.links import Link, linker
from kg_build.pages.render import DEFAULT_TILES, STYLE, render
from kg_build.query.catalog import CannedQuery
from kg_build.query.names import kind_of

if TYPE_CHECKING:
    from kg_build.query.engines import Result

__all__ = ["STYLE", "Link", "description", "description_quads", "home", "linker", "resource"]

VOID_IN_DATASET = "http://rdfs.org/ns/void#inDataset"

RDFS_LABEL = view.LABEL
OWL = "http://www.w3.org/2002/07/owl#"
_quads = view.quads


def wrap(title: str, body: str, head: str = "") -> str:
    """A page around `body` and more of its head (alternate links, JSON-LD), both markup made
    by our own code (escaped there)."""
    return render("base.html", title=title, body=Markup(body), head=Markup(head))  # noqa: S704


def graph_page(iri: str, graph: str, triples: int, alternates: list[tuple[str, str]]) -> str:
    return render(
        "graph.html", title=iri, iri=iri, graph=graph, triples=triples, alternates=alternates
    )


def description(store: ox.Store, node: ox.NamedNode) -> list[ox.Triple]:
    """What we serve as RDF for a resource: its statements, statements pointing at it, and the
    labels of everything linked (the same as the describe-entity query)."""
    unique = {str(q.triple): q.triple for q in _described(store, node, named=False)}
    return [unique[k] for k in sorted(unique)]


def description_quads(store: ox.Store, node: ox.NamedNode) -> list[ox.Quad]:
    """The same statements as `description`, each in every named graph that holds it: the
    graph names say which source (or the inferences, the description) states each one."""
    unique = {str(q): q for q in _described(store, node, named=True)}
    return [unique[k] for k in sorted(unique)]


def _described(store: ox.Store, node: ox.NamedNode, named: bool) -> Iterator[ox.Quad]:
    def pattern(
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | None,
    ) -> Iterator[ox.Quad]:
        if not named:
            yield from _quads(store, subject, predicate, obj)
            return
        for q in store.quads_for_pattern(subject, predicate, obj, None):
            if not isinstance(q.graph_name, ox.DefaultGraph):
                yield q

    for q in pattern(node, None, None):
        yield q
        if isinstance(q.object, ox.NamedNode):
            yield from pattern(q.object, RDFS_LABEL, None)
    for q in pattern(None, None, node):
        yield q
        if not isinstance(q.subject, ox.Triple):
            yield from pattern(q.subject, RDFS_LABEL, None)


def in_dataset(node: ox.NamedNode, base: str) -> ox.Triple:
    """Which dataset a resource is in (VoID, 7.2): said by each document about it, not by
    the dumps."""
    return ox.Triple(node, ox.NamedNode(VOID_IN_DATASET), ox.NamedNode(f"{base}dataset"))


def resource(
    store: ox.Store,
    node: ox.NamedNode,
    link: Link,
    alternates: list[tuple[str, str]] | None = None,
    tiles: str = DEFAULT_TILES,
    base: str | None = None,
) -> str:
    """A resource's page; `alternates`: (address, media type) of its RDF forms, linked from
    the page and its head; with `base`, the resource embedded as JSON-LD in the head."""
    page = view.resource(store, node, link)
    markers = view.markers(store, link, node)
    steps = view.milestones(store, node, link)
    charts = [
        c
        for c in (
            view.timeline_chart(steps, f"{i18n._('Milestones of')} {page.title}"),
            *view.figure_charts(page.figures),
        )
        if c is not None
    ]
    is_ontology = any(
        True
        for _ in view.quads(
            store, node, view.TYPE, ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
        )
    )
    tree = diagram.svg(store, link, i18n._("The ontology's classes")) if is_ontology else ""
    head = structured.alternate_links(alternates or [])
    if base is not None:
        triples = [*description(store, node), in_dataset(node, base)]
        head += structured.script(structured.resource(triples))
    return render(
        "resource.html",
        title=page.title,
        page=page,
        markers=markers,
        ontology=view.ontology_term(store, node, link),
        milestones=steps,
        diagram=Markup(tree),  # noqa: S704 - diagram.py escapes every name
        relations=diagram.relations(store, link) if is_ontology else [],
        charts=charts,
        alternates=alternates or [],
        tiles=tiles,
        with_map=bool(markers),
        with_chart=bool(charts),
        head=Markup(head),  # noqa: S704 - escaped by structured.py
    )


def home(
    store: ox.Store,
    forms: str,
    link: Link,
    base: str,
    tiles: str = DEFAULT_TILES,
    service: bool = True,
    void: list[tuple[str, str]] | None = None,
) -> str:
    """The home page; `forms` are the canned queries' forms (query_forms), which need no store;
    `service`: a server answers SPARQL and the API here (not so in a static site); `void`:
    the addresses of the dataset's description (default: /.well-known/void's forms)."""
    dataset = ox.NamedNode(f"{base}dataset")
    lang = i18n.current.get()
    dcterms = "http://purl.org/dc/terms/"
    title = _in(store, dataset, dcterms + "title", lang) or i18n._(
        "Ganzhou – Greater Bay Area knowledge graph"
    )
    about = [
        view.Term(text, lang=lang)
        for text in [_in(store, dataset, dcterms + "description", lang)]
        if text
    ]
    triples = view.first(store, dataset, "http://rdfs.org/ns/void#triples")
    inferred = view.first(
        store, ox.NamedNode(f"{base}graph/inferred"), "http://rdfs.org/ns/void#triples"
    )
    places = {
        view.name(store, q.subject): q.subject
        for q in _quads(store, None, ox.NamedNode(view.GBA + "directlyPartOf"), None)
        if isinstance(q.subject, ox.NamedNode)
    }
    ontology = [
        (heading, _ontology_rows(store, link, ox.NamedNode(OWL + kind)))
        for heading, kind in (
            ("Classes", "Class"),
            ("Object properties", "ObjectProperty"),
            ("Datatype properties", "DatatypeProperty"),
        )
    ]
    described = structured.dataset(store, base)
    void = void or [
        (f"/.well-known/void?format={quote(m, safe='')}", m)
        for m in ("text/turtle", "application/ld+json")
    ]
    head = structured.alternate_links(void) + (structured.script(described) if described else "")
    return render(
        "home.html",
        title=title,
        about=about,
        triples=triples.value if isinstance(triples, ox.Literal) else None,
        inferred=inferred.value if isinstance(inferred, ox.Literal) else None,
        places=[view.term(store, places[n], link) for n in sorted(places)],
        markers=view.markers(store, link),
        headlines=view.largest_amounts(store, link),
        lists=view.listed(store, link),
        tiles=tiles,
        with_map=True,
        with_search=service,
        service=service,
        forms=Markup(forms),  # noqa: S704 - query_forms' output, from a template
        ontology=ontology,
        head=Markup(head),  # noqa: S704
    )


def _in(store: ox.Store, node: ox.NamedNode, predicate: str, lang: str) -> str | None:
    """The value of `predicate` in `lang`, else in English."""
    found = {
        (q.object.language or ""): q.object.value
        for q in _quads(store, node, ox.NamedNode(predicate), None)
        if isinstance(q.object, ox.Literal)
    }
    return found.get(lang) or found.get("en")


def _ontology_rows(
    store: ox.Store, link: Link, kind: ox.NamedNode
) -> list[tuple[view.Term, str, list[view.Term]]]:
    terms = sorted(
        (view.name(store, q.subject), q.subject)
        for q in _quads(store, None, view.TYPE, kind)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(view.GBA)
    )
    return [
        (
            view.term(store, t, link),
            view.labels(store, t).get("zh", ""),
            [view.term(store, d.object, link) for d in _quads(store, t, view.DEFINITION, None)],
        )
        for _, t in terms
    ]


def query_forms(catalog: Mapping[str, CannedQuery]) -> str:
    """A form for each canned query that is not a build check; an IRI parameter suggests
    entities (of its kind, if it has one) as one types."""
    queries = [q for q in catalog.values() if not q.is_violation]
    kinds = {
        (q.name, p.name): kind_of(p) or "" for q in queries for p in q.parameters if p.kind == "iri"
    }
    return render("forms.html", queries=queries, kinds=kinds)


def api_docs(document: Mapping[str, object]) -> str:
    """An interactive page for the OpenAPI document: every operation as a form to try."""
    paths = document.get("paths", {})
    operations = (
        [(path, ops["get"]) for path, ops in paths.items()] if isinstance(paths, dict) else []
    )
    return render("api.html", title="API", operations=operations)


# What a table calls an IRI (its label, for the dataset's own), or None to show the IRI.
Namer = Callable[[str], str | None]


def namer(store: ox.Store, base: str) -> Namer:
    """Names for the IRIs of the dataset in tables: their labels in the page's language."""

    def name(iri: str) -> str | None:
        return view.name(store, ox.NamedNode(iri)) if iri.startswith(base) else None

    return name


def html_cell(term: Node | None, link: Link, name: Namer | None = None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        href = link(str(term))
        called = name(str(term)) if name else None
        text = html.escape(called or str(term))
        title = f' title="{html.escape(str(term))}"' if called else ""
        return f'<a href="{html.escape(href)}"{title}>{text}</a>' if href else text
    text = html.escape(str(term))
    if isinstance(term, Literal) and term.language:
        return f'<span lang="{html.escape(term.language)}">{text}</span>'
    return text


def html_table(result: Result, link: Link, name: Namer | None = None) -> str:
    """An answer as a table; with `name`, IRIs show as names (the IRI in their title)."""
    if result.kind == "ask":
        return f'<p class="ask">{"true" if result.boolean else "false"}</p>\n'
    head = "".join(f"<th>{html.escape(v)}</th>" for v in result.variables)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_cell(t, link, name)}</td>" for t in row) + "</tr>\n"
        for row in result.rows
    )
    return (
        f'<table class="results"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>\n'
        f'<p class="count">{len(result.rows)} rows</p>\n'
    )


def results(
    title: str,
    table: str,
    description: str = "",
    chart: dict[str, Any] | None = None,
    downloads: list[tuple[str, str]] | None = None,
) -> str:
    """A query's answer: its table (html_table), the chart its query declares, downloads."""
    return render(
        "results.html",
        title=title,
        description=description,
        table=Markup(table),  # noqa: S704 - html_table escapes every term
        chart=chart,
        downloads=downloads or [],
        with_chart=chart is not None,
    )


def names_page(text: str, found: list[dict[str, Any]]) -> str:
    """What a search found, as links (the search box's answer without JavaScript)."""
    return render("names.html", title=text, text=text, found=found)
