"""Load on `kg serve`: 50 concurrent clients mixing canned queries and page views for a fixed
time, against a server started here on loopback. Reports throughput, p50/p99 latency, errors.

    .venv/bin/python benchmarks/serve_load.py [--clients 50] [--seconds 20] [--dist dist]

Not a timed test: it prints figures (the README quotes them). Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from kg_build.serve.background import running_server

PATHS = [
    "/api/queries/travel-times",
    "/api/queries/people-and-roles",
    "/api/queries/agreements",
    "/api/queries/search-by-name?q=Ganzhou",
    "/api/queries/figures-about-place",
    "/id/place/ganzhou",
    "/id/project/ganshen-hsr",
    "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
]


def hammer(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """`clients` keep-alive connections request random `paths` for `seconds`; throughput, p50,
    p99, errors. An asyncio client on raw HTTP/1.1: a thread per client with `requests`
    spent more CPU than the server did, on the same two cores, and measured itself."""
    return asyncio.run(_hammer(base, paths, clients, seconds))


async def _hammer(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds

    async def client(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a request mix, not cryptography
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < stop:
                path = rng.choice(paths)
                start = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                status, _ = await _response(reader)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors.append(f"HTTP {status} {path}")
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            errors.append(f"{type(exc).__name__}")
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies) or [float("nan")]
    for error in sorted(set(errors))[:10]:
        print("  ", error, file=sys.stderr)
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[max(int(len(ordered) * 0.99) - 1, 0)],
        "errors": len(errors),
    }


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response: status and body (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    args = parser.parse_args()
    with running_server(args.dist) as base:
        figures = hammer(base, PATHS, args.clients, args.seconds)
    print(
        f"{args.clients} clients, {figures['seconds']:.1f} s, {figures['requests']:.0f} requests "
        f"({len(PATHS)} kinds: canned queries, pages, free SPARQL)"
    )
    print(
        f"throughput {figures['throughput']:.0f} requests/s; "
        f"latency p50 {figures['p50'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms; "
        f"errors {figures['errors']:.0f}"
    )
    sys.exit(1 if figures["errors"] else 0)


if __name__ == "__main__":
    main()
