"""The w3id.org redirects (`kg htaccess`) in a real Apache httpd (Debian apache2-bin, which
.ci/run installs) on loopback, as w3id.org runs them: every IRI of the dataset ends at
`kg serve`, things by 303 See Other, published files by 302, formats negotiated by the host."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ROOT, run_kg
from rdflib import Graph, URIRef
from virtuoso_server import free_port

from kg_build.serve.background import running_server
from kg_build.serve.w3id import htaccess

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
BASE = "https://w3id.org/ganzhou-gba/"
CONFIG = """ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn rewrite:info
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
DocumentRoot "{root}/www"
<Directory "{root}/www">
    AllowOverride All
    Require all granted
</Directory>
"""


@pytest.fixture(scope="module")
def server(published: Path) -> Iterator[str]:
    with running_server(published, cwd=ROOT) as url:
        yield url


@pytest.fixture(scope="module")
def w3id(server: str) -> Iterator[str]:
    """Apache with the .htaccess `kg htaccess --host SERVER` prints, in the folder w3id.org
    keeps it in; the address that stands for https://w3id.org/."""
    if not APACHE.is_file():
        pytest.fail("Apache httpd is not installed (Debian: apt-get install apache2-bin)")
    made = run_kg("htaccess", "--host", server)
    assert made.code == 0, made.err
    # world-readable: Apache's workers do not run as root
    root = Path(tempfile.mkdtemp(prefix="w3id-"))
    os.chmod(root, 0o755)  # noqa: S103 - read-only web content
    (root / "www" / "ganzhou-gba").mkdir(parents=True)
    (root / "www" / "ganzhou-gba" / ".htaccess").write_text(made.out)
    port = free_port()
    conf = root / "httpd.conf"
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    conf.write_text(CONFIG.format(root=root, port=port, modules=MODULES) + user)
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [str(APACHE), "-f", str(conf), "-DFOREGROUND"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                    pytest.fail(
                        f"Apache did not start: {process.stdout and process.stdout.read()!r} {log}"
                    )
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def _at(w3id: str, iri: str) -> str:
    """Where our stand-in for w3id.org answers for `iri`."""
    return w3id + iri.removeprefix("https://w3id.org/")


def test_a_things_iri_is_303_to_the_document_on_the_host(w3id: str, server: str) -> None:
    iri = f"{BASE}id/place/xinfeng"
    first = requests.get(
        _at(w3id, iri), headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=10
    )
    assert first.status_code == 303
    assert first.headers["location"] == f"{server}/id/place/xinfeng"
    followed = requests.get(_at(w3id, iri), headers={"Accept": "text/turtle"}, timeout=10)
    assert followed.status_code == 200 and followed.headers["content-type"].startswith(
        "text/turtle"
    )
    graph = Graph().parse(data=followed.content, format="turtle")
    assert (URIRef(iri), None, None) in graph
    page = requests.get(_at(w3id, iri), headers={"Accept": "text/html"}, timeout=10)
    assert page.headers["content-type"].startswith("text/html") and "Xinfeng" in page.text


def test_the_format_parameter_and_the_ontology_come_through(w3id: str, server: str) -> None:
    asked = requests.get(
        _at(w3id, f"{BASE}id/project/ganshen-hsr") + "?format=application/n-triples",
        allow_redirects=False,
        timeout=10,
    )
    assert asked.status_code == 303 and asked.headers["location"].endswith(
        "/id/project/ganshen-hsr?format=application/n-triples"
    )
    ontology = requests.get(_at(w3id, f"{BASE}def/"), headers={"Accept": "text/turtle"}, timeout=10)
    assert ontology.status_code == 200
    assert (URIRef(f"{BASE}def/"), None, None) in Graph().parse(
        data=ontology.content, format="turtle"
    )


def test_a_published_file_is_302_and_arrives_whole(w3id: str, published: Path) -> None:
    url = _at(w3id, f"{BASE}dist/ganzhou-gba.nt")
    first = requests.get(url, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    assert (
        requests.get(url, timeout=10).content
        == (published / "current" / "ganzhou-gba.nt").read_bytes()
    )


def test_htaccess_refuses_what_it_cannot_redirect() -> None:
    with pytest.raises(ValueError, match="w3id.org"):
        htaccess("https://example.org/kg/", "https://kg.example.org/")
    with pytest.raises(ValueError, match="http"):
        htaccess(BASE, "ftp://kg.example.org/")
    with pytest.raises(ValueError, match="rewrite rule"):
        htaccess(BASE, "https://kg.example.org/$1")
    refused = run_kg("htaccess", "--host", "https://kg.example.org/?x=1")
    assert refused.code == 2 and "query" in refused.err
