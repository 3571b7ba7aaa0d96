"""Parameters given the way people name things: `xinfeng`, `place:xinfeng`, "Xinfeng County",
"信丰" or the full IRI all mean <…/id/place/xinfeng>. A name that fits nothing, or fits several
things equally well, is an error that says so, never a query that quietly returns no rows.

Resolution needs the data: `lookups` says which lookup queries to run (lookup.rq, with its
parameters), the caller runs them on whatever it queries (the embedded store, an endpoint, a
worker of kg serve), and `choose` picks the entity from the rows."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Literal, Variable
from rdflib.term import Node

from kg_build.namespaces import data_prefixes
from kg_build.query.catalog import CannedQuery, Parameter, load_query
from kg_build.query.params import ParameterError, to_term

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_PREFIXED = re.compile(r"^([A-Za-z][\w\-]*):([^\s/]+)$")
# kinds of entity with a space of their own under BASE id/ (namespaces.data_prefixes)
KINDS = ("place", "organisation", "person", "project", "agreement", "event", "figure", "source")


@cache
def lookup_query() -> CannedQuery:
    return load_query(Path(__file__).with_name("lookup.rq"))


@dataclass(frozen=True)
class Lookup:
    """One parameter to resolve: what was typed, where to look, the IRI it spells if any."""

    parameter: Parameter
    given: str
    space: str
    iri: str | None  # an absolute or prefixed IRI as typed, expanded
    bindings: Mapping[Variable, Node]

    @property
    def thing(self) -> str:
        return kind_of(self.parameter) or "thing"


def kind_of(parameter: Parameter) -> str | None:
    """The kind of entity an IRI parameter names: `#+ kinds:`, or its own name if a kind."""
    return parameter.entity or (parameter.name if parameter.name in KINDS else None)


def lookups(query: CannedQuery, given: Mapping[str, str], base: str) -> list[Lookup]:
    """The IRI parameters of `query` given in `given`, each with the lookup to run for it."""
    found = []
    for parameter in query.parameters:
        raw = given.get(parameter.name)
        if parameter.kind != "iri" or raw is None:
            continue
        text = " ".join(raw.split())  # white space as names are written
        if not text:
            raise ParameterError(f"parameter {parameter.name!r} is empty")
        kind = kind_of(parameter)
        space = f"{base}id/{kind}/" if kind else base
        iri = _expanded(text, base)
        if iri is not None:
            to_term(parameter, iri)  # a malformed IRI is that, before it is unknown
            # an IRI as typed: look for the thing itself, by its last segment
            search, space = iri.rstrip("/").rsplit("/", 1)[-1], iri.rstrip("/").rsplit("/", 1)[0]
        else:
            search = text
        bindings = {
            Variable("_space_string"): Literal(space),
            Variable("_text_string"): Literal(search),
        }
        found.append(Lookup(parameter, raw, space, iri, bindings))
    return found


def _expanded(text: str, base: str) -> str | None:
    if _ABSOLUTE.match(text):
        return text
    match = _PREFIXED.match(text)
    if match:
        namespace = data_prefixes(base).get(match.group(1))
        if namespace is not None:
            return f"{namespace}{match.group(2)}"
    return None


def choose(lookup: Lookup, rows: Sequence[Sequence[Node | None]]) -> str:
    """The entity `lookup` names, from the lookup query's rows (entity, name); ParameterError
    naming the candidates when none or several fit."""
    names = _names(rows)
    if lookup.iri is not None:
        if lookup.iri in names:
            return lookup.iri
        raise ParameterError(
            f"parameter {lookup.parameter.name!r}: no {lookup.thing} <{lookup.iri}> in the data"
            + _hint(lookup)
        )
    tiers = _tiers(lookup.given, names)
    for tier in tiers:
        if len(tier) == 1:
            return next(iter(tier))
        if len(tier) > 1:
            listing = "; ".join(f"{e} ({_label(names[e])})" for e in sorted(tier)[:8])
            raise ParameterError(
                f"parameter {lookup.parameter.name!r}: {lookup.given!r} could be any of "
                f"{len(tier)} {lookup.thing}s: {listing}; give the id or the IRI"
            )
    raise ParameterError(
        f"parameter {lookup.parameter.name!r}: no {lookup.thing} called {lookup.given!r}"
        + _hint(lookup)
    )


def _names(rows: Sequence[Sequence[Node | None]]) -> dict[str, list[str]]:
    """Entity -> its names, from the lookup query's rows."""
    names: dict[str, list[str]] = {}
    for entity, name in rows:
        if entity is not None and name is not None:
            names.setdefault(str(entity), []).append(str(name))
    return names


def _tiers(given: str, names: Mapping[str, list[str]]) -> list[set[str]]:
    """The entities `given` may mean, best first: the id itself, a name equal to it, a name
    starting with it, a name containing it (case and white space folded)."""
    wanted = _folded(given)
    return [
        {e for e in names if e.rstrip("/").rsplit("/", 1)[-1] == given.strip()},
        {e for e, ns in names.items() if any(_folded(n) == wanted for n in ns)},
        {e for e, ns in names.items() if any(_folded(n).startswith(wanted) for n in ns)},
        {e for e, ns in names.items() if any(wanted in _folded(n) for n in ns)},
    ]


def ranked(
    given: str, rows: Sequence[Sequence[Node | None]], limit: int
) -> list[tuple[str, list[str]]]:
    """Suggestions for what someone is typing: the entities the lookup query found, best
    first (as `choose` ranks them), each with its names; at most `limit`."""
    names = _names(rows)
    order: list[str] = []

    def closeness(entity: str) -> tuple[int, str]:  # the shortest name first: the closest
        return min(len(n) for n in names[entity]), entity

    for tier in _tiers(given, names):
        order += sorted(tier - set(order), key=closeness)
    return [(e, sorted(set(names[e]))) for e in order[:limit]]


def search(text: str, base: str, kind: str | None = None) -> Mapping[Variable, Node]:
    """The lookup query's bindings for text typed into a search box (any entity of ours, or
    those of `kind`)."""
    space = f"{base}id/{kind}/" if kind in KINDS else f"{base}id/"
    return {
        Variable("_space_string"): Literal(space),
        Variable("_text_string"): Literal(" ".join(text.split())),
    }


def _hint(lookup: Lookup) -> str:
    return (
        f" (by id, `{lookup.thing}:ID`, IRI, or English, Chinese or pinyin name; "
        "`kg query search-by-name -p q=…` finds names)"
    )


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _label(found: list[str]) -> str:
    return ", ".join(sorted(set(found))[:3])
