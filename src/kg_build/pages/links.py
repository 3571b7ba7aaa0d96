"""Where a link to an IRI goes on our pages."""

from __future__ import annotations

from collections.abc import Callable

# Where a link to an IRI goes, or None where it must not be a link at all.
Link = Callable[[str], str | None]


def linker(base: str) -> Link:
    """Links for IRIs: the dataset's own resolve on this server; other http(s) IRIs are linked
    as they are; any other scheme (javascript:, data:, …, easy to put in an answer with
    BIND(IRI(…))) is never an href, only text."""

    def link(iri: str) -> str | None:
        rest = iri[len(base) :] if iri.startswith(base) else None
        if rest is not None and not rest.startswith("/"):  # "//host" would leave this site
            return "/" + rest
        scheme, colon, _ = iri.partition(":")
        return iri if colon and scheme.lower() in ("http", "https") else None

    return link
