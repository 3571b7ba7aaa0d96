"""Run `kg serve` as a child process on a free loopback port (tests, benchmarks, scripts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(dist: Path, *options: str, cwd: Path | None = None) -> Iterator[str]:
    """Start `kg serve` on the release in `dist`; yield its URL once it answers; stop it."""
    port = free_port()
    kg = str(Path(sys.executable).parent / "kg")
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [kg, "serve", "--port", str(port), "--dist", str(dist), *options],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"kg serve exited with {process.returncode}")
            try:
                if requests.get(f"{url}/api/queries", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("kg serve did not answer within 30 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
