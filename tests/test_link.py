"""Links to other datasets, checked and suggested against the gazetteer in ../shared/reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, SHARED, run_kg
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD

from kg_build.facts.load import Corpus
from kg_build.link.check import check_links
from kg_build.link.gazetteer import Gazetteer, load_gazetteer
from kg_build.link.suggest import suggest_links
from kg_build.pipeline import Checked

GAZETTEER_CSV = SHARED / "reference" / "cn-admin-divisions.csv"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(GAZETTEER_CSV)


def test_every_place_with_a_code_agrees_with_the_gazetteer(
    checked: Checked, gazetteer: Gazetteer
) -> None:
    assert check_links(checked.corpus, gazetteer) == []
    coded = [e.record for e in checked.corpus.of_kind("places") if e.record.code]  # type: ignore[attr-defined]
    assert len(coded) >= 20
    for place in coded:
        assert place.wikidata == gazetteer.by_code[place.code].wikidata  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "    wikidata: Q1356667\n",
            "    wikidata: Q1356666\n",
            "wikidata",
            "disagrees with the gazetteer",
        ),
        ('    code: "360722"\n', '    code: "360799"\n', "code", "not in the gazetteer"),
        ("    part_of: [shaoguan]\n", "    part_of: [guangdong]\n", "part_of", "under 440200"),
    ],
)
def test_a_planted_wrong_link_fails_with_file_and_line(
    facts_copy: Path, old: str, new: str, field: str, words: str
) -> None:
    path = facts_copy / "places.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_kg("link", "check", "--facts", str(facts_copy), "--gazetteer", str(GAZETTEER_CSV))
    assert result.code == 1, result.err
    assert words in result.err
    assert f"places.yaml:{line} [{field}]" in result.err


def test_kg_link_check_passes_on_the_shipped_data() -> None:
    result = run_kg("link", "check", "--gazetteer", str(GAZETTEER_CSV))
    assert result.code == 0, result.err


def test_suggestions_accept_the_right_division_and_never_an_ambiguous_one(
    checked: Checked, gazetteer: Gazetteer
) -> None:
    suggestions = suggest_links(checked.corpus, gazetteer)
    accepted = {(s.place, s.code) for s in suggestions if s.band == "accept"}
    assert ("xinfeng", "360722") in accepted and ("ganzhou", "360700") in accepted
    # 新丰县 (Guangdong) shares Xinfeng's pinyin: offered for review, not accepted
    assert not any(
        s.place == "xinfeng" and s.code == "440233" and s.band == "accept" for s in suggestions
    )
    # every accepted code is the curated one
    codes = {e.record.id: e.record.code for e in checked.corpus.of_kind("places")}  # type: ignore[attr-defined]
    assert all(codes[p] == c for p, c in accepted)


def test_a_name_shared_by_several_divisions_lands_in_review(
    checked: Checked, gazetteer: Gazetteer
) -> None:
    from kg_build.facts.load import Entry, Origin
    from kg_build.facts.model import Place

    chaoyang = Place.model_validate(
        {
            "id": "chaoyang",
            "type": "district",
            "quote": "Chaoyang",
            "source": "cn-admin-divisions",
            "name": {"en": "Chaoyang District", "zh": "朝阳区", "pinyin": "Chaoyang"},
        }
    )
    corpus = Corpus(
        checked.corpus.sources,
        {"chaoyang": Entry(chaoyang, "places", "cn-admin-divisions", Origin("x", 1))},
    )
    suggestions = suggest_links(corpus, gazetteer)
    assert len({s.code for s in suggestions}) >= 2  # Beijing's and Changchun's
    assert {s.band for s in suggestions} <= {"review", "reject"}
    assert sum(s.band == "review" for s in suggestions) >= 2


def test_kg_link_suggest_writes_a_review_file(tmp_path: Path) -> None:
    out = tmp_path / "review.tsv"
    result = run_kg("link", "suggest", "--gazetteer", str(GAZETTEER_CSV), "--out", str(out))
    assert result.code == 0, result.err
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0][:4] == ["place", "band", "score", "code"]
    assert ["xinfeng", "accept", "1.000", "360722"] in [r[:4] for r in rows]


def test_the_description_has_a_linkset_per_target(shipped_release: object) -> None:
    description: Graph = shipped_release.description  # type: ignore[attr-defined]
    linkset = URIRef(f"{BASE}dataset/linkset/wikidata")
    data = shipped_release.data  # type: ignore[attr-defined]
    same_as = sum(
        1
        for o in data.objects(None, URIRef("http://www.w3.org/2002/07/owl#sameAs"))
        if str(o).startswith("http://www.wikidata.org/entity/")
    )
    assert description.value(linkset, VOID.triples) == Literal(same_as, datatype=XSD.integer)
    assert same_as >= 24
