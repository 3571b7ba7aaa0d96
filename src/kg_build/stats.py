"""Counts a curator looks at after a change: entities per class, triples and records per source,
labels per language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from kg_build.facts.load import Corpus
from kg_build.rdf.graph import Built


@dataclass
class Stats:
    classes: dict[str, int]
    sources: dict[str, dict[str, int]]
    languages: dict[str, int]
    triples: int

    def as_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "classes": self.classes,
            "sources": self.sources,
            "languages": self.languages,
        }


def compute_stats(built: Built, corpus: Corpus) -> Stats:
    data = built.union()
    namespace_manager = data.namespace_manager
    classes = Counter(namespace_manager.normalizeUri(str(o)) for o in data.objects(None, RDF.type))
    sources: dict[str, dict[str, int]] = {}
    for source_id in sorted(corpus.sources):
        graph = built.dataset.graph(built.iris.graph(source_id))
        records = sum(1 for e in corpus.entries.values() if e.source == source_id)
        sources[source_id] = {"records": records, "triples": len(graph)}
    languages: Counter[str] = Counter()
    for predicate in (RDFS.label, SKOS.altLabel):
        for value in data.objects(None, predicate):
            if isinstance(value, Literal) and value.language:
                languages[value.language] += 1
    return Stats(
        classes=dict(sorted(classes.items())),
        sources=sources,
        languages=dict(sorted(languages.items())),
        triples=len(data),
    )
