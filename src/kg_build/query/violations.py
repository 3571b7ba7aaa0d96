"""Run the `*-violation.rq` quality checks during the build: any row is a problem to fix."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from rdflib import BNode, URIRef, Variable
from rdflib.term import Node

from kg_build.errors import Problem, field_named_in
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Engine
from kg_build.query.inject import with_one_of
from kg_build.rdf.graph import Built
from kg_build.validate.query_reach import local_anchors


def run_violation_queries(
    catalog: Mapping[str, CannedQuery],
    engine: Engine,
    built: Built,
    around: Collection[Node] | None = None,
) -> list[Problem]:
    """Every `*-violation` query's rows as problems. With `around` (the nodes an incremental
    build re-checks: validate/neighbourhood.py), a query whose patterns read only a bounded
    distance forward from ?this (validate/query_reach.py says so from the query) runs on
    those nodes only: only they can have gained a row since the last release (which had
    none). One bounded only from ?this and ?other together (it compares two nodes) runs
    twice, with ?this bound and with ?other bound, and each row counts once. Any other runs
    over everything."""
    problems = []
    # (a blank node cannot be named in VALUES; our data has none, but then run it whole)
    nameable = around is not None and not any(isinstance(node, BNode) for node in around)
    for query in catalog.values():
        if not query.is_violation:
            continue
        local = local_anchors(query.text) if nameable else None
        bound = local[0] if local is not None else ()
        if nameable and around is not None and bound:
            if not around:
                continue
            nodes = sorted(around, key=str)
            results = [
                engine.run(replace(query, text=with_one_of(query.text, Variable(v), nodes)), {})
                for v in bound
            ]
            result = replace(
                results[0], rows=list(dict.fromkeys(row for r in results for row in r.rows))
            )
        else:
            result = engine.run(query, {})
        index = {v: i for i, v in enumerate(result.variables)}
        for row in result.rows:
            focus = row[index["this"]] if "this" in index else None
            message = str(row[index["message"]]) if "message" in index else query.summary
            location = None
            if isinstance(focus, URIRef):
                named = field_named_in(message)
                location = (named and built.origins.locate_field(focus, named)) or (
                    built.origins.locate(focus)
                )
            problems.append(
                Problem(
                    location.file if location else "(graph)",
                    location.line if location else 0,
                    location.field if location else "",
                    message,
                    f"quality check {query.name} on {focus}",
                )
            )
    return problems
