"""`kg serve` over real HTTP: a server process on loopback, driven with requests and
SPARQLWrapper as clients would."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from conftest import ROOT
from golden_results import GOLDEN, same, to_document
from openapi_spec_validator import validate as validate_openapi
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg_build.query.catalog import load_catalog
from kg_build.query.engines import from_sparql_json
from kg_build.serve.background import running_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 30"
CATALOG = load_catalog(ROOT / "queries")


@pytest.fixture(scope="module")
def dist(published: Path) -> Path:
    return published


@pytest.fixture(scope="module")
def server(dist: Path) -> Iterator[str]:
    with running_server(dist, cwd=ROOT) as url:
        yield url


def _count(url: str) -> int:
    answer = requests.get(f"{url}/sparql", params={"query": COUNT}, timeout=10).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def test_query_by_get_post_form_and_post_body(server: str) -> None:
    get = requests.get(f"{server}/sparql", params={"query": COUNT}, timeout=10)
    form = requests.post(f"{server}/sparql", data={"query": COUNT}, timeout=10)
    body = requests.post(
        f"{server}/sparql",
        data=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    answers = [r.json()["results"]["bindings"][0]["n"]["value"] for r in (get, form, body)]
    assert all(r.status_code == 200 for r in (get, form, body))
    assert len(set(answers)) == 1 and int(answers[0]) > 3000


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_follow_accept(server: str, accept: str, expected: str) -> None:
    response = requests.get(
        f"{server}/sparql", params={"query": COUNT}, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_results_follow_accept(server: str, accept: str, fmt: str) -> None:
    response = requests.get(
        f"{server}/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=fmt)
    reference = Graph().parse(
        data=requests.get(
            f"{server}/sparql",
            params={"query": CONSTRUCT},
            headers={"Accept": "application/n-triples"},
            timeout=10,
        ).content,
        format="nt",
    )
    assert len(graph) == 30 and isomorphic(graph, reference)


def test_protocol_errors_are_4xx_with_a_message(server: str) -> None:
    cases = [
        requests.get(f"{server}/sparql", params={"query": "SELECT WHERE"}, timeout=10),
        requests.get(
            f"{server}/sparql", params={"query": COUNT}, headers={"Accept": "image/png"}, timeout=10
        ),
        requests.get(
            f"{server}/sparql",
            params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
            timeout=10,
        ),
        requests.post(
            f"{server}/sparql",
            data=b"x" * 2_000_001,
            headers={"Content-Type": "application/sparql-query"},
            timeout=10,
        ),
        requests.get(f"{server}/api/queries/no-such-query", timeout=10),
        requests.get(
            f"{server}/api/queries/projects-in-place", params={"place": "http://x y"}, timeout=10
        ),
    ]
    assert [r.status_code for r in cases] == [400, 406, 400, 413, 404, 400]
    assert all(r.text.strip() for r in cases)


def test_updates_are_refused_and_change_nothing(server: str) -> None:
    before = _count(server)
    update = "DELETE WHERE { ?s ?p ?o }"
    by_param = requests.post(f"{server}/sparql", data={"update": update}, timeout=10)
    by_type = requests.post(
        f"{server}/sparql",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
        timeout=10,
    )
    as_query = requests.get(f"{server}/sparql", params={"query": update}, timeout=10)
    assert (by_param.status_code, by_type.status_code, as_query.status_code) == (403, 403, 400)
    assert _count(server) == before


def test_cors_headers_let_browsers_call_it(server: str) -> None:
    response = requests.get(
        f"{server}/sparql",
        params={"query": COUNT},
        headers={"Origin": "https://example.org"},
        timeout=10,
    )
    assert response.headers.get("access-control-allow-origin") in ("*", "https://example.org")


def test_row_cap_is_flagged_and_timeout_is_503(dist: Path) -> None:
    with running_server(dist, "--max-rows", "5", "--timeout", "1", cwd=ROOT) as url:
        capped = requests.get(
            f"{url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"}, timeout=10
        )
        assert capped.status_code == 200 and capped.headers["X-Result-Truncated"] == "true"
        assert len(capped.json()["results"]["bindings"]) == 5
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        timed_out = requests.get(f"{url}/sparql", params={"query": slow}, timeout=30)
        assert timed_out.status_code == 503 and "longer than" in timed_out.text


def test_sparqlwrapper_works_against_it(server: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == _count(server)


def test_every_canned_query_over_the_api_gives_the_golden_answer(server: str) -> None:
    listed = {q["name"] for q in requests.get(f"{server}/api/queries", timeout=10).json()}
    assert listed == set(CATALOG)
    for query in CATALOG.values():
        if query.is_violation or query.form != "SELECT":
            continue
        response = requests.get(
            f"{server}/api/queries/{query.name}",
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert response.status_code == 200, (query.name, response.text)
        expected = json.loads((GOLDEN / f"{query.name}.json").read_text(encoding="utf-8"))
        assert same(expected, to_document(query, {}, from_sparql_json(response.json()))), query.name


def test_openapi_document_is_valid_and_lists_every_query(server: str) -> None:
    document = requests.get(f"{server}/openapi.json", timeout=10).json()
    validate_openapi(document)
    for query in CATALOG.values():
        operation = document["paths"][f"/api/queries/{query.name}"]["get"]
        assert {p["name"] for p in operation["parameters"]} == {p.name for p in query.parameters}


def test_resources_dereference_with_content_negotiation(server: str) -> None:
    page = requests.get(f"{server}/id/place/xinfeng", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Xinfeng County" in page.text and "信丰县" in page.text
    assert 'href="/id/place/ganzhou"' in page.text  # outgoing link resolves here
    assert "wikidata.org/entity/Q1356667" in page.text  # link to another dataset
    assert "/id/project/ganshen-hsr" in page.text  # incoming link
    turtle = requests.get(
        f"{server}/id/place/xinfeng", headers={"Accept": "text/turtle"}, timeout=10
    )
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (None, None, None) in graph and len(graph) > 20
    jsonld = requests.get(
        f"{server}/id/place/xinfeng", headers={"Accept": "application/ld+json"}, timeout=10
    )
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), graph)
    project = requests.get(f"{server}/id/project/ganshen-hsr", timeout=10)
    assert 'class="figures"' in project.text and "466000" in project.text  # figures, quoted
    assert "466,000 passengers are expected to be sent" in project.text
    figure = requests.get(f"{server}/id/figure/ganshen-hsr-xinfeng-shenzhen-before", timeout=10)
    assert "reduced from 5.5 hours" in figure.text  # figures show their source quote
    term = requests.get(
        f"{server}/def/HighSpeedRailway", headers={"Accept": "text/html"}, timeout=10
    )
    assert term.status_code == 200 and "高速铁路" in term.text
    assert requests.get(f"{server}/id/place/atlantis", timeout=10).status_code == 404


def test_interactive_api_docs(server: str) -> None:
    page = requests.get(f"{server}/docs", timeout=10)
    assert page.status_code == 200
    assert 'action="/api/queries/projects-in-place"' in page.text and "Try it" in page.text


def test_home_page_describes_the_dataset(server: str) -> None:
    page = requests.get(f"{server}/", timeout=10)
    assert page.status_code == 200
    assert "Ganzhou" in page.text and 'action="/api/queries/travel-times"' in page.text
    assert "赣州" in page.text and "Ontology: Classes" in page.text
    assert "Ontology: Object properties" in page.text and "直属于" in page.text
    table = requests.get(
        f"{server}/api/queries/travel-times", params={"format": "html"}, timeout=10
    )
    assert "<table" in table.text and "Xinfeng County" in table.text


ARTICLE_GRAPH = "https://w3id.org/ganzhou-gba/graph/cns-2022-02-17-ganzhou-bay-area"
PER_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _n(response: requests.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_protocols_dataset_from_the_url_or_a_form_body(server: str) -> None:
    """default-graph-uri and named-graph-uri, in the URL or a urlencoded POST body, make the
    query's dataset: one graph as the default graph, and no named graphs unless named."""
    whole = _count(server)
    one = {"query": COUNT, "default-graph-uri": ARTICLE_GRAPH}
    in_url = _n(requests.get(f"{server}/sparql", params=one, timeout=10))
    in_body = _n(requests.post(f"{server}/sparql", data=one, timeout=10))
    assert 0 < in_url == in_body < whole
    only_default = {"query": PER_GRAPH, "default-graph-uri": ARTICLE_GRAPH}
    assert _n(requests.post(f"{server}/sparql", data=only_default, timeout=10)) == 0
    named = {"query": PER_GRAPH, "named-graph-uri": ARTICLE_GRAPH}
    assert _n(requests.post(f"{server}/sparql", data=named, timeout=10)) == in_url


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"format": "text/csv"}, "text/csv"),  # Virtuoso's clients
        ({"format": "application/sparql-results+xml"}, "application/sparql-results+xml"),
        ({"output": "csv"}, "text/csv"),  # Fuseki's
        ({"output": "json"}, "application/sparql-results+json"),
        ({"format": "tsv"}, "text/tab-separated-values"),
    ],
)
def test_format_parameters_other_clients_send(
    server: str, params: dict[str, str], expected: str
) -> None:
    response = requests.get(
        f"{server}/sparql",
        params={"query": COUNT, **params},
        headers={"Accept": "text/html"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)


def test_a_resources_alternate_links_can_be_followed(server: str) -> None:
    """The Link: rel="alternate" headers name ?format=<media type>: following one gives
    that type, with the same triples as content negotiation does."""
    page = requests.get(f"{server}/id/place/ganzhou", headers={"Accept": "text/html"}, timeout=10)
    turtle = [
        part.split(";")[0].strip(" <>")
        for part in page.headers["link"].split(",")
        if "text/turtle" in part or "text%2Fturtle" in part
    ]
    assert turtle, page.headers["link"]
    followed = requests.get(
        turtle[0] if turtle[0].startswith("http") else f"{server}{turtle[0]}", timeout=10
    )
    assert followed.headers["content-type"].startswith("text/turtle"), followed.headers
    negotiated = requests.get(
        f"{server}/id/place/ganzhou", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert isomorphic(
        Graph().parse(data=followed.content, format="turtle"),
        Graph().parse(data=negotiated.content, format="turtle"),
    )


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [(None, "turtle"), ("text/turtle", "turtle"), ("application/ld+json", "json-ld")],
)
def test_get_without_a_query_describes_the_service(
    server: str, accept: str | None, fmt: str
) -> None:
    """SPARQL 1.1 Service Description: what it speaks, the formats it answers in, its default
    dataset (the union of the named graphs) and its limits."""
    from rdflib import Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    headers = {"Accept": accept} if accept else {}
    response = requests.get(f"{server}/sparql", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.content, format=fmt)
    service = next(iter(graph.subjects(RDF.type, sd.Service)))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, sd.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV") in formats
    assert len(formats) == 8
    assert "rows or triples per answer" in str(graph.value(service, DCTERMS.description))
    # the default graph and every named graph with the triples a query counts in them
    void = Namespace("http://rdfs.org/ns/void#")
    dataset = graph.value(service, sd.defaultDataset)
    default = graph.value(dataset, sd.defaultGraph)
    assert int(str(graph.value(default, void.triples))) == _count(server)
    names = {
        str(graph.value(g, sd.name)): int(str(graph.value(graph.value(g, sd.graph), void.triples)))
        for g in graph.objects(dataset, sd.namedGraph)
    }
    base = "https://w3id.org/ganzhou-gba/"
    assert {f"{base}graph/inferred", f"{base}graph/description", f"{base}graph/ontology"} <= set(
        names
    )
    one = f"{base}graph/inferred"
    asked = requests.get(
        f"{server}/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{one}> {{ ?s ?p ?o }} }}"},
        timeout=10,
    ).json()
    assert names[one] == int(asked["results"]["bindings"][0]["n"]["value"]) > 0
    refused = requests.get(f"{server}/sparql", headers={"Accept": "image/png"}, timeout=10)
    assert refused.status_code == 406 and refused.text.strip()


@pytest.mark.parametrize(
    "name", ["ganzhou-gba.nt", "ganzhou-gba.ttl", "context.jsonld", "CHANGES.md", "release.ttl"]
)
def test_a_distribution_iri_gives_the_file(server: str, dist: Path, name: str) -> None:
    """void:dataDump and dcat:downloadURL name BASE dist/<file>: the file itself comes back,
    byte for byte, with its media type (a JSON-LD context is a context, not a description);
    so do the release's notes."""
    response = requests.get(f"{server}/dist/{name}", timeout=10)
    assert response.status_code == 200
    assert response.content == (dist / "current" / name).read_bytes()
    media = {
        "nt": "application/n-triples",
        "ttl": "text/turtle",
        "jsonld": "application/ld+json",
        "md": "text/markdown",
    }
    assert response.headers["content-type"].startswith(media[name.rsplit(".", 1)[1]])
    if name == "context.jsonld":
        assert "@context" in response.json()
    missing = requests.get(f"{server}/dist/no-such-file.nt", timeout=10)
    assert missing.status_code == 404 and missing.text.strip()


def test_the_ontology_and_graph_iris_give_what_they_name(server: str, dist: Path) -> None:
    """The ontology IRI and its version IRI give the ontology; a named graph's IRI gives its
    triples (as the Graph Store Protocol reads a graph by its IRI), the inferences' and the
    description's too, which 404ed; as HTML, a page."""
    import pyoxigraph as ox

    base = "https://w3id.org/ganzhou-gba/"
    ontology = Graph().parse(dist / "current" / "ontology.ttl", format="turtle")
    trig = ox.Dataset(ox.parse(path=str(dist / "current" / "ganzhou-gba.trig")))

    def served(path: str) -> Graph:
        response = requests.get(f"{server}{path}", headers={"Accept": "text/turtle"}, timeout=10)
        assert response.status_code == 200, (path, response.text)
        return Graph().parse(data=response.content, format="turtle")

    assert isomorphic(served("/def/"), ontology)
    assert isomorphic(served("/def/0.1.0"), ontology)
    for name in ("inferred", "description", "cns-2022-02-17-ganzhou-bay-area"):
        graph = ox.NamedNode(f"{base}graph/{name}")
        expected = Graph().parse(
            data=ox.serialize(
                [q.triple for q in trig if q.graph_name == graph], format=ox.RdfFormat.N_TRIPLES
            ),
            format="nt",
        )
        assert len(expected) > 10 and isomorphic(served(f"/graph/{name}"), expected), name
    page = requests.get(f"{server}/graph/inferred", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "triples" in page.text


@pytest.mark.parametrize(
    "path", ["/id/place/ganzhou", "/dist/ganzhou-gba.nt", "/sparql?query=ASK%7B%7D", "/"]
)
def test_answers_carry_validators_and_a_current_copy_gets_304(server: str, path: str) -> None:
    first = requests.get(f"{server}{path}", headers={"Accept": "text/turtle, */*"}, timeout=10)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert "max-age" in first.headers["cache-control"]
    for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = requests.get(
            f"{server}{path}", headers={"Accept": "text/turtle, */*", **condition}, timeout=10
        )
        assert again.status_code == 304 and again.content == b"", condition
        assert again.headers["etag"] == etag
    stale = requests.get(
        f"{server}{path}",
        headers={"Accept": "text/turtle, */*", "If-None-Match": '"not-this-one"'},
        timeout=10,
    )
    assert stale.status_code == 200 and stale.content == first.content


def test_the_endpoint_gives_the_dumps_triples_exactly(server: str, dist: Path) -> None:
    """Every triple the endpoint holds in the dataset's named graphs is the dump's, with the
    same lexical form and datatype (a store that rewrote "10.0" as "10" or positiveInteger as
    integer would break a shape over a CONSTRUCT that the dump passes), and none is missing."""
    import pyoxigraph as ox

    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(?g != <https://w3id.org/ganzhou-gba/graph/ontology>) }"
    )
    response = requests.post(
        f"{server}/sparql",
        data={"query": query},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200 and "x-result-truncated" not in response.headers
    served = {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}
    dumped = {q.triple for q in ox.parse(path=str(dist / "current" / "ganzhou-gba.trig"))}
    assert served == dumped, (
        sorted(map(str, served - dumped))[:3],
        sorted(map(str, dumped - served))[:3],
    )
    typed = {t.object.datatype.value for t in dumped if isinstance(t.object, ox.Literal)}
    assert "http://www.w3.org/2001/XMLSchema#decimal" in typed


@pytest.mark.parametrize(
    ("accept", "fmt"), [("application/n-quads", "nquads"), ("application/trig", "trig")]
)
def test_a_resource_as_quads_names_the_graph_of_each_statement(
    server: str, dist: Path, accept: str, fmt: str
) -> None:
    """As N-Quads or TriG, a resource's statements come in the named graphs that hold them:
    the source's graph for what the article says, graph/inferred for the reasoner's; their
    triples are the Turtle description's. A named graph's IRI gives its quads."""
    from rdflib import Dataset

    base = "https://w3id.org/ganzhou-gba/"
    response = requests.get(f"{server}/id/place/xinfeng", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    quads = Dataset()
    quads.parse(data=response.content, format=fmt)
    graphs = {str(g) for s, p, _, g in quads.quads() if not str(p).endswith("#inDataset")}
    assert f"{base}graph/cns-2022-02-17-ganzhou-bay-area" in graphs
    assert f"{base}graph/inferred" in graphs and "urn:x-rdflib:default" not in graphs
    turtle = requests.get(
        f"{server}/id/place/xinfeng", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert {(s, p, o) for s, p, o, _ in quads.quads()} == set(
        Graph().parse(data=turtle.content, format="turtle")
    )
    inferred = requests.get(f"{server}/graph/inferred", headers={"Accept": accept}, timeout=10)
    held = Dataset()
    held.parse(data=inferred.content, format=fmt)
    assert {str(g) for _, _, _, g in held.quads()} == {f"{base}graph/inferred"}
    trig = Dataset()
    trig.parse(dist / "current" / "ganzhou-gba.trig", format="trig")
    assert len(held) == len(trig.graph(URIRef(f"{base}graph/inferred")))


class _Head(HTMLParser):
    """The <link rel="alternate"> elements and the JSON-LD data blocks of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            self.alternates.append((found["href"] or "", found["type"] or ""))
        self._in_json_ld = tag == "script" and found.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)
            self._in_json_ld = False


def _head(url: str) -> _Head:
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    head = _Head()
    head.feed(page.text)
    return head


def test_a_page_links_its_rdf_forms_and_embeds_its_resource_as_json_ld(server: str) -> None:
    """<link rel="alternate"> to every RDF form, each of which answers in its type; the page
    embeds the resource's description as JSON-LD: the same graph as its Turtle."""
    head = _head(f"{server}/id/project/ganshen-hsr")
    types = {media for _, media in head.alternates}
    assert {"text/turtle", "application/ld+json", "application/n-quads"} <= types
    for href, media in head.alternates:
        followed = requests.get(f"{server}{href}", timeout=10)
        assert followed.status_code == 200 and followed.headers["content-type"].startswith(media)
    (embedded,) = head.json_ld
    turtle = requests.get(
        f"{server}/id/project/ganshen-hsr", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert isomorphic(
        Graph().parse(data=embedded, format="json-ld"),
        Graph().parse(data=turtle.content, format="turtle"),
    )


def test_the_home_page_embeds_the_dataset_for_dataset_search(server: str, dist: Path) -> None:
    """schema.org Dataset JSON-LD, as Google's dataset search reads it: name, description,
    licence, a download per published file, the period, the publisher."""
    from kg_build.rdf.describe import DISTRIBUTIONS

    head = _head(f"{server}/")
    (embedded,) = head.json_ld
    found = json.loads(embedded)
    assert found["@context"] == "https://schema.org/" and found["@type"] == "Dataset"
    assert found["name"].startswith("Ganzhou") and len(found["description"]) >= 50
    assert found["license"] == ["https://creativecommons.org/licenses/by/4.0/"]
    urls = {d["contentUrl"].rsplit("/", 1)[1] for d in found["distribution"]}
    assert urls == set(DISTRIBUTIONS)
    assert {d["encodingFormat"] for d in found["distribution"]} >= {"text/turtle"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d", found["temporalCoverage"])
    assert found["publisher"]["name"] and found["isBasedOn"]
    void = {media for _, media in head.alternates}
    assert "text/turtle" in void


def test_well_known_void_gives_the_description(server: str, dist: Path) -> None:
    """RFC 5785 /.well-known/void, where the VoID note says to look: the description graph."""
    response = requests.get(
        f"{server}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 200
    served = Graph().parse(data=response.content, format="turtle")
    assert isomorphic(served, Graph().parse(dist / "current" / "void.ttl", format="turtle"))


def test_a_resource_says_its_dataset_and_its_documents_address(server: str) -> None:
    """void:inDataset in the RDF and as a Link header: the way from any resource to the
    dataset. The thing's IRI answers 200 with Content-Location naming the document (the
    representation in that format), which gives the same bytes."""
    base = "https://w3id.org/ganzhou-gba/"
    response = requests.get(
        f"{server}/id/place/xinfeng", headers={"Accept": "text/turtle"}, timeout=10
    )
    graph = Graph().parse(data=response.content, format="turtle")
    in_dataset = URIRef("http://rdfs.org/ns/void#inDataset")
    assert (URIRef(f"{base}id/place/xinfeng"), in_dataset, URIRef(f"{base}dataset")) in graph
    assert f'<{base}dataset>; rel="{in_dataset}"' in response.headers["link"]
    location = response.headers["content-location"]
    assert location.startswith("/id/place/xinfeng?format=") and "turtle" in location
    document = requests.get(f"{server}{location}", timeout=10)
    assert document.status_code == 200 and document.content == response.content


def test_static_files_are_ours_only(server: str) -> None:
    """/static/ gives the pages' scripts and the vendored library, with their types; nothing
    outside the folder, whatever the path says."""
    script = requests.get(f"{server}/static/map.js", timeout=10)
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    leaflet = requests.get(f"{server}/static/vendor/leaflet-1.9.4/leaflet.css", timeout=10)
    assert leaflet.status_code == 200 and ".leaflet-container" in leaflet.text
    for path in (
        "/static/../pages/render.py",
        "/static/%2e%2e/%2e%2e/serve/app.py",
        "/static/..%2f..%2fcli.py",
        "/static/vendor/",
        "/static/nothing.js",
    ):
        response = requests.get(f"{server}{path}", timeout=10)
        assert response.status_code == 404, path


def test_pages_come_in_the_asked_language_which_a_cookie_remembers(server: str) -> None:
    with requests.Session() as session:
        first = session.get(f"{server}/id/project/ganshen-hsr", params={"lang": "zh"}, timeout=10)
        assert first.status_code == 200 and '<html lang="zh">' in first.text
        assert "<h1>赣深高速铁路</h1>" in first.text and "出处引文" in first.text
        assert session.cookies.get("lang") == "zh"
        assert "Accept-Language" in first.headers["vary"] and "Cookie" in first.headers["vary"]
        later = session.get(f"{server}/id/place/xinfeng", timeout=10)  # no ?lang=: remembered
        assert "<h1>信丰县</h1>" in later.text
        home = session.get(f"{server}/", headers={"Accept": "text/html"}, timeout=10)
        assert "地图" in home.text and '<html lang="zh">' in home.text
    accepted = requests.get(
        f"{server}/",
        headers={"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9"},
        timeout=10,
    )
    assert '<html lang="zh">' in accepted.text
    english = requests.get(f"{server}/", headers={"Accept": "text/html"}, timeout=10)
    assert '<html lang="en">' in english.text and "<h2>Map</h2>" in english.text


def test_names_api_suggests_entities_best_first(server: str) -> None:
    """/api/names: what a search box and the forms' suggestions ask; an id or a name in any
    language, best match first, each with its page and the id a form takes."""
    found = requests.get(f"{server}/api/names", params={"q": "信丰"}, timeout=10).json()
    assert found[0]["iri"].endswith("/id/place/xinfeng") and found[0]["id"] == "place:xinfeng"
    assert found[0]["href"] == "/id/place/xinfeng" and "信丰县" in found[0]["names"]
    places = requests.get(f"{server}/api/names", params={"q": "an", "kind": "place"}, timeout=10)
    assert places.json() and all("/id/place/" in f["iri"] for f in places.json())
    everything = requests.get(f"{server}/api/names", params={"q": "an"}, timeout=10).json()
    assert len({f["iri"].split("/id/")[1].split("/")[0] for f in everything}) > 1
    page = requests.get(
        f"{server}/api/names", params={"q": "Xinfeng", "format": "html"}, timeout=10
    )
    assert 'href="/id/place/xinfeng"' in page.text
    for params in ({"q": ""}, {"q": "x" * 101}, {"q": "xin", "kind": "planet"}, {}):
        refused = requests.get(f"{server}/api/names", params=params, timeout=10)
        assert refused.status_code == 400 and refused.text.strip(), params


def test_result_tables_name_the_datasets_iris(server: str) -> None:
    """A results page shows a project by its name, in the page's language, the IRI in the
    link's title; an IRI of another dataset stays as it is."""
    path = f"{server}/api/queries/projects-in-place"
    iri = "https://w3id.org/ganzhou-gba/id/project/nankang-shared-material-centre"
    english = requests.get(path, params={"place": "nankang", "format": "html"}, timeout=10)
    assert (
        f'href="/id/project/nankang-shared-material-centre" title="{iri}">Nankang' in english.text
    )
    chinese = requests.get(
        path, params={"place": "nankang", "format": "html", "lang": "zh"}, timeout=10
    )
    assert f'title="{iri}">南康' in chinese.text
    other = requests.get(
        f"{server}/sparql",
        params={
            "query": "SELECT ?x WHERE { BIND(<https://example.org/y> AS ?x) }",
            "format": "html",
        },
        timeout=10,
    )
    assert '<a href="https://example.org/y">https://example.org/y</a>' in other.text


def test_a_language_switch_is_never_answered_from_a_stored_copy(server: str) -> None:
    """?lang= sets the cookie, so its answer must reach the browser each time (no-cache):
    a stored copy of /?lang=en would leave a cookie for zh in place."""
    switched = requests.get(
        f"{server}/", params={"lang": "en"}, headers={"Accept": "text/html"}, timeout=10
    )
    assert (
        switched.headers["cache-control"] == "no-cache"
        and "lang=en" in switched.headers["set-cookie"]
    )
    plain = requests.get(f"{server}/", headers={"Accept": "text/html"}, timeout=10)
    assert "max-age" in plain.headers["cache-control"]
