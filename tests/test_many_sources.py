"""Many sources, one graph (tests/fixtures): statements about things other sources define,
disagreement kept as data with ranks, who said what where, and answers that name their
source."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import (
    BASE,
    FACTS,
    FIXTURE,
    ROOT,
    TEXTS,
    build_release,
    kg_here,
    project_config,
    texts_args,
)
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg_build.errors import InputError
from kg_build.namespaces import GBA
from kg_build.pages.html import linker, resource
from kg_build.pipeline import Checked, Release, check

FNA = "fna-2021-12-10-ganshen-hsr-opens"
GSR = "gsr-2022-01-20-spring-festival-notice"
CNS = "cns-2022-02-17-ganzhou-bay-area"
ID = BASE + "id/"


def _graph(checked: Checked, source: str) -> set[tuple[object, object, object]]:
    iri = URIRef(f"{BASE}graph/{source}")
    graph = next(g for g in checked.built.dataset.graphs() if g.identifier == iri)
    return set(graph)


def test_a_statement_adds_to_a_thing_another_source_defines(checked: Checked) -> None:
    """The milestone the second source gives of the railway the first defines is in the
    second source's graph, with its own attestation and quote; the railway keeps one IRI,
    and its type and names stay in the first source's graph alone."""
    railway = URIRef(ID + "project/ganshen-hsr")
    milestone = URIRef(ID + "milestone/ganshen-hsr--in-operation--2021-12-10")
    theirs, first = _graph(checked, FNA), _graph(checked, CNS)
    assert (railway, GBA.hasMilestone, milestone) in theirs
    assert (railway, GBA.hasMilestone, milestone) not in first
    assert not any(s == railway and p == RDF.type for s, p, _ in theirs)
    attestation = URIRef(f"{ID}attestation/project/ganshen-hsr/{FNA}")
    assert (railway, GBA.attestedBy, attestation) in theirs
    assert (attestation, PROV.wasQuotedFrom, URIRef(f"{ID}source/{FNA}")) in theirs
    assert (railway, PROV.wasDerivedFrom, URIRef(f"{ID}source/{FNA}")) in theirs
    assert any(s == railway and p == RDF.type for s, p, _ in first)


def test_a_figure_is_attributed_to_a_person_at_an_event(checked: Checked) -> None:
    attestation = URIRef(ID + "attestation/figure/gsr-ganshen-hsr-spring-festival-passengers")
    graph = _graph(checked, GSR)
    assert (attestation, PROV.wasAttributedTo, URIRef(ID + "person/chen-hua")) in graph
    event = URIRef(ID + "event/ganshen-railway-press-conference-2022-01-20")
    assert (attestation, GBA.statedAt, event) in graph
    # a person quoted, holding no role, takes part in an event
    ceremony, passenger = (
        URIRef(ID + "event/ganshen-hsr-opening-ceremony"),
        URIRef(ID + "person/li-ming-passenger"),
    )
    assert (ceremony, GBA.participant, passenger) in _graph(checked, FNA)


def test_facilities_are_places(checked: Checked) -> None:
    """A station the railway connects, lying in a development zone where a company is
    present: projects that are places stand where places do (and conform)."""
    graph = _graph(checked, FNA)
    station, zone = URIRef(ID + "project/ganzhou-west-station"), URIRef(ID + "project/ganzhou-etdz")
    assert (URIRef(ID + "project/ganshen-hsr"), GBA.connects, station) in graph
    assert (station, GBA.locatedIn, zone) in graph
    assert (URIRef(ID + "organisation/fixture-rail-equipment"), GBA.presentIn, zone) in graph
    assert checked.problems == []


def test_a_facility_is_no_part_of_the_hierarchy_of_places(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    places = facts / "places.yaml"
    text = places.read_text(encoding="utf-8")
    places.write_text(text.replace("part_of: [ganzhou]", "part_of: [ganzhou-etdz]", 1))
    with pytest.raises(InputError) as refused:
        check(project_config(facts=facts))
    assert any("'ganzhou-etdz' is project, not places" in p.message for p in refused.value.problems)


def test_disagreement_is_kept_with_both_sources_and_ranked(checked: Checked) -> None:
    found = checked.disagreements()
    conflicting = {
        tuple(sorted(e.record.id for e in conflict.figures)) for conflict in found.conflicts
    }
    assert conflicting == {
        ("ganshen-hsr-spring-festival-passengers", "gsr-ganshen-hsr-spring-festival-passengers"),
        (
            "ganshen-hsr-spring-festival-train-pairs",
            "gsr-ganshen-hsr-spring-festival-train-pairs",
        ),
    }
    # the same travel period: the later source answers by default
    assert found.ranks["ganshen-hsr-spring-festival-train-pairs"].rank == "preferred"
    assert found.ranks["gsr-ganshen-hsr-spring-festival-train-pairs"].rank == "normal"
    # a length of 2021 outranks the length planned in 2016; neither conflicts
    assert found.ranks["fna-ganshen-hsr-length"].rank == "preferred"
    assert found.ranks["gsr-ganshen-hsr-planned-length"].rank == "normal"
    assert "period is the most recent" in found.ranks["fna-ganshen-hsr-length"].reason
    # a figure alone has no rank
    assert "fna-ganshen-hsr-design-speed" not in found.ranks


def test_ranks_are_published_and_the_description_counts_conflicts(
    shipped_release: Release,
) -> None:
    """shipped_release: the fixture corpus's release (conftest)."""
    assert shipped_release.reasoning is not None
    inferred = {(str(s), str(p), str(o)) for s, p, o in shipped_release.reasoning.inferred}
    rank = str(GBA.valueRank)
    length, planned = (
        ID + "figure/fna-ganshen-hsr-length",
        ID + "figure/gsr-ganshen-hsr-planned-length",
    )
    assert (length, rank, str(GBA.PreferredRank)) in inferred
    assert (planned, rank, str(GBA.NormalRank)) in inferred
    counted = [
        str(t.object)
        for t in shipped_release.description
        if t.predicate.value == str(GBA.conflicts)
    ]
    assert counted == ['"2"^^<http://www.w3.org/2001/XMLSchema#integer>']


def test_kg_conflicts_lists_both_quotes() -> None:
    result = kg_here("conflicts", "--facts", str(FACTS), *texts_args())
    assert result.code == 0, result.err
    assert "466000 count [preferred]" in result.out and "500000 count [normal]" in result.out
    assert '"said that 500,000 passengers are expected' in result.out
    assert f"{GSR}/figures.yaml:12" in result.out and result.out.endswith("2 conflict(s)\n")
    report = json.loads(kg_here("conflicts", "--facts", str(FACTS), "-f", "json").out)
    assert [len(c["figures"]) for c in report] == [2, 2]
    assert {c["of"]["measure"] for c in report} == {"expected-passengers", "scheduled-train-pairs"}


def test_kg_validate_lists_conflicts_and_conforms() -> None:
    result = kg_here("validate", "--facts", str(FACTS), *texts_args())
    assert result.code == 0, result.err
    assert "conforms; 2 conflict(s) between figures" in result.err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("about: ganshen-hsr", "reference to unknown 'ganshen-hsr-x'"),
        ("stage: in-operation", "unknown stage 'opened'"),
    ],
)
def test_a_wrong_statement_is_reported_at_its_line(tmp_path: Path, edit: str, message: str) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    projects = facts / "sources" / FNA / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    wrong = {"about: ganshen-hsr": "about: ganshen-hsr-x", "stage: in-operation": "stage: opened"}
    projects.write_text(text.replace(edit, wrong[edit]), encoding="utf-8")
    result = kg_here("validate", "--facts", str(facts), *texts_args())
    assert result.code == 2 and message in result.err, result.err
    assert f"sources/{FNA}/projects.yaml:" in result.err


def test_a_statement_about_the_sources_own_thing_or_twice_is_refused(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    projects = facts / "sources" / FNA / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    statement = text.split("projects:\n", 1)[1].split("\n\n", 1)[0]  # the first item
    projects.write_text(text + "\n" + statement + "\n", encoding="utf-8")
    events = facts / "sources" / FNA / "events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8")
        + "  - about: ganshen-hsr-opening-ceremony\n"
        + "    quote: at the opening ceremony in Ganzhou\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        check(project_config(facts=facts))
    messages = [p.message for p in refused.value.problems]
    assert any("a second statement of this source about 'ganshen-hsr'" in m for m in messages)
    assert any("'ganshen-hsr-opening-ceremony' is defined by this source" in m for m in messages)


def test_the_fixture_corpus_was_curated_without_python() -> None:
    """The second and third sources are YAML files and texts only (the guide for curators:
    tests/fixtures/README.md)."""
    for source in (FNA, GSR):
        files = {p.suffix for p in (FACTS / "sources" / source).iterdir()}
        assert files == {".yaml"}
    assert {p.suffix for p in (FIXTURE / "texts").iterdir()} == {".txt"}


def test_an_entity_page_says_what_each_source_says(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build_release(dist)
    store = ox.Store.read_only(str(dist / "current" / "store"))
    page = resource(store, ox.NamedNode(ID + "project/ganshen-hsr"), linker(BASE))
    said = page[page.index("What each source says") :]
    rows = said[: said.index("</table>")].split("<tr>")
    by_fna = [r for r in rows if FNA in r]
    assert any("hasMilestone" in r or "milestone" in r for r in by_fna), by_fna
    assert any(CNS in r for r in rows)
    figures = page[page.index("<h2>Figures</h2>") :]
    rows = figures.split("<tr>")
    length = next(r for r in rows if 'figure/fna-ganshen-hsr-length"' in r)
    assert "436 km" in length and f"source/{FNA}" in length and "preferred" in length
    planned = next(r for r in rows if 'figure/gsr-ganshen-hsr-planned-length"' in r)
    assert "433 km" in planned and f"source/{GSR}" in planned and "normal" in planned
    assert "more than 5 h" in figures


def test_a_target_and_a_report_of_one_milestone_are_two_milestones(tmp_path: Path) -> None:
    """The older source planned the opening for the very day the newer one reports it: the
    plan and what happened are two milestones, each with its status and source, and conform
    (one node with two statuses would not)."""
    facts, texts = tmp_path / "facts", tmp_path / "texts"
    shutil.copytree(FACTS, facts)
    shutil.copytree(FIXTURE / "texts", texts)
    text = texts / f"{GSR}.en.txt"
    plan = "Service on the line was planned to begin on 10 December 2021."
    text.write_text(text.read_text(encoding="utf-8") + f"\n{plan}\n", encoding="utf-8")
    (facts / "sources" / GSR / "projects.yaml").write_text(
        "projects:\n"
        "  - about: ganshen-hsr\n"
        "    milestones:\n"
        "      - stage: in-operation\n"
        "        period: 2021-12-10\n"
        "        status: target\n"
        f"        quote: {plan}\n"
        f"    quote: {plan}\n",
        encoding="utf-8",
    )
    checked = check(project_config(facts=facts, texts=(texts, *TEXTS[1:])))
    assert checked.problems == []
    railway = URIRef(ID + "project/ganshen-hsr")
    reported = URIRef(ID + "milestone/ganshen-hsr--in-operation--2021-12-10")
    target = URIRef(ID + "milestone/ganshen-hsr--in-operation--2021-12-10--target")
    assert (reported, GBA.isTarget, Literal(False)) in _graph(checked, FNA)
    assert (railway, GBA.hasMilestone, target) in _graph(checked, GSR)
    assert (target, GBA.isTarget, Literal(True)) in _graph(checked, GSR)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_relation_is_answered_with_the_source_that_states_it(
    published: Path, engine: str
) -> None:
    """The second source speaks of the railway (a statement: its opening, a station), but
    only the first says where the railway is: `projects-in-place` names the first alone. The
    station the second source places in a zone is answered with the second."""
    from kg_build.query.catalog import load_catalog
    from kg_build.query.engines import OxigraphEngine, RdflibEngine
    from kg_build.query.params import bind
    from kg_build.store.from_dumps import oxigraph_from_dist, rdflib_from_dist

    runner = (
        OxigraphEngine(oxigraph_from_dist(published, BASE))
        if engine == "oxigraph"
        else RdflibEngine(rdflib_from_dist(published, BASE))
    )
    query = load_catalog(ROOT / "queries")["projects-in-place"]

    def sources(place: str, project: str) -> set[str]:
        result = runner.run(query, bind(query, {"place": ID + place}))
        at = result.variables.index("source")
        return {str(r[at]) for r in result.rows if str(r[0]) == ID + "project/" + project}

    assert sources("place/jiangxi", "ganshen-hsr") == {ID + "source/" + CNS}
    # a facility (a zone) is a place where projects are
    assert sources("project/ganzhou-etdz", "ganzhou-west-station") == {ID + "source/" + FNA}
