"""Load the ontology (OWL + SKOS vocabularies) and the controlled vocabularies fact files use."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Unit, Vocabulary
from kg_build.namespaces import GBA, PREFIXES, QUDT


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
        units=_units(graph),
    )


def _units(graph: Graph) -> dict[str, Unit]:
    """The unit scheme's units, by id and by symbol; each with the class of figures its
    quantity kind is measured by (the class that names it with gba:quantityKind)."""
    classes = {kind: str(cls) for cls, kind in graph.subject_objects(GBA.quantityKind)}
    units: dict[str, Unit] = {}
    for iri in sorted(graph.subjects(SKOS.inScheme, GBA.UnitScheme), key=str):
        kind = graph.value(iri, QUDT.hasQuantityKind)
        multiplier = graph.value(iri, QUDT.conversionMultiplier)
        found = Unit(
            id=str(iri).rsplit("/", 1)[-1],
            iri=str(iri),
            symbol=_text(graph.value(iri, QUDT.symbol)),
            code=_text(graph.value(iri, SKOS.notation)),
            figure_class=classes.get(kind) if kind is not None else None,
            quantity_kind=_text(kind),
            multiplier=Decimal(str(multiplier)) if multiplier is not None else None,
            designator=_text(graph.value(iri, GBA.durationDesignator)),
        )
        units[found.id] = found
        if found.symbol:
            units.setdefault(found.symbol, found)
    return units


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def label(graph: Graph, term: URIRef, lang: str) -> str:
    for value in graph.objects(term, RDFS.label):
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(term).rsplit("/", 1)[-1]
