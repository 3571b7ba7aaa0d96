"""Units are vocabulary: a figure's unit is a concept of ontology/vocabularies.ttl (or an ISO
4217 currency), its class follows from the unit's quantity kind, and a curator adds a unit
by editing the vocabulary files only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, project_config
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Entry
from kg_build.facts.model import Figure
from kg_build.facts.ranks import amount, disagreements
from kg_build.namespaces import GBA, SCHEMA, UNIT
from kg_build.ontology import load_ontology, vocabulary_of
from kg_build.pipeline import check, read_corpus
from kg_build.rdf.graph import xsd_duration

ARTICLE = "sources/cns-2022-02-17-ganzhou-bay-area"
FIGURE = "https://w3id.org/ganzhou-gba/id/figure/"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("109", "minute", "PT1H49M"),
        ("5", "hour", "PT5H"),
        ("1.5", "hour", "PT1H30M"),
        ("0.5", "minute", "PT30S"),
        ("3", "day", "P3D"),
        ("26", "hour", "P1DT2H"),
        ("0", "minute", "PT0S"),
        ("54", "month", "P54M"),
        ("2", "year", "P2Y"),
        ("1.5", "month", None),  # a calendar unit has no fixed length
        ("0.001", "minute", None),  # not a whole number of seconds
        ("420", "km", None),
    ],
)
def test_a_time_is_also_an_xsd_duration(value: str, unit: str, expected: str | None) -> None:
    units = vocabulary_of(load_ontology(ROOT / "ontology")).units
    assert xsd_duration(Decimal(value), units[unit]) == expected


def test_units_are_found_by_id_and_by_symbol() -> None:
    units = vocabulary_of(load_ontology(ROOT / "ontology")).units
    assert units["km/h"] is units["km-per-hour"]
    speed = units["km/h"]
    assert (speed.code, speed.figure_class) == ("KMH", str(GBA.Speed))
    assert units["rank"].code is None and units["rank"].figure_class == str(GBA.Rank)
    assert units["km"].figure_class == str(GBA.Length)


def _project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _add_figure(root: Path, unit: str, value: str = "420") -> None:
    figures = root / "facts" / ARTICLE / "figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8")
        + "\n  - id: ganshen-hsr-test-figure\n"
        + "    about: ganshen-hsr\n"
        + "    measure: travel-time\n"
        + f"    value: {value}\n"
        + f"    unit: {unit}\n"
        + "    period: 2022-02-17\n"
        + "    quote: the time from Xinfeng to Shenzhen has been reduced\n",
        encoding="utf-8",
    )


def test_a_unit_given_by_its_symbol_makes_a_figure_of_its_kind(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    _add_figure(root, "km/h", "350")
    union = check(project_config(root)).built.union()
    figure = URIRef(FIGURE + "ganshen-hsr-test-figure")
    assert set(union.objects(figure, RDF.type)) == {GBA.Speed}
    assert set(union.objects(figure, GBA.unit)) == {UNIT["km-per-hour"]}
    assert set(union.objects(figure, SCHEMA.unitCode)) == {Literal("KMH")}
    # and a travel time in minutes is a duration, given as an xsd:duration as well
    minutes = root / "facts" / ARTICLE / "figures.yaml"
    text = minutes.read_text(encoding="utf-8")
    minutes.write_text(text.replace("value: 350\n    unit: km/h", "value: 109\n    unit: min"))
    union = check(project_config(root)).built.union()
    assert set(union.objects(figure, RDF.type)) == {GBA.Duration}
    assert set(union.objects(figure, GBA.duration)) == {Literal("PT1H49M", datatype=XSD.duration)}


def _refused(root: Path) -> Problem:
    """The one problem `kg validate` finds in the project at `root`."""
    with pytest.raises(InputError) as refused:
        check(project_config(root))
    [problem] = refused.value.problems
    return problem


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_curator_adds_a_unit_in_the_vocabulary_files(tmp_path: Path) -> None:
    """A unit of a new quantity kind: refused until a class of figures has that kind, then
    published with its code and class; no Python changed."""
    root = _project_copy(tmp_path)
    _add_figure(root, "m³", "1200")
    problem = _refused(root)
    assert problem.file.endswith("figures.yaml") and problem.field == "unit"
    assert "unknown unit or currency 'm³'" in problem.message
    assert "ontology/vocabularies.ttl" in problem.hint

    _append(
        root / "ontology" / "vocabularies.ttl",
        "unit:cubic-metre a skos:Concept , qudt:Unit , owl:NamedIndividual ;"
        + " skos:inScheme gba:UnitScheme ; skos:topConceptOf gba:UnitScheme ;\n"
        + '    rdfs:label "cubic metre"@en , "立方米"@zh ; qudt:symbol "m³" ;'
        + ' skos:notation "MTQ" ;\n'
        + "    skos:exactMatch qudtunit:M3 ; qudt:hasQuantityKind quantitykind:Volume ;\n"
        + '    skos:definition "A cube one metre on each side."@en , "一立方米。"@zh .\n',
    )
    problem = _refused(root)
    assert "no class of figures is stated in cubic-metre" in problem.message
    assert "gba:quantityKind" in problem.hint

    _append(
        root / "ontology" / "gba.ttl",
        "\ngba:Volume a owl:Class ; rdfs:subClassOf gba:Figure ;"
        + " gba:quantityKind quantitykind:Volume ;\n"
        + '    rdfs:label "volume"@en , "体积"@zh ;\n'
        + '    skos:definition "A volume."@en , "体积。"@zh .\n',
    )
    checked = check(project_config(root))
    assert checked.problems == []
    union = checked.built.union()
    figure = URIRef(FIGURE + "ganshen-hsr-test-figure")
    assert set(union.objects(figure, RDF.type)) == {URIRef(str(GBA) + "Volume")}
    assert set(union.objects(figure, SCHEMA.unitCode)) == {Literal("MTQ")}


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (("436", "km"), ("436000", "metre"), True),
        (("436", "km"), ("436.5", "km"), False),
        (("2", "hour"), ("120", "min"), True),
        (("1", "day"), ("1440", "minute"), True),
        (("54", "month"), ("4.5", "year"), True),
        (("1", "year"), ("365", "day"), False),  # a year has no fixed length in days
        (("350", "km/h"), ("350", "km-per-hour"), True),
        (("100", "CNY"), ("100", "HKD"), False),
        (("100", "CNY"), ("100.00", "CNY"), True),
        (("3", "rank"), ("3", "count"), False),
    ],
)
def test_amounts_in_other_units_compare_in_their_si_unit(
    one: tuple[str, str], other: tuple[str, str], same: bool
) -> None:
    units = vocabulary_of(load_ontology(ROOT / "ontology")).units

    def figure(value: str, unit: str) -> Figure:
        return Figure.model_validate(
            {
                "id": "f",
                "about": "x",
                "measure": "m",
                "value": value,
                "unit": unit,
                "period": "2021",
                "quote": "a quote of three",
            }
        )

    assert (amount(figure(*one), units) == amount(figure(*other), units)) is same


@pytest.mark.parametrize(("value", "unit", "conflicts"), [("436000", "m", 0), ("437", "km", 1)])
def test_a_length_given_in_metres_agrees_with_one_in_kilometres(
    facts_copy: Path, value: str, unit: str, conflicts: int
) -> None:
    """The second source gives the railway's length as 436 km; a third figure of the same
    length, for the same day, in metres is no conflict; one kilometre more is."""
    figures = facts_copy / "sources" / "gsr-2022-01-20-spring-festival-notice" / "figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8")
        + "\n  - id: gsr-ganshen-hsr-length-again\n"
        + "    about: ganshen-hsr\n"
        + "    measure: route-length\n"
        + f"    value: {value}\n"
        + f"    unit: {unit}\n"
        + "    period: 2021-12-10\n"
        + "    quote: The line was planned at 433 km\n",
        encoding="utf-8",
    )
    ontology, corpus = read_corpus(project_config(facts=facts_copy))
    found = disagreements(corpus, vocabulary_of(ontology).units)
    lengths = [c for c in found.conflicts if "fna-ganshen-hsr-length" in _ids(c.figures)]
    assert len(lengths) == conflicts
    assert found.ranks["gsr-ganshen-hsr-length-again"].rank in {"preferred", "normal"}


def _ids(entries: tuple[Entry, ...]) -> set[str]:
    return {e.record.id for e in entries}
