"""HTTP caching of GET answers (RFC 9110): an ETag of the bytes answered, the release's time
as Last-Modified, a Cache-Control that lets caches keep an answer a while and then ask
again; a conditional request whose copy is still current gets 304 and no body. Answers
change only with the release, which the ETag (of the body) and Last-Modified both follow."""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

# Five minutes, then revalidate: a new release is picked up within a second, and a cache
# asks again (a 304 costs nothing) rather than serving yesterday's data for long
CACHE_CONTROL = "public, max-age=300, must-revalidate"


def cached(request: Request, response: Response, released: float) -> Response:
    """`response` with validators and Cache-Control, or 304 if the client's copy is current.
    Only successful GET answers whose body is at hand (not a streamed file, whose own
    validators Starlette sets) are touched."""
    if request.method != "GET" or response.status_code != 200:
        return response
    body = getattr(response, "body", None)
    if isinstance(body, bytes) and "etag" not in response.headers:
        response.headers["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if "last-modified" not in response.headers:
        response.headers["Last-Modified"] = formatdate(released, usegmt=True)
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    if _current(request, response):
        kept = {k: v for k, v in response.headers.items() if k.lower() in _KEPT}
        return Response(status_code=304, headers=kept)
    return response


_KEPT = {"etag", "last-modified", "cache-control", "vary", "content-location"}


def _current(request: Request, response: Response) -> bool:
    """The conditions of RFC 9110 13.1: If-None-Match, when given, decides alone."""
    tags = request.headers.get("if-none-match")
    etag = response.headers.get("etag")
    if tags is not None:
        given = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return etag is not None and ("*" in given or etag.removeprefix("W/") in given)
    since = request.headers.get("if-modified-since")
    modified = response.headers.get("last-modified")
    if since is None or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 says
