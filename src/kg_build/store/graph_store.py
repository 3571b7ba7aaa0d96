"""Push the published dataset into any SPARQL 1.1 Graph Store Protocol server, replacing a
graph only once its successor is there whole.

The dump is parsed here first, so a malformed one is never sent. It goes into a staging graph
of its own, in parts of `BATCH` triples: the first replaces it (PUT), the others are added
(POST). One huge request is what servers handle worst: Virtuoso 7.2 deadlocked on a
1 M-triple PUT here (SQLSTATE 40001) and kept the part it had inserted, so a PUT is not
atomic either. Transient failures (connection errors, 429, 502-504, a deadlock) are retried
with exponential backoff; both methods can be repeated safely (a graph is a set of triples).
Once the staging graph holds as many triples as the dump, one SPARQL Update
`MOVE <staging> TO <graph>` (a single request, which the server runs as one transaction)
replaces the target, and its count is checked. Until then the target graph is untouched: a
load that fails, or a server that dies, leaves the old graph whole (and at worst a staging
graph, which the next load's MOVE does not involve and the error names).
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypedDict, Unpack

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

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
    update_endpoint: str | None = None  # defaults: see update_url

    def sparql_endpoint(self) -> str:
        if self.query_endpoint:
            return self.query_endpoint
        head, _, _ = self.endpoint.rstrip("/").rpartition("/")
        return f"{head}/sparql"

    def update_url(self) -> str:
        """Where SPARQL Update goes: given, or beside the Graph Store endpoint as the usual
        servers put it (Virtuoso: /sparql-graph-crud-auth -> /sparql-auth; Fuseki:
        /ds/data -> /ds/update), else the query endpoint."""
        if self.update_endpoint:
            return self.update_endpoint
        head, _, last = self.endpoint.rstrip("/").rpartition("/")
        beside = {"sparql-graph-crud-auth": "sparql-auth", "sparql-graph-crud": "sparql"}
        if last in beside:
            return f"{head}/{beside[last]}"
        if last == "data":
            return f"{head}/update"
        return self.sparql_endpoint()


@dataclass(frozen=True)
class Loaded:
    triples: int
    attempts: int
    seconds: float
    graphs: int = 1


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


def _session(target: Target, timeout: float) -> requests.Session:
    """One HTTP session for the whole load, its authentication answered once: with digest,
    later requests carry the answer from the start, so that no part of the dump is sent,
    refused with 401 and sent again."""
    session = requests.Session()
    if target.user is None:
        return session
    kind = target.auth
    if kind == "auto":
        kind = "digest" if _challenge(target, timeout).lower().startswith("digest") else "basic"
    password = target.password or ""
    session.auth = (
        HTTPDigestAuth(target.user, password)
        if kind == "digest"
        else HTTPBasicAuth(target.user, password)
    )
    if kind == "digest":  # learn the server's nonce with a request that has no body
        try:
            session.head(target.endpoint, params={"graph": target.graph}, timeout=timeout)
        except requests.RequestException:
            pass  # the first part will meet the same problem, and report it
    return session


def ntriples_of(*paths: Path) -> bytes:
    """Dumps as N-Triples bytes, what every GSP server accepts: one N-Triples file as it is;
    Turtle converted; several files merged, each triple once."""
    if len(paths) == 1 and paths[0].suffix == ".nt":
        return paths[0].read_bytes()
    store = ox.Store()
    for path in paths:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""


def named_graphs_of(path: Path) -> dict[str, bytes]:
    """Each named graph of a TriG file as N-Triples, by its IRI, in the file's order."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {
        iri: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        for iri, triples in graphs.items()
    }


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


class Sending(TypedDict, total=False):
    """How put_graphs sends: triples per request, retries and their first pause, the
    timeout of one request, and a progress callback."""

    batch: int
    retries: int
    backoff: float
    timeout: float
    progress: Progress | None


def put_graph(target: Target, data: bytes, **sending: Unpack[Sending]) -> Loaded:
    """Replace `target.graph` with the N-Triples once they are all on the server (see the
    module's docstring), then verify the count. Raises LoadError."""
    return put_graphs(target, {target.graph: data}, **sending)


def put_graphs(
    target: Target,
    graphs: Mapping[str, bytes],
    *,
    drop_under: str | None = None,
    keep: frozenset[str] = frozenset(),
    batch: int = BATCH,
    retries: int = 4,
    backoff: float = 0.5,
    timeout: float = 300,
    progress: Progress | None = None,
) -> Loaded:
    """Replace each named graph with its N-Triples (`target` gives the server; its own graph
    is not used): every graph is staged first, so that the old ones are untouched until all
    new ones are on the server; then SPARQL Update MOVEs them into place, as few requests as
    can carry them, and the counts are verified. `drop_under`: graphs on the server whose
    IRI starts with it and that are neither among `graphs` nor in `keep` are dropped too (a
    source removed since the last load). Raises LoadError."""
    for iri in graphs:
        if not _IRI.match(iri):
            raise LoadError(f"--graph {iri!r} is not an absolute IRI")
    expected = {iri: _triples_in(data) for iri, data in graphs.items()}
    start = time.perf_counter()
    session = _session(replace(target, graph=next(iter(graphs))), timeout)
    run = f"urn:kg-build:staging:{uuid.uuid4()}"
    staging = {iri: f"{run}:{n}" for n, iri in enumerate(graphs)}
    total, sent, attempts = sum(len(d) for d in graphs.values()), 0, 0
    unchanged = _unchanged(list(graphs))
    try:
        for iri, data in graphs.items():

            def report(done: int, _: int, before: int = sent) -> None:
                if progress:
                    progress(before + done, total)

            staged_target = replace(target, graph=staging[iri])
            attempts += _send_all(
                session, staged_target, data, batch, retries, backoff, timeout, report
            )
            sent += len(data)
        staged = count_graphs(target, list(staging.values()))
        for iri, count in expected.items():
            if staged.get(staging[iri], 0) != count:
                raise LoadError(
                    f"the server took {staged.get(staging[iri], 0)} of the {count} triples "
                    f"of <{iri}>"
                )
        stale = _stale(target, drop_under, {*graphs, *keep}) if drop_under else []
        operations = [
            # a graph with no triples is no graph to a store: MOVE would keep the old one
            f"MOVE SILENT <{staging[iri]}> TO <{iri}>" if count else f"DROP SILENT GRAPH <{iri}>"
            for iri, count in expected.items()
        ] + [f"DROP SILENT GRAPH <{iri}>" for iri in stale]
    except _UnreachableError as exc:  # before the first part reached the server
        raise LoadError(str(exc)) from None
    except LoadError as exc:
        left = _drop(session, target, list(staging.values()), timeout)
        raise LoadError(f"{exc}; {unchanged}{left}") from None
    try:
        _move_all(session, target, operations, timeout)
    except _MoveError as exc:
        left = _drop(session, target, list(staging.values()), timeout)
        done = (
            f"the first {exc.done} of {len(operations)} graphs were replaced, the others not"
            if exc.done
            else unchanged
        )
        raise LoadError(f"{exc}; {done}{left}") from None
    found = count_graphs(target, list(graphs))
    for iri, count in expected.items():
        if found.get(iri, 0) != count:
            raise LoadError(
                f"the server holds {found.get(iri, 0)} triples in <{iri}>, the dump has {count}"
            )
    return Loaded(sum(expected.values()), attempts, time.perf_counter() - start, len(graphs))


# Operations per SPARQL Update request: one request is one transaction on the servers we
# know, but a request of ten thousand MOVEs is more than some will parse.
MOVES = 500


def _move_all(
    session: requests.Session, target: Target, operations: list[str], timeout: float
) -> None:
    """The operations in requests of MOVES. With more graphs than one request carries, a
    failure part-way leaves the graphs of the requests before it done (_MoveError says how
    many) and the others as they were."""
    for start in range(0, len(operations), MOVES):
        try:
            _update(session, target, " ;\n".join(operations[start : start + MOVES]), timeout)
        except LoadError as exc:
            raise _MoveError(str(exc), start) from None


class _MoveError(LoadError):
    def __init__(self, message: str, done: int) -> None:
        super().__init__(message)
        self.done = done


def _unchanged(graphs: list[str]) -> str:
    if len(graphs) == 1:
        return f"<{graphs[0]}> is unchanged"
    return f"the {len(graphs)} graphs are unchanged"


def _stale(target: Target, prefix: str, keep: set[str]) -> list[str]:
    """The graphs on the server under `prefix` that are not to be kept."""
    query = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (STRSTARTS(STR(?g), {json.dumps(prefix)})) }}"  # a JSON string is SPARQL's too
    )
    try:
        result = RemoteEngine(target.sparql_endpoint()).run_text(query, form="SELECT")
    except QueryError as exc:
        raise LoadError(f"cannot list the graphs on the server: {exc}") from exc
    return sorted({str(row[0]) for row in result.rows if row[0] is not None} - keep)


def _send_all(
    session: requests.Session,
    target: Target,
    data: bytes,
    batch: int,
    retries: int,
    backoff: float,
    timeout: float,
    progress: Progress | None,
) -> int:
    """The dump into `target.graph` in parts; the attempts it took."""
    attempts = sent = 0
    for number, part in enumerate(parts_of(data, batch)):

        def report(done: int, _: int, before: int = sent) -> None:
            if progress:
                progress(before + done, len(data))

        method = "PUT" if number == 0 else "POST"
        try:
            attempts += _send(session, target, method, part, retries, backoff, timeout, report)
        except _UnreachableError as exc:
            if number == 0:
                raise
            raise LoadError(str(exc)) from None  # a staging graph holds the parts before
        sent += len(part)
    return attempts


def _update(session: requests.Session, target: Target, update: str, timeout: float) -> None:
    """One SPARQL Update request."""
    url = target.update_url()
    try:
        response = session.post(url, data={"update": update}, timeout=timeout)
    except requests.ConnectionError as exc:
        raise LoadError(str(_unreachable(url, exc))) from None
    except requests.Timeout as exc:
        raise LoadError(f"{url} did not answer within {timeout} s") from exc
    if response.status_code >= 400:
        raise LoadError(
            f"{url} refused the update (HTTP {response.status_code}): {_summary(response.text)}"
            " (give --update-endpoint if SPARQL Update is elsewhere)"
        )


def _drop(session: requests.Session, target: Target, staging: list[str], timeout: float) -> str:
    """Remove the staging graphs after a failure; what is left, for the message."""
    try:
        _move_all(session, target, [f"DROP SILENT GRAPH <{g}>" for g in staging], timeout)
    except _MoveError:
        if len(staging) == 1:
            return f" (a staging graph <{staging[0]}> may remain; drop it when the server is back)"
        run = staging[0].rpartition(":")[0]
        return f" (staging graphs <{run}:…> may remain; drop them when the server is back)"
    return ""


def _send(
    session: requests.Session,
    target: Target,
    method: str,
    part: bytes,
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
            response = session.request(
                method,
                target.endpoint,
                params={"graph": target.graph},
                data=_ProgressReader(part, progress),
                headers={"Content-Type": "application/n-triples"},
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
            raise LoadError(
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
            raise LoadError(
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


class _UnreachableError(LoadError):
    """No connection to the server could be made: the request never reached it."""


def _challenge(target: Target, timeout: float) -> str:
    """Ask, without sending the dump, which authentication scheme the server wants."""
    try:
        probe = requests.head(target.endpoint, params={"graph": target.graph}, timeout=timeout)
    except requests.RequestException:
        return ""  # the PUT will report the connection problem, with retries
    return probe.headers.get("WWW-Authenticate", "")


def count_triples(target: Target) -> int:
    return count_graphs(target, [target.graph]).get(target.graph, 0)


def count_graphs(target: Target, graphs: list[str], per_query: int = 200) -> dict[str, int]:
    """The triples in each of `graphs` on the server (a graph it does not have is left out)."""
    engine = RemoteEngine(target.sparql_endpoint())
    counts: dict[str, int] = {}
    for start in range(0, len(graphs), per_query):
        values = " ".join(f"<{g}>" for g in graphs[start : start + per_query])
        query = (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        try:
            result = engine.run_text(query, form="SELECT")
        except QueryError as exc:
            raise LoadError(f"cannot count the loaded triples: {exc}") from exc
        for graph, count in result.rows:
            if graph is None or count is None:
                raise LoadError(f"{target.sparql_endpoint()} gave no count")
            counts[str(graph)] = int(str(count))
    return counts


def _summary(text: str, width: int = 300) -> str:
    plain = " ".join(text.replace("<", " <").split())
    return plain if len(plain) <= width else plain[: width - 1] + "…"
