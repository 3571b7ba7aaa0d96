"""The web application: SPARQL 1.1 Protocol at /sparql, the canned queries at /api/queries,
an OpenAPI description, and a page (or RDF) for every resource of the dataset.

Read-only by construction: the store is opened read-only, updates are refused, and
SERVICE is refused so the server never fetches URLs on a client's behalf.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg_build.namespaces import data_prefixes
from kg_build.query.catalog import CannedQuery, load_catalog
from kg_build.query.inject import _SKIP, with_values
from kg_build.query.params import ParameterError, bind
from kg_build.serve import pages
from kg_build.serve.negotiate import best_match
from kg_build.serve.openapi import openapi_document
from kg_build.serve.results import GRAPH_TYPES, SELECT_TYPES, Answer, evaluate, write
from kg_build.store.embedded import open_store

log = logging.getLogger("kg_build.serve")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    dist: Path
    base: str
    queries: Path
    public_base: str | None = None  # where clients reach us, if not at `base` (behind a proxy)
    timeout: float = 30.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    cors_origins: tuple[str, ...] = ("*",)
    catalog: dict[str, CannedQuery] = field(default_factory=dict, compare=False)


class ClientError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_app(settings: Settings) -> Starlette:
    store = open_store(settings.dist)
    catalog = settings.catalog or load_catalog(settings.queries)
    public = (settings.public_base or settings.base).rstrip("/") + "/"
    prefixes = {p: str(ns) for p, ns in data_prefixes(settings.base).items()}

    def local(iri: str) -> str:
        """Where an IRI of ours resolves on this server; other IRIs stay as they are."""
        if iri.startswith(settings.base):
            return "/" + iri[len(settings.base) :]
        return iri

    async def run(text: str, graphs: list[str] | None = None) -> Answer:
        masked = _SKIP.sub(lambda m: " " * len(m.group(0)), text)
        if _SERVICE.search(masked):
            raise ClientError(
                400,
                "SERVICE is disabled on this endpoint: it does not fetch "
                "other endpoints for clients",
            )
        try:
            return await asyncio.wait_for(
                run_in_threadpool(evaluate, store, text, settings.max_rows, graphs or []),
                settings.timeout,
            )
        except SyntaxError as exc:
            raise ClientError(400, f"malformed query: {exc}") from exc
        except TimeoutError as exc:
            raise ClientError(
                503,
                f"the query took longer than {settings.timeout:g} s and was abandoned; "
                "make it more selective or add a LIMIT",
            ) from exc

    def respond(answer: Answer, request: Request, explicit: str | None = None) -> Response:
        offered = list(GRAPH_TYPES if answer.kind == "graph" else SELECT_TYPES)
        media = (
            explicit if explicit in offered else best_match(request.headers.get("accept"), offered)
        )
        if media is None:
            raise ClientError(
                406, f"cannot answer in any of the accepted types; offered: {', '.join(offered)}"
            )
        body = write(answer, media, local)
        if media == "text/html":
            body = pages.wrap("Query results", body.decode()).encode()
        headers = {"X-Result-Limit": str(settings.max_rows), "Vary": "Accept"}
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
        charset = (
            "; charset=utf-8"
            if media.startswith(
                (
                    "text/",
                    "application/sparql-results+json",
                    "application/json",
                    "application/ld+json",
                )
            )
            else ""
        )
        return Response(body, media_type=media + charset, headers=headers)

    async def sparql(request: Request) -> Response:
        length = int(request.headers.get("content-length") or 0)
        if length > settings.max_body:
            raise ClientError(413, f"request body over {settings.max_body} bytes")
        params = dict(request.query_params)
        text = params.get("query")
        if request.method == "POST":
            body = await request.body()
            if len(body) > settings.max_body:
                raise ClientError(413, f"request body over {settings.max_body} bytes")
            kind = request.headers.get("content-type", "").split(";")[0].strip()
            if kind == "application/sparql-update":
                raise ClientError(403, "this endpoint is read-only: updates are refused")
            if kind == "application/sparql-query":
                text = body.decode("utf-8", errors="replace")
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
                params.update({k: v[0] for k, v in form.items()})
                text = params.get("query")
            else:
                raise ClientError(
                    415, "send application/sparql-query, or a urlencoded form with `query`"
                )
        if "update" in params:
            raise ClientError(403, "this endpoint is read-only: updates are refused")
        if not text:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(pages.home(store, catalog, local, settings.base))
            raise ClientError(400, "give a SPARQL query in the `query` parameter")
        graphs = request.query_params.getlist("default-graph-uri")
        answer = await run(text, graphs)
        return respond(answer, request, _format_param(params.get("format")))

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
        answer = await run(text)
        return respond(answer, request, _format_param(request.query_params.get("format")))

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(catalog, public))

    async def docs(request: Request) -> Response:
        return HTMLResponse(pages.api_docs(openapi_document(catalog, public)))

    async def home(request: Request) -> Response:
        return HTMLResponse(pages.home(store, catalog, local, settings.base))

    async def resource(request: Request) -> Response:
        iri = settings.base + request.url.path.lstrip("/")
        node = ox.NamedNode(iri)
        if not any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph())):
            raise ClientError(404, f"nothing is known about <{iri}>")
        offered = [
            "text/html",
            "text/turtle",
            "application/ld+json",
            "application/n-triples",
            "application/rdf+xml",
        ]
        media = _format_param(request.query_params.get("format")) or best_match(
            request.headers.get("accept"), offered
        )
        if media not in offered:
            raise ClientError(406, f"offered: {', '.join(offered)}")
        headers = {
            "Vary": "Accept",
            "Link": ", ".join(
                f'<{request.url.path}?format={urlencode({"": m})[1:]}>; rel="alternate"; type="{m}"'
                for m in offered[1:]
            ),
        }
        if media == "text/html":
            return HTMLResponse(pages.resource(store, node, local), headers=headers)
        triples = pages.description(store, node)
        body = ox.serialize(triples, format=GRAPH_TYPES[media], prefixes=prefixes) or b""
        return Response(body, media_type=media, headers=headers)

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                response = await handler(request)
            except ClientError as exc:
                response = PlainTextResponse(str(exc) + "\n", status_code=exc.status)
            log.info("%s %s -> %s", request.method, request.url.path, response.status_code)
            return response

        return wrapped

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
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["X-Result-Limit", "X-Result-Truncated"],
        )
    ]
    return Starlette(routes=routes, middleware=middleware)


_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def _format_param(value: str | None) -> str | None:
    """`?format=csv` for clients (and HTML forms) that cannot set Accept."""
    return _FORMATS.get(value or "")


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
