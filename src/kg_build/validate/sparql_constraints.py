"""SHACL-SPARQL constraints evaluated once per constraint on Oxigraph, instead of once per focus
node by pyshacl.

pyshacl runs a constraint's SELECT for every focus node with `$this` pre-bound: on a
1,000-source corpus that was four fifths of validation. Pre-binding is a join with the target
nodes, so for a query whose `$this` is not hidden in a subquery the same results come from one
query that finds the targets itself: `$this` becomes `?this`, and the outermost group starts
with `?this rdf:type/rdfs:subClassOf* <target class>`. Constraints this cannot rewrite
faithfully (other targets, nested shapes, subqueries, other pre-bound variables, deactivated
ones) are left to pyshacl, so validation means what the SHACL spec says either way.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF
from rdflib.term import Node

from kg_build.namespaces import SH
from kg_build.validate.hoisting import TARGETS
from kg_build.validate.query_reach import query_reach

_THIS = re.compile(r"\$this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_OTHER_PREBOUND = re.compile(r"\$(PATH|currentShape|shapesGraph|value)\b")
_TARGETS_OTHER_THAN_CLASS = tuple(t for t in TARGETS if t != SH.targetClass)


@dataclass(frozen=True)
class BulkConstraint:
    shape: URIRef
    constraint: Node
    classes: tuple[URIRef, ...]
    message: str
    severity: URIRef
    query: str  # the rewritten SELECT, prefixes included
    # how many steps forward from $this the constraint's own patterns read (query_reach.py);
    # None: unbounded. When bounded, only the nodes an incremental build re-checks can have
    # gained a row after a change, and it runs on those alone.
    reach: int | None = None


@dataclass(frozen=True)
class Row:
    constraint: BulkConstraint
    focus: Node
    path: Node | None
    value: Node | None
    message: str  # the constraint's, with {?name} and {$name} filled in from the solution


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _filled(message: str, solution: ox.QuerySolution, names: set[str]) -> str:
    """SHACL's message templates: each {?name} or {$name} replaced with the value of that
    variable in the solution (its IRI or lexical form), as pyshacl does; unbound ones stay."""

    def value(found: re.Match[str]) -> str:
        term = solution[found[1]] if found[1] in names else None
        return term.value if term is not None and hasattr(term, "value") else found[0]

    return _TEMPLATE.sub(value, message)


def split_shapes(shapes: Graph) -> tuple[Graph, list[BulkConstraint]]:
    """The shapes pyshacl still runs, and the SPARQL constraints taken out to run in bulk."""
    bulk = [c for c in _candidates(shapes) if c is not None]
    core = Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace)
    taken = {(c.shape, c.constraint) for c in bulk}
    for s, p, o in shapes:
        if p == SH.sparql and (s, o) in taken:
            continue
        core.add((s, p, o))
    return core, bulk


def _candidates(shapes: Graph) -> Iterable[BulkConstraint | None]:
    nested = set(shapes.objects(None, SH.node)) | set(shapes.objects(None, SH.property))
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if not isinstance(shape, URIRef) or shape in nested:
            yield None
            continue
        if any(shapes.value(shape, t) is not None for t in _TARGETS_OTHER_THAN_CLASS):
            yield None
            continue
        if Literal(True) in (
            shapes.value(shape, SH.deactivated),
            shapes.value(constraint, SH.deactivated),
        ):
            yield None
            continue
        select = shapes.value(constraint, SH.select)
        classes = tuple(
            sorted(c for c in shapes.objects(shape, SH.targetClass) if isinstance(c, URIRef))
        )
        if (
            select is None
            or not classes
            or len(_SELECT.findall(str(select))) != 1
            or _OTHER_PREBOUND.search(str(select))
            or not _WHERE.search(str(select))
        ):
            yield None
            continue
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        yield BulkConstraint(
            shape,
            constraint,
            classes,
            str(message) if message else "does not conform",
            severity if isinstance(severity, URIRef) else SH.Violation,
            _prefixes(shapes, constraint) + _rewrite(str(select), classes),
            # the constraint as written: the targeting _rewrite adds reads ?this's types and
            # the ontology's class tree, which no fact changes
            query_reach(_prefixes(shapes, constraint) + _THIS.sub("?this", str(select)), ["this"]),
        )


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = ["PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"]
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _rewrite(select: str, classes: tuple[URIRef, ...]) -> str:
    text = _THIS.sub("?this", select)
    where = _WHERE.search(text)
    if where is None:  # pragma: no cover - _candidates only passes queries with a WHERE
        raise ValueError("a SELECT without WHERE")
    targets = " ".join(c.n3() for c in classes)
    pattern = (
        f" VALUES ?kgTargetClass {{ {targets} }}"
        f" ?this <{RDF.type}> ?kgType . ?kgType rdfs:subClassOf* ?kgTargetClass . "
    )
    return text[: where.end()] + pattern + text[where.end() :]


def run_bulk(
    constraints: list[BulkConstraint],
    store: ox.Store,
    around: Collection[ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
) -> list[Row]:
    """Every result of every constraint; `store` holds the data and the ontology in its default
    graph (see shacl.data_store). With `around` (the nodes an incremental build re-checks), a
    local constraint runs with $this bound to them (a VALUES block) instead of over all data,
    which they otherwise spend most of the check's time on."""
    from kg_build.query.inject import with_one_of
    from kg_build.terms import from_oxigraph

    named = around is not None and all(isinstance(n, ox.NamedNode) for n in around)
    nodes = sorted((URIRef(n.value) for n in around or () if isinstance(n, ox.NamedNode)), key=str)
    rows = []
    for constraint in constraints:
        query = constraint.query
        if named and constraint.reach is not None:
            if not nodes:
                continue
            query = with_one_of(query, Variable("this"), nodes)
        solutions = store.query(query)
        if not isinstance(solutions, ox.QuerySolutions):  # pragma: no cover - SELECT only
            raise TypeError("a SPARQL constraint must be a SELECT query")
        names = {v.value for v in solutions.variables}
        for solution in solutions:
            focus = from_oxigraph(solution["this"])
            if focus is None:
                continue
            path = from_oxigraph(solution["path"]) if "path" in names else None
            value = from_oxigraph(solution["value"]) if "value" in names else None
            message = _filled(constraint.message, solution, names)
            rows.append(Row(constraint, focus, path, value, message))
    return rows
