"""The w3id.org redirects of the dataset's IRIs: an Apache .htaccess for the w3id.org
repository that sends every IRI under the base to the host where `kg serve` answers.

Things (`id/…`), graphs, the ontology and the dataset get 303 See Other, as "Cool URIs for the
Semantic Web" asks of slash IRIs of things: the IRI names the thing, the host's address names a
document about it (which answers 200 with a Content-Location naming the representation).
The published files (`dist/…`) are documents themselves and get 302 Found."""

from __future__ import annotations

from urllib.parse import urlsplit

W3ID = "https://w3id.org/"


def htaccess(base: str, host: str) -> str:
    """The .htaccess of the w3id.org folder of `base`, redirecting to `host`. ValueError for a
    base outside w3id.org or a host that is not an http(s) address without query."""
    if not base.startswith(W3ID) or not base.endswith("/") or base == W3ID:
        raise ValueError(f"the base {base!r} is not a folder of {W3ID} (https://w3id.org/NAME/)")
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--host {host!r} is not an http(s) address without query or fragment")
    if any(c in host for c in " \t\r\n$\\\"'"):
        raise ValueError(f"--host {host!r} holds characters a rewrite rule cannot take")
    target = host.rstrip("/")
    folder = base[len(W3ID) : -1]
    return (
        f"# w3id.org redirects for {base} (written by `kg htaccess --host {target}`).\n"
        f"# Goes in the w3id.org repository as {folder}/.htaccess (docs/publishing-iris.md).\n"
        "# Things, graphs, the ontology, the dataset: 303 See Other to the document about them\n"
        "# on the host, which negotiates the format (the Accept header goes along); the\n"
        "# published files: 302 Found. The query string (?format=) is kept.\n"
        "Options +FollowSymLinks\n"
        "RewriteEngine on\n"
        f"RewriteRule ^dist/(.*)$ {target}/dist/$1 [R=302,L]\n"
        f"RewriteRule ^(.*)$ {target}/$1 [R=303,L]\n"
    )
