"""Draft records from what a text was found to say: figures, milestones, event dates,
proposed places and candidate things, as the fact format's dictionaries."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kg_build.curate.draft import candidates as found_candidates
from kg_build.curate.draft import dates as found_dates
from kg_build.curate.draft import mentions as found_mentions
from kg_build.curate.draft import numbers
from kg_build.curate.draft.measures import Measure, guess, named_in
from kg_build.curate.draft.text import Text, read, within, words_in
from kg_build.facts.load import DRAFT_BLANK
from kg_build.link.gazetteer import Gazetteer

Record = dict[str, Any]
Span = tuple[int, int]
TIME_UNITS = frozenset({"hour", "minute", "day", "month", "year"})
_FUTURE = re.compile(
    r"\b(?:will|plan(?:s|ned)?|strive[sd]?|aim(?:s|ed)?|expect(?:s|ed)?|to be)\b"
    r"|将|计划|力争|拟|预计"
)
# words of a clause -> the stage of the stage scheme it reports
_STAGES = (
    (
        re.compile(r"\bopen(?:ed|ing|s)?\b|\bin operation\b|开通|通车|投运|运营", re.I),
        "in-operation",
    ),
    (
        re.compile(
            r"\bstart(?:s|ed)? (?:the )?construction\b"
            r"|\bconstruction (?:begins|began|started)\b|开工|动工",
            re.I,
        ),
        "under-construction",
    ),
    (re.compile(r"\bexpansion\b|\breconstruction\b|扩建|改造", re.I), "expansion"),
    (re.compile(r"\bpreliminary work\b|前期", re.I), "preliminary-work"),
    (re.compile(r"\bplan(?:ning)? (?:the )?construction\b|规划", re.I), "planned"),
)
_DATELINE = re.compile(r"\s*(?:电|\(|（|--|—|–)")
_ONE = {
    "projects": "a project",
    "organisations": "an organisation",
    "events": "an event",
    "people": "a person",
}
_KIND_FILES = {
    "projects": "projects.yaml",
    "organisations": "organisations.yaml",
    "events": "events.yaml",
    "people": "people.yaml",
    "places": "places.yaml",
    "figures": "figures.yaml",
}


@dataclass(frozen=True)
class SourceInfo:
    id: str
    published: dt.date
    title: str
    publisher: str
    text_name: str
    language: str | None = None
    type: str = "news-article"


@dataclass
class Draft:
    source: Record
    files: dict[str, list[Record]] = field(default_factory=dict)
    text: Text | None = None
    quantities: list[numbers.Quantity] = field(default_factory=list)
    dates: list[found_dates.DateMention] = field(default_factory=list)
    mentions: list[found_mentions.Mention] = field(default_factory=list)
    places: list[found_mentions.PlaceProposal] = field(default_factory=list)
    candidates: list[found_candidates.Candidate] = field(default_factory=list)

    def add(self, kind: str, record: Record) -> None:
        self.files.setdefault(_KIND_FILES[kind], []).append(record)

    def records(self) -> list[Record]:
        return [r for rs in self.files.values() for r in rs]


def make_draft(
    raw: str,
    info: SourceInfo,
    names: found_mentions.Names,
    measures: Sequence[Measure],
    gazetteer: Gazetteer | None = None,
) -> Draft:
    text = read(raw, info.language)
    draft = Draft(source=_source(info, text.language), text=text)
    draft.dates = found_dates.dates(raw, info.published)
    # "Ganzhou, March 16 (Xinhua) --", "赣州2月17日电": the day of the report, not of a fact
    datelines = [d for d in draft.dates if _DATELINE.match(raw, d.span[1]) and d.span[0] < 60]
    draft.mentions = found_mentions.mentions(raw, names, text.sentences)
    taken = [m.span for m in draft.mentions]
    if gazetteer is not None:
        draft.places = found_mentions.gazetteer_places(raw, gazetteer, names, taken)
    taken += [p.span for p in draft.places]
    draft.candidates = found_candidates.candidates(raw, taken)
    held = [c.span for c in draft.candidates]
    draft.mentions = [m for m in draft.mentions if not within(m.span, held)]
    draft.places = [p for p in draft.places if not within(p.span, held)]
    taken = [m.span for m in draft.mentions] + [p.span for p in draft.places]
    skip = [d.span for d in draft.dates] + taken + [c.span for c in draft.candidates]
    draft.quantities = numbers.quantities(raw, skip)
    ids = Counter[str](names.ids)
    _places(draft, text, names, ids)
    _candidates(draft, text, ids, info)
    draft.dates = [d for d in draft.dates if d not in datelines]
    _figures(draft, text, measures, ids, info)
    _milestones(draft, text)
    return draft


def _source(info: SourceInfo, language: str) -> Record:
    return {
        "id": info.id,
        "type": info.type,
        "title": info.title,
        "publisher": info.publisher,
        "published": info.published,
        "language": language,
        "text": info.text_name,
        "draft": "written by kg draft: check the title, publisher, date and language",
    }


def _unique(base: str, ids: Counter[str]) -> str:
    base = base[:60].strip("-") or "record"
    ids[base] += 1
    return base if ids[base] == 1 else f"{base}-{ids[base]}"


def _in_sentence(text: Text, span: Span, things: Sequence[Any]) -> list[Any]:
    s, e = text.sentence_of(span[0])
    return [t for t in things if s <= t.span[0] and t.span[1] <= e]


def _places(draft: Draft, text: Text, names: found_mentions.Names, ids: Counter[str]) -> None:
    seen: dict[str, str] = {}
    for p in draft.places:
        d = p.division
        if d.code in seen:
            continue
        place_id = _unique(found_mentions.english_name(d).lower(), ids)
        seen[d.code] = place_id
        record: Record = {
            "id": place_id,
            "type": _place_type(d.level, d.full_name_zh),
            "name": {
                "en": found_mentions.english_name(d),
                "zh": d.full_name_zh,
                "pinyin": d.pinyin,
            },
            "code": d.code,
        }
        parent = names.place_codes.get(d.parent_code) or seen.get(d.parent_code)
        if parent:
            record["part_of"] = [parent]
        if d.lat and d.lon:
            record["point"] = {"lat": float(d.lat), "lon": float(d.lon)}
        if d.wikidata:
            record["wikidata"] = d.wikidata
        record["link_evidence"] = "gazetteer"
        record["quote"] = text.quote(p.span)
        note = f"named {p.text!r}; gazetteer line {d.line} ({d.full_name_zh}, {d.code})"
        if p.others:
            note += "; others of this name: " + ", ".join(
                f"{o.full_name_zh} {o.code}" for o in p.others[:5]
            )
        record["draft"] = note
        draft.add("places", record)


def _place_type(level: str, full_name: str) -> str:
    if level == "province":
        return "special-administrative-region" if full_name.endswith("特别行政区") else "province"
    if level == "prefecture":
        return "prefecture-level-city"
    if full_name.endswith("区"):
        return "district"
    return "county-level-city" if full_name.endswith("市") else "county"


def _candidates(draft: Draft, text: Text, ids: Counter[str], info: SourceInfo) -> None:
    chosen: dict[str, str] = {}
    for c in draft.candidates:
        if c.name in chosen:
            continue
        chosen[c.name] = _unique(c.id, ids)
        chinese = bool(re.search(r"[\u3400-\u9fff]", c.name))
        name: Record = {
            "en": DRAFT_BLANK if chinese else c.name,
            "zh": c.name if chinese else DRAFT_BLANK,
        }
        record: Record = {"id": chosen[c.name]}
        note = f"{_ONE[c.kind]} the graph does not have"
        if c.kind != "people":
            record["type"] = c.type
        if c.ordinal is not None:
            record["ordinal"] = c.ordinal
        record["name"] = name
        if c.kind == "people":
            record["roles"] = [
                {
                    "role": re.sub(r"\s+", "-", c.role),
                    "organisation": DRAFT_BLANK,
                    "as_of": info.published,
                    "quote": text.quote(c.span),
                }
            ]
            note += f"; the text calls them {c.role!r}: name the organisation"
        record["quote"] = text.quote(c.span)
        record["draft"] = f"{note}; fill in the {'Chinese' if not chinese else 'English'} name"
        draft.add(c.kind, record)


def _about(text: Text, span: Span, draft: Draft, exclude: set[str]) -> Any | None:
    """The thing a number is most likely about: the nearest name before it in its sentence,
    a project, organisation or event before a place."""
    named = [m for m in _in_sentence(text, span, draft.mentions) if m.id not in exclude]
    named += [c for c in _in_sentence(text, span, draft.candidates) if c.kind != "people"]
    if not named:
        return None

    def rank(thing: Any) -> tuple[int, int]:
        kind = thing.kind
        before = thing.span[1] <= span[0]
        return (
            0 if kind != "places" else 1,
            (span[0] - thing.span[1]) if before else 10**6 + thing.span[0],
        )

    return min(named, key=rank)


def _thing_id(thing: Any, draft: Draft) -> str:
    if isinstance(thing, found_mentions.Mention):
        return thing.id
    for kind_file in ("projects.yaml", "organisations.yaml", "events.yaml"):
        for r in draft.files.get(kind_file, []):
            if r["name"].get("en") == thing.name or r["name"].get("zh") == thing.name:
                return str(r["id"])
    return DRAFT_BLANK


def _figures(
    draft: Draft, text: Text, measures: Sequence[Measure], ids: Counter[str], info: SourceInfo
) -> None:
    raw = text.text
    for q in draft.quantities:
        s0, e0 = text.sentence_of(q.span[0])
        sentence = raw[s0:e0]
        clause_span = text.clause(q.span)
        clause = raw[clause_span[0] : clause_span[1]]
        notes = [f"read {q.text!r} as {q.written} {q.unit}"]
        ends = _from_to(raw, text, q, draft) if q.unit in TIME_UNITS else None
        about = _about(text, q.span, draft, set(ends or ()))
        about_id = _thing_id(about, draft) if about is not None else DRAFT_BLANK
        if about is None:
            notes.append("about what? no name in its sentence")
        else:
            named = about.text if isinstance(about, found_mentions.Mention) else about.name
            notes.append(f"about {named!r}: the nearest name")
        ranked: list[Measure | None] = [guess(measures, q.thing, clause, q.unit)]
        if q.unit == "rank":
            # "The number of projects, total investment and annual investment are ranked
            # first": a rank of each measure the sentence names
            ranked = list(named_in(measures, sentence)) or ranked
        period, period_note = _period(text, clause_span, draft, info)
        notes.append(period_note)
        condition = _condition(raw, text, q, draft)
        for measure in ranked:
            record: Record = {}
            measure_id = measure.id if measure else DRAFT_BLANK
            base = (
                f"{about_id}-{measure_id}"
                if DRAFT_BLANK not in (about_id, measure_id)
                else f"{info.id}-figure"
            )
            record["id"] = _unique(base, ids)
            record["about"] = about_id
            record["measure"] = measure_id
            record["value"] = _Number(q.written)
            record["unit"] = q.unit
            if q.comparator != "exactly":
                record["comparator"] = q.comparator
            record["period"] = period
            if ends:
                record["from"], record["to"] = ends
            if condition:
                record["condition"] = condition
            record["quote"] = text.quote(q.span)
            measure_note = (
                f"measure {measure.id} ({measure.label_en}) guessed from the words"
                if measure
                else "measure? no label of the measure scheme fits: fill it in, or add a "
                "measure to ontology/vocabularies.ttl"
            )
            record["draft"] = "; ".join([notes[0], measure_note, *notes[1:]])
            draft.add("figures", record)


class _Number(str):
    """A value written as the text's scale has it (212.9e9): YAML shows it bare."""


def _period(text: Text, clause: Span, draft: Draft, info: SourceInfo) -> tuple[str, str]:
    """The date of the number's clause, else the nearest of its sentence, else the source's year."""
    near = [d for d in draft.dates if within(d.span, [clause])]
    near = near or _in_sentence(text, clause, draft.dates)
    dated = [d for d in near if d.period]
    if dated:
        d = min(dated, key=lambda d: abs(d.span[0] - clause[0]))
        return d.period or "", f"period from {d.text!r}" + (f" ({d.note})" if d.note else "")
    if near:
        return str(info.published.year), f"period: {near[0].text!r} names it: {near[0].note}"
    return str(info.published.year), "period: no date in its sentence; the source's year"


def _from_to(raw: str, text: Text, q: numbers.Quantity, draft: Draft) -> tuple[str, str] | None:
    places = [m for m in _in_sentence(text, q.span, draft.mentions) if m.kind == "places"]
    for a in places:
        for b in places:
            between = raw[a.span[1] : b.span[0]]
            before = raw[max(0, a.span[0] - 6) : a.span[0]]
            if re.fullmatch(r"\s+to\s+", between) and re.search(r"from\s+$", before):
                return a.id, b.id
            if re.fullmatch(r"到|至", between):
                return a.id, b.id
    return None


def _condition(raw: str, text: Text, q: numbers.Quantity, draft: Draft) -> str | None:
    """`from 5.5 hours to 1.5 hours`: the first is before, the second after."""
    same = [
        o for o in _in_sentence(text, q.span, draft.quantities) if o.unit == q.unit and o is not q
    ]
    for other in same:
        first, second = sorted((q, other), key=lambda x: x.span[0])
        between = raw[first.span[1] : second.span[0]]
        lead = raw[max(0, first.span[0] - 5) : first.span[0]]
        if re.fullmatch(r"\s*to\s*|\s*到\s*|缩短到|缩短至", between) and re.search(
            r"from\s*$|由$|从$", lead
        ):
            return "before" if q is first else "after"
    return None


def _milestones(draft: Draft, text: Text) -> None:
    """A date in a sentence naming a project: a milestone; naming an event: its date."""
    raw = text.text
    about: dict[str, Record] = {}
    for d in draft.dates:
        if not d.period:
            _undated_events(draft, text, d)
            continue
        clause_span = text.clause(d.span)
        clause = raw[clause_span[0] : clause_span[1]]
        projects = [
            m
            for m in _in_sentence(text, d.span, [*draft.mentions, *draft.candidates])
            if m.kind == "projects" and within(m.span, [clause_span])
        ]
        stage = next((stage for pattern, stage in _STAGES if pattern.search(clause)), None)
        for p in projects if stage else []:
            project_id = _thing_id(p, draft)
            milestone = {
                "stage": stage,
                "period": d.period,
                "status": "target" if _FUTURE.search(clause) else "reported",
                "quote": raw[clause_span[0] : clause_span[1]],
            }
            target = _record_of(draft, "projects.yaml", project_id)
            if target is not None:
                target.setdefault("milestones", []).append(milestone)
                continue
            statement = about.setdefault(
                project_id,
                {
                    "about": project_id,
                    "milestones": [],
                    "quote": raw[clause_span[0] : clause_span[1]],
                    "draft": f"dates of {project_id} from {d.text!r}: check the stage and status",
                },
            )
            statement["milestones"].append(milestone)
        for e in _in_sentence(text, d.span, [*draft.mentions, *draft.candidates]):
            if e.kind != "events" or words_in(clause) < 3:
                continue
            event_id = _thing_id(e, draft)
            target = _record_of(draft, "events.yaml", event_id)
            if target is not None and "period" not in target:
                target["period"] = d.period
                target["draft"] += f"; period from {d.text!r}"
    for statement in about.values():
        draft.add("projects", statement)


def _undated_events(draft: Draft, text: Text, d: found_dates.DateMention) -> None:
    """ "The day after the Lantern Festival": the events of its sentence are left undated,
    with the note saying how to date them."""
    for e in _in_sentence(text, d.span, [*draft.mentions, *draft.candidates]):
        target = (
            _record_of(draft, "events.yaml", _thing_id(e, draft)) if e.kind == "events" else None
        )
        if target is not None and "period" not in target:
            target["period"] = DRAFT_BLANK
            target["draft"] += f"; {d.text!r}: {d.note}"


def _record_of(draft: Draft, file: str, id_: str) -> Record | None:
    return next((r for r in draft.files.get(file, []) if r.get("id") == id_), None)
