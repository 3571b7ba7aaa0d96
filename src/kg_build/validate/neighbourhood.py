"""The nodes a change can affect, and the part of the graph that SHACL needs to check them.

How far forward from a focus node the shapes read is computed from the shapes (`reach`):
the subjects of the triples they read are at most that many steps along paths from it. So a
node's result can change only if the triples of a node at most that far along its paths
changed: we re-check the subjects of changed triples and the nodes up to `reach` steps
before them, on the graph `reach` steps around those. Shapes that look backwards (inverse
paths, targets by subject or object of a property) or without bound (`*` and `+` paths,
shapes that name themselves) break that argument; with them the whole graph is validated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node as Node_

from kg_build.namespaces import SH
from kg_build.rdf.chunks import line_delta, parse_ours
from kg_build.terms import rdflib_triple

_NONLOCAL = (SH.inversePath, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_UNBOUNDED = (SH.zeroOrMorePath, SH.oneOrMorePath)
_SHAPE_VALUES = (SH.node, SH.qualifiedValueShape, SH["not"])  # a shape the value must meet
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)  # lists of such shapes

Node = ox.NamedNode | ox.BlankNode


def recheck_depth(core_shapes: Graph, local_checks: Iterable[int | None]) -> int:
    """How many steps before a changed subject a node's checks may have changed: the core
    shapes' reach (whatever it is, when they are validated whole) or that of the SPARQL
    checks run on the re-checked nodes alone (validate/query_reach.py; None: run whole)."""
    return max([reach(core_shapes) or 0, *(r for r in local_checks if r is not None)])


def reach(shapes: Graph) -> int | None:
    """How many steps along paths from a focus node the subjects of the triples the shapes
    read lie at most (0: only the focus node's own triples); None if there is no bound."""
    if any(True for p in (*_NONLOCAL, *_UNBOUNDED) for _ in shapes.triples((None, p, None))):
        return None
    targeted = {s for p in (SH.targetClass, SH.targetNode) for s in shapes.subjects(p, None)}
    targeted |= set(shapes.subjects(RDF.type, RDFS.Class)) & set(
        shapes.subjects(RDF.type, SH.NodeShape)
    )
    depths = [_shape_reach(shapes, shape, frozenset()) for shape in targeted]
    if any(d is None for d in depths):
        return None
    return max((d for d in depths if d is not None), default=0)


def _shape_reach(shapes: Graph, shape: Node_, within: frozenset[Node_]) -> int | None:
    """The reach of one shape from its focus node (see reach)."""
    if shape in within:
        return None  # a shape that names itself: no bound
    within = within | {shape}
    found = 0
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        length = _path_length(shapes, path) if path is not None else None
        if length is None:
            return None
        value = _value_reach(shapes, prop, within)  # the value nodes' own reach
        if value is None:
            return None
        found = max(found, length + value)  # value -1: the path's own triples only
    own = _value_reach(shapes, shape, within)  # constraints on the focus node itself
    if own is None:
        return None
    return max(found, own)


def _value_reach(shapes: Graph, shape: Node_, within: frozenset[Node_]) -> int | None:
    """Of a shape's value constraints: -1 if they read no triple of the value node (a
    datatype, a pattern), 0 if only its own (sh:class reads its rdf:type), more through the
    shapes it must meet."""
    found = 0 if (shape, SH["class"], None) in shapes else -1
    nested: list[Node_] = [o for p in _SHAPE_VALUES for o in shapes.objects(shape, p)]
    for p in _SHAPE_LISTS:
        for head in shapes.objects(shape, p):
            nested += list(Collection(shapes, head))
    for other in nested:
        depth = _shape_reach(shapes, other, within)
        if depth is None:
            return None
        found = max(found, depth)
    return found


def _path_length(shapes: Graph, path: Node_) -> int | None:
    """How many triples a path follows at most; None if it has no bound."""
    if isinstance(path, URIRef):
        return 1
    if (path, RDF.first, None) in shapes:  # a sequence
        lengths = [_path_length(shapes, step) for step in Collection(shapes, path)]
        return None if None in lengths else sum(n for n in lengths if n is not None)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        lengths = [_path_length(shapes, step) for step in Collection(shapes, alternatives)]
        return None if None in lengths else max((n for n in lengths if n is not None), default=0)
    optional = shapes.value(path, SH.zeroOrOnePath)
    if optional is not None:
        return _path_length(shapes, optional)
    return None


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


def affected(store: ox.Store, subjects: set[Node], back: int) -> set[Node]:
    """The changed subjects and the nodes up to `back` steps before them."""
    found = set(subjects)
    frontier = subjects
    for _ in range(back):
        frontier = {
            q.subject
            for node in frontier
            for q in store.quads_for_pattern(None, None, node, ox.DefaultGraph())
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode)
        } - found
        found |= frontier
    return found


def around(store: ox.Store, focus: set[Node], steps: int) -> list[ox.Triple]:
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


def neighbourhood(store: ox.Store, focus: set[Node], steps: int) -> Graph:
    """around(), as an rdflib graph for pyshacl."""
    graph = Graph(bind_namespaces="none")
    for t in around(store, focus, steps):
        graph.add(rdflib_triple(t))
    return graph
