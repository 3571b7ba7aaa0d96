"""`kg link accept`: write the accepted rows of a review file into the curated facts.

Each accepted row adds `code:` and `wikidata:` lines to its record, just below the record's
`type:` line, plus `link_evidence:` saying which run proposed it. Lines are inserted by the
line numbers the YAML loader kept, so comments and layout of the curated files survive.
A record that already has a different identifier is a conflict for the curator, not
something to overwrite.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Corpus, Entry
from kg_build.facts.model import Organisation, Place
from kg_build.link.suggest import COLUMNS

_QID = re.compile(r"^Q[1-9][0-9]*$")
_CODE = re.compile(r"^[1-8][0-9]{5}$")


@dataclass(frozen=True)
class Accepted:
    id: str
    code: str
    wikidata: str
    evidence: str
    line: int  # in the review file


def read_review(path: Path) -> list[Accepted]:
    """The rows whose band is `accept` (after the curator's edits), checked for form."""
    shown = str(path)
    problems: list[Problem] = []
    accepted: dict[str, Accepted] = {}
    for number, row in enumerate(_review_rows(path), 2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            problems.append(
                Problem(shown, number, "", f"{len(row)} columns, expected {len(COLUMNS)}")
            )
            continue
        cells = dict(zip(COLUMNS, row, strict=True))
        problems += _cell_problems(shown, number, cells)
        if cells["band"] != "accept":
            continue
        if cells["id"] in accepted:
            problems.append(
                Problem(
                    shown,
                    number,
                    "band",
                    f"{cells['id']} has a second accepted row "
                    f"(the first is line {accepted[cells['id']].line})",
                    "accept one candidate per record",
                )
            )
            continue
        evidence = f"kg link suggest, score {cells['score']} ({cells['why']}), {cells['evidence']}"
        accepted[cells["id"]] = Accepted(
            cells["id"], cells["code"], cells["wikidata"], evidence, number
        )
    if problems:
        raise InputError(problems)
    return list(accepted.values())


def _review_rows(path: Path) -> list[list[str]]:
    """The rows of a review file after its header, which must be kg link suggest's."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            [Problem(str(path), 0, "", f"cannot read the review file: {exc}")]
        ) from exc
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        problem = Problem(
            str(path),
            1,
            "",
            "not a review file of `kg link suggest`",
            "its first line names the columns: " + " ".join(COLUMNS),
        )
        raise InputError([problem])
    return rows[1:]


def _cell_problems(shown: str, number: int, cells: dict[str, str]) -> list[Problem]:
    """A row's band, and in an accepted row its code and Wikidata item, checked for form."""
    problems = []
    if cells["band"] not in ("accept", "review", "reject"):
        problems.append(
            Problem(
                shown, number, "band", f"unknown band {cells['band']!r}", "accept, review or reject"
            )
        )
    if cells["band"] != "accept":
        return problems
    if cells["code"] and not _CODE.match(cells["code"]):
        problems.append(Problem(shown, number, "code", f"{cells['code']!r} is not a division code"))
    if cells["wikidata"] and not _QID.match(cells["wikidata"]):
        problems.append(
            Problem(shown, number, "wikidata", f"{cells['wikidata']!r} is not a Wikidata item")
        )
    return problems


@dataclass(frozen=True)
class Insertion:
    file: str  # as the corpus shows it
    after_line: int
    lines: tuple[str, ...]  # without indentation


def plan_insertions(corpus: Corpus, accepted: list[Accepted], review: Path) -> list[Insertion]:
    """What to add where; rows that the facts already say are skipped."""
    problems: list[Problem] = []
    plan: list[Insertion] = []
    for row in accepted:
        entry = corpus.entries.get(row.id)
        if entry is None or not isinstance(entry.record, Place | Organisation):
            problems.append(
                Problem(str(review), row.line, "id", f"no place or organisation {row.id!r}")
            )
            continue
        fields = _new_fields(entry, row, review, problems)
        if fields:
            fields.append(f"link_evidence: {json.dumps(row.evidence, ensure_ascii=False)}")
            plan.append(Insertion(entry.origin.file, entry.origin.line_of("type"), tuple(fields)))
    if problems:
        raise InputError(problems)
    return plan


def _new_fields(entry: Entry, row: Accepted, review: Path, problems: list[Problem]) -> list[str]:
    record = entry.record
    fields = []
    current_code = record.code if isinstance(record, Place) else None
    if row.code and isinstance(record, Organisation):
        problems.append(
            Problem(str(review), row.line, "code", f"{row.id} is an organisation: no code")
        )
    elif row.code and current_code is None:
        fields.append(f'code: "{row.code}"')
    elif row.code and current_code != row.code:
        problems.append(_conflict(entry, "code", current_code, row.code))
    wikidata = getattr(record, "wikidata", None)
    if row.wikidata and wikidata is None:
        fields.append(f"wikidata: {row.wikidata}")
    elif row.wikidata and wikidata != row.wikidata:
        problems.append(_conflict(entry, "wikidata", wikidata, row.wikidata))
    return fields


def _conflict(entry: Entry, field: str, have: str | None, offered: str) -> Problem:
    return entry.problem(
        field,
        f"{entry.record.id} has {field} {have}, the review file accepts {offered}",
        "decide which is right and edit the fact file by hand",
    )


def apply_insertions(text: str, insertions: list[Insertion], shown: str) -> str:
    """The file's text with the insertions made, each indented like the line it follows."""
    lines = text.splitlines(keepends=True)
    for insertion in sorted(insertions, key=lambda i: -i.after_line):
        anchor = lines[insertion.after_line - 1]
        stripped = anchor.lstrip(" ")
        if not stripped.startswith("type:"):
            raise InputError(
                [
                    Problem(
                        shown,
                        insertion.after_line,
                        "type",
                        "cannot place the new fields: the record is not in block style",
                        "write the record one field per line, `type:` on its own line",
                    )
                ]
            )
        indent = " " * (len(anchor) - len(stripped))
        lines[insertion.after_line : insertion.after_line] = [
            f"{indent}{line}\n" for line in insertion.lines
        ]
    return "".join(lines)
