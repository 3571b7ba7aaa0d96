"""Deterministic dumps: the same triples give the same bytes, in every format.

The N-Triples dump is the sorted union of the graphs' lines (rdf/chunks.py). Turtle and
TriG are written by pyoxigraph from it, in its order (TriG by graph name first): its writers
keep the order they are given and group a subject's statements, and they write 10-40 times
faster than rdflib's (benchmarks/RESULTS.md). JSON-LD is written here, one sorted node object
per subject and line. There are no blank nodes in our data, so no labels can drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, XSD

from kg_build.namespaces import data_prefixes
from kg_build.rdf.chunks import Chunk, Triples, nquads_of, parse_ours, sorted_triples
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


def jsonld_context(base: str) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(data_prefixes(base).items())}


def context_document(base: str) -> bytes:
    """The JSON-LD context on its own, for consumers who compact their own documents with it."""
    document = {"@context": jsonld_context(base)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def turtle_of(chunk: Chunk, base: str) -> bytes:
    """Turtle for an N-Triples chunk, in its order (parsed and written by pyoxigraph alone)."""
    triples = parse_ours(chunk)
    return _written(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_prefixes(base)))


def trig_of(graphs: Mapping[str, Chunk], base: str) -> bytes:
    """Named graphs in IRI order, each in its chunk's order."""
    quads = parse_ours(nquads_of(graphs), ox.RdfFormat.N_QUADS)
    return _written(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes(base)))


def jsonld(data: Triples | Graph, base: str) -> bytes:
    """One node object per subject, in IRI order, one per line, with keys and values sorted;
    IRIs written as prefix:local where one of our prefixes covers them. Written here rather
    than by rdflib's JSON-LD serializer, which was ten times slower than its Turtle writer at
    scale and whose output had to be re-sorted anyway; one line per node keeps diffs between
    releases to the nodes that changed, and lets json's C encoder do the writing."""
    nodes = jsonld_nodes(_triples(data), base)
    return jsonld_document([nodes[subject].encode() for subject in sorted(nodes)], base)


def jsonld_nodes(triples: Iterable[ox.Triple], base: str) -> dict[str, str]:
    """Subject (IRI or blank node label) -> its node object as one line of JSON."""
    context = jsonld_context(base)
    prefix_of = {ns: prefix for prefix, ns in context.items()}
    compacted: dict[str, str] = {}

    def compact(iri: str) -> str:
        # Every namespace of ours ends in / or #, and a compact local name has neither.
        found = compacted.get(iri)
        if found is None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix, local = prefix_of.get(iri[:cut]), iri[cut:]
            ok = prefix is not None and local and ":" not in local and "?" not in local
            found = compacted[iri] = f"{prefix}:{local}" if ok else iri
        return found

    nodes: dict[str, dict[str, list[Any]]] = {}
    rdf_type = str(RDF.type)
    for t in triples:
        properties = nodes.setdefault(value_of(t.subject), {})
        if t.predicate.value == rdf_type:
            properties.setdefault("@type", []).append(compact(value_of(t.object)))
        else:
            value = _jsonld_value(t.object, compact)
            properties.setdefault(compact(t.predicate.value), []).append(value)
    lines = {}
    for subject, properties in nodes.items():
        node: dict[str, Any] = {"@id": compact(subject)}
        for key, values in properties.items():
            if len(values) > 1:
                values.sort(key=_sort_key)
            node[key] = values[0] if len(values) == 1 else values
        lines[subject] = json.dumps(node, ensure_ascii=False, sort_keys=True)
    return lines


JSONLD_GRAPH = b'  "@graph": [\n'
JSONLD_END = b"\n]}\n"


def jsonld_document(node_lines: Iterable[bytes], base: str) -> bytes:
    """The document around the node objects' lines (UTF-8, in the order given)."""
    head = json.dumps(
        {"@context": jsonld_context(base)}, ensure_ascii=False, indent=2, sort_keys=True
    )
    return head[:-2].encode() + b",\n" + JSONLD_GRAPH + b",\n".join(node_lines) + JSONLD_END


_XSD_STRING = str(XSD.string)


def _jsonld_value(term: Any, compact: Callable[[str], str]) -> Any:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@language": term.language, "@value": term.value}
        if term.datatype.value != _XSD_STRING:
            return {"@type": compact(term.datatype.value), "@value": term.value}
        return term.value
    return {"@id": compact(term.value)}


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
