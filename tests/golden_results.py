"""Golden results of the canned queries: stored once, reviewed by hand, then compared exactly.

SELECT results compare as bags (as lists when the query has ORDER BY), CONSTRUCT results by
graph isomorphism, as SPARQL defines equality. Regenerate for review with

    .venv/bin/pytest tests/test_queries.py --regen-golden && git diff tests/golden
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.util import from_n3

from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Result

GOLDEN = Path(__file__).resolve().parent / "golden"


def to_document(query: CannedQuery, params: dict[str, str], result: Result) -> dict[str, Any]:
    document: dict[str, Any] = {"query": query.name, "parameters": params, "form": query.form}
    if result.kind == "graph":
        assert result.graph is not None
        lines = result.graph.serialize(format="nt").splitlines()
        document["triples"] = sorted(line for line in lines if line.strip())
    elif result.kind == "ask":
        document["boolean"] = result.boolean
    else:
        document["ordered"] = query.ordered
        document["variables"] = result.variables
        rows = [[None if t is None else t.n3() for t in row] for row in result.rows]
        document["rows"] = rows if query.ordered else sorted(rows, key=json.dumps)
    return document


def write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def same(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    if "triples" in expected:
        a, b = Graph(), Graph()
        a.parse(data="\n".join(expected["triples"]), format="nt")
        b.parse(data="\n".join(actual["triples"]), format="nt")
        return isomorphic(a, b)
    if "boolean" in expected:
        return expected["boolean"] == actual["boolean"]
    if expected["variables"] != actual["variables"]:
        return False

    def terms(rows: list[list[str | None]]) -> list[tuple[Any, ...]]:
        return [tuple(None if t is None else from_n3(t) for t in row) for row in rows]

    if expected["ordered"]:
        return terms(expected["rows"]) == terms(actual["rows"])
    return Counter(terms(expected["rows"])) == Counter(terms(actual["rows"]))
