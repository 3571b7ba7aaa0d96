"""/sparql: the SPARQL 1.1 Protocol's query operation, read-only."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from kg_build.serve.description import service_description
from kg_build.serve.negotiate import chosen
from kg_build.serve.reply import ClientError
from kg_build.serve.requests import graph_iri, last_of, pairs_of, read_body, response_of, values_of
from kg_build.serve.resources import home
from kg_build.serve.service import CLIENT_GONE, Service


async def sparql(service: Service, request: Request) -> Response:
    """The SPARQL 1.1 Protocol's query operation (GET, POST form or POST query); updates are
    refused; a browser asking for HTML without a query gets the home page."""
    settings = service.settings
    params = pairs_of(request.url.query)
    text: str | None = None
    if request.method == "POST":
        body = await read_body(request, settings.max_body, settings.client_timeout)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise ClientError(403, "this endpoint is read-only: updates are refused")
        if kind == "application/sparql-query":
            if values_of(params, "query"):
                raise ClientError(400, "give the query in the body or in `query`, not both")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ClientError(400, f"the query is not UTF-8 ({exc.reason})") from exc
        elif kind == "application/x-www-form-urlencoded":
            params += pairs_of(body.decode("utf-8", errors="replace"))
        else:
            raise ClientError(
                415, "send application/sparql-query, or a urlencoded form with `query`"
            )
    if values_of(params, "update"):
        raise ClientError(403, "this endpoint is read-only: updates are refused")
    if text is None:
        given = values_of(params, "query")
        if len(given) > 1:
            raise ClientError(400, "give `query` once (the SPARQL Protocol allows one)")
        text = given[0] if given else None
    if not text:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return await home(service, request)
        if request.method == "GET" and not values_of(params, "query"):
            return await _described(service, request, params)  # no query at all, not an empty one
        raise ClientError(400, "give a SPARQL query in the `query` parameter")
    default = [graph_iri("default-graph-uri", v) for v in values_of(params, "default-graph-uri")]
    named = [graph_iri("named-graph-uri", v) for v in values_of(params, "named-graph-uri")]
    return await service.run_query(
        request,
        text,
        {
            "dataset": [default, named] if default or named else None,
            "accept": request.headers.get("accept"),
            # `output=` is Fuseki's name for it
            "format": last_of(params, "format") or last_of(params, "output"),
        },
    )


# RDF syntaxes the description is offered in, Turtle first (what */* gets)
_RDF = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


async def _described(service: Service, request: Request, params: list[tuple[str, str]]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (GET without a query), with the
    triple counts of its default graph and named graphs (counted once per release)."""
    media = chosen(request.headers.get("accept"), last_of(params, "format"), list(_RDF))
    if media is None:
        raise ClientError(406, f"the service description is offered as {', '.join(_RDF)}")
    reply = await service.once_per_release(request, service.graph_counts, {"op": "graph-counts"})
    if reply is None or reply.status != 200:
        return Response(status_code=CLIENT_GONE) if reply is None else response_of(reply)
    counts = json.loads(reply.body)
    settings = service.settings
    graph = service_description(
        f"{service.public}sparql",
        f"{settings.base}dataset",
        settings.max_rows,
        service.pool.limits.timeout,
        settings.query_limits.max_length,
        counts,
    )
    body = graph.serialize(format=_RDF[media], encoding="utf-8")
    charset = "" if media == "application/rdf+xml" else "; charset=utf-8"
    return Response(body, 200, {"Vary": "Accept"}, media_type=media + charset)
