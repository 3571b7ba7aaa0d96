"""Namespaces and the fixed prefix table used in every dump (fixed so that output is stable)."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

GBA = Namespace("https://w3id.org/ganzhou-gba/def/")
STAGE = Namespace("https://w3id.org/ganzhou-gba/def/stage/")
ROLE = Namespace("https://w3id.org/ganzhou-gba/def/role/")
MEASURE = Namespace("https://w3id.org/ganzhou-gba/def/measure/")
COMPARATOR = Namespace("https://w3id.org/ganzhou-gba/def/comparator/")
CONDITION = Namespace("https://w3id.org/ganzhou-gba/def/condition/")
UNIT = Namespace("https://w3id.org/ganzhou-gba/def/unit/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
QUANTITYKIND = Namespace("http://qudt.org/vocab/quantitykind/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
TIME = Namespace("http://www.w3.org/2006/time#")
WD = Namespace("http://www.wikidata.org/entity/")
GEONAMES = Namespace("https://sws.geonames.org/")  # a feature is https://sws.geonames.org/<id>/
DBR = Namespace("http://dbpedia.org/resource/")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SH = Namespace("http://www.w3.org/ns/shacl#")
GBASH = Namespace("https://w3id.org/ganzhou-gba/shapes/")  # terms of shapes/gba-shapes.ttl

DEFAULT_BASE = "https://w3id.org/ganzhou-gba/"

PREFIXES: dict[str, Namespace] = {
    "gba": GBA,
    "stage": STAGE,
    "role": ROLE,
    "measure": MEASURE,
    "comparator": COMPARATOR,
    "condition": CONDITION,
    "unit": UNIT,
    "qudt": QUDT,
    "schema": SCHEMA,
    "org": ORG,
    "geo": GEO,
    "prov": Namespace(str(PROV)),
    "time": TIME,
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "wd": WD,
    "wgs": WGS,
}


def data_prefixes(base: str) -> dict[str, Namespace]:
    """Prefixes for a dataset published under `base`, plus the fixed vocabulary prefixes."""
    kinds = [
        "place",
        "organisation",
        "person",
        "project",
        "agreement",
        "event",
        "figure",
        "source",
        "concept",
        "scheme",
        "milestone",
    ]
    own = {kind: Namespace(f"{base}id/{kind}/") for kind in kinds}
    return {**PREFIXES, **own}


def bind_prefixes(graph: Graph, base: str) -> Graph:
    for prefix, namespace in data_prefixes(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
