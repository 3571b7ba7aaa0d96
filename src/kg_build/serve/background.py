"""Run `kg serve` as a child process on a free loopback port (tests, benchmarks, scripts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def started_server(
    dist: Path,
    *options: str,
    cwd: Path | None = None,
    log: Path | None = None,
    kg: str | None = None,
) -> Iterator[Server]:
    """Start `kg serve` on the release in `dist` (its output to `log`, if given); yield it once
    it answers; stop it. `kg`: another kg-build's command, to compare versions."""
    port = free_port()
    command = kg or str(Path(sys.executable).parent / "kg")
    with ExitStack() as files:
        output = files.enter_context(open(log, "wb")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [command, "serve", "--port", str(port), "--dist", str(dist), *options],
            cwd=cwd,
            stdout=output,
            stderr=output,
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
        yield Server(url, process)
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def running_server(dist: Path, *options: str, cwd: Path | None = None) -> Iterator[str]:
    """Start `kg serve` on the release in `dist`; yield its URL once it answers; stop it."""
    with started_server(dist, *options, cwd=cwd) as server:
        yield server.url
