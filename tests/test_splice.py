"""Splicing dumps (publish/splice.py): the union and its counts after random changes equal
those made from nothing; documents that do not line up are refused, not spliced wrongly.
(tests/test_incremental.py compares whole spliced releases with full builds.)"""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from kg_build.build.chunks import Chunk, chunk_of
from kg_build.publish import serialize, splice

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
    lines, shared = splice.union_and_shared(graphs.values())
    assert shared, "the test graphs should share lines"
    for _ in range(200):
        new = dict(graphs)
        names = sorted({*graphs, "g8", "g9"})
        for name in rng.sample(names, min(len(names), rng.randrange(1, 4))):
            if rng.random() < 0.2:
                new.pop(name, None)
            else:
                new[name] = _graph(rng)
        changed = set(graphs) | set(new)
        change = splice.change_union(
            lines,
            {g: graphs.get(g, b"") for g in changed},
            {g: new.get(g, b"") for g in changed},
            shared,
        )
        assert change is not None
        expected_lines, expected_shared = splice.union_and_shared(new.values())
        assert change.lines == expected_lines
        assert change.shared == expected_shared
        assert change.removed == set(lines) - set(expected_lines)
        assert change.added == set(expected_lines) - set(lines)
        graphs, lines, shared = new, change.lines, change.shared


def test_counts_that_do_not_add_up_are_refused() -> None:
    line = b"<https://e/s> <https://e/p> <https://e/o> .\n"
    # a graph said to have held a line the union never had
    assert splice.change_union([], {"g": line}, {"g": b""}, {}) is None


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
    assert splice.lines_about(lines, {b"<https://e/a>", b"_:b1"}) == lines[1:4]
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
