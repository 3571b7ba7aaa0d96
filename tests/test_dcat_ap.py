"""The dataset's description (dist/void.ttl) against the official DCAT-AP 3.0.1 shapes, which
open-data portals (data.europa.eu and the national ones that harvest DCAT-AP) check: it
conforms to the mandatory and range shapes, and the recommended ones warn only where the
data has nothing to say (tests/fixtures/dcat-ap, CC BY 4.0, © European Union)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, VOID

SHAPES = Path(__file__).parent / "fixtures" / "dcat-ap"
BASE = "https://w3id.org/ganzhou-gba/"
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def description(published: Path) -> Graph:
    return Graph().parse(published / "current" / "void.ttl", format="turtle")


def results(description: Graph, shapes: str) -> set[tuple[str, str, str]]:
    """(severity, focus node, path) of each result of the shapes file `shapes`."""
    _, report, _ = validate(
        description,
        shacl_graph=Graph().parse(SHAPES / shapes, format="turtle"),
        advanced=True,
        allow_warnings=True,
    )
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        found.add(
            (
                severity,
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
            )
        )
    return found


@pytest.mark.parametrize("shapes", ["dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl"])
def test_the_description_conforms_to_dcat_ap(description: Graph, shapes: str) -> None:
    assert results(description, shapes) == set()


def test_the_recommended_shapes_warn_only_where_the_data_has_nothing_to_say(
    description: Graph,
) -> None:
    """What is left, and why: no contact point and no kind of publisher (no one has stated
    them; kg.toml has no such setting yet), no first issue date of the catalogue (a build
    knows only its sources' dates), no bounding box or centroid on the EU's country IRI for
    China (its own authority table has them)."""
    assert results(description, "dcat-ap-3.0.1-shapes_recommended.ttl") == {
        ("Warning", f"{BASE}dataset", str(DCAT.contactPoint)),
        ("Warning", f"{BASE}dataset/publisher", str(DCTERMS.type)),
        ("Warning", f"{BASE}catalog", str(DCTERMS.issued)),
        ("Warning", f"{EU}country/CHN", str(DCAT.bbox)),
        ("Warning", f"{EU}country/CHN", str(DCAT.centroid)),
    }


def test_the_shapes_find_what_they_are_for(description: Graph) -> None:
    """A distribution without its access URL and with its media type as a string (as the
    description had it) violates the mandatory and range shapes: the test can fail."""
    broken = Graph()
    for t in description:
        broken.add(t)
    dist = URIRef(f"{BASE}dist/ganzhou-gba.nt")
    broken.remove((dist, DCAT.accessURL, None))
    broken.set((dist, DCAT.mediaType, URIRef(f"{BASE}not-a-media-type")))
    assert ("Violation", str(dist), str(DCAT.accessURL)) in results(
        broken, "dcat-ap-3.0.1-shapes.ttl"
    )
    assert ("Violation", str(dist), str(DCAT.mediaType)) in results(
        broken, "dcat-ap-3.0.1-range.ttl"
    )


def test_void_says_where_to_query_and_what_each_graph_holds(
    description: Graph, published: Path
) -> None:
    """VoID: the SPARQL endpoint, the IRI space, a root resource; the inferences' and the
    description's graphs with their real triple counts; each linkset's objects target a
    described void:Dataset (its IRI space and home page), not a web page."""
    import pyoxigraph as ox

    dataset = URIRef(f"{BASE}dataset")
    assert description.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    assert str(description.value(dataset, VOID.uriSpace)) == f"{BASE}id/"
    assert description.value(dataset, VOID.rootResource) is not None
    trig = list(ox.parse(path=str(published / "current" / "ganzhou-gba.trig")))
    for name in ("inferred", "description"):
        graph = URIRef(f"{BASE}graph/{name}")
        held = sum(1 for q in trig if q.graph_name == ox.NamedNode(str(graph)))
        assert (dataset, VOID.subset, graph) in description
        assert int(str(description.value(graph, VOID.triples))) == held > 0, name
    linksets = list(description.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 3
    for linkset in linksets:
        target = description.value(linkset, VOID.objectsTarget)
        assert (target, RDF.type, VOID.Dataset) in description
        assert description.value(target, VOID.uriSpace) is not None
        assert str(target).startswith(f"{BASE}dataset/")
