"""The embedded store: an on-disk Oxigraph database under dist/ that `kg query` and `kg serve`
open read-only.

Why Oxigraph: measured here (benchmarks/store_choice.py, benchmarks/RESULTS-store.md) it
loads N-Triples and answers the canned queries one to two orders of magnitude faster than an
rdflib Graph, and it persists on disk so queries need no re-parse.

A build writes a new database into the folder of the release it publishes
(`dist/releases/<name>/store`); `dist/store` names the current release's
(publish/layout.py), so a reader sees the old or the new store, never half of one. Besides
the named graphs of the TriG, the default graph holds their union, each triple once: queries
and pages read it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from kg_build.errors import InputError, Problem
from kg_build.rdf.chunks import parse_ours

LINK = "store"
PREFIX = "store-"


def ontology_graph(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}graph/ontology")


# Part of the digest, so that a store laid out by an older kg-build is rebuilt, not reused.
LAYOUT = b"kg-build store layout 2: named graphs + their union in the default graph\0"


def _complete(path: Path) -> bool:
    """The store was written to the end, in this version's layout (its .complete says so)."""
    try:
        return (path / ".complete").read_bytes() == LAYOUT.rstrip(b"\0") + b"\n"
    except OSError:
        return False


def release_quads(trig: bytes, ontology: bytes, base: str) -> Iterator[ox.Quad]:
    """The quads of a release as the store holds them: the TriG's named graphs, the ontology in
    its own graph, and each of those triples in the default graph as well, which makes the
    default graph their union, each triple once (a store keeps a quad once however often it is
    given one).

    Oxigraph's `use_default_graph_as_union` repeats a triple once per graph that holds it (a
    day or place shared by many sources multiplied the rows of `timeline` 244-fold at 1,000
    sources) and joins over many graphs slowly. Queries read the default graph; GRAPH
    patterns still see the named graphs. The union is written in the same pass as the named
    graphs, from the same parsed terms (a blank node is one node in both): copying the named
    graphs with a SPARQL update afterwards took twice as long as the whole load does now."""
    default, its_graph = ox.DefaultGraph(), ontology_graph(base)
    in_its_graph = (
        ox.Quad(t.subject, t.predicate, t.object, its_graph)
        for t in ox.parse(ontology, format=ox.RdfFormat.TURTLE)
    )
    for quad in chain(ox.parse(trig, format=ox.RdfFormat.TRIG), in_its_graph):
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


@dataclass(frozen=True)
class StoreChange:
    """What differs from the previous release's store: the graphs whose triples changed."""

    previous: Path  # that store's folder
    graphs: Mapping[str, tuple[bytes, bytes]]  # graph IRI -> its N-Triples before and now


def _apply(store: ox.Store, change: StoreChange) -> None:
    """Change the named graphs line by line; keep the default graph their union, each triple
    once (a triple leaves it when no named graph holds it any more)."""
    default = ox.DefaultGraph()
    gone: set[ox.Triple] = set()
    for name, (before, now) in sorted(change.graphs.items()):
        graph = ox.NamedNode(name)
        old, new = set(before.splitlines(keepends=True)), set(now.splitlines(keepends=True))
        removed = parse_ours(b"".join(old - new))
        added = list(parse_ours(b"".join(new - old)))
        for t in removed:
            store.remove(ox.Quad(t.subject, t.predicate, t.object, graph))
            gone.add(t)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in added)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in added)
        if not new:
            store.remove_graph(graph)  # as a fresh load would not have it
    for t in gone:
        held = any(
            not isinstance(q.graph_name, ox.DefaultGraph)
            for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)
        )
        if not held:
            store.remove(ox.Quad(t.subject, t.predicate, t.object, default))


def write_store(
    target: Path,
    trig: bytes,
    ontology: bytes,
    base: str,
    change: StoreChange | None = None,
    notice: Callable[[str], None] = lambda _: None,
) -> Path:
    """Load the release into the new folder `target` (in a release being written). With
    `change`, start from a copy of the previous store (a checkpoint: hard links, no copying)
    and replace only the changed graphs; the result holds the same quads as a fresh load. A
    previous store that cannot be read is not built on: the release is loaded whole, and
    `notice` says so."""
    target.parent.mkdir(parents=True, exist_ok=True)
    store = _from_previous(target, change, notice) if change is not None else None
    if store is None:
        shutil.rmtree(target, ignore_errors=True)
        store = ox.Store(str(target))
        # bulk: no transaction needed, the release is switched to only once it is whole
        store.bulk_extend(release_quads(trig, ontology, base))
        store.optimize()
    store.flush()
    del store  # closes the database
    (target / ".complete").write_bytes(LAYOUT.rstrip(b"\0") + b"\n")
    return target


def _from_previous(
    target: Path, change: StoreChange, notice: Callable[[str], None]
) -> ox.Store | None:
    """A copy of the previous store at `target` with the change applied; None if that store
    is missing, incomplete or damaged."""
    if not _complete(change.previous):
        notice(f"notice: the last release's store {change.previous} is incomplete; loading anew")
        return None
    try:
        checkpoint(change.previous, target)
        (target / ".complete").unlink(missing_ok=True)
        store = ox.Store(str(target))
        _apply(store, change)
    except (OSError, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError (or OSError)
        notice(f"notice: the last release's store cannot be read ({exc}); loading anew")
        return None
    return store


def checkpoint(source: Path, target: Path) -> None:
    """A copy of the store at `source` in the new folder `target`, made by RocksDB: its table
    files hard-linked where the file system allows (instant, no space), copied otherwise. The
    copy lives on when `source` is removed."""
    ox.Store.read_only(str(source)).backup(str(target))


_SCRATCH: list[Path] = []  # scratch copies this process made (scratch_copy)


def scratch_copy(source: Path, into: Path | None = None) -> ox.Store | None:
    """A writable copy of the complete store at `source`; None if there is no such store, or
    it cannot be read. The copy is a checkpoint in a new folder under `into` (hard links where
    the file system allows: far faster than loading the same triples into a store in memory),
    removed when this process exits or a build ends (remove_scratch)."""
    if not _complete(source):
        return None
    folder = Path(tempfile.mkdtemp(prefix="kg-build-check-", dir=into))
    if not _SCRATCH:
        atexit.register(remove_scratch)
    _SCRATCH.append(folder)
    copy = folder / "store"
    try:
        checkpoint(source, copy)
        return ox.Store(str(copy))
    except (OSError, RuntimeError):  # damaged: the caller loads from the facts instead
        return None


def remove_scratch() -> None:
    """Remove the scratch copies (an open copy may go: RocksDB keeps its open files)."""
    while _SCRATCH:
        shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


def resolve_store(dist: Path) -> Path:
    """The release folder dist/store points at, checked to be complete and in this version's
    layout; or say clearly why not and how to fix it."""
    path = dist / LINK
    hint = "run `kg build` to (re)create it"
    if not path.exists():
        raise InputError([Problem(str(path), 0, "", "embedded store not found", hint)])
    if not (path / ".complete").exists():
        raise InputError([Problem(str(path), 0, "", "embedded store is incomplete", hint)])
    if not _complete(path):  # an older layout answers queries wrongly, not with an error
        what = "embedded store was written by another version of kg-build"
        raise InputError([Problem(str(path), 0, "", what, hint)])
    return path.resolve()


def open_release(folder: Path) -> ox.Store:
    """Open one release's store folder read-only (a reader that keeps it open keeps reading
    that release, even once a build has replaced and removed it)."""
    try:
        return ox.Store.read_only(str(folder))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        hint = "run `kg build --full` to recreate it"
        raise InputError(
            [Problem(str(folder), 0, "", f"embedded store cannot be opened ({exc})", hint)]
        ) from exc


def open_store(dist: Path) -> ox.Store:
    """Open the current release (dist/store) read-only."""
    return open_release(resolve_store(dist))
