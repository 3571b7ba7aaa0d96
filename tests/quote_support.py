"""Whether a quote states what its record says, where that can be checked by machine: a
figure's value written in its quote (in digits, with a scale word, or in words), a day or a
year in the quote or the source's own date. Used by the tests over facts/."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
SCALES = {"billion": Decimal(10**9), "million": Decimal(10**6), "thousand": Decimal(1000)}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def numbers_in(text: str) -> set[Decimal]:
    """Every number the text writes: digits (with thousands separators, a scale word or a
    percent sign after them), number words, "half" and "one and a half", ordinals."""
    found: set[Decimal] = set()
    lowered = text.lower()
    for match in _NUMBER.finditer(lowered):
        value = Decimal(match.group().replace(",", ""))
        found.add(value)
        after = lowered[match.end() :].lstrip()
        for word, scale in SCALES.items():
            if after.startswith(word):
                found.add(value * scale)
    tokens = re.findall(r"[a-z]+", lowered)
    for i, word in enumerate(tokens):
        if word in WORDS:
            found.add(Decimal(WORDS[word]))
            if tokens[i + 1 : i + 4] == ["and", "a", "half"]:
                found.add(Decimal(WORDS[word]) + Decimal("0.5"))
        if word in ORDINALS:
            found.add(Decimal(ORDINALS[word]))
        if word == "half":
            found.update({Decimal("0.5"), Decimal(50)})  # half an hour; half of it (percent)
    return found


def states_value(quote: str, value: Decimal) -> bool:
    return value.normalize() in {n.normalize() for n in numbers_in(quote)}


def states_period(quotes: list[str], period: str, published: dt.date) -> bool:
    """A period is stated if the quote gives its year or day, or it is the source's date
    or year (what "this year", "at present" and the present tense refer to)."""
    text = " ".join(quotes)
    first = period.split("/")[0]
    year = first[:4]
    if first == published.isoformat() or (len(first) == 4 and int(year) == published.year):
        return True
    if len(first) == 4:
        return year in text
    day = dt.date.fromisoformat(first)
    month = MONTHS[day.month - 1]
    return first in text or (month in text and str(day.day) in text)
