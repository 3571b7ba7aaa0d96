"""The YAML reader keeps lines, refuses duplicate keys, and leaves dates as text."""

from __future__ import annotations

import pytest

from kg_build.facts.yaml_positions import DuplicateKeyError, load_located


def test_lines_of_nested_values() -> None:
    doc = load_located("places:\n  - id: a\n    name:\n      en: A\n  - id: b\n")
    assert doc.lines[("places", 0, "name", "en")] == 4
    assert doc.lines[("places", 1)] == 5
    assert doc.line_of(("places", 1, "missing")) == 5


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        load_located("id: a\nid: b\n")
    assert (caught.value.line, caught.value.first_line) == (2, 1)


def test_dates_stay_text_so_impossible_days_can_be_reported() -> None:
    assert load_located("day: 2022-02-30\n").data == {"day": "2022-02-30"}
    assert load_located("n: 358\nx: 5.5\n").data == {"n": 358, "x": 5.5}
