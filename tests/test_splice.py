"""Splicing dumps (publish/splice.py): the union and its counts after random changes equal
those made from nothing; documents that do not line up are refused, not spliced wrongly.
(tests/test_incremental.py compares whole spliced releases with full builds.)"""

from __future__ import annotations

import os
import random
from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_build.publish import serialize, splice
from kg_build.publish.splice import published
from kg_build.publish.write import manifest_of, publish_files
from kg_build.rdf.chunks import Chunk, chunk_of, first_line_from, has_line_starting
from kg_build.rdf.describe import count_lines, recount

BASE = "https://w3id.org/ganzhou-gba/"


def _graph(rng: random.Random) -> Chunk:
    # few subjects and values, so that graphs share lines
    triples = {
        ox.Triple(
            ox.NamedNode(f"{BASE}id/place/p{rng.randrange(4)}"),
            ox.NamedNode(f"{BASE}def/p{rng.randrange(2)}"),
            ox.Literal(f"v{rng.randrange(3)}"),
        )
        for _ in range(rng.randrange(10))
    }
    return chunk_of(triples)


@pytest.mark.parametrize("max_spliced", [splice.MAX_SPLICED, 0])
def test_union_after_changes_equals_union_from_nothing(
    monkeypatch: pytest.MonkeyPatch, max_spliced: int
) -> None:
    monkeypatch.setattr(splice, "MAX_SPLICED", max_spliced)  # 0: sorted again, not spliced
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    graphs = {f"g{i}": _graph(rng) for i in range(8)}
    assert splice.union_and_shared(graphs.values())[1], "the test graphs should share lines"
    for old, new, change in _edits(rng, graphs, _graph, 200):
        expected_lines, expected_shared = splice.union_and_shared(new.values())
        assert change.chunk == b"".join(expected_lines)
        assert change.shared == expected_shared
        lines = old.splitlines(keepends=True)
        assert change.removed == set(lines) - set(expected_lines)
        assert change.added == set(expected_lines) - set(lines)


def _edits(
    rng: random.Random,
    graphs: dict[str, Chunk],
    make: Callable[[random.Random], Chunk],
    rounds: int,
) -> Iterator[tuple[Chunk, dict[str, Chunk], splice.UnionChange]]:
    """`rounds` random edits of `graphs` (one to three graphs made anew by `make`, or gone, or
    added): the union before each, the graphs after, and the union's change."""
    lines, shared = splice.union_and_shared(graphs.values())
    union = b"".join(lines)
    spare = [f"g{len(graphs)}", f"g{len(graphs) + 1}"]
    for _ in range(rounds):
        new = dict(graphs)
        names = sorted({*graphs, *spare})
        for name in rng.sample(names, min(len(names), rng.randrange(1, 4))):
            if rng.random() < 0.2:
                new.pop(name, None)
            else:
                new[name] = make(rng)
        changed = set(graphs) | set(new)
        change = splice.change_union(
            union,
            {g: graphs.get(g, b"") for g in changed},
            {g: new.get(g, b"") for g in changed},
            shared,
        )
        assert change is not None
        yield union, new, change
        graphs, union, shared = new, change.chunk, change.shared


def test_counts_that_do_not_add_up_are_refused() -> None:
    line = b"<https://e/s> <https://e/p> <https://e/o> .\n"
    # a graph said to have held a line the union never had
    assert splice.change_union(b"", {"g": line}, {"g": b""}, {}) is None


def test_subjects_and_their_lines() -> None:
    lines = [
        b"<https://e/a-b> <https://e/p> 1 .\n",
        b"<https://e/a> <https://e/p> 1 .\n",
        b"<https://e/a> <https://e/q> 2 .\n",
        b"_:b1 <https://e/p> 3 .\n",
        b"_:b10 <https://e/p> 4 .\n",
    ]
    assert lines == sorted(lines)
    subjects = splice.subjects_in_order(b"".join(lines))
    assert subjects == [b"<https://e/a-b>", b"<https://e/a>", b"_:b1", b"_:b10"]
    assert subjects == sorted(subjects)  # terms sort as their lines do
    assert splice.lines_about(b"".join(lines), {b"<https://e/a>", b"_:b1"}) == lines[1:4]
    assert [splice.term_value(s) for s in subjects] == [
        b"https://e/a-b",
        b"https://e/a",
        b"b1",
        b"b10",
    ]


def _turtle(lines: list[bytes]) -> bytes:
    return serialize.turtle(list(ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)), BASE)


def test_turtle_spliced_by_subject_equals_turtle_written_whole() -> None:
    a, b, c = (f"<{BASE}id/place/{n}>".encode() for n in "abc")
    p, q = f"<{BASE}def/p>".encode(), f"<{BASE}def/q>".encode()
    old = [a + b" " + p + b' "1" .\n', b + b" " + p + b' "2" .\n', b + b" " + q + b' "3" .\n']
    new = [a + b" " + p + b' "1" .\n', c + b" " + q + b' "4" .\n']  # b gone, c new
    fresh = [line for line in new if line.startswith(c)]
    spliced = splice.splice(
        splice.turtle_blocks(_turtle(old)),
        splice.subjects_in_order(b"".join(old)),
        splice.turtle_blocks(_turtle(fresh)),
        [c],
        {b, c},
    )
    assert spliced == _turtle(new)
    # blocks that do not match the subjects given: refused
    nothing = splice.Blocks(b"", [], splice.TURTLE_END)
    assert splice.splice(splice.turtle_blocks(_turtle(old)), [a], nothing, [], {b}) is None
    # a document that does not end as ours do: refused
    cut = splice.turtle_blocks(_turtle(old)[:-1])
    assert splice.splice(cut, splice.subjects_in_order(b"".join(old)), nothing, [], {b}) is None


def test_jsonld_lines_of_a_document_not_ours() -> None:
    assert splice.jsonld_lines(b'{"@graph": []}') is None
    nodes = serialize.jsonld_nodes([], BASE)
    assert (
        splice.jsonld_lines(serialize.jsonld_document([n.encode() for n in nodes.values()], BASE))
        == []
    )


def test_a_published_file_is_built_on_only_with_the_digest_of_its_manifest(
    tmp_path: Path,
) -> None:
    """splice.published hashes every file it hands out: an edit that keeps the size, the
    inode and the mtime is still seen, and the file is then not spliced from."""
    publish_files(tmp_path, {"a.nt": b"<a> <b> <c> .\n"}, b"")
    manifest = manifest_of({"a.nt": b"<a> <b> <c> .\n"})
    assert published(tmp_path, manifest, "a.nt") == b"<a> <b> <c> .\n"
    path = tmp_path / "a.nt"
    mtime = path.stat().st_mtime_ns
    with path.open("r+b") as handle:  # same size, same inode, mtime put back
        handle.write(b"<a> <b> <d> .\n")
    os.utime(path, ns=(mtime, mtime))
    assert published(tmp_path, manifest, "a.nt") is None
    path.write_bytes(b"<a> <b> <c> .\n")
    assert published(tmp_path, manifest, "a.nt") == b"<a> <b> <c> .\n"
    assert published(tmp_path, manifest, "b.nt") is None  # not in the manifest


def _described_graph(rng: random.Random) -> Chunk:
    """Triples of every kind the description counts apart: types, links to Wikidata, IRIs
    and literals as objects; few terms, so that graphs share them."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    same_as = "http://www.w3.org/2002/07/owl#sameAs"
    triples = set()
    for _ in range(rng.randrange(8)):
        subject = ox.NamedNode(f"{BASE}id/place/p{rng.randrange(5)}")
        kind = rng.randrange(4)
        triple: tuple[str, ox.NamedNode | ox.Literal]
        if kind == 0:
            triple = (rdf_type, ox.NamedNode(f"{BASE}def/C{rng.randrange(3)}"))
        elif kind == 1:
            triple = (same_as, ox.NamedNode(f"http://www.wikidata.org/entity/Q{rng.randrange(3)}"))
        elif kind == 2:
            triple = (f"{BASE}def/near", ox.NamedNode(f"{BASE}id/place/p{rng.randrange(5)}"))
        else:
            triple = (f"{BASE}def/p{rng.randrange(2)}", ox.Literal(f"v{rng.randrange(3)}"))
        triples.add(ox.Triple(subject, ox.NamedNode(triple[0]), triple[1]))
    return chunk_of(triples)


def test_description_counts_after_changes_equal_counts_from_nothing() -> None:
    """describe.recount: counts from the changed lines equal count_lines over the new union
    (terms that come, go, or stay held by another line)."""
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    graphs = {f"g{i}": _described_graph(rng) for i in range(6)}
    counts = count_lines(b"".join(splice.union_and_shared(graphs.values())[0]))
    names = ("objects", "subjects", "entities", "links")
    seen: dict[str, set[int]] = {name: set() for name in names}
    for old, _, change in _edits(rng, graphs, _described_graph, 300):
        after = recount(counts, change.removed, change.added, old, change.chunk)
        expected = count_lines(change.chunk)
        assert after == expected
        seen["links"].add(expected.links["wikidata"] - counts.links["wikidata"])
        for name in ("objects", "subjects", "entities"):
            seen[name].add(getattr(expected, name) - getattr(counts, name))
        counts = expected
    # the changes moved every count both ways
    assert all({-1, 1} <= {(d > 0) - (d < 0) for d in deltas} for deltas in seen.values())


def test_first_line_from_is_bisect_over_the_lines() -> None:
    """chunks.first_line_from: the offset of the line bisect_left finds, for whole lines,
    prefixes and terms not there, in unions of every size down to none."""
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    for size in (0, 1, 2, 3, 7, 50):
        lines = sorted(
            {f"<s{rng.randrange(30)}> <p> {rng.randrange(9)} .\n".encode() for _ in range(size)}
        )
        data = b"".join(lines)
        starts = [sum(map(len, lines[:i])) for i in range(len(lines) + 1)]
        targets = [
            *lines,
            b"",
            b"<s",
            b"<s1> ",
            b"<s29> <p> 9",
            b"~",
            *(line[:-3] for line in lines),
        ]
        for target in targets:
            assert first_line_from(data, target) == starts[bisect_left(lines, target)], target
            assert has_line_starting(data, target) == any(x.startswith(target) for x in lines)


@pytest.mark.parametrize("max_moved", [splice.MAX_MOVED, 0])
def test_pieces_put_in_order_as_a_sort_would(
    monkeypatch: pytest.MonkeyPatch, max_moved: int
) -> None:
    """splice.in_order moves a few pieces by binary search (0: sorts them all): the result is
    what sorting the kept and fresh pieces by key gives."""
    monkeypatch.setattr(splice, "MAX_MOVED", max_moved)
    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    for _ in range(200):
        keys = sorted({f"k{rng.randrange(40):02d}".encode() for _ in range(rng.randrange(12))})
        pieces = [b"old " + k for k in keys]
        changed = set(rng.sample([*keys, b"k99"], rng.randrange(min(4, len(keys) + 1))))
        fresh = {k: b"new " + k for k in rng.sample(sorted(changed | {b"k50", b"k00"}), 2)}
        kept = {k: p for k, p in zip(keys, pieces, strict=True) if k not in changed}
        expected = [{**kept, **fresh}[k] for k in sorted({*kept, *fresh})]
        assert splice.in_order(keys, pieces, changed, fresh) == expected
        assert pieces == [b"old " + k for k in keys]  # the caller's list is left alone
