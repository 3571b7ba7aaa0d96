"""SHACL: every class is covered, each SPARQL rule fires on a planted error, and every result
points at the fact-file line a curator must change."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, project_config
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg_build.namespaces import GBA, SH, UNIT
from kg_build.pipeline import Checked, check
from kg_build.validate.neighbourhood import reach
from kg_build.validate.shacl import load_shapes, validate_graph
from kg_build.validate.sparql_constraints import split_shapes

ARTICLE = "sources/cns-2022-02-17-ganzhou-bay-area"


def test_every_class_in_the_data_is_the_target_of_a_shape(checked: Checked) -> None:
    shapes = load_shapes(ROOT / "shapes")
    targets = set(shapes.objects(None, SH.targetClass))
    data = checked.built.union()
    uncovered = []
    for cls in set(data.objects(None, RDF.type)):
        ancestors = set(checked.ontology.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targets:
            uncovered.append(str(cls))
    assert sorted(uncovered) == []


def _plant(facts: Path, file: str, old: str, new: str) -> int:
    path = facts / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


PLANTED = [
    # (what, file, old, new, words of the message, field)
    (
        "code under the wrong parent",
        "places.yaml",
        'code: "440282"',
        'code: "360282"',
        "does not fall under",
        "code",
    ),
    (
        "travel time longer after",
        f"{ARTICLE}/figures.yaml",
        "    value: 1.5\n",
        "    value: 6\n",
        "not shorter than before",
        "value",
    ),
    (
        "a railway to nowhere",
        f"{ARTICLE}/projects.yaml",
        "connects: [ruijin, meizhou]",
        "connects: [ruijin]",
        "connects at least two places",
        "connects",
    ),
    (
        "place without pinyin",
        "places.yaml",
        "zh: 韶关市, pinyin: Shaoguan",
        "zh: 韶关市",
        "pinyin",
        "name",
    ),
    (
        "percentage above 100",
        f"{ARTICLE}/figures.yaml",
        "    value: 90\n    unit: percent",
        "    value: 190\n    unit: percent",
        "at most 100",
        "value",
    ),
]


@pytest.mark.parametrize("case", PLANTED, ids=[c[0] for c in PLANTED])
def test_planted_violation_is_found_at_its_line(case: tuple[str, ...], facts_copy: Path) -> None:
    _, file, old, new, words, field = case
    line = _plant(facts_copy, file, old, new)
    checked = check(project_config(facts=facts_copy))
    hits = [v for v in checked.violations if words in v.message]
    assert hits, [v.message for v in checked.violations]
    assert all(v.file.endswith(file) for v in hits)
    assert any(v.field.startswith(field) and abs(v.line - line) <= 1 for v in hits), hits


def test_a_figure_without_a_quote_is_caught(checked: Checked) -> None:
    data = checked.built.union()
    figure = URIRef("https://w3id.org/ganzhou-gba/id/figure/ganzhou-smart-approval-items")
    for attestation in list(data.objects(figure, GBA.attestedBy)):
        data.remove((attestation, None, None))
    found = _validate(checked, data)
    assert any("no source quote" in m for m in found[figure])


def test_two_english_names_are_caught(checked: Checked) -> None:
    data = checked.built.union()
    ganzhou = URIRef("https://w3id.org/ganzhou-gba/id/place/ganzhou")
    data.add((ganzhou, RDFS.label, __import__("rdflib").Literal("Kanchow", lang="en")))
    found = _validate(checked, data)
    assert any("exactly one English name" in m for m in found[ganzhou])


def test_the_kind_of_a_figure_follows_from_its_unit(checked: Checked) -> None:
    """A travel time in hours is a duration: typed a count as well, or with its unit made a
    length, or with no unit at all, it is caught."""
    data = checked.built.union()
    durations = sorted((URIRef(str(d)) for d in data.subjects(RDF.type, GBA.Duration)), key=str)
    assert durations, "the shipped facts give travel times in hours"
    typed, measured, bare = durations[0], durations[1], durations[2]
    data.add((typed, RDF.type, GBA.Count))
    data.set((measured, GBA.unit, UNIT.km))
    data.remove((bare, GBA.unit, None))
    found = _validate(checked, data)
    other = "a class of figures of another quantity kind"
    assert any(other in m and "Count" in m for m in found[typed]), found.get(typed)
    own = "must be of the class of figures of that unit's quantity kind"
    assert any(own in m for m in found[measured]), found.get(measured)
    assert any(other in m and "Duration" in m for m in found[measured]), found.get(measured)
    assert any("names its unit or its currency" in m for m in found[bare]), found.get(bare)
    assert set(found) == {typed, measured, bare}


def _validate(checked: Checked, data: Graph) -> dict[URIRef, list[str]]:
    from pyshacl import validate

    # the ontology in the data graph, as in the build's check store (pyshacl's ont_graph
    # would copy only its RDFS and OWL axioms, not the vocabularies' units and kinds)
    conforms, results, _ = validate(
        data + checked.ontology, shacl_graph=load_shapes(ROOT / "shapes")
    )
    assert not conforms
    found: dict[URIRef, list[str]] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        found.setdefault(focus, []).extend(
            str(m) for m in results.objects(result, SH.resultMessage)
        )
    return found


def test_shipped_data_has_no_results_at_all(checked: Checked) -> None:
    assert validate_graph(checked.built, load_shapes(ROOT / "shapes"), checked.ontology) == []
    assert SKOS.Concept in set(checked.built.union().objects(None, RDF.type))


def test_sparql_constraints_run_in_bulk_find_what_pyshacl_finds() -> None:
    """The SPARQL constraints taken out of pyshacl and run once on Oxigraph give the same
    results as pyshacl's per-focus-node evaluation, on a graph breaking each of them."""
    from pyshacl import validate
    from rdflib import BNode, Literal
    from rdflib.namespace import XSD

    from kg_build.namespaces import TIME
    from kg_build.validate.sparql_constraints import split_shapes

    fresh = check(project_config())
    shapes = load_shapes(ROOT / "shapes")
    _, bulk = split_shapes(shapes)
    assert len(bulk) == 8, "every SPARQL constraint of ours should run in bulk"
    place = "https://w3id.org/ganzhou-gba/id/place/"
    graph = next(g for g in fresh.built.dataset.graphs() if len(g))
    graph.add((URIRef(place + "ganzhou"), GBA.directlyPartOf, URIRef(place + "xinfeng")))
    graph.add((URIRef(place + "xinfeng"), GBA.divisionCode, Literal("440233")))
    interval = URIRef("https://w3id.org/ganzhou-gba/id/interval/test")
    for edge, day in ((TIME.hasBeginning, "2022-03-01"), (TIME.hasEnd, "2022-01-01")):
        instant = BNode()
        graph.add((interval, edge, instant))
        graph.add((instant, RDF.type, TIME.Instant))
        graph.add((instant, TIME.inXSDDate, Literal(day, datatype=XSD.date)))
    graph.add((interval, RDF.type, TIME.ProperInterval))
    figure = next(fresh.built.union().subjects(GBA.measure, None))
    for g in fresh.built.dataset.graphs():
        g.remove((figure, GBA.attestedBy, None))
    union = fresh.built.union()
    duration, other_duration = sorted(union.subjects(RDF.type, GBA.Duration), key=str)[:2]
    graph.add((duration, RDF.type, GBA.Count))
    for g in fresh.built.dataset.graphs():
        g.remove((other_duration, RDF.type, GBA.Duration))
    graph.add((other_duration, RDF.type, GBA.Figure))
    claim = URIRef("https://w3id.org/ganzhou-gba/id/claim/test")
    graph.add((claim, RDF.type, GBA.CuratorClaim))
    graph.add((claim, GBA.claimSubject, URIRef(place + "xinfeng")))
    graph.add((claim, GBA.claimPredicate, GBA.seat))
    graph.add((claim, GBA.claimObject, URIRef(place + "ganzhou")))
    graph.add((claim, GBA.curatorReason, Literal("a claim of nothing there", lang="en")))

    ours = {(v.focus, v.message) for v in validate_graph(fresh.built, shapes, fresh.ontology)}
    # the ontology in the data graph, as in the build's check store
    conforms, results, _ = validate(
        fresh.built.union() + fresh.ontology, shacl_graph=shapes, inference="none"
    )
    assert not conforms
    base = fresh.built.base
    theirs = {
        (str(results.value(r, SH.focusNode)).removeprefix(base), str(m))
        for r in results.subjects(RDF.type, SH.ValidationResult)
        for m in results.objects(r, SH.resultMessage)
    }
    assert ours == theirs
    messages = {m for _, m in ours}
    for words in (
        "forms a cycle",
        "does not fall under",
        "ends before it begins",
        "no source quote",
        "a class of figures of another quantity kind",
        "must be of the class of figures of that unit's quantity kind",
        "names a triple the data does not have",
    ):
        assert any(words in m for m in messages), words


def test_local_sparql_constraints_run_around_the_nodes_given() -> None:
    """After a change, a constraint whose patterns read a bounded distance from $this runs
    with $this bound to the nodes re-checked; the others still run over everything."""
    from kg_build.terms import to_oxigraph
    from kg_build.validate.shacl import data_store
    from kg_build.validate.sparql_constraints import run_bulk, split_shapes

    fresh = check(project_config())
    _, bulk = split_shapes(load_shapes(ROOT / "shapes"))
    local = {c.message for c in bulk if c.reach is not None}
    assert len(local) == 6 and not any("cycle" in m for m in local)
    place = "https://w3id.org/ganzhou-gba/id/place/"
    data = fresh.built.union()
    data.add((URIRef(place + "ganzhou"), GBA.directlyPartOf, URIRef(place + "xinfeng")))
    figures = [URIRef(str(f)) for f in sorted(data.subjects(GBA.measure, None), key=str)[:2]]
    for figure in figures:
        data.remove((figure, GBA.attestedBy, None))
    store = data_store([data], fresh.ontology)

    def found(around: list[URIRef] | None) -> set[tuple[str, str]]:
        nodes = None if around is None else [to_oxigraph(n) for n in around]
        rows = run_bulk(bulk, store, nodes)
        return {(str(r.focus), r.constraint.message.split(":")[0]) for r in rows}

    whole = found(None)
    unquoted = {(str(f), "figure has no source quote") for f in figures}
    assert unquoted <= whole and any("cycle" in m for _, m in whole)
    cycle = {row for row in whole if "cycle" in row[1]}
    assert found([figures[0]]) == {(str(figures[0]), "figure has no source quote")} | cycle
    assert found([]) == cycle


def test_shapes_split_over_processes_find_what_one_process_finds() -> None:
    """pyshacl over shares of the shapes in forked workers gives the results of one run, whether
    the workers are given the graph or make it."""
    from rdflib import Literal

    from kg_build.validate.shacl import core_results
    from kg_build.validate.sparql_constraints import split_shapes

    fresh = check(project_config())
    core, _ = split_shapes(load_shapes(ROOT / "shapes"))
    place = "https://w3id.org/ganzhou-gba/id/place/"

    def broken() -> Graph:  # pyshacl changes the graph it is given: a fresh one each run
        data = fresh.built.union()
        data.add((URIRef(place + "xinfeng"), GBA.divisionCode, Literal("4402")))  # pattern
        data.add((URIRef(place + "ganzhou"), RDFS.label, Literal("Kanchow", lang="en")))
        return data

    one = core_results(broken(), core, fresh.ontology, workers=1)
    split = core_results(broken(), core, fresh.ontology, workers=3, min_triples=0)
    # given as a function, each worker makes its own graph (what validate_graph does)
    made = core_results(broken, core, fresh.ontology, workers=3, min_triples=0, size=1)
    assert len(one) >= 2
    assert sorted(map(str, one)) == sorted(map(str, split)) == sorted(map(str, made))


def _mutated(checked: Checked, seed: int) -> Graph:
    """The shipped data with one triple in twelve dropped and one in twenty-five given a
    second, wrong value (another node, another literal): violations of most shapes."""
    import random

    from rdflib import Literal

    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    data = checked.built.union()
    triples = sorted(data)
    nodes = sorted({s for s, _, _ in triples if isinstance(s, URIRef)})
    for s, p, o in triples:
        roll = rng.random()
        if roll < 1 / 12:
            data.remove((s, p, o))
        elif roll < 1 / 12 + 1 / 25:
            wrong = rng.choice(nodes) if isinstance(o, URIRef) else Literal(f"{o} (again)")
            data.add((s, p, wrong))
    return data


@pytest.mark.parametrize("workers", [1, 3])
def test_hoisted_and_shared_out_shapes_give_pyshacls_results(
    checked: Checked, workers: int
) -> None:
    """validate/hoisting.py: the property shapes hoisted to the top level, and the shapes
    shared out between processes, report exactly what pyshacl reports on the shapes as
    written, on data breaking most of them."""
    from pyshacl import validate

    from kg_build.validate.shacl import _raw, core_results
    from kg_build.validate.sparql_constraints import split_shapes

    core, _ = split_shapes(load_shapes(ROOT / "shapes"))
    for seed in (1, 2):
        _, results, _ = validate(
            _mutated(checked, seed), shacl_graph=core, ont_graph=checked.ontology, inference="none"
        )
        assert isinstance(results, Graph)
        theirs = {_raw(results, r) for r in results.subjects(RDF.type, SH.ValidationResult)}
        ours = set(
            core_results(_mutated(checked, seed), core, checked.ontology, workers, min_triples=0)
        )
        assert ours == theirs
        assert len(theirs) > 100
        assert len({raw[3] for raw in theirs}) > 25  # distinct messages: many shapes broken


def test_property_shapes_are_hoisted_unless_their_node_shape_is_used_elsewhere() -> None:
    from kg_build.validate.hoisting import hoist_property_shapes
    from kg_build.validate.sparql_constraints import split_shapes

    core, _ = split_shapes(load_shapes(ROOT / "shapes"))
    hoisted = hoist_property_shapes(core)
    shapes = "https://w3id.org/ganzhou-gba/shapes/"
    assert (URIRef(shapes + "NamedEntityShape"), SH.property, None) not in hoisted
    first = URIRef(shapes + "NamedEntityShape-property-1")
    assert set(hoisted.objects(first, SH.targetClass)) == set(
        core.objects(URIRef(shapes + "NamedEntityShape"), SH.targetClass)
    )
    # AttestedShape is used by NamedEntityShape (sh:node): its property shapes stay
    assert len(set(hoisted.objects(URIRef(shapes + "AttestedShape"), SH.property))) == 2
    assert hoist_property_shapes(core).isomorphic(hoisted)  # same names on every run


_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(
    ("shapes", "expected"),
    [
        ("sh:property [ sh:path ex:p ] .", 0),
        ("sh:property [ sh:path ex:p ; sh:class ex:D ] .", 1),
        ("sh:property [ sh:path ( ex:p ex:q ex:r ) ] .", 2),
        (
            "sh:property [ sh:path ex:p ; sh:node ex:T ] . ex:T a sh:NodeShape ; "
            "sh:property [ sh:path ( ex:q ex:r ) ; sh:or ( [ sh:class ex:D ] ) ] .",
            3,
        ),
        ("sh:property [ sh:path [ sh:inversePath ex:p ] ] .", None),
        ("sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ] .", None),
        ("sh:property [ sh:path ex:p ; sh:node ex:S ] .", None),
    ],
)
def test_how_far_shapes_read_is_computed_from_them(shapes: str, expected: int | None) -> None:
    """An incremental build re-checks the nodes this many steps around a change: derived from
    the shapes, never assumed."""
    data = _PREFIXES + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; " + shapes
    assert reach(Graph().parse(data=data, format="turtle")) == expected


def test_the_shipped_shapes_have_a_bounded_reach() -> None:
    core, bulk = split_shapes(load_shapes(ROOT / "shapes"))
    assert reach(core) == 1
    assert sorted((c.reach is not None, c.reach or 0) for c in bulk) == [
        (False, 0),  # the part-of cycle (a `*` path)
        (False, 0),  # travel times before and after (two figures joined by their objects)
        (True, 1),
        (True, 1),
        (True, 1),
        (True, 1),  # the kind of a figure and the quantity kind of its unit, twice
        (True, 1),
        (True, 1),  # a curator's claim names a triple that is there
    ]
