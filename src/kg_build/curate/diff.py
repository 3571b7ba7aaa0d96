"""What changed between two releases, in terms of facts rather than triples: things added and
removed, what each source says of a thing that changed (old and new value, with the source
and its quote), figures whose preferred value changed, disagreements, links to other datasets.

Read from each release's TriG dump (one named graph per source, the inferences, the
description), so any two published `dist/` folders compare, whatever built them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
GBA = "https://w3id.org/ganzhou-gba/def/"
SCHEMA = "https://schema.org/"
# what a figure is a figure of, as facts/ranks.py groups them
FIGURE_OF = tuple(
    GBA + p
    for p in (
        "about",
        "measure",
        "referencePeriod",
        "origin",
        "destination",
        "condition",
        "rankWithin",
    )
)
UNIT_OF = (GBA + "unit", SCHEMA + "currency")
DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
# Kinds of node that are things a reader knows (the rest are how facts are recorded:
# attestations, geometries, periods, role assignments, curators' claims).
THINGS = (
    "place", "organisation", "person", "project", "agreement", "event", "figure", "source",
    "concept", "scheme", "milestone",
)  # fmt: skip
# What records how a fact is kept, not what it says.
BOOKKEEPING = {
    GBA + "attestedBy",
    GBA + "curatorClaim",
    "http://www.w3.org/ns/prov#wasDerivedFrom",
}


@dataclass(frozen=True)
class Change:
    """One thing whose statements from one source changed: the values before and after of
    one property (either side empty for a statement added or removed), and the source's
    quote for the thing in the newer release."""

    thing: str
    source: str
    property: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    quote: str = ""


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    preferred: list[tuple[str, str, str]] = field(default_factory=list)  # figure, old, new rank
    # what a figure is of (its subject, measure, period ...) -> preferred value before, after
    preferred_values: list[tuple[str, str, str]] = field(default_factory=list)
    conflicts: tuple[int, int] = (0, 0)
    disagreements_new: list[tuple[str, str]] = field(default_factory=list)  # figure, figure
    disagreements_resolved: list[tuple[str, str]] = field(default_factory=list)
    modified: str = ""  # the newer release's dcterms:modified
    links_added: list[tuple[str, str]] = field(default_factory=list)
    links_removed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.preferred
            or self.preferred_values
            or self.disagreements_new
            or self.disagreements_resolved
            or self.links_added
            or self.links_removed
            or self.conflicts[0] != self.conflicts[1]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [
                c.__dict__ | {"old": list(c.old), "new": list(c.new)} for c in self.changed
            ],
            "preferred": [{"figure": f, "old": o, "new": n} for f, o, n in self.preferred],
            "preferred_values": [
                {"of": of, "old": o, "new": n} for of, o, n in self.preferred_values
            ],
            "conflicts": {"old": self.conflicts[0], "new": self.conflicts[1]},
            "disagreements_new": [list(p) for p in self.disagreements_new],
            "disagreements_resolved": [list(p) for p in self.disagreements_resolved],
            "links_added": [{"thing": t, "link": link} for t, link in self.links_added],
            "links_removed": [{"thing": t, "link": link} for t, link in self.links_removed],
        }


@dataclass
class Release:
    """What a diff reads of one release: each source graph's statements, by subject."""

    base: str
    said: dict[tuple[str, str, str], set[str]]  # (source, thing, property) -> values
    things: set[str]
    quotes: dict[tuple[str, str], str]  # (source, thing) -> its quote there
    ranks: dict[str, str]  # figure -> its rank
    conflicts: int
    links: set[tuple[str, str]]
    disagreeing: set[tuple[str, str]] = field(default_factory=set)  # figure pairs, a < b
    modified: str = ""  # the dataset's dcterms:modified (its newest source's date)
    _by_thing: dict[str, dict[str, set[str]]] | None = field(default=None, repr=False)

    def figure_of(self, figure: str) -> tuple[str, ...]:
        """What a figure is of: its subject, measure, period, ends, condition, ranking."""
        props = self._statements().get(figure, {})
        return tuple(",".join(sorted(props.get(p, ()))) for p in FIGURE_OF)

    def value_of(self, figure: str) -> str:
        props = self._statements().get(figure, {})
        units = sorted({u for p in UNIT_OF for u in props.get(p, ())})
        return " ".join([*sorted(props.get(SCHEMA + "value", ())), *units])

    def _statements(self) -> dict[str, dict[str, set[str]]]:
        """thing -> property -> values, whichever source says them (built once)."""
        if self._by_thing is None:
            self._by_thing = defaultdict(lambda: defaultdict(set))
            for (_, thing, prop), values in self.said.items():
                self._by_thing[thing][prop] |= values
        return self._by_thing


def _term(term: Any) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def nothing(base: str) -> Release:
    """The release before the first."""
    return Release(base, {}, set(), {}, {}, 0, set())


def read_trig(data: bytes, base: str) -> Release:
    return _read(ox.parse(data, format=ox.RdfFormat.TRIG), base)


def trig_of(dist: Path) -> bytes:
    """The TriG dump of the release in `dist` (its current one, or a release folder)."""
    folder = dist / "current" if (dist / "current").exists() else dist
    trig = folder / "ganzhou-gba.trig"
    if not trig.is_file():
        raise FileNotFoundError(f"no release in {dist} (no {trig.name}): run kg build first")
    return trig.read_bytes()


def read_release(dist: Path, base: str) -> Release:
    """The release in `dist` (its current one, or a release folder itself)."""
    return read_trig(trig_of(dist), base)


def _kind(iri: str, base: str) -> str | None:
    if not iri.startswith(f"{base}id/"):
        return None
    kind = iri[len(base) + 3 :].split("/", 1)[0]
    return kind if kind in THINGS else None


def _read(quads: Iterable[ox.Quad], base: str) -> Release:
    said: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    things: set[str] = set()
    attested: dict[tuple[str, str], str] = {}
    quote_of: dict[str, str] = {}
    ranks: dict[str, str] = {}
    conflicts = 0
    links: set[tuple[str, str]] = set()
    disagreeing: set[tuple[str, str]] = set()
    modified = ""
    for q in quads:
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        name = graph.rsplit("/graph/", 1)[-1]
        s, p, o = _term(q.subject), q.predicate.value, _term(q.object)
        if name == "description":
            if p == GBA + "conflicts" and isinstance(q.object, ox.Literal):
                conflicts = int(q.object.value)
            if p == DCTERMS_MODIFIED and s == f"{base}dataset":
                modified = q.object.value if isinstance(q.object, ox.Literal) else ""
            continue
        if name == "inferred":
            if p == GBA + "valueRank":
                ranks[s] = o.rsplit("/", 1)[-1]
            if p == GBA + "disagreesWith":
                disagreeing.add((min(s, o), max(s, o)))
            continue
        if p == GBA + "quote" and isinstance(q.object, ox.Literal):
            quote_of[s] = q.object.value
        if _kind(s, base) is None:
            continue
        if p == RDF_TYPE:
            things.add(s)
        if p == GBA + "attestedBy":
            attested[(name, s)] = o
        if p == SAME_AS:
            links.add((s, o))
        if p not in BOOKKEEPING:
            said[(name, s, p)].add(o)
    quotes = {key: quote_of.get(att, "") for key, att in attested.items()}
    return Release(base, dict(said), things, quotes, ranks, conflicts, links, disagreeing, modified)


def diff(old: Release, new: Release) -> Diff:
    found = Diff()
    found.added = sorted(new.things - old.things)
    found.removed = sorted(old.things - new.things)
    changed_things = set(found.added) | set(found.removed)
    for key in sorted(set(old.said) | set(new.said)):
        before, after = old.said.get(key, set()), new.said.get(key, set())
        source, thing, prop = key
        if before != after and thing not in changed_things:
            found.changed.append(
                Change(
                    thing,
                    source,
                    prop,
                    tuple(sorted(before - after)),
                    tuple(sorted(after - before)),
                    new.quotes.get((source, thing), old.quotes.get((source, thing), "")),
                )
            )
    for figure in sorted(set(old.ranks) | set(new.ranks)):
        if figure in old.ranks and figure in new.ranks and old.ranks[figure] != new.ranks[figure]:
            found.preferred.append((figure, old.ranks[figure], new.ranks[figure]))
    found.modified = new.modified
    found.preferred_values = _preferred_values(old, new)
    found.conflicts = (old.conflicts, new.conflicts)
    found.disagreements_new = sorted(new.disagreeing - old.disagreeing)
    found.disagreements_resolved = sorted(old.disagreeing - new.disagreeing)
    found.links_added = sorted(new.links - old.links)
    found.links_removed = sorted(old.links - new.links)
    return found


def _preferred_values(old: Release, new: Release) -> list[tuple[str, str, str]]:
    """Where the value that answers by default changed: for what each preferred figure is of,
    its value (and unit) before and after ("—" where none was preferred)."""

    def preferred(release: Release) -> dict[tuple[str, ...], str]:
        return {
            release.figure_of(f): f"{release.value_of(f)} ({f.rsplit('/', 1)[-1]})"
            for f, rank in release.ranks.items()
            if rank == "PreferredRank"
        }

    before, after = preferred(old), preferred(new)
    rows = []
    for of in sorted(set(before) | set(after)):
        if before.get(of) != after.get(of):
            rows.append((" ".join(p for p in of if p), before.get(of, "—"), after.get(of, "—")))
    return rows


def shown(term: str, prefixes: dict[str, str]) -> str:
    """A value as a reader wants it: an IRI by its prefixed name, a literal by its text (its
    language after it)."""
    if term.startswith('"'):
        line = f"<urn:x> <urn:y> {term} .".encode()
        value = next(iter(ox.parse(line, ox.RdfFormat.N_TRIPLES))).object
        if not isinstance(value, ox.Literal):
            return term
        return f"{value.value} ({value.language})" if value.language else value.value
    for prefix, namespace in sorted(prefixes.items(), key=lambda p: -len(p[1])):
        if term.startswith(namespace) and "/" not in term[len(namespace) :]:
            return f"{prefix}:{term[len(namespace) :]}"
    return term


def render(found: Diff, fmt: str, prefixes: dict[str, str]) -> str:
    """The diff as `text` (for a terminal), `markdown` (for a changelog) or `json`."""
    import json

    if fmt == "json":
        return json.dumps(found.as_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    md = fmt == "markdown"

    def name(term: str) -> str:
        text = shown(term, prefixes)
        return f"`{text}`" if md and not term.startswith('"') else text

    lines: list[str] = ["# Changes", ""] if md else []
    if found.empty:
        return "\n".join([*lines, "No change in the facts."]) + "\n"

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.extend([f"## {title}" if md else f"{title}:", ""] if md else [f"{title}:"])
            lines.extend(f"- {r}" if md else f"  {r}" for r in rows)
            lines.append("")

    section("Added", [name(t) for t in found.added])
    section("Removed", [name(t) for t in found.removed])
    rows = []
    for c in found.changed:
        old = ", ".join(name(v) for v in c.old) or "—"
        new = ", ".join(name(v) for v in c.new) or "—"
        quote = f' — "{c.quote}"' if c.quote else ""
        rows.append(f"{name(c.thing)} {name(c.property)}: {old} → {new} (source {c.source}){quote}")
    section("Changed", rows)
    section(
        "Preferred values",
        [f"{name(f)}: {o} → {n}" for f, o, n in found.preferred],
    )
    section(
        "Preferred values changed",
        [
            f"{_names(of, name)}: {_values(o, name)} → {_values(n, name)}"
            for of, o, n in found.preferred_values
        ],
    )
    if found.conflicts[0] != found.conflicts[1]:
        section("Disagreements", [f"{found.conflicts[0]} → {found.conflicts[1]}"])
    section("New disagreements", [f"{name(a)} ≠ {name(b)}" for a, b in found.disagreements_new])
    section(
        "Resolved disagreements",
        [f"{name(a)} ≠ {name(b)}" for a, b in found.disagreements_resolved],
    )
    section("Links added", [f"{name(t)} = {link}" for t, link in found.links_added])
    section("Links removed", [f"{name(t)} = {link}" for t, link in found.links_removed])
    return "\n".join(lines).rstrip() + "\n"


def _names(terms: str, name: Any) -> str:
    return " ".join(name(t) for t in terms.split(" ") if t)


def _values(said: str, name: Any) -> str:
    """`"5.5"^^xsd:decimal unit:hour (figure-id)` as `5.5 unit:hour (figure-id)`."""
    if said == "—":
        return said
    value, _, figure = said.rpartition(" (")
    return f"{_names(value, name)} ({figure}"


def revision_tree(root: Path, revision: str, folders: Iterable[str], into: Path) -> None:
    """The `folders` of the project at `root` as they were at git `revision`, written into
    `into` (git archive: the committed files, whatever the working tree holds). ValueError
    for a revision git does not know or a folder outside the repository."""
    import io
    import subprocess
    import tarfile

    top = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "-C", str(root), "rev-parse", "--show-toplevel"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if top.returncode != 0:
        raise ValueError(f"{root} is not in a git repository: give two dist/ folders instead")
    prefix = root.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    paths = [f"{prefix}/{f}" if prefix != "." else f for f in folders]
    done = subprocess.run(  # noqa: S603 - fixed arguments, the revision is one argument
        ["git", "-C", str(root), "archive", "--format=tar", f"{revision}^{{commit}}", "--", *paths],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unknown"]
        raise ValueError(
            f"no release folder {revision!r}, and no git revision of that name ({why[0]})"
        )
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        for member in tar.getmembers():
            name = member.name[len(prefix) + 1 :] if prefix != "." else member.name
            if not member.isfile() or ".." in Path(name).parts:
                continue
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
