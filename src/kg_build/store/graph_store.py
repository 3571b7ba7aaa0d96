"""Push the published dataset into any SPARQL 1.1 Graph Store Protocol server.

The dump is parsed here first, so a malformed one is never sent. It then goes in parts of
`BATCH` triples: the first replaces the named graph (PUT), the others are added to it (POST).
One huge request is what servers handle worst: Virtuoso 7.2 deadlocked on a 1 M-triple PUT
here (SQLSTATE 40001) and kept the part it had inserted, so a PUT is not atomic either.
Transient failures (connection errors, 429, 502-504, a deadlock) are retried with
exponential backoff; both methods can be repeated safely (a graph is a set of triples).
The triple count is then checked through the SPARQL query endpoint; after a failure that may
have changed the graph, the error says what the server now holds.
"""

from __future__ import annotations

import io
import re
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
# SQLSTATE 40001 (serialization failure) is the standard "repeat the transaction"; Virtuoso
# answers it as HTTP 500 "SR172: Transaction deadlocked"
_DEADLOCK = re.compile(r"\b40001\b|deadlock", re.IGNORECASE)
BATCH = 100_000  # triples per request: 15-20 MB of N-Triples, as fast in all as one request


class LoadError(Exception):
    """The server did not take the graph; the message says what it holds now (exit code 2)."""


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


def parts_of(data: bytes, size: int = BATCH) -> list[bytes]:
    """N-Triples bytes cut between lines into parts of at most `size` triples."""
    lines = data.splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)] or [b""]


def _triples_in(data: bytes) -> int:
    try:
        return sum(1 for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise LoadError(
            f"the dump is not valid N-Triples ({exc}); nothing was sent, "
            "the server's graph is unchanged"
        ) from exc


def put_graph(
    target: Target,
    data: bytes,
    *,
    batch: int = BATCH,
    retries: int = 4,
    backoff: float = 0.5,
    timeout: float = 300,
    progress: Progress | None = None,
) -> Loaded:
    """Replace `target.graph` with the N-Triples, then verify the count. Raises LoadError."""
    if not _IRI.match(target.graph):
        raise LoadError(f"--graph {target.graph!r} is not an absolute IRI")
    expected = _triples_in(data)
    start = time.perf_counter()
    challenge = _challenge(target, timeout) if target.user and target.auth == "auto" else ""
    parts = parts_of(data, batch)
    attempts = sent = 0
    for number, part in enumerate(parts):

        def report(done: int, _: int, before: int = sent) -> None:
            if progress:
                progress(before + done, len(data))

        try:
            attempts += _send(
                target,
                "PUT" if number == 0 else "POST",
                part,
                challenge,
                retries,
                backoff,
                timeout,
                report,
            )
        except _UnreachableError as exc:
            if number == 0:  # nothing has reached the server
                raise LoadError(str(exc)) from None
            raise LoadError(f"{exc}; {_holds(target, expected)}") from None
        except _RefusedError as exc:
            if number == 0:  # a request the server refused outright was not applied
                raise LoadError(f"{exc}; the server's previous graph is unchanged") from None
            raise LoadError(f"{exc}; {_holds(target, expected)}") from None
        except LoadError as exc:
            raise LoadError(f"{exc}; {_holds(target, expected)}") from None
        sent += len(part)
    found = count_triples(target)
    if found != expected:
        raise LoadError(
            f"the server holds {found} triples in <{target.graph}>, the dump has {expected}"
        )
    return Loaded(found, attempts, time.perf_counter() - start)


class _RefusedError(LoadError):
    """The server answered a request with a client error (4xx): it did not apply it."""


class _UnreachableError(LoadError):
    """No connection to the server could be made: the request never reached it."""


def _send(
    target: Target,
    method: str,
    part: bytes,
    challenge: str,
    retries: int,
    backoff: float,
    timeout: float,
    progress: Progress | None,
) -> int:
    """One request, repeated while the failure is transient; returns the attempts made."""
    attempt = 0
    while True:
        attempt += 1
        try:
            response = requests.request(
                method,
                target.endpoint,
                params={"graph": target.graph},
                data=_ProgressReader(part, progress),
                headers={"Content-Type": "application/n-triples"},
                auth=_auth(target, challenge),
                timeout=timeout,
            )
        except requests.ConnectionError as exc:
            if attempt > retries:
                raise _unreachable(target.endpoint, exc) from None
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        except requests.Timeout as exc:
            raise LoadError(f"{target.endpoint} did not answer within {timeout} s") from exc
        if response.status_code == 401:
            raise _RefusedError(
                f"{target.endpoint} refused the credentials (HTTP 401)"
                + ("" if target.user else "; give --user and --password")
            )
        transient = response.status_code in RETRY_STATUS or (
            response.status_code >= 500 and _DEADLOCK.search(response.text) is not None
        )
        if transient and attempt <= retries:
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        if response.status_code >= 400:
            what = "rejected the graph" if response.status_code < 500 else "failed"
            error = _RefusedError if response.status_code < 500 else LoadError
            raise error(
                f"{target.endpoint} {what} (HTTP {response.status_code}): {_summary(response.text)}"
            )
        return attempt


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^\"')\]]+)")


def _unreachable(endpoint: str, exc: requests.ConnectionError) -> LoadError:
    """One line for a server that could not be reached: the system's reason, not urllib3's
    chain of exceptions. A connection never made sent nothing (a refusal: nothing applied)."""
    text = str(exc)
    found = _ERRNO.search(text)
    reason = found[1].strip().rstrip(".") if found else type(exc).__name__
    message = f"cannot reach {endpoint}: {reason[:1].lower()}{reason[1:]}"
    if "NewConnectionError" in text or "NameResolutionError" in text:
        return _UnreachableError(f"{message} (is the server running, and the URL right?)")
    return LoadError(message)


def _holds(target: Target, expected: int) -> str:
    """What the graph holds after a failure that may have changed it."""
    try:
        found = count_triples(target)
    except LoadError:
        return "the server's graph may hold part of the dump: run `kg load` again"
    return (
        f"<{target.graph}> now holds {found} triples of the dump's {expected}: "
        "run `kg load` again to replace it"
    )


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
