"""What a release says of itself beside its dumps: CHANGES.md (its changes in facts since the
release it replaces, kg diff's Markdown) and release.ttl (a PROV and Dublin Core description:
prov:wasRevisionOf the release before, dcterms:issued and dcterms:modified, counts).

Both depend on the release before, not only on the facts, so they stay out of SHA256SUMS,
whose digest names the release: the same facts give the same release name and the same
dump bytes whatever was published before them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg_build.curate.diff import Diff, diff, nothing, read_release, read_trig, render
from kg_build.namespaces import GBA, data_prefixes
from kg_build.publish.serialize import turtle

CHANGES = "CHANGES.md"
DESCRIPTION = "release.ttl"
NOTES = (CHANGES, DESCRIPTION)


def issued() -> dt.datetime:
    """When the release is made; SOURCE_DATE_EPOCH (reproducible-builds.org) fixes it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def release_notes(
    trig: bytes, name: str, base: str, previous: Path | None, when: dt.datetime
) -> dict[str, bytes]:
    """CHANGES.md and release.ttl of the release `name` (its TriG dump `trig`), against the
    release folder `previous` (None: the first release)."""
    old = read_release(previous, base) if previous is not None else nothing(base)
    new = read_trig(trig, base)
    found = diff(old, new)
    before = previous.name if previous is not None else None
    prefixes = {p: str(ns) for p, ns in data_prefixes(base).items()}
    heading = f"# Release {name}\n\n" + (
        f"Changes in facts since release {before} (`kg diff`).\n"
        if before
        else "The first release: everything in it is new.\n"
    )
    body = render(found, "markdown", prefixes).removeprefix("# Changes\n")
    changes = (heading + body).encode()
    return {
        CHANGES: changes,
        DESCRIPTION: _description(found, name, before, new.modified, base, when),
    }


def _description(
    found: Diff, name: str, before: str | None, modified: str, base: str, when: dt.datetime
) -> bytes:
    release = URIRef(f"{base}dataset/release/{name}")
    graph = Graph()
    graph.add((release, RDF.type, PROV.Entity))
    graph.add((release, DCTERMS.isVersionOf, URIRef(f"{base}dataset")))
    graph.add((release, DCTERMS.identifier, Literal(name)))
    graph.add((release, RDFS.label, Literal(f"release {name}", lang="en")))
    graph.add((release, DCTERMS.issued, Literal(when.isoformat(), datatype=XSD.dateTime)))
    if modified:
        graph.add((release, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    if before:
        graph.add((release, PROV.wasRevisionOf, URIRef(f"{base}dataset/release/{before}")))
    counts = {
        GBA.thingsAdded: len(found.added),
        GBA.thingsRemoved: len(found.removed),
        GBA.statementsChanged: len(found.changed),
        GBA.preferredValuesChanged: len(found.preferred_values),
        GBA.disagreementsAdded: len(found.disagreements_new),
        GBA.disagreementsResolved: len(found.disagreements_resolved),
    }
    for prop, count in counts.items():
        graph.add((release, prop, Literal(count, datatype=XSD.integer)))
    # the current release's notes are served at BASE dist/CHANGES.md (kg serve)
    graph.add((release, RDFS.seeAlso, URIRef(f"{base}dist/{CHANGES}")))
    return turtle(graph, base)
