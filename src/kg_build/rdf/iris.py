"""Stable, readable IRIs: `{base}id/{kind}/{identifier}`, derived only from curated identifiers."""

from __future__ import annotations

import re

from rdflib import URIRef

from kg_build.facts.load import Corpus

# Top-level key in the fact files -> IRI path segment.
SEGMENTS = {
    "places": "place",
    "organisations": "organisation",
    "people": "person",
    "schemes": "scheme",
    "concepts": "concept",
    "projects": "project",
    "agreements": "agreement",
    "events": "event",
    "figures": "figure",
}


class Iris:
    def __init__(self, base: str, corpus: Corpus) -> None:
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {base!r}")
        self.base = base
        self._kind = {key: entry.kind for key, entry in corpus.entries.items()}

    def _iri(self, *segments: str) -> URIRef:
        return URIRef(self.base + "id/" + "/".join(segments))

    def entity(self, identifier: str) -> URIRef:
        return self._iri(SEGMENTS[self._kind[identifier]], identifier)

    def source(self, identifier: str) -> URIRef:
        return self._iri("source", identifier)

    def graph(self, source: str) -> URIRef:
        return URIRef(f"{self.base}graph/{source}")

    def attestation(self, *path: str) -> URIRef:
        return self._iri("attestation", *path)

    def part(self, kind: str, *keys: str) -> URIRef:
        """A node that exists only inside a record (role assignment, milestone, geometry)."""
        return self._iri(kind, "--".join(keys))

    def period(self, period: str) -> URIRef:
        if len(period) == 10:  # a single day is an instant
            return self._iri("instant", period)
        return self._iri("period", period.replace("/", "--"))
