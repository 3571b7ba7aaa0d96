"""Read the canned queries: one `.rq` file each, with grlc-style `#+` YAML headers.

Parameters follow grlc's variable naming: `?_name` (required string), `?__name` (optional),
`?_name_iri` (IRI), `?_name_en` (literal in a language), `?_name_integer` (literal with an
XSD datatype). `#+ defaults:` and `#+ examples:` give each parameter a default and an example;
`#+ kinds:` (ours, not grlc's) says what kind of entity an IRI parameter names when its name
does not say it (`- region: place`), so that a name given for it is looked up among those;
`#+ chart:` (ours too) draws the answer beside its table: `kind: bar` with `label` (a column
or a list of columns) and `value`, or `kind: timeline` with `when` and `label`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pyparsing import ParseException
from rdflib import URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

from kg_build.errors import InputError, Problem

Form = Literal["SELECT", "CONSTRUCT", "ASK", "DESCRIBE"]
Kind = Literal["iri", "string", "lang", "typed"]

_VARIABLE = re.compile(r"^(?P<required>_{1,2})(?P<name>[^_]+)(?:_(?P<type>[A-Za-z0-9]+))?$")
XSD_TYPES = frozenset(
    "integer decimal double float boolean date dateTime gYear gYearMonth time anyURI "
    "nonNegativeInteger positiveInteger long int".split()
)
HEADER_KEYS = frozenset(
    "summary description tags defaults examples enumerate method pagination endpoint "
    "endpoint_in_url transform kinds chart".split()
)
VIOLATION_SUFFIX = "-violation"


@dataclass(frozen=True)
class Parameter:
    name: str
    variable: str  # the SPARQL variable without "?", e.g. "_place_iri"
    required: bool
    kind: Kind
    lang: str | None = None
    datatype: URIRef | None = None
    default: str | None = None
    example: str | None = None
    entity: str | None = None  # `#+ kinds:`: the kind of entity an IRI parameter names

    @property
    def type_label(self) -> str:
        if self.kind == "lang":
            return f"literal@{self.lang}"
        if self.kind == "typed" and self.datatype is not None:
            return "xsd:" + str(self.datatype).rsplit("#", 1)[-1]
        return self.kind


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    form: Form
    ordered: bool
    algebra: Query
    chart: dict[str, Any] | None = None  # `#+ chart:`, checked against the answer's columns

    @property
    def is_violation(self) -> bool:
        return self.name.endswith(VIOLATION_SUFFIX)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def is_violation_file(path: Path) -> bool:
    return path.stem.endswith(VIOLATION_SUFFIX)


def header_of(text: str) -> dict[str, Any]:
    lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    data = yaml.safe_load("\n".join(lines)) if lines else {}
    return data if isinstance(data, dict) else {}


def _named_values(header: dict[str, Any], key: str) -> dict[str, str]:
    """grlc writes defaults as a list of one-key mappings; accept a plain mapping too."""
    raw = header.get(key) or {}
    items = raw if isinstance(raw, list) else [raw]
    values: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            values.update({str(k): str(v) for k, v in item.items()})
    return values


def parameters_of(variables: set[str], header: dict[str, Any]) -> tuple[Parameter, ...]:
    defaults, examples = _named_values(header, "defaults"), _named_values(header, "examples")
    kinds = _named_values(header, "kinds")
    found = []
    for variable in sorted(variables):
        match = _VARIABLE.match(variable)
        if not match:
            continue
        name, code = match.group("name"), match.group("type")
        kind: Kind = "string"
        lang = None
        datatype = None
        if code == "iri":
            kind = "iri"
        elif code in XSD_TYPES:
            kind, datatype = "typed", XSD[code]
        elif code is not None and len(code) == 2 and code.isalpha():
            kind, lang = "lang", code.lower()
        elif code not in (None, "string", "literal"):
            raise ValueError(f"parameter ?{variable}: unknown type {code!r}")
        found.append(
            Parameter(
                name=name,
                variable=variable,
                required=match.group("required") == "_",
                kind=kind,
                lang=lang,
                datatype=datatype,
                default=defaults.get(name),
                example=examples.get(name),
                entity=kinds.get(name),
            )
        )
    return tuple(found)


def _walk(node: Any) -> list[Any]:
    out = [node]
    if hasattr(node, "values") and callable(node.values):
        for value in node.values():
            out.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_walk(value))
    return out


CHARTS = {"bar": ("label", "value"), "timeline": ("when", "label")}


def chart_of(raw: object, columns: set[str]) -> dict[str, Any] | None:
    """The `#+ chart:` header, its columns checked against the SELECT's; ValueError if wrong."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("kind") not in CHARTS:
        raise ValueError(f"chart: give kind: {' or '.join(CHARTS)}, and its columns")
    chart: dict[str, Any] = {"kind": raw["kind"]}
    for role in CHARTS[raw["kind"]]:
        given = raw.get(role)
        names = given if isinstance(given, list) else [given]
        unknown = [n for n in names if not isinstance(n, str) or n not in columns]
        if not names or unknown:
            raise ValueError(
                f"chart {role}: {unknown or given!r} is not a column of the answer "
                f"({', '.join(sorted(columns))})"
            )
        chart[role] = names
    return chart


def load_query(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    header = header_of(text)
    try:
        algebra = translateQuery(parseQuery(text))
    except ParseException as exc:
        raise ValueError(f"not a valid SPARQL query: {exc}") from exc
    root = algebra.algebra
    form: Form = {
        "SelectQuery": "SELECT",
        "ConstructQuery": "CONSTRUCT",
        "AskQuery": "ASK",
        "DescribeQuery": "DESCRIBE",
    }[root.name]  # type: ignore[assignment]
    variables = {str(v) for v in root["_vars"]}
    if form == "CONSTRUCT":
        variables |= {str(t) for triple in root["template"] or [] for t in triple}
    ordered = any(getattr(n, "name", None) == "OrderBy" for n in _walk(root))
    chart = chart_of(
        header.get("chart"), {str(v) for v in root["_vars"]} if form == "SELECT" else set()
    )
    return CannedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header.get("summary", "")).strip(),
        description=str(header.get("description", "")).strip(),
        tags=tuple(str(t) for t in header.get("tags") or []),
        parameters=parameters_of(variables, header),
        form=form,
        ordered=ordered,
        algebra=algebra,
        chart=chart,
    )


def load_catalog(
    queries_dir: Path, only: Callable[[Path], bool] | None = None
) -> dict[str, CannedQuery]:
    """Every query of the folder (with `only`, those it accepts), parsed and checked."""
    if not queries_dir.is_dir():
        raise InputError(
            [Problem(str(queries_dir), 0, "", "queries folder not found", "pass --queries DIR")]
        )
    catalog: dict[str, CannedQuery] = {}
    problems = []
    for path in sorted(queries_dir.glob("*.rq")):
        if only is not None and not only(path):
            continue
        try:
            catalog[path.stem] = load_query(path)
        except (ValueError, yaml.YAMLError) as exc:
            problems.append(Problem(str(path), 0, "", str(exc), "fix the query file"))
    if problems:
        raise InputError(problems)
    return catalog
