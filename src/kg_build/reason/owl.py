"""Check ontology + data for consistency with HermiT and collect the inferences we publish.

HermiT accepts only OWL 2 datatypes: xsd:date, xsd:gYear and geo:wktLiteral make it fail, so
literals of other datatypes (and range axioms naming them) are left out of what it sees. They
carry no class or property axioms, so consistency and the inferred types and part-of closure
do not depend on them.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

import owlready2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg_build.namespaces import GBA

OWL2_DATATYPES = {
    RDF.langString,
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    OWL.rational,
    OWL.real,
    *(
        XSD[name]
        for name in (
            "string normalizedString token language Name NCName NMTOKEN boolean decimal integer "
            "nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
            "byte unsignedLong unsignedInt unsignedShort unsignedByte double float anyURI "
            "hexBinary base64Binary dateTime dateTimeStamp"
        ).split()
    ),
}

# What we publish of HermiT's conclusions: the transitive part-of closure, which turns
# roll-ups (county -> city -> province) into plain joins. Everything else it derives
# follows from the ontology, which consumers can load themselves.
PUBLISHED_PROPERTIES = {GBA.partOf}


class InconsistentError(Exception):
    """The ontology and data contradict each other (exit code 1)."""


@dataclass
class Reasoning:
    inferred: Graph
    individuals: int
    skipped_literals: int


def reasoner_input(ontology: Graph, data: Graph) -> tuple[Graph, int]:
    graph = Graph(bind_namespaces="none")
    skipped = 0
    for source in (ontology, data):
        for s, p, o in source:
            if (
                isinstance(o, Literal)
                and o.datatype is not None
                and o.datatype not in OWL2_DATATYPES
            ):
                skipped += 1
                continue
            if p == RDFS.range and isinstance(o, URIRef) and o.startswith(str(XSD)):
                if o not in OWL2_DATATYPES:
                    continue
            if p == OWL.sameAs:
                # Links to other datasets would make HermiT report our conclusions under their
                # IRIs; they add nothing to consistency since the other side has no axioms here.
                continue
            graph.add((s, p, o))
    return graph, skipped


class ReasonerUnavailableError(Exception):
    """HermiT cannot run here (no Java): a setup problem, not a data problem (exit code 2)."""


def reason(ontology: Graph, data: Graph, base: str) -> Reasoning:
    """Run HermiT; raise InconsistentError if the graph is inconsistent."""
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ReasonerUnavailableError(
            f"Java ({owlready2.JAVA_EXE}) not found: HermiT needs a Java runtime. Install one "
            "(Debian: apt-get install default-jre-headless) or build with --no-reason."
        )
    graph, skipped = reasoner_input(ontology, data)
    world = owlready2.World()
    payload = graph.serialize(format="nt", encoding="utf-8")
    world.get_ontology("urn:kg-build:reasoning").load(
        fileobj=io.BytesIO(payload), format="ntriples"
    )
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise InconsistentError(
            "HermiT found the ontology and data inconsistent: some individual is given classes or "
            "values that the ontology declares incompatible (disjoint classes, functional "
            "properties with two values)."
        ) from exc
    everything = world.as_rdflib_graph()
    inferred = Graph(bind_namespaces="none")
    for s, p, o in everything:
        if not (_ours(s, base) and _ours(o, base)):
            continue
        if p in PUBLISHED_PROPERTIES and (s, p, o) not in data:
            inferred.add((s, p, o))
    # owlready2 reports only values it could not already see; the sub-property step
    # (directly part of -> part of) is as much an inference and belongs in the closure.
    for s, o in data.subject_objects(GBA.directlyPartOf):
        inferred.add((s, GBA.partOf, o))
    individuals = len(set(data.subjects(RDF.type, None)))
    world.close()
    return Reasoning(inferred, individuals, skipped)


def _ours(node: object, base: str) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(base)
