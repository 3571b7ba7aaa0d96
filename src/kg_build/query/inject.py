"""Put bindings into the query as a VALUES block at the start of the outermost WHERE group,
which SPARQL evaluates like a substitution for that group. Used where no binding API exists:
remote endpoints, and Oxigraph, whose `substitutions` take projected variables only. Queries
use parameters only in that group (triple patterns, FILTERs, EXISTS), not in subqueries,
so the VALUES join and a substitution agree; tests compare both on every query."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import Variable
from rdflib.term import Node

from kg_build.query.lexical import masked
from kg_build.query.params import ParameterError, sparql_term

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def where_brace(text: str) -> int:
    """Offset just after the `{` of the first top-level `WHERE {` outside comments and strings."""
    match = _WHERE.search(masked(text))
    if match is None:
        raise ParameterError("the query has no 'WHERE {' to bind parameters in")
    return match.end()


def with_one_of(text: str, variable: Variable, terms: Iterable[Node]) -> str:
    """The query with `variable` bound to each of `terms` in turn (one VALUES row each)."""
    rows = " ".join(sparql_term(term, codepoints_safe=True) for term in terms)
    at = where_brace(text)
    return text[:at] + f" VALUES {variable.n3()} {{ {rows} }} " + text[at:]


def with_values(text: str, bindings: Mapping[Variable, Node], codepoints_safe: bool = False) -> str:
    if not bindings:
        return text
    names = sorted(bindings, key=str)
    row = " ".join(sparql_term(bindings[v], codepoints_safe) for v in names)
    block = f" VALUES ({' '.join(v.n3() for v in names)}) {{ ({row}) }} "
    at = where_brace(text)
    return text[:at] + block + text[at:]
