"""The dumps of an incremental build, made from the last release's dumps and what changed.

Writing every dump whole costs seconds per million triples however little changed
(benchmarks/RESULTS.md). Each dump is a
sequence of pieces in a fixed order, a piece per subject (N-Triples lines, Turtle blocks,
JSON-LD node lines) or per graph (TriG blocks), and a piece depends only on the triples of
its subject or graph. So the pieces of the subjects and graphs that changed are written
anew and put in place among the old ones; the result is the bytes a full build writes
(tests/test_incremental.py compares them after sequences of edits).

The last release's dumps are read back only when they match its SHA256SUMS (or have the size,
mtime and inode they were written with, as the fact folders are trusted); when anything
is not as expected (a file edited by hand, pieces that do not line up with the subjects),
the caller writes the dump whole instead.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from kg_build.publish.serialize import JSONLD_END, JSONLD_GRAPH
from kg_build.rdf.chunks import Chunk, first_line_from, has_line_starting, line_delta

# The N-Triples subject of a line: an IRI or blank node, which hold no space.
_SUBJECT = re.compile(rb"^(\S+) ", re.MULTILINE)


def published(folder: Path, manifest: bytes, name: str) -> bytes | None:
    """A file of the last release, if it has the digest its SHA256SUMS gives (a file edited
    or damaged since, even keeping its size and times, is not built on)."""
    wanted = f"  {name}\n".encode()
    for line in manifest.splitlines(keepends=True):
        if line.endswith(wanted):
            try:
                data = (folder / name).read_bytes()
            except OSError:
                return None
            return data if hashlib.sha256(data).hexdigest().encode() == line[:64] else None
    return None


def union_and_shared(chunks: Iterable[Chunk]) -> tuple[list[bytes], dict[bytes, int]]:
    """The sorted lines of the union of `chunks`, and how many chunks hold each line that
    more than one holds (so that the next build knows when a line leaves the union)."""
    seen: set[bytes] = set()
    shared: dict[bytes, int] = {}
    for chunk in chunks:
        lines = chunk.splitlines(keepends=True)  # distinct: a chunk is a set of lines
        for line in seen.intersection(lines):
            shared[line] = shared.get(line, 1) + 1
        seen.update(lines)
    return sorted(seen), shared


@dataclass(frozen=True)
class UnionChange:
    chunk: Chunk  # the new union, sorted lines
    removed: set[bytes]
    added: set[bytes]
    shared: dict[bytes, int]  # as union_and_shared gives it for the new chunks

    def subjects(self) -> set[bytes]:
        """The subjects (N-Triples terms) whose lines changed."""
        return {line[: line.index(b" ")] for line in self.removed | self.added}


# Above this many changed lines, sorting the union again is as quick as splicing.
MAX_SPLICED = 20_000


def change_union(
    old: Chunk,
    before: Mapping[str, Chunk],
    after: Mapping[str, Chunk],
    shared: Mapping[bytes, int],
) -> UnionChange | None:
    """The union after the chunks `before` were replaced by `after` (same keys; b"" for a
    graph that is gone or new), from the old union `old` (sorted lines) and the counts of its
    shared lines. None when the counts do not add up (the caller then starts afresh). The
    lines that come and go are found and put in place by binary search in the old union's
    bytes, which are copied once."""
    delta = line_delta(before, after)
    counts = dict(shared)
    removed, added = set(), set()
    for line, step in delta.items():
        if not step:
            continue
        was = counts.get(line) or int(has_line_starting(old, line))
        now = was + step
        if now < 0:
            return None
        if was and not now:
            removed.add(line)
        elif now and not was:
            added.add(line)
        if now > 1:
            counts[line] = now
        else:
            counts.pop(line, None)
    if len(removed) + len(added) > MAX_SPLICED:
        lines = (set(old.splitlines(keepends=True)) - removed) | added
        return UnionChange(b"".join(sorted(lines)), removed, added, counts)
    # (offset, 0, line): insert the line there; (offset, 1, line): the line there goes
    edits = sorted(
        [(first_line_from(old, line), 0, line) for line in added]
        + [(first_line_from(old, line), 1, line) for line in removed]
    )
    view, at = memoryview(old), 0
    pieces: list[bytes | memoryview] = []
    for offset, gone, line in edits:
        pieces.append(view[at:offset])
        if gone:
            at = offset + len(line)
        else:
            pieces.append(line)
            at = offset
    pieces.append(view[at:])
    return UnionChange(b"".join(pieces), removed, added, counts)


def subjects_in_order(data: bytes) -> list[bytes]:
    """The distinct subjects of sorted N-Triples, in order (a subject's lines are adjacent)."""
    return list(dict.fromkeys(_SUBJECT.findall(data)))


def lines_about(data: Chunk, subjects: Iterable[bytes]) -> list[bytes]:
    """The lines of sorted N-Triples `data` whose subject is one of `subjects`, in order."""
    found = []
    for subject in sorted(subjects):
        prefix = subject + b" "
        at = first_line_from(data, prefix)
        while data.startswith(prefix, at):
            end = data.index(b"\n", at) + 1
            found.append(data[at:end])
            at = end
    return found


@dataclass(frozen=True)
class Blocks:
    """A Turtle or TriG document as pyoxigraph writes it: its @prefix lines, then pieces that
    each end with `end` (kept apart, so that splitting and joining copy the bytes once).
    `complete`: the document ended with `end`, as one of ours does."""

    header: bytes
    pieces: list[bytes]
    end: bytes
    complete: bool = True


TURTLE_END = b" .\n"  # a subject's statement ends so
TRIG_END = b"\n}\n"  # a graph ends so


def _blocks(document: bytes, end: bytes) -> Blocks:
    """Split at `end`, which ends nothing else: pyoxigraph writes a line break inside a literal
    as \\n, and no IRI holds "}"."""
    body = 0
    while document.startswith(b"@prefix ", body):
        body = document.index(b"\n", body) + 1
    pieces = document[body:].split(end)
    return Blocks(document[:body], pieces[:-1], end, complete=not pieces[-1])


def turtle_blocks(document: bytes) -> Blocks:
    """A Turtle document's header and its subjects' blocks."""
    return _blocks(document, TURTLE_END)


def trig_blocks(document: bytes) -> Blocks:
    """A TriG document's header and its graphs' blocks."""
    return _blocks(document, TRIG_END)


K = TypeVar("K", bytes, str)
P = TypeVar("P", bytes, str)


# Above this many changed keys, sorting every piece again is as quick as moving pieces.
MAX_MOVED = 1_000


def in_order(keys: list[K], pieces: list[P], changed: set[K], fresh: Mapping[K, P]) -> list[P]:
    """The pieces of the sorted `keys` (as many), less those of the `changed` keys, with the
    `fresh` pieces put in key order among them: for a few changes, the old pieces stay in
    their list and the changed ones are taken out and put in by binary search."""
    if len(changed) + len(fresh) > MAX_MOVED:
        kept = {k: p for k, p in zip(keys, pieces, strict=True) if k not in changed}
        kept.update(fresh)
        return [kept[key] for key in sorted(kept)]
    keys, pieces = list(keys), list(pieces)
    for key in sorted(changed, reverse=True):
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            del keys[at], pieces[at]
    for key in sorted(fresh):
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:  # as dict.update would: the fresh one wins
            pieces[at] = fresh[key]
        else:
            keys.insert(at, key)
            pieces.insert(at, fresh[key])
    return pieces


def splice(
    old: Blocks, old_keys: list[K], new: Blocks, new_keys: list[K], changed: set[K]
) -> bytes | None:
    """A document split into blocks, one per key of `old_keys` (sorted), with the blocks of
    the `changed` keys replaced by `new`'s (one per key of `new_keys`: the changed keys that
    still have a block); the blocks end up in key order. None when the blocks do not line up
    with the keys, or the headers differ."""
    if len(old_keys) != len(old.pieces) or len(new_keys) != len(new.pieces):
        return None
    if not (old.complete and new.complete):
        return None
    if new.end != old.end or (new_keys and new.header != old.header):
        return None
    added = dict(zip(new_keys, new.pieces, strict=True))
    pieces = in_order(old_keys, old.pieces, changed, added)
    return old.header + old.end.join(pieces) + (old.end if pieces else b"")


def jsonld_lines(document: bytes) -> list[bytes] | None:
    """The node lines of a JSON-LD document written by serialize.jsonld_document (as bytes:
    decoding them took a third of a second at 10,000 sources)."""
    start = document.find(JSONLD_GRAPH)
    if start < 0 or not document.endswith(JSONLD_END):
        return None
    body = document[start + len(JSONLD_GRAPH) : -len(JSONLD_END)]
    # json.dumps writes a newline inside a string as \n: every raw newline ends a node
    return body.split(b",\n") if body else []


def term_value(term: bytes) -> bytes:
    """An N-Triples subject's IRI or blank node label, UTF-8 (what serialize.jsonld_nodes
    sorts by: UTF-8 bytes sort as their characters do)."""
    return term[1:-1] if term.startswith(b"<") else term.removeprefix(b"_:")
