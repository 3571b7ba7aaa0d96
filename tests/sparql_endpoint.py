"""A small SPARQL 1.1 Protocol endpoint over a pyoxigraph store, on loopback, for tests of the
code that talks to remote endpoints (SPARQLWrapper). Real HTTP, real parsing; no mocks."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox


@dataclass
class Behaviour:
    """How the Graph Store endpoint (/store) misbehaves: fail the next N requests (PUT or
    POST) with a status and message, or every request after the first `fail_after`."""

    failures: int = 0
    status: int = 503
    message: bytes = b"try again later"
    fail_after: int | None = None
    puts: int = 0
    posts: int = 0
    user: str | None = None  # when set, PUT needs HTTP basic auth with this user and password
    password: str = ""
    # like `oxigraph serve --union-default-graph`; off for stores that hold the union already
    union_default_graph: bool = True
    updates: int = 0  # SPARQL Update requests (form field `update`) received
    refuse_updates: bool = False


def _handler(
    store: ox.Store, received: list[str], behaviour: Behaviour
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _answer(self, query: str, default_graphs: list[str] | None = None) -> None:
            """`default_graphs`: the protocol's default-graph-uri, if given (the named
            graphs stay visible, as on Virtuoso and Oxigraph server)."""
            received.append(query)
            try:
                if default_graphs:
                    result = store.query(
                        query, default_graph=[ox.NamedNode(g) for g in default_graphs]
                    )
                else:
                    result = store.query(
                        query, use_default_graph_as_union=behaviour.union_default_graph
                    )
            except SyntaxError as exc:
                self._send(400, "text/plain", str(exc).encode())
                return
            if isinstance(result, ox.QueryTriples):
                body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
                self._send(200, "application/n-triples", body)
            else:
                body = result.serialize(format=ox.QueryResultsFormat.JSON)
                self._send(200, "application/sparql-results+json", body)

        def _send(self, status: int, content_type: str, body: bytes | None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            fields = parse_qs(urlparse(self.path).query)
            self._answer(fields.get("query", [""])[0], fields.get("default-graph-uri"))

        def do_PUT(self) -> None:  # noqa: N802 - Graph Store Protocol: replace a named graph
            behaviour.puts += 1
            self._graph_store(replace=True)

        def _graph_store(self, replace: bool) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if behaviour.user is not None:
                expected = base64.b64encode(f"{behaviour.user}:{behaviour.password}".encode())
                if self.headers.get("Authorization", "") != f"Basic {expected.decode()}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            requests = behaviour.puts + behaviour.posts
            if behaviour.failures > 0 or (
                behaviour.fail_after is not None and requests > behaviour.fail_after
            ):
                behaviour.failures = max(0, behaviour.failures - 1)
                self._send(behaviour.status, "text/plain", behaviour.message)
                return
            graph = ox.NamedNode(parse_qs(urlparse(self.path).query)["graph"][0])
            try:
                quads = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as exc:
                self._send(400, "text/plain", f"rejected: {exc}".encode())
                return
            if replace and store.contains_named_graph(graph):
                store.remove_graph(graph)
            store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            self._send(201 if replace else 200, "text/plain", b"")

        def do_POST(self) -> None:  # noqa: N802 - a query, or Graph Store Protocol: add
            if urlparse(self.path).path == "/store":
                behaviour.posts += 1
                self._graph_store(replace=False)
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            in_url = parse_qs(urlparse(self.path).query).get("default-graph-uri", [])
            if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                self._answer(body, in_url)
            elif "update" in parse_qs(body):
                self._update(parse_qs(body)["update"][0])
            else:
                fields = parse_qs(body)
                graphs = in_url + fields.get("default-graph-uri", [])
                self._answer(fields.get("query", [""])[0], graphs)

        def _update(self, update: str) -> None:
            """SPARQL 1.1 Update, run by Oxigraph in one transaction (as `oxigraph serve`)."""
            received.append(update)
            behaviour.updates += 1
            if behaviour.refuse_updates:
                self._send(400, "text/plain", b"updates are not allowed here")
                return
            try:
                store.update(update)
            except SyntaxError as exc:
                self._send(400, "text/plain", str(exc).encode())
                return
            self._send(204, "text/plain", b"")

    return Handler


@contextmanager
def serve(store: ox.Store, behaviour: Behaviour | None = None) -> Iterator[tuple[str, list[str]]]:
    """Yield (SPARQL endpoint URL, list of received query texts) while the server runs; the
    Graph Store Protocol endpoint is the same URL with /store instead of /sparql."""
    received: list[str] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(store, received, behaviour or Behaviour())
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql", received
    finally:
        server.shutdown()
        server.server_close()
