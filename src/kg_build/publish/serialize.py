"""Deterministic dumps: the same triples give the same bytes, in every format.

rdflib's Turtle writer sorts subjects, predicates and objects; N-Triples lines are sorted
here; JSON-LD is re-emitted with sorted nodes and keys; TriG is assembled graph by graph
in IRI order. There are no blank nodes in our data, so no labels can drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rdflib import Dataset, Graph, URIRef

from kg_build.namespaces import bind_prefixes, data_prefixes


def turtle(graph: Graph, base: str) -> bytes:
    g = _rebound(graph, base)
    return g.serialize(format="turtle", encoding="utf-8")


def ntriples(graph: Graph) -> bytes:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


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
    """Named graphs in IRI order, each written as sorted Turtle inside `<graph> { ... }`."""
    header: list[str] = []
    body: list[str] = []
    for name, graph in sorted(graphs, key=lambda item: str(item[0])):
        text = turtle(graph, base).decode("utf-8")
        prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
        triples = [line for line in text.splitlines() if not line.startswith("@prefix")]
        header.extend(p for p in prefixes if p not in header)
        inner = "\n".join("    " + line if line else "" for line in triples).strip("\n")
        body.append(f"<{name}> {{\n{inner}\n}}\n")
    return ("\n".join(sorted(header)) + "\n\n" + "\n".join(body)).encode("utf-8")


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
