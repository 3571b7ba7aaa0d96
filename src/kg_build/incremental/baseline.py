"""The last release, as a build builds on it: what the stages of pipeline.check may reuse
from it, each answer derived from what that release read and made (incremental/state.py
keeps it). A build without a baseline does all of the work; the result is the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg_build.config import Config
from kg_build.elsewhere import each_in_thread, in_thread
from kg_build.facts.load import Corpus, Part
from kg_build.facts.quotes import QuoteCheck
from kg_build.incremental.state import BuildState, FactFiles, load_state
from kg_build.publish.dumps import DUMPS, Prior
from kg_build.publish.layout import current
from kg_build.publish.splice import published
from kg_build.rdf.chunks import Chunk, chunk_of, load_chunks
from kg_build.rdf.describe import Counts
from kg_build.rdf.reads import GraphKeys, Inputs, to_rebuild
from kg_build.store.embedded import StoreChange, scratch_copy
from kg_build.validate.neighbourhood import Node, affected, replace_graphs
from kg_build.validate.query_reach import remember_reaches


@dataclass
class Baseline:
    state: BuildState
    dist: Path  # the last release's folder (publish/layout.py); the state names its store
    base: str
    work: Path | None = None  # scratch space for copies of its store (layout.work_folder)
    # the dumps, each if it has the digest SHA256SUMS gives (else None): read and hashed on
    # other threads as soon as the state is loaded (hashlib lets go of the GIL)
    dumps: Callable[[], list[bytes | None]] | None = None

    @classmethod
    def load(
        cls,
        config: Config,
        key: str,
        work: Path | None = None,
        notice: Callable[[str], None] = lambda _: None,
    ) -> Baseline | None:
        """The current release in config.dist, if a build can build on it (load_state)."""
        folder = current(config.dist)
        state = load_state(folder, key, notice) if folder is not None else None
        if folder is None or state is None:
            return None
        remember_reaches(state.reaches)
        manifest = state.manifest
        dumps = each_in_thread(lambda name: published(folder, manifest, name), DUMPS, 2)
        return cls(state, folder, config.base, work, dumps)

    # ---- facts ---------------------------------------------------------------------------

    def folders(self) -> FactFiles:
        """The digests and stats of the fact files as the last build found them."""
        return self.state.folders

    def unchanged_parts(self, folders: FactFiles) -> dict[str, Part]:
        """What the fact files and source folders whose digests did not change gave."""
        before = self.state
        return {
            name: before.parts[name]
            for name, digest in folders.digests.items()
            if before.folders.digests.get(name) == digest and name in before.parts
        }

    def checked_parts(self) -> Mapping[str, Part]:
        """Every part of the last release's corpus: their references all resolved."""
        return self.state.parts

    def kept_parts(self, corpus: Corpus) -> set[str]:
        """The fact files and source folders taken from the last release unread."""
        return {n for n, part in corpus.parts.items() if self.state.parts.get(n) is part}

    def reread(self, corpus: Corpus, kept: set[str]) -> set[str]:
        """The ids of the records and sources parsed again."""
        ids: set[str] = set()
        for name, part in corpus.parts.items():
            if name not in kept:
                ids.update(entry.record.id for entry in part.entries)
                if part.source is not None:
                    ids.add(part.source[0].id)
        return ids

    def emptied(self, corpus: Corpus, root: Path) -> list[str]:
        """A warning for each fact file that held records in the last release and is still
        there but holds none now (emptied by mistake, perhaps: its records are dropped)."""
        before = Counter(e.origin.file for p in self.state.parts.values() for e in p.entries)
        now = Counter(e.origin.file for e in corpus.entries.values())
        return [
            f"warning: {file} held {count} record(s) in the last release and holds none now; "
            "they are left out of this one (restore the file if that is not what you meant)"
            for file, count in sorted(before.items())
            if not now[file] and (root / file).exists()
        ]

    def quotes(self) -> QuoteCheck | None:
        """The last release's quote check, per part (facts/quotes.py)."""
        return self.state.quotes

    def damaged_dumps(self) -> list[str]:
        """The last release's dumps that do not have the digest SHA256SUMS gives (they were
        written whole, not spliced from)."""
        found = self.dumps() if self.dumps is not None else []
        return [name for name, data in zip(DUMPS, found, strict=False) if data is None]

    # ---- graphs --------------------------------------------------------------------------

    def graph_keys(self) -> GraphKeys:
        """Each graph's key and what it read, as the last build recorded them."""
        return self.state.graph_keys

    def to_rebuild(
        self, corpus: Corpus, graph_iri: Mapping[str, str], kept: set[str]
    ) -> tuple[set[str], Inputs]:
        """The sources whose graphs read an input that changed (rdf/reads.py)."""
        reread, stale = self.reread(corpus, kept), self.stale_sources(corpus, kept)
        return to_rebuild(corpus, graph_iri, self.state.graph_keys, reread, stale)

    def stale_sources(self, corpus: Corpus, kept: set[str]) -> set[str]:
        """The sources whose records may differ from the last release's: every source of a
        part parsed again, now or as it was then, and every source a record of such a part
        is filed under, now or then (a shared record may move from one source to another)."""
        stale: set[str] = set()
        for parts in (corpus.parts, self.state.parts):
            for name, part in parts.items():
                if name in kept:
                    continue
                stale.update(entry.source for entry in part.entries)
                stale.update(said.source for said in part.statements)
                if part.source is not None:
                    stale.add(part.source[0].id)
        return stale

    def graphs(
        self, made: Mapping[str, Chunk], rebuild: set[str], graph_iri: Mapping[str, str]
    ) -> tuple[dict[str, Chunk], set[str]]:
        """Every source's graph (those made now, the others as the last release had them),
        and the graphs made or removed."""
        old = self.state.graphs
        graphs = {
            iri: made.get(iri, b"") if sid in rebuild else old[iri]
            for sid, iri in graph_iri.items()
        }
        changed = {graph_iri[sid] for sid in rebuild} | (set(old) - set(graphs))
        return graphs, changed

    # ---- reasoning and publishing --------------------------------------------------------

    def consistency_checked(self) -> bool:
        """Whether HermiT checked the last release (not if it was built without Java): if not,
        this build checks everything, not just around the change."""
        return self.state.consistency_checked

    def counts(self) -> Counts | None:
        """What the last release's description counted, to count the change from."""
        return self.state.counts

    def prior(self) -> Prior:
        """The last release's dumps and what splicing them needs (publish/splice.py)."""
        state = self.state
        graphs = {**state.graphs, **state.derived}
        verified = self.dumps

        def checked() -> dict[str, bytes | None]:
            return dict(zip(DUMPS, verified(), strict=True)) if verified is not None else {}

        return Prior(self.dist, state.manifest, graphs, state.shared, state.subjects, checked)

    def store_change(self, graphs: Mapping[str, Chunk]) -> StoreChange:
        """The graphs of the embedded store that this build changed (`graphs`, as the store
        holds them), beside the last release's."""
        before = {**self.state.graphs, **self.state.derived}
        changed = {g: (before.get(g, b""), now) for g, now in graphs.items()}
        return StoreChange(self.dist / self.state.store, changed)

    # ---- the check store -----------------------------------------------------------------

    def start_check_store(self, ontology: Graph) -> Callable[[], ox.Store]:
        """The last release's source graphs merged in a store's default graph, begun on the
        other core (Oxigraph's update and load release the GIL); the function returned waits
        for it. From a scratch copy of the release's embedded store less its inferences and
        description where that can be told line by line; else loaded from the graphs."""
        drop = self._derived_only(ontology)
        last = self.dist / self.state.store
        copy = scratch_copy(last, self.work) if drop is not None else None
        if copy is not None and drop is not None:
            store, work, data = copy, _forget, drop
        else:
            store, work, data = ox.Store(), load_chunks, b"".join(self.state.graphs.values())

        def load() -> ox.Store:
            work(store, data)
            return store

        return in_thread(load)

    def swap(
        self, store: ox.Store, graphs: Mapping[str, Chunk], changed: set[str], back: int
    ) -> set[Node]:
        """Put the changed graphs in place of the last release's; the nodes whose checks the
        change can affect: `back` steps before a changed subject (validate/neighbourhood.py)."""
        old = self.state.graphs
        subjects = replace_graphs(
            store,
            {g: old.get(g, b"") for g in changed},
            {g: graphs.get(g, b"") for g in changed},
            self.graphs_holding(),
        )
        return affected(store, subjects, back)

    def recheck_depth(self) -> int | None:
        """validate/neighbourhood.py recheck_depth as the last build found it; its inputs are
        in the state's key, so it holds while the state is used."""
        return self.state.recheck_depth

    def graphs_holding(self) -> Callable[[bytes], int]:
        """How many of the last release's source graphs held a line of one of them: the count
        of graphs of its union holding it (BuildState.shared, 1 if not there), less its graph
        of inferences."""
        state = self.state
        inferred = set(state.derived.get(f"{self.base}graph/inferred", b"").splitlines(True))

        def held(line: bytes) -> int:
            return state.shared.get(line, 1) - (line in inferred)

        return held

    def _derived_only(self, ontology: Graph) -> bytes | None:
        """The lines of the default graph of the last release's store that only its graphs of
        inferences and description hold (no source graph, not the ontology), as N-Triples.
        None if that cannot be told line by line (a blank node: the store's own is not the
        one named in a line)."""
        state = self.state
        held = self.graphs_holding()
        stated = set(chunk_of(ontology).splitlines(keepends=True))
        subjects = set(state.subjects.split(b"\n"))
        inferred = f"{self.base}graph/inferred"
        union: set[bytes] | None = None
        drop = []
        for name, chunk in state.derived.items():
            if chunk.startswith(b"_:") or b" _:" in chunk:
                return None
            for line in chunk.splitlines(keepends=True):
                if line in stated:
                    continue
                if name == inferred:
                    if held(line) > 0:
                        continue
                # the description is not in the union (BuildState.shared does not count it):
                # a source graph holds one of its lines only if it says something of its
                # subject
                elif line[: line.index(b" ")] in subjects:
                    if union is None:
                        union = set(b"".join(state.graphs.values()).splitlines(keepends=True))
                    if line in union:
                        continue
                drop.append(line)
        return b"".join(drop)


def _forget(store: ox.Store, data: bytes) -> None:
    """Remove N-Triples lines (no blank nodes) from the store's default graph."""
    if data:
        store.update(f"DELETE DATA {{\n{data.decode()}}}")
