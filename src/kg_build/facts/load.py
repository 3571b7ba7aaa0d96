"""Read every fact file under `facts/` into typed records, each with the file and line it came from.

Layout (one obvious place for each kind of fact):

    facts/places.yaml                     places shared by all sources
    facts/sources/<source-id>/source.yaml bibliographic record of one source
    facts/sources/<source-id>/<kind>.yaml the facts that source states (see FACT_FILES)

All problems found are collected and raised together as one InputError, so a
curator fixes a file in one pass rather than one error per run.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
import yaml
from pydantic import BaseModel, ValidationError

from kg_build.errors import InputError, Problem, display_path
from kg_build.facts.model import (
    FACILITY_TYPES,
    FACT_FILES,
    SOURCE_FILE,
    STATEMENTS,
    Figure,
    Person,
    PersonStatement,
    Project,
    ProjectStatement,
    Record,
    Source,
    Statement,
)
from kg_build.facts.yaml_positions import (
    DuplicateKeyError,
    Located,
    Path_,
    ShapeError,
    load_located,
)
from kg_build.namespaces import QUANTITYKIND
from kg_build.progress import bar

SHARED_FILES = ("places.yaml",)
DRAFT_BLANK = "?"  # what `kg draft` writes in a field it cannot fill
# A file changed within this long before a build took its stats could have been changed again
# since without its mtime moving (coarse clocks, git's "racily clean" case): a build that
# keeps what it made of a file while its stats stay the same reads one this new again.
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Origin:
    """Where a record was written: file, line of the record, and line of each field in it."""

    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, field_path: str) -> int:
        for cut in range(field_path.count(".") + 1, -1, -1):
            prefix = ".".join(field_path.split(".")[:cut])
            if prefix in self.field_lines:
                return self.field_lines[prefix]
        return self.line


@dataclass(frozen=True)
class Entry:
    record: Record
    kind: str  # the top-level key it was listed under: "places", "figures", ...
    source: str
    origin: Origin

    def problem(self, field: str, message: str, hint: str = "") -> Problem:
        """A problem with one field of this record, at that field's line."""
        return Problem(self.origin.file, self.origin.line_of(field), field, message, hint)


@dataclass(frozen=True)
class StatementEntry:
    """A statement about a thing defined in another source's folder (facts/model.py)."""

    statement: Statement
    kind: str  # the section it was listed under, the kind of the thing: "projects", ...
    source: str
    origin: Origin


@dataclass
class Corpus:
    """Everything the curators wrote, checked for form and references."""

    sources: dict[str, tuple[Source, Origin]] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    statements: list[StatementEntry] = field(default_factory=list)
    # What each file or source folder gave ("places.yaml", "<source-id>"), so that an
    # incremental build can reuse the parts whose files did not change.
    parts: dict[str, Part] = field(default_factory=dict)

    def of_kind(self, kind: str) -> Iterator[Entry]:
        return (e for e in self.entries.values() if e.kind == kind)


@dataclass(frozen=True)
class Part:
    """The records read from one fact file or source folder."""

    source: tuple[Source, Origin] | None
    entries: tuple[Entry, ...]
    statements: tuple[StatementEntry, ...] = ()


@dataclass(frozen=True)
class Unit:
    """A unit of the unit scheme (ontology/vocabularies.ttl), as a figure uses it."""

    id: str  # the last segment of its IRI: what a fact file names it by
    iri: str
    symbol: str | None  # what a fact file may name it by as well ("km/h")
    code: str | None  # UN/CEFACT common code (schema:unitCode); None for an ordinal
    figure_class: str | None  # the class of figures of its quantity kind
    quantity_kind: str | None = None  # its QUDT quantity kind's IRI
    # what one of it is in the SI unit of its quantity kind (qudt:conversionMultiplier), where
    # that is fixed: 1000 for km, 3600 for an hour; None for months, years and ranks
    multiplier: Decimal | None = None
    designator: str | None = None  # xsd:duration designator of a calendar unit (M, Y)

    @property
    def seconds(self) -> Decimal | None:
        """Its length, for a unit of time of fixed length."""
        return self.multiplier if self.quantity_kind == str(QUANTITYKIND.Time) else None


@dataclass(frozen=True)
class Vocabulary:
    """Controlled vocabularies of the ontology that fact files refer to by identifier."""

    roles: frozenset[str]
    stages: frozenset[str]
    measures: frozenset[str]
    units: Mapping[str, Unit] = field(default_factory=dict)  # by id and by symbol

    def unit(self, name: str) -> Unit | None:
        return self.units.get(name)


def load_corpus(
    facts_dir: Path,
    vocabulary: Vocabulary,
    root: Path | None = None,
    reuse: Mapping[str, Part] | None = None,
    folders: Sequence[str] | None = None,
    checked: Mapping[str, Part] | None = None,
    drafts: bool = False,
) -> Corpus:
    """Load and check all fact files; raises InputError listing every problem found.

    `reuse` holds parts read earlier from files that have not changed since (the caller
    knows which); they are taken as they are instead of being parsed again. `folders`: the
    names of the folders in sources/, if the caller listed them already. `checked`: every
    part of a corpus whose references all resolved (the last release's), under the same
    vocabulary; see _unchecked_parts. `drafts`: leave out the records `kg draft` wrote that
    nobody has reviewed yet (kg draft does, to know the graph while another draft waits for
    review); otherwise each is a problem, listed with the others."""
    reuse = reuse or {}
    problems: list[Problem] = []
    corpus = Corpus()
    if not facts_dir.is_dir():
        raise InputError(
            [Problem(str(facts_dir), 0, "", "facts directory not found", "pass --facts DIR")]
        )
    for name in SHARED_FILES:
        path = facts_dir / name
        there = path.exists() or path.is_symlink()  # a broken link is reported, not skipped
        if there and not _adopt(name, reuse.get(name), corpus):
            before = len(corpus.statements)
            added = _load_fact_file(path, None, corpus, problems, root, skip_drafts=drafts)
            entries = tuple(corpus.entries[i] for i in added)
            corpus.parts[name] = Part(None, entries, tuple(corpus.statements[before:]))
    sources_dir = facts_dir / "sources"
    if folders is None:
        source_dirs = sorted(p for p in sources_dir.glob("*") if p.is_dir())
    else:
        source_dirs = [sources_dir / name for name in sorted(folders)]
    for source_dir in bar(source_dirs, len(source_dirs), "reading sources"):
        if not _adopt(source_dir.name, reuse.get(source_dir.name), corpus):
            _read_source_folder(source_dir, corpus, problems, root, skip_drafts=drafts)
    for path in sorted(facts_dir.iterdir()):
        if path.is_file() and path.name not in SHARED_FILES and not path.name.startswith("."):
            problems.append(
                Problem(
                    display_path(path, root),
                    0,
                    "",
                    "unexpected file in the facts folder",
                    "shared facts go in places.yaml; a source's facts go in sources/<id>/",
                )
            )
    if not problems:
        problems.extend(_check_references(corpus, vocabulary, _unchecked_parts(corpus, checked)))
    if not drafts:
        problems.extend(_drafts(corpus))
    if problems:
        raise InputError(problems)
    corpus.entries = dict(sorted(corpus.entries.items()))
    return corpus


def read_parts(facts_dir: Path, names: Sequence[str], root: Path | None = None) -> dict[str, Part]:
    """The source folders `names` read on their own, for load_corpus to take as `reuse` (a
    forked child reads some while this process reads others: sources are independent). A
    folder with a problem is left out; load_corpus reads it again and reports it."""
    parts = {}
    for name in bar(names, len(names), "reading sources"):
        corpus = Corpus()
        problems: list[Problem] = []
        part = _read_source_folder(facts_dir / "sources" / name, corpus, problems, root)
        if not problems:
            parts[name] = part
    return parts


def _read_source_folder(
    source_dir: Path,
    corpus: Corpus,
    problems: list[Problem],
    root: Path | None,
    *,
    skip_drafts: bool = False,
) -> Part:
    """Read one source folder into the corpus, and say what it gave. `skip_drafts`: leave
    out what `kg draft` marked, a folder whose source.yaml is marked as a whole."""
    if skip_drafts and _marked_draft(source_dir / SOURCE_FILE):
        return Part(None, ())
    source = _load_source(source_dir, corpus, problems, root)
    added = []
    before = len(corpus.statements)
    for path in sorted(source_dir.iterdir()):
        if path.name == SOURCE_FILE:
            continue
        if path.name not in FACT_FILES:
            problems.append(
                Problem(
                    display_path(path, root),
                    0,
                    "",
                    "unexpected file in a source folder",
                    f"fact files are named {', '.join(sorted(FACT_FILES))}",
                )
            )
            continue
        added += _load_fact_file(path, source, corpus, problems, root, skip_drafts=skip_drafts)
    part = Part(
        corpus.sources.get(source) if source else None,
        tuple(corpus.entries[i] for i in added),
        tuple(corpus.statements[before:]),
    )
    corpus.parts[source_dir.name] = part
    return part


def _adopt(name: str, part: Part | None, corpus: Corpus) -> bool:
    """Take a part read earlier, unless one of its identifiers is taken by now (then the caller
    parses the files again, and reports the clash as a full build would)."""
    if part is None:
        return False
    if part.source is not None and part.source[0].id in corpus.sources:
        return False
    if any(entry.record.id in corpus.entries for entry in part.entries):
        return False
    if part.source is not None:
        corpus.sources[part.source[0].id] = part.source
    for entry in part.entries:
        corpus.entries[entry.record.id] = entry
    corpus.statements.extend(part.statements)
    corpus.parts[name] = part
    return True


# No fact file a person writes comes near this; a bigger one is refused unread.
MAX_FACT_FILE_BYTES = 16 * 1024 * 1024
# C0 control characters (and DEL) other than tab, line feed and carriage return
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _UnreadableError(Exception):
    def __init__(self, message: str, hint: str, line: int = 0) -> None:
        self.hint, self.line = hint, line
        super().__init__(message)


def _text_of(path: Path) -> str:
    """A fact file's text, read defensively: a regular file inside the facts folder, at
    most MAX_FACT_FILE_BYTES, UTF-8, without control characters. A FIFO, device or folder
    is never opened for reading (a FIFO would wait for a writer forever)."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(_facts_folder_of(path).resolve()):
            raise _UnreadableError(
                f"a link to {target}, outside the facts folder", "copy the file in instead"
            )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise _UnreadableError(f"cannot be read ({exc.strerror})", "") from exc
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(kind) else "not a regular file (a pipe or device)"
        raise _UnreadableError(f"is {what}", "a fact file is a YAML text file")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_FACT_FILE_BYTES + 1)
    if len(data) > MAX_FACT_FILE_BYTES:
        raise _UnreadableError(
            f"larger than {MAX_FACT_FILE_BYTES // (1024 * 1024)} MB",
            "split the source's facts, or check that this is a fact file",
        )
    text = data.decode("utf-8")
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise _UnreadableError(
            f"control character U+{ord(control.group()):04X} in the text",
            "remove it (an editor may show it as ^@ or a box)",
            line,
        )
    return text


def _facts_folder_of(path: Path) -> Path:
    """The facts folder a fact file is in: facts/<file> or facts/sources/<id>/<file>."""
    return path.parent.parent.parent if path.parent.parent.name == "sources" else path.parent


def _read(path: Path, problems: list[Problem], root: Path | None) -> Located | None:
    shown = display_path(path, root)
    try:
        return load_located(_text_of(path))
    except _UnreadableError as exc:
        problems.append(Problem(shown, exc.line, "", str(exc), exc.hint))
    except ShapeError as exc:
        problems.append(Problem(shown, exc.line, "", str(exc), exc.hint))
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, 0, "", f"not UTF-8 text ({exc.reason})", "save as UTF-8"))
    except DuplicateKeyError as exc:
        problems.append(
            Problem(shown, exc.line, exc.key, str(exc), "remove or rename one of the two keys")
        )
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the broken construct starts, which is where people look;
        # the problem mark is where the parser noticed, often a line later.
        problem_line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        line = exc.context_mark.line + 1 if exc.context_mark else problem_line
        context = f" {exc.context} (line {line})" if exc.context else ""
        detail = f"{exc.problem} on line {problem_line}" if exc.problem else str(exc)
        problems.append(
            Problem(
                shown,
                line,
                "",
                f"malformed YAML{context}: {detail}",
                "check indentation and brackets, and quote text containing ': ' or ' #'",
            )
        )
    return None


def _load_source(
    source_dir: Path, corpus: Corpus, problems: list[Problem], root: Path | None
) -> str | None:
    path = source_dir / SOURCE_FILE
    shown = display_path(path, root)
    if not path.exists() and not path.is_symlink():
        problems.append(
            Problem(shown, 0, "", "source folder without source.yaml", "describe the source")
        )
        return None
    located = _read(path, problems, root)
    if located is None:
        return None
    source = _validate(Source, located.data, (), located, shown, problems)
    if not isinstance(source, Source):
        return None
    if source.id != source_dir.name:
        problems.append(
            Problem(
                shown,
                located.line_of(("id",)),
                "id",
                f"source id {source.id!r} differs from its folder name {source_dir.name!r}",
                "rename the folder or the id so that they agree",
            )
        )
    corpus.sources[source.id] = (source, Origin(shown, 1, located.fields_under(())))
    return source.id


def _marked_draft(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False  # read again, and reported, as any source.yaml
    return isinstance(data, dict) and "draft" in data


def _load_fact_file(
    path: Path,
    folder_source: str | None,
    corpus: Corpus,
    problems: list[Problem],
    root: Path | None,
    *,
    skip_drafts: bool = False,
) -> list[str]:
    """Read one fact file into the corpus; the identifiers it added (`skip_drafts`: not the
    records `kg draft` marked, which may have `?` in them)."""
    shown = display_path(path, root)
    added: list[str] = []
    located = _read(path, problems, root)
    if located is None:
        return added
    models = FACT_FILES[path.name]
    if located.data is None:
        return added
    if not isinstance(located.data, dict):
        problems.append(
            Problem(shown, 1, "", "expected a mapping", f"start with `{next(iter(models))}:`")
        )
        return added
    for key, items in _sections(located.data, located, models, shown, problems):
        for index, item in enumerate(items):
            if skip_drafts and isinstance(item, dict) and "draft" in item:
                continue
            said = key in STATEMENTS and isinstance(item, dict) and "id" not in item
            said = said and "about" in item
            model = STATEMENTS[key] if said else models[key]
            record = _validate(model, item, (key, index), located, shown, problems)
            if record is None:
                continue
            origin = Origin(
                shown, located.line_of((key, index)), located.fields_under((key, index))
            )
            if isinstance(record, Statement):
                source = record.source or folder_source
                if source is None:
                    problems.append(_sourceless(origin))
                else:
                    corpus.statements.append(StatementEntry(record, key, source, origin))
                continue
            if not isinstance(record, Record):  # every model in FACT_FILES is a Record
                raise TypeError(f"{models[key].__name__} is not a Record model")
            problem = _add(corpus, record, key, record.source or folder_source, origin)
            if problem is None:
                added.append(record.id)
            else:
                problems.append(problem)
    return added


def _sections(
    data: dict[Any, Any],
    located: Located,
    models: Mapping[str, type[BaseModel]],
    shown: str,
    problems: list[Problem],
) -> Iterator[tuple[str, list[Any]]]:
    """The sections of `data` (the file, read) that this file takes, each a list of
    records; a problem for any other."""
    for key, items in data.items():
        if key not in models:
            problems.append(
                Problem(
                    shown,
                    located.line_of((key,)),
                    key,
                    f"unknown section {key!r}",
                    f"this file takes: {', '.join(models)}",
                )
            )
        elif not isinstance(items, list):
            problems.append(
                Problem(shown, located.line_of((key,)), key, "expected a list of records", "")
            )
        else:
            yield key, items


def _add(
    corpus: Corpus, record: Record, key: str, source: str | None, origin: Origin
) -> Problem | None:
    """Put a record in the corpus, filed under its source; or say why it cannot be."""
    if source is None:
        return _sourceless(origin)
    if record.id in corpus.entries:
        first = corpus.entries[record.id].origin
        return Problem(
            origin.file,
            origin.line,
            "id",
            f"duplicate identifier {record.id!r}, first used at {first.file}:{first.line}",
            "identifiers are unique across all fact files; rename one of them",
        )
    corpus.entries[record.id] = Entry(record, key, source, origin)
    return None


def _sourceless(origin: Origin) -> Problem:
    return Problem(
        origin.file,
        origin.line,
        "source",
        "shared records must name their source",
        "add `source: <source-id>` (a folder under facts/sources/)",
    )


# What a field expects, in the words of the fact format; used when pydantic's own is terse.
_FIELD_HINTS = {
    "id": "lower-case words joined by hyphens, such as ganzhou-port",
    "period": "a year (2021), a day (2022-02-17) or an interval (2022-01-17/2022-02-25)",
    "as_of": "a day that exists, written YYYY-MM-DD",
    "published": "a day that exists, written YYYY-MM-DD",
    "value": "a plain number such as 358, 5.5 or 212.9e9 (below 10^18, six decimals at most)",
    "code": 'the six-digit division code, in quotes: "360700"',
    "wikidata": "a Wikidata item identifier such as Q363166",
    "zh": "the name in Chinese characters",
    "quote": "the passage copied from the source; a string or a list of strings",
    "language": "a language tag such as en or zh",
}

_HINTS = {
    "extra_forbidden": "unknown field; check its spelling against the fact format in the README",
    "missing": "this field is required",
    "string_pattern_mismatch": "see the fact format in the README for the expected form",
    "date_from_datetime_parsing": "write dates as YYYY-MM-DD, a day that exists",
    "date_parsing": "write dates as YYYY-MM-DD, a day that exists",
    "decimal_parsing": "write a plain number without units or thousands separators",
    "enum": "use one of the listed values",
    "literal_error": "use one of the listed values",
}


def _validate(
    model: type[BaseModel],
    data: Any,
    prefix: Path_,
    located: Located,
    shown: str,
    problems: list[Problem],
) -> BaseModel | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc: Path_ = tuple(error["loc"])
            fields = ".".join(str(p) for p in loc)
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = f"unknown field {loc[-1]!r}"
                allowed = ", ".join(
                    f.alias or n for n, f in model.model_fields.items() if n != loc[-1]
                )
                hint = (
                    f"allowed fields here: {allowed}"
                    if len(loc) == 1
                    else _HINTS["extra_forbidden"]
                )
            else:
                named = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
                hint = _FIELD_HINTS.get(named) or _HINTS.get(error["type"], "")
                hint = hint or "see the fact format in the README"
                message = message.removeprefix("Value error, ")
            if error["type"] == "missing":
                message = f"required field {loc[-1]!r} is missing"
            elif error.get("input") == DRAFT_BLANK:
                message = "`?`: kg draft could not fill this field"
                hint = f"fill it in ({hint})" if hint else "fill it in"
            problems.append(
                Problem(shown, located.line_of(prefix + loc), fields or "(record)", message, hint)
            )
        return None


# Which kinds of record each reference may point at.
_PLACE = ("places", "facilities")  # facilities: projects that are places (FACILITY_TYPES)
_ORG = ("organisations",)
_AGENT = ("organisations", "places", "people")
_CONCEPTS = ("concepts",)
_DIVISION = ("places",)  # a place in the hierarchy of places: no facility
_ABOUT = ("places", "organisations", "projects", "agreements", "events")

# kind -> (field, its path in the fact file, the kinds it may name), for records of that kind
# and for statements about them alike
_REFERENCES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "places": (("part_of", "part_of", _DIVISION),),
    "organisations": (
        ("seat", "seat", _PLACE),
        ("sub_organisation_of", "sub_organisation_of", _ORG),
        ("industries", "industries", _CONCEPTS),
        ("present_in", "present_in", _PLACE),
    ),
    "concepts": (("scheme", "scheme", ("schemes",)), ("broader", "broader", _CONCEPTS)),
    "projects": (
        ("located_in", "located_in", _PLACE),
        ("connects", "connects", _PLACE),
        ("part_of", "part_of", ("projects",)),
        ("participants", "participants", _AGENT),
        ("industries", "industries", _CONCEPTS),
    ),
    "agreements": (
        ("parties", "parties", _AGENT),
        ("places", "places", _PLACE),
        ("concerns", "concerns", ("projects", "organisations", "places")),
    ),
    "events": (
        ("location", "location", _PLACE),
        ("organisers", "organisers", _AGENT),
        ("participants", "participants", _AGENT),
    ),
    "figures": (
        ("about", "about", _ABOUT),
        ("during", "during", ("events",)),
        ("origin", "from", _PLACE),
        ("destination", "to", _PLACE),
        ("rank_within", "rank_within", _PLACE),
    ),
}


def references(entry: Entry) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(field path, target id, allowed kinds) for every reference a record makes."""
    return _references(entry.record, entry.kind)


def statement_references(entry: StatementEntry) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """The thing a statement is about (of the kind of its section), and its references."""
    yield "about", entry.statement.about, (entry.kind,)
    yield from _references(entry.statement, entry.kind)


def _references(said: Record | Statement, kind: str) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for name, path, kinds in _REFERENCES.get(kind, ()):
        value = getattr(said, name, None)
        if isinstance(value, list):
            yield from ((path, target, kinds) for target in value)
        elif value:
            yield path, value, kinds
    for i, role in enumerate(said.roles if isinstance(said, Person | PersonStatement) else []):
        yield f"roles.{i}.organisation", role.organisation, _ORG
    if said.stated_by:
        yield "stated_by", said.stated_by, ("people",)
    if said.stated_at:
        yield "stated_at", said.stated_at, ("events",)


def _drafts(corpus: Corpus) -> Iterator[Problem]:
    """Records still marked by `kg draft`: a guess is not a fact until a person has read it."""
    hint = "check it against the text, correct it, then delete its `draft:` line"
    for source, origin in corpus.sources.values():
        if source.draft:
            yield Problem(
                origin.file, origin.line_of("draft"), "draft", f"draft: {source.draft}", hint
            )
    marked: list[tuple[str, Origin, str, str]] = [
        (e.record.id, e.origin, e.record.draft, e.kind)
        for e in corpus.entries.values()
        if e.record.draft
    ]
    marked += [
        (f"about {s.statement.about}", s.origin, s.statement.draft, s.kind)
        for s in corpus.statements
        if s.statement.draft
    ]
    for name, origin, note, kind in sorted(marked, key=lambda m: (m[1].file, m[1].line)):
        yield Problem(
            origin.file,
            origin.line_of("draft"),
            "draft",
            f"{kind} {name} is a draft by kg draft, not reviewed: {note}",
            hint,
        )


def _unchecked_parts(corpus: Corpus, checked: Mapping[str, Part] | None) -> list[Part]:
    """The parts whose references must be checked. A reference's check reads the record that
    makes it, the vocabulary, and the kind of the record or the source it names, nothing
    else; so the references of a part taken unchanged from a corpus that passed the checks
    still resolve while every record and source of that corpus is still there with its kind.
    If one is gone or changed kind, every part is checked."""
    if not checked:
        return list(corpus.parts.values())
    kept = {name for name, part in corpus.parts.items() if checked.get(name) is part}
    for part in checked.values():
        if part.source is not None and part.source[0].id not in corpus.sources:
            return list(corpus.parts.values())
        for entry in part.entries:
            now = corpus.entries.get(entry.record.id)
            if now is None or now.kind != entry.kind:
                return list(corpus.parts.values())
    return [part for name, part in corpus.parts.items() if name not in kept]


def _check_references(
    corpus: Corpus, vocabulary: Vocabulary, parts: Sequence[Part]
) -> Iterator[Problem]:
    """The references of the records, statements and sources of `parts`, to the whole
    corpus."""
    for entry in (entry for part in parts for entry in part.entries):
        yield from _check_said(corpus, entry.record, entry.source, entry.origin, references(entry))
        yield from _check_vocabulary(entry.record, entry.origin, vocabulary)
    for part in parts:
        yield from _check_statements(corpus, vocabulary, part.statements)
    yield from _check_work_references(corpus, parts)
    for source, origin in (part.source for part in parts if part.source is not None):
        for i, author in enumerate(source.authors):
            found = corpus.entries.get(author)
            if found is None or found.kind != "people":
                yield Problem(
                    origin.file,
                    origin.line_of(f"authors.{i}"),
                    f"authors.{i}",
                    f"reference to unknown person {author!r}",
                    "define the author in people.yaml of this source",
                )


def _check_said(
    corpus: Corpus,
    said: Record | Statement,
    source: str,
    origin: Origin,
    refs: Iterable[tuple[str, str, tuple[str, ...]]],
) -> Iterator[Problem]:
    """The source a record or statement is filed under, and what it refers to, exist."""
    if source not in corpus.sources:
        yield Problem(
            origin.file,
            origin.line_of("source"),
            "source",
            f"unknown source {source!r}",
            f"known sources: {', '.join(sorted(corpus.sources))}",
        )
    for path, target, kinds in refs:
        found = corpus.entries.get(target)
        if found is None or not _of_kind(found, kinds):
            what = "unknown" if found is None else f"{found.kind[:-1]!s}, not {'/'.join(kinds)}"
            yield Problem(
                origin.file,
                origin.line_of(path),
                path,
                f"{target!r} is {what}" if found else f"reference to unknown {target!r}",
                f"define it in {_file_for(kinds[0])} or fix the identifier",
            )


def _of_kind(entry: Entry, kinds: tuple[str, ...]) -> bool:
    """Whether a record may be named where `kinds` are: a facility (an airport, a zone) may
    stand wherever "facilities" may (where a place may, but in the hierarchy of places)."""
    if entry.kind in kinds:
        return True
    record = entry.record
    facility = isinstance(record, Project) and record.type in FACILITY_TYPES
    return facility and "facilities" in kinds


def _check_statements(
    corpus: Corpus, vocabulary: Vocabulary, statements: Sequence[StatementEntry]
) -> Iterator[Problem]:
    """Statements refer as records do; and each is about a thing another source defined, once
    per source (one obvious place for what a source says of it)."""
    first: dict[tuple[str, str, str], Origin] = {}
    for entry in statements:
        said, origin = entry.statement, entry.origin
        yield from _check_said(corpus, said, entry.source, origin, statement_references(entry))
        yield from _check_vocabulary(said, origin, vocabulary)
        target = corpus.entries.get(said.about)
        if target is not None and target.source == entry.source:
            yield Problem(
                origin.file,
                origin.line_of("about"),
                "about",
                f"{said.about!r} is defined by this source, at {target.origin.file}:"
                f"{target.origin.line}",
                "add these fields to that record; `about` is for things other sources define",
            )
        seen = first.setdefault((entry.source, entry.kind, said.about), origin)
        if seen is not origin:
            yield Problem(
                origin.file,
                origin.line_of("about"),
                "about",
                f"a second statement of this source about {said.about!r}, the first at "
                f"{seen.file}:{seen.line}",
                "put everything this source says of it in one statement",
            )


def _file_for(kind: str) -> str:
    return next(name for name, models in FACT_FILES.items() if kind in models)


def _check_vocabulary(
    r: Record | Statement, origin: Origin, vocabulary: Vocabulary
) -> Iterator[Problem]:
    checks: list[tuple[str, str, frozenset[str], str]] = []
    if isinstance(r, Person | PersonStatement):
        checks += [
            (f"roles.{i}.role", x.role, vocabulary.roles, "role") for i, x in enumerate(r.roles)
        ]
    if isinstance(r, Project | ProjectStatement):
        checks += [
            (f"milestones.{i}.stage", m.stage, vocabulary.stages, "stage")
            for i, m in enumerate(r.milestones)
        ]
    if isinstance(r, Figure):
        checks.append(("measure", r.measure, vocabulary.measures, "measure"))
        unit = vocabulary.unit(r.unit)
        if unit is None and pycountry.currencies.get(alpha_3=r.unit) is None:
            units = ", ".join(sorted({u.id for u in vocabulary.units.values()}))
            yield Problem(
                origin.file,
                origin.line_of("unit"),
                "unit",
                f"unknown unit or currency {r.unit!r}",
                f"use an ISO 4217 currency code (CNY, HKD, USD, ...) or a unit of "
                f"ontology/vocabularies.ttl ({units}); new units go there",
            )
        elif unit is not None and unit.figure_class is None:
            yield Problem(
                origin.file,
                origin.line_of("unit"),
                "unit",
                f"no class of figures is stated in {unit.id}: its quantity kind has none",
                "give a subclass of gba:Figure that quantity kind (gba:quantityKind) in "
                "ontology/gba.ttl",
            )
    for path, value, known, what in checks:
        if value not in known:
            yield Problem(
                origin.file,
                origin.line_of(path),
                path,
                f"unknown {what} {value!r}",
                f"known: {', '.join(sorted(known))}; new terms go in ontology/vocabularies.ttl",
            )


def _check_work_references(corpus: Corpus, parts: Sequence[Part]) -> Iterator[Problem]:
    """Roles may name the source they are about (author, photographer): it must exist."""
    for entry in (e for part in parts for e in part.entries if e.kind == "people"):
        roles = entry.record.roles if isinstance(entry.record, Person) else []
        for i, role in enumerate(roles):
            if role.work is not None and role.work not in corpus.sources:
                yield Problem(
                    entry.origin.file,
                    entry.origin.line_of(f"roles.{i}.work"),
                    f"roles.{i}.work",
                    f"unknown source {role.work!r}",
                    "name a folder under facts/sources/",
                )
