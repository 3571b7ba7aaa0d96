"""Every date a text states, resolved against the source's date where the text leaves the
year or the day to the reader ("February 17th", "on Tuesday", "this year", 2月17日, 今年).

A grammar of our own rather than dateparser: dateparser's search_dates reads "first",
"Today" and "2022 provincial" as dates and knows nothing of a source's date, and a date a
festival names ("the day after the Lantern Festival") must go to the curator with a note,
not be guessed. Behaviour pinned by tests/test_draft.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class DateMention:
    period: str | None  # a year, a day or an interval as fact files write it; None: unresolved
    span: Span
    text: str
    note: str = ""  # how it was resolved, or why it was not


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_EN = re.compile(
    rf"\b(?:"
    rf"(?P<m1>{_MONTH})\.?\s+{_ORD.replace('day', 'd1')}(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}})"
    rf"|(?P<weekday>{'|'.join(_DAYS)})"
    rf"|(?P<relday>yesterday|today)"
    rf"|(?P<rel>this|last|next)\s+year"
    rf"|(?:in|since|by|until|before|after|of|from|to|during|for)\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<yearlead>(?:19|20)\d\d)(?=\s+(?:provincial|annual|national|work|plan|budget))"
    rf")\b",
    re.IGNORECASE,
)
_FESTIVAL_EN = re.compile(
    r"\b(?:the\s+(?:day|week|month)\s+(?:after|before)\s+)?(?:the\s+)?"
    r"(?:Lantern|Spring|Dragon\s+Boat|Mid-Autumn|Qingming|Double\s+Ninth)\s+Festival\b",
    re.IGNORECASE,
)
_ZH = re.compile(
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?"
    r"|(?P<yo>\d{4})年(?!\d)"
    r"|(?P<rel>今年|去年|明年|前年)"
    r"|(?P<relday>昨天|今天|昨日|今日)"
    r"|(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
)
_FESTIVAL_ZH = re.compile(
    r"(?:元宵节|春节|端午节|中秋节|清明节|重阳节|上元节?)(?:后一天|次日|前夕|期间|后)?"
)
_WEEKDAY_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_REL_YEAR = {"this": 0, "last": -1, "next": 1, "今年": 0, "去年": -1, "明年": 1, "前年": -2}
FESTIVAL_NOTE = "a lunar-calendar festival names this day: look up its date in the source's year"


def dates(text: str, published: dt.date) -> list[DateMention]:
    """The dates of `text` in order, longest first where two overlap."""
    found = [*_english(text, published), *_chinese(text, published)]
    kept: list[DateMention] = []
    for d in sorted(found, key=lambda d: (d.span[0], -(d.span[1] - d.span[0]))):
        if not kept or d.span[0] >= kept[-1].span[1]:
            kept.append(d)
    return kept


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


_COUNTED = "counted from the source's date"
_SOURCE_YEAR = "the year is the source's"


def _month(year: int, month: int) -> str | None:
    """A month as the interval of its days."""
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    return f"{year}-{month:02d}-01/{year}-{month:02d}-{last}"


def _weekday(published: dt.date, weekday: int, span: Span, said: str) -> DateMention:
    """A weekday named without a date: the last one up to the source's date."""
    back = (published.weekday() - weekday) % 7
    day_of = published - dt.timedelta(days=back)
    return DateMention(day_of.isoformat(), span, said, "the last such day up to the source's date")


def _days_before(published: dt.date, days: int, span: Span, said: str) -> DateMention:
    """Today, yesterday."""
    return DateMention((published - dt.timedelta(days=days)).isoformat(), span, said, _COUNTED)


def _years_after(published: dt.date, years: int, span: Span, said: str) -> DateMention:
    """This, last, next year."""
    return DateMention(str(published.year + years), span, said, _COUNTED)


def _english(text: str, published: dt.date) -> Iterator[DateMention]:
    for m in _FESTIVAL_EN.finditer(text):
        yield DateMention(None, m.span(), m.group(), FESTIVAL_NOTE)
    for m in _EN.finditer(text):
        g = {k: v for k, v in m.groupdict().items() if v}
        span, said = m.span(), m.group()
        if "m1" in g or "m2" in g:
            month = _MONTHS[(g.get("m1") or g["m2"]).lower()]
            day = int(g.get("d1") or g["d2"])
            year_text = g.get("y1") or g.get("y2")
            period = _day(int(year_text or published.year), month, day)
            if period:
                yield DateMention(period, span, said, "" if year_text else _SOURCE_YEAR)
        elif "m3" in g:
            period = _month(int(g["y3"]), _MONTHS[g["m3"].lower()])
            if period:
                yield DateMention(period, span, said)
        elif "weekday" in g:
            yield _weekday(published, _DAYS[g["weekday"].lower()], span, said)
        elif "relday" in g:
            yield _days_before(published, int(g["relday"].lower() == "yesterday"), span, said)
        elif "rel" in g:
            yield _years_after(published, _REL_YEAR[g["rel"].lower()], span, said)
        else:
            which = "year" if "year" in g else "yearlead"
            yield DateMention(g[which], m.span(which), g[which])


def _chinese(text: str, published: dt.date) -> Iterator[DateMention]:
    for m in _FESTIVAL_ZH.finditer(text):
        yield DateMention(None, m.span(), m.group(), FESTIVAL_NOTE)
    for m in _ZH.finditer(text):
        g = {k: v for k, v in m.groupdict().items() if v}
        span, said = m.span(), m.group()
        if "m" in g:
            year, month = int(g.get("y") or published.year), int(g["m"])
            period = _day(year, month, int(g["d"])) if "d" in g else _month(year, month)
            if period:
                yield DateMention(period, span, said, "" if "y" in g else _SOURCE_YEAR)
        elif "yo" in g:
            yield DateMention(g["yo"], span, said)
        elif "rel" in g:
            yield _years_after(published, _REL_YEAR[g["rel"]], span, said)
        elif "relday" in g:
            yield _days_before(published, int(g["relday"].startswith("昨")), span, said)
        else:
            yield _weekday(published, _WEEKDAY_ZH[g["wd"]], span, said)
