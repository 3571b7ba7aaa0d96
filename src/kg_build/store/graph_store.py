"""Push the published dataset into any SPARQL 1.1 Graph Store Protocol server.

HTTP PUT replaces the named graph in one request, so the server keeps the old graph until it
has accepted the new one (a payload it rejects leaves the old graph as it was). Transient
failures (connection errors, 5xx, 429) are retried with exponential backoff; PUT is
idempotent, so a retry cannot duplicate data. The triple count is then checked through the
SPARQL query endpoint.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from kg_build.query.engines import QueryError, RemoteEngine
from kg_build.query.params import _IRI

Progress = Callable[[int, int], None]  # bytes sent, bytes in all
AuthKind = Literal["auto", "basic", "digest"]
RETRY_STATUS = frozenset({429, 502, 503, 504})  # busy or restarting: worth another try


class LoadError(Exception):
    """The server did not take the graph; its previous graph is unchanged (exit code 2)."""


@dataclass(frozen=True)
class Target:
    endpoint: str  # the Graph Store Protocol URL, e.g. http://host:8890/sparql-graph-crud-auth
    graph: str
    user: str | None = None
    password: str | None = None
    auth: AuthKind = "auto"
    query_endpoint: str | None = None  # defaults to .../sparql next to the GSP URL

    def sparql_endpoint(self) -> str:
        if self.query_endpoint:
            return self.query_endpoint
        head, _, _ = self.endpoint.rstrip("/").rpartition("/")
        return f"{head}/sparql"


@dataclass(frozen=True)
class Loaded:
    triples: int
    attempts: int
    seconds: float


class _ProgressReader(io.BytesIO):
    """The request body: requests sends it with a Content-Length and reads it in blocks."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        super().__init__(data)
        self.total, self.progress = len(data), progress

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        if self.progress and piece:
            self.progress(self.tell(), self.total)
        return piece


def _auth(target: Target, challenge: str) -> AuthBase | None:
    if target.user is None:
        return None
    kind = target.auth
    if kind == "auto":
        kind = "digest" if challenge.lower().startswith("digest") else "basic"
    if kind == "digest":
        return HTTPDigestAuth(target.user, target.password or "")
    return HTTPBasicAuth(target.user, target.password or "")


def ntriples_of(path: Path) -> bytes:
    """A dump as N-Triples bytes (Turtle files are converted), what every GSP server accepts."""
    if path.suffix == ".nt":
        return path.read_bytes()
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")))
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""


def put_graph(
    target: Target,
    data: bytes,
    *,
    retries: int = 4,
    backoff: float = 0.5,
    timeout: float = 300,
    progress: Progress | None = None,
) -> Loaded:
    """Replace `target.graph` with the N-Triples file, then verify the count. Raises LoadError."""
    if not _IRI.match(target.graph):
        raise LoadError(f"--graph {target.graph!r} is not an absolute IRI")
    expected = sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#"))
    start = time.perf_counter()
    challenge = _challenge(target, timeout) if target.user and target.auth == "auto" else ""
    attempt = 0
    while True:
        attempt += 1
        try:
            response = requests.put(
                target.endpoint,
                params={"graph": target.graph},
                data=_ProgressReader(data, progress),
                headers={"Content-Type": "application/n-triples"},
                auth=_auth(target, challenge),
                timeout=timeout,
            )
        except requests.ConnectionError as exc:
            if attempt > retries:
                raise LoadError(f"cannot reach {target.endpoint}: {exc}") from exc
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        except requests.Timeout as exc:
            raise LoadError(f"{target.endpoint} did not answer within {timeout} s") from exc
        if response.status_code == 401:
            raise LoadError(
                f"{target.endpoint} refused the credentials (HTTP 401)"
                + ("" if target.user else "; give --user and --password")
            )
        if response.status_code in RETRY_STATUS:
            if attempt > retries:
                raise LoadError(f"{target.endpoint} failed: HTTP {response.status_code}")
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        if response.status_code >= 400:
            raise LoadError(
                f"{target.endpoint} rejected the graph (HTTP {response.status_code}): "
                f"{_summary(response.text)}"
            )
        break
    found = count_triples(target)
    if found != expected:
        raise LoadError(
            f"the server holds {found} triples in <{target.graph}>, the dump has {expected}"
        )
    return Loaded(found, attempt, time.perf_counter() - start)


def _challenge(target: Target, timeout: float) -> str:
    """Ask, without sending the dump, which authentication scheme the server wants."""
    try:
        probe = requests.head(target.endpoint, params={"graph": target.graph}, timeout=timeout)
    except requests.RequestException:
        return ""  # the PUT will report the connection problem, with retries
    return probe.headers.get("WWW-Authenticate", "")


def count_triples(target: Target) -> int:
    engine = RemoteEngine(target.sparql_endpoint())
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target.graph}> {{ ?s ?p ?o }} }}"
    try:
        result = engine.run_text(query)
    except QueryError as exc:
        raise LoadError(f"cannot count the loaded triples: {exc}") from exc
    if not result.rows or result.rows[0][0] is None:
        raise LoadError(f"{target.sparql_endpoint()} gave no count")
    return int(str(result.rows[0][0]))


def _summary(text: str, width: int = 300) -> str:
    plain = " ".join(text.replace("<", " <").split())
    return plain if len(plain) <= width else plain[: width - 1] + "…"
