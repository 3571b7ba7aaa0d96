"""Load the ontology (OWL + SKOS vocabularies) and the controlled vocabularies fact files use."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Vocabulary
from kg_build.namespaces import GBA, PREFIXES


def load_ontology(ontology_dir: Path) -> Graph:
    graph = Graph(bind_namespaces="none")
    files = sorted(ontology_dir.glob("*.ttl"))
    if not files:
        raise InputError(
            [Problem(str(ontology_dir), 0, "", "no ontology (*.ttl) found", "pass --ontology DIR")]
        )
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many parser exception types
            raise InputError(
                [Problem(str(path), 0, "", f"cannot parse Turtle: {exc}", "")]
            ) from exc
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _members(graph: Graph, scheme: URIRef) -> frozenset[str]:
    return frozenset(str(c).rsplit("/", 1)[-1] for c in graph.subjects(SKOS.inScheme, scheme))


def vocabulary_of(graph: Graph) -> Vocabulary:
    return Vocabulary(
        roles=_members(graph, GBA.RoleScheme),
        stages=_members(graph, GBA.StageScheme),
        measures=_members(graph, GBA.MeasureScheme),
    )


def label(graph: Graph, term: URIRef, lang: str) -> str:
    for value in graph.objects(term, RDFS.label):
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(term).rsplit("/", 1)[-1]
