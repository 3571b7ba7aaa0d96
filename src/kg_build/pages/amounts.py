"""Numbers for people: 212900000000 CNY is "212.9 billion yuan" and "2129亿元", 466000 is
"466,000"; the exact value stays in the page's data attributes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_EN_SCALES = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
)
_ZH_SCALES = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
CURRENCIES = {
    "CNY": ("yuan", "元"),
    "HKD": ("Hong Kong dollars", "港元"),
    "MOP": ("patacas", "澳门元"),
    "USD": ("US dollars", "美元"),
    "EUR": ("euros", "欧元"),
}


def _plain(value: Decimal) -> str:
    """At most two decimals, none that are zero, thousands separated: 212.9, 1,200, 0.35."""
    text = (
        f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
        if value != value.to_integral()
        else f"{value:,.0f}"
    )
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Decimal) -> str:
    return _plain(value)


def money(value: Decimal, currency: str, lang: str = "en") -> str:
    """Both ways, the page's language first: "212.9 billion yuan (2,129亿元)"."""
    en, zh = money_en(value, currency), money_zh(value, currency)
    return f"{zh}（{en}）" if lang == "zh" else f"{en} ({zh})"


def money_en(value: Decimal, currency: str) -> str:
    return _money(value, _EN_SCALES, CURRENCIES.get(currency, (currency,))[0], " ")


def money_zh(value: Decimal, currency: str) -> str:
    return _money(value, _ZH_SCALES, CURRENCIES.get(currency, (currency, currency))[1], "")


def _money(
    value: Decimal, scales: tuple[tuple[Decimal, str], ...], currency: str, space: str
) -> str:
    """The value in the largest scale it reaches (billion, 亿), then the currency's name."""
    for size, word in scales:
        if abs(value) >= size:
            return f"{_plain(value / size)}{space}{word}{space}{currency}"
    return f"{_plain(value)}{space}{currency}"
