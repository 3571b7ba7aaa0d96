"""/api/queries: the canned queries as an HTTP API, with its OpenAPI document and a page of
forms to try it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg_build.query.catalog import CannedQuery
from kg_build.query.inject import with_values
from kg_build.query.params import ParameterError, bind
from kg_build.serve import pages
from kg_build.serve.openapi import openapi_document
from kg_build.serve.reply import ClientError
from kg_build.serve.service import Service


async def list_queries(service: Service, request: Request) -> Response:
    return JSONResponse([_describe(q) for q in service.catalog.values()])


async def canned(service: Service, request: Request) -> Response:
    name = request.path_params["name"]
    if name not in service.catalog:
        raise ClientError(404, f"no query {name!r}; GET /api/queries lists them")
    query = service.catalog[name]
    given = {k: v for k, v in request.query_params.items() if k != "format"}
    try:
        bindings = bind(query, given)
        text = with_values(query.text, bindings, codepoints_safe=True)
    except ParameterError as exc:
        raise ClientError(400, str(exc)) from exc
    extra = {
        "accept": request.headers.get("accept"),
        "format": request.query_params.get("format"),
    }
    return await service.run_query(request, text, extra)


async def openapi(service: Service, request: Request) -> Response:
    return JSONResponse(openapi_document(service.catalog, service.public))


async def docs(service: Service, request: Request) -> Response:
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
