"""Turn parameter values typed by a user into RDF terms, refusing anything that is not one term.

The terms are handed to the engine as bindings (rdflib `initBindings`, Oxigraph
`substitutions`), never pasted into query text. Only a remote endpoint needs text: there the
term goes into a VALUES block written by `sparql_term`, whose output is a single token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from rdflib import Literal, URIRef, Variable
from rdflib.term import Node

from kg_build.query.catalog import CannedQuery, Parameter

# RFC 3987 IRIs: a scheme, then no spaces, controls or the characters SPARQL's IRIREF forbids.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]+$")


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    logger = logging.getLogger("rdflib.term")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        yield
    finally:
        logger.level = level


class ParameterError(ValueError):
    """A parameter value that is missing, unknown or not of its declared type (exit code 2)."""


def to_term(parameter: Parameter, raw: str) -> Node:
    if parameter.kind == "iri":
        if not _IRI.match(raw):
            raise ParameterError(
                f"parameter {parameter.name!r}: {raw!r} is not an absolute IRI "
                "(no spaces, quotes, <>{}|^` or backslashes; percent-encode them)"
            )
        return URIRef(raw)
    if parameter.kind == "lang":
        return Literal(raw, lang=parameter.lang)
    if parameter.kind == "typed":
        with _quiet_rdflib():  # rdflib logs a traceback for an ill-typed literal
            literal = Literal(raw, datatype=parameter.datatype)
        if literal.ill_typed:
            name = str(parameter.datatype).rsplit("#", 1)[-1]
            raise ParameterError(f"parameter {parameter.name!r}: {raw!r} is not a valid xsd:{name}")
        return literal
    return Literal(raw)


def bind(query: CannedQuery, given: Mapping[str, str]) -> dict[Variable, Node]:
    """Bindings for `query` from user values, falling back to each parameter's default."""
    known = {p.name for p in query.parameters}
    unknown = sorted(set(given) - known)
    if unknown:
        listing = ", ".join(f"{p.name} ({p.type_label})" for p in query.parameters) or "none"
        raise ParameterError(
            f"query {query.name!r} has no parameter {unknown[0]!r}; its parameters: {listing}"
        )
    bindings: dict[Variable, Node] = {}
    for parameter in query.parameters:
        raw = given.get(parameter.name, parameter.default)
        if raw is None:
            if parameter.required:
                raise ParameterError(
                    f"query {query.name!r} needs parameter {parameter.name!r} "
                    f"({parameter.type_label}); e.g. --param {parameter.name}="
                    f"{parameter.example or '...'}"
                )
            continue
        bindings[Variable(parameter.variable)] = to_term(parameter, raw)
    return bindings


def parse_assignments(pairs: tuple[str, ...]) -> dict[str, str]:
    """`key=value` strings from the command line; the value may contain '=' and anything else."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param takes key=value, got {pair!r}")
        if key in values:
            raise ParameterError(f"parameter {key!r} given twice")
        values[key] = value
    return values


_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def sparql_term(term: Node, codepoints_safe: bool = False) -> str:
    """One SPARQL token for a term whose form `to_term` has checked.

    `codepoints_safe` says the receiving parser reads an escaped backslash before a `u` as a
    backslash (Oxigraph does; tests check it), not as the start of a codepoint escape.
    """
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise ParameterError(f"{str(term)!r} is not an IRI that can be sent")
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term)
        if not codepoints_safe and re.search(r"\\[uU]", lexical):
            # SPARQL processors disagree on whether "\\u0022" is a backslash or a quote
            # (codepoint escapes are undone before parsing); refuse rather than guess.
            raise ParameterError(
                "a value containing a backslash followed by 'u' cannot be sent to a remote "
                "endpoint unambiguously; run the query on the local store instead"
            )
        body = "".join(_ESCAPES.get(ch, ch) for ch in lexical)
        if term.language:
            return f'"{body}"@{term.language}'
        # a simple literal written with its datatype, xsd:string (RDF 1.1: the same term):
        # Virtuoso 7.2 finds no Chinese text CONTAINS-ing a bare "赣州" from VALUES
        return f'"{body}"^^<{term.datatype or XSD_STRING}>'
    raise ParameterError(f"cannot send {term!r} as a parameter")
