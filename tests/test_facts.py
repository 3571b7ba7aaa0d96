"""The shipped facts (facts/, not the fixture corpus): they conform, every quote is verbatim,
every reference resolves, the article is covered and its slips noted. Only what stays true
as articles are added is asserted: lower bounds, and what the first article says."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal

import pytest
from conftest import ROOT, SHARED, project_config

from kg_build.facts.model import (
    Agreement,
    Figure,
    NamedRecord,
    Organisation,
    Person,
    Place,
    Project,
)
from kg_build.pipeline import Checked, check

ARTICLE = "cns-2022-02-17-ganzhou-bay-area"


@pytest.fixture(scope="module")
def checked(shared_texts: object) -> Checked:
    """The shipped facts, checked (references resolve, or this raises InputError)."""
    return check(project_config(facts=ROOT / "facts"))


def records(checked: Checked, kind: type) -> list:
    """The records of the first article (and the shared places) of a kind."""
    return [
        e.record
        for e in checked.corpus.entries.values()
        if isinstance(e.record, kind) and (e.source == ARTICLE or e.kind == "places")
    ]


def test_every_quote_occurs_in_its_source_text(checked: Checked) -> None:
    assert checked.quotes.problems == []
    assert ARTICLE not in checked.quotes.unchecked
    assert "cn-admin-divisions" not in checked.quotes.unchecked
    assert checked.quotes.checked >= 150


def test_the_shipped_facts_conform(checked: Checked) -> None:
    assert [str(p) for p in checked.problems] == []


def test_coverage_of_the_article(checked: Checked) -> None:
    projects = records(checked, Project)
    infrastructure = [
        p for p in projects if p.type.value not in ("project-portfolio", "investment-project")
    ]
    assert len(records(checked, Place)) >= 25
    assert len(infrastructure) >= 15
    assert len(records(checked, Organisation)) >= 15
    assert len(records(checked, Agreement)) >= 10
    people = {p.name.en for p in records(checked, Person)}
    named_in_article = {
        "Wan Kai",
        "Wan Feng",
        "Tan Guomin",
        "Liu Junwu",
        "Liu Zhankun",
        "Wu Pengquan",
        "Wen Julin",
        "Zhang Huiting",
        "Li Jian",
        "Zou Zhonghui",
    }
    assert named_in_article <= people
    events = {e.record.id for e in checked.corpus.of_kind("events")}
    assert {
        "project-mobilisation-meeting-2022",
        "world-ganzhou-business-conference-3",
        "spring-festival-travel-2022",
    } <= events


# (value, unit, comparator) of every figure in the text, as the issue lists them.
EXPECTED_FIGURES = [
    ("358", "count", "exactly"),
    ("212900000000", "CNY", "exactly"),
    ("526", "count", "exactly"),
    ("505900000000", "CNY", "exactly"),
    ("5.5", "hour", "exactly"),
    ("1.5", "hour", "exactly"),
    ("2", "hour", "exactly"),
    ("69", "count", "exactly"),
    ("4.5", "count", "exactly"),
    ("466000", "count", "exactly"),
    ("62", "count", "exactly"),
    ("333", "count", "exactly"),
    ("90", "percent", "more-than"),
    ("90", "count", "more-than"),
    ("219", "count", "exactly"),
    ("121404000000", "CNY", "exactly"),
    ("48", "count", "exactly"),
    ("85000", "count", "exactly"),
    ("30", "count", "more-than"),
    ("50", "percent", "about"),
    ("10", "percent", "exactly"),
]


def test_every_figure_of_the_text_is_recorded(checked: Checked) -> None:
    figures = Counter(
        (format(f.value.normalize(), "f"), f.unit, f.comparator.value)
        for f in records(checked, Figure)
    )
    for figure in EXPECTED_FIGURES:
        assert figures[figure] >= 1, figure
    ranks = [f for f in records(checked, Figure) if f.unit == "rank"]
    assert len(ranks) == 5 and all(
        f.value == Decimal(1) and f.rank_within == "jiangxi" for f in ranks
    )


@pytest.mark.parametrize(
    ("record_id", "slip"),
    [
        ("gannan", "southern Gansu"),
        ("ganzhou-huangjin-airport", "Golden Airport"),
        ("gan-yue-canal", "Gan-Guangdong Canal"),
        ("lantern-festival-2022", "Shangyuan"),
    ],
)
def test_translation_slips_are_corrected_with_a_note(
    checked: Checked, record_id: str, slip: str
) -> None:
    record = checked.corpus.entries[record_id].record
    assert isinstance(record, NamedRecord)
    assert record.note and slip in record.note
    assert slip not in record.name.en  # corrected in the data, not copied


def test_places_carry_codes_pinyin_and_points_from_the_gazetteer(checked: Checked) -> None:
    with open(SHARED / "reference" / "cn-admin-divisions.csv", encoding="utf-8") as handle:
        gazetteer = {row["code"]: row for row in csv.DictReader(handle)}
    for place in records(checked, Place):
        assert place.name.pinyin, place.id
        if place.code is None:
            continue
        row = gazetteer[place.code]
        assert row["full_name_zh"] == place.name.zh, place.id
        assert (place.wikidata or "") == row["wikidata"], place.id
        if place.point is not None:
            assert (place.point.lat, place.point.lon) == (float(row["lat"]), float(row["lon"]))
        parents = {getattr(checked.corpus.entries[p].record, "code", None) for p in place.part_of}
        if row["parent_code"]:
            assert row["parent_code"] in parents, place.id


def test_identifiers_are_unique_and_readable(checked: Checked) -> None:
    ids = list(checked.corpus.entries)
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)


def test_every_figure_states_its_value_and_period_in_its_quote(checked: Checked) -> None:
    """What can be checked by machine of "the quote supports the record": a figure's value
    is written in its quote (212.9 billion, 85,000, one and a half, half, first), and its
    period is in the quote or is the source's date or year."""
    from quote_support import states_period, states_value

    unsupported = []
    for entry in checked.corpus.of_kind("figures"):
        figure = entry.record
        assert isinstance(figure, Figure)
        source = checked.corpus.sources[entry.source][0]
        quote = " ".join(figure.quote)
        if not states_value(quote, figure.value):
            unsupported.append(f"{figure.id}: value {figure.value} not in {quote!r}")
        if figure.period and not states_period(figure.quote, figure.period, source.published):
            unsupported.append(f"{figure.id}: period {figure.period} not in {quote!r}")
    assert unsupported == []


def test_every_milestone_and_event_states_its_period(checked: Checked) -> None:
    from quote_support import states_period

    unsupported = []
    for entry in checked.corpus.entries.values():
        record, published = entry.record, checked.corpus.sources[entry.source][0].published
        if isinstance(record, Project):
            for milestone in record.milestones:
                if not states_period(milestone.quote, milestone.period, published):
                    unsupported.append(f"{record.id}: {milestone.period} {milestone.quote}")
    assert unsupported == []


@pytest.mark.parametrize(
    ("quote", "value", "found"),
    [
        ("with a total investment of 212.9 billion yuan", "212.9e9", True),
        ("attracted 85,000 tourists", "85000", True),
        ("reduced from 5.5 hours to one and a half hours", "1.5", True),
        ("Half of our output value", "50", True),
        ("ranked first in the province", "1", True),
        ("ranked first in the province", "2", False),
        ("466,000 passengers", "46600", False),
    ],
)
def test_the_value_check_reads_numbers_as_written(quote: str, value: str, found: bool) -> None:
    from quote_support import states_value

    assert states_value(quote, Decimal(value)) is found
