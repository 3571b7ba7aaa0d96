"""A small Wikidata-shaped graph generated from the gazetteer, for the endpoint tests of
`kg link suggest`: one item per division with a QID, carrying what the live query service
would give (zh and en labels, P442 code, P131 parent item, P625 point, P31 class), plus a few
organisation items: Huawei's and Ping An Bank's with their real QIDs (verified in
../shared/reference/external-ids.csv), the look-alikes invented here with QIDs from
Q900000001 up, so nobody mistakes them for real ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
CLASS_OF_LEVEL = {"province": "Q1615742", "prefecture": "Q748149", "county": "Q1343246"}
SUFFIX_EN = {"县": " County", "区": " District"}


def _item(qid: str) -> ox.NamedNode:
    return ox.NamedNode(WD + qid)


def _prop(pid: str) -> ox.NamedNode:
    return ox.NamedNode(WDT + pid)


def english_label(full_name_zh: str, pinyin: str) -> str:
    """As Wikidata writes them: 'Xinfeng County', 'Ganzhou', 'Nankang District'."""
    base = "".join(pinyin.split()).capitalize()
    return base + SUFFIX_EN.get(full_name_zh[-1:], "")


def wikidata_extract(gazetteer_csv: Path) -> list[ox.Quad]:
    with gazetteer_csv.open(encoding="utf-8", newline="") as handle:
        rows = {r["code"]: r for r in csv.DictReader(handle)}
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, p, o, ox.DefaultGraph()))

    for code, row in rows.items():
        if not row["wikidata"]:
            continue
        item = _item(row["wikidata"])
        add(item, LABEL, ox.Literal(row["full_name_zh"], language="zh"))
        add(
            item,
            LABEL,
            ox.Literal(english_label(row["full_name_zh"], row["pinyin"]), language="en"),
        )
        add(item, _prop("P442"), ox.Literal(code))
        add(item, _prop("P31"), _item(CLASS_OF_LEVEL[row["level"]]))
        add(item, _prop("P625"), ox.Literal(f"Point({row['lon']} {row['lat']})", datatype=WKT))
        parent = rows.get(row["parent_code"])
        while parent is not None and not parent["wikidata"]:  # municipal groupings have none
            parent = rows.get(parent["parent_code"])
        if parent is not None:
            add(item, _prop("P131"), _item(parent["wikidata"]))
    qid_of = {code: row["wikidata"] for code, row in rows.items()}
    organisations = [
        # (qid, zh, en, class, located in (division code))
        ("Q160120", "华为技术有限公司", "Huawei", "Q4830453", "440300"),
        # same English label, not an organisation: a disambiguation page, say
        ("Q900000002", "华为 (消歧义)", "Huawei", "Q4167410", ""),
        # two banks called 平安银行 in different cities: only the seat tells them apart
        ("Q7195659", "平安银行", "Ping An Bank", "Q22687", "440300"),
        ("Q900000004", "平安银行", "Ping An Bank", "Q22687", "310000"),
        # a company with the right name in the wrong city and no class we know
        ("Q900000005", "创维集团", "Skyworth Group", "Q5", "110000"),
    ]
    for qid, zh, en, cls, where in organisations:
        item = _item(qid)
        add(item, LABEL, ox.Literal(zh, language="zh"))
        add(item, LABEL, ox.Literal(en, language="en"))
        add(item, _prop("P31"), _item(cls))
        if where:
            add(item, _prop("P159"), _item(qid_of[where]))
    return quads
