"""The conclusions we publish (the part-of closure), drawn from the ontology's own axioms:
each published property with its sub-properties, closed if the ontology says it is
transitive. Plain Python, so a build without Java publishes the same triples; HermiT draws
the same conclusions (tests/test_reasoning.py compares them) and checks consistency."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg_build.namespaces import GBA
from kg_build.terms import rdflib_triple

# What we publish of the reasoner's conclusions: the transitive part-of closure, which turns
# roll-ups (county -> city -> province) into plain joins. Everything else follows from the
# ontology, which consumers can load themselves.
PUBLISHED_PROPERTIES = (GBA.partOf,)


def _sub_properties(ontology: Graph, prop: URIRef) -> set[URIRef]:
    found, frontier = {prop}, [prop]
    while frontier:
        for sub in ontology.subjects(RDFS.subPropertyOf, frontier.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def premises(ontology: Graph) -> set[str]:
    """The predicates whose statements the conclusions follow from."""
    return {str(p) for prop in PUBLISHED_PROPERTIES for p in _sub_properties(ontology, prop)}


def closure(ontology: Graph, statements: Iterable[ox.Triple], base: str) -> Graph:
    """What the ontology concludes of the published properties from `statements` (any
    triples; those of premises() are used), less what they state already; between our own
    nodes only."""
    data = [rdflib_triple(t) for t in statements]
    stated = set(data)
    inferred = Graph(bind_namespaces="none")
    for prop in PUBLISHED_PROPERTIES:
        subs = _sub_properties(ontology, prop)
        edges: dict[URIRef, set[URIRef]] = {}
        for s, p, o in data:
            if p in subs and ours(s, base) and ours(o, base):
                edges.setdefault(s, set()).add(o)  # type: ignore[arg-type]
        transitive = (prop, RDF.type, OWL.TransitiveProperty) in ontology
        for start, targets in edges.items():
            reached, frontier = set(targets), list(targets)
            while transitive and frontier:
                for nxt in edges.get(frontier.pop(), ()):
                    if nxt not in reached:
                        reached.add(nxt)
                        frontier.append(nxt)
            for end in reached:
                if (start, prop, end) not in stated:
                    inferred.add((start, prop, end))
    return inferred


def ours(node: object, base: str) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(base)
