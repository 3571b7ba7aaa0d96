"""SHACL validation with pyshacl, each result traced back to the fact file line that caused it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg_build.elsewhere import in_child
from kg_build.errors import InputError, Problem, field_named_in
from kg_build.namespaces import SH
from kg_build.rdf.graph import Built, Location
from kg_build.terms import from_oxigraph, oxigraph_triple
from kg_build.validate import hoisting
from kg_build.validate.neighbourhood import Node as Node_
from kg_build.validate.neighbourhood import neighbourhood, reach
from kg_build.validate.sparql_constraints import run_bulk, split_shapes


@dataclass(frozen=True, order=True)
class Violation:
    file: str
    line: int
    field: str
    message: str
    focus: str
    path: str
    value: str
    severity: str

    def as_problem(self) -> Problem:
        detail = f" (value: {self.value})" if self.value else ""
        return Problem(
            self.file,
            self.line,
            self.field,
            f"{self.message}{detail}",
            f"node {self.focus}" + (f", property {self.path}" if self.path else ""),
        )


def load_shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise InputError(
            [Problem(str(shapes_dir), 0, "", "no SHACL shapes (*.ttl) found", "pass --shapes DIR")]
        )
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def validate_graph(
    built: Built,
    shapes: Graph,
    ontology: Graph,
    store: ox.Store | None = None,
    workers: int | None = None,
    focus: set[Node_] | None = None,
) -> list[Violation]:
    """Run every shape over the facts (with the ontology's class hierarchy); [] means conforms.

    SPARQL constraints that can be run once over all their targets go to Oxigraph (`store`
    holds the data and the ontology; built here when not given), the rest to pyshacl, split
    over `workers` processes on large graphs (default: the machine's cores). With `focus`
    (after a change: validate/neighbourhood.py), pyshacl checks only the graph around those
    nodes and reports on them alone; `store` must then hold all the data."""
    core, bulk = split_shapes(shapes)
    steps = reach(core) if focus is not None else None
    if focus is not None and store is not None and steps is not None:
        around = neighbourhood(store, focus, steps)
        wanted = {from_oxigraph(node) for node in focus}
        raws = [r for r in core_results(around, core, ontology, workers) if r[0] in wanted]
    else:
        # The union made by each pyshacl worker rather than here: this process would hold it in
        # reference cycles afterwards, and collecting them took seconds.
        raws = core_results(built.union, core, ontology, workers, size=len(built.dataset))
    violations = [_violation(built, *raw) for raw in raws]
    if bulk:
        if store is None:
            store = data_store([built.union()], ontology)
        for row in run_bulk(bulk, store, focus):
            c = row.constraint
            violations.append(
                _violation(built, row.focus, row.path, row.value, row.message, c.severity)
            )
    return sorted(set(violations))


def data_store(graphs: Iterable[Iterable[ox.Triple] | Graph], ontology: Graph) -> ox.Store:
    """The facts and the ontology merged into the default graph of an in-memory Oxigraph store.
    Merged, not one named graph per source: Oxigraph 0.5 answers joins over the union of a
    hundred named graphs a thousand times slower than over one graph."""
    store = ox.Store()
    add_to_store(store, [*graphs, ontology])
    return store


def add_to_store(store: ox.Store, graphs: Iterable[Iterable[ox.Triple] | Graph]) -> None:
    default = ox.DefaultGraph()
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, default)
        for graph in graphs
        for t in (
            (oxigraph_triple(s, p, o) for s, p, o in graph) if isinstance(graph, Graph) else graph
        )
    ]
    store.extend(quads)


Raw = tuple[Node | None, Node | None, Node | None, str, Node | None]  # focus, path, value, ...
PARALLEL_MIN_TRIPLES = 50_000  # below this, starting processes costs more than it saves
Data = Graph | Callable[[], Graph]  # the data graph, or a function that makes it anew


def core_results(
    data: Data,
    core: Graph,
    ontology: Graph,
    workers: int | None,
    min_triples: int = PARALLEL_MIN_TRIPLES,
    size: int | None = None,
) -> list[Raw]:
    """pyshacl's results for the core shapes. `data` is ours to change (pyshacl mixes the
    ontology into it in place, which saves copying the graph); given as a function (with
    `size`, the number of triples it makes), each worker makes its own graph and this process
    never holds one. The shapes go to pyshacl with their property shapes hoisted
    (validate/hoisting.py). On a large graph the top-level shapes are shared out to forked
    processes, each validating its share over the whole graph. (Splitting by focus node does
    not work: pyshacl then checks the given nodes against every shape, targeted or not.)"""
    core = hoisting.hoist_property_shapes(core)
    dealt = hoisting.shares(core, workers or os.cpu_count() or 1)
    shares: list[list[URIRef | str]] = [list(share) for share in dealt]
    if size is None:
        data = data if isinstance(data, Graph) else data()
        size = len(data)
    parallel = (
        len(shares) > 1
        and size >= min_triples
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not parallel:
        return _pyshacl(data if isinstance(data, Graph) else data(), core, ontology, None)
    # in children: each inherits the graphs at the fork instead of receiving them pickled
    waits = [in_child(partial(_validate_share, data, core, ontology, share)) for share in shares]
    return [raw for wait in waits for raw in wait()]


def _validate_share(
    data: Data, core: Graph, ontology: Graph, share: list[URIRef | str]
) -> list[Raw]:
    return _pyshacl(data if isinstance(data, Graph) else data(), core, ontology, share)


def _pyshacl(
    data: Graph, core: Graph, ontology: Graph, shapes: list[URIRef | str] | None
) -> list[Raw]:
    conforms, results, _ = validate(
        data,
        shacl_graph=core,
        ont_graph=ontology,
        inference="none",
        allow_warnings=False,
        inplace=True,
        use_shapes=shapes,
    )
    if not isinstance(results, Graph):
        raise TypeError("pyshacl returned no results graph")
    raws = [_raw(results, r) for r in results.subjects(RDF.type, SH.ValidationResult)]
    if not conforms and not raws:  # pragma: no cover - pyshacl always reports results
        raise RuntimeError("pyshacl reported non-conformance without results")
    return raws


def _raw(results: Graph, result: Node) -> Raw:
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    return (
        results.value(result, SH.focusNode),
        results.value(result, SH.resultPath),
        results.value(result, SH.value),
        messages[0] if messages else "does not conform",
        results.value(result, SH.resultSeverity),
    )


def _violation(
    built: Built,
    focus: Node | None,
    path: Node | None,
    value: Node | None,
    message: str,
    severity: Node | None,
) -> Violation:
    location = built.origins.locate(focus, path) if focus is not None else None
    named = field_named_in(message)
    if focus is not None and named and (location is None or not location.field):
        # A missing value has no line of its own; our messages name the field to add.
        location = built.origins.locate_field(focus, named) or location
    if location is None and focus is not None:
        location = _nearest_written(built, focus)
    return Violation(
        file=location.file if location else "(generated)",
        line=location.line if location else 0,
        field=location.field if location else "",
        message=message,
        focus=_short(built, focus),
        path=_short(built, path),
        value=str(value) if isinstance(value, Literal) else _short(built, value),
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
    )


def _nearest_written(built: Built, node: Node, depth: int = 3) -> Location | None:
    """A node the builder made from part of a record (a year, its first day, a geometry) has no
    line of its own: walk back along the triples that point at it to the field that made it."""
    frontier = [node]
    for _ in range(depth):
        parents = []
        for target in frontier:
            for graph in built.dataset.graphs():
                for subject, predicate in graph.subject_predicates(target):
                    location = built.origins.locate(subject, predicate)
                    if location is not None and (subject, predicate) in built.origins.pairs:
                        return location
                    parents.append(subject)
        frontier = parents
    return None


def _short(built: Built, node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(built.base):
        return text[len(built.base) :]
    return text
