"""One typed configuration, read from `kg.toml`; command-line options override it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg_build.errors import InputError, Problem
from kg_build.namespaces import DEFAULT_BASE

CONFIG_FILE = "kg.toml"
SECTION = "kg-build"


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")
    base: str = DEFAULT_BASE
    facts: Path = Path("facts")
    ontology: Path = Path("ontology")
    shapes: Path = Path("shapes")
    dist: Path = Path("dist")
    queries: Path = Path("queries")
    gazetteer: Path | None = None  # reference CSV for `kg link`; optional, never required
    # identifiers in other datasets checked by hand, for `kg link check`; optional too
    external_ids: Path | None = None
    # Where source texts are looked up for the quote check; missing folders are fine.
    texts: tuple[Path, ...] = field(default_factory=tuple)
    # Fail the build, rather than warn, when HermiT cannot check consistency (no Java).
    require_reasoner: bool = False
    file: Path | None = None  # the kg.toml these settings came from, if any

    def with_overrides(self, **values: Any) -> Config:
        given = {k: v for k, v in values.items() if v not in (None, ())}
        for key in ("facts", "ontology", "shapes", "dist", "queries"):
            if key in given:
                given[key] = Path(given[key])
        if "texts" in given:
            given["texts"] = tuple(Path(t) for t in given["texts"])
        return replace(self, **given)


def load_config(path: Path | None) -> Config:
    """Read `path`, or ./kg.toml if it exists, else use defaults relative to the current folder."""
    if path is None:
        candidate = Path.cwd() / CONFIG_FILE
        if not candidate.exists():
            return Config(root=Path.cwd())
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            [Problem(str(path), 0, "", f"cannot read configuration: {exc}", "")]
        ) from exc
    section = data.get(SECTION, {})
    known = {
        *("base", "facts", "ontology", "shapes", "dist", "queries", "texts", "gazetteer"),
        *("external_ids", "require_reasoner"),
    }
    unknown = sorted(set(section) - known)
    if unknown:
        raise InputError(
            [
                Problem(
                    str(path),
                    0,
                    unknown[0],
                    f"unknown setting {unknown[0]!r} in [{SECTION}]",
                    f"known settings: {', '.join(sorted(known))}",
                )
            ]
        )
    root = path.parent.resolve()

    def resolve(value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else root / p

    return Config(
        root=root,
        base=section.get("base", DEFAULT_BASE),
        facts=resolve(section.get("facts", "facts")),
        ontology=resolve(section.get("ontology", "ontology")),
        shapes=resolve(section.get("shapes", "shapes")),
        dist=resolve(section.get("dist", "dist")),
        queries=resolve(section.get("queries", "queries")),
        gazetteer=resolve(section["gazetteer"]) if "gazetteer" in section else None,
        external_ids=resolve(section["external_ids"]) if "external_ids" in section else None,
        texts=tuple(resolve(t) for t in section.get("texts", [])),
        require_reasoner=bool(section.get("require_reasoner", False)),
        file=path,
    )
