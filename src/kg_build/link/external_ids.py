"""`kg link check` against a table of identifiers checked by hand in other datasets
(external-ids.csv: `name_en,name_zh,division_code,dataset,id,evidence`): GeoNames features,
DBpedia resources, Wikidata items of organisations and projects.

Each row is matched to its record (a place by its division code; otherwise a place,
organisation or project by its English name or an alternative one). The record must carry
the row's identifier; a GeoNames or DBpedia identifier, or an organisation's or project's
Wikidata item, that no row verifies is reported too: an unverified link is worse than none.
Places' Wikidata items are the gazetteer's business (link/check.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Corpus, Entry
from kg_build.facts.model import Organisation, Place, Project

COLUMNS = ("name_en", "name_zh", "division_code", "dataset", "id", "evidence")
FIELDS = {"geonames": "geonames", "dbpedia": "dbpedia", "wikidata": "wikidata"}
_LINKED = (Place, Organisation, Project)


@dataclass(frozen=True)
class ExternalId:
    name_en: str
    division_code: str
    dataset: str
    id: str
    evidence: str
    line: int


def load_external_ids(path: Path) -> list[ExternalId]:
    """The table's rows; a malformed one is reported with its line (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(str(path), 0, "", f"cannot read: {exc}", "")]) from exc
    rows = list(csv.reader(text.splitlines()))
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
            )
        )
    if problems:
        raise InputError(problems)
    return found


def matches(corpus: Corpus, rows: list[ExternalId]) -> Iterator[tuple[ExternalId, Entry, str]]:
    """Each row with the record it is about and the field its identifier goes in: a place by
    its division code, else by English name (or an alternative one); rows about things the
    graph does not have, or of a kind that takes no such link, are left out."""
    entries = [e for e in corpus.entries.values() if isinstance(e.record, _LINKED)]
    by_code: dict[str, Entry] = {}
    by_name: dict[str, Entry] = {}
    for entry in entries:
        record = entry.record
        if isinstance(record, Place) and record.code:
            by_code[record.code] = entry
        if isinstance(record, _LINKED):
            for name in (record.name.en, *record.name.alt_en):
                by_name.setdefault(name, entry)
    for row in rows:
        found = by_code.get(row.division_code) if row.division_code else None
        found = found or by_name.get(row.name_en)
        field = FIELDS[row.dataset]
        if found is not None and field in type(found.record).model_fields:
            yield row, found, field


def check_external_ids(corpus: Corpus, rows: list[ExternalId], table: Path) -> list[Problem]:
    return sorted(_problems(corpus, rows, table))


def _problems(corpus: Corpus, rows: list[ExternalId], table: Path) -> Iterator[Problem]:
    entries = [e for e in corpus.entries.values() if isinstance(e.record, _LINKED)]
    verified: set[tuple[str, str]] = set()  # (record id, field) that a row verifies
    for row, entry, field in matches(corpus, rows):
        verified.add((entry.record.id, field))
        given = getattr(entry.record, field)
        where = entry.origin
        if given is None:
            yield Problem(
                where.file,
                where.line_of("type"),
                field,
                f"{table.name}:{row.line} verifies {row.dataset} {row.id} for "
                f"{row.name_en} ({row.evidence}); the record has no {field}",
                f"add `{field}: {row.id}` and its link_evidence",
            )
        elif given != row.id:
            yield entry.problem(
                field,
                f"{given} disagrees with {table.name}:{row.line}, which verifies {row.id}",
                "use the verified identifier, or say in note why not",
            )
    for entry in entries:
        record = entry.record
        for field in ("geonames", "dbpedia", "wikidata"):
            if field == "wikidata" and isinstance(record, Place):
                continue  # the gazetteer's (link/check.py)
            given = getattr(record, field, None)
            # a field some row verifies is right or reported wrong above
            if given is not None and (record.id, field) not in verified:
                yield entry.problem(
                    field,
                    f"{field} {given} is verified by no row of {table.name}",
                    "check it beside the entity and add the row with its evidence, or remove it",
                )
