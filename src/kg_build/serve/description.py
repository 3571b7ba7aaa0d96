"""GET /sparql without a query: a SPARQL 1.1 Service Description of the endpoint, in the
negotiated RDF syntax: what it speaks, what it answers in, its dataset and its limits."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from kg_build.serve.results import GRAPH_TYPES, SELECT_TYPES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
# the W3C's IRIs of the formats an answer can be in, by media type
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS["SPARQL_Results_XML"],
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
}


def service_description(
    endpoint: str,
    dataset: str,
    max_rows: int,
    timeout: float,
    max_length: int,
    counts: dict[str, Any] | None = None,
) -> Graph:
    """The endpoint at `endpoint`; its default graph is the union of the named graphs
    (sd:UnionDefaultGraph) and describes the VoID dataset `dataset`; `counts`: the triples
    of the default graph (`default`) and of each named graph (`named`: IRI -> count)."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sd", SD)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for media in [*SELECT_TYPES, *GRAPH_TYPES]:
        if media in FORMAT_IRIS:
            graph.add((service, SD.resultFormat, FORMAT_IRIS[media]))
    default = BNode("dataset")
    graph.add((service, SD.defaultDataset, default))
    graph.add((default, RDF.type, SD.Dataset))
    graph.add((default, DCTERMS.source, URIRef(dataset)))
    union = BNode("default")
    graph.add((default, SD.defaultGraph, union))
    graph.add((union, RDF.type, SD.Graph))
    if counts is not None:
        graph.add((union, VOID.triples, Literal(int(counts["default"]))))
        for name, triples in sorted(counts["named"].items()):
            named = BNode(f"g{len(graph)}")
            graph.add((default, SD.namedGraph, named))
            graph.add((named, RDF.type, SD.NamedGraph))
            graph.add((named, SD.name, URIRef(name)))
            described = BNode(f"d{len(graph)}")
            graph.add((named, SD.graph, described))
            graph.add((described, RDF.type, SD.Graph))
            graph.add((described, VOID.triples, Literal(int(triples))))
    graph.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Read-only: updates and SERVICE are refused. At most "
                f"{max_rows} rows or triples per answer (X-Result-Truncated says when cut), "
                f"{timeout:g} s per query (then 503), queries of at most {max_length} "
                "characters. The default graph is the union of the named graphs (one per "
                "source, the inferences, the description, the ontology); "
                "default-graph-uri and named-graph-uri choose others.",
                lang="en",
            ),
        )
    )
    return graph
