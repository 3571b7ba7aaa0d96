"""OpenAPI 3 description of the web API: one path per canned query, with typed parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg_build import __version__
from kg_build.query.catalog import CannedQuery, Parameter
from kg_build.query.names import KINDS

SELECT_MEDIA = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/html",
]
GRAPH_MEDIA = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


def _schema(p: Parameter) -> dict[str, Any]:
    if p.kind == "iri":
        schema: dict[str, Any] = {
            "type": "string",
            "description": "The IRI, the id (xinfeng), PREFIX:ID (place:xinfeng), or a name in "
            "English, Chinese or pinyin (Xinfeng County, 信丰县, Xinfeng); 400 when it names "
            "nothing or several things",
        }
    elif p.type_label == "xsd:integer":
        schema = {"type": "integer"}
    else:
        schema = {"type": "string"}
    if p.default is not None:
        schema["default"] = int(p.default) if schema["type"] == "integer" else p.default
    return schema


def _responses(media: list[str]) -> dict[str, Any]:
    content = {m: {"schema": {"type": "string"}} for m in media}
    return {
        "200": {"description": "The answer, in the negotiated format", "content": content},
        "400": {"description": "Malformed query or parameter"},
        "406": {"description": "None of the accepted formats is offered"},
        "503": {"description": "The query took longer than the server's limit"},
    }


_SPARQL_PATH: dict[str, Any] = {
    "get": {
        "summary": "SPARQL 1.1 Protocol query (read-only)",
        "operationId": "sparqlQuery",
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "default-graph-uri",
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
            },
        ],
        "responses": _responses(SELECT_MEDIA + GRAPH_MEDIA),
    },
}
_LIST_PATH: dict[str, Any] = {
    "get": {
        "summary": "List the canned queries",
        "operationId": "listQueries",
        "responses": {
            "200": {
                "description": "Queries with their parameters",
                "content": {
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}
                },
            }
        },
    }
}


_NAMES_PATH: dict[str, Any] = {
    "get": {
        "summary": "Find entities by id or name",
        "description": "The entities whose id or English, Chinese or pinyin name is, starts "
        "with or contains q (case and white space folded), best first, at most 20; what the "
        "search box and the forms' suggestions ask. format=html gives a page of links.",
        "operationId": "findNames",
        "parameters": [
            {
                "name": "q",
                "in": "query",
                "required": True,
                "description": "what was typed: 1 to 100 characters",
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "example": "信丰",
            },
            {
                "name": "kind",
                "in": "query",
                "required": False,
                "description": "only entities of this kind",
                "schema": {"type": "string", "enum": list(KINDS)},
            },
        ],
        "responses": {
            "200": {
                "description": "Entities: IRI, page, id a query takes, names",
                "content": {
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            "400": {"description": "No q, too long, or an unknown kind"},
        },
    }
}


def openapi_document(catalog: Mapping[str, CannedQuery], public_base: str) -> dict[str, Any]:
    paths = {
        "/sparql": _SPARQL_PATH,
        "/api/queries": _LIST_PATH,
        "/api/names": _NAMES_PATH,
        **{f"/api/queries/{query.name}": _canned_path(query) for query in catalog.values()},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Ganzhou – Greater Bay Area knowledge graph API",
            "version": __version__,
            "description": "Canned SPARQL queries over the knowledge graph, with typed parameters.",
        },
        "servers": [{"url": public_base.rstrip("/")}],
        "paths": paths,
    }


def _canned_path(query: CannedQuery) -> dict[str, Any]:
    return {
        "get": {
            "summary": query.summary,
            "description": query.description,
            "operationId": query.name.replace("-", "_"),
            "tags": list(query.tags),
            "parameters": [
                {
                    "name": p.name,
                    "in": "query",
                    "required": p.required and p.default is None,
                    "description": f"{p.type_label}" + (f"; e.g. {p.example}" if p.example else ""),
                    "schema": _schema(p),
                    **({"example": p.example} if p.example else {}),
                }
                for p in query.parameters
            ],
            "responses": _responses(
                GRAPH_MEDIA if query.form in ("CONSTRUCT", "DESCRIBE") else SELECT_MEDIA
            ),
        }
    }
