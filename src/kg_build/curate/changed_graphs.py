"""The diff of two releases' TriG dumps, reading only what can differ: the graphs whose bytes
differ, the graphs of inferences and of the description, and, of the graphs that are the
same, those that name a thing whose presence, links or preferred value is in question.

Reading a whole release costs seconds at 10,000 sources (benchmarks/RESULTS.md); a build
that changed one source reads a few blocks. What it leaves out is the same on both sides,
so it can change no line of the diff; tests/test_diff.py compares it with diff() of the
whole dumps (the same Diff)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg_build.curate.diff import Diff, Release, diff, read_trig
from kg_build.publish.splice import TRIG_END, trig_blocks

_ALWAYS = (b"/graph/inferred>", b"/graph/description>")
_PREFIX = re.compile(rb"@prefix ([\w-]*): <([^>]*)> \.")


def _by_graph(document: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    blocks = trig_blocks(document)
    # a block starts with its graph's name: `<https://.../graph/x> {` (pyoxigraph's TriG)
    return blocks.header, {piece.split(b" {", 1)[0].strip(): piece for piece in blocks.pieces}


def _read(header: bytes, pieces: Iterable[bytes], base: str) -> Release:
    return read_trig(header + b"".join(p + TRIG_END for p in pieces), base)


def changes(old: bytes, new: bytes, base: str) -> Diff:
    """diff(read_trig(old), read_trig(new)), reading as little as it can."""
    old_header, before = _by_graph(old)
    header, after = _by_graph(new)
    if old_header != header:  # other prefixes: the blocks do not compare as bytes
        return diff(read_trig(old, base), read_trig(new, base))
    differ = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
    differ |= {g for g in before.keys() | after.keys() if g.endswith(_ALWAYS)}
    was = _read(header, (before[g] for g in sorted(differ) if g in before), base)
    now = _read(header, (after[g] for g in sorted(differ) if g in after), base)
    # what the blocks left out could change: a thing typed there too, a link said there too,
    # a figure (preferred, or of another rank now) whose statements are there
    ranked = {
        f for f in was.ranks.keys() | now.ranks.keys() if was.ranks.get(f) != now.ranks.get(f)
    }
    for release in (was, now):
        stated = {thing for _, thing, _ in release.said}
        ranked |= {f for f, r in release.ranks.items() if r == "PreferredRank" and f in stated}
    asked = (was.things ^ now.things) | {s for s, _ in was.links ^ now.links} | ranked
    for release in (was, now):  # other figures' ranks are the same on both sides
        release.ranks = {f: r for f, r in release.ranks.items() if f in ranked}
    same = [g for g in sorted(after.keys() - differ) if before.get(g) == after[g]]
    naming = _naming(header, [after[g] for g in same], asked)
    if naming:
        extra = _read(header, naming, base)
        for release in (was, now):
            release.said.update(extra.said)
            release.things |= extra.things
            release.quotes.update(extra.quotes)
            release.links |= extra.links
    return diff(was, now)


def _naming(header: bytes, pieces: list[bytes], iris: set[str]) -> list[bytes]:
    """The pieces that hold any of `iris`, written whole (<...>) or prefixed (figure:x)."""
    if not iris or not pieces:
        return []
    prefixes = {ns.decode(): name.decode() for name, ns in _PREFIX.findall(header)}
    forms = set()
    for iri in iris:
        forms.add(f"<{iri}>")
        namespace, _, local = iri.rpartition("/")
        if f"{namespace}/" in prefixes:
            forms.add(f"{prefixes[f'{namespace}/']}:{local}")
    pattern = re.compile(
        rb"(?<![\w:/-])(?:"
        + b"|".join(re.escape(f.encode()) for f in sorted(forms))
        + rb")(?![\w-])"
    )
    return [piece for piece in pieces if pattern.search(piece)]
