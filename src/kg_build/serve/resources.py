"""The home page (kept per release: it changes only with the data) and a page, or RDF, for
every resource of the dataset."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from kg_build.publish.notes import CHANGES, DESCRIPTION
from kg_build.rdf.describe import DISTRIBUTIONS
from kg_build.serve.reply import ClientError
from kg_build.serve.requests import iri_of, response_of
from kg_build.serve.service import CLIENT_GONE, Service


async def home(service: Service, request: Request) -> Response:
    reply = await service.once_per_release(request, service.home_pages, {"op": "home"})
    return Response(status_code=CLIENT_GONE) if reply is None else response_of(reply)


async def resource(service: Service, request: Request) -> Response:
    iri = iri_of(request, service.settings.base)
    job = {
        "op": "resource",
        "iri": iri,
        "path": request.url.path,
        "accept": request.headers.get("accept"),
        "format": request.query_params.get("format"),
    }
    return await service.answer(request, job)


async def well_known_void(service: Service, request: Request) -> Response:
    """RFC 5785's /.well-known/void, where the VoID note says a dataset's description is
    found: the description graph, in the negotiated syntax."""
    job = {
        "op": "resource",
        "iri": f"{service.settings.base}graph/description",
        "path": request.url.path,
        "accept": request.headers.get("accept"),
        "format": request.query_params.get("format"),
    }
    return await service.answer(request, job)


# what a release says of itself (publish/notes.py), beside the dumps
NOTE_TYPES = {CHANGES: "text/markdown", DESCRIPTION: "text/turtle"}


async def distribution(service: Service, request: Request) -> Response:
    """A distribution's IRI (void:dataDump, dcat:downloadURL: BASE dist/<file>) gives the
    file itself, of the release the workers read, with its media type; any other name under
    dist/ is a resource IRI like the rest."""
    name = request.path_params["name"]
    media = DISTRIBUTIONS.get(name) or NOTE_TYPES.get(name)
    if media is None:
        return await resource(service, request)
    path = service.pool.release.parent / name  # the release folder holds its store and dumps
    if not path.is_file():
        return await resource(service, request)
    charset = "" if media == "application/ld+json" else "; charset=utf-8"
    # stat now, so that its ETag and Last-Modified are there for the conditional request
    return FileResponse(path, media_type=media + charset, stat_result=path.stat())


# Files of kg_build/pages/static/: our scripts and the libraries vendored from npm.
STATIC = Path(__file__).resolve().parent.parent / "pages" / "static"
_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


async def static(service: Service, request: Request) -> Response:
    """A file of STATIC, by its path under it; 404 for anything else (no listing, no way out
    of the folder, only the kinds of file pages use)."""
    path = (STATIC / request.path_params["path"]).resolve()
    if not path.is_relative_to(STATIC) or path.suffix not in _STATIC_TYPES or not path.is_file():
        raise ClientError(404, "no such file")
    return FileResponse(path, media_type=_STATIC_TYPES[path.suffix], stat_result=path.stat())
