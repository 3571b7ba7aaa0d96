"""What a release says of itself beside its dumps: CHANGES.md (its changes in facts since the
release it replaces, kg diff's Markdown) and release.ttl (a PROV and Dublin Core description:
prov:wasRevisionOf the release before, dcterms:issued and dcterms:modified, counts).

Both depend on the release before, not only on the facts, so they stay out of SHA256SUMS,
whose digest names the release: the same facts give the same release name and the same
dump bytes whatever was published before them."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg_build.curate.changed_graphs import changes
from kg_build.curate.diff import Diff, diff, nothing, read_trig, render, shown, trig_of
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
    trig: bytes,
    name: str,
    base: str,
    previous: Path | None,
    when: dt.datetime,
    unreadable: str = "",
) -> dict[str, bytes]:
    """CHANGES.md and release.ttl of the release `name` (its TriG dump `trig`), against the
    release folder `previous`; None: the first release, or (`unreadable` says why) one
    after a release that cannot be read. Then CHANGES.md counts what there is, by kind,
    rather than list every thing."""
    prefixes = {p: str(ns) for p, ns in data_prefixes(base).items()}
    if previous is None:
        found = diff(nothing(base), read_trig(trig, base))
        why = (
            f"The last release could not be read ({unreadable})"
            if unreadable
            else "The first release"
        )
        text = f"# Release {name}\n\n{why}: {_counted(found.added, prefixes)}.\n"
    else:
        found = changes(trig_of(previous), trig, base)  # the blocks that differ, mostly
        heading = (
            f"# Release {name}\n\nChanges in facts since release {previous.name} (`kg diff`).\n"
        )
        text = heading + render(found, "markdown", prefixes).removeprefix("# Changes\n")
    before = previous.name if previous is not None else None
    return {
        CHANGES: text.encode(),
        DESCRIPTION: _description(found, name, before, found.modified, base, when),
    }


def _counted(things: list[str], prefixes: dict[str, str]) -> str:
    kinds = Counter(shown(t, prefixes).split(":", 1)[0] for t in things)
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{len(things)} things ({listed})" if things else "nothing yet"


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
