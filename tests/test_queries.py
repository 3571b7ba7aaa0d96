"""Canned queries: headers, golden results, engine agreement, safe parameters, the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import BASE, ROOT, kg_here
from golden_results import GOLDEN, same, to_document, write
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from sparql_endpoint import Behaviour, serve

from kg_build.query.catalog import HEADER_KEYS, CannedQuery, header_of, load_catalog
from kg_build.query.engines import (
    OxigraphEngine,
    RdflibEngine,
    RemoteEngine,
    Result,
)
from kg_build.query.inject import with_values
from kg_build.query.params import ParameterError, bind, sparql_term
from kg_build.store.from_dumps import oxigraph_from_dist, rdflib_from_dist

CATALOG = load_catalog(ROOT / "queries")
ANSWERS = [q for q in CATALOG.values() if not q.is_violation]


@pytest.fixture(scope="module")
def dist(published: Path) -> Path:
    return published


@pytest.fixture(scope="module")
def oxigraph(dist: Path) -> OxigraphEngine:
    return OxigraphEngine(oxigraph_from_dist(dist, BASE))


@pytest.fixture(scope="module")
def rdflib_engine(dist: Path) -> RdflibEngine:
    return RdflibEngine(rdflib_from_dist(dist, BASE))


def _rows(result: Result) -> Counter[tuple[Any, ...]]:
    return Counter(result.rows)


# ---- headers -------------------------------------------------------------------------------


def test_there_are_at_least_fifteen_questions_and_some_quality_checks() -> None:
    assert len(ANSWERS) >= 15
    assert sum(q.is_violation for q in CATALOG.values()) >= 3


@pytest.mark.parametrize("query", CATALOG.values(), ids=list(CATALOG))
def test_header_is_complete_and_grlc_compatible(query: CannedQuery) -> None:
    header = header_of(query.text)
    assert query.summary and query.description and query.tags
    assert "endpoint" not in header  # the endpoint is chosen at run time
    assert set(header) <= HEADER_KEYS
    declared = {k for item in header.get("defaults", []) for k in item}
    declared |= {k for item in header.get("examples", []) for k in item}
    used = {p.name for p in query.parameters}
    assert declared == used, "every declared parameter is used, every used one declared"
    for parameter in query.parameters:
        assert parameter.type_label and parameter.default and parameter.example, parameter
        assert f"?{parameter.variable}" in query.text
    if query.parameters:
        assert "WHERE {" in query.text  # where VALUES goes for remote endpoints


# ---- golden results ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ANSWERS, ids=[q.name for q in ANSWERS])
def test_golden_result(
    query: CannedQuery, oxigraph: OxigraphEngine, request: pytest.FixtureRequest
) -> None:
    actual = to_document(query, {}, oxigraph.run(query, bind(query, {})))
    path = GOLDEN / f"{query.name}.json"
    if request.config.getoption("--regen-golden"):
        write(path, actual)
        pytest.skip("golden file regenerated: review it with git diff")
    assert path.exists(), f"no golden file; run pytest {__file__} --regen-golden and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert same(expected, actual), f"{query.name} differs from {path}"


def test_golden_files_are_not_empty_where_the_data_answers() -> None:
    for query in ANSWERS:
        document = json.loads((GOLDEN / f"{query.name}.json").read_text(encoding="utf-8"))
        assert document.get("rows") or document.get("triples"), query.name


def test_violation_queries_find_nothing_in_the_shipped_data(oxigraph: OxigraphEngine) -> None:
    for query in CATALOG.values():
        if query.is_violation:
            assert oxigraph.run(query, {}).rows == [], query.name


# ---- the same answers everywhere -----------------------------------------------------------


def _cases() -> list[tuple[CannedQuery, dict[str, str]]]:
    cases: list[tuple[CannedQuery, dict[str, str]]] = [(q, {}) for q in ANSWERS]
    cases += [
        (q, {p.name: p.example for p in q.parameters if p.example}) for q in ANSWERS if q.parameters
    ]
    return cases


@pytest.mark.parametrize(
    ("query", "params"), _cases(), ids=lambda v: v.name if isinstance(v, CannedQuery) else ""
)
def test_rdflib_and_oxigraph_agree(
    query: CannedQuery,
    params: dict[str, str],
    oxigraph: OxigraphEngine,
    rdflib_engine: RdflibEngine,
) -> None:
    bindings = bind(query, params)
    a, b = oxigraph.run(query, bindings), rdflib_engine.run(query, bindings)
    if a.kind == "graph":
        assert a.graph is not None and b.graph is not None
        assert set(a.graph) == set(b.graph)
    else:
        assert a.variables == b.variables
        assert _rows(a) == _rows(b)


def test_remote_endpoint_gives_the_golden_answers(dist: Path, oxigraph: OxigraphEngine) -> None:
    store = oxigraph_from_dist(dist, BASE)  # holds the union in its default graph
    with serve(store, Behaviour(union_default_graph=False)) as (url, received):
        remote = RemoteEngine(url)
        for query in ANSWERS:
            bindings = bind(query, {})
            a, b = remote.run(query, bindings), oxigraph.run(query, bindings)
            if a.kind == "graph":
                assert set(a.graph or []) == set(b.graph or []), query.name
            else:
                assert _rows(a) == _rows(b), query.name
        assert len(received) == len(ANSWERS)


def test_kg_query_on_an_endpoint(dist: Path) -> None:
    with serve(oxigraph_from_dist(dist, BASE), Behaviour(union_default_graph=False)) as (url, _):
        result = kg_here("query", "travel-times", "--endpoint", url, "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert {(r["from"], r["to"], r["after"], r["minutesSaved"]) for r in rows} >= {
        ("Xinfeng County", "Shenzhen", "1.5 h", "240")
    }


def test_a_remote_query_is_sent_as_the_form_it_is() -> None:
    """SPARQLWrapper guesses a query's form from its text; an apostrophe in a comment made it
    take the words after it for the query, and send a SELECT as an update (`add`)."""
    text = "# the figure's value is added once\nSELECT ?s WHERE { ?s ?p ?o }\n"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    with serve(store, Behaviour(union_default_graph=False)) as (url, received):
        result = RemoteEngine(url).run_text(text, form="SELECT")
    assert received == [text]
    assert result.rows == [(URIRef("http://e/s"),)]


# ---- parameters: typed, bound as one term, never spliced ----------------------------------

SEARCH = CATALOG["search-by-name"]
VECTORS = ['"', "'", "\\", "}", "> . } ; DROP ALL ; {", "\\u0022", "a\nb", '赣州"} UNION {?s ?p ?o']


def _values_rows(algebra: Any) -> list[dict[Variable, Any]]:
    found = []

    def walk(node: Any) -> None:
        if getattr(node, "name", None) == "values":
            found.extend(node["res"])
        if hasattr(node, "values") and callable(node.values):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(algebra)
    return found


def _without_values(node: Any) -> Any:
    """The algebra with our VALUES join taken out again: Join(ToMultiSet(values), X) -> X."""
    if (
        getattr(node, "name", None) == "Join"
        and getattr(node.get("p1"), "name", None) == "ToMultiSet"
    ):
        return _without_values(node["p2"])
    if hasattr(node, "items") and hasattr(node, "name"):
        copy = type(node)(node.name)
        for key, value in node.items():
            copy[key] = value if key == "_vars" else _without_values(value)
        return copy
    if isinstance(node, list):
        return [_without_values(v) for v in node]
    return node


def _shape(node: Any) -> Any:
    """A comparable form of an algebra tree, without rdflib's bookkeeping (variable sets, the
    `lazy` evaluation hint of joins)."""
    if hasattr(node, "items") and hasattr(node, "name"):
        kept = ((k, _shape(v)) for k, v in node.items() if k not in ("_vars", "lazy"))
        return (node.name, tuple(kept))
    if isinstance(node, list):
        return tuple(_shape(v) for v in node)
    return node


@pytest.mark.parametrize("vector", VECTORS)
def test_injection_vector_is_one_literal_on_local_engines(
    vector: str, oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine
) -> None:
    bindings = bind(SEARCH, {"q": vector})
    assert bindings == {Variable("_q"): Literal(vector)}
    a, b = rdflib_engine.run(SEARCH, bindings), oxigraph.run(SEARCH, bindings)
    assert _rows(a) == _rows(b)
    assert all(vector.lower() in str(row[2]).lower() for row in a.rows)


@pytest.mark.parametrize("vector", [v for v in VECTORS if "\\u" not in v])
def test_injection_vector_sent_to_an_endpoint_is_one_term_and_the_algebra_is_the_template(
    vector: str,
) -> None:
    text = with_values(SEARCH.text, bind(SEARCH, {"q": vector}))
    parsed = translateQuery(parseQuery(text)).algebra
    # the simple literal with its datatype written out (params.sparql_term: for Virtuoso)
    assert _values_rows(parsed) == [{Variable("_q"): Literal(vector, datatype=XSD.string)}]
    assert _shape(_without_values(parsed)) == _shape(SEARCH.algebra.algebra)


def test_codepoint_escape_is_refused_for_endpoints_only(oxigraph: OxigraphEngine) -> None:
    bindings = bind(SEARCH, {"q": "\\u0022"})
    with pytest.raises(ParameterError, match="backslash"):
        RemoteEngine("http://127.0.0.1:9/sparql").text_for(SEARCH, bindings)
    assert oxigraph.run(SEARCH, bindings).rows == []  # locally it is just six characters


@pytest.mark.parametrize(
    "iri",
    [
        "http://x y",
        "http://x>",
        "<http://x>",
        "http://x> . } ; DROP ALL ; {<http://y",
        'http://x"',
        "x",
        "http://a\nb",
        "",
    ],
)
def test_bad_iris_are_refused(iri: str) -> None:
    with pytest.raises(ParameterError, match="not an absolute IRI"):
        bind(CATALOG["projects-in-place"], {"place": iri})


def test_typed_literal_parameters_are_checked() -> None:
    stage = CATALOG["projects-by-stage"]
    assert bind(stage, {"year": "2021"})[Variable("_year_integer")] == Literal(
        "2021", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")
    )
    with pytest.raises(ParameterError, match="not a valid xsd:integer"):
        bind(stage, {"year": "2022; DROP ALL"})


def test_unknown_and_missing_parameters(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="no parameter 'plcae'"):
        bind(CATALOG["projects-in-place"], {"plcae": "x"})
    (tmp_path / "needs.rq").write_text(
        "#+ summary: s\n#+ description: d\n#+ tags: [t]\nSELECT ?s WHERE { ?s ?p ?_thing_iri }\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="needs parameter 'thing'"):
        bind(load_catalog(tmp_path)["needs"], {})


def test_sparql_term_writes_one_token() -> None:
    string = "^^<http://www.w3.org/2001/XMLSchema#string>"
    assert sparql_term(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"' + string
    assert sparql_term(Literal("x", lang="en")) == '"x"@en'
    assert sparql_term(URIRef("http://e.org/a")) == "<http://e.org/a>"


# ---- command line --------------------------------------------------------------------------


def test_kg_query_lists_the_queries() -> None:
    result = kg_here("query")
    assert result.code == 0, result.err
    listed = [
        line.split()[0] for line in result.out.splitlines() if line and not line.startswith(" ")
    ]
    assert len(listed) >= 15 and "travel-times" in listed


def test_kg_query_formats(dist: Path) -> None:
    common = ["--dist", str(dist)]
    table = kg_here("query", "people-and-roles", *common)
    golden = json.loads((GOLDEN / "people-and-roles.json").read_text(encoding="utf-8"))
    shown = f"({len(golden['rows'])} rows)"
    assert table.code == 0 and "Wan Kai" in table.out and shown in table.out, table.out
    tsv = kg_here("query", "people-and-roles", "-f", "tsv", *common)
    assert tsv.out.splitlines()[0].startswith("?person\t?name")
    document = json.loads(kg_here("query", "agreements", "-f", "json", *common).out)
    assert document["head"]["vars"][0] == "agreement" and document["results"]["bindings"]
    turtle = kg_here(
        "query", "describe-entity", "-f", "turtle", "-p", f"entity={BASE}id/place/xinfeng", *common
    )
    assert turtle.code == 0 and "place:xinfeng" in turtle.out
    wrong = kg_here("query", "agreements", "-f", "turtle", *common)
    assert wrong.code == 2 and "CONSTRUCT" in wrong.err


def test_kg_query_errors_are_usage_errors(dist: Path, tmp_path: Path) -> None:
    bad = kg_here("query", "projects-in-place", "-p", "place=http://x y", "--dist", str(dist))
    assert bad.code == 2 and "not an absolute IRI" in bad.err
    typed = kg_here("query", "projects-by-stage", "-p", "year=twenty", "--dist", str(dist))
    assert typed.code == 2 and "not a valid xsd:integer" in typed.err
    extra = kg_here("query", "travel-times", "-p", "year=2022", "--dist", str(dist))
    assert extra.code == 2 and "no parameter 'year'" in extra.err
    unknown = kg_here("query", "no-such-query", "--dist", str(dist))
    assert unknown.code == 2 and "kg query" in unknown.err
    missing = kg_here("query", "agreements", "--dist", str(tmp_path / "nothing"))
    assert missing.code == 2 and "kg build" in missing.err
    down = kg_here("query", "agreements", "--endpoint", "http://127.0.0.1:9/sparql")
    assert down.code == 2 and "127.0.0.1:9" in down.err
