"""Each source's named graph as sorted pyoxigraph triples, and the key that says when a graph
must be built again.

A source's graph is made from its own records and reads the records they refer to (names for
labels, kinds for IRIs). Its key is a digest of all of those, so an incremental build rebuilds
exactly the graphs whose inputs changed, and reuses the others as they were."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg_build.build.graph import Built
from kg_build.facts.load import Corpus, Entry, references
from kg_build.facts.model import Source
from kg_build.terms import oxigraph_triple

Triples = list[ox.Triple]  # sorted by their N-Triples form: the order every dump is written in
DEPTH = 2  # how far along references a graph's triples read (a figure's label: its event's name)


def sort_triples(triples: Iterable[ox.Triple]) -> Triples:
    return sorted(triples, key=str)


def sorted_triples(graph: Graph) -> Triples:
    return sort_triples(oxigraph_triple(s, p, o) for s, p, o in graph)


def chunks_of(built: Built) -> dict[str, Triples]:
    """Graph IRI -> its triples, sorted, for every non-empty graph the builder made."""
    return {
        str(g.identifier): sorted_triples(g)
        for g in built.dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g)
    }


def to_nquads(graphs: Mapping[str, Triples]) -> bytes:
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name in sorted(graphs)
        for t in graphs[name]
    ]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def from_nquads(data: bytes) -> dict[str, Triples]:
    """The inverse of to_nquads; each graph keeps the order it was written in (sorted)."""
    graphs: dict[str, Triples] = {}
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name
        if not isinstance(name, ox.NamedNode):  # pragma: no cover - we write named graphs only
            raise ValueError("quad outside a named graph in the build cache")
        graphs.setdefault(name.value, []).append(quad.triple)
    return graphs


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def entry_digest(entry: Entry) -> str:
    return _digest(entry.kind, entry.source, entry.record.model_dump_json())


def source_digest(source: Source) -> str:
    return _digest("source", source.model_dump_json())


def _refs(corpus: Corpus, ids: Iterable[str]) -> Iterator[str]:
    for identifier in ids:
        entry = corpus.entries.get(identifier)
        if entry is not None:
            yield from (target for _, target, _ in references(entry))


def graph_keys(corpus: Corpus, graph_iri: Mapping[str, str]) -> dict[str, str]:
    """Graph IRI -> digest of everything its triples are made from. `graph_iri` maps each
    source id to its graph's IRI."""
    digests: dict[str, str] = {}

    def digest_of(identifier: str) -> str:
        if identifier not in digests:
            entry = corpus.entries.get(identifier)
            digests[identifier] = entry_digest(entry) if entry else "absent"
        return digests[identifier]

    own: dict[str, list[str]] = {}
    for identifier, entry in corpus.entries.items():
        own.setdefault(entry.source, []).append(identifier)
    keys = {}
    for source_id, (source, _) in corpus.sources.items():
        ids = own.get(source_id, [])
        read: set[str] = {*source.authors, source.publisher}
        frontier = list(ids) + sorted(read)
        for _ in range(DEPTH):
            frontier = [t for t in _refs(corpus, frontier) if t not in read]
            read.update(frontier)
        parts = [source_digest(source)]
        parts += (f"{i}={digest_of(i)}" for i in ids)
        parts += (f"{i}~{digest_of(i)}" for i in sorted(read))
        keys[graph_iri[source_id]] = _digest(*parts)
    return keys
