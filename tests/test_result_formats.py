"""SPARQL 1.1 result formats as other tools read them: literals with tabs, line breaks,
quotes and backslashes, language tags and datatypes, blank nodes and unbound values come
back the same through rdflib's parsers of each format."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result as RdflibResult
from rdflib.term import Node

from kg_build.query.engines import Result
from kg_build.query.formats import render
from kg_build.serve.results import Answer, write

ROWS: list[tuple[Node | None, ...]] = [
    (
        Literal('a\ttab, a\nline, a "quote" and a \\ backslash\r'),
        Literal("赣州市", lang="zh"),
        Literal("3", datatype=XSD.integer),
        URIRef("https://w3id.org/ganzhou-gba/id/place/ganzhou"),
        BNode("b1"),
    ),
    (None, Literal("plain"), Literal("2022-02-17", datatype=XSD.date), None, None),
]
VARIABLES = ["text", "name", "typed", "iri", "blank"]


def _bindings(parsed: RdflibResult) -> list[dict[str, object]]:
    return [{str(k): v for k, v in b.items()} for b in parsed.bindings]


def _expected() -> list[dict[str, object]]:
    return [{v: t for v, t in zip(VARIABLES, row, strict=True) if t is not None} for row in ROWS]


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_tsv_and_json_keep_every_term(fmt: str) -> None:
    text = render(Result("select", VARIABLES, ROWS), fmt, {})
    parsed = RdflibResult.parse(io.StringIO(text), format=fmt)
    assert _bindings(parsed) == _expected()
    if fmt == "tsv":
        assert len(text.splitlines()) == 1 + len(ROWS)  # no row broken by a line break


def test_xml_keeps_every_term() -> None:
    answer = Answer("select", VARIABLES, ROWS, [], None, False)
    body = write(answer, "application/sparql-results+xml", lambda iri: iri)
    parsed = RdflibResult.parse(io.BytesIO(body), format="xml")
    assert _bindings(parsed) == _expected()


def test_csv_keeps_every_value() -> None:
    """CSV carries values only (no language or datatype), as SPARQL 1.1 CSV says; each
    value, tabs and line breaks included, comes back from a CSV reader."""
    text = render(Result("select", VARIABLES, ROWS), "csv", {})
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == VARIABLES
    assert rows[1] == [str(t) if not isinstance(t, BNode) else f"_:{t}" for t in ROWS[0]]
    assert rows[2] == ["", "plain", "2022-02-17", "", ""]


def test_variables_are_kept_in_order() -> None:
    text = render(Result("select", VARIABLES, ROWS), "tsv", {})
    assert text.splitlines()[0] == "\t".join(f"?{v}" for v in VARIABLES)
    assert [Variable(v) for v in VARIABLES] == RdflibResult.parse(
        io.StringIO(text), format="tsv"
    ).vars
