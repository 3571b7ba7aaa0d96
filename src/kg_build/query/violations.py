"""Run the `*-violation.rq` quality checks during the build: any row is a problem to fix."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from rdflib import BNode, URIRef, Variable
from rdflib.term import Node

from kg_build.build.graph import Built
from kg_build.errors import Problem, field_named_in
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Engine
from kg_build.query.inject import with_one_of

LOCAL_TAG = "local"


def run_violation_queries(
    catalog: Mapping[str, CannedQuery],
    engine: Engine,
    built: Built,
    around: Collection[Node] | None = None,
) -> list[Problem]:
    """Every `*-violation` query's rows as problems. With `around` (the nodes an incremental
    build re-checks: validate/neighbourhood.py), a query tagged `local` runs on those nodes
    only: its rows for ?this depend on triples at most three steps forward from ?this, as
    SHACL's do, so only those nodes can have gained a row since the last release (which had
    none)."""
    problems = []
    for query in catalog.values():
        if not query.is_violation:
            continue
        # (a blank node cannot be named in VALUES; our data has none, but then run it whole)
        if (
            around is not None
            and LOCAL_TAG in query.tags
            and not any(isinstance(node, BNode) for node in around)
        ):
            if not around:
                continue
            text = with_one_of(query.text, Variable("this"), sorted(around, key=str))
            query = replace(query, text=text)
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
