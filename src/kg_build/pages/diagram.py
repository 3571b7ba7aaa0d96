"""A diagram of the ontology's classes, drawn from the ontology graph as an SVG tree: each of
our classes under its superclass (a class with several is drawn under each), the classes of
other vocabularies it builds on named beside the top ones. Made in Python, not in the
browser: it is the same for every reader, and shows without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg_build.namespaces import PREFIXES
from kg_build.pages import view
from kg_build.pages.links import Link

OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
ROW, INDENT, CHAR = 22, 28, 7.2  # pixels: a row's height, a level's indent, a character


@dataclass(frozen=True)
class Box:
    iri: str
    name: str
    depth: int
    row: int
    parent_row: int | None
    aligned: tuple[str, ...]  # the other vocabularies' classes it is a subclass of


def boxes(store: ox.Store) -> list[Box]:
    """Our classes in tree order (depth first, by name), each with its row and its parent's."""
    ours = {
        q.subject.value
        for q in view.quads(store, None, view.TYPE, OWL_CLASS)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(view.GBA)
    }
    parents: dict[str, list[str]] = {c: [] for c in ours}
    aligned: dict[str, list[str]] = {c: [] for c in ours}
    for c in ours:
        for q in view.quads(store, ox.NamedNode(c), SUBCLASS, None):
            if isinstance(q.object, ox.NamedNode):
                if q.object.value in ours:
                    parents[c].append(q.object.value)
                else:
                    aligned[c].append(_prefixed(q.object.value))
    children: dict[str, list[str]] = {c: [] for c in ours}
    for c, ps in parents.items():
        for p in ps:
            children[p].append(c)
    names = {c: view.name(store, ox.NamedNode(c)) for c in ours}
    found: list[Box] = []

    def place(c: str, depth: int, parent_row: int | None, path: frozenset[str]) -> None:
        row = len(found)
        found.append(Box(c, names[c], depth, row, parent_row, tuple(sorted(aligned[c]))))
        for child in sorted(children[c], key=lambda x: names[x]):
            if child not in path:  # a cycle of subclasses would draw for ever
                place(child, depth + 1, row, path | {child})

    for top in sorted((c for c in ours if not parents[c]), key=lambda x: names[x]):
        place(top, 0, None, frozenset({top}))
    return found


def _prefixed(iri: str) -> str:
    """schema:Place for https://schema.org/Place: the vocabulary says which Organization."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def svg(store: ox.Store, link: Link, title: str) -> str:
    """The tree as an SVG element, each class a link to its page."""
    drawn = boxes(store)
    width = max(
        (INDENT * b.depth + CHAR * (len(b.name) + len(", ".join(b.aligned)) + 6) for b in drawn),
        default=200,
    )
    height = ROW * len(drawn) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="group" '
        f'width="{int(width) + 40}" height="{height}" viewBox="0 0 {int(width) + 40} {height}" '
        f"aria-label={quoteattr(title)}><title>{escape(title)}</title>"
    ]
    for b in drawn:
        x, y = 10 + INDENT * b.depth, 10 + ROW * b.row
        if b.parent_row is not None:
            px, py = 10 + INDENT * (b.depth - 1) + 8, 10 + ROW * b.parent_row + 16
            parts.append(
                f'<path class="edge" d="M{px},{py} V{y + 8} H{x}" fill="none" stroke="#889"/>'
            )
        href = link(b.iri)
        wide = CHAR * len(b.name) + 12
        text = f'<text x="{x + 6}" y="{y + 12}" font-size="12">{escape(b.name)}</text>'
        box = (
            f'<rect x="{x}" y="{y}" width="{wide:.0f}" height="16" rx="3" '
            'fill="#eef2f5" stroke="#1f4e79"/>'
        )
        inner = f"{box}{text}"
        if href:
            inner = f"<a href={quoteattr(href)}>{inner}</a>"
        if b.aligned:  # the other vocabularies' classes it is a subclass of
            inner += (
                f'<text class="aligned" x="{x + wide + 6:.0f}" y="{y + 12}" font-size="11" '
                f'fill="#555">⊂ {escape(", ".join(b.aligned))}</text>'
            )
        parts.append(f'<g class="class" data-iri={quoteattr(b.iri)}>{inner}</g>')
    parts.append("</svg>")
    return "".join(parts)


OBJECT_PROPERTY = ox.NamedNode("http://www.w3.org/2002/07/owl#ObjectProperty")


def relations(store: ox.Store, link: Link) -> list[tuple[view.Term, view.Term, view.Term]]:
    """How our classes relate: each of our object properties with its domain and range (a
    property without one relates anything to anything, and is left out)."""
    domain = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#domain")
    range_ = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#range")
    found = []
    for q in view.quads(store, None, view.TYPE, OBJECT_PROPERTY):
        prop = q.subject
        if not (isinstance(prop, ox.NamedNode) and prop.value.startswith(view.GBA)):
            continue
        for d in view.quads(store, prop, domain, None):
            for r in view.quads(store, prop, range_, None):
                if isinstance(d.object, ox.NamedNode) and isinstance(r.object, ox.NamedNode):
                    found.append(
                        (
                            view.term(store, d.object, link),
                            view.term(store, prop, link),
                            view.term(store, r.object, link),
                        )
                    )
    return sorted(found, key=lambda row: (row[0].text, row[1].text, row[2].text))
