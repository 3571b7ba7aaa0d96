"""Parameters given as people name things (issue 23): an id, PREFIX:ID, an English, Chinese or
pinyin name, or the IRI, on every engine, from the command line and over the API; a name
that fits nothing or several things is an error that says so, never 0 rows and exit 0."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import BASE, ROOT, kg_here
from sparql_endpoint import serve

from kg_build.query.catalog import load_catalog
from kg_build.query.engines import OxigraphEngine, RdflibEngine, RemoteEngine
from kg_build.query.names import choose, lookup_query, lookups
from kg_build.query.params import ParameterError
from kg_build.serve.background import running_server
from kg_build.store.from_dumps import oxigraph_from_dist, rdflib_from_dist

QUERY = load_catalog(ROOT / "queries", lambda p: p.stem == "projects-in-place")["projects-in-place"]
NANKANG = f"{BASE}id/place/nankang"
SAME_PLACE = ["nankang", "place:nankang", "南康", "南康区", "Nankang District", "nankang  DISTRICT"]


def _resolved(engine: object, given: str) -> str:
    (lookup,) = lookups(QUERY, {"place": given}, BASE)
    return choose(lookup, engine.run(lookup_query(), lookup.bindings).rows)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def engines(published: Path) -> Iterator[list[object]]:
    oxigraph = OxigraphEngine(oxigraph_from_dist(published, BASE))
    with serve(oxigraph_from_dist(published, BASE)) as (url, _):
        yield [oxigraph, RdflibEngine(rdflib_from_dist(published, BASE)), RemoteEngine(url)]


@pytest.mark.parametrize("given", [*SAME_PLACE, NANKANG])
def test_every_way_of_naming_a_place_finds_it_on_every_engine(
    engines: list[object], given: str
) -> None:
    for engine in engines:
        assert _resolved(engine, given) == NANKANG, engine


def test_pinyin_alternative_names_count(engines: list[object]) -> None:
    for engine in engines:
        assert _resolved(engine, "Xinfeng") == f"{BASE}id/place/xinfeng"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nowhere", "no place called 'nowhere'"),
        ("place:nowhere", f"no place <{BASE}id/place/nowhere> in the data"),
        (f"{BASE}id/place/nowhere", "in the data"),
        ("县", "could be any of 5 places"),
    ],
)
def test_a_name_that_fits_nothing_or_several_things_is_an_error(
    engines: list[object], given: str, message: str
) -> None:
    for engine in engines:
        with pytest.raises(ParameterError, match=message.replace("<", ".").replace(">", ".")):
            _resolved(engine, given)


def test_the_command_line_takes_names_and_says_what_is_wrong(published: Path) -> None:
    by_iri = kg_here(
        "query", "projects-in-place", "-p", f"place={NANKANG}", "--dist", str(published)
    )
    assert by_iri.code == 0 and "(4 rows)" in by_iri.out
    for given in ("南康", "place:nankang", "Nankang District"):
        named = kg_here(
            "query", "projects-in-place", "-p", f"place={given}", "--dist", str(published)
        )
        assert named.code == 0 and named.out == by_iri.out, given
    unknown = kg_here("query", "projects-in-place", "-p", "place=nowhere", "--dist", str(published))
    assert unknown.code == 2 and "no place called 'nowhere'" in unknown.err
    assert unknown.out == ""
    typed = kg_here("query", "projects-by-stage", "-p", "year=twenty", "--dist", str(published))
    assert typed.code == 2 and "'twenty' is not a valid xsd:integer" in typed.err
    assert "Traceback" not in typed.err


def test_the_api_takes_names_and_answers_400_for_no_such_place(published: Path) -> None:
    with running_server(published, cwd=ROOT) as url:
        path = f"{url}/api/queries/projects-in-place"
        by_iri = requests.get(path, params={"place": NANKANG, "format": "json"}, timeout=10)
        named = requests.get(path, params={"place": "南康", "format": "json"}, timeout=10)
        assert by_iri.status_code == named.status_code == 200
        assert len(by_iri.json()["results"]["bindings"]) == 4
        assert named.json() == by_iri.json()
        unknown = requests.get(path, params={"place": "nowhere"}, timeout=10)
        assert unknown.status_code == 400 and "no place called 'nowhere'" in unknown.text
        several = requests.get(path, params={"place": "县"}, timeout=10)
        assert several.status_code == 400 and "could be any of" in several.text


def test_a_parameter_whose_kind_the_query_declares_is_looked_up_among_those(
    published: Path,
) -> None:
    """`region` is no kind of entity; `#+ kinds: - region: place` makes "大湾区" the Greater
    Bay Area, not one of the twenty agreements and figures whose names contain it."""
    args = ("query", "bay-area-enterprises-in-place", "--dist", str(published))
    default = kg_here(*args)
    named = kg_here(*args, "-p", "region=大湾区")
    assert named.code == 0 and named.out == default.out and "(5 rows)" in named.out
