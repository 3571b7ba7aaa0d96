"""`kg serve` under hostile requests, over real HTTP on loopback: it must never fetch a URL for
a client, crash, keep working for a client that is gone, or answer 500 to a bad request."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from conftest import ROOT
from process_tree import usage

from kg_build.serve.background import Server, running_server, started_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Three copies of the graph side by side: billions of rows, hours of work.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A local HTTP server that records every request it gets and answers like a SPARQL
    endpoint, so that a fetch that got through would also succeed."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                seen.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql?secret=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def server(published: Path) -> Iterator[str]:
    with running_server(published, cwd=ROOT) as url:
        yield url


def _count(url: str) -> int:
    answer = requests.get(f"{url}/sparql", params={"query": COUNT}, timeout=30)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def federating(url: str) -> dict[str, str]:
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "comment ended by CR": f"SELECT * WHERE {{ #x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        "codepoint escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lower case": f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "in a subquery": (
            f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}"
        ),
        "variable IRI": (
            f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}"
        ),
        "no space": f"SELECT*{{SERVICE<{url}>{{?s ?p ?o}}}}",
        "in ASK": f"ASK {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    }


def test_no_spelling_of_service_makes_the_server_fetch_a_url(
    server: str, listener: Listener
) -> None:
    for name, query in federating(listener.url).items():
        for response in (
            requests.get(f"{server}/sparql", params={"query": query}, timeout=30),
            requests.post(f"{server}/sparql", data={"query": query}, timeout=30),
            requests.post(
                f"{server}/sparql",
                data=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
                timeout=30,
            ),
        ):
            assert 400 <= response.status_code < 500, (name, response.status_code)
            assert "SERVICE" in response.text, (name, response.text)
    time.sleep(0.5)  # a fetch under way would have arrived by now
    assert listener.requests == []


def test_the_sandbox_stops_service_that_the_screen_lets_through(
    published: Path, listener: Listener
) -> None:
    """Jobs sent to the pool directly skip the text check: SERVICE still reaches no network.
    The worker that tries is killed by its seccomp filter, the client gets 400 saying so,
    and the next query is answered by the worker started in its place."""
    import asyncio

    from kg_build.serve.pool import Pool, PoolLimits
    from kg_build.serve.reply import ClientError

    settings = {"base": "https://w3id.org/ganzhou-gba/", "forms": "", "max_rows": 10}
    pool = Pool(published, settings, PoolLimits(workers=1, timeout=20))
    pool.start()

    async def ask(query: str) -> tuple[int, str]:
        try:
            reply = await pool.run({"op": "sparql", "query": query})
            return reply.status, reply.body.decode()
        except ClientError as exc:
            return exc.status, str(exc)

    async def session() -> list[tuple[int, str]]:
        try:
            answers = [await ask(q) for q in federating(listener.url).values()]
            return [*answers, await ask(COUNT)]
        finally:
            pool.close_now()

    answers = asyncio.run(session())
    *refused, (last, _) = answers
    assert [status for status, _ in refused] == [400] * len(refused)
    # all but the escape (a syntax error to Oxigraph) and the variable (unbound when Oxigraph
    # evaluates SERVICE) got as far as a socket
    assert sum("network connection" in text for _, text in refused) == len(refused) - 2
    assert last == 200
    time.sleep(0.5)
    assert listener.requests == []


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_deep_and_long_queries_get_400_and_the_server_lives_on(server: str) -> None:
    before = _count(server)
    for depth in (3_000, 20_000):
        response = requests.post(f"{server}/sparql", data={"query": _nested(depth)}, timeout=30)
        assert response.status_code == 400 and "nests" in response.text
    parens = "SELECT * WHERE { FILTER(" + "(" * 5_000 + "true" + ")" * 5_000 + ") }"
    assert requests.post(f"{server}/sparql", data={"query": parens}, timeout=30).status_code == 400
    long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    response = requests.post(f"{server}/sparql", data={"query": long}, timeout=30)
    assert response.status_code == 400 and "characters long" in response.text
    assert _count(server) == before


def test_a_query_that_crashes_the_engine_costs_one_request(published: Path) -> None:
    """With the depth check raised out of the way, 20,000 nested groups reach pyoxigraph's
    parser, which overflows its stack: that worker dies, the request gets 400, the server and
    the next queries carry on."""
    with started_server(published, "--max-depth", "1000000", "--workers", "1", cwd=ROOT) as run:
        before = _count(run.url)
        for _ in range(2):
            response = requests.post(
                f"{run.url}/sparql", data={"query": _nested(20_000)}, timeout=60
            )
            assert response.status_code == 400 and "failed on this query" in response.text
            assert _count(run.url) == before
        assert run.process.poll() is None


def _settled(run: Server, seconds: float = 5.0) -> tuple[float, int, int]:
    """CPU seconds the server's processes used over `seconds`, then its threads and memory."""
    start = usage(run.process.pid)
    time.sleep(seconds)
    end = usage(run.process.pid)
    return end.cpu - start.cpu, end.threads, end.rss


def test_a_query_past_the_timeout_is_stopped_not_abandoned(published: Path) -> None:
    with started_server(published, "--timeout", "2", cwd=ROOT) as run:
        for _ in range(4):  # every worker has answered once
            _count(run.url)
        idle_cpu, threads, memory = _settled(run, 2.0)
        assert idle_cpu < 0.5
        for _ in range(3):
            began = time.monotonic()
            response = requests.get(f"{run.url}/sparql", params={"query": ENDLESS}, timeout=60)
            assert response.status_code == 503 and "longer than 2 s" in response.text
            assert time.monotonic() - began < 10
        cpu, threads_after, memory_after = _settled(run)
        assert cpu < 1.0, f"{cpu:.2f} CPU-seconds in the 5 s after the 503"
        assert threads_after == threads
        assert memory_after < memory * 1.2 + 20e6
        assert _count(run.url) > 3000


def test_a_client_that_goes_away_stops_its_query(published: Path) -> None:
    with started_server(published, "--timeout", "60", cwd=ROOT) as run:
        _count(run.url)
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", int(run.url.rsplit(":", 1)[1]))) as sock:
                sock.sendall(
                    f"GET /sparql?query={quote(ENDLESS)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
                )
                time.sleep(1.0)  # the query is running in a worker
        time.sleep(1.0)
        cpu, _, _ = _settled(run)
        assert cpu < 1.0, f"{cpu:.2f} CPU-seconds after the clients left"
        assert _count(run.url) > 3000


def test_a_full_queue_gets_503_with_retry_after(published: Path) -> None:
    options = ("--workers", "1", "--queue", "1", "--timeout", "3")
    with started_server(published, *options, cwd=ROOT) as run:

        def slow() -> int:
            url = f"{run.url}/sparql"
            return requests.get(url, params={"query": ENDLESS}, timeout=30).status_code

        with ThreadPoolExecutor(2) as running:
            first = running.submit(slow)
            time.sleep(0.5)
            second = running.submit(slow)  # waits in the queue
            time.sleep(0.5)
            third = requests.get(f"{run.url}/sparql", params={"query": COUNT}, timeout=30)
            assert third.status_code == 503 and int(third.headers["Retry-After"]) >= 1
            assert first.result() == 503 and second.result() == 503
        assert _count(run.url) > 3000


def _raw(url: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (requests would clean up a malformed path); status and body."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "path",
    [
        b"/id/a%20b",
        b"/id/a<b",
        b'/id/a"b',
        b"/id/%FF",
        b"/id/%00",
        b"/id/\xff",
        b"/id/a b",
        b"/id/{x}",
        b"/id/a\\b",
        b"/id/a%3Cb",
        b"/%2F%2Fevil.example/x",
    ],
)
def test_malformed_paths_are_4xx(server: str, path: bytes) -> None:
    status, body = _raw(
        server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert 400 <= status < 500 and body.strip()


@pytest.mark.parametrize(
    "params",
    [
        [("query", COUNT), ("default-graph-uri", "")],
        [("query", COUNT), ("default-graph-uri", "not an IRI")],
        [("query", COUNT), ("default-graph-uri", "http://x y")],
        [("query", COUNT), ("named-graph-uri", "")],
        [("query", COUNT), ("named-graph-uri", "http://x<y>")],
        [("query", COUNT), ("query", COUNT)],
        [("query", "")],
        [("query", "SELECT * WHERE { ?s ?p ?o } LIMIT -1")],
    ],
)
def test_malformed_protocol_parameters_are_400(server: str, params: list[tuple[str, str]]) -> None:
    for response in (
        requests.get(f"{server}/sparql", params=params, timeout=30),
        requests.post(f"{server}/sparql", data=params, timeout=30),
    ):
        assert response.status_code == 400 and response.text.strip(), response.text


def test_query_twice_in_url_and_body_is_400(server: str) -> None:
    response = requests.post(
        f"{server}/sparql?query={quote(COUNT)}",
        data=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 400


def test_the_dataset_comes_from_the_protocol_parameters(server: str) -> None:
    """default-graph-uri and named-graph-uri, in the URL or a form body, define the dataset;
    with only default-graph-uri, no named graph is visible (SPARQL 1.1 Protocol, 2.1.4)."""
    ontology = "https://w3id.org/ganzhou-gba/graph/ontology"
    in_graphs = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    whole = _count(server)

    def count(query: str, **params: str) -> int:
        for response in (
            requests.get(f"{server}/sparql", params={"query": query, **params}, timeout=30),
            requests.post(f"{server}/sparql", data={"query": query, **params}, timeout=30),
        ):
            assert response.status_code == 200, response.text
            found = int(response.json()["results"]["bindings"][0]["n"]["value"])
        return found

    in_ontology = count(COUNT, **{"default-graph-uri": ontology})
    assert 0 < in_ontology < whole
    assert count(in_graphs, **{"default-graph-uri": ontology}) == 0
    assert count(in_graphs, **{"named-graph-uri": ontology}) == in_ontology
    assert count(COUNT, **{"named-graph-uri": ontology}) == 0


def test_html_answers_link_only_web_iris_and_forbid_scripts(server: str) -> None:
    query = (
        "SELECT ?bad ?good WHERE { BIND(IRI('javascript:alert(1)') AS ?bad) "
        "BIND(<https://example.org/ok> AS ?good) }"
    )
    response = requests.get(
        f"{server}/sparql", params={"query": query, "format": "html"}, timeout=30
    )
    assert response.status_code == 200
    assert 'href="javascript' not in response.text and "javascript:alert(1)" in response.text
    assert 'href="https://example.org/ok"' in response.text
    for url in (f"{server}/", f"{server}/id/place/xinfeng", f"{server}/docs"):
        page = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
        policy = page.headers["Content-Security-Policy"]
        # scripts only from our own /static/ (maps): nothing inline, nothing from elsewhere
        assert "default-src 'none'" in policy and "script-src 'self';" in policy
        assert "unsafe" not in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    api = requests.get(f"{server}/api/queries", timeout=30)
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_slow_clients_are_dropped(published: Path) -> None:
    options = ("--client-timeout", "1", "--max-connections", "300")
    with started_server(published, *options, cwd=ROOT) as run:
        half = []
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", _port(run.url)))
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Half: ")
            half.append(sock)
        # a body that trickles in after a complete head
        trickle = socket.create_connection(("127.0.0.1", _port(run.url)))
        trickle.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\nSELECT"
        )
        time.sleep(3)
        closed = 0
        for sock in half:
            sock.settimeout(1)
            try:
                closed += sock.recv(100) == b""
            except (ConnectionResetError, TimeoutError):
                closed += 0
            sock.close()
        assert closed == 200
        trickle.settimeout(1)
        assert trickle.recv(100).startswith(b"HTTP/1.1 408")
        trickle.close()
        assert _count(run.url) > 3000


def test_a_long_chunked_body_is_cut_off_while_it_is_read(published: Path) -> None:
    with started_server(published, "--max-body", "100000", cwd=ROOT) as run:
        sock = socket.create_connection(("127.0.0.1", _port(run.url)), timeout=10)
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < 50_000_000:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert sent < 10_000_000, f"the server read {sent} bytes of a body over its limit"
        try:
            answer = sock.recv(200)
        except ConnectionResetError:
            answer = b""
        sock.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.1 413")
        assert _count(run.url) > 3000


@pytest.mark.parametrize(
    "extra",
    [b"Content-Length: 5\r\n\r\nhello", b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"],
)
def test_a_get_with_a_body_is_400(server: str, extra: bytes) -> None:
    status, body = _raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + extra)
    assert status == 400 and b"no body" in body
