"""What one successful build leaves for the next: which files it read, what it made of them.

A build compares the digest of every fact file and source folder with the last release's
and re-reads only the folders that changed (a folder whose files have the size, mtime and
inode they had, and were last changed well before the last build looked, keeps its digest
unread, as git and make do; `kg build --full` ignores all of it); graphs whose inputs are
unchanged are reused (rdf/reads.py decides). Anything that changes every graph at once
(kg-build's own code, the ontology, shapes, queries, base IRI) is part of one key; when it
differs, or the published files are not the ones this state describes, the build starts from
nothing.

The state lives in the folder of the release it describes (.kg-build/: state.pickle and
the base files it names, see write_state). It is read back with an unpickler that builds
only kg-build's own data classes and a few standard types, so a file put there by someone
else cannot run code; a file that does not load, or a base file whose digest is not the
one its name gives, is ignored and the build starts from nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import kg_build
from kg_build.config import Config
from kg_build.elsewhere import in_child, in_thread
from kg_build.facts.load import RACY_NS, SHARED_FILES, Part
from kg_build.facts.quotes import QuoteCheck
from kg_build.publish.write import write_atomic
from kg_build.rdf.describe import Counts
from kg_build.rdf.reads import GraphKeys

STATE_DIR = ".kg-build"
STATE_FILE = "state.pickle"
FORMAT = 14

Signature = tuple[tuple[str, int, int, int], ...]  # (name, size, mtime_ns, inode) per file


@dataclass(frozen=True)
class FactFiles:
    """Digest of each shared fact file and of each source folder's files (names and bytes),
    and what os.stat said of them when this build looked (at `taken`, time.time_ns())."""

    digests: dict[str, str] = field(default_factory=dict)
    stats: dict[str, Signature] = field(default_factory=dict)
    taken: int = 0
    folders: tuple[str, ...] = ()  # every source folder's name, in order, with files or not


@dataclass
class BuildState:
    key: str  # code, ontology, shapes, queries and base IRI together
    folders: FactFiles  # digests and stats of "places.yaml" etc. and of each source folder
    parts: dict[str, Part]  # what each of those gave
    graph_keys: GraphKeys  # each graph's key and what it read (rdf/reads.py)
    graphs: dict[str, bytes]  # graph IRI -> its triples as sorted N-Triples (rdf/chunks.py)
    consistency_checked: bool = True  # whether HermiT checked this release (it needs Java)
    # the inferred and description graphs (IRI -> sorted N-Triples), as the store holds them
    derived: dict[str, bytes] = field(default_factory=dict)
    # lines of the published union that more than one graph holds, and how many do
    shared: dict[bytes, int] = field(default_factory=dict)
    subjects: bytes = b""  # the subjects of that union, in order, one per line
    manifest: bytes = b""  # SHA256SUMS of the release this state describes
    store: str = ""  # the store folder of that release
    quotes: QuoteCheck | None = None  # the quote check, per part (facts/quotes.py)
    counts: Counts | None = None  # what the description counted in the union
    # how far before a change checks may change: derived from shapes and queries (in `key`)
    recheck_depth: int | None = None
    # the reach of each SPARQL check (validate/query_reach.py), by the digest of its text
    reaches: dict[str, int | None] = field(default_factory=dict)
    format: int = field(default=FORMAT)

    # what load_state read, to write the next state without pickling unchanged parts again
    pickled: Pickled | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Pickled:
    """What load_state read, for writing the next state: the base of parts (name -> part) and
    of graphs (IRI -> N-Triples) and the files in `folder` they came from, and the parts
    pickled apart from the base (name -> the part and its bytes)."""

    folder: Path  # the .kg-build folder of the release the state was read from
    parts: dict[str, Part]
    parts_file: str
    graphs: dict[str, bytes]
    graphs_file: str
    apart: dict[str, tuple[Part, bytes]]


MAX_OVERLAY = 100  # parts or graphs kept apart from a base before the base is written anew


def _hash_files(digest: hashlib._Hash, paths: Iterable[Path], root: Path) -> None:
    """Names and bytes of the regular files among `paths`; of anything else (a pipe, a
    device, a broken link: the loader reports them), the name only, so that it changes the
    digest but is never read."""
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")


def global_key(config: Config) -> str:
    """What every graph and check depends on; a change here means a full build."""
    digest = hashlib.sha256(f"format {FORMAT}\0{kg_build.__version__}\0{config.base}\0".encode())
    package = Path(kg_build.__file__).parent
    _hash_files(digest, package.rglob("*.py"), package)
    for folder, pattern in (
        (config.ontology, "*.ttl"),
        (config.shapes, "*.ttl"),
        (config.queries, "*.rq"),
    ):
        if folder.is_dir():
            _hash_files(digest, folder.glob(pattern), folder)
    return digest.hexdigest()


@dataclass(frozen=True)
class Looked:
    """What os.stat said of the fact files: (name, signature of its files, the folder they
    are named relative to; None for one shared file), and when it was asked (`taken`,
    time.time_ns() before the first stat)."""

    taken: int
    entries: list[tuple[str, Signature, Path | None]]


def look(facts_dir: Path) -> Looked:
    """Stat every fact file. os.scandir, one stat per file: pathlib and a second stat for
    is_dir took several times as long."""
    taken = time.time_ns()
    entries: list[tuple[str, Signature, Path | None]] = [
        (name, _signature_of_file(facts_dir / name), None) for name in SHARED_FILES
    ]
    sources = facts_dir / "sources"
    if sources.is_dir():
        with os.scandir(sources) as found:
            folders = sorted(e.name for e in found if e.is_dir())
        entries += [(name, _signature(sources / name), sources / name) for name in folders]
    return Looked(taken, entries)


def look_aside(facts_dir: Path) -> Callable[[], Looked]:
    """look() started in a forked child, to run on the other core while this process reads
    the last build's state (each about a second at 10,000 sources); the returned function
    waits for it."""
    return in_child(lambda: look(facts_dir))


def fact_files(
    facts_dir: Path, previous: FactFiles | None = None, looked: Looked | None = None
) -> FactFiles:
    """The digests of the fact files; one the last build took is kept, unread, while the stats
    of its files are the same and older than RACY_NS before that build looked. `looked`: what
    look() said of `facts_dir`, if it was asked already."""
    if looked is None:
        looked = look(facts_dir)
    digests, stats = {}, {}
    for name, signature, folder in looked.entries:
        if not signature:
            continue
        stats[name] = signature
        if (
            previous is not None
            and name in previous.digests
            and previous.stats.get(name) == signature
            and all(mtime < previous.taken - RACY_NS for _, _, mtime, _ in signature)
        ):
            digests[name] = previous.digests[name]
        elif folder is None:
            digest = hashlib.sha256()
            _hash_files(digest, [facts_dir / name], facts_dir)
            digests[name] = digest.hexdigest()
        else:
            digest = hashlib.sha256()
            _hash_files(digest, (folder / file for file, *_ in signature), folder)
            digests[name] = digest.hexdigest()
    folders = tuple(name for name, _, folder in looked.entries if folder is not None)
    return FactFiles(digests, stats, looked.taken, folders)


def _signature(folder: Path) -> Signature:
    """(name, size, mtime, inode) of each entry in `folder`, by name: files, and anything
    else that is there (a folder, a pipe, a broken link), which the loader reports, so that
    its coming or going is a change too."""
    files = []
    with os.scandir(folder) as found:
        for entry in found:
            try:
                info = entry.stat()
            except OSError:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone since it was listed
            files.append((entry.name, info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(sorted(files))


def _signature_of_file(path: Path) -> Signature:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ()
    return () if path.is_dir() else ((path.name, info.st_size, info.st_mtime_ns, info.st_ino),)


def state_path(release: Path) -> Path:
    return release / STATE_DIR / STATE_FILE


def load_state(
    release: Path, key: str, notice: Callable[[str], None] = lambda _: None
) -> BuildState | None:
    """The state kept in a release's folder, if it is usable for this build; None means
    build in full, and `notice` says why."""
    manifest = release / "SHA256SUMS"
    try:
        state = read_state(release)
        expected = manifest.read_bytes()
    except (OSError, ValueError, EOFError, TypeError, KeyError, pickle.UnpicklingError) as exc:
        notice(f"notice: the last release's state cannot be used ({exc}); building from nothing")
        return None
    if state.format != FORMAT or state.key != key:
        notice(
            "notice: kg-build, the ontology, shapes, queries or base IRI changed since the "
            "last release; building from nothing"
        )
        return None
    if state.manifest != expected or not (release / state.store).is_dir():
        notice(
            "notice: the last release's SHA256SUMS or store is not the one its state "
            "describes; building from nothing"
        )
        return None
    return state


# The state of a release is its .kg-build/state.pickle and two base files it names by their
# SHA-256: the records of every source (one pickle loads 30% faster than one per source) and
# the graphs. The state holds what differs from the bases; a build on a prior state links
# the bases it read into the new release (no bytes written) while they differ little.


def write_state(state: BuildState, prior: BuildState | None, release: Path) -> None:
    """Write `state` into the release folder being made."""
    folder = release / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fields = {f.name: getattr(state, f.name) for f in dataclasses.fields(BuildState)}
    del fields["pickled"]
    found = prior.pickled if prior is not None else None
    base = found.parts if found is not None else {}
    overlay: dict[str, bytes | None] = {
        name: _pickled(part, found.apart.get(name) if found is not None else None)
        for name, part in state.parts.items()
        if base.get(name) is not part
    }
    overlay.update((name, None) for name in base if name not in state.parts)
    graphs = found.graphs if found is not None else {}
    changed: dict[str, bytes | None] = {
        iri: chunk for iri, chunk in state.graphs.items() if graphs.get(iri) != chunk
    }
    changed.update((iri, None) for iri in graphs if iri not in state.graphs)
    bases = (("parts", state.parts, overlay), ("graphs", state.graphs, changed))
    for kind, whole, differing in bases:
        prior_file = getattr(found, f"{kind}_file", "")
        prior_folder = found.folder if found is not None else None
        fields[kind] = _keep_base(folder, kind, whole, differing, prior_folder, prior_file)
    write_atomic(folder / STATE_FILE, _pickle(fields))


def _keep_base(
    folder: Path,
    kind: str,
    whole: Mapping[str, object],
    differing: dict[str, Any],
    prior_folder: Path | None,
    prior_file: str,
) -> tuple[str, dict[str, Any]]:
    """The base file for `whole` and what differs from it: the prior one, linked, while
    little differs; else `whole` written as a new base, from which nothing differs."""
    if (
        prior_folder is not None
        and prior_file
        and len(differing) <= max(MAX_OVERLAY, len(whole) // 10)
    ):
        _link(prior_folder / prior_file, folder / prior_file)
        return prior_file, differing
    blob = _pickle(dict(whole))
    name = f"{kind}-{hashlib.sha256(blob).hexdigest()}.pickle"
    write_atomic(folder / name, blob)
    return name, {}


def _link(source: Path, target: Path) -> None:
    """The same file in another release: a hard link (a release is never changed in place),
    or a copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _base(folder: Path, name: str) -> object:
    """A base file, checked against the SHA-256 its name gives before it is unpickled."""
    if not name.endswith(".pickle") or "/" in name:
        raise ValueError(f"not a base file name: {name!r}")
    blob = (folder / name).read_bytes()
    # hashed on another thread while it is unpickled (_DataOnly makes that safe to do first)
    digest = in_thread(lambda: hashlib.sha256(blob).hexdigest())
    value = _unpickle(blob)
    if digest() != name.removesuffix(".pickle").rpartition("-")[2]:
        raise ValueError(f"{name} is damaged: its digest is not the one its name gives")
    return value


def _pickled(part: Part, known: tuple[Part, bytes] | None) -> bytes:
    return known[1] if known is not None and known[0] is part else _pickle(part)


def _pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def read_state(release: Path) -> BuildState:
    """The state in a release's folder, as written (load_state says if it can be used)."""
    folder = release / STATE_DIR
    fields = _unpickle((folder / STATE_FILE).read_bytes())
    if not isinstance(fields, dict):
        raise TypeError("not a state")
    parts_file, overlay = fields.pop("parts")
    base = _parts(_base(folder, parts_file))
    parts, apart = dict(base), {}
    for name, part_blob in overlay.items():
        if part_blob is None:
            parts.pop(name, None)
            continue
        part = _unpickle(part_blob)
        if not isinstance(part, Part):
            raise TypeError(f"not a part: {name}")
        apart[name] = (part, part_blob)
        parts[name] = part
    graphs_file, changed = fields.pop("graphs")
    base_graphs = _base(folder, graphs_file)
    if not isinstance(base_graphs, dict):
        raise TypeError("not the graphs of a state")
    graphs = {**base_graphs, **changed}
    for iri in [iri for iri, chunk in changed.items() if chunk is None]:
        del graphs[iri]
    pickled = Pickled(folder, base, parts_file, base_graphs, graphs_file, apart)
    return BuildState(**fields, parts=parts, graphs=graphs, pickled=pickled)


# What a state may hold besides plain values: anything else in the file means it was not
# written by this code, and it is not built on (pickle would call whatever a file names).
_ALLOWED = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("collections", "Counter"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("decimal", "Decimal"),
}


class _DataOnly(pickle.Unpickler):
    """Unpickles only kg-build's own data classes, records (pydantic models, restored without
    running their validators) and enumerations, and the few standard types above: a state
    file cannot make the build run code."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) in _ALLOWED:
            found: type = super().find_class(module, name)
            return found
        if module.startswith("kg_build.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                dataclasses.is_dataclass(found) or issubclass(found, enum.Enum | BaseModel)
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a state")


def _parts(found: object) -> dict[str, Part]:
    if not isinstance(found, dict) or not all(isinstance(p, Part) for p in found.values()):
        raise TypeError("not the parts of a state")
    return found


def _unpickle(data: bytes) -> object:
    return _DataOnly(io.BytesIO(data)).load()
