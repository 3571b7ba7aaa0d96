"""The pages people read (issue 23, part): amounts written for people, every label with its
language, property names instead of IRIs' local names, nothing internal, and templates that
escape whatever the data holds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE

from kg_build.pages import amounts
from kg_build.pages.html import linker, resource
from kg_build.store.embedded import open_store

ID = f"{BASE}id/"


@pytest.mark.parametrize(
    ("value", "currency", "en", "zh"),
    [
        ("212900000000", "CNY", "212.9 billion yuan", "2,129亿元"),
        ("718800000000.0", "CNY", "718.8 billion yuan", "7,188亿元"),
        ("100000000", "CNY", "100 million yuan", "1亿元"),
        ("466000", "CNY", "466,000 yuan", "46.6万元"),
        ("1500000", "HKD", "1.5 million Hong Kong dollars", "150万港元"),
        ("35", "XXX", "35 XXX", "35XXX"),
    ],
)
def test_money_is_written_as_people_write_it(value: str, currency: str, en: str, zh: str) -> None:
    assert amounts.money_en(Decimal(value), currency) == en
    assert amounts.money_zh(Decimal(value), currency) == zh


@pytest.mark.parametrize(
    ("value", "shown"), [("466000", "466,000"), ("5.5", "5.5"), ("62.0", "62"), ("0.125", "0.13")]
)
def test_numbers_get_separators_and_no_trailing_zeros(value: str, shown: str) -> None:
    assert amounts.number(Decimal(value)) == shown


@pytest.fixture(scope="module")
def store(published: Path) -> ox.Store:
    return open_store(published)


def _page(store: ox.Store, path: str) -> str:
    return resource(store, ox.NamedNode(ID + path), linker(BASE))


def test_a_portfolio_page_shows_its_investment_for_people(store: ox.Store) -> None:
    page = _page(store, "project/ganzhou-2022-linked-major-projects")
    assert "212.9 billion yuan (2,129亿元)" in page
    assert 'data-value="212900000000"' in page  # the exact value stays in the page


def test_labels_say_their_language_and_properties_their_names(store: ox.Store) -> None:
    page = _page(store, "place/xinfeng")
    assert (
        '<span lang="zh-latn-pinyin">Xinfeng</span><span class="lang">zh-latn-pinyin</span>' in page
    )
    assert '<span lang="zh">信丰县</span><span class="lang">zh</span>' in page
    assert ">also called<" in page and ">altLabel<" not in page
    assert ">geometry<" in page and ">hasGeometry<" not in page


def test_nothing_internal_on_a_page(store: ox.Store) -> None:
    """The dataset's description links to example resources; that is plumbing, not data."""
    page = _page(store, "place/ganzhou")
    linked_from = page[page.index("<h2>Linked from</h2>") :]
    assert "exampleResource" not in linked_from and "rootResource" not in linked_from
    assert "/id/project/" in linked_from  # the data's own links are there


def test_the_templates_escape_what_the_data_holds(tmp_path: Path) -> None:
    """A label that is markup stays text, an IRI with another scheme is no link."""
    store = ox.Store()
    node = ox.NamedNode(ID + "place/x")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(ox.Quad(node, label, ox.Literal("<script>alert(1)</script>", language="en")))
    evil = ox.NamedNode("javascript:alert(1)")
    store.add(ox.Quad(node, ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"), evil))
    page = resource(store, node, linker(BASE))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_the_home_page_lists_things_by_kind_and_leads_with_the_largest_amounts(
    store: ox.Store,
) -> None:
    from kg_build.pages.html import home

    page = home(store, "", linker(BASE), BASE, "")
    # the largest amounts, largest first, counted here from the store's figures
    money = [
        (Decimal(str(q.object.value)), str(q.subject))  # type: ignore[union-attr]
        for q in store.quads_for_pattern(
            None, ox.NamedNode("https://schema.org/value"), None, ox.DefaultGraph()
        )
        if any(
            True
            for _ in store.quads_for_pattern(
                q.subject, ox.NamedNode("https://schema.org/currency"), None, ox.DefaultGraph()
            )
        )
    ]
    largest = max(money)
    headlines = page[page.index("The largest amounts") : page.index("<h2>Map</h2>")]
    assert amounts.money(largest[0], "CNY") in headlines
    shown = [line for line in headlines.splitlines() if "亿元" in line]
    values = [Decimal(line.split(" billion")[0].rsplit(">", 1)[-1]) for line in shown]
    assert values == sorted(values, reverse=True) and len(values) >= 3
    projects = page[page.index("<h2>Projects</h2>") : page.index("<h2>Agreements and cooperation")]
    assert (
        "high-speed railway (2)" in projects and "Ganzhou-Shenzhen High-Speed Railway" in projects
    )
    # each with the stage of its latest reported milestone (the corpus: in operation, 2022)
    shenzhen = projects[projects.index("Ganzhou-Shenzhen High-Speed Railway") :][:200]
    assert '<small class="stage">(in operation)</small>' in shenzhen
    targets_only = projects[projects.index("Ganzhou-Guangzhou High-Speed Railway") :][:200]
    assert "(planned)" not in targets_only  # a target is not a stage reached
    organisations = page[page.index("<h2>Organisations</h2>") : page.index("<h2>People</h2>")]
    assert "company (" in organisations and ">Huawei<" in organisations
    assert "<h2>Sources</h2>" in page


def test_an_ontology_terms_page_says_what_the_ontology_says_with_examples(
    store: ox.Store,
) -> None:
    """As pyLODE would: a class's superclass and instances from the data; a property's
    domain, range, superproperty and uses; a scheme's concepts."""

    def section(term: str) -> str:
        page = resource(store, ox.NamedNode(f"{BASE}def/{term}"), linker(BASE), tiles="")
        return page[page.index("In the ontology") : page.index("What each source says")]

    railway = section("HighSpeedRailway")
    assert "class" in railway and 'href="/def/Railway"' in railway
    assert 'href="/id/project/ganshen-hsr"' in railway  # an instance, from the data
    located = section("locatedIn")
    assert "object property" in located and ">domain<" in located and ">range<" in located
    assert 'href="/def/Place"' in located and 'href="/def/Project"' in located
    assert located.count("<tr>") > 3  # uses in the data
    scheme = section("MeasureScheme")
    assert "concept scheme" in scheme and "total investment" in scheme


def test_the_message_catalogue_has_every_message_of_the_pages() -> None:
    """Every interface string the templates and views give `_` has its Chinese, and the
    catalogue holds nothing else."""
    import re

    from kg_build.pages import i18n, view

    templates = Path(i18n.__file__).parent / "templates"
    used = set()
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', text))
        used |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", text))
    used |= set(view.OTHER_PROPERTIES.values()) | set(view._KIND_NAMES.values())
    used |= {what for what, _, _ in view._RELATIONS} | set(view.DATASET_GRAPHS.values())
    used |= {heading for heading, _ in view.LISTED} | set(view.LANGUAGE_NAMES.values())
    used |= {
        "The ontology's classes",
        "Milestones of",
        "Quoted from a machine translation of the original in",
        "Quoted from a translation of the original in",
    }
    used |= {"Classes", "Object properties", "Datatype properties", " and ", "type", " (target)"}
    zh = i18n.catalogue("zh")
    assert sorted(used - zh.keys()) == [] and sorted(zh.keys() - used) == []
    assert all(zh[m] and zh[m] != m for m in used if m.strip())


@pytest.mark.parametrize(
    ("param", "cookie", "accept", "chosen"),
    [
        (None, None, None, "en"),
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, None, "en-GB,en;q=0.9,zh;q=0.5", "en"),
        (None, None, "fr-FR,fr;q=0.9", "en"),
        (None, "zh", "en", "zh"),
        ("en", "zh", "zh", "en"),
        ("xx", None, "zh-TW", "zh"),
    ],
)
def test_a_page_speaks_what_was_asked_then_remembered_then_accepted(
    param: str | None, cookie: str | None, accept: str | None, chosen: str
) -> None:
    from kg_build.pages import i18n

    assert i18n.choose(param, cookie, accept) == chosen


def test_a_chinese_page_names_things_and_amounts_in_chinese_first(store: ox.Store) -> None:
    from kg_build.pages import i18n

    with i18n.speaking("zh"):
        page = _page(store, "project/ganzhou-2022-linked-major-projects")
    assert '<html lang="zh">' in page
    assert "<h1>2022年赣州市省市县联动推进重大项目</h1>" in page
    assert "2,129亿元（212.9 billion yuan）" in page and "出处引文" in page
    assert "<h1>2022年" not in _page(store, "project/ganzhou-2022-linked-major-projects")


def test_the_home_pages_count_is_kg_stats_plus_what_is_inferred(store: ox.Store) -> None:
    """kg stats counts what the sources state; the home page the published union, and says
    how many the dataset infers (some of which a source states too): the numbers agree."""
    import json
    import re

    from conftest import kg_here

    from kg_build.pages.html import home

    stated = json.loads(kg_here("stats", "--format", "json").out)["triples"]
    page = home(store, "", linker(BASE), BASE, "")
    match = re.search(r"(\d+) triples \(including those the dataset infers: (\d+),", page)
    assert match is not None
    union, inferred = int(match.group(1)), int(match.group(2))
    assert stated < union <= stated + inferred


def test_quotes_say_when_they_are_a_translation_or_a_tables_row(store: ox.Store) -> None:
    """The article's text is a machine translation (source.yaml: translated_from,
    machine_translated): its quotes say so. The gazetteer's are rows of a table, shown as
    such, not as prose."""

    def quotes(path: str) -> str:
        page = _page(store, path)
        start = page.index("<h2>Source quotes</h2>")
        return page[start : page.index("<h2>", start + 5)]

    project = quotes("project/ganshen-hsr")
    assert "Quoted from a machine translation of the original in Chinese." in project
    article = project[project.index("steel dragon") :]
    assert article.index("cns-2022-02-17") < article.index("Quoted from a machine translation")
    place = quotes("place/ganzhou")
    assert "<code>360700,360000,prefecture" in place and "(a row of the table)" in place
    assert "<blockquote>360700" not in place


def test_the_ontology_page_draws_every_class_under_its_superclass(store: ox.Store) -> None:
    """A box per class of ontology/ (counted here from the Turtle files with rdflib), each a
    link to its page; a class below its superclass."""
    import re

    from conftest import ROOT
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF

    ontology = Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        ontology.parse(path, format="turtle")
    classes = {
        str(c) for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(f"{BASE}def/")
    }
    page = resource(store, ox.NamedNode(f"{BASE}def/"), linker(BASE), tiles="")
    drawn = re.findall(r'<g class="class" data-iri="([^"]+)">', page)
    assert set(drawn) == classes and len(drawn) >= len(classes)
    rows = {iri: i for i, iri in reversed(list(enumerate(drawn)))}
    assert rows[f"{BASE}def/Railway"] < rows[f"{BASE}def/HighSpeedRailway"]
    assert 'href="/def/HighSpeedRailway"' in page
    relations = page[page.index("How the classes relate") :]
    located = relations[relations.index('href="/def/locatedIn"') - 200 :][:400]
    assert 'href="/def/Project"' in located and 'href="/def/Place"' in located
