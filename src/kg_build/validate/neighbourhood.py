"""The nodes a change can affect, and the part of the graph that SHACL needs to check them.

Our shapes target nodes by class and follow paths forward from the focus node (at most three
steps, sh:node included). So a node's result can change only if the triples of a node at most
that far along its paths changed: we re-check the subjects of changed triples and the nodes up
to BACK steps before them, on the graph FORWARD steps around those. Shapes that look backwards
(inverse paths, targets by subject or object of a property) break that argument; with them
the whole graph is validated (`is_local`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from kg_build.namespaces import SH
from kg_build.rdf.chunks import line_delta, parse_ours
from kg_build.terms import rdflib_triple

BACK = 2
FORWARD = 3
_NONLOCAL = (SH.inversePath, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

Node = ox.NamedNode | ox.BlankNode


def is_local(shapes: Graph) -> bool:
    return not any(True for p in _NONLOCAL for _ in shapes.triples((None, p, None)))


def replace_graphs(
    store: ox.Store,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    held: Callable[[bytes], int],
) -> set[Node]:
    """In `store`'s default graph, the union of the last release's graphs, replace the graphs
    `before` by `after` (graph IRI -> sorted N-Triples; b"" for one gone or new). `held(line)`:
    how many of the last release's graphs held that line, so that a line leaves the union only
    when no graph holds it any more. Returns the subjects whose triples changed."""
    delta = line_delta(before, after)
    gone = b"".join(line for line, d in delta.items() if d < 0 and held(line) + d <= 0)
    new = b"".join(line for line, d in delta.items() if d > 0)
    default = ox.DefaultGraph()
    subjects: set[Node] = set()
    for t in parse_ours(gone):
        store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
        subjects.add(t.subject)
    for t in parse_ours(new):
        quad = ox.Quad(t.subject, t.predicate, t.object, default)
        if quad not in store:
            store.add(quad)
            subjects.add(t.subject)
    return subjects


def affected(store: ox.Store, subjects: set[Node]) -> set[Node]:
    """The changed subjects and the nodes up to BACK steps before them."""
    found = set(subjects)
    frontier = subjects
    for _ in range(BACK):
        frontier = {
            q.subject
            for node in frontier
            for q in store.quads_for_pattern(None, None, node, ox.DefaultGraph())
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode)
        } - found
        found |= frontier
    return found


def around(store: ox.Store, focus: set[Node], steps: int = FORWARD) -> list[ox.Triple]:
    """Every triple up to `steps` steps out from the focus nodes (rdf:type's classes are not
    followed: the class hierarchy comes with the ontology)."""
    found: list[ox.Triple] = []
    seen: set[Node] = set()
    frontier = set(focus)
    rdf_type = str(RDF.type)
    for _ in range(steps + 1):
        step: set[Node] = set()
        for node in frontier - seen:
            seen.add(node)
            for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                found.append(q.triple)
                if (
                    isinstance(q.object, ox.NamedNode | ox.BlankNode)
                    and q.predicate.value != rdf_type
                ):
                    step.add(q.object)
        frontier = step
    return found


def neighbourhood(store: ox.Store, focus: set[Node]) -> Graph:
    """around(), as an rdflib graph for pyshacl."""
    graph = Graph(bind_namespaces="none")
    for t in around(store, focus):
        graph.add(rdflib_triple(t))
    return graph
