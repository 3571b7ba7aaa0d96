"""The shapes rearranged for pyshacl's speed, with the same results: property shapes hoisted
out of their node shapes, and the top-level shapes shared out between processes in groups.

pyshacl validates the property shapes of a node shape once per focus node, building every
constraint component afresh each time; a top-level property shape it validates once over all
its focus nodes. SHACL gives the same results either way: a node shape's sh:property reports,
for each of its focus nodes, the property shape's results for that node, and a property shape
with the node shape's targets has exactly those focus nodes. That holds only where the node
shape is used through its targets alone, so a node shape that another shape names (sh:node,
sh:property, sh:qualifiedValueShape, sh:not, sh:and/or/xone), a deactivated one, or one that
is also a class (implicit targets) is left as written. (pyshacl otherwise builds a nested
property shape's constraints again for every focus node: benchmarks/RESULTS.md.) The
hoisted shapes are named `<node shape>-property-<n>` so that they can be shared out by
name (pyshacl's use_shapes).
tests/test_shacl.py checks that the results equal pyshacl's on the shapes as written.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg_build.namespaces import SH

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_SHAPE_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_OF_SHAPES = (SH["and"], SH["or"], SH.xone)


def hoist_property_shapes(shapes: Graph) -> Graph:
    """A copy of `shapes` with the property shapes of node shapes used only through their
    targets moved to the top level, each with the node shape's targets."""
    out = Graph()
    for prefix, namespace in shapes.namespaces():
        out.bind(prefix, namespace)
    for triple in shapes:
        out.add(triple)
    left = _left_as_written(shapes)
    for node in sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)):
        if node in left:
            continue
        targets = [(p, o) for p in TARGETS for o in shapes.objects(node, p)]
        if not targets:
            continue
        properties = [
            p
            for p in shapes.objects(node, SH.property)
            if isinstance(p, BNode) and len(set(shapes.subject_predicates(p))) == 1
        ]
        for n, prop in enumerate(sorted(properties, key=lambda p: _describe(shapes, p)), 1):
            name = URIRef(f"{node}-property-{n}")
            if (name, None, None) in shapes or (None, None, name) in shapes:
                raise ValueError(f"cannot hoist a property shape of {node}: {name} is taken")
            out.remove((node, SH.property, prop))
            for p, o in shapes.predicate_objects(prop):
                out.remove((prop, p, o))
                out.add((name, p, o))
            out.add((name, RDF.type, SH.PropertyShape))
            for p, o in targets:
                out.add((name, p, o))

    return out


def _used(shapes: Graph, by: Node | None) -> Iterator[Node]:
    """The shapes that `by` (None: any shape) uses directly."""
    for p in _SHAPE_EXPECTING:
        yield from shapes.objects(by, p)
    for p in _LIST_OF_SHAPES:
        for head in shapes.objects(by, p):
            yield from shapes.items(head)


def _left_as_written(shapes: Graph) -> set[Node]:
    """The node shapes hoisting would change the meaning of: those another shape uses (what
    pyshacl calls referenced shapes), deactivated ones and those that are also classes."""
    left: set[Node] = set(_used(shapes, None))
    for shape in list(shapes.subjects(RDF.type, SH.NodeShape)):
        if Literal(True) in shapes.objects(shape, SH.deactivated) or any(
            (shape, RDF.type, c) in shapes for c in (RDFS.Class, OWL.Class)
        ):
            left.add(shape)
    return left


def _describe(shapes: Graph, prop: Node) -> list[tuple[str, str]]:
    """A key that orders a node shape's property shapes the same way on every run (blank node
    labels change between parses)."""
    return sorted(
        (str(p), str(o)) for p, o in shapes.predicate_objects(prop) if not isinstance(o, BNode)
    )


def used_by(shapes: Graph, shape: Node) -> set[URIRef]:
    """The named shapes `shape` uses, directly or through the blank-node shapes it holds."""
    found: set[URIRef] = set()
    frontier = [shape]
    seen: set[Node] = set()
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        for child in _used(shapes, current):
            if isinstance(child, URIRef):
                found.add(child)
            frontier.append(child)
    return found


def shares(shapes: Graph, workers: int) -> list[list[URIRef]]:
    """The targeted named shapes dealt out to `workers`, each share holding every named shape
    its shapes use: pyshacl's use_shapes drops a named shape that is not listed even where a
    listed shape uses it (sh:node), so a shape and those it uses go to the same process."""
    top = sorted(
        {s for p in TARGETS for s in shapes.subjects(p, None) if isinstance(s, URIRef)}, key=str
    )
    leader: dict[URIRef, URIRef] = {}

    def find(shape: URIRef) -> URIRef:
        while leader.setdefault(shape, shape) != shape:
            shape = leader[shape]
        return shape

    for shape in top:
        find(shape)
        for used in used_by(shapes, shape):
            leader[find(used)] = find(shape)
    groups: dict[URIRef, list[URIRef]] = {}
    for shape in sorted(leader, key=str):
        groups.setdefault(find(shape), []).append(shape)
    dealt: list[list[URIRef]] = [[] for _ in range(workers)]
    for group in sorted(groups.values(), key=lambda g: (-len(g), str(g[0]))):
        min(dealt, key=len).extend(group)
    return [share for share in dealt if share]
