"""A query worker: a process of its own that answers from one release of the embedded store.

The server (serve/pool.py) sends it jobs (a SPARQL query, a resource's page or RDF, the home
page) and gets back finished HTTP answers. Everything that reads the store or does work in
proportion to a client's query runs here, so that the server can stop a query at its deadline
by killing the process, and a query that crashes the engine costs one request. The worker
cannot open a network socket (serve/sandbox.py) and dies with the server.
"""

from __future__ import annotations

import json
import os
import resource
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from kg_build.errors import InputError
from kg_build.namespaces import data_prefixes
from kg_build.pages import charts, i18n
from kg_build.pages import html as pages
from kg_build.serve import wire
from kg_build.serve.negotiate import chosen
from kg_build.serve.reply import ClientError, Reply
from kg_build.serve.results import GRAPH_TYPES, SELECT_TYPES, Answer, evaluate, write
from kg_build.serve.sandbox import SandboxUnavailableError, die_with_parent, forbid_network
from kg_build.store.embedded import checkpoint, ontology_graph, open_release

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

RESOURCE_TYPES = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)
# A resource's statements with the named graph (the source) of each.
QUAD_TYPES = {"application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS}
_TEXTUAL = (
    "text/",
    "application/sparql-results+json",
    "application/json",
    "application/ld+json",
)


class Answers:
    """What a worker does for each job, on one open store."""

    def __init__(
        self, store: ox.Store, base: str, forms: str, max_rows: int, tiles: str = ""
    ) -> None:
        self.store, self.base, self.forms, self.max_rows = store, base, forms, max_rows
        self.tiles = tiles  # the map tiles' URL template; "" for none
        self.link = pages.linker(base)
        self.prefixes = {p: str(ns) for p, ns in data_prefixes(base).items()}

    def reply(self, job: dict[str, Any]) -> Reply:
        with i18n.speaking(str(job.get("lang") or i18n.DEFAULT)):
            return self._reply(job)

    def _reply(self, job: dict[str, Any]) -> Reply:
        try:
            op = job.get("op")
            if op == "sparql":
                return self.sparql(job)
            if op == "resource":
                return self.resource(job)
            if op == "graph-counts":
                return Reply(200, "application/json", json.dumps(self.graph_counts()).encode())
            if op == "home":
                html = pages.home(self.store, self.forms, self.link, self.base, self.tiles)
                return Reply(200, "text/html; charset=utf-8", html.encode())
            raise ClientError(400, f"unknown job {op!r}")
        except ClientError as exc:
            return Reply.of_error(exc)
        except OSError as exc:  # a disk error: the server starts another worker
            message = f"the store could not be read ({exc})"
            return Reply(503, "text/plain; charset=utf-8", message.encode(), store_error=True)

    def graph_counts(self) -> dict[str, Any]:
        """Triples in the default graph (the union, each triple once) and in each named graph,
        for the service description."""
        default = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        named = self.store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {
            "default": int(next(iter(default))["n"].value),  # type: ignore[arg-type]
            "named": {row["g"].value: int(row["n"].value) for row in named},  # type: ignore[union-attr]
        }

    def sparql(self, job: dict[str, Any]) -> Reply:
        dataset = job.get("dataset")
        try:
            answer = evaluate(
                self.store,
                str(job["query"]),
                self.max_rows,
                (list(dataset[0]), list(dataset[1])) if dataset else None,
            )
        except SyntaxError as exc:
            raise ClientError(400, f"malformed query: {exc}") from exc
        except (RuntimeError, ValueError, TypeError) as exc:  # evaluation errors
            raise ClientError(400, f"the query could not be evaluated: {exc}") from exc
        return self._answer(answer, job.get("accept"), job.get("format"), job.get("canned"))

    def _answer(
        self,
        answer: Answer,
        accept: str | None,
        format_param: str | None,
        canned: dict[str, Any] | None = None,
    ) -> Reply:
        offered = list(GRAPH_TYPES if answer.kind == "graph" else SELECT_TYPES)
        media = chosen(accept, format_param, offered)
        if media is None:
            raise ClientError(
                406, f"cannot answer in any of the accepted types; offered: {', '.join(offered)}"
            )
        body = write(answer, media, self.link, pages.namer(self.store, self.base))
        if media == "text/html":
            body = self._results_page(answer, body.decode(), canned or {}).encode()
        headers = {"X-Result-Limit": str(self.max_rows), "Vary": "Accept"}
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
        charset = "; charset=utf-8" if media.startswith(_TEXTUAL) else ""
        return Reply(200, media + charset, body, headers)

    def _results_page(self, answer: Answer, table: str, canned: dict[str, Any]) -> str:
        """An answer as a page: a canned query's (`canned`: its summary, description, chart
        and address) with its chart and downloads; any other query's, its table."""
        spec = canned.get("chart")
        chart = None
        if spec and answer.kind == "select":
            chart = charts.of_answer(spec, answer.variables, answer.rows, canned["summary"])
        address = canned.get("address")
        downloads = (
            [
                (f"{address}{'&' if '?' in address else '?'}format={f}", f.upper())
                for f in ("csv", "json")
            ]
            if address and answer.kind == "select"
            else []
        )
        return pages.results(
            canned.get("summary", "Query results"),
            table,
            canned.get("description", ""),
            chart,
            downloads,
        )

    def resource(self, job: dict[str, Any]) -> Reply:
        iri, path = str(job["iri"]), str(job["path"])
        node = ox.NamedNode(iri)  # the server checked it is an IRI
        whole = self._whole_graph(node)
        described = any(
            True for _ in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())
        )
        if not described and whole is None:
            raise ClientError(404, f"nothing is known about <{iri}>")
        media = chosen(job.get("accept"), job.get("format"), RESOURCE_TYPES)
        if media is None:
            raise ClientError(406, f"offered: {', '.join(RESOURCE_TYPES)}")
        if whole is not None and (media != "text/html" or not described):
            return self._graph_reply(node, whole, media, path)
        dataset = f"{self.base}dataset"
        headers = {
            "Vary": "Accept",
            "Content-Location": _alternate(path, media),
            "Link": ", ".join(
                [
                    *(
                        f'<{_alternate(path, m)}>; rel="alternate"; type="{m}"'
                        for m in RESOURCE_TYPES[1:]
                    ),
                    f'<{dataset}>; rel="{pages.VOID_IN_DATASET}"',
                ]
            ),
        }
        member = pages.in_dataset(node, self.base)
        if media == "text/html":
            alternates = [(_alternate(path, m), m) for m in RESOURCE_TYPES[1:]]
            page = pages.resource(self.store, node, self.link, alternates, self.tiles, self.base)
            return Reply(200, "text/html; charset=utf-8", page.encode(), headers)
        if media in QUAD_TYPES:
            quads = [*pages.description_quads(self.store, node), ox.Quad(*member)]
            return Reply(200, media, self._rdf(quads, media), headers)
        triples = [*pages.description(self.store, node), member]
        return Reply(200, media, self._rdf(triples, media), headers)

    def _rdf(self, statements: list[ox.Triple] | list[ox.Quad], media: str) -> bytes:
        fmt = QUAD_TYPES.get(media) or GRAPH_TYPES[media]
        return ox.serialize(statements, format=fmt, prefixes=self.prefixes) or b""

    def _whole_graph(self, node: ox.NamedNode) -> ox.NamedNode | None:
        """The named graph an IRI stands for as a whole, if it does: the ontology's IRI and
        its version IRIs give the ontology; a named graph no description speaks of (the
        inferences, the description, the ontology's graph) gives its triples."""
        ontology = ontology_graph(self.base)
        owl = "http://www.w3.org/2002/07/owl#"
        if any(
            True
            for _ in self.store.quads_for_pattern(
                node, ox.NamedNode(RDF_TYPE), ox.NamedNode(owl + "Ontology"), ontology
            )
        ) or any(
            True
            for _ in self.store.quads_for_pattern(
                None, ox.NamedNode(owl + "versionIRI"), node, ontology
            )
        ):
            return ontology
        if any(True for _ in self.store.quads_for_pattern(None, None, None, node)):
            return node
        return None

    def _graph_reply(self, node: ox.NamedNode, graph: ox.NamedNode, media: str, path: str) -> Reply:
        """A graph's triples in the negotiated syntax; as HTML, what it is and its RDF forms."""
        headers = {"Vary": "Accept", "Content-Location": _alternate(path, media)}
        quads = list(self.store.quads_for_pattern(None, None, None, graph))
        triples = [q.triple for q in quads]
        if media in QUAD_TYPES:
            return Reply(200, media, self._rdf(quads, media), headers)
        if media == "text/html":
            alternates = [(_alternate(path, m), m) for m in RESOURCE_TYPES[1:]]
            page = pages.graph_page(node.value, graph.value, len(triples), alternates)
            return Reply(200, "text/html; charset=utf-8", page.encode(), headers)
        return Reply(200, media, self._rdf(triples, media), headers)


def _alternate(path: str, media: str) -> str:
    """The address of a resource's form in `media` (`?format=` takes a media type)."""
    return f"{path}?format={urlencode({'': media})[1:]}"


def pin(sock: socket.socket, settings: dict[str, Any]) -> None:
    """Make the checkpoint of a release that the server's workers will read (serve/pool.py),
    and say whether it worked."""
    try:
        checkpoint(Path(settings["source"]), Path(settings["store"]))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        wire.send(sock, {"ready": False, "error": f"cannot pin {settings['source']}: {exc}"})
        return
    wire.send(sock, {"ready": True, "pid": os.getpid()})


def main(sock: socket.socket, settings: dict[str, Any]) -> None:
    """A worker's life: cut itself off from the network, open the release, say it is ready,
    then answer jobs until the server closes the connection (or kills it)."""
    die_with_parent()
    memory = int(settings["memory_mb"]) << 20
    # Heap and anonymous maps: a query that wants more fails its allocation and the worker
    # ends (Rust aborts), instead of the machine running out of memory.
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    try:
        forbid_network()
        store = open_release(Path(settings["store"]))
    except (SandboxUnavailableError, InputError) as exc:
        wire.send(sock, {"ready": False, "error": str(exc)})
        return
    wire.send(sock, {"ready": True, "pid": os.getpid()})
    answers = Answers(
        store,
        settings["base"],
        settings["forms"],
        int(settings["max_rows"]),
        str(settings.get("tiles") or ""),
    )
    while (message := wire.receive(sock)) is not None:
        job, _ = message
        reply = answers.reply(job)
        wire.send(sock, reply.header(), reply.body)
