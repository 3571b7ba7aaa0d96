"""Run the `*-violation.rq` quality checks during the build: any row is a problem to fix."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef

from kg_build.build.graph import Built
from kg_build.errors import Problem, field_named_in
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Engine


def run_violation_queries(
    catalog: Mapping[str, CannedQuery], engine: Engine, built: Built
) -> list[Problem]:
    problems = []
    for query in catalog.values():
        if not query.is_violation:
            continue
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
