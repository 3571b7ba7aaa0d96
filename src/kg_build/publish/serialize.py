"""Deterministic dumps: the same triples give the same bytes, in every format.

Turtle, N-Triples and TriG are written by pyoxigraph from triples sorted here (by their
N-Triples form; TriG by graph name first): its writers keep the order they are given and
group a subject's statements, and they write 10-40 times faster than rdflib's
(benchmarks/RESULTS.md). JSON-LD is rdflib's, re-emitted with sorted nodes and keys.
There are no blank nodes in our data, so no labels can drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from kg_build.namespaces import bind_prefixes, data_prefixes
from kg_build.terms import oxigraph_triple


def _prefixes(base: str) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(data_prefixes(base).items())}


def _sorted(graph: Graph) -> list[ox.Triple]:
    triples = [oxigraph_triple(s, p, o) for s, p, o in graph]
    triples.sort(key=str)
    return triples


def _written(data: bytes | None) -> bytes:
    if data is None:  # pragma: no cover - pyoxigraph returns bytes when given no output
        raise TypeError("pyoxigraph wrote nothing")
    return data


def turtle(graph: Graph, base: str) -> bytes:
    prefixes = _prefixes(base)
    return _written(ox.serialize(_sorted(graph), format=ox.RdfFormat.TURTLE, prefixes=prefixes))


def ntriples(graph: Graph) -> bytes:
    return _written(ox.serialize(_sorted(graph), format=ox.RdfFormat.N_TRIPLES))


def jsonld_context(base: str) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(data_prefixes(base).items())}


def context_document(base: str) -> bytes:
    """The JSON-LD context on its own, for consumers who compact their own documents with it."""
    document = {"@context": jsonld_context(base)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def jsonld(graph: Graph, base: str) -> bytes:
    context = jsonld_context(base)
    text = _rebound(graph, base).serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    nodes = document.get("@graph", [document] if "@id" in document else [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=_sort_key)
    out = {"@context": context, "@graph": sorted(nodes, key=lambda n: str(n.get("@id", "")))}
    return (json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def trig(graphs: Iterable[tuple[URIRef, Graph]], base: str) -> bytes:
    """Named graphs in IRI order, each with its triples sorted."""
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(name)))
        for name, graph in sorted(graphs, key=lambda item: str(item[0]))
        for t in _sorted(graph)
    ]
    return _written(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes(base)))


def dataset_graphs(dataset: Dataset) -> list[tuple[URIRef, Graph]]:
    out = []
    for context in dataset.graphs():
        if isinstance(context.identifier, URIRef) and len(context):
            out.append((context.identifier, context))
    return out


def _rebound(graph: Graph, base: str) -> Graph:
    """A copy with exactly our prefixes, so output does not depend on how the graph was made."""
    g = bind_prefixes(Graph(bind_namespaces="none"), base)
    for triple in graph:
        g.add(triple)
    return g


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
