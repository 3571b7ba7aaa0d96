"""Curated records -> an RDF dataset: one named graph per source, every node traceable to its line.

This module only builds graphs; writing files is the command line's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg_build.errors import InputError, Problem
from kg_build.facts.load import Corpus, Entry, Origin, StatementEntry, Unit
from kg_build.facts.model import (
    Agreement,
    AgreementStatement,
    Concept,
    ConceptScheme,
    Event,
    EventStatement,
    Figure,
    Milestone,
    NamedRecord,
    Names,
    Organisation,
    OrganisationFields,
    OrganisationStatement,
    Person,
    PersonStatement,
    Place,
    PlaceFields,
    PlaceStatement,
    Project,
    ProjectFields,
    ProjectStatement,
    Record,
    Role,
    Said,
    Source,
)
from kg_build.namespaces import (
    COMPARATOR,
    CONDITION,
    DBR,
    GBA,
    GEO,
    GEONAMES,
    MEASURE,
    ROLE,
    SCHEMA,
    STAGE,
    TIME,
    WD,
    WGS,
    bind_prefixes,
)
from kg_build.ontology import label, vocabulary_of
from kg_build.progress import bar
from kg_build.rdf.iris import Iris
from kg_build.rdf.reads import Reads
from kg_build.terms import decimal_text

PLACE_CLASSES = {
    "country": GBA.Country,
    "province": GBA.Province,
    "special-administrative-region": GBA.SpecialAdministrativeRegion,
    "prefecture-level-city": GBA.PrefectureLevelCity,
    "county": GBA.County,
    "county-level-city": GBA.CountyLevelCity,
    "district": GBA.District,
    "economic-region": GBA.EconomicRegion,
    "geographic-region": GBA.GeographicRegion,
    "mountain-range": GBA.MountainRange,
    "mountain-pass": GBA.MountainPass,
}
ORGANISATION_CLASSES = {
    "company": GBA.Company,
    "bank": GBA.Bank,
    "hospital": GBA.Hospital,
    "government-body": GBA.GovernmentBody,
    "alliance": GBA.Alliance,
    "news-agency": GBA.NewsAgency,
    "branch": GBA.Branch,
    "office": GBA.Office,
    "service-platform": GBA.ServicePlatform,
}
PROJECT_CLASSES = {
    "high-speed-railway": GBA.HighSpeedRailway,
    "railway": GBA.Railway,
    "expressway": GBA.Expressway,
    "airport": GBA.Airport,
    "air-route": GBA.AirRoute,
    "port": GBA.Port,
    "cargo-terminal": GBA.CargoTerminal,
    "station": GBA.Station,
    "canal": GBA.Canal,
    "data-centre": GBA.DataCentre,
    "cooperation-zone": GBA.CooperationZone,
    "development-zone": GBA.DevelopmentZone,
    "industrial-base": GBA.IndustrialBase,
    "service-facility": GBA.ServiceFacility,
    "investment-project": GBA.InvestmentProject,
    "project-portfolio": GBA.ProjectPortfolio,
}
AGREEMENT_CLASSES = {
    "signed-projects": GBA.ProjectSigning,
    "joint-construction": GBA.JointConstruction,
    "alliance-membership": GBA.AllianceMembership,
    "cross-province-service": GBA.CrossProvinceService,
    "pilot-zone-designation": GBA.PilotZoneDesignation,
    "branch-opening": GBA.BranchOpening,
    "industrial-cooperation": GBA.IndustrialCooperation,
    "supply-arrangement": GBA.SupplyArrangement,
    "medical-cooperation": GBA.MedicalCooperation,
    "tourism-cooperation": GBA.TourismCooperation,
}
EVENT_CLASSES = {
    "meeting": GBA.Meeting,
    "conference": GBA.Conference,
    "festival": GBA.Festival,
    "travel-period": GBA.TravelPeriod,
}
SOURCE_CLASSES = {
    "news-article": GBA.NewsArticle,
    "policy-document": GBA.PolicyDocument,
    "dataset": GBA.ReferenceDataset,
}

# lower case: the case Oxigraph writes and stores (tags are case-insensitive), so every dump
# and store spells it alike
PINYIN = "zh-latn-pinyin"
RecordT = TypeVar("RecordT", bound=Record)
# What the attestation says of a record's evidence: no claim about the thing, the curator's
# or the source's
_EVIDENCE = frozenset(
    {
        GBA.attestedBy,
        GBA.quote,
        GBA.statedAt,
        GBA.curatorNote,
        PROV.wasDerivedFrom,
        PROV.wasQuotedFrom,
        PROV.wasAttributedTo,
    }
)


@dataclass(frozen=True)
class Location:
    """Where in the fact files a triple (or a node) was written."""

    file: str
    line: int
    field: str


@dataclass
class Origins:
    """Maps graph nodes, and (node, predicate) pairs, back to fact-file lines."""

    nodes: dict[Node, Location] = field(default_factory=dict)
    pairs: dict[tuple[Node, Node], Location] = field(default_factory=dict)
    records: dict[Node, tuple[Origin, str]] = field(default_factory=dict)
    # Record id -> its record's line, for nodes of graphs an incremental build reused: a part
    # of a record (milestone, role assignment, geometry) is named after the record, first.
    by_id: dict[str, Location] = field(default_factory=dict)
    # Notes to take when first asked (note_records): most builds locate nothing.
    deferred: list[Callable[[], None]] = field(default_factory=list)

    def _settle(self) -> None:
        while self.deferred:
            self.deferred.pop()()

    def locate(self, node: Node, predicate: Node | None = None) -> Location | None:
        self._settle()
        if predicate is not None and (node, predicate) in self.pairs:
            return self.pairs[(node, predicate)]
        found = self.nodes.get(node)
        if found is None and self.by_id and isinstance(node, URIRef):
            found = self.by_id.get(str(node).rsplit("/", 1)[-1].split("--")[0])
        return found

    def locate_field(self, node: Node, path: str) -> Location | None:
        """Where field `path` of the record that made `node` is, or would go if it is missing."""
        self._settle()
        if node not in self.records:
            return None
        origin, prefix = self.records[node]
        root, _, rest = path.partition(".")
        if prefix and rest and prefix.split(".")[0] == root:
            path = rest  # "milestones.status" said of a milestone: its own status field
        full = prefix + path
        return Location(origin.file, origin.line_of(full), full)


class SourceGraphs:
    """The named graphs, one per source, each in a store of its own. (One rdflib Dataset held
    them before: for every triple it yields, its store lists every graph that holds that
    triple, so reading graphs whose triples thousands of others hold too took quadratic
    time.)"""

    def __init__(self) -> None:
        self._graphs: dict[URIRef, Graph] = {}

    def graph(self, identifier: URIRef) -> Graph:
        """The graph named `identifier`, made empty if there is none yet."""
        if identifier not in self._graphs:
            self._graphs[identifier] = Graph(identifier=identifier, bind_namespaces="none")
        return self._graphs[identifier]

    def graphs(self) -> Iterator[Graph]:
        return iter(list(self._graphs.values()))

    def __len__(self) -> int:
        return sum(len(graph) for graph in self._graphs.values())


@dataclass
class Built:
    dataset: SourceGraphs
    origins: Origins
    iris: Iris
    reads: dict[str, set[str]] = field(default_factory=dict)  # source id -> inputs read

    @property
    def base(self) -> str:
        return self.iris.base

    def union(self) -> Graph:
        """All facts of all sources in one graph (what Turtle, N-Triples and JSON-LD carry)."""
        graph = bind_prefixes(Graph(bind_namespaces="none"), self.base)
        graph.addN((s, p, o, graph) for context in self.dataset.graphs() for s, p, o in context)
        return graph


Triple = tuple[Node, Node, Node]


def _kept(said: Said) -> list[tuple[Triple, str]] | None:
    """Where a writer notes what it wrote: only for a record with fields of the curator's."""
    return [] if said.curator else None


class _Writer:
    """Adds the triples of one record to its source's graph, noting the line of each field."""

    def __init__(
        self,
        graph: Graph,
        origins: Origins,
        origin: Origin,
        node: URIRef,
        prefix: str = "",
        written: list[tuple[Triple, str]] | None = None,
    ) -> None:
        self.graph, self.origins, self.origin, self.node, self.prefix = (
            graph,
            origins,
            origin,
            node,
            prefix,
        )
        # each triple with the field it came from, kept for a record with curator's fields
        self.written = written
        origins.nodes.setdefault(node, self._location(""))
        origins.records.setdefault(node, (origin, prefix))

    def _location(self, path: str) -> Location:
        full = f"{self.prefix}{path}" if path else self.prefix.rstrip(".")
        return Location(self.origin.file, self.origin.line_of(full), full)

    def add(self, predicate: URIRef, obj: Node, path: str = "") -> None:
        self.graph.add((self.node, predicate, obj))
        if path:
            self.origins.pairs.setdefault((self.node, predicate), self._location(path))
            if self.written is not None:
                self.written.append(((self.node, predicate, obj), self.prefix + path))

    def nested(self, node: URIRef, prefix: str) -> _Writer:
        """A writer for a node inside this record; its fields live under `prefix` (or ours)."""
        inner = f"{self.prefix}{prefix}." if prefix else self.prefix
        return _Writer(self.graph, self.origins, self.origin, node, inner, self.written)


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in its canonical form (terms.decimal_text): 212.9e9 and 212900000000
    give the same literal, and the store keeps the literal the dumps have."""
    return Literal(decimal_text(value), datatype=XSD.decimal)


class GraphBuilder:
    def __init__(
        self,
        corpus: Corpus,
        ontology: Graph,
        base: str,
        only: Collection[str] | None = None,
        iris: Iris | None = None,
    ) -> None:
        self._sources, self._entries = corpus.sources, corpus.entries
        self._statements = corpus.statements
        self.only = only
        self.ontology = ontology
        self.units = vocabulary_of(ontology).units
        self.iris = iris if iris is not None and iris.base == base else Iris(base, corpus)
        # Everything below reads the corpus through this, so that what each graph was made
        # from is known (rdf/reads.py)
        self.read = Reads(corpus, self.iris)
        self.dataset = SourceGraphs()
        self.origins = Origins()
        self.base = base

    def build(self) -> Built:
        only = self.only
        for source_id, (_, origin) in self._sources.items():
            if only is None or source_id in only:
                self.read.begin(source_id)
                self._source(self.read.source(source_id), origin)
        entries = [e for e in self._entries.values() if only is None or e.source in only]
        for entry in bar(entries, len(entries), "building records"):
            self.read.begin(entry.source)
            self._entry(entry)
        for said in self._statements:
            if only is None or said.source in only:
                self.read.begin(said.source)
                self._statement(said)
        return Built(self.dataset, self.origins, self.iris, self.read.by_source)

    # ---- helpers -------------------------------------------------------------------------

    def _graph(self, source: str) -> Graph:
        return self.dataset.graph(self.iris.graph(source))

    def _names(self, w: _Writer, names: Names) -> None:
        w.add(RDFS.label, Literal(names.en, lang="en"), "name.en")
        w.add(RDFS.label, Literal(names.zh, lang="zh"), "name.zh")
        if names.pinyin:
            w.add(SKOS.altLabel, Literal(names.pinyin, lang=PINYIN), "name.pinyin")
        for alt in names.alt_en:
            w.add(SKOS.altLabel, Literal(alt, lang="en"), "name.alt_en")
        for alt in names.alt_zh:
            w.add(SKOS.altLabel, Literal(alt, lang="zh"), "name.alt_zh")

    def _attest(self, w: _Writer, source: str, said: Said | Role | Milestone, *path: str) -> URIRef:
        """Record the verbatim passages that state this node's facts, where they come from,
        and who said them where (a person the source quotes, an event)."""
        language = self.read.source(source).language
        attestation = self.iris.attestation(*path)
        w.add(GBA.attestedBy, attestation)
        w.add(PROV.wasDerivedFrom, self.iris.source(source))
        a = w.nested(attestation, "")
        a.add(RDF.type, GBA.Attestation)
        a.add(PROV.wasQuotedFrom, self.iris.source(source), "source")
        for quote in said.quote:
            a.add(GBA.quote, Literal(quote, lang=language), "quote")
        if isinstance(said, Said):
            if said.stated_by:
                a.add(PROV.wasAttributedTo, self.read.entity(said.stated_by), "stated_by")
            if said.stated_at:
                a.add(GBA.statedAt, self.read.entity(said.stated_at), "stated_at")
            if said.note:
                w.add(GBA.curatorNote, Literal(said.note, lang="en"), "note")
        return attestation

    def _period(self, graph: Graph, period: str) -> URIRef:
        node = self.iris.period(period)
        if len(period) == 4:
            graph.add((node, RDF.type, GBA.CalendarYear))
            graph.add((node, RDF.type, TIME.ProperInterval))
            self._bounds(graph, node, f"{period}-01-01", f"{period}-12-31")
        elif "/" in period:
            graph.add((node, RDF.type, TIME.ProperInterval))
            self._bounds(graph, node, *period.split("/"))
        else:
            graph.add((node, RDF.type, TIME.Instant))
            graph.add((node, TIME.inXSDDate, Literal(period, datatype=XSD.date)))
        graph.add((node, RDFS.label, Literal(period)))
        return node

    def _bounds(self, graph: Graph, node: URIRef, start: str, end: str) -> None:
        graph.add((node, TIME.hasBeginning, self._period(graph, start)))
        graph.add((node, TIME.hasEnd, self._period(graph, end)))

    def _record(self, identifier: str, kind: type[RecordT]) -> RecordT:
        entry = self.read.entry(identifier)
        record = entry.record if entry is not None else None
        if not isinstance(record, kind):  # load_corpus checked reference kinds already
            raise TypeError(f"{identifier} is a {type(record).__name__}, not a {kind.__name__}")
        return record

    def _ref(self, w: _Writer, predicate: URIRef, targets: Iterable[str], path: str) -> None:
        for target in targets:
            w.add(predicate, self.read.entity(target), path)

    # ---- records -------------------------------------------------------------------------

    def _source(self, source: Source, origin: Origin) -> None:
        node = self.iris.source(source.id)
        w = _Writer(self._graph(source.id), self.origins, origin, node)
        w.add(RDF.type, SOURCE_CLASSES[source.type], "type")
        if isinstance(source.title, Names):
            w.add(DCTERMS.title, Literal(source.title.en, lang="en"), "title.en")
            w.add(DCTERMS.title, Literal(source.title.zh, lang="zh"), "title.zh")
            w.add(RDFS.label, Literal(source.title.en, lang="en"), "title.en")
            w.add(RDFS.label, Literal(source.title.zh, lang="zh"), "title.zh")
        else:
            w.add(DCTERMS.title, Literal(source.title, lang="en"), "title")
            w.add(RDFS.label, Literal(source.title, lang="en"), "title")
        publisher = self.read.entry(source.publisher)
        if publisher is not None and publisher.kind == "organisations":
            w.add(SCHEMA.publisher, self.read.entity(source.publisher), "publisher")
        else:
            w.add(DCTERMS.publisher, Literal(source.publisher), "publisher")
        w.add(DCTERMS.issued, Literal(source.published.isoformat(), datatype=XSD.date), "published")
        w.add(DCTERMS.language, Literal(source.language), "language")
        self._ref(w, SCHEMA.author, source.authors, "authors")
        if source.url:
            w.add(SCHEMA.url, Literal(source.url, datatype=XSD.anyURI), "url")
        if source.version:
            w.add(OWL.versionInfo, Literal(source.version), "version")
        if source.licence:
            w.add(DCTERMS.license, Literal(source.licence), "licence")
        if source.note:
            w.add(GBA.curatorNote, Literal(source.note, lang="en"), "note")
        if source.translated_from:
            w.add(GBA.translatedFrom, Literal(source.translated_from), "translated_from")
            w.add(
                GBA.machineTranslated,
                Literal(source.machine_translated, datatype=XSD.boolean),
                "machine_translated",
            )

    def _entry(self, entry: Entry) -> None:
        record = entry.record
        node = self.read.entity(record.id)
        graph = self._graph(entry.source)
        w = _Writer(graph, self.origins, entry.origin, node, written=_kept(record))
        if hasattr(record, "name"):
            self._names(w, record.name)
        segment = str(node)[len(self.base) + 3 :].split("/")
        attestation = self._attest(w, entry.source, record, *segment)
        handler = getattr(self, f"_{type(record).__name__.lower()}")
        handler(w, record, entry)
        self._curator_claims(w, record, attestation, segment[1:])

    def _curator_claims(self, w: _Writer, said: Said, attestation: URIRef, name: list[str]) -> None:
        """The triples of the fields `said.curator` names, each as a claim of the curator's
        with the reason, linked from the record's attestation: what the source does not say
        is marked as such (gba:CuratorClaim), in the graph of the source being read."""
        written = list(w.written or [])  # the claims' own triples are noted as well
        for key, reason in sorted(said.curator.items()):
            marked = [
                (triple, path)
                for triple, path in written
                if (path == key or path.startswith(key + ".")) and triple[1] not in _EVIDENCE
            ]
            if not marked:  # a part that is not there (milestones.3 of two milestones)
                raise InputError(
                    [
                        Problem(
                            w.origin.file,
                            w.origin.line_of(f"curator.{key}"),
                            f"curator.{key}",
                            f"curator: {key!r} names nothing this record says",
                            "name a field the record sets, or a part of it that is there",
                        )
                    ]
                )
            for (s, p, o), _ in marked:
                # named after the record (and source) and the triple: stable between builds
                digest = hashlib.sha256(f"{s.n3()} {p.n3()} {o.n3()}".encode()).hexdigest()
                claim = self.iris.part("claim", *name, digest[:12])
                c = w.nested(claim, "")
                c.add(RDF.type, GBA.CuratorClaim)
                c.add(GBA.claimSubject, s)
                c.add(GBA.claimPredicate, p)
                c.add(GBA.claimObject, o)
                c.add(GBA.curatorReason, Literal(reason, lang="en"), f"curator.{key}")
                w.graph.add((attestation, GBA.curatorClaim, claim))

    def _statement(self, said: StatementEntry) -> None:
        """What a source says of a thing another source defined: into its own graph, with its
        own attestation (named after the thing and the source), never its type or names."""
        st, source = said.statement, said.source
        target = self._record(st.about, NamedRecord)
        node = self.read.entity(st.about)
        w = _Writer(self._graph(source), self.origins, said.origin, node, written=_kept(st))
        for alt in st.alt_en:
            w.add(SKOS.altLabel, Literal(alt, lang="en"), "alt_en")
        for alt in st.alt_zh:
            w.add(SKOS.altLabel, Literal(alt, lang="zh"), "alt_zh")
        segment = str(node)[len(self.base) + 3 :].split("/")
        attestation = self._attest(w, source, st, *segment, source)
        said_by = (source,)
        if isinstance(st, PlaceStatement):
            self._place_fields(w, st)
        elif isinstance(st, OrganisationStatement):
            self._organisation_fields(w, st)
        elif isinstance(st, PersonStatement):
            self._roles(w, st, target.name, st.about, source, said_by)
        elif isinstance(st, ProjectStatement):
            self._project_fields(w, st, target.name, st.about, source, said_by)
        elif isinstance(st, AgreementStatement):
            self._agreement_fields(w, st)
        elif isinstance(st, EventStatement):
            self._event_fields(w, st)
        self._curator_claims(w, st, attestation, [*segment[1:], source])

    def _place(self, w: _Writer, r: Place, entry: Entry) -> None:
        w.add(RDF.type, PLACE_CLASSES[r.type], "type")
        self._place_fields(w, r)
        if r.code:
            w.add(GBA.divisionCode, Literal(r.code), "code")
        if r.point:
            geometry = self.iris.part("geometry", r.id)
            w.add(GEO.hasGeometry, geometry, "point")
            g = w.nested(geometry, "point")
            g.add(RDF.type, GEO.Geometry)
            wkt = f"POINT({r.point.lon} {r.point.lat})"
            g.add(GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral), "lat")
            # W3C Basic Geo as well: what GeoNames and DBpedia users join on, and plain
            # decimals that no store rewrites (Virtuoso re-encodes WKT as its own geometry)
            w.add(WGS.lat, decimal_literal(Decimal(str(r.point.lat))), "point.lat")
            w.add(WGS.long, decimal_literal(Decimal(str(r.point.lon))), "point.lon")

    def _place_fields(self, w: _Writer, r: Place | PlaceStatement) -> None:
        self._ref(w, GBA.directlyPartOf, r.part_of, "part_of")
        self._links(w, r)

    def _links(
        self,
        w: _Writer,
        r: PlaceFields | OrganisationFields | ProjectFields,
    ) -> None:
        """The same thing in other datasets (docs/linking.md): owl:sameAs its Wikidata item,
        GeoNames feature and DBpedia resource, where the facts give them."""
        if r.wikidata:
            w.add(OWL.sameAs, WD[r.wikidata], "wikidata")
        if isinstance(r, PlaceFields) and r.geonames:
            w.add(OWL.sameAs, URIRef(f"{GEONAMES}{r.geonames}/"), "geonames")
        if r.dbpedia:
            w.add(OWL.sameAs, DBR[r.dbpedia], "dbpedia")

    def _organisation(self, w: _Writer, r: Organisation, entry: Entry) -> None:
        w.add(RDF.type, ORGANISATION_CLASSES[r.type], "type")
        self._organisation_fields(w, r)

    def _organisation_fields(self, w: _Writer, r: Organisation | OrganisationStatement) -> None:
        if r.seat:
            self._ref(w, GBA.seat, [r.seat], "seat")
        if r.sub_organisation_of:
            self._ref(w, GBA.subOrganisationOf, [r.sub_organisation_of], "sub_organisation_of")
        self._ref(w, GBA.industry, r.industries, "industries")
        self._ref(w, GBA.presentIn, r.present_in, "present_in")
        self._links(w, r)

    def _person(self, w: _Writer, r: Person, entry: Entry) -> None:
        w.add(RDF.type, GBA.Person)
        self._roles(w, r, r.name, r.id, entry.source)

    def _roles(
        self,
        w: _Writer,
        r: Person | PersonStatement,
        name: Names,
        ident: str,
        source: str,
        said_by: tuple[str, ...] = (),
    ) -> None:
        """Role assignments of the person `ident` (named `name`); `said_by`: the source, when
        another source than the one defining the person says so (it names the attestation)."""
        for i, role in enumerate(r.roles):
            keys = [ident, role.role, role.organisation] + ([role.work] if role.work else [])
            node = self.iris.part("role-assignment", *keys)
            n = w.nested(node, f"roles.{i}")
            n.add(RDF.type, GBA.RoleAssignment)
            n.add(GBA.person, w.node)
            n.add(GBA.role, ROLE[role.role], "role")
            n.add(GBA.organisation, self.read.entity(role.organisation), "organisation")
            if role.work:
                n.add(GBA.forWork, self.iris.source(role.work), "work")
            n.add(GBA.asOf, Literal(role.as_of.isoformat(), datatype=XSD.date), "as_of")
            role_en = label(self.ontology, ROLE[role.role], "en")
            role_zh = label(self.ontology, ROLE[role.role], "zh")
            org = self._record(role.organisation, Organisation)
            n.add(RDFS.label, Literal(f"{name.en}, {role_en}, {org.name.en}", lang="en"))
            n.add(RDFS.label, Literal(f"{org.name.zh}{role_zh}{name.zh}", lang="zh"))
            self._attest(n, source, role, "role-assignment", "--".join(keys), *said_by)

    def _conceptscheme(self, w: _Writer, r: ConceptScheme, entry: Entry) -> None:
        w.add(RDF.type, SKOS.ConceptScheme)
        if r.notation:
            w.add(SKOS.notation, Literal(r.notation), "notation")
        for entry in self.read.of_kind("concepts", "scheme", r.id):
            concept = entry.record
            if isinstance(concept, Concept) and not concept.broader:
                w.add(SKOS.hasTopConcept, self.read.entity(concept.id))

    def _concept(self, w: _Writer, r: Concept, entry: Entry) -> None:
        w.add(RDF.type, SKOS.Concept)
        w.add(SKOS.prefLabel, Literal(r.name.en, lang="en"), "name.en")
        w.add(SKOS.prefLabel, Literal(r.name.zh, lang="zh"), "name.zh")
        self._ref(w, SKOS.inScheme, [r.scheme], "scheme")
        if r.broader:
            self._ref(w, SKOS.broader, [r.broader], "broader")
        else:
            self._ref(w, SKOS.topConceptOf, [r.scheme], "scheme")
        if r.notation:
            w.add(SKOS.notation, Literal(r.notation), "notation")

    def _project(self, w: _Writer, r: Project, entry: Entry) -> None:
        w.add(RDF.type, PROJECT_CLASSES[r.type], "type")
        self._project_fields(w, r, r.name, r.id, entry.source)

    def _project_fields(
        self,
        w: _Writer,
        r: Project | ProjectStatement,
        name: Names,
        ident: str,
        source: str,
        said_by: tuple[str, ...] = (),
    ) -> None:
        """What is said of the project `ident` (named `name`); `said_by`: see _roles."""
        self._ref(w, GBA.locatedIn, r.located_in, "located_in")
        self._ref(w, GBA.connects, r.connects, "connects")
        self._links(w, r)
        if r.part_of:
            self._ref(w, GBA.partOfProject, [r.part_of], "part_of")
        self._ref(w, GBA.participant, r.participants, "participants")
        self._ref(w, GBA.industry, r.industries, "industries")
        for i, m in enumerate(r.milestones):
            # a target and a report of one stage and period are two facts (the plan, and what
            # happened): sources that say each must not give one node two statuses
            target = ("target",) if m.status == "target" else ()
            keys = (ident, m.stage, m.period.replace("/", "--"), *target)
            node = self.iris.part("milestone", *keys)
            w.add(GBA.hasMilestone, node, f"milestones.{i}")
            n = w.nested(node, f"milestones.{i}")
            n.add(RDF.type, GBA.Milestone)
            n.add(GBA.stage, STAGE[m.stage], "stage")
            n.add(GBA.referencePeriod, self._period(w.graph, m.period), "period")
            n.add(GBA.isTarget, Literal(m.status == "target"), "status")
            stage_en = label(self.ontology, STAGE[m.stage], "en")
            stage_zh = label(self.ontology, STAGE[m.stage], "zh")
            target_en, target_zh = ("target: ", "目标：") if m.status == "target" else ("", "")
            n.add(RDFS.label, Literal(f"{name.en}: {target_en}{stage_en}, {m.period}", lang="en"))
            n.add(RDFS.label, Literal(f"{name.zh}：{target_zh}{stage_zh}，{m.period}", lang="zh"))
            self._attest(n, source, m, "milestone", "--".join(keys), *said_by)

    def _agreement(self, w: _Writer, r: Agreement, entry: Entry) -> None:
        w.add(RDF.type, AGREEMENT_CLASSES[r.type], "type")
        self._agreement_fields(w, r)
        w.add(GBA.referencePeriod, self._period(w.graph, r.period), "period")

    def _agreement_fields(self, w: _Writer, r: Agreement | AgreementStatement) -> None:
        self._ref(w, GBA.party, r.parties, "parties")
        self._ref(w, GBA.place, r.places, "places")
        self._ref(w, GBA.concerns, r.concerns, "concerns")

    def _event(self, w: _Writer, r: Event, entry: Entry) -> None:
        w.add(RDF.type, EVENT_CLASSES[r.type], "type")
        self._event_fields(w, r)
        if r.ordinal:
            # xsd:integer, not positiveInteger: stores keep no derived integer types
            w.add(GBA.ordinal, Literal(r.ordinal, datatype=XSD.integer), "ordinal")

    def _event_fields(self, w: _Writer, r: Event | EventStatement) -> None:
        if r.period:
            w.add(TIME.hasTime, self._period(w.graph, r.period), "period")
        if r.location:
            self._ref(w, GBA.eventLocation, [r.location], "location")
        self._ref(w, GBA.organiser, r.organisers, "organisers")
        self._ref(w, GBA.participant, r.participants, "participants")

    def _figure(self, w: _Writer, r: Figure, entry: Entry) -> None:
        unit = self.units.get(r.unit)
        w.add(GBA.about, self.read.entity(r.about), "about")
        w.add(GBA.measure, MEASURE[r.measure], "measure")
        w.add(SCHEMA.value, decimal_literal(r.value), "value")
        if unit is None:  # load_corpus let it through: an ISO 4217 currency code
            w.add(RDF.type, GBA.MonetaryAmount, "unit")
            w.add(SCHEMA.currency, Literal(r.unit), "unit")
        else:
            if unit.figure_class is None:  # pragma: no cover - load_corpus reports it
                raise ValueError(f"unit {unit.id} has no class of figures")
            w.add(RDF.type, URIRef(unit.figure_class), "unit")
            w.add(GBA.unit, URIRef(unit.iri), "unit")
            if unit.code:
                w.add(SCHEMA.unitCode, Literal(unit.code), "unit")
            duration = xsd_duration(r.value, unit)
            if duration is not None:
                w.add(GBA.duration, Literal(duration, datatype=XSD.duration), "value")
        w.add(GBA.comparator, COMPARATOR[r.comparator.value], "comparator")
        if r.period:
            w.add(GBA.referencePeriod, self._period(w.graph, r.period), "period")
        if r.during:
            w.add(GBA.duringEvent, self.read.entity(r.during), "during")
            event = self._record(r.during, Event)
            if event.period and not r.period:
                w.add(GBA.referencePeriod, self.iris.period(event.period), "during")
        if r.origin:
            w.add(GBA.origin, self.read.entity(r.origin), "from")
        if r.destination:
            w.add(GBA.destination, self.read.entity(r.destination), "to")
        if r.condition:
            w.add(GBA.condition, CONDITION[r.condition], "condition")
        if r.rank_within:
            w.add(GBA.rankWithin, self.read.entity(r.rank_within), "rank_within")
        self._figure_labels(w, r)

    def _figure_labels(self, w: _Writer, r: Figure) -> None:
        """'travel time of X, Xinfeng to Shenzhen, after, 2022-02-17': enough to tell apart."""
        about = getattr(self._record(r.about, Record), "name", None)
        if not isinstance(about, Names):
            return
        en = [label(self.ontology, MEASURE[r.measure], "en") + f" of {about.en}"]
        zh = [about.zh + label(self.ontology, MEASURE[r.measure], "zh")]
        end_names = [self._record(i, Place).name for i in (r.origin, r.destination) if i]
        if r.origin and r.destination:
            en.append(f"{end_names[0].en} to {end_names[1].en}")
            zh.append(f"{end_names[0].zh}至{end_names[1].zh}")
        elif r.origin and end_names:
            en.append(f"from {end_names[0].en}")
            zh.append(f"来自{end_names[0].zh}")
        if r.condition:
            en.append(r.condition)
            zh.append({"before": "之前", "after": "之后"}[r.condition])
        if self.units.get(r.unit) is not None and self.units[r.unit].id == "rank":
            en.append("rank")
            zh.append("排名")
        when_en = when_zh = r.period or ""
        if r.during:
            event = self._record(r.during, Event).name
            when_en, when_zh = f"during {event.en}", f"{event.zh}期间"
        w.add(RDFS.label, Literal(", ".join([*en, when_en]), lang="en"))
        w.add(RDFS.label, Literal("，".join(zh) + f"（{when_zh}）", lang="zh"))


def xsd_duration(value: Decimal, unit: Unit) -> str | None:
    """The value as an xsd:duration, for a unit of time: whole seconds split into days,
    hours, minutes and seconds (109 minutes: PT1H49M); a whole number of a calendar unit
    with its designator (54 months: P54M). None for any other unit or value."""
    if unit.seconds is not None:
        seconds = value * unit.seconds
        if seconds < 0 or seconds != seconds.to_integral_value():
            return None
        days, rest = divmod(int(seconds), 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds_left = divmod(rest, 60)
        time = "".join(
            f"{n}{d}" for n, d in ((hours, "H"), (minutes, "M"), (seconds_left, "S")) if n
        )
        if not days and not time:
            return "PT0S"
        return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    if unit.designator is not None and value >= 0 and value == value.to_integral_value():
        return f"P{int(value)}{unit.designator}"
    return None


def note_records(origins: Origins, corpus: Corpus, iris: Iris, sources: Collection[str]) -> None:
    """Where the records of `sources` were written, for graphs reused rather than built (their
    nodes then point at the record, if not at the field). Noted when first asked: at 10,000
    sources that takes seconds, and a build that finds no problem never asks."""
    origins.deferred.append(lambda: _note_records(origins, corpus, iris, sources))


def _note_records(origins: Origins, corpus: Corpus, iris: Iris, sources: Collection[str]) -> None:
    for source_id in sources:
        if source_id in corpus.sources:
            node = iris.source(source_id)
            origin = corpus.sources[source_id][1]
            origins.nodes.setdefault(node, Location(origin.file, origin.line, ""))
            origins.records.setdefault(node, (origin, ""))
    for entry in corpus.entries.values():
        if entry.source in sources:
            node = iris.entity(entry.record.id)
            location = Location(entry.origin.file, entry.origin.line, "")
            origins.nodes.setdefault(node, location)
            origins.records.setdefault(node, (entry.origin, ""))
            origins.by_id.setdefault(entry.record.id, location)


def build_dataset(
    corpus: Corpus,
    ontology: Graph,
    base: str,
    only: Collection[str] | None = None,
    iris: Iris | None = None,
) -> Built:
    """Turn a checked corpus into RDF: one named graph per source, no blank nodes. With
    `only`, just the graphs of those sources (each graph depends on its own records and on
    the records they refer to, all of which are in `corpus`). `iris`: the corpus's, if the
    caller made them already."""
    return GraphBuilder(corpus, ontology, base, only, iris).build()
