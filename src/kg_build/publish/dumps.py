"""The four dumps of a release (N-Triples, Turtle, TriG, JSON-LD): written whole, or, on an
incremental build, spliced from the last release's (publish/splice.py says how and why).

Either way the bytes are the same; a dump that cannot be spliced (the last one was edited,
or is missing) is written whole, and the release says which were.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from kg_build.elsewhere import in_child
from kg_build.publish import serialize, splice
from kg_build.publish.splice import UnionChange
from kg_build.rdf.chunks import Chunk, triples_of

DUMPS = NT, TTL, TRIG, JSONLD = (
    "ganzhou-gba.nt",
    "ganzhou-gba.ttl",
    "ganzhou-gba.trig",
    "ganzhou-gba.jsonld",
)


@dataclass(frozen=True)
class Prior:
    """What the last release published, as far as this build can build on it."""

    folder: Path  # the release's folder
    manifest: bytes  # its SHA256SUMS
    graphs: Mapping[str, Chunk]  # every graph it published (IRI -> sorted N-Triples)
    shared: Mapping[bytes, int]  # lines of its union held by more than one graph
    subjects: bytes = b""  # the subjects of its union in order, one per line, if known
    # the dumps already read and checked against the manifest, if someone did
    checked: Callable[[], Mapping[str, bytes | None]] = dict

    def file(self, name: str) -> bytes | None:
        """A file of the last release, if it has the digest SHA256SUMS gives."""
        checked = self.checked()
        if name in checked:
            return checked[name]
        return splice.published(self.folder, self.manifest, name)


@dataclass
class Union:
    """The union of the graphs, and what it took to make it."""

    chunk: Chunk  # sorted N-Triples lines
    shared: dict[bytes, int]
    change: UnionChange | None = None  # set when spliced from the last release's
    old: bytes = b""  # the last release's N-Triples dump, when spliced
    known_subjects: bytes = b""  # the last release's subjects, as Prior.subjects

    @cached_property
    def old_subjects(self) -> list[bytes]:
        """The subjects of the last release's union, in order."""
        if self.known_subjects:
            return self.known_subjects.split(b"\n")
        return splice.subjects_in_order(self.old)

    @cached_property
    def subjects(self) -> bytes:
        """The subjects of this union in order, one per line (for the next build)."""
        if self.change is None:
            return b"\n".join(splice.subjects_in_order(self.chunk))
        changed = self.change.subjects()
        now = {s for s in changed if splice.lines_about(self.chunk, {s})}
        kept = [s for s in self.old_subjects if s not in changed]
        return b"\n".join(sorted([*kept, *now]))


def union(graphs: Mapping[str, Chunk], changed: set[str], prior: Prior | None) -> Union:
    """The sorted lines of the union of `graphs`; `changed`: the graphs (by IRI) that differ
    from the last release's, including those gone."""
    old = prior.file(NT) if prior is not None else None
    if prior is not None and old is not None:
        before = {g: prior.graphs.get(g, b"") for g in changed}
        after = {g: graphs.get(g, b"") for g in changed}
        change = splice.change_union(old, before, after, prior.shared)
        if change is not None:
            return Union(change.chunk, change.shared, change, old, prior.subjects)
    lines, shared = splice.union_and_shared(graphs.values())
    return Union(b"".join(lines), shared)


@dataclass
class Dumps:
    files: dict[str, bytes] = field(default_factory=dict)
    pending: dict[str, Callable[[], bytes]] = field(default_factory=dict)  # in a child
    spliced: list[str] = field(default_factory=list)


def jsonld(data: Union, base: str, prior: Prior | None) -> Dumps:
    """JSON-LD, the slowest writer when whole (it parses the lines and makes Python objects
    per node): then it runs in a child while this process goes on."""
    old = prior.file(JSONLD) if prior is not None and data.change is not None else None
    lines = splice.jsonld_lines(old) if old is not None else None
    if data.change is not None and lines is not None:
        changed = data.change.subjects()
        old_subjects = sorted(splice.term_value(s) for s in data.old_subjects)
        nodes = serialize.jsonld_nodes(_about(data.chunk, changed), base)
        fresh = {key.encode(): line.encode() for key, line in nodes.items()}
        if len(lines) == len(old_subjects):
            gone = {splice.term_value(s) for s in changed}
            kept = splice.in_order(old_subjects, lines, gone, fresh)
            document = serialize.jsonld_document(kept, base)
            return Dumps({JSONLD: document}, spliced=[JSONLD])
    chunk = data.chunk
    return Dumps(pending={JSONLD: in_child(lambda: serialize.jsonld(triples_of(chunk), base))})


def turtle(data: Union, base: str, prior: Prior | None) -> Dumps:
    old = prior.file(TTL) if prior is not None and data.change is not None else None
    if data.change is not None and old is not None:
        changed = data.change.subjects()
        about = b"".join(splice.lines_about(data.chunk, changed))
        new = serialize.turtle(triples_of(about), base) if about else b""
        document = splice.splice(
            splice.turtle_blocks(old),
            data.old_subjects,
            splice.turtle_blocks(new),
            splice.subjects_in_order(about),
            changed,
        )
        if document is not None:
            return Dumps({TTL: document}, spliced=[TTL])
    return Dumps({TTL: serialize.turtle_of(data.chunk, base)})


def trig(graphs: Mapping[str, Chunk], changed: set[str], base: str, prior: Prior | None) -> Dumps:
    """TriG of the non-empty `graphs`; `changed` as for union()."""
    old = prior.file(TRIG) if prior is not None else None
    published = {g: c for g, c in graphs.items() if c}
    if prior is not None and old is not None:
        fresh = {g: published[g] for g in changed if g in published}
        new = serialize.trig_of(fresh, base) if fresh else b""
        document = splice.splice(
            splice.trig_blocks(old),
            sorted(g for g, c in prior.graphs.items() if c),
            splice.trig_blocks(new),
            sorted(fresh),
            changed,
        )
        if document is not None:
            return Dumps({TRIG: document}, spliced=[TRIG])
    return Dumps({TRIG: serialize.trig_of(published, base)})


def _about(data: Chunk, subjects: set[bytes]) -> list[ox.Triple]:
    return triples_of(b"".join(splice.lines_about(data, subjects)))
