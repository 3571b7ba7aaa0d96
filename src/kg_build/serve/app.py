"""The web application: SPARQL 1.1 Protocol at /sparql, the canned queries at /api/queries,
an OpenAPI description, and a page (or RDF) for every resource of the dataset.

This process reads requests, checks them, and hands anything that touches the store to a
query worker (serve/pool.py, serve/worker.py): it never evaluates a query itself, so it
stays responsive, and a query can be stopped. Read-only by construction: workers open the
store read-only and cannot reach the network; updates are refused here.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from base64 import b64encode
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg_build.query.catalog import CannedQuery, load_catalog
from kg_build.query.inject import with_values
from kg_build.query.params import ParameterError, bind
from kg_build.serve import pages
from kg_build.serve.openapi import openapi_document
from kg_build.serve.pool import Pool
from kg_build.serve.reply import ClientError, Reply
from kg_build.serve.screen import QueryLimits, RefusedQueryError, screen

log = logging.getLogger("kg_build.serve")

# Every HTML answer may only show itself: no script at all, the one inline stylesheet (by
# its digest), forms that post back here, no framing. Data in an answer cannot become code.
_STYLE_DIGEST = b64encode(hashlib.sha256(pages.STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_DIGEST}'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
CLIENT_GONE = 499  # nginx's code for a request whose client closed the connection first
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


@dataclass(frozen=True)
class Settings:
    """What the app needs; the limits of query workers are the pool's (serve/pool.py)."""

    base: str
    queries: Path
    public_base: str | None = None  # where clients reach us, if not at `base` (behind a proxy)
    max_rows: int = 10_000
    max_body: int = 1_000_000
    client_timeout: float = 10.0  # seconds a client may take to send a request's body
    query_limits: QueryLimits = field(default_factory=QueryLimits)
    cors_origins: tuple[str, ...] = ("*",)
    catalog: dict[str, CannedQuery] = field(default_factory=dict, compare=False)


def _catalog(settings: Settings) -> dict[str, CannedQuery]:
    return settings.catalog or load_catalog(settings.queries)


def worker_settings(settings: Settings) -> dict[str, Any]:
    """What every query worker needs besides its store (JSON: it crosses a process border)."""
    return {
        "base": settings.base,
        "max_rows": settings.max_rows,
        "forms": pages.query_forms(_catalog(settings)),
    }


def create_app(settings: Settings, pool: Pool) -> Starlette:
    catalog = _catalog(settings)
    public = (settings.public_base or settings.base).rstrip("/") + "/"
    home_pages: dict[Path, Reply] = {}  # one per release: it only changes with the data

    async def ask(request: Request, job: dict[str, Any]) -> Reply | None:
        """The worker's reply to `job`, or None if the client went away first (the job is then
        stopped: nobody would read its answer)."""
        work = asyncio.ensure_future(pool.run(job))
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            work.cancel()
            raise
        finally:
            gone.cancel()
        if work.done():
            return work.result()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, ClientError):
            await work
        log.info(
            "%s %s: the client went away; its job was stopped", request.method, request.url.path
        )
        return None

    async def answer(request: Request, job: dict[str, Any]) -> Response:
        reply = await ask(request, job)
        return Response(status_code=CLIENT_GONE) if reply is None else _response(reply)

    async def run_query(request: Request, text: str, extra: dict[str, Any]) -> Response:
        try:
            screen(text, settings.query_limits)
        except RefusedQueryError as exc:
            raise ClientError(400, str(exc)) from exc
        return await answer(request, {"op": "sparql", "query": text, **extra})

    async def sparql(request: Request) -> Response:
        params = _pairs(request.url.query)
        text: str | None = None
        if request.method == "POST":
            body = await _body(request, settings.max_body, settings.client_timeout)
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-update":
                raise ClientError(403, "this endpoint is read-only: updates are refused")
            if kind == "application/sparql-query":
                if _values(params, "query"):
                    raise ClientError(400, "give the query in the body or in `query`, not both")
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ClientError(400, f"the query is not UTF-8 ({exc.reason})") from exc
            elif kind == "application/x-www-form-urlencoded":
                params += _pairs(body.decode("utf-8", errors="replace"))
            else:
                raise ClientError(
                    415, "send application/sparql-query, or a urlencoded form with `query`"
                )
        if _values(params, "update"):
            raise ClientError(403, "this endpoint is read-only: updates are refused")
        if text is None:
            given = _values(params, "query")
            if len(given) > 1:
                raise ClientError(400, "give `query` once (the SPARQL Protocol allows one)")
            text = given[0] if given else None
        if not text:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                return await home(request)
            raise ClientError(400, "give a SPARQL query in the `query` parameter")
        default = [_graph_iri("default-graph-uri", v) for v in _values(params, "default-graph-uri")]
        named = [_graph_iri("named-graph-uri", v) for v in _values(params, "named-graph-uri")]
        return await run_query(
            request,
            text,
            {
                "dataset": [default, named] if default or named else None,
                "accept": request.headers.get("accept"),
                "format": _last(params, "format"),
            },
        )

    async def list_queries(request: Request) -> Response:
        return JSONResponse([_describe(q) for q in catalog.values()])

    async def canned(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in catalog:
            raise ClientError(404, f"no query {name!r}; GET /api/queries lists them")
        query = catalog[name]
        given = {k: v for k, v in request.query_params.items() if k != "format"}
        try:
            bindings = bind(query, given)
            text = with_values(query.text, bindings, codepoints_safe=True)
        except ParameterError as exc:
            raise ClientError(400, str(exc)) from exc
        extra = {
            "accept": request.headers.get("accept"),
            "format": request.query_params.get("format"),
        }
        return await run_query(request, text, extra)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(catalog, public))

    async def docs(request: Request) -> Response:
        return HTMLResponse(pages.api_docs(openapi_document(catalog, public)))

    async def home(request: Request) -> Response:
        release = pool.release
        if release not in home_pages:
            reply = await ask(request, {"op": "home"})
            if reply is None or reply.status != 200:
                return Response(status_code=CLIENT_GONE) if reply is None else _response(reply)
            home_pages.clear()
            home_pages[release] = reply
        return _response(home_pages[release])

    async def resource(request: Request) -> Response:
        iri = _iri_of(request, settings.base)
        job = {
            "op": "resource",
            "iri": iri,
            "path": request.url.path,
            "accept": request.headers.get("accept"),
            "format": request.query_params.get("format"),
        }
        return await answer(request, job)

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                if request.method in ("GET", "HEAD") and _has_body(request):
                    # nothing would read it; a client could stream one for ever
                    raise ClientError(400, "a GET request carries no body", {"Connection": "close"})
                response = await handler(request)
            except ClientError as exc:
                response = _response(Reply.of_error(exc))
            except ClientDisconnect:
                response = Response(status_code=CLIENT_GONE)
            log.debug("%s %s -> %s", request.method, request.url.path, response.status_code)
            return response

        return wrapped

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool.begin()
        try:
            yield
        finally:
            pool.close_now()

    routes = [
        Route("/", guarded(home)),
        Route("/sparql", guarded(sparql), methods=["GET", "POST"]),
        Route("/api/queries", guarded(list_queries)),
        Route("/api/queries/{name}", guarded(canned)),
        Route("/openapi.json", guarded(openapi)),
        Route("/docs", guarded(docs)),
        Route("/{rest:path}", guarded(resource)),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["X-Result-Limit", "X-Result-Truncated", "Retry-After"],
        ),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` on every answer, and the Content-Security-Policy on
    every HTML answer (error pages included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                headers.append((b"x-content-type-options", b"nosniff"))
                if kind.startswith(b"text/html"):
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _response(reply: Reply) -> Response:
    return Response(
        reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers
    )


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "0").strip()
    return length != "0" or "transfer-encoding" in request.headers


async def _disconnected(request: Request) -> None:
    """Return once the client has closed the connection (the request's body is read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _body(request: Request, limit: int, timeout: float) -> bytes:
    """The request's body, read as it arrives: cut off (413) as soon as it passes `limit`
    bytes, whatever Content-Length said or if there is none (chunked), and 408 if it does not
    arrive within `timeout` seconds. Both close the connection: the rest is not read."""
    close = {"Connection": "close"}
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ClientError(400, "Content-Length is not a number", close)
        if int(declared) > limit:
            raise ClientError(413, f"request body over {limit} bytes", close)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ClientError(413, f"request body over {limit} bytes", close)
                chunks.append(chunk)
    except TimeoutError as exc:
        raise ClientError(
            408, f"the request body did not arrive within {timeout:g} s", close
        ) from exc
    return b"".join(chunks)


def _pairs(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")


def _values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def _last(pairs: list[tuple[str, str]], name: str) -> str | None:
    found = _values(pairs, name)
    return found[-1] if found else None


def _graph_iri(parameter: str, value: str) -> str:
    """A graph IRI given by the protocol's parameters, or 400 saying what is wrong with it."""
    if not _ABSOLUTE.match(value):
        raise ClientError(400, f"{parameter} must be an absolute IRI, not {value[:200]!r}")
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ClientError(400, f"{parameter} is not a valid IRI ({exc}): {value[:200]!r}") from exc
    return value


def _iri_of(request: Request, base: str) -> str:
    """The IRI a request path stands for: the base plus the path as the client sent it (not
    percent-decoded: %20 and a space are different IRIs), with percent-encoded UTF-8 of
    non-ASCII characters read as those characters (RFC 3987, 3.2). 400 if no IRI results."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    try:
        path = raw.decode("ascii").lstrip("/")
    except UnicodeDecodeError as exc:
        raise ClientError(400, "the path is not ASCII; percent-encode it") from exc

    def characters(match: re.Match[str]) -> str:
        octets = bytes.fromhex(match.group(0).replace("%", ""))
        try:
            return octets.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    iri = base + _NON_ASCII_ESCAPES.sub(characters, path)
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ClientError(400, f"the path does not make an IRI ({exc})") from exc
    return iri


def _describe(query: CannedQuery) -> dict[str, object]:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form,
        "path": f"/api/queries/{query.name}",
        "parameters": [
            {
                "name": p.name,
                "type": p.type_label,
                "required": p.required and p.default is None,
                "default": p.default,
                "example": p.example,
            }
            for p in query.parameters
        ],
    }
