"""Deterministic dumps: the same triples give the same bytes, in every format.

Turtle, N-Triples and TriG are written by pyoxigraph from triples sorted here (by their
N-Triples form; TriG by graph name first): its writers keep the order they are given and
group a subject's statements, and they write 10-40 times faster than rdflib's
(benchmarks/RESULTS.md). JSON-LD is written here, one sorted node object per subject.
There are no blank nodes in our data, so no labels can drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, XSD

from kg_build.build.chunks import Triples, sorted_triples
from kg_build.namespaces import data_prefixes
from kg_build.terms import value_of


def _prefixes(base: str) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(data_prefixes(base).items())}


def _written(data: bytes | None) -> bytes:
    if data is None:  # pragma: no cover - pyoxigraph returns bytes when given no output
        raise TypeError("pyoxigraph wrote nothing")
    return data


def _triples(data: Triples | Graph) -> Triples:
    return sorted_triples(data) if isinstance(data, Graph) else data


def turtle(data: Triples | Graph, base: str) -> bytes:
    """`data`: triples sorted by build.chunks.sort_triples, or a graph to sort."""
    prefixes = _prefixes(base)
    return _written(ox.serialize(_triples(data), format=ox.RdfFormat.TURTLE, prefixes=prefixes))


def ntriples(data: Triples | Graph) -> bytes:
    return _written(ox.serialize(_triples(data), format=ox.RdfFormat.N_TRIPLES))


def jsonld_context(base: str) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(data_prefixes(base).items())}


def context_document(base: str) -> bytes:
    """The JSON-LD context on its own, for consumers who compact their own documents with it."""
    document = {"@context": jsonld_context(base)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def jsonld(data: Triples | Graph, base: str) -> bytes:
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
    rdf_type = str(RDF.type)
    for t in _triples(data):
        properties = nodes.setdefault(value_of(t.subject), {})
        if t.predicate.value == rdf_type:
            properties.setdefault("@type", []).append(compact(value_of(t.object)))
        else:
            value = _jsonld_value(t.object, compact)
            properties.setdefault(compact(t.predicate.value), []).append(value)
    document = []
    for subject in sorted(nodes):
        node: dict[str, Any] = {"@id": compact(subject)}
        for key, values in nodes[subject].items():
            values.sort(key=_sort_key)
            node[key] = values[0] if len(values) == 1 else values
        document.append(node)
    out = {"@context": context, "@graph": document}
    return (json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


_XSD_STRING = str(XSD.string)


def _jsonld_value(term: Any, compact: Callable[[str], str]) -> Any:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@language": term.language, "@value": term.value}
        if term.datatype.value != _XSD_STRING:
            return {"@type": compact(term.datatype.value), "@value": term.value}
        return term.value
    return {"@id": compact(term.value)}


def trig(graphs: Mapping[str, Triples | Graph], base: str) -> bytes:
    """Named graphs in IRI order, each with its triples sorted."""
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name in sorted(graphs)
        for t in _triples(graphs[name])
    ]
    return _written(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes(base)))


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
