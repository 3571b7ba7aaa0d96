"""`kg quote SOURCE "fragment"` (issue 24, part): the verbatim passage a remembered or retyped
fragment means, exactly as the quote check wants it."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURE, SHARED, kg_here
from hypothesis import given, settings
from hypothesis import strategies as st

from kg_build.curate.quote import find

TEXT = """Ganzhou, Jiangxi — The Ganzhou–Shenzhen high-speed railway, like a “steel dragon”,
winds through the Nanling Mountains. It’s 436 kilometres long.
In 2022, 358 projects had a total investment of 212.9 billion yuan.
"""


def _fold(text: str) -> str:  # the quote check's own folding (facts/quotes.py)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    ("fragment", "passage", "line"),
    [
        # retyped: straight quotes, a hyphen for the en dash, lower case, a line break gone
        (
            'the ganzhou-shenzhen high-speed railway, like a "steel dragon", winds',
            "The Ganzhou–Shenzhen high-speed railway, like a “steel dragon”, winds",
            1,
        ),
        ("its 436 kilometres", "It’s 436 kilometres", 2),  # no apostrophe: fuzzy, whole words
        ("total investment of 212.9 bilion yuan", "total investment of 212.9 billion yuan", 3),
    ],
)
def test_a_retyped_fragment_finds_the_passage_as_written(
    fragment: str, passage: str, line: int
) -> None:
    found = find(TEXT, fragment)
    assert found is not None and found.text == passage and found.line == line
    assert found.text in _fold(TEXT)  # verbatim: the quote check accepts it


def test_exact_matches_say_so_and_unrelated_words_find_nothing() -> None:
    exact = find(TEXT, "STEEL   dragon")
    assert exact is not None and exact.exact and exact.text == "steel dragon"
    fuzzy = find(TEXT, "kilometers long")
    assert fuzzy is not None and not fuzzy.exact and fuzzy.text == "kilometres long"
    assert find(TEXT, "bananas in pyjamas coming down the stairs") is None
    assert find(TEXT, "   ") is None


ARTICLE = (FIXTURE / "texts" / "fna-2021-12-10-ganshen-hsr-opens.en.txt").read_text(
    encoding="utf-8"
)
WORDS = [m.span() for m in re.finditer(r"\S+", ARTICLE)]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(WORDS) - 4), st.integers(3, 12), st.booleans())
def test_any_stretch_of_a_real_text_retyped_is_found_verbatim(
    first: int, count: int, lower: bool
) -> None:
    """A stretch of whole words of a source's text, retyped (case, quotes and dashes made
    plain, spaces changed), is found as the text writes it."""
    last = min(first + count, len(WORDS)) - 1
    original = _fold(ARTICLE[WORDS[first][0] : WORDS[last][1]])
    retyped = original.translate(str.maketrans("“”‘’–—", "\"\"''--"))
    retyped = "  ".join(retyped.lower().split()) if lower else retyped
    found = find(ARTICLE, retyped)
    assert found is not None and found.exact
    assert _fold(found.text) == original


def test_the_command_prints_the_passage_alone_and_says_where() -> None:
    done = kg_here("quote", "cns-2022-02-17-ganzhou-bay-area", "steel dragon winding in nanling")
    text = SHARED / "sources" / "cns-2022-02-17-ganzhou-bay-area.en.txt"
    assert done.code == 0 and done.out.strip() in _fold(text.read_text(encoding="utf-8"))
    assert "line 17" in done.err
    missing = kg_here(
        "quote", "cns-2022-02-17-ganzhou-bay-area", "bananas in pyjamas on the stairs"
    )
    assert missing.code == 1 and "nothing" in missing.err and missing.out == ""
    unknown = kg_here("quote", "no-such-source", "anything")
    assert unknown.code == 2 and "no source 'no-such-source'" in unknown.err
