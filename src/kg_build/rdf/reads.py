"""What each source's graph was made from, recorded while it is made; and from that, which
graphs an incremental build must make again.

The graph builder reads the corpus only through `Reads`, which notes every input it hands
out, for the graph being built: a record (by id, found or not), a source (its description
and which records it holds), or every record of a kind (a reverse lookup, such as a concept
scheme listing its top concepts). A graph's key is the digest of exactly those inputs, so
nothing predicts what a graph reads: a graph is made again when an input it read last time
changed, and a new lookup in the builder is covered the moment it is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import URIRef

from kg_build.facts.load import Corpus, Entry
from kg_build.facts.model import Source
from kg_build.rdf.iris import Iris

ABSENT = "absent"  # the digest of an input that is not there (a record looked up, not found)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def entry_digest(entry: Entry) -> str:
    return _digest(entry.kind, entry.source, entry.record.model_dump_json())


def _source_input(source_id: str) -> str:
    return f"source:{source_id}"  # record ids are slugs: no colon


def _kind_input(kind: str, field: str = "", value: str = "") -> str:
    return f"kind:{kind}:{field}={value}" if field else f"kind:{kind}"


class _KindIndex:
    """The records a kind input names (`concepts`, or `concepts:scheme=X`: those whose field
    has that value), grouped in one pass over the corpus per kind and field."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus
        self._groups: dict[tuple[str, str], dict[str, list[Entry]]] = {}

    def members(self, kind_input: str) -> list[Entry]:
        kind, _, where = kind_input.partition(":")
        field, _, value = where.partition("=")
        if (kind, field) not in self._groups:
            groups: dict[str, list[Entry]] = {}
            for entry in self._corpus.of_kind(kind):
                key = str(getattr(entry.record, field, None)) if field else ""
                groups.setdefault(key, []).append(entry)
            self._groups[(kind, field)] = groups
        return self._groups[(kind, field)].get(value if field else "", [])


class Reads:
    """The builder's one way into the corpus. `begin(source)` before a record of that source
    is built; every input handed out after it is noted as read by that source's graph."""

    def __init__(self, corpus: Corpus, iris: Iris) -> None:
        self._corpus, self._iris = corpus, iris
        self._kinds = _KindIndex(corpus)
        self.by_source: dict[str, set[str]] = {}
        self._now: set[str] = set()

    def begin(self, source_id: str) -> None:
        self._now = self.by_source.setdefault(source_id, set())

    def source(self, source_id: str) -> Source:
        """A source's record; its input covers its records' ids and its statements."""
        self._now.add(_source_input(source_id))
        return self._corpus.sources[source_id][0]

    def entry(self, identifier: str) -> Entry | None:
        self._now.add(identifier)
        return self._corpus.entries.get(identifier)

    def entity(self, identifier: str) -> URIRef:
        """The record's IRI (its kind is part of it)."""
        self._now.add(identifier)
        return self._iris.entity(identifier)

    def of_kind(self, kind: str, field: str = "", value: str = "") -> Iterator[Entry]:
        """Every record of a kind; with `field`, those whose field has `value` (a reverse
        lookup: a graph that reads this is made again when a record joins or leaves)."""
        name = _kind_input(kind, field, value)
        self._now.add(name)
        return iter(self._kinds.members(name.removeprefix("kind:")))


@dataclass
class GraphKeys:
    """Each graph's key and inputs, and the digest of every input some graph read."""

    keys: dict[str, str] = field(default_factory=dict)  # graph IRI -> digest of its inputs
    reads: dict[str, frozenset[str]] = field(default_factory=dict)  # graph IRI -> inputs
    digests: dict[str, str] = field(default_factory=dict)  # input -> its digest


class Inputs:
    """The digest of each input now. Records not parsed again since `old` was made (not in
    `reread`) keep their digest unhashed, and so do sources not in `stale` (None: all are):
    a source's digest is made of its own record and the ids of the records filed under it,
    so only a source whose folder, or a file with records filed under it (now or then), was
    parsed again can have another."""

    def __init__(
        self,
        corpus: Corpus,
        old: GraphKeys,
        reread: Collection[str],
        stale: Collection[str] | None = None,
    ) -> None:
        self._corpus, self._old, self.reread = corpus, old, set(reread)
        self._stale = set(stale) if stale is not None else None
        self._digests: dict[str, str] = {}
        self._owned: dict[str, list[str]] | None = None
        self._kinds = _KindIndex(corpus)

    def digest(self, name: str) -> str:
        found = self._digests.get(name)
        if found is None:
            found = self._digests[name] = self._compute(name)
        return found

    def _compute(self, name: str) -> str:
        kind, colon, rest = name.partition(":")
        if not colon:
            entry = self._corpus.entries.get(name)
            if entry is None:
                return ABSENT
            if name in self.reread or name not in self._old.digests:
                return entry_digest(entry)
            return self._old.digests[name]
        if kind == "source":
            if rest not in self._corpus.sources:
                return ABSENT
            if self._stale is not None and rest not in self._stale and name in self._old.digests:
                return self._old.digests[name]
            source = self._corpus.sources[rest][0]
            return _digest("source", source.model_dump_json(), *self._own(rest))
        if kind == "kind":
            members = sorted(e.record.id for e in self._kinds.members(rest))
            return _digest("kind", rest, *(f"{i}={self.digest(i)}" for i in members))
        raise ValueError(f"unknown input {name!r}")

    def _own(self, source_id: str) -> list[str]:
        """The ids of the records filed under a source, and the content of its statements
        about things other sources define (they are built into its graph alone)."""
        if self._owned is None:
            self._owned = {}
            for identifier, entry in self._corpus.entries.items():
                self._owned.setdefault(entry.source, []).append(identifier)
            for said in self._corpus.statements:
                content = _digest("statement", said.kind, said.statement.model_dump_json())
                self._owned.setdefault(said.source, []).append(content)
        return sorted(self._owned.get(source_id, []))

    def key(self, reads: Collection[str]) -> str:
        return _digest(*(f"{n}={self.digest(n)}" for n in sorted(reads)))


def to_rebuild(
    corpus: Corpus,
    graph_iri: Mapping[str, str],
    previous: GraphKeys,
    reread: Collection[str],
    stale: Collection[str] | None = None,
) -> tuple[set[str], Inputs]:
    """The sources whose graphs must be made again: those with no graph last time, and
    those that read an input that changed. `reread`: the records and sources parsed again
    since `previous` was made (the others are the objects it was made from); `stale`: see
    Inputs."""
    inputs = Inputs(corpus, previous, reread, stale)
    # only records parsed again or gone, sources and kinds can have changed
    names = [n for n in previous.digests if ":" in n or n in inputs.reread]
    names += [n for n in previous.digests if ":" not in n and n not in corpus.entries]
    changed = {n for n in dict.fromkeys(names) if inputs.digest(n) != previous.digests[n]}
    rebuild = set()
    for source_id in corpus.sources:
        read = previous.reads.get(graph_iri[source_id])
        if read is None or not read.isdisjoint(changed):
            rebuild.add(source_id)
    return rebuild, inputs


def graph_keys(
    reads: Mapping[str, Collection[str]],
    graph_iri: Mapping[str, str],
    inputs: Inputs,
    previous: GraphKeys | None = None,
) -> GraphKeys:
    """The keys of every graph: from what the builder read for those it made (`reads`:
    source id -> inputs), the previous keys for the others (they read the same inputs,
    unchanged)."""
    old = previous or GraphKeys()
    result = GraphKeys()
    for source_id, iri in graph_iri.items():
        if source_id in reads:
            read = frozenset(reads[source_id])
            result.keys[iri], result.reads[iri] = inputs.key(read), read
        else:
            result.keys[iri], result.reads[iri] = old.keys[iri], old.reads[iri]
    wanted = set().union(*result.reads.values()) if result.reads else set()
    result.digests = {n: inputs.digest(n) for n in sorted(wanted)}
    return result
