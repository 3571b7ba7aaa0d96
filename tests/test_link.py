"""Links to other datasets, checked and suggested against the gazetteer in ../shared/reference."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, SHARED, kg_here, texts_args
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD
from sparql_endpoint import serve
from wikidata_extract import wikidata_extract

from kg_build.facts.load import Corpus, Entry, Origin
from kg_build.facts.model import Place
from kg_build.link.check import check_links
from kg_build.link.gazetteer import Gazetteer, load_gazetteer
from kg_build.link.suggest import COLUMNS, GazetteerPlaces, suggest_links
from kg_build.link.wikidata import WikidataEndpoint
from kg_build.pipeline import Checked
from kg_build.terms import rdflib_triple

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
    result = kg_here("link", "check", "--facts", str(facts_copy), "--gazetteer", str(GAZETTEER_CSV))
    assert result.code == 1, result.err
    assert words in result.err
    assert f"places.yaml:{line} [{field}]" in result.err


def test_kg_link_check_passes_on_the_shipped_data() -> None:
    result = kg_here("link", "check", "--gazetteer", str(GAZETTEER_CSV))
    assert result.code == 0, result.err


def test_suggestions_accept_the_right_division_and_never_an_ambiguous_one(
    checked: Checked, gazetteer: Gazetteer
) -> None:
    suggestions = suggest_links(checked.corpus, GazetteerPlaces(gazetteer))
    accepted = {(s.id, s.code) for s in suggestions if s.band == "accept"}
    assert ("xinfeng", "360722") in accepted and ("ganzhou", "360700") in accepted
    # 新丰县 (Guangdong) shares Xinfeng's pinyin: offered for review, not accepted
    assert not any(
        s.id == "xinfeng" and s.code == "440233" and s.band == "accept" for s in suggestions
    )
    # every accepted code is the curated one
    codes = {e.record.id: e.record.code for e in checked.corpus.of_kind("places")}  # type: ignore[attr-defined]
    assert all(codes[p] == c for p, c in accepted)


def _chaoyang_entry() -> Entry:
    chaoyang = Place.model_validate(
        {
            "id": "chaoyang",
            "type": "district",
            "quote": "Chaoyang District, 朝阳区",
            "source": "cn-admin-divisions",
            "name": {"en": "Chaoyang District", "zh": "朝阳区", "pinyin": "Chaoyang"},
        }
    )
    return Entry(chaoyang, "places", "cn-admin-divisions", Origin("x", 1))


def test_a_name_shared_by_several_divisions_lands_in_review(
    checked: Checked, gazetteer: Gazetteer
) -> None:
    corpus = Corpus(checked.corpus.sources, {"chaoyang": _chaoyang_entry()})
    suggestions = suggest_links(corpus, GazetteerPlaces(gazetteer))
    assert len({s.code for s in suggestions}) >= 2  # Beijing's and Changchun's
    assert {s.band for s in suggestions} <= {"review", "reject"}
    assert sum(s.band == "review" for s in suggestions) >= 2


def test_kg_link_suggest_writes_a_review_file(tmp_path: Path) -> None:
    out = tmp_path / "review.tsv"
    result = kg_here("link", "suggest", "--gazetteer", str(GAZETTEER_CSV), "--out", str(out))
    assert result.code == 0, result.err
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert tuple(rows[0]) == COLUMNS
    assert ["xinfeng", "accept", "1.000", "360722"] in [r[:4] for r in rows]


def test_the_description_has_a_linkset_per_target(shipped_release: object) -> None:
    description = Graph()
    for triple in shipped_release.description:  # type: ignore[attr-defined]
        description.add(rdflib_triple(triple))
    linkset = URIRef(f"{BASE}dataset/linkset/wikidata")
    data = shipped_release.graph()  # type: ignore[attr-defined]
    same_as = sum(
        1
        for o in data.objects(None, URIRef("http://www.w3.org/2002/07/owl#sameAs"))
        if str(o).startswith("http://www.wikidata.org/entity/")
    )
    assert description.value(linkset, VOID.triples) == Literal(same_as, datatype=XSD.integer)
    assert same_as >= 24


# ---- against a Wikidata-compatible SPARQL endpoint (local, generated from the gazetteer) ------


@pytest.fixture(scope="module")
def wikidata_endpoint() -> Iterator[tuple[str, list[str]]]:
    store = ox.Store()
    store.extend(wikidata_extract(GAZETTEER_CSV))
    with serve(store) as (url, received):
        yield url, received


def test_the_endpoint_agrees_with_the_gazetteer(
    checked: Checked, gazetteer: Gazetteer, wikidata_endpoint: tuple[str, list[str]]
) -> None:
    url, received = wikidata_endpoint
    source = WikidataEndpoint(url)
    remote = suggest_links(checked.corpus, source)
    local = suggest_links(checked.corpus, GazetteerPlaces(gazetteer))
    assert received, "no query reached the endpoint"
    accepted = {(s.id, s.code, s.wikidata) for s in remote if s.band == "accept"}
    assert ("xinfeng", "360722", "Q1356667") in accepted
    assert ("ganzhou", "360700", gazetteer.by_code["360700"].wikidata) in accepted
    # the gazetteer's accepted links that have an item are found through the endpoint too
    assert {(s.id, s.code) for s in local if s.band == "accept" and s.wikidata} <= {
        (p, c) for p, c, _ in accepted
    }
    # 新丰县 in Guangdong: same pinyin, other province -> review, never accept
    assert [s.band for s in remote if s.id == "xinfeng" and s.code == "440233"] == ["review"]
    places = {e.record.id: e.record for e in checked.corpus.of_kind("places")}
    for place, code, qid in accepted:
        assert places[place].code == code and places[place].wikidata == qid  # type: ignore[attr-defined]
    assert all(s.evidence.startswith(url) for s in remote)


def test_the_endpoint_puts_a_shared_name_in_review(
    checked: Checked, wikidata_endpoint: tuple[str, list[str]]
) -> None:
    corpus = Corpus(checked.corpus.sources, {"chaoyang": _chaoyang_entry()})
    suggestions = suggest_links(corpus, WikidataEndpoint(wikidata_endpoint[0]))
    assert len({s.code for s in suggestions}) >= 2
    assert {s.band for s in suggestions} <= {"review", "reject"}


def test_organisations_are_reconciled_by_name_class_and_seat(
    checked: Checked, wikidata_endpoint: tuple[str, list[str]]
) -> None:
    source = WikidataEndpoint(wikidata_endpoint[0])
    suggestions = [
        s
        for s in suggest_links(checked.corpus, source, source)
        if s.id in ("huawei", "ping-an-bank", "skyworth")
    ]
    bands = {(s.id, s.wikidata): s.band for s in suggestions}
    assert bands[("huawei", "Q160120")] == "accept"
    assert bands[("huawei", "Q900000002")] in ("review", "reject")
    # two banks of that name: the one seated in Shenzhen, as the facts say, is accepted
    assert bands[("ping-an-bank", "Q7195659")] == "accept"
    assert bands[("ping-an-bank", "Q900000004")] == "review"
    # right name, wrong city, not an organisation: not accepted
    assert bands[("skyworth", "Q900000005")] != "accept"


def test_suggest_then_accept_writes_the_links_into_the_facts(
    facts_copy: Path, tmp_path: Path, wikidata_endpoint: tuple[str, list[str]]
) -> None:
    places = facts_copy / "places.yaml"
    shipped = places.read_text(encoding="utf-8")
    unlinked = shipped.replace('    code: "360722"\n    point', "    point", 1).replace(
        "    wikidata: Q1356667\n", "", 1
    )
    assert unlinked.count("\n") == shipped.count("\n") - 2
    places.write_text(unlinked, encoding="utf-8")
    # Huawei unlinked too, to be found again through the endpoint
    orgs = facts_copy / "sources" / "cns-2022-02-17-ganzhou-bay-area" / "organisations.yaml"
    huawei = orgs.read_text(encoding="utf-8").split("  - id: huawei\n", 1)
    kept = [line for line in huawei[1].split("\n\n", 1)[0].splitlines() if "Q160120" not in line]
    rest = huawei[1].split("\n\n", 1)[1]
    orgs.write_text(f"{huawei[0]}  - id: huawei\n" + "\n".join(kept) + "\n\n" + rest)
    review = tmp_path / "review.tsv"
    facts = ("--facts", str(facts_copy))
    result = kg_here(
        "link", "suggest", "--endpoint", wikidata_endpoint[0], "--out", str(review), *facts
    )
    assert result.code == 0, result.err
    assert "accept" in result.err

    result = kg_here("link", "accept", str(review), *facts)
    assert result.code == 0, result.err
    text = places.read_text(encoding="utf-8")
    record = text[text.index("  - id: xinfeng\n") :].split("\n\n")[0]
    assert (
        '    code: "360722"\n    wikidata: Q1356667\n    link_evidence: "kg link suggest' in record
    )
    assert wikidata_endpoint[0] in record
    # the organisation accepted through the endpoint got its item too
    assert '    wikidata: Q160120\n    link_evidence: "kg link suggest' in orgs.read_text(
        encoding="utf-8"
    )
    result = kg_here("link", "check", "--gazetteer", str(GAZETTEER_CSV), *facts)
    assert result.code == 0, result.err
    # accepting again changes nothing
    result = kg_here("link", "accept", str(review), *facts)
    assert result.code == 0 and places.read_text(encoding="utf-8") == text


def test_accept_refuses_to_overwrite_a_different_identifier(
    facts_copy: Path, tmp_path: Path
) -> None:
    review = tmp_path / "review.tsv"
    header = "\t".join(COLUMNS)
    row = "xinfeng\taccept\t0.550\t440233\t新丰县\tQ1346606\t360722\tQ1356667\tpinyin\tmanual"
    review.write_text(f"{header}\n{row}\n", encoding="utf-8")
    before = (facts_copy / "places.yaml").read_text(encoding="utf-8")
    line = before[: before.index('    code: "360722"')].count("\n") + 1
    result = kg_here("link", "accept", str(review), "--facts", str(facts_copy))
    assert result.code == 2
    assert f"places.yaml:{line} [code]" in result.err
    assert "edit the fact file by hand" in result.err
    assert (facts_copy / "places.yaml").read_text(encoding="utf-8") == before


def test_accept_names_the_line_of_a_bad_review_file(facts_copy: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.tsv"
    header = "\t".join(COLUMNS)
    good = "xinfeng\taccept\t1.000\t360722\t信丰县\tQ1356667\t\t\tname\tmanual"
    review.write_text(f"{header}\n{good}\nxinfeng\tmaybe\t1\t\t\t\t\t\t\t\n", encoding="utf-8")
    result = kg_here("link", "accept", str(review), "--facts", str(facts_copy))
    assert result.code == 2
    assert f"{review}:3 [band]" in result.err
    review.write_text("place\tband\n", encoding="utf-8")
    result = kg_here("link", "accept", str(review), "--facts", str(facts_copy))
    assert result.code == 2 and f"{review}:1" in result.err


def test_an_unreachable_endpoint_is_a_usage_error() -> None:
    result = kg_here("link", "suggest", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "5")
    assert result.code == 2
    assert "127.0.0.1:9" in result.err and "Traceback" not in result.err


# ---- identifiers verified in other datasets (external-ids.csv) ---------------------------

EXTERNAL_IDS = SHARED / "reference" / "external-ids.csv"


def test_kg_link_check_finds_verified_identifiers_missing_wrong_and_unverified(
    facts_copy: Path,
) -> None:
    """Both ways: a verified identifier no record or statement gives, or one they contradict,
    and one they give that no row verifies, each at its file and line; green once they
    agree."""
    facts = ("--facts", str(facts_copy), "--gazetteer", str(GAZETTEER_CSV))
    table = ("--external-ids", str(EXTERNAL_IDS))
    assert kg_here("link", "check", *facts, *table).code == 0
    statements = facts_copy / "sources" / "external-ids" / "places.yaml"
    text = statements.read_text(encoding="utf-8")
    broken = text.replace('geonames: "1806222"', 'geonames: "1806223"', 1)
    broken = broken.replace('    dbpedia: "Ganzhou"\n', "", 1)
    statements.write_text(broken, encoding="utf-8")
    places = facts_copy / "places.yaml"
    county = "  - id: xinfeng\n    type: county\n"
    places.write_text(
        places.read_text(encoding="utf-8").replace(county, county + "    dbpedia: Xinfeng\n", 1),
        encoding="utf-8",
    )
    result = kg_here("link", "check", *facts, *table)
    assert result.code == 1, result.err
    assert "1806223 disagrees with external-ids.csv:2, which verifies 1806222" in result.err
    assert "verifies dbpedia Ganzhou for Ganzhou" in result.err
    assert "dbpedia Xinfeng of xinfeng is verified by no row of external-ids.csv" in result.err
    assert result.err.count("external-ids/places.yaml:") == 1
    assert result.err.count(" facts/places.yaml:") + result.err.count("/facts/places.yaml:") == 2


def test_accept_writes_the_verified_identifiers_as_statements_of_the_table(
    facts_copy: Path,
) -> None:
    """kg link accept --external-ids writes the table's source folder: a statement per entity
    quoting its rows verbatim (the quote check finds them), the same bytes when run again."""
    folder = facts_copy / "sources" / "external-ids"
    shutil.rmtree(folder)
    facts = ("--facts", str(facts_copy))
    result = kg_here("link", "accept", "--external-ids", str(EXTERNAL_IDS), *facts)
    assert result.code == 0, result.err
    assert "31 verified row(s) as statements about 19 thing(s)" in result.err
    written = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(written) == {"source.yaml", "places.yaml", "organisations.yaml", "projects.yaml"}
    places = written["places.yaml"].decode("utf-8")
    jiangxi = places[places.index("  - about: jiangxi\n") :].split("  - about:", 2)[1]
    assert 'geonames: "1806222"' in jiangxi and 'dbpedia: "Jiangxi"' in jiangxi
    assert "GeoNames admin1CodesASCII.txt: CN.03 Jiangxi" in jiangxi
    assert kg_here("link", "accept", "--external-ids", str(EXTERNAL_IDS), *facts).code == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == written
    result = kg_here("validate", *facts, *texts_args())
    assert result.code == 0 and "conforms" in result.err, result.err


def test_the_description_has_a_linkset_for_geonames_and_dbpedia(shipped_release: object) -> None:
    description = Graph()
    for triple in shipped_release.description:  # type: ignore[attr-defined]
        description.add(rdflib_triple(triple))
    data = shipped_release.graph()  # type: ignore[attr-defined]
    same_as = [str(o) for o in data.objects(None, URIRef("http://www.w3.org/2002/07/owl#sameAs"))]
    for name, prefix in (
        ("geonames", "https://sws.geonames.org/"),
        ("dbpedia", "http://dbpedia.org/resource/"),
    ):
        linkset = URIRef(f"{BASE}dataset/linkset/{name}")
        count = sum(1 for o in same_as if o.startswith(prefix))
        assert count >= 12
        assert description.value(linkset, VOID.triples) == Literal(count, datatype=XSD.integer)
    assert "http://dbpedia.org/resource/Ganzhou–Shenzhen_high-speed_railway" in same_as
