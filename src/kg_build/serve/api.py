"""/api/queries: the canned queries as an HTTP API, with its OpenAPI document and a page of
forms to try it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

from rdflib import Namespace, Variable
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg_build.namespaces import data_prefixes
from kg_build.pages import html as pages
from kg_build.pages import i18n
from kg_build.pages.links import linker
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Row, from_sparql_json
from kg_build.query.inject import with_values
from kg_build.query.names import KINDS, choose, lookup_query, lookups, ranked, search
from kg_build.query.params import ParameterError, bind
from kg_build.serve.openapi import openapi_document
from kg_build.serve.reply import ClientError
from kg_build.serve.service import CLIENT_GONE, Service, language_of


async def list_queries(service: Service, request: Request) -> Response:
    return JSONResponse([_describe(q) for q in service.catalog.values()])


async def canned(service: Service, request: Request) -> Response:
    name = request.path_params["name"]
    if name not in service.catalog:
        raise ClientError(404, f"no query {name!r}; GET /api/queries lists them")
    query = service.catalog[name]
    # `format` and `lang` say how to answer, not what to ask
    given = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
    try:
        for lookup in lookups(query, given, service.settings.base):
            rows = await _lookup_rows(service, request, lookup.bindings)
            if rows is None:
                return Response(status_code=CLIENT_GONE)
            given[lookup.parameter.name] = choose(lookup, rows)
        bindings = bind(query, given)
        text = with_values(query.text, bindings, codepoints_safe=True)
    except ParameterError as exc:
        raise ClientError(400, str(exc)) from exc
    # the same address without `format`, for the page's download links
    kept = urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in ("format", "lang")]
    )
    extra = {
        "accept": request.headers.get("accept"),
        "format": request.query_params.get("format"),
        "canned": {
            "summary": query.summary,
            "description": query.description,
            "chart": query.chart,
            "address": f"/api/queries/{query.name}" + (f"?{kept}" if kept else ""),
        },
    }
    return await service.run_query(request, text, extra)


async def _lookup_rows(
    service: Service, request: Request, bindings: Mapping[Variable, Node]
) -> list[Row] | None:
    """The rows of the lookup query (query/lookup.rq) with `bindings`, asked of a worker like
    any query; None if the client went away."""
    text = with_values(lookup_query().text, bindings, codepoints_safe=True)
    job = {"op": "sparql", "query": text, "accept": "application/sparql-results+json"}
    reply = await service.ask(request, job)
    if reply is None:
        return None
    if reply.status != 200:
        raise ClientError(reply.status, reply.body.decode("utf-8", "replace").strip())
    return from_sparql_json(json.loads(reply.body)).rows


MAX_SEARCH = 100  # characters of a name typed into a search box


async def names(service: Service, request: Request) -> Response:
    """GET /api/names?q=TEXT[&kind=place]: the entities whose id or name (English, Chinese,
    pinyin) fits what is typed, best first, for search boxes and forms' suggestions."""
    text = request.query_params.get("q", "")
    kind = request.query_params.get("kind") or None
    if not text.strip() or len(text) > MAX_SEARCH:
        raise ClientError(400, f"give q: 1 to {MAX_SEARCH} characters of a name or an id")
    if kind is not None and kind not in KINDS:
        raise ClientError(400, f"kind is one of {', '.join(KINDS)}")
    base = service.settings.base
    rows = await _lookup_rows(service, request, search(text, base, kind))
    if rows is None:
        return Response(status_code=CLIENT_GONE)
    link = linker(base)
    prefixes = data_prefixes(base)
    found = [
        {"iri": iri, "href": link(iri), "id": _short(iri, prefixes), "names": all_names}
        for iri, all_names in ranked(text, rows, 20)
    ]
    if request.query_params.get("format") == "html":
        with i18n.speaking(language_of(request)):
            return HTMLResponse(pages.names_page(text, found))
    return JSONResponse(found)


def _short(iri: str, prefixes: Mapping[str, Namespace]) -> str:
    """`place:xinfeng` for an IRI in one of the data's prefixes, else the IRI."""
    for prefix, namespace in prefixes.items():
        if iri.startswith(str(namespace)) and "/" not in iri[len(str(namespace)) :]:
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


async def openapi(service: Service, request: Request) -> Response:
    return JSONResponse(openapi_document(service.catalog, service.public))


async def docs(service: Service, request: Request) -> Response:
    with i18n.speaking(language_of(request)):
        return HTMLResponse(pages.api_docs(openapi_document(service.catalog, service.public)))


def _describe(query: CannedQuery) -> dict[str, object]:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form,
        "path": f"/api/queries/{query.name}",
        "parameters": [
            {
                "name": p.name,
                "type": p.type_label,
                "required": p.required and p.default is None,
                "default": p.default,
                "example": p.example,
            }
            for p in query.parameters
        ],
    }
