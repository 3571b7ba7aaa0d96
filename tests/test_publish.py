"""Published outputs: every format carries the same graph, bytes are reproducible, IRIs stable."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyoxigraph
import pytest
from conftest import BASE, FACTS, PUBLISHED_FILES, ROOT, project_config, run_kg, texts_args
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, VOID, XSD

from kg_build.namespaces import GBA
from kg_build.pipeline import Release
from kg_build.publish.release import publish_release

FILES = set(PUBLISHED_FILES)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory, shared_texts: object) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    said: list[str] = []
    publish_release(project_config(dist=out), progress=said.append)
    assert "consistency: HermiT found no contradiction" in said, said
    assert any("0 violations" in line for line in said), said
    return out


def test_build_publishes_every_format(dist: Path) -> None:
    """One release folder, current; every published name at the top of dist/ is a link
    through `current`, so that one switch changes them all."""
    notes = {"CHANGES.md", "release.ttl"}  # not in SHA256SUMS: they depend on the last release
    assert {p.name for p in dist.iterdir()} == FILES | notes | {
        "store",
        "current",
        "releases",
        ".lock",
    }
    releases = [p for p in (dist / "releases").iterdir() if not p.name.startswith(".")]
    assert [p.name for p in releases] == [(dist / "current").readlink().name]
    for name in FILES | notes | {"store"}:
        assert (dist / name).readlink() == Path("current") / name
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


@pytest.mark.slow
def test_two_builds_give_identical_bytes(dist: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_kg(
        "build",
        "--facts",
        str(FACTS),
        "--dist",
        str(again),
        *texts_args(),
        env={"PYTHONHASHSEED": "4242"},
    )
    assert result.code == 0, result.err
    for name in sorted(FILES):
        assert (again / name).read_bytes() == (dist / name).read_bytes(), name
    # named by the digest of its SHA256SUMS: the same release, the same name
    assert (again / "current").readlink() == (dist / "current").readlink()


def test_all_formats_carry_the_same_graph(dist: Path) -> None:
    turtle = Graph().parse(dist / "ganzhou-gba.ttl", format="turtle")
    ntriples = Graph().parse(dist / "ganzhou-gba.nt", format="nt")
    jsonld = Graph().parse(dist / "ganzhou-gba.jsonld", format="json-ld")
    assert len(turtle) > 2000
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, jsonld)
    trig = Dataset()
    trig.parse(dist / "ganzhou-gba.trig", format="trig")
    union = Graph()
    for graph in trig.graphs():
        if graph.identifier != URIRef(f"{BASE}graph/description"):
            for triple in graph:
                union.add(triple)
    assert isomorphic(turtle, union)
    # Another toolkit reads them too.
    store = pyoxigraph.Store()
    store.load(path=str(dist / "ganzhou-gba.trig"), format=pyoxigraph.RdfFormat.TRIG)
    assert len(store) == sum(len(g) for g in trig.graphs())


def test_trig_keeps_each_source_in_its_own_named_graph(dist: Path) -> None:
    trig = Dataset()
    trig.parse(dist / "ganzhou-gba.trig", format="trig")
    names = {str(g.identifier) for g in trig.graphs() if len(g)}
    assert {
        f"{BASE}graph/cns-2022-02-17-ganzhou-bay-area",
        f"{BASE}graph/cn-admin-divisions",
        f"{BASE}graph/inferred",
        f"{BASE}graph/description",
    } <= names
    article = trig.graph(URIRef(f"{BASE}graph/cns-2022-02-17-ganzhou-bay-area"))
    figure = URIRef(f"{BASE}id/figure/ganzhou-2022-linked-major-projects-investment")
    attestation = article.value(figure, GBA.attestedBy)
    assert "212.9 billion yuan" in str(article.value(attestation, GBA.quote))
    gazetteer = trig.graph(URIRef(f"{BASE}graph/cn-admin-divisions"))
    assert (URIRef(f"{BASE}id/place/ganzhou"), GBA.divisionCode, Literal("360700")) in gazetteer


def test_description_counts_what_is_published(dist: Path) -> None:
    data = Graph().parse(dist / "ganzhou-gba.ttl")
    void = Graph().parse(dist / "void.ttl")
    dataset = URIRef(f"{BASE}dataset")
    assert void.value(dataset, VOID.triples) == Literal(len(data), datatype=XSD.integer)
    partitions = {
        void.value(p, VOID["class"]): int(str(void.value(p, VOID.entities)))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert partitions[GBA.HighSpeedRailway] == len(
        set(data.subjects(RDF.type, GBA.HighSpeedRailway))
    )
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {
        "https://schema.org/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2006/time#",
        "http://www.opengis.net/ont/geosparql#",
        "http://www.w3.org/2004/02/skos/core#",
    } <= vocabularies
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None


def test_jsonld_has_a_context(dist: Path) -> None:
    document = json.loads((dist / "ganzhou-gba.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["gba"] == str(GBA)
    assert document["@context"]["place"] == f"{BASE}id/place/"
    assert any(node["@id"] == "place:ganzhou" for node in document["@graph"])


def test_stable_readable_iris_and_inferred_part_of(shipped_release: Release) -> None:
    data = shipped_release.graph()
    xinfeng, jiangxi = URIRef(f"{BASE}id/place/xinfeng"), URIRef(f"{BASE}id/place/jiangxi")
    assert (xinfeng, GBA.directlyPartOf, URIRef(f"{BASE}id/place/ganzhou")) in data
    assert (xinfeng, GBA.partOf, jiangxi) in data  # only the reasoner says so
    assert not any(
        isinstance(node, type(None)) or node.__class__.__name__ == "BNode"
        for triple in data
        for node in triple
    )


def test_base_is_configurable(tmp_path: Path) -> None:
    result = run_kg(
        "build", "--no-reason", "--base", "http://example.org/kg/", "--dist", str(tmp_path)
    )
    assert result.code == 0, result.err
    data = Graph().parse(tmp_path / "ganzhou-gba.nt", format="nt")
    ours = {str(s) for s in data.subjects()}
    assert "http://example.org/kg/id/place/ganzhou" in ours
    assert not any(s.startswith("https://w3id.org/ganzhou-gba/id/") for s in ours)


@pytest.mark.slow
def test_a_dist_given_relative_to_the_working_folder(tmp_path: Path) -> None:
    """HermiT is given its input files as file: URIs, which need absolute paths: a relative
    --dist (where the build's scratch space lives) once failed every HermiT check."""
    relative = os.path.relpath(tmp_path / "dist", ROOT)
    for _ in range(2):  # from nothing, then on the release (HermiT around the change)
        result = run_kg("build", "--dist", relative, *texts_args())
        assert result.code == 0, result.err
        assert "HermiT found no contradiction" in result.err
