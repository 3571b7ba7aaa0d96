"""Pages from Jinja2 templates (templates/), autoescaped: data in a page can never become
markup or script. One environment serves every page of `kg serve`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import asdict
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kg_build.pages import i18n

# The one stylesheet, inline: kg serve's Content-Security-Policy admits it by its digest.
STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}
table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.zh{font-size:1.1em}code{background:#f4f4f4}
.lang{color:#666;font-size:.8em;margin-left:.3em}
blockquote{border-left:3px solid #aaa;margin:.3rem 0;padding-left:.6rem}
.map{height:28rem;background:#eef2f5;border:1px solid #ccd}.map.small{height:16rem}
.kg-chart{margin:1rem 0}.kg-chart svg{font:11px system-ui,sans-serif;overflow:visible}
.kg-chart text{fill:currentColor}
.leaflet-tooltip.kg-label{background:#fff;border:0;box-shadow:none;font-size:.75rem;
padding:0 .2rem}"""
# Tiles by default: OpenStreetMap's (their usage policy asks for the attribution the map shows).
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kg_build.pages", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name fails the page, not silently blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["style"] = STYLE
    env.filters["as_dict"] = asdict
    return env


# How a page links to the home page and to itself in each language: a server takes ?lang=,
# a static site has a file per language (pages/site.py sets its own).
SERVED = {"home_href": "/", "switch": {code: f"?lang={code}" for code in i18n.LANGUAGES}}
navigation: ContextVar[dict[str, Any]] = ContextVar("page navigation", default=SERVED)


def render(template: str, **context: Any) -> str:
    """`template` in the current page's language (i18n.speaking): `_` and `lang` are set,
    and the navigation (`navigation`)."""
    lang = i18n.current.get()
    page = {"_": i18n.translator(lang), "lang": lang, **navigation.get(), **context}
    return environment().get_template(template).render(**page)
