"""What every handler shares: the settings, the pool of query workers and the canned
queries; and how a job goes to a worker, is stopped when its client goes away, and comes
back as a response. Handlers are plain functions of (service, request): serve/protocol.py,
serve/api.py, serve/resources.py; serve/app.py routes to them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from kg_build.pages import html as pages
from kg_build.pages import i18n
from kg_build.pages.render import DEFAULT_TILES
from kg_build.query.catalog import CannedQuery, load_catalog
from kg_build.serve.caching import cached
from kg_build.serve.pool import Pool
from kg_build.serve.reply import ClientError, Reply
from kg_build.serve.requests import disconnected, has_body, response_of
from kg_build.serve.screen import QueryLimits, RefusedQueryError, screen

log = logging.getLogger("kg_build.serve")


def language_of(request: Request) -> str:
    """The language a request's pages come in (pages/i18n.py)."""
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language"),
    )


def spoken(request: Request, response: Response) -> None:
    """A page says which headers chose its language; `?lang=` is remembered in a cookie."""
    if (
        response.media_type
        and response.media_type.startswith("text/html")
        or (response.headers.get("content-type", "").startswith("text/html"))
    ):
        vary = [v for v in response.headers.get("vary", "").split(",") if v.strip()]
        response.headers["Vary"] = ", ".join([*vary, "Accept-Language", "Cookie"]).strip(", ")
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE, request.query_params["lang"], max_age=365 * 86400, samesite="lax"
        )
        # a switch of language must reach the server to set the cookie: a browser's stored
        # copy of the page would leave the cookie as it was
        response.headers["Cache-Control"] = "no-cache"


CLIENT_GONE = 499  # nginx's code for a request whose client closed the connection first


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
    tiles: str = DEFAULT_TILES  # map tiles' URL template ({z}/{x}/{y}); "" for no tiles
    catalog: dict[str, CannedQuery] = field(default_factory=dict, compare=False)

    def canned(self) -> dict[str, CannedQuery]:
        return self.catalog or load_catalog(self.queries)


def worker_settings(settings: Settings) -> dict[str, Any]:
    """What every query worker needs besides its store (JSON: it crosses a process border)."""
    return {
        "base": settings.base,
        "max_rows": settings.max_rows,
        "forms": pages.query_forms(settings.canned()),
        "tiles": settings.tiles,
    }


Handler = Callable[["Service", Request], Awaitable[Response]]


class Service:
    def __init__(self, settings: Settings, pool: Pool) -> None:
        self.settings, self.pool = settings, pool
        self.catalog = settings.canned()
        self.public = (settings.public_base or settings.base).rstrip("/") + "/"
        # one per release and language: they change only with the data
        self.home_pages: dict[tuple[Path, str], Reply] = {}
        self.graph_counts: dict[tuple[Path, str], Reply] = {}  # the service description's

    async def ask(self, request: Request, job: dict[str, Any]) -> Reply | None:
        """The worker's reply to `job`, or None if the client went away first (the job is then
        stopped: nobody would read its answer). Pages come in the request's language."""
        job = {"lang": language_of(request), **job}
        work = asyncio.ensure_future(self.pool.run(job))
        gone = asyncio.ensure_future(disconnected(request))
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

    async def once_per_release(
        self, request: Request, cache: dict[tuple[Path, str], Reply], job: dict[str, Any]
    ) -> Reply | None:
        """The worker's reply to a `job` whose answer changes only with the data: asked once
        per release and language, kept in `cache`; None if the client went away first."""
        key = (self.pool.release, language_of(request))
        if key not in cache:
            reply = await self.ask(request, job)
            if reply is None or reply.status != 200:
                return reply
            for old in [k for k in cache if k[0] != key[0]]:
                del cache[old]
            cache[key] = reply
        return cache[key]

    async def answer(self, request: Request, job: dict[str, Any]) -> Response:
        reply = await self.ask(request, job)
        return Response(status_code=CLIENT_GONE) if reply is None else response_of(reply)

    async def run_query(self, request: Request, text: str, extra: dict[str, Any]) -> Response:
        """Screen the query text (serve/screen.py), then have a worker answer it."""
        try:
            screen(text, self.settings.query_limits)
        except RefusedQueryError as exc:
            raise ClientError(400, str(exc)) from exc
        return await self.answer(request, {"op": "sparql", "query": text, **extra})

    def _released(self) -> float:
        """When the release the workers read was written (its folder's time)."""
        try:
            return self.pool.release.parent.stat().st_mtime
        except OSError:
            return 0.0

    def route(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """`handler` for a route: a bad request becomes its 4xx answer, never a 500."""

        async def guarded(request: Request) -> Response:
            try:
                if request.method in ("GET", "HEAD") and has_body(request):
                    # nothing would read it; a client could stream one for ever
                    raise ClientError(400, "a GET request carries no body", {"Connection": "close"})
                response = cached(request, await handler(self, request), self._released())
                spoken(request, response)
            except ClientError as exc:
                response = response_of(Reply.of_error(exc))
            except ClientDisconnect:
                response = Response(status_code=CLIENT_GONE)
            log.debug("%s %s -> %s", request.method, request.url.path, response.status_code)
            return response

        return guarded
