"""Candidates from a Wikidata-compatible SPARQL endpoint (the live query service, a mirror such
as QLever's, or a local store loaded with an extract): items whose label is one of the
record's names, with their division code (P442), parent (P131), classes (P31) and seat or
headquarters (P159).

A division found this way becomes a `Division` like a gazetteer row, so one scorer serves
both: its level is read off the code (xx0000 province, xxxx00 prefecture, else county) and its
parent code is the P442 of its P131, preferring the one the code's own prefix names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from rdflib.term import Node

from kg_build.facts.model import Organisation, Place
from kg_build.link.gazetteer import Division
from kg_build.link.suggest import OrgCandidate, place_keys, squashed
from kg_build.query.engines import QueryError, RemoteEngine

ENTITY = "http://www.wikidata.org/entity/"
PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# organisation (Q43229) and the classes our organisation types most often are on Wikidata;
# the live service could walk P279* instead, but mirrors and extracts rarely hold the tree
ORGANISATION_CLASSES = frozenset(
    {
        "Q43229",  # organization
        "Q4830453",  # business
        "Q783794",  # company
        "Q891723",  # public company
        "Q22687",  # bank
        "Q16917",  # hospital
        "Q192283",  # news agency
        "Q327333",  # government agency
        "Q2659904",  # government organization
        "Q1664720",  # institute
    }
)


class LinkEndpointError(Exception):
    """The endpoint could not be asked (exit code 2)."""


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def _qid(term: Node | None) -> str:
    return str(term)[len(ENTITY) :] if term is not None and str(term).startswith(ENTITY) else ""


class WikidataEndpoint:
    def __init__(self, url: str, timeout: int = 60) -> None:
        self.engine = RemoteEngine(url, timeout=timeout)
        self.evidence = f"{url} {dt.date.today().isoformat()}"

    def _select(self, text: str) -> list[dict[str, Node]]:
        try:
            result = self.engine.run_text(PREFIXES + text, form="SELECT")
        except QueryError as exc:
            raise LinkEndpointError(str(exc)) from exc
        return [
            {v: t for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]

    def divisions_for(self, place: Place) -> list[Division]:
        labels = {_literal(place.name.zh, "zh"), _literal(place.name.en, "en")}
        labels |= {_literal(k, "zh") for k in place_keys(place) if not k.isascii()}
        labels |= {_literal(k.capitalize(), "en") for k in place_keys(place) if k.isascii()}
        rows = self._select(
            f"""SELECT ?item ?code ?parentCode ?zh ?en WHERE {{
  VALUES ?label {{ {" ".join(sorted(labels))} }}
  ?item rdfs:label ?label ; wdt:P442 ?code .
  OPTIONAL {{ ?item wdt:P131 ?parent . ?parent wdt:P442 ?parentCode . }}
  OPTIONAL {{ ?item rdfs:label ?zh . FILTER(LANG(?zh) = "zh") }}
  OPTIONAL {{ ?item rdfs:label ?en . FILTER(LANG(?en) = "en") }}
}}"""
        )
        found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in rows:
            key = (_qid(row.get("item")), str(row["code"]))
            for name in ("parentCode", "zh", "en"):
                if name in row:
                    found[key][name].add(str(row[name]))
        return [_division(qid, code, seen) for (qid, code), seen in sorted(found.items())]

    def organisations_for(self, organisation: Organisation) -> list[OrgCandidate]:
        names = organisation.name
        labels = {_literal(n, "zh") for n in [names.zh, *names.alt_zh]}
        labels |= {_literal(n, "en") for n in [names.en, *names.alt_en]}
        rows = self._select(
            f"""SELECT ?item ?label ?class ?where WHERE {{
  VALUES ?name {{ {" ".join(sorted(labels))} }}
  ?item rdfs:label ?name .
  FILTER NOT EXISTS {{ ?item wdt:P442 ?code }}
  ?item rdfs:label ?label .
  OPTIONAL {{ ?item wdt:P31 ?class . }}
  OPTIONAL {{ {{ ?item wdt:P159 ?where . }} UNION {{ ?item wdt:P131 ?where . }} }}
}}"""
        )
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in rows:
            seen = found[_qid(row.get("item"))]
            seen["label"].add(str(row["label"]))
            if "class" in row:
                seen["class"].add(_qid(row["class"]))
            if "where" in row:
                seen["where"].add(_qid(row["where"]))
        return [
            OrgCandidate(
                qid,
                min(seen["label"], key=lambda s: (s.isascii(), s)),
                frozenset(s.lower() for s in seen["label"]),
                bool(seen["class"] & ORGANISATION_CLASSES),
                frozenset(seen["where"]),
            )
            for qid, seen in sorted(found.items())
            if qid
        ]


def _division(qid: str, code: str, seen: dict[str, set[str]]) -> Division:
    level = level_of(code)
    parents = seen.get("parentCode", set())
    # the parent the code itself implies, when Wikidata lists it among several P131 values
    implied = [code[:4] + "00", code[:2] + "0000"] if level == "county" else [code[:2] + "0000"]
    parent = next((p for p in implied if p in parents), min(parents, default=""))
    zh = min(seen.get("zh", set()), default="")
    en = min(seen.get("en", set()), default="")
    return Division(
        code=code,
        parent_code="" if level == "province" else parent,
        level=level,
        name_zh=zh.rstrip("市县区省") or zh,
        full_name_zh=zh,
        pinyin=squashed(en),
        wikidata=qid,
        line=0,
    )
