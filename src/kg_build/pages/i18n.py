"""The pages' two languages: which one a request gets, and the interface's words in it (the
message catalogue messages/zh.json; the data's own labels come from the data).

A request's language: `?lang=` (and a cookie remembers it), else the cookie, else the best
of `Accept-Language`, else English."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "lang"
MESSAGES = Path(__file__).resolve().parent / "messages"

# The language of the page being made: view.py reads labels in it. Set by `speaking`.
current: ContextVar[str] = ContextVar("page language", default=DEFAULT)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    token = current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        current.reset(token)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """English message -> the message in `lang` (English itself: no catalogue)."""
    if lang == DEFAULT:
        return {}
    found = json.loads((MESSAGES / f"{lang}.json").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in found.items()}


def translator(lang: str) -> Callable[[str], str]:
    """`_` for templates and views: a message in `lang`, or as it is if the catalogue has
    none (tests/test_pages.py checks that it has every one)."""
    messages = catalogue(lang)
    return lambda message: messages.get(message, message)


def _(message: str) -> str:
    """A message in the current page's language."""
    return translator(current.get())(message)


def choose(param: str | None, cookie: str | None, accept_language: str | None) -> str:
    for given in (param, cookie):
        if given in LANGUAGES:
            return str(given)
    best, quality = DEFAULT, 0.0
    for part in (accept_language or "").split(","):
        tag, _sep, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > quality:
            best, quality = primary, q
    return best
