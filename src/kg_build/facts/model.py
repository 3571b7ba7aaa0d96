"""The fact format: one pydantic model per kind of record, strict so that typos are caught.

Field names are what curators type; `kg_build.rdf` maps them to ontology terms.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""Record identifier: lower-case words joined by hyphens; becomes the last segment of the IRI."""

_CJK = re.compile(r"[\u3400-\u9fff]")
# Fields about the evidence, not claims about the thing: a curator's mark makes no sense there
_NOT_CLAIMS = frozenset(
    {"quote", "source", "note", "stated_by", "stated_at", "curator", "id", "draft"}
)


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


# A word of letters or digits, or one Chinese character (Chinese is written without spaces)
_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W_\u3400-\u9fff]+")
QUOTE_WORDS = 3


def _supports_something(quote: str) -> str:
    """A fragment of one or two words ("Ganzhou", "February 17th") supports no claim: it is
    found in the text, but so it would be under any record."""
    if len(_TOKEN.findall(quote)) < QUOTE_WORDS:
        raise ValueError(
            f"the quote {quote!r} is too short to support anything: quote the clause that "
            f"states it, at least {QUOTE_WORDS} words (or Chinese characters)"
        )
    return quote


Quotes = Annotated[
    list[Annotated[str, StringConstraints(min_length=3), AfterValidator(_supports_something)]],
    BeforeValidator(_one_or_many),
    Field(min_length=1),
]
"""Verbatim text from the source; one string or a list when a record draws on several passages."""


def _check_period(value: str) -> str:
    if re.fullmatch(r"\d{4}", value):
        return value
    try:
        days = [dt.date.fromisoformat(part) for part in value.split("/")]
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real day or interval ({exc})") from None
    if len(days) == 2 and days[1] < days[0]:
        raise ValueError(f"interval {value!r} ends before it starts")
    return value


Period = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?)?$"),
    AfterValidator(_check_period),
]
"""A year (`2021`), a day (`2022-02-17`) or an interval of days (`2022-01-17/2022-02-25`)."""


# A figure's value: finite, below a quintillion and to at most six decimal places (a money
# amount, a count, a share, a length); anything else is a typing slip, not a statistic.
Amount = Annotated[Decimal, Field(allow_inf_nan=False, gt=-(10**18), lt=10**18, decimal_places=6)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Names(Strict):
    en: Annotated[str, StringConstraints(min_length=1)]
    zh: Annotated[str, StringConstraints(min_length=1)]
    pinyin: str | None = None
    alt_en: list[str] = []
    alt_zh: list[str] = []

    @model_validator(mode="after")
    def _zh_is_chinese(self) -> Names:
        if self.zh == "?":
            raise ValueError("`?`: kg draft could not fill this field: write the Chinese name")
        if not _CJK.search(self.zh):
            raise ValueError(f"zh name {self.zh!r} contains no Chinese characters")
        return self


class Said(Strict):
    """Fields of everything a source states: its evidence, who said it and where (a person
    the source quotes, an event at which it was said), and an optional curator's note.

    `curator` names the fields whose values are the curator's, not the source's (a seat the
    article does not give, an endpoint of a route it implies), each with the reason: they
    are published as the curator's claims (gba:CuratorClaim), never as what the source
    says. A key is a field (`seat`), a field of a nested one (`name.zh`, `milestones.0`)."""

    quote: Quotes
    source: Slug | None = None  # defaults to the source of the folder the file is in
    note: str | None = None
    stated_by: Slug | None = None  # a person: the source reports that they said it
    stated_at: Slug | None = None  # an event at which it was said
    # Written by `kg draft`: what it guessed and what to check. A record with it set is not
    # reviewed yet; `kg build` refuses it and `kg validate` lists it until the line is deleted.
    draft: str | None = None
    curator: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$")],
        Annotated[str, StringConstraints(min_length=10)],
    ] = {}

    @model_validator(mode="after")
    def _curator_names_set_fields(self) -> Said:
        fields = type(self).model_fields
        aliases = {f.alias: name for name, f in fields.items() if f.alias}
        for key in self.curator:
            root = key.split(".")[0]
            name = aliases.get(root, root)
            if name in _NOT_CLAIMS or name not in fields:
                raise ValueError(f"curator: {root!r} is no field of what this record says")
            if name not in self.model_fields_set:
                raise ValueError(f"curator: {root!r} is not set here: nothing to mark")
        return self


class Record(Said):
    """A thing the source introduces: an identifier, and the fields of its kind."""

    id: Slug


class Statement(Said):
    """What a source says about a thing defined in another source's folder: `about` names it;
    the fields add to what is said of it elsewhere (each source's graph holds its own)."""

    about: Slug
    alt_en: list[str] = []  # other names this source gives it
    alt_zh: list[str] = []


class NamedRecord(Record):
    name: Names


QID = Annotated[str, StringConstraints(pattern=r"^Q[1-9]\d*$")]
# A GeoNames feature id; an English Wikipedia title as DBpedia names its resource (spaces as
# underscores, dashes kept: Ganzhou–Shenzhen_high-speed_railway)
GeoNamesID = Annotated[str, StringConstraints(pattern=r"^[1-9]\d*$")]
DBpediaTitle = Annotated[str, StringConstraints(pattern=r"^[^\s<>\"{}|\\^`/#?]+$")]


class PlaceType(StrEnum):
    country = "country"
    province = "province"
    special_administrative_region = "special-administrative-region"
    prefecture_level_city = "prefecture-level-city"
    county = "county"
    county_level_city = "county-level-city"
    district = "district"
    economic_region = "economic-region"
    geographic_region = "geographic-region"
    mountain_range = "mountain-range"
    mountain_pass = "mountain-pass"  # noqa: S105 - a landform, not a password


class Point(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class PlaceFields(Strict):
    """What any source may say of a place (and its record's too)."""

    part_of: list[Slug] = []
    wikidata: QID | None = None
    geonames: GeoNamesID | None = None
    dbpedia: DBpediaTitle | None = None


class Place(NamedRecord, PlaceFields):
    type: PlaceType
    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    point: Point | None = None
    link_evidence: str | None = None  # which run or reference proposed code / wikidata


class OrganisationType(StrEnum):
    company = "company"
    bank = "bank"
    hospital = "hospital"
    government_body = "government-body"
    alliance = "alliance"
    news_agency = "news-agency"
    branch = "branch"
    office = "office"
    service_platform = "service-platform"


class OrganisationFields(Strict):
    seat: Slug | None = None
    sub_organisation_of: Slug | None = None
    industries: list[Slug] = []
    present_in: list[Slug] = []  # places where it has invested or operates
    wikidata: QID | None = None
    dbpedia: DBpediaTitle | None = None


class Organisation(NamedRecord, OrganisationFields):
    type: OrganisationType
    link_evidence: str | None = None


class Role(Strict):
    role: Slug  # a concept of the role scheme in ontology/vocabularies.ttl
    organisation: Slug
    work: Slug | None = None  # the source a role such as author or photographer is about
    as_of: dt.date
    quote: Quotes


class PersonFields(Strict):
    roles: list[Role] = []


class Person(NamedRecord, PersonFields):
    pass


class ConceptScheme(NamedRecord):
    notation: str | None = None


class Concept(NamedRecord):
    scheme: Slug
    broader: Slug | None = None
    notation: str | None = None


class ProjectType(StrEnum):
    high_speed_railway = "high-speed-railway"
    railway = "railway"
    expressway = "expressway"
    airport = "airport"
    air_route = "air-route"
    port = "port"
    cargo_terminal = "cargo-terminal"
    station = "station"
    canal = "canal"
    data_centre = "data-centre"
    cooperation_zone = "cooperation-zone"
    development_zone = "development-zone"
    industrial_base = "industrial-base"
    service_facility = "service-facility"
    investment_project = "investment-project"
    project_portfolio = "project-portfolio"


# projects that are places as well (gba:Facility): wherever a place is named, one may be
FACILITY_TYPES = frozenset(
    {
        ProjectType.airport,
        ProjectType.port,
        ProjectType.cargo_terminal,
        ProjectType.station,
        ProjectType.cooperation_zone,
        ProjectType.development_zone,
        ProjectType.industrial_base,
    }
)


class Milestone(Strict):
    stage: Slug  # a concept of the stage scheme in ontology/vocabularies.ttl
    period: Period
    status: Literal["reported", "target"] = "reported"
    quote: Quotes


class ProjectFields(Strict):
    located_in: list[Slug] = []
    connects: list[Slug] = []
    part_of: Slug | None = None
    participants: list[Slug] = []
    industries: list[Slug] = []
    milestones: list[Milestone] = []
    wikidata: QID | None = None
    dbpedia: DBpediaTitle | None = None


class Project(NamedRecord, ProjectFields):
    type: ProjectType


class AgreementType(StrEnum):
    signed_projects = "signed-projects"
    joint_construction = "joint-construction"
    alliance_membership = "alliance-membership"
    cross_province_service = "cross-province-service"
    pilot_zone_designation = "pilot-zone-designation"
    branch_opening = "branch-opening"
    industrial_cooperation = "industrial-cooperation"
    supply_arrangement = "supply-arrangement"
    medical_cooperation = "medical-cooperation"
    tourism_cooperation = "tourism-cooperation"


class AgreementFields(Strict):
    places: list[Slug] = []
    concerns: list[Slug] = []


class Agreement(NamedRecord, AgreementFields):
    type: AgreementType
    parties: Annotated[list[Slug], Field(min_length=1)]
    period: Period


class EventType(StrEnum):
    meeting = "meeting"
    conference = "conference"
    festival = "festival"
    travel_period = "travel-period"


class EventFields(Strict):
    period: Period | None = None  # left out when the source does not date the event
    location: Slug | None = None
    organisers: list[Slug] = []
    participants: list[Slug] = []  # people or organisations taking part, without a role


class Event(NamedRecord, EventFields):
    type: EventType
    ordinal: Annotated[int, Field(ge=1)] | None = None


class Comparator(StrEnum):
    exactly = "exactly"
    about = "about"
    more_than = "more-than"
    at_least = "at-least"
    less_than = "less-than"


class Figure(Record):
    """A number the source states, with what it measures and the period it refers to."""

    model_config = ConfigDict(populate_by_name=True)

    about: Slug
    measure: Slug  # a concept of the measure scheme in ontology/vocabularies.ttl
    value: Amount
    unit: str  # ISO 4217 currency code, or a unit of ontology/vocabularies.ttl (id or symbol)
    comparator: Comparator = Comparator.exactly
    period: Period | None = None
    during: Slug | None = None  # an event whose time the figure refers to
    origin: Slug | None = Field(default=None, alias="from")
    destination: Slug | None = Field(default=None, alias="to")
    condition: Literal["before", "after"] | None = None
    rank_within: Slug | None = None
    # which of the figures of one thing answers by default (facts/ranks.py): left out, a rule
    # decides; a curator's rank says why in rank_reason
    rank: Literal["preferred", "normal", "deprecated"] | None = None
    rank_reason: str | None = None

    @model_validator(mode="after")
    def _has_period(self) -> Figure:
        if self.period is None and self.during is None:
            raise ValueError("a figure needs `period` (year, day or interval) or `during` (event)")
        if self.rank is not None and not self.rank_reason:
            raise ValueError("a rank set by hand needs `rank_reason`: why this value answers")
        return self


class SourceType(StrEnum):
    news_article = "news-article"
    policy_document = "policy-document"
    dataset = "dataset"


class Source(Strict):
    id: Slug
    type: SourceType
    title: Names | Annotated[str, StringConstraints(min_length=1)]
    publisher: Slug | str
    published: dt.date
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")]
    text: str | None = None  # file name, looked up in the configured text directories
    url: str | None = None
    version: str | None = None
    licence: str | None = None
    authors: list[Slug] = []
    note: str | None = None
    # the text is a translation: of a text in this language, by a machine or not
    translated_from: (
        Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] | None
    ) = None
    machine_translated: bool = False
    draft: str | None = None  # as Said.draft: written by `kg draft`, deleted on review

    @model_validator(mode="after")
    def _filled(self) -> Source:
        # free-text fields take any string, so a draft's `?` is caught here
        if "?" in (self.publisher, self.title):
            raise ValueError("`?`: kg draft could not fill the publisher or the title")
        return self


class PlaceStatement(Statement, PlaceFields):
    pass


class OrganisationStatement(Statement, OrganisationFields):
    pass


class PersonStatement(Statement, PersonFields):
    pass


class ProjectStatement(Statement, ProjectFields):
    pass


class AgreementStatement(Statement, AgreementFields):
    parties: list[Slug] = []


class EventStatement(Statement, EventFields):
    pass


# section -> the statement model of an item that names its thing with `about` instead of `id`
STATEMENTS: dict[str, type[Statement]] = {
    "places": PlaceStatement,
    "organisations": OrganisationStatement,
    "people": PersonStatement,
    "projects": ProjectStatement,
    "agreements": AgreementStatement,
    "events": EventStatement,
}

FACT_FILES: dict[str, dict[str, type[Record]]] = {
    # file name -> {top-level key: record model}; one obvious file for each kind of fact
    "places.yaml": {"places": Place},
    "organisations.yaml": {"organisations": Organisation},
    "people.yaml": {"people": Person},
    "concepts.yaml": {"schemes": ConceptScheme, "concepts": Concept},
    "projects.yaml": {"projects": Project},
    "agreements.yaml": {"agreements": Agreement},
    "events.yaml": {"events": Event},
    "figures.yaml": {"figures": Figure},
}
SOURCE_FILE = "source.yaml"
