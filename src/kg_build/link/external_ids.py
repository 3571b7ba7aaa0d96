"""Identifiers of our entities in other datasets, checked by hand (external-ids.csv:
`name_en,name_zh,division_code,dataset,id,evidence`): GeoNames features, DBpedia resources,
Wikidata items of organisations and projects.

The table is a source like any other: `kg link accept --external-ids CSV` writes its rows
as statements of a source folder named after it (`about:` the entity, the identifiers, and
the rows themselves, verbatim, as the quote the quote check finds), so that the links sit in
that source's named graph and every answer that gives one names the table as its source.

`kg link check` compares both ways: each row is matched to its entity (a place by its
division code; otherwise a place, organisation or project by its English name or an
alternative one), which must be given the row's identifier by some record or statement;
and a GeoNames or DBpedia identifier, or an organisation's or project's Wikidata item,
that no row verifies is reported: an unverified link is worse than none. Places' Wikidata
items are the gazetteer's business (link/check.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Corpus, Entry, Origin
from kg_build.facts.model import Organisation, Place, Project, Said

COLUMNS = ("name_en", "name_zh", "division_code", "dataset", "id", "evidence")
FIELDS = {"geonames": "geonames", "dbpedia": "dbpedia", "wikidata": "wikidata"}
_LINKED = (Place, Organisation, Project)
KIND_FILES = {Place: "places", Organisation: "organisations", Project: "projects"}


@dataclass(frozen=True)
class ExternalId:
    name_en: str
    division_code: str
    dataset: str
    id: str
    evidence: str
    line: int
    text: str  # the row as written: the quote of the statement it becomes


def load_external_ids(path: Path) -> list[ExternalId]:
    """The table's rows; a malformed one is reported with its line (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(str(path), 0, "", f"cannot read: {exc}", "")]) from exc
    lines = text.splitlines()
    rows = list(csv.reader(lines))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise InputError(
            [Problem(str(path), 1, "", "not an external-ids table", f"columns: {COLUMNS}")]
        )
    found, problems = [], []
    for line, row in enumerate(rows[1:], 2):
        if not row:
            continue
        cells = dict(zip(COLUMNS, row, strict=False))
        if len(row) != len(COLUMNS) or cells["dataset"] not in FIELDS or not cells["id"]:
            problems.append(
                Problem(str(path), line, "dataset", f"malformed row {row!r}", ", ".join(COLUMNS))
            )
            continue
        found.append(
            ExternalId(
                cells["name_en"],
                cells["division_code"],
                cells["dataset"],
                cells["id"],
                cells["evidence"],
                line,
                lines[line - 1],
            )
        )
    if problems:
        raise InputError(problems)
    return found


def matches(corpus: Corpus, rows: list[ExternalId]) -> Iterator[tuple[ExternalId, Entry, str]]:
    """Each row with the record of the entity it is about and the field its identifier goes
    in: a place by its division code, else by English name (or an alternative one); rows about
    things the graph does not have, or of a kind that takes no such link, are left out."""
    by_code: dict[str, Entry] = {}
    by_name: dict[str, Entry] = {}
    for entry in corpus.entries.values():
        record = entry.record
        if not isinstance(record, _LINKED):
            continue
        if isinstance(record, Place) and record.code:
            by_code[record.code] = entry
        for name in (record.name.en, *record.name.alt_en):
            by_name.setdefault(name, entry)
    for row in rows:
        found = by_code.get(row.division_code) if row.division_code else None
        found = found or by_name.get(row.name_en)
        field = FIELDS[row.dataset]
        if found is not None and field in type(found.record).model_fields:
            yield row, found, field


def _given(corpus: Corpus) -> Iterator[tuple[str, str, str, Origin, bool]]:
    """Every identifier the facts give: (entity id, field, identifier, where, is a place's
    Wikidata item), from records and from statements about them."""
    for entry in corpus.entries.values():
        if isinstance(entry.record, _LINKED):
            yield from _fields(entry.record.id, entry.record, entry.origin, entry.record)
    for said in corpus.statements:
        thing = corpus.entries.get(said.statement.about)
        if thing is not None and isinstance(thing.record, _LINKED):
            yield from _fields(said.statement.about, said.statement, said.origin, thing.record)


def _fields(
    thing: str, said: Said, origin: Origin, record: object
) -> Iterator[tuple[str, str, str, Origin, bool]]:
    for field in FIELDS.values():
        value = getattr(said, field, None)
        if value is not None:
            yield thing, field, value, origin, field == "wikidata" and isinstance(record, Place)


def check_external_ids(corpus: Corpus, rows: list[ExternalId], table: Path) -> list[Problem]:
    return sorted(_problems(corpus, rows, table))


def _problems(corpus: Corpus, rows: list[ExternalId], table: Path) -> Iterator[Problem]:
    given: dict[tuple[str, str], list[tuple[str, Origin]]] = {}
    for thing, field, value, origin, gazetteers in _given(corpus):
        if not gazetteers:
            given.setdefault((thing, field), []).append((value, origin))
    verified: set[tuple[str, str]] = set()  # (entity id, field) that a row verifies
    for row, entry, field in matches(corpus, rows):
        verified.add((entry.record.id, field))
        values = given.get((entry.record.id, field), [])
        if not values:
            yield Problem(
                entry.origin.file,
                entry.origin.line_of("type"),
                field,
                f"{table.name}:{row.line} verifies {row.dataset} {row.id} for "
                f"{row.name_en} ({row.evidence}); no record or statement gives it",
                f"kg link accept --external-ids {table.name}",
            )
        for value, origin in values:
            if value != row.id:
                yield Problem(
                    origin.file,
                    origin.line_of(field),
                    field,
                    f"{value} disagrees with {table.name}:{row.line}, which verifies {row.id}",
                    "use the verified identifier, or say in note why not",
                )
    for (thing, field), values in sorted(given.items()):
        if (thing, field) in verified:
            continue  # right, or reported wrong above
        for value, origin in values:
            yield Problem(
                origin.file,
                origin.line_of(field),
                field,
                f"{field} {value} of {thing} is verified by no row of {table.name}",
                "check it beside the entity and add the row with its evidence, or remove it",
            )


def statement_files(corpus: Corpus, rows: list[ExternalId], table: Path) -> dict[str, str]:
    """The fact files of the table's source folder: for each entity a statement giving its
    verified identifiers, quoting the rows that verify them (by file name; source.yaml is
    the caller's). Entities in the same order as the table."""
    by_kind: dict[str, dict[str, tuple[dict[str, str], list[str]]]] = {}
    for row, entry, field in matches(corpus, rows):
        kind = KIND_FILES[type(entry.record)]
        ids, quotes = by_kind.setdefault(kind, {}).setdefault(entry.record.id, ({}, []))
        ids[field] = row.id
        quotes.append(row.text)
    files = {}
    for kind, things in sorted(by_kind.items()):
        lines = [
            f"# Written by `kg link accept --external-ids {table.name}`: each entity's",
            "# identifiers in other datasets, quoting the rows that verify them. Edit the table,",
            "# not this file.",
            f"{kind}:",
        ]
        for thing, (ids, quotes) in things.items():
            lines.append(f"  - about: {thing}")
            lines += [
                f"    {field}: {json.dumps(value, ensure_ascii=False)}"
                for field, value in ids.items()
            ]
            lines.append("    quote:")
            lines += [f"      - {json.dumps(q, ensure_ascii=False)}" for q in quotes]
        files[f"{kind}.yaml"] = "\n".join(lines) + "\n"
    return files


def source_file(table: Path, day: str) -> str:
    """A source.yaml for the table's folder, for the curator to complete (who checked the
    identifiers, when); written only if the folder has none."""
    return "\n".join(
        [
            "# The table of identifiers in other datasets, each checked beside its entity (its",
            "# evidence column says where): a source whose statements quote its rows.",
            f"id: {table.stem}",
            "type: dataset",
            "title: Identifiers of the graph's entities in GeoNames, DBpedia and Wikidata",
            "publisher: the curators of this graph",
            f"published: {day}",
            "language: en",
            f"text: {table.name}",
            "",
        ]
    )
