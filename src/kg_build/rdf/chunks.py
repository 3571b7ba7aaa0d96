"""Each source's named graph as sorted N-Triples lines (a chunk): the form graphs are kept,
compared, merged and spliced in. (What a graph is made from: rdf/reads.py.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg_build.rdf.graph import Built
from kg_build.terms import oxigraph_triple

Triples = list[ox.Triple]
Chunk = bytes  # a graph as N-Triples, its lines in byte order: the order of every dump


def sort_triples(triples: Iterable[ox.Triple]) -> Triples:
    return sorted(triples, key=str)


def sorted_triples(graph: Graph) -> Triples:
    return sort_triples(oxigraph_triple(s, p, o) for s, p, o in graph)


def sort_lines(data: bytes) -> Chunk:
    lines = data.splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)


def chunk_of(triples: Iterable[ox.Triple] | Graph) -> Chunk:
    if isinstance(triples, Graph):
        triples = [oxigraph_triple(s, p, o) for s, p, o in triples]
    return sort_lines(ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"")


def chunks_of(built: Built) -> dict[str, Chunk]:
    """Graph IRI -> its chunk, for every non-empty graph the builder made."""
    return {
        str(g.identifier): chunk_of(g)
        for g in built.dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g)
    }


def union_of(chunks: Iterable[Chunk]) -> Chunk:
    """Every triple of the chunks once, in order. Sorting lines, not triples: at a million
    triples this is seconds faster than making and sorting pyoxigraph's objects."""
    lines: set[bytes] = set()
    for chunk in chunks:
        lines.update(chunk.splitlines(keepends=True))
    return b"".join(sorted(lines))


def line_delta(before: Mapping[str, Chunk], after: Mapping[str, Chunk]) -> dict[bytes, int]:
    """For each line, how many more of the graphs hold it `after` than `before` (graphs
    replaced: same keys, b"" for a graph gone or new); 0 for a line that only moved."""
    delta: dict[bytes, int] = {}
    for chunks, step in ((before, -1), (after, 1)):
        for chunk in chunks.values():
            for line in chunk.splitlines(keepends=True):
                delta[line] = delta.get(line, 0) + step
    return delta


def first_line_from(data: Chunk, target: bytes) -> int:
    """The offset in `data` (sorted lines, each ending in a newline) of its first line that
    is not less than `target`, len(data) if none: bisect_left over its lines, without
    splitting them (1.2 M lines at 10,000 sources). Lines compare with their newlines, as
    sorted() compared them."""
    lo, hi = 0, len(data)
    while lo < hi:  # lo and hi are line starts
        mid = (lo + hi) // 2
        newline = data.rfind(b"\n", lo, mid)
        start = lo if newline < 0 else newline + 1  # of the line holding mid
        end = data.find(b"\n", start) + 1 or len(data)
        if data[start:end] < target:
            lo = end
        else:
            hi = start
    return lo


def has_line_starting(data: Chunk, prefix: bytes) -> bool:
    """Whether a line of `data` (as for first_line_from) starts with `prefix`; with a whole
    line as `prefix`, whether `data` holds that line."""
    at = first_line_from(data, prefix)
    return at < len(data) and data.startswith(prefix, at)


def parse_ours(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> ox.QuadParser:
    """Parse N-Triples (or N-Quads) this program wrote. Lenient: IRIs and language tags are not
    validated again; pyoxigraph checked them when it made the terms it wrote, and a million
    lines then parse in half the time."""
    return ox.parse(data, format=fmt, lenient=True)


def load_chunks(store: ox.Store, data: bytes) -> None:
    """Our own N-Triples into a store's default graph (lenient: see parse_ours)."""
    store.load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)


def triples_of(chunk: Chunk) -> Triples:
    return list(parse_ours(chunk))


def nquads_of(graphs: Mapping[str, Chunk]) -> bytes:
    """The chunks as one N-Quads document, graphs in IRI order. Every N-Triples line ends in
    " .\n" (a newline inside a literal is written \\n), so the graph name goes before it."""
    return b"".join(
        graphs[name].replace(b" .\n", f" <{name}> .\n".encode()) for name in sorted(graphs)
    )
