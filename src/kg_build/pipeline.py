"""The stages in order: facts -> build -> validate -> reason -> publish (in memory).

Functions here return graphs and bytes; only the command line writes files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from kg_build.config import Config
from kg_build.elsewhere import in_child
from kg_build.errors import Problem
from kg_build.facts.load import SHARED_FILES, Corpus, Part, load_corpus, read_parts
from kg_build.facts.quotes import QuoteCheck, check_quotes
from kg_build.facts.ranks import Disagreements, disagreements
from kg_build.incremental.baseline import Baseline
from kg_build.incremental.state import BuildState, FactFiles, Looked, fact_files
from kg_build.link.check import check_links
from kg_build.link.external_ids import check_external_ids, load_external_ids
from kg_build.link.gazetteer import load_gazetteer
from kg_build.namespaces import bind_prefixes
from kg_build.ontology import load_ontology, vocabulary_of
from kg_build.publish import dumps, serialize
from kg_build.query.catalog import is_violation_file, load_catalog
from kg_build.query.engines import OxigraphEngine
from kg_build.query.violations import run_violation_queries
from kg_build.rdf.chunks import (
    Chunk,
    Triples,
    chunk_of,
    chunks_of,
    load_chunks,
    sort_lines,
    sort_triples,
    triples_of,
)
from kg_build.rdf.describe import Counts, count_lines, describe, recount
from kg_build.rdf.graph import Built, build_dataset, note_records
from kg_build.rdf.iris import Iris
from kg_build.rdf.ranks import rank_triples
from kg_build.rdf.reads import GraphKeys, Inputs, graph_keys
from kg_build.reason.closure import closure, premises
from kg_build.reason.owl import Reasoning, modules, start_checks, subjects_by_graph
from kg_build.store.embedded import StoreChange
from kg_build.terms import from_oxigraph, rdflib_triple
from kg_build.validate.neighbourhood import Node, recheck_depth
from kg_build.validate.query_reach import local_anchors, reaches_found
from kg_build.validate.shacl import Violation, add_to_store, load_shapes, validate_graph
from kg_build.validate.sparql_constraints import split_shapes

Progress = Callable[[str], None]
T = TypeVar("T")


def silent(_: str) -> None:
    return None


@dataclass
class Checked:
    ontology: Graph
    corpus: Corpus
    built: Built  # the graphs built by this run: all of them, or those whose inputs changed
    graphs: dict[str, Chunk]  # every source's graph (IRI -> sorted N-Triples)
    quotes: QuoteCheck
    violations: list[Violation]
    quality: list[Problem] = field(default_factory=list)  # rows of *-violation.rq queries
    folders: FactFiles = field(default_factory=FactFiles)  # fact file/folder -> digest
    graph_keys: GraphKeys = field(default_factory=GraphKeys)
    baseline: Baseline | None = None  # the last release, when this run built on it
    changed: set[str] = field(default_factory=set)  # graphs rebuilt or removed by this run
    store: ox.Store | None = None  # all facts and the ontology, in one default graph
    focus: set[Node] = field(default_factory=set)  # what an incremental run re-checked
    # how far before a change checks may change (validate/neighbourhood.py recheck_depth)
    recheck: Callable[[], int] = lambda: 0
    # ranks of figures and conflicts between them (facts/ranks.py), worked out when first asked
    disagreements: Callable[[], Disagreements] = field(default=lambda: Disagreements())

    @property
    def problems(self) -> list[Problem]:
        shacl = [v.as_problem() for v in self.violations]
        return sorted(self.quotes.problems + shacl + self.quality)


def _nothing_to_check() -> None:
    pass


@dataclass
class Release:
    checked: Checked
    reasoning: Reasoning | None
    description: Triples  # VoID + DCAT, sorted
    # the published union: every fact once, and the inferences; sorted N-Triples lines
    data_chunk: Chunk = b""
    shared: dict[bytes, int] = field(default_factory=dict)  # see publish/splice.py
    subjects: bytes = b""  # the union's subjects in order, one per line (publish/dumps.py)
    counts: Counts | None = None  # what the description counts of the union (rdf/describe.py)
    # the graphs of inferences and of the description (IRI -> sorted N-Triples)
    derived: dict[str, Chunk] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    # files still being written in a forked child (release() says which, and why)
    pending: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    spliced: list[str] = field(default_factory=list)  # dumps made from the last release's
    # HermiT's consistency checks, still running (release() says why): see confirm()
    consistent: Callable[[], None] = _nothing_to_check
    check_consistency: bool = False

    def confirm(self, progress: Progress = silent) -> None:
        """Wait for the consistency checks; raise InconsistentError (or
        ReasonerUnavailableError) as they do, or say they passed."""
        self.consistent()
        self.consistent = _nothing_to_check
        if self.check_consistency:
            progress("consistency: HermiT found no contradiction")

    def all_files(self) -> dict[str, bytes]:
        """`files`, once the ones written alongside are done."""
        for name, result in sorted(self.pending.items()):
            self.files[name] = result()
        self.pending.clear()
        return self.files

    def graph(self) -> Graph:
        """The published union as an rdflib graph (for callers that want one)."""
        graph = Graph(bind_namespaces="none")
        for t in triples_of(self.data_chunk):
            graph.add(rdflib_triple(t))
        return graph


class _Timer:
    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.step = progress, total, 0

    def run(self, name: str, work: Callable[[], T], summary: Callable[[T], str]) -> T:
        self.step += 1
        start = time.perf_counter()
        result = work()
        took = time.perf_counter() - start
        self.progress(f"[{self.step}/{self.total}] {name}: {summary(result)} ({took:.1f} s)")
        return result


def check(
    config: Config,
    progress: Progress = silent,
    total_steps: int = 0,
    baseline: Baseline | None = None,
    looked: Callable[[], Looked] | None = None,
) -> Checked:
    """Read facts, build the graph, check quotes and SHACL. Raises InputError on bad input.

    With a `baseline` (the last release), each stage asks it what it may reuse
    (incremental/baseline.py): unchanged fact folders are not parsed again, graphs whose
    inputs did not change are reused, and SHACL re-checks only the nodes the changes can
    affect; the outcome is the same as without it. `looked`: see read_facts.

    It reads as the pipeline, stage after stage; what a stage does is in its own module."""
    timer = _Timer(progress, total_steps or _check_steps(config))
    ontology = load_ontology(config.ontology)
    # The check store serves the SPARQL constraints, the quality queries and the
    # neighbourhoods: the union of the source graphs and the ontology, in its default graph.
    last_store = baseline.start_check_store(ontology) if baseline is not None else None
    folders, corpus = timer.run(
        "facts",
        lambda: read_facts(config, ontology, baseline, looked),
        lambda fc: f"{len(fc[1].entries)} records from {len(fc[1].sources)} sources",
    )
    kept = baseline.kept_parts(corpus) if baseline is not None else set()
    for warning in baseline.emptied(corpus, config.root) if baseline is not None else []:
        progress(warning)
    # The quote checks read the sources' texts: a child does them while this process builds
    # and validates; on a baseline, only the quotes of changed parts and texts are looked up.
    quoting = in_child(
        lambda: check_quotes(corpus, config.texts, baseline.quotes() if baseline else None, kept)
    )
    made = _build(timer, config, ontology, corpus, baseline, kept)
    built = made.built
    shapes = load_shapes(config.shapes)
    recheck = _recheck_depth(config, shapes, baseline)
    store, graphs, changed, focus = _check_store(made, ontology, recheck, baseline, last_store)
    violations = timer.run(
        "shacl",
        lambda: validate_graph(built, shapes, ontology, store, focus=focus),
        lambda v: (
            f"{len(v)} violations"
            + (f" ({len(focus)} nodes re-checked)" if focus is not None else "")
        ),
    )
    links: list[Problem] = []
    if config.gazetteer is not None or config.external_ids is not None:
        links = timer.run(
            "links",
            lambda: _check_links(config, corpus),
            lambda found: f"{len(found)} disagreements with the gazetteer and verified ids",
        )
    quality = timer.run(
        "quality",
        lambda: _quality(config, built, store, focus, baseline is not None),
        lambda q: f"{q[1]} checks, {len(q[0])} failed",
    )[0]
    quotes = timer.run("quotes", quoting, partial(_quotes_said, again=baseline is not None))
    return Checked(
        ontology,
        corpus,
        built,
        graphs,
        quotes,
        violations,
        quality + links,
        folders,
        made.keys,
        baseline,
        changed,
        store,
        focus or set(),
        recheck,
        cache(lambda: disagreements(corpus, vocabulary_of(ontology).units)),
    )


def _quality(
    config: Config, built: Built, store: ox.Store, focus: set[Node] | None, on_baseline: bool
) -> tuple[list[Problem], int]:
    """The quality queries' rows as problems, and how many queries ran. Parsing every canned
    query takes a while; a build on a baseline parses only the quality checks (the others
    are in the global key, so unchanged since they last parsed)."""
    if not config.queries.is_dir():
        return [], 0
    catalog = load_catalog(config.queries, is_violation_file if on_baseline else None)
    around = None
    if focus is not None:
        around = [n for n in (from_oxigraph(node) for node in focus) if n is not None]
    found = run_violation_queries(catalog, OxigraphEngine(store), built, around)
    return found, sum(c.is_violation for c in catalog.values())


def _nt(triples: Triples) -> bytes:
    """Triples as N-Triples, in their order (which ox.parse gives back)."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _quotes_said(q: QuoteCheck, again: bool) -> str:
    return (
        f"{q.checked} checked, {len(q.problems)} not found"
        + (f" ({q.looked_up} looked up again)" if again else "")
        + "".join(f"; {s} not checked ({why})" for s, why in q.unchecked.items())
    )


def recheck_depth_of(config: Config, shapes: Graph) -> int:
    """How many steps before a changed subject checks may change: derived from the core
    shapes and the reach of each SPARQL check (constraints and quality queries) run on the
    re-checked nodes alone."""
    core, bulk = split_shapes(shapes)
    reaches = [c.reach for c in bulk]
    paths = sorted(config.queries.glob("*.rq")) if config.queries.is_dir() else []
    for path in filter(is_violation_file, paths):
        local = local_anchors(path.read_text(encoding="utf-8"))
        reaches.append(local[1] if local is not None else None)
    return recheck_depth(core, reaches)


def _recheck_depth(config: Config, shapes: Graph, baseline: Baseline | None) -> Callable[[], int]:
    """recheck_depth_of, once, when asked. Its inputs are all in the global key, so the last
    release's figure is the one they give (its state keeps it)."""

    def found() -> int:
        known = baseline.recheck_depth() if baseline is not None else None
        return known if known is not None else recheck_depth_of(config, shapes)

    return cache(found)


@dataclass(frozen=True)
class _Made:
    built: Built
    chunks: dict[str, Chunk]  # the graphs made (IRI -> sorted N-Triples), if not empty
    graph_iri: dict[str, str]  # every source's graph: source id -> graph IRI
    keys: GraphKeys
    rebuilt: set[str] | None  # the sources whose graphs were made again; None: all were


def _build(
    timer: _Timer,
    config: Config,
    ontology: Graph,
    corpus: Corpus,
    baseline: Baseline | None,
    kept: set[str],
) -> _Made:
    """Every source's graph: made from the corpus, or on a baseline, made again where an
    input it read changed (rdf/reads.py) and kept from the last release elsewhere."""
    iris = Iris(config.base, corpus)
    graph_iri = {sid: str(iris.graph(sid)) for sid in corpus.sources}
    rebuild: set[str] | None = None
    inputs = Inputs(corpus, GraphKeys(), ())
    if baseline is not None:
        rebuild, inputs = baseline.to_rebuild(corpus, graph_iri, kept)
    built = timer.run(
        "build",
        lambda: build_dataset(corpus, ontology, config.base, rebuild, iris),
        lambda b: (
            f"{len(b.dataset)} triples in "
            + (f"{len(rebuild)} of " if rebuild is not None else "")
            + f"{len(graph_iri)} graphs"
            + (" rebuilt" if rebuild is not None else "")
        ),
    )
    keys = graph_keys(built.reads, graph_iri, inputs, baseline.graph_keys() if baseline else None)
    if rebuild is not None:  # the kept graphs' records still answer for their lines
        note_records(built.origins, corpus, iris, set(corpus.sources) - rebuild)
    return _Made(built, chunks_of(built), graph_iri, keys, rebuild)


def _check_store(
    made: _Made,
    ontology: Graph,
    recheck: Callable[[], int],
    baseline: Baseline | None,
    last_store: Callable[[], ox.Store] | None,
) -> tuple[ox.Store, dict[str, Chunk], set[str], set[Node] | None]:
    """The store the checks run on (the source graphs and the ontology in its default graph),
    every source's graph, the graphs changed since the baseline, and the nodes whose checks
    they can affect (None: check everything). On a baseline: the last release's store and
    graphs, with the graphs made again swapped in."""
    if baseline is None or made.rebuilt is None or last_store is None:
        graphs = {iri: made.chunks.get(iri, b"") for iri in made.graph_iri.values()}
        store = ox.Store()
        load_chunks(store, b"".join(graphs.values()))
        add_to_store(store, [ontology])
        return store, graphs, set(), None
    graphs, changed = baseline.graphs(made.chunks, made.rebuilt, made.graph_iri)
    store = last_store()
    focus = baseline.swap(store, graphs, changed, recheck())
    add_to_store(store, [ontology])
    return store, graphs, changed, focus


def read_corpus(config: Config, drafts: bool = False) -> tuple[Graph, Corpus]:
    """The ontology and the facts, read and checked for form and references only: no SHACL,
    quotes or quality queries (for kg stats and kg link). `drafts`: leave out records `kg
    draft` marked rather than fail on them (for kg draft itself)."""
    ontology = load_ontology(config.ontology)
    return ontology, read_facts(config, ontology, drafts=drafts)[1]


def read_facts(
    config: Config,
    ontology: Graph,
    baseline: Baseline | None = None,
    looked: Callable[[], Looked] | None = None,
    drafts: bool = False,
) -> tuple[FactFiles, Corpus]:
    """The fact files' digests and what they say; on a `baseline`, the folders whose digests
    did not change are taken from it unread. `looked`: waits for look() of the fact folder,
    if it was started already (look_aside)."""
    known = baseline.folders() if baseline is not None else None
    folders = FactFiles()
    if config.facts.is_dir():
        folders = fact_files(config.facts, known, looked() if looked is not None else None)
    reuse = baseline.unchanged_parts(folders) if baseline is not None else {}
    reuse.update(_read_on_both_cores(config, folders, reuse))
    listed = folders.folders if config.facts.is_dir() else None
    vocabulary = vocabulary_of(ontology)
    checked = baseline.checked_parts() if baseline is not None else None
    return folders, load_corpus(
        config.facts, vocabulary, config.root, reuse, listed, checked, drafts=drafts
    )


# Below this many source folders to read, starting a child costs more than it saves.
PARALLEL_MIN_FOLDERS = 100


def _read_on_both_cores(
    config: Config, folders: FactFiles, reuse: Mapping[str, Part]
) -> dict[str, Part]:
    """The source folders not in `reuse`: a forked child reads half of them while this
    process reads the other half (sources are independent). load_corpus then takes them as
    read and checks what lies between them."""
    todo = sorted(n for n in folders.digests if n not in SHARED_FILES and n not in reuse)
    if len(todo) < PARALLEL_MIN_FOLDERS:
        return {}
    mine, theirs = todo[: len(todo) // 2], todo[len(todo) // 2 :]
    reading = in_child(lambda: read_parts(config.facts, theirs, config.root))
    parts = read_parts(config.facts, mine, config.root)
    parts.update(reading())
    return parts


def _check_links(config: Config, corpus: Corpus) -> list[Problem]:
    """Division codes, parents and Wikidata items against the gazetteer, and identifiers in
    other datasets against the table of verified ones, when they are at hand (the project
    must build without ../shared, so a missing file only skips the check)."""
    problems: list[Problem] = []
    if config.gazetteer is not None and config.gazetteer.is_file():
        problems += check_links(corpus, load_gazetteer(config.gazetteer))
    if config.external_ids is not None and config.external_ids.is_file():
        table = config.external_ids
        problems += check_external_ids(corpus, load_external_ids(table), table)
    return problems


def _check_steps(config: Config) -> int:
    return 5 + (config.gazetteer is not None or config.external_ids is not None)


def release(
    config: Config,
    progress: Progress = silent,
    check_consistency: bool = True,
    baseline: Baseline | None = None,
    confirm: bool = True,
    looked: Callable[[], Looked] | None = None,
    scratch: Path | None = None,
) -> Release:
    """The whole pipeline in memory. Callers check `checked.problems` before publishing.

    HermiT's consistency checks run in their JVMs while the dumps are made (at 10,000
    sources they take half a minute, the dumps and the store about as long). With `confirm`
    this waits for them before returning; without, the caller must call Release.confirm()
    before publishing anything (kg build loads the embedded store meanwhile). `looked`: see
    read_facts. `scratch`: where HermiT's input files go (default: the system's temporary
    folder)."""
    steps = _check_steps(config) + 2
    checked = check(config, progress, total_steps=steps, baseline=baseline, looked=looked)
    timer = _Timer(progress, steps)
    timer.step = _check_steps(config)
    if checked.problems:
        return Release(checked, None, [])
    reasoning, consistent = timer.run(
        "reason",
        lambda: _reason(checked, config.base, check_consistency, scratch),
        lambda r: (
            f"{len(r[0].inferred)} part-of inferences; consistency: "
            + ("HermiT at work" if check_consistency else "not checked")
        ),
    )
    rel = timer.run(
        "publish",
        lambda: _publish(checked, config, reasoning),
        lambda r: (
            f"{len(r.files) + len(r.pending)} files"
            + (
                f" ({', '.join(sorted(r.spliced))} spliced from the last release's)"
                if r.spliced
                else ""
            )
        ),
    )
    rel.consistent, rel.check_consistency = consistent, check_consistency
    if confirm:
        rel.confirm(progress)
    return rel


def _publish(checked: Checked, config: Config, reasoning: Reasoning) -> Release:
    """The union, its description and every file of the release."""
    inferred_iri = f"{config.base}graph/inferred"
    union_graphs = dict(checked.graphs)
    union_graphs[inferred_iri] = chunk_of(reasoning.inferred)
    prior = _prior(checked)
    changed = checked.changed | _differing(prior, union_graphs, {inferred_iri})
    data = dumps.union(union_graphs, changed, prior)
    # The description counts every line and names every source: a child makes it while this
    # process makes the JSON-LD and Turtle, which do not include it (JSON-LD, written whole,
    # goes to a child too).
    iris, chunk = checked.built.iris, data.chunk
    before = checked.baseline.counts() if checked.baseline is not None else None
    conflicts = len(checked.disagreements().conflicts)

    def description_of() -> tuple[Counts, bytes]:
        counts = None
        if before is not None and data.change is not None:
            change = data.change
            counts = recount(before, change.removed, change.added, data.old, data.chunk)
        counts = counts or count_lines(chunk)
        inferred = union_graphs[inferred_iri].count(b"\n")
        made = {
            inferred_iri: (inferred, "What the build infers: part-of closure, preferred values")
        }
        return counts, _nt(describe(iris, counts, checked.corpus, conflicts, made))

    describing = in_child(description_of)
    jsonld = dumps.jsonld(data, config.base, prior)
    turtle = dumps.turtle(data, config.base, prior)
    counts, described = describing()
    rel = Release(checked, reasoning, triples_of(described), chunk, data.shared)
    rel.subjects, rel.counts = data.subjects, counts
    rel.derived = {
        inferred_iri: union_graphs[inferred_iri],
        f"{config.base}graph/description": sort_lines(described),
    }
    rel.files.update({**jsonld.files, **turtle.files})
    rel.pending.update(jsonld.pending)
    rel.spliced += jsonld.spliced + turtle.spliced
    rel.spliced += [dumps.NT] if data.change is not None else []
    _serialise(rel, config, data, prior, changed)
    return rel


def _differing(prior: dumps.Prior | None, graphs: Mapping[str, Chunk], names: set[str]) -> set[str]:
    """Those of the graphs `names` (made by this build beside the sources', like the
    inferences) whose triples differ from the last release's."""
    if prior is None:
        return set()
    return {g for g in names if prior.graphs.get(g, b"") != graphs.get(g, b"")}


def _prior(checked: Checked) -> dumps.Prior | None:
    """The last release, to splice the dumps from, on an incremental build."""
    return checked.baseline.prior() if checked.baseline is not None else None


def _reason(
    checked: Checked, base: str, consistency: bool, scratch: Path | None
) -> tuple[Reasoning, Callable[[], None]]:
    """The part-of closure (reason/closure.py), and with `consistency`, HermiT's check of
    everything a change can affect (all of it when the last release was not checked),
    started and left running: the function returned waits for it."""
    baseline = checked.baseline
    if checked.store is None:  # pragma: no cover - check() always makes the store
        raise RuntimeError("no data store to reason over")
    # the part-of statements, from the data store's index
    default = ox.DefaultGraph()
    part_of = sort_triples(
        ox.Triple(q.subject, q.predicate, q.object)
        for iri in sorted(premises(checked.ontology))
        for q in checked.store.quads_for_pattern(None, ox.NamedNode(iri), None, default)
    )
    consistent: Callable[[], None] = _nothing_to_check
    if consistency and (baseline is None or not baseline.consistency_checked()):
        subjects = subjects_by_graph(checked.graphs)
        parts = modules(checked.store, subjects, part_of)
        consistent = start_checks(checked.ontology, parts, within=scratch)
    elif consistency and checked.focus:
        focus = sorted(checked.focus, key=str)
        parts = modules(checked.store, focus, part_of)
        consistent = start_checks(checked.ontology, parts, within=scratch)
    inferred = closure(checked.ontology, part_of, base)
    # which figure of a thing answers by default: derived by the dataset, as the closure is
    for triple in rank_triples(checked.disagreements(), checked.built.iris):
        inferred.add(triple)
    return Reasoning(inferred), consistent


def _serialise(
    rel: Release, config: Config, data: dumps.Union, prior: dumps.Prior | None, changed: set[str]
) -> dict[str, bytes]:
    """`changed`: the graphs of the union that differ from the last release's."""
    base = config.base
    graphs = _store_graphs(rel, rel.checked.graphs)
    changed = changed | _differing(prior, graphs, set(graphs) - set(rel.checked.graphs))
    ontology = bind_prefixes(Graph(bind_namespaces="none"), base)
    for triple in rel.checked.ontology:
        ontology.add(triple)
    trig = dumps.trig(graphs, changed, base, prior)
    rel.spliced += trig.spliced
    rel.files.update(
        {
            "ganzhou-gba.nt": data.chunk,
            **trig.files,
            "context.jsonld": serialize.context_document(base),
            "void.ttl": serialize.turtle(rel.description, base),
            "ontology.ttl": serialize.turtle(ontology, base),
        }
    )
    return rel.files


def _store_graphs(rel: Release, graphs: Mapping[str, Chunk]) -> dict[str, Chunk]:
    """`graphs`, and the graphs of inferences and of the description, as the TriG and the
    store hold them (a graph with no triples is not there)."""
    return {**graphs, **rel.derived}


def state_of(rel: Release, config: Config, key: str, manifest: bytes, store: str) -> BuildState:
    """What the next build needs to build on this release (see incremental/state.py)."""
    checked = rel.checked
    return BuildState(
        key=key,
        folders=checked.folders,
        parts=checked.corpus.parts,
        graph_keys=checked.graph_keys,
        graphs=checked.graphs,
        consistency_checked=rel.check_consistency,
        shared=rel.shared,
        subjects=rel.subjects,
        derived=_store_graphs(rel, {}),
        manifest=manifest,
        store=store,
        quotes=checked.quotes,
        counts=rel.counts,
        recheck_depth=checked.recheck(),
        reaches=reaches_found(),
    )


def store_change(rel: Release, config: Config) -> StoreChange | None:
    """The graphs of the embedded store that differ from the last release's, if any."""
    baseline = rel.checked.baseline
    if baseline is None:
        return None
    changed = {g: rel.checked.graphs.get(g, b"") for g in rel.checked.changed}
    return baseline.store_change(_store_graphs(rel, changed))
