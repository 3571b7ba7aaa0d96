"""/api/queries: the canned queries as an HTTP API, with its OpenAPI document and a page of
forms to try it."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg_build.pages import html as pages
from kg_build.pages import i18n
from kg_build.query.catalog import CannedQuery
from kg_build.query.engines import Row, from_sparql_json
from kg_build.query.inject import with_values
from kg_build.query.names import Lookup, choose, lookup_query, lookups
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
            rows = await _lookup_rows(service, request, lookup)
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


async def _lookup_rows(service: Service, request: Request, lookup: Lookup) -> list[Row] | None:
    """The rows of the lookup query for a parameter given by id or name, asked of a worker
    like any query; None if the client went away."""
    text = with_values(lookup_query().text, lookup.bindings, codepoints_safe=True)
    job = {"op": "sparql", "query": text, "accept": "application/sparql-results+json"}
    reply = await service.ask(request, job)
    if reply is None:
        return None
    if reply.status != 200:
        raise ClientError(reply.status, reply.body.decode("utf-8", "replace").strip())
    return from_sparql_json(json.loads(reply.body)).rows


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
