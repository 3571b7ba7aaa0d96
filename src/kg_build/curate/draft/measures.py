"""The best guess of what a number measures, from the measure scheme's labels and
definitions (ontology/vocabularies.ttl) and the units the graph's figures of each measure
are stated in: a guess the curator confirms, or `?` when nothing fits."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from kg_build.facts.load import Corpus
from kg_build.facts.model import Figure
from kg_build.namespaces import GBA

_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    "a an and the of in on at to for from by with per each one or its it is are be".split()
)


@dataclass(frozen=True)
class Measure:
    id: str
    label_en: str
    label_zh: str
    words: frozenset[str]  # of the English label
    described: frozenset[str]  # of the definition
    units: frozenset[str]  # the units the graph states it in; empty: any


def stem(word: str) -> str:
    word = word.lower()
    for end in ("ies", "es", "s"):
        if word.endswith(end) and len(word) > len(end) + 2 and not word.endswith("ss"):
            return word[: -len(end)] + ("y" if end == "ies" else "")
    return word


def _words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


def measures_of(ontology: Graph, corpus: Corpus | None = None) -> list[Measure]:
    units: Mapping[str, set[str]] = defaultdict(set)
    for entry in corpus.of_kind("figures") if corpus else ():
        figure = entry.record
        if isinstance(figure, Figure):
            units[figure.measure].add(unit_kind(figure.unit))
            units[figure.measure].add(figure.unit)
    found = []
    for concept in sorted(ontology.subjects(SKOS.inScheme, GBA.MeasureScheme), key=str):
        if not isinstance(concept, URIRef):
            continue
        id_ = str(concept).rsplit("/", 1)[-1]
        en = _literal(ontology, concept, RDFS.label, "en")
        found.append(
            Measure(
                id=id_,
                label_en=en,
                label_zh=_literal(ontology, concept, RDFS.label, "zh"),
                words=_words(en),
                described=_words(_literal(ontology, concept, SKOS.definition, "en")),
                units=frozenset(units.get(id_, ())),
            )
        )
    return found


def _literal(graph: Graph, term: URIRef, prop: URIRef, lang: str) -> str:
    return next(
        (str(o) for o in graph.objects(term, prop) if getattr(o, "language", "") == lang), ""
    )


def unit_kind(unit: str) -> str:
    """A currency is money whichever it is; other units are their own kind."""
    return "money" if unit.isupper() and len(unit) == 3 else unit


def guess(measures: Iterable[Measure], near: str, around: str, unit: str) -> Measure | None:
    """The measure whose label the words `near` the number (its counted thing) and `around`
    it (its clause) share most, among those stated in this kind of unit."""
    near_words, around_words = _words(near), _words(around)
    chinese = _bigrams(near) | _bigrams(around)
    best: tuple[float, str] | None = None
    chosen = None
    for m in measures:
        if m.units and unit_kind(unit) not in m.units:
            continue
        label_zh = _bigrams(m.label_zh)
        shared = len(m.words & (near_words | around_words)) + len(label_zh & chinese)
        if not shared:
            continue
        score = (
            2 * len(m.words & near_words)
            + len(m.words & around_words)
            + len(label_zh & chinese)
            + 0.5 * len(m.described & (near_words | around_words)) / max(len(m.described), 1)
        ) / max(len(m.words), 1)
        if best is None or (score, m.id) > best:
            best, chosen = (score, m.id), m
    if chosen is None:
        # no word in common: the one measure the graph states in this unit, if only one is
        stated = [m for m in measures if unit in m.units and unit_kind(unit) == unit]
        chosen = stated[0] if len(stated) == 1 else None
    return chosen


def _bigrams(text: str) -> set[str]:
    """Chinese is written without spaces: pairs of characters stand for its words."""
    runs = re.findall(r"[\u3400-\u9fff]+", text)
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def named_in(measures: Iterable[Measure], sentence: str) -> list[Measure]:
    """Measures whose whole label a sentence names ("The number of projects, total investment
    and annual investment are ranked first": three), in the order it names them."""
    lowered = sentence.lower()
    hits = []
    for m in measures:
        for label in (m.label_en.lower(), m.label_zh):
            at = lowered.find(label) if label else -1
            if at >= 0:
                hits.append((at, m))
                break
    return [m for _, m in sorted(hits, key=lambda h: h[0])]
