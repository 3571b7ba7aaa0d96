"""The query screen and the lexical rules it stands on, and which IRIs become links: what
they refuse, and (as much to the point for a public endpoint) what they let through."""

from __future__ import annotations

import pytest

from kg_build.pages.html import linker
from kg_build.query.inject import where_brace
from kg_build.query.lexical import code_of, masked
from kg_build.serve.screen import QueryLimits, RefusedQueryError, screen

LIMITS = QueryLimits(max_length=10_000, max_depth=10)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { #\rSERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { \\U00000053ervice <http://x/> { ?s ?p ?o } }",
        "select * where { sErViCe silent <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE ?x { ?s ?p ?o } }",
        "SELECT*{SERVICE<http://x/>{?s ?p ?o}}",
        'SELECT * WHERE { ?s ?p "a" SERVICE <http://x/> { } }',
        "ASK { FILTER(?a < 3) SERVICE <http://x/> { } }",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(RefusedQueryError, match="SERVICE"):
        screen(query, LIMITS)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "the SERVICE desk" }',
        "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> {}''' }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        "SELECT $SERVICE WHERE { ?s ?p $SERVICE }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s <http://example.org/self-service> ?o }",
        'SELECT * WHERE { ?s ?p "\\" SERVICE <http://x/> {}" }',
    ],
)
def test_service_in_strings_iris_names_and_comments_is_not_refused(query: str) -> None:
    screen(query, LIMITS)


def test_nesting_is_counted_in_code_only() -> None:
    screen("SELECT * WHERE " + "{" * 10 + " ?s ?p ?o " + "}" * 10, LIMITS)
    screen('SELECT * WHERE { ?s ?p "' + "{" * 50 + '" } # ' + "(" * 50, LIMITS)
    with pytest.raises(RefusedQueryError, match="more than 10 deep"):
        screen("SELECT * WHERE " + "{" * 11 + " ?s ?p ?o " + "}" * 11, LIMITS)
    with pytest.raises(RefusedQueryError, match="more than 10 deep"):
        screen("ASK { ?s ?p [ ?p [ ?p ( ( ( ( ( ( ( ( 1 ) ) ) ) ) ) ) ) ] ] }", LIMITS)


def test_length_is_capped() -> None:
    with pytest.raises(RefusedQueryError, match="characters long"):
        screen("ASK {}" + " " * 10_000, LIMITS)


def test_masking_keeps_offsets_and_ends_comments_at_either_line_end() -> None:
    text = 'SELECT * # one\rWHERE { ?s <http://a#b> "c#d" } # two\nLIMIT 1'
    out = masked(text)
    assert len(out) == len(text)
    assert "WHERE {" in out and "LIMIT 1" in out
    assert "one" not in out and "two" not in out and "a#b" not in out and "c#d" not in out
    assert code_of("\\u0041SK {}").startswith("ASK")
    # the binding point of canned queries after a comment ended by \r
    assert text[where_brace(text) - 1] == "{"


def test_only_web_iris_become_links() -> None:
    link = linker("https://w3id.org/ganzhou-gba/")
    assert link("https://w3id.org/ganzhou-gba/id/place/xinfeng") == "/id/place/xinfeng"
    assert link("http://www.wikidata.org/entity/Q1") == "http://www.wikidata.org/entity/Q1"
    assert link("HTTPS://example.org/") == "HTTPS://example.org/"
    # a path that starts with // would take the browser to another host: link it as it is
    assert link("https://w3id.org/ganzhou-gba//evil.example/") == (
        "https://w3id.org/ganzhou-gba//evil.example/"
    )
    for iri in ("javascript:alert(1)", "data:text/html,<b>x</b>", "urn:isbn:1", "vbscript:x"):
        assert link(iri) is None
