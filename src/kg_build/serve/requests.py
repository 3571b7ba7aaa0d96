"""Reading a request without trusting it: bodies read as they arrive and cut off, query
strings parsed as the SPARQL Protocol wants, graph IRIs and resource paths checked; and a
worker's Reply as a response."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kg_build.serve.reply import ClientError, Reply

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def response_of(reply: Reply) -> Response:
    return Response(
        reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers
    )


def has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "0").strip()
    return length != "0" or "transfer-encoding" in request.headers


async def disconnected(request: Request) -> None:
    """Return once the client has closed the connection (the request's body is read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
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


def pairs_of(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")


def values_of(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def last_of(pairs: list[tuple[str, str]], name: str) -> str | None:
    found = values_of(pairs, name)
    return found[-1] if found else None


def graph_iri(parameter: str, value: str) -> str:
    """A graph IRI given by the protocol's parameters, or 400 saying what is wrong with it."""
    if not _ABSOLUTE.match(value):
        raise ClientError(400, f"{parameter} must be an absolute IRI, not {value[:200]!r}")
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ClientError(400, f"{parameter} is not a valid IRI ({exc}): {value[:200]!r}") from exc
    return value


def iri_of(request: Request, base: str) -> str:
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
