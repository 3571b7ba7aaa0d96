"""The stages in order: facts -> build -> validate -> reason -> publish (in memory).

Functions here return graphs and bytes; only the command line writes files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from rdflib import Graph, URIRef

from kg_build.build.describe import describe
from kg_build.build.graph import Built, build_dataset
from kg_build.config import Config
from kg_build.errors import Problem
from kg_build.facts.load import Corpus, load_corpus
from kg_build.facts.quotes import QuoteCheck, check_quotes
from kg_build.link.check import check_links
from kg_build.link.gazetteer import load_gazetteer
from kg_build.namespaces import bind_prefixes
from kg_build.ontology import load_ontology, vocabulary_of
from kg_build.publish import serialize
from kg_build.query.catalog import load_catalog
from kg_build.query.engines import OxigraphEngine
from kg_build.query.violations import run_violation_queries
from kg_build.reason.owl import Reasoning, reason
from kg_build.validate.shacl import Violation, data_store, load_shapes, validate_graph

Progress = Callable[[str], None]
T = TypeVar("T")


def _silent(_: str) -> None:
    return None


@dataclass
class Checked:
    ontology: Graph
    corpus: Corpus
    built: Built
    quotes: QuoteCheck
    violations: list[Violation]
    quality: list[Problem] = field(default_factory=list)  # rows of *-violation.rq queries

    @property
    def problems(self) -> list[Problem]:
        shacl = [v.as_problem() for v in self.violations]
        return sorted(self.quotes.problems + shacl + self.quality)


@dataclass
class Release:
    checked: Checked
    reasoning: Reasoning | None
    data: Graph
    description: Graph
    files: dict[str, bytes] = field(default_factory=dict)


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


def check(config: Config, progress: Progress = _silent, total_steps: int = 0) -> Checked:
    """Read facts, build the graph, check quotes and SHACL. Raises InputError on bad input."""
    timer = _Timer(progress, total_steps or _check_steps(config))
    ontology = load_ontology(config.ontology)
    corpus = timer.run(
        "facts",
        lambda: load_corpus(config.facts, vocabulary_of(ontology), config.root),
        lambda c: f"{len(c.entries)} records from {len(c.sources)} sources",
    )
    built = timer.run(
        "build",
        lambda: build_dataset(corpus, ontology, config.base),
        lambda b: f"{len(b.dataset)} triples",
    )
    quotes = timer.run(
        "quotes",
        lambda: check_quotes(corpus, config.texts),
        lambda q: (
            f"{q.checked} checked, {len(q.problems)} not found"
            + "".join(f"; {s} not checked ({why})" for s, why in q.unchecked.items())
        ),
    )
    shapes = load_shapes(config.shapes)
    store = data_store(built, ontology)  # for SPARQL constraints and the quality queries
    violations = timer.run(
        "shacl",
        lambda: validate_graph(built, shapes, ontology, store),
        lambda v: f"{len(v)} violations",
    )
    links: list[Problem] = []
    if config.gazetteer is not None:
        links = timer.run(
            "links",
            lambda: _check_links(config, corpus),
            lambda found: f"{len(found)} disagreements with the gazetteer",
        )
    catalog = load_catalog(config.queries) if config.queries.is_dir() else {}
    quality = timer.run(
        "quality",
        lambda: run_violation_queries(catalog, OxigraphEngine(store), built),
        lambda q: f"{sum(c.is_violation for c in catalog.values())} checks, {len(q)} failed",
    )
    return Checked(ontology, corpus, built, quotes, violations, quality + links)


def _check_links(config: Config, corpus: Corpus) -> list[Problem]:
    """Division codes, parents and Wikidata items against the gazetteer, when it is at hand
    (the project must build without ../shared, so a missing file only skips the check)."""
    if config.gazetteer is None or not config.gazetteer.is_file():
        return []
    return check_links(corpus, load_gazetteer(config.gazetteer))


def _check_steps(config: Config) -> int:
    return 5 + (config.gazetteer is not None)


def release(config: Config, progress: Progress = _silent, with_reasoning: bool = True) -> Release:
    """The whole pipeline in memory. Callers check `checked.problems` before publishing."""
    steps = _check_steps(config) + 1 + with_reasoning
    checked = check(config, progress, total_steps=steps)
    timer = _Timer(progress, steps)
    timer.step = _check_steps(config)
    built = checked.built
    data = built.union()
    reasoning: Reasoning | None = None
    if checked.problems:
        return Release(checked, None, data, Graph())
    if with_reasoning:
        result = timer.run(
            "reason",
            lambda: reason(checked.ontology, data, built.base),
            lambda r: f"consistent (HermiT); {len(r.inferred)} part-of inferences",
        )
        reasoning = result
        for triple in reasoning.inferred:
            data.add(triple)
    description = describe(built, data, checked.corpus)
    rel = Release(checked, reasoning, data, description)
    timer.run("publish", lambda: _serialise(rel, config), lambda f: f"{len(f)} files")
    return rel


def _serialise(rel: Release, config: Config) -> dict[str, bytes]:
    base = config.base
    graphs = serialize.dataset_graphs(rel.checked.built.dataset)
    if rel.reasoning is not None:
        graphs.append((URIRef(f"{base}graph/inferred"), rel.reasoning.inferred))
    graphs.append((URIRef(f"{base}graph/description"), rel.description))
    ontology = bind_prefixes(Graph(bind_namespaces="none"), base)
    for triple in rel.checked.ontology:
        ontology.add(triple)
    rel.files = {
        "ganzhou-gba.ttl": serialize.turtle(rel.data, base),
        "ganzhou-gba.nt": serialize.ntriples(rel.data),
        "ganzhou-gba.jsonld": serialize.jsonld(rel.data, base),
        "ganzhou-gba.trig": serialize.trig(graphs, base),
        "context.jsonld": serialize.context_document(base),
        "void.ttl": serialize.turtle(rel.description, base),
        "ontology.ttl": serialize.turtle(ontology, base),
    }
    return rel.files
