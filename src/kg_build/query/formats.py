"""Write query results as a text table, SPARQL 1.1 CSV/TSV/JSON results, or Turtle."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg_build.query.engines import Result

FORMATS = ("table", "csv", "tsv", "json", "turtle")


class FormatError(ValueError):
    pass


def render(result: Result, fmt: str, prefixes: Mapping[str, Namespace]) -> str:
    if result.kind == "graph":
        if fmt not in ("turtle", "json"):
            raise FormatError(
                "this query returns a graph: use --format turtle (or json for JSON-LD)"
            )
        graph = result.graph or Graph()
        for prefix, ns in prefixes.items():
            graph.bind(prefix, ns, override=True, replace=True)
        return graph.serialize(format="turtle" if fmt == "turtle" else "json-ld")
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "turtle":
        raise FormatError("turtle is for CONSTRUCT queries; use table, csv, tsv or json")
    if fmt == "json":
        return _json(result)
    if fmt == "csv":
        return _delimited(result, ",", lambda t: "" if t is None else _csv_cell(t))
    if fmt == "tsv":
        return _tsv(result)
    return _table(result, prefixes)


def _csv_cell(term: Node) -> str:
    # SPARQL 1.1 CSV: IRIs and literals as their plain value, blank nodes as _:label
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _delimited(result: Result, delimiter: str, cell: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([cell(t) for t in row])  # type: ignore[operator]
    return out.getvalue()


def _tsv(result: Result) -> str:
    # SPARQL 1.1 TSV: terms in Turtle/N-Triples syntax, header with '?'
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


# In a TSV result a tab or a line break would end the cell or the row: escaped, as N-Triples
# escapes them (rdflib's n3() writes a literal with a line break as a long """ string)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_term(term: Node) -> str:
    """A term as SPARQL 1.1 TSV writes it: N-Triples syntax, one line, no tab."""
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and str(term.datatype) != str(XSD.string):
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    raise FormatError(f"cannot write {term!r}")


def _json(result: Result) -> str:
    bindings = [
        {v: json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _short(term: Node | None, prefixes: Mapping[str, Namespace], width: int = 60) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        best = max(
            ((p, str(ns)) for p, ns in prefixes.items() if text.startswith(str(ns))),
            key=lambda item: len(item[1]),
            default=None,
        )
        shown = f"{best[0]}:{text[len(best[1]) :]}" if best else f"<{text}>"
    else:
        shown = str(term).replace("\n", " ")
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def _table(result: Result, prefixes: Mapping[str, Namespace]) -> str:
    cells = [[_short(t, prefixes) for t in row] for row in result.rows]
    widths = [len(v) for v in result.variables]
    for row in cells:
        widths = [max(w, _display_width(c)) for w, c in zip(widths, row, strict=True)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v + " " * (w - _display_width(v)) for v, w in zip(values, widths, strict=True)
        ).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _display_width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)
