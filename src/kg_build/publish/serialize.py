"""Deterministic dumps: the same triples give the same bytes, in every format.

Turtle, N-Triples and TriG are written by pyoxigraph from triples sorted here (by their
N-Triples form; TriG by graph name first): its writers keep the order they are given and
group a subject's statements, and they write 10-40 times faster than rdflib's
(benchmarks/RESULTS.md). JSON-LD is written here, one sorted node object per subject.
There are no blank nodes in our data, so no labels can drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg_build.namespaces import data_prefixes
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
    """One node object per subject, in IRI order, with keys and values sorted; IRIs written
    as prefix:local where one of our prefixes covers them. Written here rather than by
    rdflib's JSON-LD serializer, which was ten times slower than its Turtle writer at scale
    and whose output had to be re-sorted anyway."""
    context = jsonld_context(base)
    namespaces = sorted(((ns, prefix) for prefix, ns in context.items()), key=lambda x: -len(x[0]))

    def compact(iri: str) -> str:
        for namespace, prefix in namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and not any(c in local for c in "/#:?"):
                    return f"{prefix}:{local}"
        return iri

    nodes: dict[str, dict[str, list[Any]]] = {}
    for s, p, o in graph:
        properties = nodes.setdefault(str(s), {})
        if p == RDF.type:
            properties.setdefault("@type", []).append(compact(str(o)))
        else:
            properties.setdefault(compact(str(p)), []).append(_jsonld_value(o, compact))
    document = []
    for subject in sorted(nodes):
        node: dict[str, Any] = {"@id": compact(subject)}
        for key, values in nodes[subject].items():
            values.sort(key=_sort_key)
            node[key] = values[0] if len(values) == 1 else values
        document.append(node)
    out = {"@context": context, "@graph": document}
    return (json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _jsonld_value(term: Node, compact: Callable[[str], str]) -> Any:
    if isinstance(term, Literal):
        if term.language:
            return {"@language": term.language, "@value": str(term)}
        if term.datatype is not None and term.datatype != XSD.string:
            return {"@type": compact(str(term.datatype)), "@value": str(term)}
        return str(term)
    return {"@id": compact(str(term))}


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


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
