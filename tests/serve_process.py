"""Start `kg serve` as its own process on a free loopback port, as a user would run it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kg_serve(dist: Path, *options: str) -> Iterator[str]:
    """Yield the server's URL while it runs; stop it afterwards."""
    port = free_port()
    exe = str(Path(sys.executable).parent / "kg")
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [exe, "serve", "--port", str(port), "--dist", str(dist), *options],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(f"{url}/api/queries", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("kg serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
