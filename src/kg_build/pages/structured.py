"""Machine-readable data inside HTML pages: the resource a page shows as JSON-LD, the dataset as
a schema.org Dataset (what dataset search engines read), and the page's links to its RDF forms."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def script(document: Any) -> str:
    """A JSON-LD data block. `<`, `>` and `&` are escaped as JSON escapes (they can only occur
    inside strings), so no value can end the script element or start markup."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return f'<script type="application/ld+json">\n{text}\n</script>'


def alternate_links(addresses: Iterable[tuple[str, str]]) -> str:
    """<link rel="alternate"> to each (address, media type) of the page's RDF forms."""
    return "".join(
        f'<link rel="alternate" type="{html.escape(media)}" href="{html.escape(address)}">'
        for address, media in addresses
    )


def _values(store: ox.Store, subject: ox.NamedNode, predicate: str) -> list[Any]:
    quads = store.quads_for_pattern(subject, ox.NamedNode(predicate), None, ox.DefaultGraph())
    return sorted((q.object for q in quads), key=str)


def _text(store: ox.Store, subject: ox.NamedNode, predicate: str, lang: str) -> str | None:
    found = [
        v.value
        for v in _values(store, subject, predicate)
        if isinstance(v, ox.Literal) and (v.language or "") == lang
    ]
    return found[0] if found else None


def _iris(store: ox.Store, subject: ox.NamedNode, predicate: str) -> list[ox.NamedNode]:
    return [v for v in _values(store, subject, predicate) if isinstance(v, ox.NamedNode)]


def dataset(store: ox.Store, base: str) -> dict[str, Any] | None:
    """The dataset as a schema.org Dataset (Google's dataset search reads this form), from the
    VoID/DCAT description in the store; None without one."""
    node = ox.NamedNode(f"{base}dataset")
    name = _text(store, node, DCTERMS + "title", "en")
    if name is None:
        return None
    found: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": node.value,
        "name": name,
        "alternateName": _text(store, node, DCTERMS + "title", "zh"),
        "description": _text(store, node, DCTERMS + "description", "en"),
        "url": base,
        "license": [v.value for v in _iris(store, node, DCTERMS + "license")],
        "isAccessibleForFree": True,
        "inLanguage": ["en", "zh"],
        "keywords": [
            v.value for v in _values(store, node, DCAT + "keyword") if isinstance(v, ox.Literal)
        ],
        "isBasedOn": [v.value for v in _iris(store, node, PROV + "wasDerivedFrom")],
        "distribution": [_download(store, d) for d in _iris(store, node, DCAT + "distribution")],
    }
    modified = _values(store, node, DCTERMS + "modified")
    if modified:
        found["dateModified"] = modified[0].value
    for period in _iris(store, node, DCTERMS + "temporal"):
        start, end = (_values(store, period, DCAT + k) for k in ("startDate", "endDate"))
        if start and end:
            found["temporalCoverage"] = f"{start[0].value}/{end[0].value}"
    for publisher in _iris(store, node, DCTERMS + "publisher"):
        names = [v.value for v in _values(store, publisher, FOAF + "name")]
        if names:
            found["publisher"] = found["creator"] = {"@type": "Organization", "name": names[0]}
    for catalog in store.quads_for_pattern(
        None, ox.NamedNode(DCAT + "dataset"), node, ox.DefaultGraph()
    ):
        if isinstance(catalog.subject, ox.NamedNode):
            found["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": catalog.subject.value}
    return {k: v for k, v in found.items() if v not in (None, [])}


def _download(store: ox.Store, distribution: ox.NamedNode) -> dict[str, Any]:
    media = _iris(store, distribution, DCAT + "mediaType")
    iana = "http://www.iana.org/assignments/media-types/"
    return {
        "@type": "DataDownload",
        "contentUrl": distribution.value,
        "encodingFormat": media[0].value.removeprefix(iana) if media else None,
        "name": _text(store, distribution, DCTERMS + "title", ""),
    }


def resource(triples: Sequence[ox.Triple]) -> Any:
    """A resource's description as JSON-LD (expanded IRIs: no remote context to fetch)."""
    return json.loads(ox.serialize(list(triples), format=ox.RdfFormat.JSON_LD) or b"[]")
