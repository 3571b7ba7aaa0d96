"""Load on `kg serve`: 50 concurrent clients mixing canned queries and page views for a fixed
time, against a server started here on loopback. Reports throughput, p50/p99 latency, errors.

    .venv/bin/python benchmarks/serve_load.py [--clients 50] [--seconds 20] [--dist dist]

Not a timed test: it prints figures (the README quotes them). Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

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
    """`clients` threads request random `paths` for `seconds`; throughput, p50, p99, errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        session = requests.Session()
        rng = random.Random(seed)  # noqa: S311 - a request mix, not cryptography
        while time.monotonic() < stop:
            path = rng.choice(paths)
            start = time.perf_counter()
            try:
                status = session.get(base + path, timeout=30).status_code
                failure = None if status == 200 else f"HTTP {status} {path}"
            except requests.RequestException as exc:
                failure = f"{type(exc).__name__} {path}"
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if failure:
                    errors.append(failure)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
