"""When sources disagree: which figure answers by default, and where they conflict.

Figures are *of the same thing* when they give the same measure of the same thing, between
the same places, under the same condition, within the same region (`about`, `measure`,
`from`, `to`, `condition`, `rank_within`): a project's length, the travel time from Xinfeng
to Shenzhen after the railway opened. Of such figures one answers by default, as in
Wikidata's ranks (preferred, normal, deprecated):

1. a rank a curator set (`rank`, with `rank_reason`) holds;
2. otherwise, among the figures not deprecated, the one whose period ends last is preferred
   (the current state: a length measured in 2021 over one planned in 2015), then the one
   whose source was published last; the others are normal;
3. a figure that is the only one of its thing has no rank (it answers).

Figures of the same thing *for the same period* that give another amount or comparator are a
conflict: both are published, each with its source, and `kg conflicts` lists them. Amounts
are compared in the SI unit of their quantity kind where the vocabulary gives the unit's
conversion (420 km and 420000 m agree; 1 h 49 min is 109 min), and months in years; other
units (currencies, ranks) as given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import TypedDict

from kg_build.facts.load import Corpus, Entry, Unit
from kg_build.facts.model import Event, Figure

Rank = str  # "preferred", "normal" or "deprecated"


@dataclass(frozen=True)
class Ranked:
    rank: Rank
    reason: str


@dataclass(frozen=True)
class Conflict:
    """Figures of one thing for one period that disagree (two or more)."""

    figures: tuple[Entry, ...]
    # the ids of each two of them whose amounts (or comparators) differ, in order
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass
class Disagreements:
    ranks: dict[str, Ranked] = field(default_factory=dict)  # figure id -> its rank
    conflicts: list[Conflict] = field(default_factory=list)


def thing_of(figure: Figure) -> tuple[str, ...]:
    """What a figure is a figure of (see the module's text)."""
    return (
        figure.about,
        figure.measure,
        figure.origin or "",
        figure.destination or "",
        figure.condition or "",
        figure.rank_within or "",
    )


def disagreements(corpus: Corpus, units: Mapping[str, Unit]) -> Disagreements:
    """Ranks of the figures that have others of the same thing, and the conflicts among them
    (`units`: the vocabulary's, by id and symbol, to compare amounts in other units)."""
    groups: dict[tuple[str, ...], list[Entry]] = {}
    for entry in corpus.of_kind("figures"):
        if isinstance(entry.record, Figure):
            groups.setdefault(thing_of(entry.record), []).append(entry)
    found = Disagreements()
    for key in sorted(groups):
        members = groups[key]
        if len(members) < 2:
            continue
        found.ranks.update(_ranks(corpus, members))
        found.conflicts.extend(_conflicts(members, units))
    return found


def _ranks(corpus: Corpus, members: list[Entry]) -> dict[str, Ranked]:
    ranks: dict[str, Ranked] = {}
    chosen = [m for m in members if _figure(m).rank is not None]
    for entry in chosen:
        figure = _figure(entry)
        ranks[figure.id] = Ranked(
            figure.rank or "normal", f"set by the curator: {figure.rank_reason}"
        )
    open_ = [m for m in members if _figure(m).rank is None]
    if any(_figure(m).rank == "preferred" for m in chosen):
        for entry in open_:
            ranks[_figure(entry).id] = Ranked(
                "normal", "another figure was preferred by the curator"
            )
        return ranks
    latest = max(open_, key=lambda m: _recency(corpus, m), default=None)
    for entry in open_:
        if entry is latest:
            ranks[_figure(entry).id] = Ranked("preferred", _why(corpus, entry, open_))
        else:
            ranks[_figure(entry).id] = Ranked("normal", "a more recent figure of the same thing")
    return ranks


def _why(corpus: Corpus, chosen: Entry, members: list[Entry]) -> str:
    ends = {_period_end(corpus, _figure(m)) for m in members}
    if len(ends) > 1 and max(ends) == _period_end(corpus, _figure(chosen)):
        return "its period is the most recent of the figures of this thing"
    return "its source was published most recently of those giving this thing"


def _conflicts(members: list[Entry], units: Mapping[str, Unit]) -> Iterable[Conflict]:
    by_period: dict[tuple[str, str], list[Entry]] = {}
    for entry in members:
        figure = _figure(entry)
        by_period.setdefault((figure.period or "", figure.during or ""), []).append(entry)
    for key in sorted(by_period):
        same = by_period[key]
        said = {m.record.id: (_figure(m).comparator, *amount(_figure(m), units)) for m in same}
        if len(set(said.values())) > 1:
            ids = sorted(said)
            pairs = tuple((a, b) for a in ids for b in ids if a < b and said[a] != said[b])
            yield Conflict(tuple(sorted(same, key=lambda m: (m.source, _figure(m).id))), pairs)


# Enough digits to tell any two amounts a source writes apart, few enough that a conversion
# that does not end (km/h in metres per second) gives the same digits both ways.
_DIGITS = 12
_MONTHS = {"M": 1, "Y": 12}  # months in a calendar unit, by its xsd:duration designator


def amount(figure: Figure, units: Mapping[str, Unit]) -> tuple[str, Decimal]:
    """The figure's amount as comparable with others: (what it is measured in, value)."""
    unit = units.get(figure.unit)
    if unit is None:  # a currency: compared as given
        return figure.unit, Decimal(figure.value).normalize()
    if unit.multiplier is not None and unit.quantity_kind is not None:
        with localcontext() as context:
            context.prec = _DIGITS
            return unit.quantity_kind, (Decimal(figure.value) * unit.multiplier).normalize()
    months = _MONTHS.get(unit.designator or "")
    if months is not None:  # calendar units: a year is twelve months, whatever their days
        return "months", (Decimal(figure.value) * months).normalize()
    return unit.id, Decimal(figure.value).normalize()


def _figure(entry: Entry) -> Figure:
    if not isinstance(entry.record, Figure):  # pragma: no cover - grouped from figures only
        raise TypeError(f"{entry.record.id} is not a figure")
    return entry.record


def _recency(corpus: Corpus, entry: Entry) -> tuple[dt.date, dt.date, str]:
    figure = _figure(entry)
    source = corpus.sources.get(entry.source)
    published = source[0].published if source is not None else dt.date.min
    return _period_end(corpus, figure), published, figure.id


def _period_end(corpus: Corpus, figure: Figure) -> dt.date:
    period = figure.period
    if period is None and figure.during is not None:
        event = corpus.entries.get(figure.during)
        if event is not None and isinstance(event.record, Event):
            period = event.record.period
    if period is None:
        return dt.date.min
    last = period.rpartition("/")[2]
    return dt.date(int(last), 12, 31) if len(last) == 4 else dt.date.fromisoformat(last)


class FigureItem(TypedDict):
    id: str
    source: str
    value: str
    unit: str
    comparator: str
    at: str  # file:line
    quote: str
    rank: str | None
    rank_reason: str | None


class ConflictItem(TypedDict):
    of: dict[str, str]  # what the figures are of: about, measure, and from, to ... if given
    period: str
    figures: list[FigureItem]


_THING_FIELDS = ("about", "measure", "from", "to", "condition", "rank_within")


def conflict_report(found: Disagreements) -> list[ConflictItem]:
    """Each conflict as plain data: what the figures are of, and each figure with its source,
    value, place in the fact files, quote and rank (for `kg conflicts`)."""
    report: list[ConflictItem] = []
    for conflict in found.conflicts:
        first = _figure(conflict.figures[0])
        thing = dict(zip(_THING_FIELDS, thing_of(first), strict=True))
        report.append(
            {
                "of": {k: v for k, v in thing.items() if v},
                "period": first.period or f"during {first.during}",
                "figures": [_figure_report(found, entry) for entry in conflict.figures],
            }
        )
    return report


def _figure_report(found: Disagreements, entry: Entry) -> FigureItem:
    figure = _figure(entry)
    ranked = found.ranks.get(figure.id)
    return {
        "id": figure.id,
        "source": entry.source,
        "value": str(figure.value),
        "unit": figure.unit,
        "comparator": figure.comparator.value,
        "at": f"{entry.origin.file}:{entry.origin.line}",
        "quote": figure.quote[0],
        "rank": ranked.rank if ranked else None,
        "rank_reason": ranked.reason if ranked else None,
    }


def conflict_lines(found: Disagreements) -> list[str]:
    """The conflicts for people: one block each, both quotes under each other."""
    lines = []
    for item in conflict_report(found):
        what = ", ".join(f"{k} {v}" for k, v in item["of"].items())
        lines.append(f"conflict: {what}; period {item['period']}")
        for f in item["figures"]:
            shown = "" if f["comparator"] == "exactly" else f"{f['comparator']} "
            rank = f" [{f['rank']}]" if f["rank"] else ""
            lines.append(f"  {f['source']}: {shown}{f['value']} {f['unit']}{rank}  ({f['at']})")
            lines.append(f'      "{f["quote"]}"')
    return lines
