"""The HTTP listener: uvicorn's HTTP/1.1 (h11), with the limits a public server needs against
slow and numerous clients.

uvicorn closes a connection that stays idle after a response (keep-alive timeout) and
answers 503 past a number of connections, but it waits for a request's head for ever: 200
connections that each sent half their headers stayed open indefinitely. The protocol below
closes a connection whose request head has not fully arrived `head_timeout` seconds after
it was opened or after the previous response. Bodies are read by the app, which cuts them
off at --max-body and gives up on them after the same number of seconds (serve/app.py).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ListenerLimits:
    client_timeout: float = 10.0  # seconds to send a request's head (and then its body)
    keep_alive: int = 5  # seconds a connection may stay idle between requests
    max_connections: int = 200  # beyond this, requests get 503 until connections close


class _HeadTimeoutProtocol(H11Protocol):
    head_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE:  # still no complete request head
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # a request head has arrived
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening; OSError if it cannot be (port in use, no
    such address), said before anything else starts."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: Any, sock: socket.socket, limits: ListenerLimits) -> None:
    """Serve `app` on `sock` until interrupted (SIGINT, SIGTERM)."""
    protocol = type(
        "HeadTimeoutProtocol", (_HeadTimeoutProtocol,), {"head_timeout": limits.client_timeout}
    )
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=limits.keep_alive,
        timeout_graceful_shutdown=5,
        log_level="info",
    )
    ours = logging.getLogger("kg_build.serve")  # release switches, workers replaced
    ours.setLevel(logging.INFO)
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        ours.addHandler(handler)
    uvicorn.Server(config).run(sockets=[sock])
