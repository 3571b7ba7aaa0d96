"""Evaluate a query on the embedded store within a time limit and a row cap, and write the
answer in the negotiated format (SPARQL 1.1 result formats, RDF syntaxes, or an HTML table)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg_build.pages.html import Namer, html_table
from kg_build.pages.links import Link
from kg_build.query.engines import Result
from kg_build.query.formats import render
from kg_build.terms import from_oxigraph

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/html": "html",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/html": None,
}


@dataclass
class Answer:
    """A query's answer held in memory, at most `limit` rows or triples of it."""

    kind: str  # "select", "graph", "ask"
    variables: list[str]
    rows: list[tuple[Node | None, ...]]
    triples: list[ox.Triple]
    boolean: bool | None
    truncated: bool


def evaluate(
    store: ox.Store,
    text: str,
    limit: int,
    dataset: tuple[list[str], list[str]] | None = None,
) -> Answer:
    """Run the query and read at most `limit` results (raises SyntaxError on a bad query).
    `dataset`, the protocol's default-graph-uri and named-graph-uri IRIs, replaces the
    store's dataset, as the SPARQL Protocol says: either list may be empty."""
    if dataset is not None:
        default, named = dataset
        answer = store.query(
            text,
            default_graph=[ox.NamedNode(g) for g in default],
            named_graphs=[ox.NamedNode(g) for g in named],
        )
    else:
        answer = store.query(text)  # the default graph holds the union (store/embedded.py)
    if isinstance(answer, ox.QueryBoolean):
        return Answer("ask", [], [], [], bool(answer), False)
    if isinstance(answer, ox.QueryTriples):
        triples: list[ox.Triple] = []
        for triple in answer:
            if len(triples) == limit:
                return Answer("graph", [], [], triples, None, True)
            triples.append(triple)
        return Answer("graph", [], [], triples, None, False)
    variables = [v.value for v in answer.variables]
    rows: list[tuple[Node | None, ...]] = []
    for solution in answer:
        if len(rows) == limit:
            return Answer("select", variables, rows, [], None, True)
        rows.append(tuple(from_oxigraph(solution[v]) for v in variables))
    return Answer("select", variables, rows, [], None, False)


def write(answer: Answer, media: str, link: Link, name: Namer | None = None) -> bytes:
    """Bytes of the answer as `media`; `link(iri)` gives the href for IRIs in HTML, `name`
    what they are called there."""
    if answer.kind == "graph":
        fmt = GRAPH_TYPES[media]
        if fmt is None:
            rows = [(t.subject, t.predicate, t.object) for t in answer.triples]
            table = Result(
                "select",
                ["subject", "predicate", "object"],
                [tuple(from_oxigraph(x) for x in row) for row in rows],
            )
            return html_table(table, link, name).encode()
        return ox.serialize(answer.triples, format=fmt) or b""
    result = Result(answer.kind, answer.variables, answer.rows, boolean=answer.boolean)  # type: ignore[arg-type]
    kind = SELECT_TYPES[media]
    if kind == "xml":
        return xml_results(result).encode()
    if kind == "html":
        return html_table(result, link, name).encode()
    return render(result, kind, {}).encode()


def xml_results(result: Result) -> str:
    out = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
    ]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for name, term in zip(result.variables, row, strict=True):
                if term is not None:
                    out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    # a carriage return as a reference: XML parsers turn a raw one into a line feed
    text = escape(str(term), {"\r": "&#13;"})
    if not isinstance(term, Literal):
        return f"<literal>{text}</literal>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{text}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{text}</literal>"
    return f"<literal>{text}</literal>"
