"""How far from its focus variables a SPARQL check reads, derived from the query itself.

A check (a quality query, a SHACL-SPARQL constraint) is *local* when every triple pattern it
matches has a subject that lies a bounded number of steps forward from ?this (or, for a
check comparing two nodes, from ?this or ?other): then its rows for a node depend only on
triples at most that far from the node, and after a change an incremental build runs it on
the nodes whose neighbourhood changed instead of over everything (validate/neighbourhood.py
finds them). This module reads the query's patterns and says how far: nothing is declared by
the check's author, so a check edited to read further is run whole, or re-checked further,
from the next build on.

Anything it cannot bound makes the check non-local (run whole): a pattern whose subject is
not reached from the focus variables, a `*` or `+` path, SERVICE, GRAPH, a sub-select (its
variables are its own)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from itertools import count

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

# patterns this analysis cannot bound: another dataset, a named graph, a query of its own
_OPAQUE = {"ServiceGraphPattern", "Graph", "GraphGraphPattern", "ToMultiSet", "SubSelect"}
# patterns whose every solution is a solution of the first part (`p` or `p1`) extended
_KEEPS_FIRST = {"LeftJoin", "Minus", "Filter", "Extend", "Project", "Distinct", "Reduced"}
_KEEPS_FIRST |= {"Slice", "OrderBy", "Group", "AggregateJoin", "SelectQuery"}
_EXISTS = {"Builtin_EXISTS", "Builtin_NOTEXISTS"}

Link = tuple[Node, Node, int]  # every solution has a path this long or shorter from one to other
Distances = dict[Node, int]  # a node -> at most how many steps it lies from the anchors


class _UnboundedError(Exception):
    pass


def query_reach(text: str, anchors: Sequence[str]) -> int | None:
    """The most steps forward from the anchor variables (names without '?') that a subject of
    the query's triple patterns lies (0: only the anchors' own triples); None if that is not
    bounded."""
    key = hashlib.sha256("\0".join([*anchors, text]).encode()).hexdigest()
    if key not in _KNOWN:
        _KNOWN[key] = _reach_of(text, tuple(anchors))
    return _KNOWN[key]


# A pure function of the text and anchors (and of this code), so kept by their digest: a
# build asks about each check two or three times, and parsing with rdflib is most of the
# answer's cost. A build's state keeps what was found (reaches_found) for the next build,
# whose code is the same (incremental/state.py global_key), to start from (remember_reaches).
_KNOWN: dict[str, int | None] = {}


def reaches_found() -> dict[str, int | None]:
    """Every reach found or remembered by this process, by the digest of anchors and text."""
    return dict(_KNOWN)


def remember_reaches(found: Mapping[str, int | None]) -> None:
    """Reaches found by the same code (what reaches_found gave), so as not to parse again."""
    _KNOWN.update(found)


def _reach_of(text: str, anchors: tuple[str, ...]) -> int | None:
    try:
        return _Reach().of(prepareQuery(text).algebra, {Variable(a): 0 for a in anchors})
    except _UnboundedError:
        return None


def local_anchors(text: str) -> tuple[tuple[str, ...], int] | None:
    """The focus variables a check can be run on after a change, with its reach: ?this if
    its patterns are bounded from ?this; else ?this and ?other if bounded from the two (a
    check comparing two nodes, run once with each bound); None if neither (run it whole)."""
    for anchors in (("this",), ("this", "other")):
        found = query_reach(text, anchors)
        if found is not None:
            return anchors, found
    return None


class _Reach:
    """The reach of a pattern, given how far its nodes lie at most. A part's triples are read
    only where every mandatory triple of its group matched, so the group's links (and the
    enclosing groups') bound where its subjects lie; an optional, alternative, or negated
    part's links bound nothing outside it."""

    def __init__(self) -> None:
        self._fresh = count()

    def of(self, pattern: CompValue, known: Distances) -> int:
        if pattern.name in _OPAQUE:
            raise _UnboundedError(pattern.name)
        if pattern.name == "GroupGraphPatternSub":  # an EXISTS group, as parsed
            return self.of(translateGroupGraphPattern(pattern), known)
        near = _closer(known, self.links(pattern))
        if pattern.name == "BGP":
            return max((self._reads(s, p, o, near) for s, p, o in pattern["triples"]), default=0)
        found = 0
        for key, value in pattern.items():
            if key in ("p", "p1", "p2") and isinstance(value, CompValue):
                found = max(found, self.of(value, near))
            elif key != "_vars":
                for group in _exists_groups(value):
                    found = max(found, self.of(group, near))
        return found

    def links(self, pattern: CompValue) -> list[Link]:
        """What every solution of the pattern has (a BGP's triples, a join's both sides)."""
        if pattern.name == "BGP":
            return [link for s, p, o in pattern["triples"] for link in _links(s, p, o)]
        if pattern.name == "Join":
            return self.links(pattern["p1"]) + self.links(pattern["p2"])
        # (dict's get: CompValue.get takes other arguments)
        first = dict.get(pattern, "p1", dict.get(pattern, "p"))
        if pattern.name in _KEEPS_FIRST and isinstance(first, CompValue):
            return self.links(first)
        return []

    def _reads(self, s: Node, p: object, o: Node, near: Distances) -> int:
        """How far the subjects the pattern `s p o` reads lie at most."""
        if not isinstance(p, Path):
            return _at(s, near)
        if isinstance(p, InvPath):
            return self._reads(o, p.arg, s, near)
        if isinstance(p, SequencePath):
            nodes = [s, *(Variable(f"_step{next(self._fresh)}") for _ in p.args[1:]), o]
            steps = [(nodes[i], arg, nodes[i + 1]) for i, arg in enumerate(p.args)]
            links = [link for a, arg, b in steps for link in _links(a, arg, b)]
            along = _closer(near, links)
            return max(self._reads(a, arg, b, along) for a, arg, b in steps)
        if isinstance(p, AlternativePath):
            return max(self._reads(s, arg, o, near) for arg in p.args)
        if isinstance(p, NegatedPath):  # one step, forward or, for ^p members, backward
            ahead = any(isinstance(arg, URIRef) for arg in p.args)
            behind = not all(isinstance(arg, URIRef) for arg in p.args)
            return max([_at(s, near)] * ahead + [_at(o, near)] * behind)
        if isinstance(p, MulPath) and p.mod == "?":
            return self._reads(s, p.path, o, near)
        raise _UnboundedError(str(p))  # `*` and `+`: as far as the data goes


def _at(node: Node, near: Distances) -> int:
    if node not in near:
        raise _UnboundedError(f"{node} is not reached from the focus")
    return near[node]


def _links(s: Node, p: object, o: Node) -> list[Link]:
    forward, backward = _length(p, True), _length(p, False)
    return ([(s, o, forward)] if forward is not None else []) + (
        [(o, s, backward)] if backward is not None else []
    )


def _length(p: object, forward: bool) -> int | None:
    """The most steps a path takes from its subject to its object (forward) or back, when
    every match takes that direction; None if some match may not."""
    if not isinstance(p, Path):
        return 1 if forward else None
    if isinstance(p, InvPath):
        return _length(p.arg, not forward)
    if isinstance(p, SequencePath | AlternativePath):
        lengths = [_length(arg, forward) for arg in p.args]
        if any(n is None for n in lengths):
            return None
        known = [n for n in lengths if n is not None]
        return sum(known) if isinstance(p, SequencePath) else max(known)
    if isinstance(p, NegatedPath):
        ahead = all(isinstance(arg, URIRef) for arg in p.args)
        behind = not any(isinstance(arg, URIRef) for arg in p.args)
        return 1 if (ahead if forward else behind) else None
    if isinstance(p, MulPath) and p.mod == "?":
        return _length(p.path, forward)
    return None


def _closer(known: Distances, links: list[Link]) -> Distances:
    """`known`, with every node the links lead to from a known one, at its least distance."""
    near = dict(known)
    changed = True
    while changed:
        changed = False
        for a, b, steps in links:
            if a in near and near[a] + steps < near.get(b, near[a] + steps + 1):
                near[b] = near[a] + steps
                changed = True
    return near


def _exists_groups(value: object) -> Iterator[CompValue]:
    """The groups of the EXISTS and NOT EXISTS in an expression."""
    if isinstance(value, CompValue):
        if value.name in _EXISTS:
            yield value["graph"]
            return
        for key, inner in value.items():
            if key != "_vars":
                yield from _exists_groups(inner)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _exists_groups(item)
