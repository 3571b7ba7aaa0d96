"""The web application: SPARQL 1.1 Protocol at /sparql, the canned queries at /api/queries,
an OpenAPI description, and a page (or RDF) for every resource of the dataset.

This process reads requests, checks them, and hands anything that touches the store to a
query worker (serve/pool.py, serve/worker.py): it never evaluates a query itself, so it
stays responsive, and a query can be stopped. Read-only by construction: workers open the
store read-only and cannot reach the network; updates are refused here. The routes are
below; each handler is a function of (service, request) in its own module.
"""

from __future__ import annotations

import contextlib
import hashlib
from base64 import b64encode
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg_build.pages import html as pages
from kg_build.serve import api, protocol, resources
from kg_build.serve.pool import Pool
from kg_build.serve.service import Handler, Service, Settings, worker_settings

__all__ = ["Settings", "create_app", "worker_settings"]

# Every HTML answer may only show itself: scripts only from our own /static/ (vendored, no
# inline script: JSON-LD and map data are data blocks, never run), our stylesheets and the
# one inline stylesheet (by its digest), images from here and the map tiles' server, forms
# that post back here, no framing. Data in an answer cannot become code.
_STYLE_DIGEST = b64encode(hashlib.sha256(pages.STYLE.encode()).digest()).decode()


def content_security_policy(tiles: str) -> str:
    parts = urlsplit(tiles.replace("{s}", "a"))
    origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        f"default-src 'none'; script-src 'self'; connect-src 'self'; "
        f"style-src 'self' 'sha256-{_STYLE_DIGEST}'; "
        f"img-src 'self' data:{origin}; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


ROUTES: list[tuple[str, Handler, list[str]]] = [
    ("/", resources.home, ["GET"]),
    ("/sparql", protocol.sparql, ["GET", "POST"]),
    ("/api/queries", api.list_queries, ["GET"]),
    ("/api/names", api.names, ["GET"]),
    ("/api/queries/{name}", api.canned, ["GET"]),
    ("/openapi.json", api.openapi, ["GET"]),
    ("/docs", api.docs, ["GET"]),
    ("/.well-known/void", resources.well_known_void, ["GET"]),
    ("/static/{path:path}", resources.static, ["GET"]),  # our scripts and their libraries
    ("/dist/{name}", resources.distribution, ["GET"]),  # the published files themselves
    ("/{rest:path}", resources.resource, ["GET"]),  # every other path is a resource's IRI
]


def create_app(settings: Settings, pool: Pool) -> Starlette:
    service = Service(settings, pool)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool.begin()
        try:
            yield
        finally:
            pool.close_now()

    routes = [
        Route(path, service.route(handler), methods=methods) for path, handler, methods in ROUTES
    ]
    middleware = [
        Middleware(SecurityHeaders, policy=content_security_policy(settings.tiles)),
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

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app, self.policy = app, policy.encode()

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
                    headers.append((b"content-security-policy", self.policy))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
