"""Which engine backs the embedded store? rdflib's in-memory Graph against pyoxigraph, timed in
one process on the same synthetic graph, reported as ratios (baseline: rdflib).

    .venv/bin/python benchmarks/store_choice.py [--triples 100000] [--write RESULTS-store.md]

The graph has the shape of ours: places with labels and parents, projects located in places,
money figures about projects; about 10 triples per entity.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import Graph

GBA = "https://w3id.org/ganzhou-gba/def/"
ID = "https://w3id.org/ganzhou-gba/id/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DEC = "<http://www.w3.org/2001/XMLSchema#decimal>"

QUERIES = {
    "count by class": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "sum by province (3-hop join)": f"""
        SELECT ?province (SUM(?v) AS ?total) WHERE {{
          ?f <{GBA}about> ?p ; <https://schema.org/value> ?v .
          ?p <{GBA}locatedIn> ?county . ?county <{GBA}directlyPartOf> ?city .
          ?city <{GBA}directlyPartOf> ?province .
        }} GROUP BY ?province""",
    "search labels (CONTAINS)": f"""
        SELECT ?s ?l WHERE {{
          ?s {RDFS_LABEL} ?l . FILTER (CONTAINS(LCASE(STR(?l)), "port 7"))
        }}""",
}


def synthetic(triples: int) -> bytes:
    lines: list[str] = []
    provinces, cities, counties = 30, 300, 3000
    for i in range(provinces):
        lines += [
            f"<{ID}place/p{i}> {TYPE} <{GBA}Province> .",
            f'<{ID}place/p{i}> {RDFS_LABEL} "Province {i}"@en .',
        ]
    for i in range(cities):
        lines += [
            f"<{ID}place/c{i}> {TYPE} <{GBA}PrefectureLevelCity> .",
            f'<{ID}place/c{i}> {RDFS_LABEL} "City {i}"@en .',
            f"<{ID}place/c{i}> <{GBA}directlyPartOf> <{ID}place/p{i % provinces}> .",
        ]
    for i in range(counties):
        lines += [
            f"<{ID}place/k{i}> {TYPE} <{GBA}County> .",
            f'<{ID}place/k{i}> {RDFS_LABEL} "County {i}"@en .',
            f"<{ID}place/k{i}> <{GBA}directlyPartOf> <{ID}place/c{i % cities}> .",
        ]
    i = 0
    while len(lines) < triples:
        p, f = f"<{ID}project/x{i}>", f"<{ID}figure/x{i}>"
        lines += [
            f"{p} {TYPE} <{GBA}Port> .",
            f'{p} {RDFS_LABEL} "Port {i}"@en .',
            f'{p} {RDFS_LABEL} "港口{i}"@zh .',
            f"{p} <{GBA}locatedIn> <{ID}place/k{i % counties}> .",
            f"{f} {TYPE} <{GBA}MonetaryAmount> .",
            f"{f} <{GBA}about> {p} .",
            f'{f} <https://schema.org/value> "{(i % 97 + 1) * 1000000}.0"^^{DEC} .',
            f'{f} <https://schema.org/currency> "CNY" .',
        ]
        i += 1
    return ("\n".join(lines[:triples]) + "\n").encode()


LIMIT = 60.0  # seconds a single run may take before it is reported as not finished


def _child(work: Callable[[], object], out: Connection) -> None:
    start = time.perf_counter()
    work()
    out.send(time.perf_counter() - start)  # timed in the child: the fork is not counted


def timed(work: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time; a run over LIMIT (in a forked child, so it can be stopped) is inf."""
    runs = []
    for _ in range(repeat):
        gc.collect()
        receive, send = multiprocessing.Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(target=_child, args=(work, send))
        child.start()
        child.join(LIMIT)
        if child.is_alive():
            child.terminate()
            child.join()
            return float("inf")
        runs.append(receive.recv())
    return statistics.median(runs)


def _s(seconds: float) -> str:
    return f"> {LIMIT:.0f} s (not finished)" if seconds == float("inf") else f"{seconds:.3f} s"


def _ratio(base: float, candidate: float) -> str:
    if base == float("inf"):
        return f"> {LIMIT / candidate:.0f}×"
    return f"{base / candidate:.1f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--write", type=Path, help="also write the Markdown table to this file")
    args = parser.parse_args()
    data = synthetic(args.triples)
    print(
        f"synthetic graph: {args.triples} triples, {len(data) / 1e6:.1f} MB of N-Triples",
        flush=True,
    )

    graph = Graph()
    graph.parse(data=data, format="nt")
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    rows: list[tuple[str, float, float]] = []

    def row(
        name: str, base: Callable[[], object], candidate: Callable[[], object], repeat: int = 3
    ) -> None:
        a, b = timed(base, repeat), timed(candidate, repeat)
        rows.append((name, a, b))
        print(f"  {name:38s} rdflib {_s(a)}   pyoxigraph {_s(b)}   {_ratio(a, b)}", flush=True)

    row(
        "parse N-Triples into a graph/store",
        lambda: Graph().parse(data=data, format="nt"),
        lambda: ox.Store().load(data, format=ox.RdfFormat.N_TRIPLES),
        repeat=1,
    )
    row(
        "write Turtle",
        lambda: graph.serialize(format="turtle"),
        lambda: store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()),
        repeat=1,
    )
    row(
        "write N-Triples",
        lambda: graph.serialize(format="nt"),
        lambda: store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
        repeat=1,
    )
    for name, query in QUERIES.items():
        row(
            f"query: {name}",
            lambda q=query: list(graph.query(q)),
            lambda q=query: list(store.query(q)),
        )
    with tempfile.TemporaryDirectory() as folder:
        disk = ox.Store(folder)
        disk.load(data, format=ox.RdfFormat.N_TRIPLES)
        disk.flush()
        del disk
        row(
            "ready to query after a restart",
            lambda: Graph().parse(data=data, format="nt"),
            lambda: ox.Store.read_only(folder),
            repeat=1,
        )

    table = ["| stage | rdflib (baseline) | pyoxigraph | speed-up |", "|---|---|---|---|"]
    table += [f"| {n} | {_s(a)} | {_s(b)} | {_ratio(a, b)} |" for n, a, b in rows]
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"rdflib {rdflib.__version__}, pyoxigraph {ox.__version__}"
    )
    text = (
        f"Store choice at {args.triples:,} triples (medians; {machine}); "
        "re-run with `.venv/bin/python benchmarks/store_choice.py "
        "--write benchmarks/RESULTS-store.md`.\n\n" + "\n".join(table) + "\n"
    )
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
