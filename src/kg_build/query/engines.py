"""Run a canned query on rdflib, on an Oxigraph store, or on any SPARQL endpoint (SPARQLWrapper),
and give the answer in one shape whatever ran it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from typing import Literal as Lit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from kg_build.query.catalog import CannedQuery
from kg_build.query.inject import with_values
from kg_build.terms import canonical, from_oxigraph

Row = tuple[Node | None, ...]


@dataclass
class Result:
    kind: Lit["select", "graph", "ask"]
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    graph: Graph | None = None
    boolean: bool | None = None


class Engine(Protocol):
    name: str

    def run(self, query: CannedQuery, bindings: Mapping[Variable, Node]) -> Result: ...


class QueryError(Exception):
    """The engine refused or failed the query (exit code 2 for canned queries)."""


# ---- rdflib ----------------------------------------------------------------------------------


class RdflibEngine:
    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def run(self, query: CannedQuery, bindings: Mapping[Variable, Node]) -> Result:
        initial: dict[str, Identifier] = {
            str(k): v for k, v in bindings.items() if isinstance(v, Identifier)
        }
        answer = self.dataset.query(query.algebra, initBindings=initial)
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for triple in answer:
                graph.add(triple)  # type: ignore[arg-type]
            return Result("graph", graph=graph)
        variables = [str(v) for v in answer.vars or []]
        rows = [tuple(canonical(row[i]) for i in range(len(variables))) for row in answer]  # type: ignore[index]
        return Result("select", variables, rows)


# ---- Oxigraph ------------------------------------------------------------------------------


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def run(self, query: CannedQuery, bindings: Mapping[Variable, Node]) -> Result:
        # Oxigraph's own `substitutions` only take variables of the SELECT projection, and a
        # parameter is not one; the bound terms go in as a VALUES block instead (inject.py).
        try:
            # the default graph holds the union of the release (store/embedded.py)
            answer = self.store.query(with_values(query.text, bindings, codepoints_safe=True))
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"{query.name}: {exc}") from exc
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            graph = Graph()
            for t in answer:
                s, p, o = (from_oxigraph(x) for x in (t.subject, t.predicate, t.object))
                if s is not None and p is not None and o is not None:
                    graph.add((s, p, o))
            return Result("graph", graph=graph)
        variables = [v.value for v in answer.variables]
        rows = [tuple(from_oxigraph(solution[v]) for v in variables) for solution in answer]
        return Result("select", variables, rows)


# ---- any SPARQL endpoint -------------------------------------------------------------------


class RemoteEngine:
    """A SPARQL 1.1 endpoint over HTTP. Parameters travel as a VALUES block (see inject.py)."""

    name = "remote"

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        timeout: int = 60,
        default_graphs: tuple[str, ...] = (),
    ) -> None:
        self.url, self.user, self.password, self.timeout = url, user, password, timeout
        # the protocol's default-graph-uri: with none, the server's own default graph
        self.default_graphs = default_graphs

    def text_for(self, query: CannedQuery, bindings: Mapping[Variable, Node]) -> str:
        return with_values(query.text, bindings)

    def run(self, query: CannedQuery, bindings: Mapping[Variable, Node]) -> Result:
        graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
        return self.run_text(self.text_for(query, bindings), graph_form, query.form)

    def run_text(self, text: str, graph_form: bool = False, form: str | None = None) -> Result:
        """`form`: SELECT, CONSTRUCT, ASK or DESCRIBE, if known: SPARQLWrapper guesses it from
        the text otherwise, and an apostrophe in a comment can make it guess an update."""
        from SPARQLWrapper import JSON, N3, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.url)
        client.setTimeout(self.timeout)
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
        client.setQuery(text)
        for iri in self.default_graphs:
            client.addDefaultGraph(iri)
        if form is not None:
            client.queryType = form
        client.setMethod("POST")
        client.setReturnFormat(N3 if graph_form else JSON)
        try:
            response = client.query()
            payload = response.response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise QueryError(f"{self.url}: {exc}") from exc
        if graph_form:
            graph = Graph()
            content_type = response.response.headers.get("Content-Type", "text/turtle")
            fmt = "nt" if "n-triples" in content_type else "turtle"
            graph.parse(data=payload, format=fmt)
            return Result("graph", graph=graph)
        return from_sparql_json(json.loads(payload))


def from_sparql_json(document: dict[str, Any]) -> Result:
    if "boolean" in document:
        return Result("ask", boolean=bool(document["boolean"]))
    variables = list(document["head"]["vars"])
    rows = []
    for binding in document["results"]["bindings"]:
        rows.append(tuple(_from_json_term(binding.get(v)) for v in variables))
    return Result("select", variables, rows)


def _from_json_term(term: dict[str, str] | None) -> Node | None:
    if term is None:
        return None
    kind = term["type"]
    if kind == "uri":
        return URIRef(term["value"])
    if kind == "bnode":
        return BNode(term["value"])
    lang = term.get("xml:lang")
    datatype = term.get("datatype")
    if datatype == str(XSD.string):
        datatype = None
    return canonical(Literal(term["value"], lang=lang, datatype=None if lang else datatype))
