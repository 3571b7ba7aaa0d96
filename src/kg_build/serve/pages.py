"""HTML for people: the home page, and one page per resource with labels in English and
Chinese, types, every link out and in, quotes, and links to other datasets."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import quote

import pyoxigraph as ox

from kg_build.query.catalog import CannedQuery
from kg_build.serve import structured

# Where a link to an IRI goes, or None where it must not be a link at all.
Link = Callable[[str], str | None]
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DEFINITION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#definition")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
ATTESTED = ox.NamedNode("https://w3id.org/ganzhou-gba/def/attestedBy")
QUOTE = ox.NamedNode("https://w3id.org/ganzhou-gba/def/quote")
QUOTED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasQuotedFrom")
OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
GBA = "https://w3id.org/ganzhou-gba/def/"

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}
table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.zh{font-size:1.1em}code{background:#f4f4f4}
blockquote{border-left:3px solid #aaa;margin:.3rem 0;padding-left:.6rem}"""


def linker(base: str) -> Link:
    """Links for IRIs: the dataset's own resolve on this server; other http(s) IRIs are linked
    as they are; any other scheme (javascript:, data:, …, easy to put in an answer with
    BIND(IRI(…))) is never an href, only text."""

    def link(iri: str) -> str | None:
        rest = iri[len(base) :] if iri.startswith(base) else None
        if rest is not None and not rest.startswith("/"):  # "//host" would leave this site
            return "/" + rest
        scheme, colon, _ = iri.partition(":")
        return iri if colon and scheme.lower() in ("http", "https") else None

    return link


def anchor(iri: str, text: str, link: Link, css: str = "") -> str:
    """An <a> to where `link` sends the IRI, or the text alone if it must not be a link."""
    href = link(iri)
    if href is None:
        return html.escape(text)
    kind = f' class="{css}"' if css else ""
    return f'<a{kind} href="{html.escape(href)}">{html.escape(text)}</a>'


def _quads(
    store: ox.Store,
    subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
    predicate: ox.NamedNode | None,
    obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None,
) -> Iterator[ox.Quad]:
    """Statements of the default graph, which holds each published triple once (the named
    graphs per source repeat shared ones; see store/embedded.py)."""
    return store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph())


def wrap(title: str, body: str, head: str = "") -> str:
    """A page; `head`: more of its head (alternate links, JSON-LD), already escaped."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{STYLE}</style>{head}</head>\n'
        f'<body>\n<p><a href="/">Ganzhou – Greater Bay Area knowledge graph</a></p>\n{body}</body></html>\n'
    )


def labels(store: ox.Store, node: ox.NamedNode) -> dict[str, str]:
    out: dict[str, str] = {}
    for quad in _quads(store, node, RDFS_LABEL, None):
        term = quad.object
        if isinstance(term, ox.Literal):
            out.setdefault((term.language or "").lower(), term.value)
    return out


def _name(store: ox.Store, term: object) -> str:
    if isinstance(term, ox.NamedNode):
        found = labels(store, term)
        return found.get("en") or found.get("") or term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _value(store: ox.Store, term: object, link: Link) -> str:
    if isinstance(term, ox.NamedNode):
        return anchor(term.value, _name(store, term), link)
    if isinstance(term, ox.Literal):
        lang = f' lang="{html.escape(term.language)}"' if term.language else ""
        return f"<span{lang}>{html.escape(term.value)}</span>"
    return html.escape(str(term))


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


def resource(store: ox.Store, node: ox.NamedNode, link: Link, head: str = "") -> str:
    names = labels(store, node)
    title = names.get("en") or node.value
    sections = (
        _heading(store, node, link, names, title),
        _external(store, node, link),
        _quotes(store, node, link),
        _figures(store, node, link),
        _statements(store, node, link),
        _linked_from(store, node, link),
    )
    alternates = " · ".join(
        f'<a href="?format={f}">{f}</a>' for f in ("turtle", "jsonld", "ntriples")
    )
    parts = [part for section in sections for part in section]
    return wrap(title, "\n".join([*parts, f"<p>As RDF: {alternates}</p>"]), head)


def _heading(
    store: ox.Store, node: ox.NamedNode, link: Link, names: dict[str, str], title: str
) -> list[str]:
    """The title, its Chinese name, the IRI, the types and the definition."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if "zh" in names:
        parts.append(f'<p class="zh" lang="zh">{html.escape(names["zh"])}</p>')
    parts.append(f"<p><code>{html.escape(node.value)}</code></p>")
    types = sorted({_value(store, q.object, link) for q in _quads(store, node, TYPE, None)})
    if types:
        parts.append("<p>Type: " + ", ".join(types) + "</p>")
    for quad in _quads(store, node, DEFINITION, None):
        parts.append(f"<p>{_value(store, quad.object, link)}</p>")
    return parts


def _external(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    external = sorted(
        q.object.value
        for q in _quads(store, node, SAME_AS, None)
        if isinstance(q.object, ox.NamedNode)
    )
    if not external:
        return []
    return [
        "<h2>In other datasets</h2><ul>"
        + "".join(f"<li>{anchor(e, e, link, 'external')}</li>" for e in external)
        + "</ul>"
    ]


def _quotes(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    quotes = []
    for att in _quads(store, node, ATTESTED, None):
        for q in _quads(store, att.object, QUOTE, None):  # type: ignore[arg-type]
            sources = [s.object for s in _quads(store, att.object, QUOTED_FROM, None)]  # type: ignore[arg-type]
            source = _value(store, sources[0], link) if sources else ""
            quotes.append(
                f"<blockquote>{html.escape(_name(store, q.object))}</blockquote><p>— {source}</p>"
            )
    return ["<h2>Source quotes</h2>" + "".join(sorted(quotes))] if quotes else []


def _figures(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    figures = _figures_about(store, node, link)
    if not figures:
        return []
    return [
        '<h2>Figures</h2><table class="figures"><thead><tr><th>measure</th><th>value</th>'
        "<th>period</th><th>quote</th><th>source</th><th>rank</th></tr></thead><tbody>"
        + "".join(figures)
        + "</tbody></table>"
    ]


# graphs of a release that no source states (store/embedded.py, pipeline.py)
_DATASET_GRAPHS = {
    "inferred": "inferred by the dataset",
    "description": "the dataset's description",
}


def _statements(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    """What each source says of the resource: the statements of each source's named graph
    (the same statement from two sources is listed for each), and what the dataset infers."""
    rows = set()
    for q in store.quads_for_pattern(node, None, None, None):
        if q.predicate in (TYPE, ATTESTED) or not isinstance(q.graph_name, ox.NamedNode):
            continue
        head, _, name = q.graph_name.value.rpartition("/graph/")
        if name == "ontology":
            continue
        said_by = _DATASET_GRAPHS.get(name)
        who = (
            html.escape(said_by)
            if said_by
            else _value(store, ox.NamedNode(f"{head}/id/source/{name}"), link)
        )
        rows.add(
            (
                who,
                _name(store, q.predicate),
                _value(store, q.predicate, link),
                _value(store, q.object, link),
            )
        )
    return [
        '<h2>What each source says</h2><table class="out"><thead><tr><th>source</th>'
        "<th>property</th><th>value</th></tr></thead><tbody>"
        + "".join(f"<tr><td>{w}</td><th>{p}</th><td>{o}</td></tr>" for w, _, p, o in sorted(rows))
        + "</tbody></table>"
    ]


def _linked_from(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    incoming = sorted(
        (_name(store, q.subject), _value(store, q.subject, link), _value(store, q.predicate, link))
        for q in _quads(store, None, None, node)
    )
    if not incoming:
        return []
    return [
        '<h2>Linked from</h2><table class="in"><tbody>'
        + "".join(f"<tr><td>{s}</td><th>{p}</th></tr>" for _, s, p in incoming)
        + "</tbody></table>"
    ]


def home(store: ox.Store, forms: str, link: Link, base: str) -> str:
    """The home page; `forms` are the canned queries' forms (query_forms), which need no store."""
    dataset = ox.NamedNode(f"{base}dataset")
    title = labels(store, dataset).get("en") or "Ganzhou – Greater Bay Area knowledge graph"
    dcterms = "http://purl.org/dc/terms/"
    about = [q.object for q in _quads(store, dataset, ox.NamedNode(dcterms + "description"), None)]
    void_triples = [
        q.object
        for q in _quads(store, dataset, ox.NamedNode("http://rdfs.org/ns/void#triples"), None)
    ]
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts += [f"<p>{_value(store, d, link)}</p>" for d in sorted(about, key=str)]
    if void_triples:
        parts.append(
            f"<p>{html.escape(void_triples[0].value)} triples · "  # type: ignore[union-attr]
            '<a href="/openapi.json">API (OpenAPI)</a> · <a href="/sparql">SPARQL endpoint</a></p>'
        )
    places = sorted(
        (_name(store, q.subject), q.subject.value)
        for q in _quads(store, None, ox.NamedNode(GBA + "directlyPartOf"), None)
        if isinstance(q.subject, ox.NamedNode)
    )
    unique = dict(places)
    parts.append(
        '<h2>Places</h2><ul class="places">'
        + "".join(f"<li>{anchor(iri, name, link)}</li>" for name, iri in sorted(unique.items()))
        + "</ul>"
    )
    parts.append(
        '<h2>Ask a question</h2><p>Also as a web API: <a href="/docs">API documentation</a>.</p>'
    )
    parts.append(forms)
    parts.append(
        '<h2>Free SPARQL</h2><form method="get" action="/sparql"><input type="hidden" name="format" value="html">'
        '<textarea name="query" rows="6" cols="90">SELECT ?s ?label WHERE { ?s &lt;http://www.w3.org/2000/01/rdf-schema#label&gt; ?label } LIMIT 20</textarea>'
        '<br><button type="submit">Run</button></form>'
    )
    parts.append(_ontology_table(store, link, "Classes", OWL_CLASS))
    for kind in ("ObjectProperty", "DatatypeProperty"):
        parts.append(
            _ontology_table(
                store,
                link,
                kind.replace("Property", " properties").capitalize(),
                ox.NamedNode(f"http://www.w3.org/2002/07/owl#{kind}"),
            )
        )
    described = structured.dataset(store, base)
    void = [
        (f"/.well-known/void?format={quote(m, safe='')}", m)
        for m in ("text/turtle", "application/ld+json")
    ]
    head = structured.alternate_links(void) + (structured.script(described) if described else "")
    return wrap(title, "\n".join(parts), head)


def query_forms(catalog: Mapping[str, CannedQuery]) -> str:
    """A form for each canned query that is not a build check."""
    parts = []
    for query in catalog.values():
        if query.is_violation:
            continue
        fields = "".join(
            f'<label>{html.escape(p.name)} <input name="{html.escape(p.name)}" '
            f'value="{html.escape(p.default or "")}" size="50"></label> '
            for p in query.parameters
        )
        parts.append(
            f'<form class="canned" method="get" action="/api/queries/{html.escape(query.name)}">'
            f'<input type="hidden" name="format" value="html">'
            f"<strong>{html.escape(query.summary)}</strong> {fields}"
            '<button type="submit">Run</button></form>'
        )
    return "\n".join(parts)


def _ontology_table(store: ox.Store, link: Link, heading: str, kind: ox.NamedNode) -> str:
    terms = sorted(
        (_name(store, q.subject), q.subject)
        for q in _quads(store, None, TYPE, kind)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(GBA)
    )
    rows = "".join(
        f'<tr><td>{_value(store, t, link)}</td><td lang="zh">{html.escape(labels(store, t).get("zh", ""))}</td>'
        f"<td>{' '.join(_value(store, d.object, link) for d in _quads(store, t, DEFINITION, None))}</td></tr>"
        for _, t in terms
    )
    return f'<h2>Ontology: {html.escape(heading)}</h2><table class="ontology"><tbody>{rows}</tbody></table>'


def api_docs(document: Mapping[str, object]) -> str:
    """An interactive page for the OpenAPI document: every operation as a form to try."""
    parts = [
        '<h1>API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</p>'
    ]
    paths = document.get("paths", {})
    for path, operations in paths.items() if isinstance(paths, dict) else []:
        operation = operations["get"]
        fields = "".join(
            f'<label>{html.escape(p["name"])} <input name="{html.escape(p["name"])}" '
            f'value="{html.escape(str(p["schema"].get("default", "")))}" size="50" '
            f'title="{html.escape(p.get("description", ""))}"></label> '
            for p in operation.get("parameters", [])
        )
        formats = "".join(
            f'<option value="{f}">{f}</option>'
            for f in ("html", "json", "csv", "tsv", "xml", "turtle", "jsonld")
        )
        parts.append(
            f'<section class="operation"><h2><code>GET {html.escape(path)}</code></h2>'
            f"<p>{html.escape(str(operation.get('summary', '')))}</p>"
            f"<p>{html.escape(str(operation.get('description', '')))}</p>"
            f'<form method="get" action="{html.escape(path)}">{fields}'
            f'<label>format <select name="format">{formats}</select></label> '
            '<button type="submit">Try it</button></form></section>'
        )
    return wrap("API", "\n".join(parts))


def _first(store: ox.Store, node: object, predicate: str) -> object | None:
    for quad in _quads(store, node, ox.NamedNode(predicate), None):  # type: ignore[arg-type]
        return quad.object
    return None


def _figures_about(store: ox.Store, node: ox.NamedNode, link: Link) -> list[str]:
    """One row per figure stated about the resource: measure, value with unit, period, quote."""
    rows = []
    for quad in _quads(store, None, ox.NamedNode(GBA + "about"), node):
        figure = quad.subject
        measure = _first(store, figure, GBA + "measure")
        value = _first(store, figure, "https://schema.org/value")
        # a currency's code, or the symbol of the unit in the vocabulary (none for a count)
        unit = _first(store, figure, "https://schema.org/currency")
        of_unit = _first(store, figure, GBA + "unit")
        if unit is None and of_unit is not None:
            unit = _first(store, of_unit, "http://qudt.org/schema/qudt/symbol")
        comparator = _first(store, figure, GBA + "comparator")
        period = _first(store, figure, GBA + "referencePeriod")
        attestation = _first(store, figure, GBA + "attestedBy")
        quote = _first(store, attestation, GBA + "quote") if attestation else None
        source = _first(store, attestation, QUOTED_FROM.value) if attestation else None
        rank = _first(store, figure, GBA + "valueRank")
        shown = " ".join(
            html.escape(_name(store, x))
            for x in (comparator, value, unit)
            if x is not None and not (isinstance(x, ox.NamedNode) and x.value.endswith("/exactly"))
        ).strip()
        rows.append(
            f"<tr><td>{_value(store, figure, link)}<br><small>{html.escape(_name(store, measure))}</small></td>"
            f"<td>{shown}</td><td>{html.escape(_name(store, period)) if period else ''}</td>"
            f"<td><blockquote>{html.escape(_name(store, quote)) if quote else ''}</blockquote></td>"
            f"<td>{_value(store, source, link) if source else ''}</td>"
            f"<td>{html.escape(_name(store, rank)) if rank else ''}</td></tr>"
        )
    return sorted(rows)
