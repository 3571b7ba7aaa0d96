"""An HTTP answer as the server and its workers pass it around, and the error a client caused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ClientError(Exception):
    """The request cannot be answered as asked: `status` (4xx, or 503 when busy) and a short
    message for the client; `headers` such as Retry-After."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    store_error: bool = False  # the store could not be read: the worker is not to be reused

    @classmethod
    def text(cls, status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers or {})

    @classmethod
    def of_error(cls, error: ClientError) -> Reply:
        return cls.text(error.status, str(error), error.headers)

    def header(self) -> dict[str, Any]:
        """Everything but the body, for the wire (serve/wire.py)."""
        return {
            "status": self.status,
            "type": self.media_type,
            "headers": self.headers,
            "store_error": self.store_error,
        }

    @classmethod
    def from_wire(cls, header: dict[str, Any], body: bytes) -> Reply:
        status, media, headers = header.get("status"), header.get("type"), header.get("headers")
        if not (
            isinstance(status, int)
            and 100 <= status <= 599
            and isinstance(media, str)
            and isinstance(headers, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            raise ValueError(f"not a reply: {header!r:.200}")
        return cls(status, media, body, headers, header.get("store_error") is True)
