"""HTTP content negotiation: pick the best offered media type for an Accept header (q-values)."""

from __future__ import annotations

from collections.abc import Sequence


def _parse(accept: str) -> list[tuple[str, float, int]]:
    ranges = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            key, _, value = field.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    return ranges


def _matches(media_range: str, offered: str) -> int:
    """Specificity of the match (3 exact, 2 type/*, 1 */*), 0 for none."""
    if media_range == offered:
        return 3
    kind, _, sub = media_range.partition("/")
    if sub == "*" and offered.startswith(kind + "/"):
        return 2
    return 1 if media_range == "*/*" else 0


def best_match(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered type the client prefers most; the first offered one for a missing header."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _parse(accept)
    best: tuple[float, int, int, str] | None = None  # quality, specificity, our order
    for index, media in enumerate(offered):
        # the most specific range that matches decides this type's quality
        matching = [(s, q, p) for r, q, p in ranges if (s := _matches(r, media))]
        if not matching:
            continue
        specificity, quality, _ = max(matching, key=lambda m: m[0])
        if quality <= 0:
            continue
        key = (quality, specificity, -index, media)
        if best is None or key > best:
            best = key
    return best[3] if best else None


# `?format=csv` for clients (and HTML forms) that cannot set Accept.
FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}


def chosen(accept: str | None, format_param: str | None, offered: Sequence[str]) -> str | None:
    """The type to answer in: `?format=` when it names an offered type (by its short name,
    `csv`, or as a media type, `text/csv`, as Virtuoso's clients and our own Link headers
    send it), else by Accept."""
    given = (format_param or "").split(";")[0].strip().lower()
    explicit = FORMATS.get(given, given)
    return explicit if explicit in offered else best_match(accept, offered)
