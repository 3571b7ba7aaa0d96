"""The home page and an entity page in headless Chromium (Debian chromium + chromium-driver,
driven by Selenium): a canned query run from the form renders its table. Screenshots go to
test-output/ for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ROOT

from kg_build.serve.background import running_server

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
OUTPUT = ROOT / "test-output"

pytestmark = pytest.mark.browser

if CHROMIUM is None or DRIVER is None:
    from virtuoso_server import required

    if required():
        raise RuntimeError("CI must run the browser test: install chromium and chromium-driver")
    pytest.skip("Debian chromium / chromium-driver not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402 - only once we know a browser is there
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server(published: Path) -> Iterator[str]:
    # no map tiles: nothing may be fetched from the web in a test (the maps must work without)
    with running_server(published, "--tiles", "", cwd=ROOT) as url:
        yield url


@pytest.fixture(autouse=True)
def in_english(request: pytest.FixtureRequest) -> None:
    """Each test starts in English, whatever the one before chose (the choice is a cookie)."""
    if "browser" in request.fixturenames:
        browser = request.getfixturevalue("browser")
        browser.get(f"{request.getfixturevalue('server')}/?lang=en")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # No network beyond loopback here: keep Chromium from calling home.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP reports go there
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_home_page_runs_a_canned_query_from_the_form(
    server: str, browser: webdriver.Chrome
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    browser.get(f"{server}/")
    assert "Ganzhou" in browser.title
    places = browser.find_elements(By.CSS_SELECTOR, "ul.places a")
    assert any(a.text == "Xinfeng County" for a in places)
    browser.save_screenshot(str(OUTPUT / "home.png"))
    browser.find_element(By.CSS_SELECTOR, 'form[action="/api/queries/travel-times"] button').click()
    # a click submits the form and returns at once: wait for the results page to arrive
    rows = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    )
    cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    assert [
        "Ganzhou-Shenzhen High-Speed Railway",
        "Xinfeng County",
        "Shenzhen",
        "5.5 h",
        "1.5 h",
        "240",
    ] in [row[:6] for row in cells], cells
    assert all(row[6] for row in cells), "every row names its source"
    browser.save_screenshot(str(OUTPUT / "travel-times.png"))


def test_entity_page_shows_names_links_and_quotes(server: str, browser: webdriver.Chrome) -> None:
    browser.get(f"{server}/id/project/ganshen-hsr")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ganzhou-Shenzhen High-Speed Railway"
    assert browser.find_element(By.CSS_SELECTOR, "p.zh").text == "赣深高速铁路"
    links = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table.out a")}
    assert f"{server}/id/place/xinfeng" in links
    assert "steel dragon" in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(OUTPUT / "ganshen-hsr.png"))
    browser.find_element(By.LINK_TEXT, "Xinfeng County").click()
    WebDriverWait(browser, 30).until(lambda b: "/id/place/xinfeng" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Xinfeng County"


def test_pages_keep_their_style_under_the_content_security_policy(
    server: str, browser: webdriver.Chrome
) -> None:
    """The policy admits the pages' one stylesheet by its digest: a page whose style changed
    without the policy would lose it (and Chromium would report the refusal)."""
    browser.get_log("browser")  # start from an empty log
    for path in ("/", "/id/place/xinfeng", "/docs", "/api/queries/travel-times?format=html"):
        browser.get(f"{server}{path}")
        width = browser.execute_script("return getComputedStyle(document.body).maxWidth")
        assert width == "1120px", path  # 70rem: the stylesheet applied
    refused = [
        e["message"] for e in browser.get_log("browser") if "Security Policy" in e["message"]
    ]
    assert refused == []


def _console_errors(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_the_maps_show_one_marker_per_located_thing(
    server: str, browser: webdriver.Chrome, published: Path
) -> None:
    """The home page's map has a circle for every place with a point and every thing located
    in one (counted from the store here, not by the page), a project's page a circle for its
    place; both drawn without tiles, with no console errors; the lists say it without JS."""
    import pyoxigraph as ox

    from kg_build.pages.links import linker
    from kg_build.pages.view import markers
    from kg_build.store.embedded import open_store

    store = open_store(published)
    base = "https://w3id.org/ganzhou-gba/"
    expected = markers(store, linker(base))
    assert len(expected) > 20
    browser.get_log("browser")
    browser.get(f"{server}/")
    drawn = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#kg-map path.kg-marker")
    )
    assert len(drawn) == len(expected)
    labels = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "#kg-map .kg-label")}
    assert "Xinfeng County" in labels  # place names are drawn, not taken from tiles
    browser.save_screenshot(str(OUTPUT / "home-map.png"))
    project = "id/project/nankang-shared-material-centre"
    here = markers(store, linker(base), ox.NamedNode(base + project))
    browser.get(f"{server}/{project}")
    drawn = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#kg-map path.kg-marker")
    )
    assert len(drawn) == len(here) == 1
    assert "Nankang District" in browser.find_element(By.CSS_SELECTOR, "ul.where").text
    assert _console_errors(browser) == []


AXE = Path(__file__).parent / "fixtures" / "axe-core-4.14.1" / "axe.min.js"
PAGES = [
    "/",
    "/id/place/xinfeng",
    "/id/project/ganshen-hsr",
    "/id/organisation/huawei",
    "/id/figure/ganzhou-2022-linked-major-projects-investment",
    "/def/HighSpeedRailway",
    "/def/",
    "/api/queries/travel-times?format=html",
    "/api/queries/investment-by-place?format=html",
    "/docs",
    "/?lang=zh",
    "/id/place/xinfeng?lang=zh",
    "/id/project/ganshen-hsr?lang=zh",
    "/id/organisation/huawei?lang=zh",
    "/id/figure/ganzhou-2022-linked-major-projects-investment?lang=zh",
    "/def/HighSpeedRailway?lang=zh",
    "/def/?lang=zh",
    "/api/queries/investment-by-place?format=html&lang=zh",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_serious_accessibility_violations(
    server: str, browser: webdriver.Chrome, path: str
) -> None:
    """axe-core (Deque's engine, copied from the npm registry) in the page: no violation of
    serious or critical impact (WCAG 2 A/AA rules and best practices); and no console error
    while the page loads and draws."""
    browser.get_log("browser")
    browser.get(f"{server}{path}")
    assert _console_errors(browser) == [], path
    if path == "/def/":
        browser.save_screenshot(str(OUTPUT / "ontology.png"))
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    browser.set_script_timeout(60)
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then("
        "  r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length,"
        "    v.nodes.slice(0, 2).map(n => n.target.join(' '))])),"
        "  e => done([['axe-error', 'critical', 0, [String(e)]]]));"
    )
    serious = [v for v in found if v[1] in ("serious", "critical")]
    assert serious == [], serious


@pytest.mark.parametrize(
    ("query", "marks", "drawn"),
    [
        ("investment-by-place", "amountCNY", "g[aria-label='bar'] rect"),
        ("timeline", "when", "g[aria-label='dot'] circle"),
    ],
)
def test_a_query_that_declares_a_chart_draws_one_mark_per_row(
    server: str, browser: webdriver.Chrome, published: Path, query: str, marks: str, drawn: str
) -> None:
    """`#+ chart:` in the query: bars for investment-by-place (a row without an amount has
    none), a timeline for timeline (a row whose date is not a year or a day has none); the
    rows counted from the JSON answer, not by the page. No console errors: Plot's own
    <style> is left out, the page's policy would refuse it."""
    import json
    import re

    answer = json.loads(
        requests.get(f"{server}/api/queries/{query}", params={"format": "json"}, timeout=30).text
    )
    values = [b.get(marks, {}).get("value", "") for b in answer["results"]["bindings"]]
    if marks == "amountCNY":
        expected = sum(1 for v in values if v)
    else:
        expected = sum(1 for v in values if re.match(r"^\d{4}(-\d\d-\d\d)?", v))
    assert expected > 3
    browser.get_log("browser")
    browser.get(f"{server}/api/queries/{query}?format=html")
    found = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, f"figure.kg-chart svg {drawn}")
    )
    assert len(found) == expected
    links = {
        a.text: a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "p.downloads a")
    }
    assert links.keys() == {"CSV", "JSON"} and "format=csv" in str(links["CSV"])
    browser.save_screenshot(str(OUTPUT / f"{query}.png"))
    assert _console_errors(browser) == []


def test_a_project_page_draws_its_milestones_and_figures_of_one_measure(
    server: str, browser: webdriver.Chrome, published: Path
) -> None:
    """A timeline of the project's milestones (one dot each) and, for each measure it has
    several figures of, a bar per figure; both counted from the store with SPARQL here."""
    import pyoxigraph as ox

    from kg_build.store.embedded import open_store

    store = open_store(published)
    project = "https://w3id.org/ganzhou-gba/id/project/ganshen-hsr"
    prefixes = (
        "PREFIX gba: <https://w3id.org/ganzhou-gba/def/> PREFIX schema: <https://schema.org/> "
    )
    steps = store.query(
        prefixes + f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ <{project}> gba:hasMilestone ?m . "
        "?m gba:referencePeriod ?p }"
    )
    milestones = int(next(iter(steps))["n"].value)  # type: ignore[arg-type]
    groups = store.query(
        prefixes + "SELECT ?measure (COUNT(DISTINCT ?f) AS ?n) WHERE { "
        f"?f gba:about <{project}> ; gba:measure ?measure ; schema:value ?v }} "
        "GROUP BY ?measure HAVING (COUNT(DISTINCT ?f) > 1)"
    )
    assert isinstance(groups, ox.QuerySolutions)
    bars = sum(int(str(row["n"].value)) for row in groups)
    assert milestones >= 1 and bars >= 2
    browser.get_log("browser")
    browser.get(f"{server}/id/project/ganshen-hsr")
    dots = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(
            By.CSS_SELECTOR, "figure[id^='timeline-'] g[aria-label='dot'] circle"
        )
    )
    assert len(dots) == milestones
    drawn = browser.find_elements(
        By.CSS_SELECTOR, "figure[id^='figures-'] g[aria-label='bar'] rect"
    )
    assert len(drawn) == bars
    browser.save_screenshot(str(OUTPUT / "ganshen-hsr-charts.png"))
    assert _console_errors(browser) == []


def test_the_pages_in_chinese(server: str, browser: webdriver.Chrome, published: Path) -> None:
    """The home page and a project's in Chinese: labels from the data, the interface from the
    catalogue, the map and the timeline drawn; the choice is remembered."""
    browser.get_log("browser")
    from kg_build.pages.links import linker
    from kg_build.pages.view import markers
    from kg_build.store.embedded import open_store

    browser.get(f"{server}/?lang=zh")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"
    drawn = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#kg-map path.kg-marker")
    )
    expected = markers(open_store(published), linker("https://w3id.org/ganzhou-gba/"))
    assert len(drawn) == len(expected)
    labels = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "#kg-map .kg-label")}
    assert "信丰县" in labels
    headings = {h.text for h in browser.find_elements(By.TAG_NAME, "h2")}
    assert {"地图", "地点", "项目", "最大金额"} <= headings
    browser.save_screenshot(str(OUTPUT / "home-zh.png"))
    browser.get(f"{server}/id/project/ganshen-hsr")  # remembered
    assert browser.find_element(By.TAG_NAME, "h1").text == "赣深高速铁路"
    WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "figure[id^='timeline-'] circle")
    )
    browser.save_screenshot(str(OUTPUT / "ganshen-hsr-zh.png"))
    assert _console_errors(browser) == []
    browser.get(f"{server}/?lang=en")  # and back, for the tests after this one
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


def test_suggestions_as_you_type(server: str, browser: webdriver.Chrome) -> None:
    """The search box lists entities as one types (Chinese here); a query form's place field
    offers ids to pick; no console errors (the policy lets the page ask its own server)."""
    browser.get_log("browser")
    browser.get(f"{server}/?lang=en")
    browser.find_element(By.ID, "search").send_keys("信丰")
    found = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#search-results a")
    )
    assert "信丰县" in found[0].text
    assert str(found[0].get_attribute("href")).endswith("/id/place/xinfeng")
    field = browser.find_element(
        By.CSS_SELECTOR, 'form[action="/api/queries/projects-in-place"] input[name="place"]'
    )
    field.clear()
    field.send_keys("nank")
    WebDriverWait(browser, 30).until(
        lambda b: (
            b.execute_script(
                "return document.getElementById('suggest-projects-in-place-place').options.length"
            )
            > 0
        )
    )
    options = browser.execute_script(
        "return Array.from(document.getElementById('suggest-projects-in-place-place').options)"
        ".map(o => o.value)"
    )
    assert options[0] == "place:nankang"
    browser.save_screenshot(str(OUTPUT / "search.png"))
    assert _console_errors(browser) == []
