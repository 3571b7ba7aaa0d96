"""Messages between the server and its query workers: a JSON header and a body of bytes, each
preceded by its length. JSON, not pickle, so that a worker that a hostile query managed to
subvert still cannot make the server run code by what it sends back."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

_LENGTHS = struct.Struct("!II")
MAX_HEADER = 1 << 20
MAX_BODY = 1 << 30

Header = dict[str, Any]


class WireError(RuntimeError):
    """The other side sent something that is not a message."""


def _frame(header: Header, body: bytes) -> bytes:
    encoded = json.dumps(header, separators=(",", ":")).encode()
    return _LENGTHS.pack(len(encoded), len(body)) + encoded + body


def _header(raw: bytes) -> Header:
    try:
        header = json.loads(raw)
    except ValueError as exc:
        raise WireError(f"malformed message header: {exc}") from exc
    if not isinstance(header, dict):
        raise WireError("message header is not an object")
    return header


def _sizes(prefix: bytes) -> tuple[int, int]:
    head, body = _LENGTHS.unpack(prefix)
    if head > MAX_HEADER or body > MAX_BODY:
        raise WireError(f"message too large ({head} + {body} bytes)")
    return head, body


def send(sock: socket.socket, header: Header, body: bytes = b"") -> None:
    sock.sendall(_frame(header, body))


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> tuple[Header, bytes] | None:
    """The next message, or None once the other side has closed the connection."""
    prefix = _read_exactly(sock, _LENGTHS.size)
    if prefix is None:
        return None
    head, size = _sizes(prefix)
    raw, body = _read_exactly(sock, head), _read_exactly(sock, size)
    if raw is None or body is None:
        return None
    return _header(raw), body


async def write(writer: asyncio.StreamWriter, header: Header, body: bytes = b"") -> None:
    writer.write(_frame(header, body))
    await writer.drain()


async def read(reader: asyncio.StreamReader) -> tuple[Header, bytes]:
    """The next message; asyncio.IncompleteReadError if the other side went away."""
    head, size = _sizes(await reader.readexactly(_LENGTHS.size))
    header = _header(await reader.readexactly(head))
    return header, await reader.readexactly(size)
