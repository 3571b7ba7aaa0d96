"""Every number a text states, with its unit, scale and comparator, in English and Chinese.

A grammar of our own rather than quantulum3: the units must be those of our vocabulary
(ontology/vocabularies.ttl, ISO 4217) and the Chinese forms (2129亿元, 35.8万, 一个半小时)
are outside what quantity extractors know. Its behaviour is pinned by tests/test_draft.py.
Chinese numerals are read by cn2an; the rest is below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import cn2an

Span = tuple[int, int]


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # with its scale applied: 212.9 billion -> 212900000000
    unit: str  # a unit of the vocabulary (count, hour, km, ...), or an ISO 4217 code
    comparator: str  # exactly, about, more-than, at-least, less-than
    span: Span  # what was read, in the text
    text: str
    scale: int = 0  # the power of ten the text's scale word stands for (billion: 9, 亿: 8)
    thing: str = ""  # the words after a count: "major projects"; empty for a unit
    number: Decimal | None = None  # the number as written, before the scale

    @property
    def written(self) -> str:
        """The value as a fact file writes it: 212.9e9 keeps the scale the text used."""
        shown = self.number if self.number is not None else self.value
        text = _plain(shown)
        return f"{text}e{self.scale}" if self.scale else text


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_WORD_VALUES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "dozens of": 24,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_SCALES_EN = {"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALES_ZH = {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}

# unit words -> vocabulary unit or currency; longest alternatives first in the pattern
_UNITS_EN = {
    "yuan": "CNY", "rmb": "CNY", "renminbi": "CNY", "hong kong dollars": "HKD",
    "hk dollars": "HKD", "us dollars": "USD", "dollars": "USD", "euros": "EUR", "euro": "EUR",
    "hours": "hour", "hour": "hour", "hrs": "hour", "minutes": "minute", "minute": "minute",
    "mins": "minute", "days": "day", "day": "day", "months": "month", "month": "month",
    "years": "year", "year": "year",
    "kilometres per hour": "km-per-hour", "kilometers per hour": "km-per-hour",
    "km per hour": "km-per-hour", "km/h": "km-per-hour", "kph": "km-per-hour",
    "square kilometres": "square-km", "square kilometers": "square-km", "sq km": "square-km",
    "km2": "square-km", "km²": "square-km", "kilometres": "km", "kilometers": "km",
    "kilometre": "km", "kilometer": "km", "km": "km", "metres": "metre", "meters": "metre",
    "metre": "metre", "meter": "metre", "hectares": "hectare", "hectare": "hectare",
    "percent": "percent", "per cent": "percent", "percentage points": "percent", "%": "percent",
}  # fmt: skip
_CURRENCY_SIGNS = {"hk$": "HKD", "us$": "USD", "$": "USD", "¥": "CNY", "rmb": "CNY", "€": "EUR"}
_UNITS_ZH = {
    "元": "CNY", "人民币": "CNY", "港元": "HKD", "港币": "HKD", "美元": "USD", "欧元": "EUR",
    "个小时": "hour", "小时": "hour", "分钟": "minute", "天": "day", "个月": "month",
    "公里/小时": "km-per-hour", "千米/小时": "km-per-hour", "平方公里": "square-km",
    "平方千米": "square-km", "公里": "km", "千米": "km", "米": "metre", "公顷": "hectare",
    "%": "percent", "％": "percent",
}  # fmt: skip
# classifiers: a count of things ("526个项目", "30批")
_COUNTERS_ZH = "个|项|家|对|批|名|位|人次|人|座|条|所|户|辆|列|趟|架|处|件|款|次|场|宗|套|亩"
_COMPARATORS_EN = {
    "more than": "more-than", "over": "more-than", "above": "more-than",
    "exceeding": "more-than", "in excess of": "more-than", "upwards of": "more-than",
    "at least": "at-least", "no less than": "at-least", "not less than": "at-least",
    "less than": "less-than", "fewer than": "less-than", "under": "less-than",
    "below": "less-than", "nearly": "about", "almost": "about", "about": "about",
    "around": "about", "approximately": "about", "roughly": "about", "some": "about",
    "close to": "about",
}  # fmt: skip
_COMPARATORS_ZH = {
    "超过": "more-than", "逾": "more-than", "超": "more-than", "至少": "at-least",
    "不少于": "at-least", "不低于": "at-least", "不到": "less-than", "不足": "less-than",
    "低于": "less-than", "约": "about", "大约": "about", "近": "about", "将近": "about",
    "接近": "about",
}  # fmt: skip


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len)[::-1])


_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD = _alternatives([w for w in _WORD_VALUES if " " not in w])
_WORDNUM = (
    rf"(?:a\s+dozen|dozens\s+of|(?:{_WORD})(?:(?:-|\s+|\s+and\s+)(?:{_WORD}|hundred|thousand))*)"
)
_EN = re.compile(
    rf"(?<![\w.,+/-])"
    rf"(?:(?P<cmp>{_alternatives(list(_COMPARATORS_EN))})\s+)?"
    rf"(?P<sign>HK\$|US\$|\$|¥|€|RMB\s?)?"
    rf"(?:(?P<digits>{_DIGITS})|(?P<words>{_WORDNUM}))"
    rf"(?P<half>\s+and\s+a\s+half)?"
    rf"(?:[\s-]+(?P<scale>hundred\s+million|{_alternatives(list(_SCALES_EN))}))?"
    rf"(?P<plus>\+(?![\d\w]))?"
    rf"(?:\s?-?\s?(?P<unit>{_alternatives(list(_UNITS_EN))})(?![\w/]))?",
    re.IGNORECASE,
)
_HALF_EN = re.compile(r"\b(?:(?P<hour>half\s+an\s+hour)|(?P<of>half)\s+of)\b", re.IGNORECASE)
_AND_MINUTES = re.compile(r"\s+and\s+(\d+)\s+minutes?\b", re.IGNORECASE)
_RANK_EN = re.compile(
    rf"\b(?:rank(?:s|ed|ing)?\s+(?:the\s+)?|(?:is|was|are|were)\s+the\s+)"
    rf"(?P<ord>{_alternatives(list(_ORDINALS))}|No\.\s*\d+|\d+(?:st|nd|rd|th))\b"
    rf"(?P<where>\s+(?:in|among)\b)?",
    re.IGNORECASE,
)
_ZH_NUMERAL = "零一二两三四五六七八九十百千"
_ZH = re.compile(
    rf"(?:(?P<cmp>{_alternatives(list(_COMPARATORS_ZH))}))?"
    rf"(?:(?P<pct>百分之)(?P<pctnum>[\d.]+|[{_ZH_NUMERAL}点]+)"
    rf"|(?P<num>{_DIGITS}|[{_ZH_NUMERAL}]+)"
    rf"(?P<more>多|余)?"
    rf"(?P<half>个半)?"
    rf"(?P<scale>万亿|亿|万|千万|百万|千|百)?"
    rf"(?P<more2>多|余)?"
    rf"(?P<unit>{_alternatives(list(_UNITS_ZH))}|{_COUNTERS_ZH})?)"
    rf"(?P<above>以上)?"
)
_RANK_ZH = re.compile(
    rf"(?:排名|排|居|位居|位列|列)(?:全\w{{1,2}})?第(?P<ord>\d+|[{_ZH_NUMERAL}]+)"
)
_SPEED_ZH = re.compile(r"时速(?P<num>\d+(?:\.\d+)?)公里")
_HALF_ZH = re.compile(r"(?<![一二两三四五六七八九十个\d])半(?:个)?小时|一半")
_YEAR = re.compile(r"(?:1[89]|20|21)\d\d")
_THING = re.compile(r"\s*((?:[\"“”'‘’]?[A-Za-z-]+[\"“”'‘’]?\s*){1,4})")


def quantities(text: str, skip: Sequence[Span] = ()) -> list[Quantity]:
    """The quantities of `text` in order; none inside a span of `skip` (dates, names)."""
    found = [q for q in (*_english(text), *_chinese(text)) if not _inside(q.span, skip)]
    kept: list[Quantity] = []
    for q in sorted(found, key=lambda q: (q.span[0], -(q.span[1] - q.span[0]))):
        if not kept or q.span[0] >= kept[-1].span[1]:
            kept.append(q)
    return kept


def _inside(span: Span, spans: Sequence[Span]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _english(text: str) -> Iterator[Quantity]:
    for m in _RANK_EN.finditer(text):
        if m.group(0).lower().startswith(("is", "was", "are", "were")) and not m.group("where"):
            continue  # "is the first to try": an order, not a ranking
        word = m.group("ord").lower()
        value = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        yield Quantity(Decimal(value), "rank", "exactly", m.span("ord"), m.group("ord"))
    for m in _HALF_EN.finditer(text):
        if m.group("hour"):
            yield Quantity(Decimal("0.5"), "hour", "exactly", m.span(), m.group())
        else:
            yield Quantity(Decimal(50), "percent", "exactly", m.span("of"), m.group("of"))
    for m in _EN.finditer(text):
        q = _english_quantity(text, m)
        if q is not None:
            yield q


def _english_quantity(text: str, m: re.Match[str]) -> Quantity | None:
    digits, words, unit_word = m.group("digits"), m.group("words"), m.group("unit")
    sign = (m.group("sign") or "").strip().lower()
    after = text[m.end() : m.end() + 2]
    if digits:
        if re.match(r"(?:st|nd|rd|th)\b|[+:/]\d|-\d|\.\d", after):
            return None  # an ordinal (3rd World ...), a time of day, a range's start
        number = Decimal(digits.replace(",", ""))
    else:
        worded = _word_value(words)
        if worded is None:
            return None
        number = worded
    if m.group("half"):
        number += Decimal("0.5")
    scale = _scale_en(m.group("scale"))
    unit = _UNITS_EN.get(re.sub(r"\s+", " ", unit_word.lower())) if unit_word else None
    if sign:
        unit = _CURRENCY_SIGNS.get(sign, unit)
    comparator = _COMPARATORS_EN.get(re.sub(r"\s+", " ", (m.group("cmp") or "").lower()))
    if m.group("plus"):
        comparator = "more-than"
    thing = ""
    end = m.end()
    if unit is None:
        plain = digits and not scale and "," not in digits and "." not in digits
        if plain and _YEAR.fullmatch(digits):
            return None  # a year: the dates' business
        following = _THING.match(text, m.end())
        if following is None or text[m.end() : m.end() + 1] not in " \"“'":
            return None  # a number on its own: a code, a heading, part of a name
        thing = following.group(1).strip()
        if not digits and number == 1 and not m.group("half"):
            return None  # "one" is a word before it is a number
        unit = "count"
    value = number * (Decimal(10) ** scale)
    if unit == "hour":
        minutes = _AND_MINUTES.match(text, end)
        if minutes:
            value += Decimal(minutes.group(1)) / 60
            end = minutes.end()
    start = m.start() if m.group("cmp") or sign else m.start("digits" if digits else "words")
    return Quantity(
        value=_round(value),
        unit=unit,
        comparator=comparator or "exactly",
        span=(start, end),
        text=text[start:end],
        scale=scale,
        thing=thing,
        number=number if scale else None,
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001")).normalize() if value % 1 else value.normalize()


def _scale_en(word: str | None) -> int:
    if not word:
        return 0
    words = word.lower().split()
    return sum(_SCALES_EN[w] for w in words)


def _word_value(words: str) -> Decimal | None:
    folded = re.sub(r"\s+", " ", words.lower()).strip()
    if folded in _WORD_VALUES:
        return Decimal(_WORD_VALUES[folded])
    total = current = 0
    for word in re.split(r"[\s-]+", folded):
        if word == "and":
            continue
        if word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        else:
            return None
    return Decimal(total + current)


def _chinese(text: str) -> Iterator[Quantity]:
    for m in _RANK_ZH.finditer(text):
        value = _zh_value(m.group("ord"))
        if value is not None:
            yield Quantity(value, "rank", "exactly", m.span(), m.group())
    for m in _SPEED_ZH.finditer(text):
        yield Quantity(Decimal(m.group("num")), "km-per-hour", "exactly", m.span(), m.group())
    for m in _HALF_ZH.finditer(text):
        if m.group() == "一半":
            yield Quantity(Decimal(50), "percent", "exactly", m.span(), m.group())
        else:
            yield Quantity(Decimal("0.5"), "hour", "exactly", m.span(), m.group())
    for m in _ZH.finditer(text):
        q = _chinese_quantity(text, m)
        if q is not None:
            yield q


def _chinese_quantity(text: str, m: re.Match[str]) -> Quantity | None:
    if m.group("pct"):
        value = _zh_value(m.group("pctnum"))
        if value is None:
            return None
        return Quantity(value, "percent", _zh_comparator(m), m.span(), m.group())
    raw, unit_word, scale_word = m.group("num"), m.group("unit"), m.group("scale") or ""
    if not raw:
        return None
    chinese_numeral = not raw[0].isdigit()
    if chinese_numeral and not (unit_word or scale_word or m.group("half")):
        return None  # 一 in 统一, 三 in 三南: a numeral character is no number on its own
    if chinese_numeral and not _CJK_AROUND.search(text[max(0, m.start() - 1) : m.end() + 1]):
        return None
    if not chinese_numeral and not _CJK_AROUND.search(text[m.start() : m.end() + 1]):
        return None  # digits in an English sentence: the English grammar's
    number = _zh_value(raw)
    if number is None:
        return None
    if m.group("half"):
        number += Decimal("0.5")
    scale = sum(_SCALES_ZH[c] for c in scale_word)
    unit = _UNITS_ZH.get(unit_word or "") or ("count" if unit_word else None)
    if unit is None:
        if not scale:
            return None  # a bare number: a code, a year, part of a date or a name
        unit = "count"  # 35.8万 on its own: a number of something the sentence names
    if not chinese_numeral and not scale and _YEAR.fullmatch(raw) and unit == "count":
        return None
    start = m.start("num") if not m.group("cmp") else m.start()
    comparator = _zh_comparator(m)
    value = number * (Decimal(10) ** scale)
    return Quantity(
        value=_round(value),
        unit=unit,
        comparator=comparator,
        span=(start, m.end()),
        text=text[start : m.end()],
        scale=scale,
        thing=unit_word or "",
        number=number if scale else None,
    )


_CJK_AROUND = re.compile(r"[\u3400-\u9fff％]")


def _zh_comparator(m: re.Match[str]) -> str:
    if m.group("cmp"):
        return _COMPARATORS_ZH[m.group("cmp")]
    if m.groupdict().get("more") or m.groupdict().get("more2"):
        return "more-than"
    if m.group("above"):
        return "at-least"
    return "exactly"


def _zh_value(raw: str) -> Decimal | None:
    if re.fullmatch(_DIGITS, raw):
        return Decimal(raw.replace(",", ""))
    try:
        return Decimal(str(cn2an.cn2an(raw, "smart")))
    except (ValueError, KeyError):
        return None
