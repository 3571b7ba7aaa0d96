"""One RDF term in rdflib's and in pyoxigraph's classes, converted both ways; and the one
spelling of a term that every engine's answers are compared in."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node


# Answers repeat terms (labels, classes, periods) and rdflib's Literal constructor costs
# microseconds each; both kinds of term are immutable, so one conversion serves them all.
@lru_cache(maxsize=1 << 16)
def from_oxigraph(term: Any) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return canonical(
            Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
        )
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


INTEGER_TYPES = frozenset(
    XSD[name]
    for name in (
        "integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
        "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
)


def decimal_text(value: Decimal) -> str:
    """The XSD 1.1 canonical form of a decimal ("212900000000", "5.5", "0"): the form a triple
    store keeps (Oxigraph rewrites "62.0" as "62"), so dumps and store hold the same literal."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def canonical(term: Node | None) -> Node | None:
    """A literal in the form Oxigraph stores it, whoever wrote it: XSD 1.1 canonical
    decimals ("5" for "5.0"), every integer type as xsd:integer (Oxigraph keeps no derived
    integer types), language tags lower-cased (BCP 47 tags are case-insensitive)."""
    if not isinstance(term, Literal):
        return term
    if term.language:
        return Literal(str(term), lang=term.language.lower())
    if term.ill_typed:
        return term
    if term.datatype == XSD.decimal:
        return Literal(decimal_text(term.toPython()), datatype=XSD.decimal)
    if term.datatype in INTEGER_TYPES:
        return Literal(str(int(term.toPython())), datatype=XSD.integer)
    return term


def oxigraph_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """An rdflib triple as pyoxigraph's; rdflib's types do not say subject and predicate
    cannot be literals, so the check is pyoxigraph's own (TypeError)."""
    return ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]


def rdflib_triple(t: ox.Triple) -> tuple[Node, Node, Node]:
    s, p, o = from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)
    if s is None or p is None or o is None:  # pragma: no cover - triples have all three
        raise TypeError(f"incomplete triple {t!r}")
    return s, p, o


def value_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An IRI, a blank node's label or a literal's lexical form (our data has no RDF-star)."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"unexpected triple term {term}")
    return term.value
