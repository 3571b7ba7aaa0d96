"""A release's dumps loaded for querying, when its embedded store is not wanted: into an
in-memory Oxigraph store as dist/store holds them, or into an rdflib Dataset."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kg_build.errors import InputError, Problem
from kg_build.store.embedded import release_quads


def _dump_files(dist: Path) -> tuple[Path, Path]:
    trig, ontology = dist / "ganzhou-gba.trig", dist / "ontology.ttl"
    missing = [p for p in (trig, ontology) if not p.is_file()]
    if missing:
        raise InputError(
            [Problem(str(missing[0]), 0, "", "published dataset not found", "run `kg build` first")]
        )
    return trig, ontology


def oxigraph_from_dist(dist: Path, base: str) -> ox.Store:
    trig, ontology = _dump_files(dist)
    store = ox.Store()
    store.bulk_extend(release_quads(trig.read_bytes(), ontology.read_bytes(), base))
    return store


def rdflib_from_dist(dist: Path, base: str) -> Dataset:
    trig, ontology = _dump_files(dist)
    dataset = Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    dataset.graph(URIRef(f"{base}graph/ontology")).parse(ontology, format="turtle")
    return dataset
