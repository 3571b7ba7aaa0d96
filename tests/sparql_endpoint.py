"""A small SPARQL 1.1 Protocol endpoint over a pyoxigraph store, on loopback, for tests of the
code that talks to remote endpoints (SPARQLWrapper). Real HTTP, real parsing; no mocks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox


def _handler(store: ox.Store, received: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _answer(self, query: str) -> None:
            received.append(query)
            try:
                result = store.query(query, use_default_graph_as_union=True)
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
            query = parse_qs(urlparse(self.path).query).get("query", [""])[0]
            self._answer(query)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                self._answer(body)
            else:
                self._answer(parse_qs(body).get("query", [""])[0])

    return Handler


@contextmanager
def serve(store: ox.Store) -> Iterator[tuple[str, list[str]]]:
    """Yield (endpoint URL, list of received query texts) while the server runs."""
    received: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(store, received))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql", received
    finally:
        server.shutdown()
        server.server_close()
