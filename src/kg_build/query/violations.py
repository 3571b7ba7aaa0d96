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

# What an incremental build may bind a check's variables to (see run_violation_queries)
LOCAL_VARIABLES = {"local": ("this",), "local-pair": ("this", "other")}


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
    none). One tagged `local-pair` compares two nodes, ?this and ?other, each through its own
    triples: a new row has one of them among those nodes, so it runs twice, with ?this bound
    and with ?other bound, and each row counts once."""
    problems = []
    # (a blank node cannot be named in VALUES; our data has none, but then run it whole)
    nameable = around is not None and not any(isinstance(node, BNode) for node in around)
    for query in catalog.values():
        if not query.is_violation:
            continue
        bound = next((LOCAL_VARIABLES[t] for t in query.tags if t in LOCAL_VARIABLES), ())
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
