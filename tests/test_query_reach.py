"""How far a SPARQL check reads from its focus, derived from the query (validate/query_reach.py):
what lets an incremental build run a check on the changed neighbourhood only. Every case
that cannot be bounded must say so (None): a wrong bound is a missed violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.validate.query_reach import local_anchors, query_reach

ROOT = Path(__file__).resolve().parents[1]
P = "PREFIX g: <http://g/> SELECT ?this WHERE "


@pytest.mark.parametrize(
    ("where", "reach"),
    [
        ("{ ?this g:a ?x }", 0),
        ("{ ?this g:a ?x . FILTER (?x > 3) }", 0),
        ("{ ?this g:a ?x . ?x g:b ?y }", 1),
        ("{ ?this g:a/g:b/g:c ?x }", 2),
        ("{ ?this g:a/g:b ?x . ?x g:c ?y }", 2),
        ("{ ?x ^g:a ?this . ?x g:b ?y }", 1),  # ?this g:a ?x, written backwards
        ("{ ?this g:a? ?x . ?x g:b ?z }", 1),
        ("{ ?this g:a|g:b ?x . ?x g:c ?y }", 1),
        ("{ ?this g:a|(g:b/g:c) ?x . ?x g:d ?y }", 2),
        ("{ ?this g:a [ g:b ?y ] }", 1),
        ("{ ?this g:a g:X . g:X g:b ?y }", 1),
        ("{ ?this g:a ?x . ?x !(g:c) ?y }", 1),
        ("{ ?this g:a ?x FILTER NOT EXISTS { ?x g:b/g:c ?y } }", 2),
        ("{ ?this g:a ?x FILTER EXISTS { ?x g:b ?y . ?y g:c ?z } }", 2),
        ("{ ?this g:a ?x OPTIONAL { ?x g:b ?y . ?y g:c ?z } }", 2),
        ("{ ?this g:a ?x MINUS { ?x g:c ?z } }", 1),
        ("{ { ?this g:a ?x } UNION { ?this g:b ?x } }", 0),
        # not bounded: a subject not reached forward from ?this, or reached through a part
        # that may not match
        ("{ ?this g:a ?x . ?y g:b ?x }", None),
        ("{ ?this ^g:a ?x }", None),
        ("{ ?this g:a* ?x }", None),
        ("{ ?this g:a+ ?x }", None),
        ("{ ?this g:a ?x FILTER NOT EXISTS { ?z g:b ?x } }", None),
        ("{ ?this g:a ?x . ?x !(g:c|^g:d) ?y }", None),
        ("{ ?this g:a|^g:b ?x . ?x g:c ?y }", None),
        ("{ ?this g:a ?x OPTIONAL { ?x g:b ?y } ?y g:c ?z }", None),
        ("{ { ?this g:a ?x } UNION { ?this g:b ?y } ?x g:c ?z }", None),
        ("{ ?this g:a ?x . { SELECT ?x WHERE { ?x g:b ?y } } }", None),
        ("{ ?this g:a ?x . SERVICE <http://example.org/> { ?x g:b ?y } }", None),
        ("{ ?this g:a ?x . GRAPH ?g { ?x g:b ?y } }", None),
        ("{ ?x g:a ?y }", None),
        ("{ ?x g:a ?this }", None),
    ],
)
def test_the_reach_of_a_pattern(where: str, reach: int | None) -> None:
    assert query_reach(P + where, ("this",)) == reach


def test_a_check_comparing_two_nodes_is_run_from_either() -> None:
    pair = P + "{ ?this g:name ?n . ?other g:name ?n . FILTER (?this != ?other) }"
    assert query_reach(pair, ("this",)) is None
    assert local_anchors(pair) == (("this", "other"), 0)


def test_the_shipped_checks_are_local_with_the_reach_their_patterns_have() -> None:
    """The shipped quality checks, read: a regression here makes incremental builds miss
    rows (a bound too small) or slow (a check run whole)."""
    found = {
        path.name: local_anchors(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "queries").glob("*-violation.rq"))
    }
    assert found == {
        "administrative-place-without-parent-violation.rq": (("this",), 1),
        "dangling-link-violation.rq": (("this",), 1),
        "reported-milestone-after-source-violation.rq": (("this",), 2),
        "same-name-twice-violation.rq": (("this", "other"), 0),
    }
