"""What each page shows, read from the store: plain data for the templates, no markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg_build.pages import amounts, i18n
from kg_build.pages.i18n import _
from kg_build.pages.links import Link

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GBA = "https://w3id.org/ganzhou-gba/def/"
SCHEMA = "https://schema.org/"
LABEL = ox.NamedNode(RDFS + "label")
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
DEFINITION = ox.NamedNode(SKOS + "definition")
TYPE = ox.NamedNode(RDF + "type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
ATTESTED = ox.NamedNode(GBA + "attestedBy")
QUOTE = ox.NamedNode(GBA + "quote")
QUOTED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasQuotedFrom")

# Names for the properties of other vocabularies that our data uses (ours have labels in
# the ontology): what a reader calls them, not their local names.
OTHER_PROPERTIES = {
    RDF + "type": "type",
    RDFS + "label": "name",
    SKOS + "altLabel": "also called",
    SKOS + "prefLabel": "name",
    SKOS + "notation": "code",
    SKOS + "definition": "definition",
    SKOS + "inScheme": "in scheme",
    SKOS + "broader": "broader",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "quoted from",
    "http://www.opengis.net/ont/geosparql#hasGeometry": "geometry",
    "http://www.opengis.net/ont/geosparql#asWKT": "coordinates (WKT)",
    "http://www.opengis.net/ont/geosparql#sfWithin": "within",
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/issued": "published",
    "http://purl.org/dc/terms/language": "language",
    SCHEMA + "author": "author",
    SCHEMA + "publisher": "publisher",
    SCHEMA + "value": "value",
    SCHEMA + "currency": "currency",
    SCHEMA + "startDate": "start date",
    SCHEMA + "endDate": "end date",
    SCHEMA + "location": "location",
    SCHEMA + "containedInPlace": "contained in",
    SCHEMA + "organizer": "organiser",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of",
}
# Datasets other IRIs are in, by the start of the IRI.
OTHER_DATASETS = {
    "http://www.wikidata.org/entity/": "Wikidata",
    "https://sws.geonames.org/": "GeoNames",
    "http://dbpedia.org/resource/": "DBpedia",
}
# Graphs of a release that no source states (store/embedded.py, pipeline.py).
DATASET_GRAPHS = {"inferred": "inferred by the dataset", "description": "the dataset's description"}


@dataclass(frozen=True)
class Term:
    """A term as a page shows it: its text, where it links (None: not a link), its language."""

    text: str
    href: str | None = None
    lang: str | None = None
    css: str = ""
    show_lang: bool = False


def quads(
    store: ox.Store,
    subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
    predicate: ox.NamedNode | None,
    obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None,
) -> Iterator[ox.Quad]:
    """Statements of the default graph, which holds each published triple once (the named
    graphs per source repeat shared ones; see store/embedded.py)."""
    return store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph())


def first(store: ox.Store, node: object, predicate: str) -> object | None:
    for quad in quads(store, node, ox.NamedNode(predicate), None):  # type: ignore[arg-type]
        return quad.object
    return None


def labels(store: ox.Store, node: ox.NamedNode) -> dict[str, str]:
    out: dict[str, str] = {}
    for quad in quads(store, node, LABEL, None):
        if isinstance(quad.object, ox.Literal):
            out.setdefault((quad.object.language or "").lower(), quad.object.value)
    return out


def name(store: ox.Store, term: object) -> str:
    """What a page calls a term: its label in the page's language, else in English, else a
    name for another vocabulary's property, else its IRI's last segment."""
    if isinstance(term, ox.NamedNode):
        found = labels(store, term)
        local = term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        other = OTHER_PROPERTIES.get(term.value)
        return (
            found.get(i18n.current.get())
            or found.get("en")
            or found.get("")
            or (_(other) if other else local)
        )
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def term(store: ox.Store, node: object, link: Link, show_lang: bool = False) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term(name(store, node), link(node.value))
    if isinstance(node, ox.Literal):
        return Term(node.value, lang=node.language or None, show_lang=show_lang)
    return Term(str(node))


@dataclass
class Figure:
    figure: Term
    measure: str
    shown: str  # value with comparator and unit, for people
    value: str  # the exact value, for machines (a data attribute)
    period: str
    quote: str
    source: Term | None
    rank: str


@dataclass
class Resource:
    title: str
    iri: str
    names: list[Term] = field(default_factory=list)  # every label, with its language
    other: Term | None = None  # its name in the other language
    types: list[Term] = field(default_factory=list)
    definitions: list[Term] = field(default_factory=list)
    elsewhere: list[tuple[str, Term]] = field(default_factory=list)  # (dataset, link)
    quotes: list[Quotes] = field(default_factory=list)  # by source
    figures: list[Figure] = field(default_factory=list)
    said: list[tuple[Term, Term, Term]] = field(default_factory=list)  # source, property, value
    linked_from: list[tuple[Term, Term]] = field(default_factory=list)


def resource(store: ox.Store, node: ox.NamedNode, link: Link) -> Resource:
    names = labels(store, node)
    lang = i18n.current.get()
    second = "en" if lang == "zh" else "zh"
    if not names:  # an ontology, a dataset: named by their titles
        for q in quads(store, node, ox.NamedNode("http://purl.org/dc/terms/title"), None):
            if isinstance(q.object, ox.Literal):
                names.setdefault((q.object.language or "").lower(), q.object.value)
    title = names.get(lang) or names.get("en") or node.value
    other = Term(names[second], lang=second) if second in names and names[second] != title else None
    page = Resource(title=title, iri=node.value, other=other)
    for predicate in (LABEL, ALT_LABEL):
        for q in quads(store, node, predicate, None):
            page.names.append(term(store, q.object, link, show_lang=True))
    page.names.sort(key=lambda t: (t.lang or "", t.text))
    page.types = sorted(
        {term(store, q.object, link) for q in quads(store, node, TYPE, None)}, key=lambda t: t.text
    )
    page.definitions = [term(store, q.object, link) for q in quads(store, node, DEFINITION, None)]
    for q in quads(store, node, SAME_AS, None):
        if isinstance(q.object, ox.NamedNode):
            dataset = next(
                (n for p, n in OTHER_DATASETS.items() if q.object.value.startswith(p)), ""
            )
            page.elsewhere.append(
                (dataset, Term(q.object.value, link(q.object.value), css="external"))
            )
    page.elsewhere.sort(key=lambda e: (e[0], e[1].text))
    page.quotes = _quotes(store, node, link)
    page.figures = _figures(store, node, link)
    page.said = _said(store, node, link)
    page.linked_from = _linked_from(store, node, link)
    return page


@dataclass(frozen=True)
class Quotes:
    """What one source says of a resource, word for word; `note`: what the words are (a
    translation, a table's row); `rows`: the quotes are rows of a table, not prose."""

    source: Term
    quotes: tuple[str, ...]
    note: str = ""
    rows: bool = False


LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


def _quotes(store: ox.Store, node: ox.NamedNode, link: Link) -> list[Quotes]:
    """The verbatim quotes backing the resource, grouped by the source they are from."""
    by_source: dict[str, tuple[object, set[str]]] = {}
    for att in quads(store, node, ATTESTED, None):
        source = first(store, att.object, QUOTED_FROM.value)
        key = source.value if isinstance(source, ox.NamedNode) else ""
        for q in quads(store, att.object, QUOTE, None):  # type: ignore[arg-type]
            by_source.setdefault(key, (source, set()))[1].add(name(store, q.object))
    return [
        Quotes(
            term(store, source, link) if source is not None else Term(""),
            tuple(sorted(found)),
            _what_the_words_are(store, source),
            any(True for _ in quads(store, source, TYPE, ox.NamedNode(GBA + "ReferenceDataset")))  # type: ignore[arg-type]
            if source is not None
            else False,
        )
        for _, (source, found) in sorted(by_source.items())
    ]


def _what_the_words_are(store: ox.Store, source: object) -> str:
    """ "Quoted from a machine translation of the Chinese original", where the source says its
    text is a translation (gba:translatedFrom, gba:machineTranslated)."""
    original = first(store, source, GBA + "translatedFrom") if source is not None else None
    if not isinstance(original, ox.Literal):
        return ""
    machine = first(store, source, GBA + "machineTranslated")
    by_machine = isinstance(machine, ox.Literal) and machine.value == "true"
    language = _(LANGUAGE_NAMES.get(original.value, original.value))
    if by_machine:
        return f"{_('Quoted from a machine translation of the original in')} {language}."
    return f"{_('Quoted from a translation of the original in')} {language}."


def _said(store: ox.Store, node: ox.NamedNode, link: Link) -> list[tuple[Term, Term, Term]]:
    """What each source says of the resource: the statements of each source's named graph (the
    same statement from two sources is listed for each), and what the dataset infers."""
    rows = set()
    for q in store.quads_for_pattern(node, None, None, None):
        if q.predicate in (TYPE, ATTESTED) or not isinstance(q.graph_name, ox.NamedNode):
            continue
        head, _, graph = q.graph_name.value.rpartition("/graph/")
        if graph == "ontology":
            continue
        said_by = DATASET_GRAPHS.get(graph)
        who = (
            Term(said_by)
            if said_by
            else term(store, ox.NamedNode(f"{head}/id/source/{graph}"), link)
        )
        rows.add((who, term(store, q.predicate, link), _value(store, q.predicate, q.object, link)))
    return sorted(rows, key=lambda r: (r[0].text, r[1].text, r[2].text))


def _value(store: ox.Store, predicate: ox.NamedNode, node: object, link: Link) -> Term:
    """A value, money and large numbers written for people (schema:value of a money amount is
    shown by the figures table with its currency; here the number alone)."""
    if isinstance(node, ox.Literal) and node.datatype.value.endswith(
        ("#decimal", "#integer", "#double")
    ):
        try:
            return Term(amounts.number(Decimal(node.value)))
        except InvalidOperation:
            pass
    return term(store, node, link, show_lang=True)


def _linked_from(store: ox.Store, node: ox.NamedNode, link: Link) -> list[tuple[Term, Term]]:
    """What links to the resource in the data (not the dataset's description of itself)."""
    found = set()
    for q in store.quads_for_pattern(None, None, node, None):
        if not isinstance(q.graph_name, ox.NamedNode) or q.graph_name.value.endswith(
            ("/graph/description", "/graph/ontology")
        ):
            continue
        found.add((term(store, q.subject, link), term(store, q.predicate, link)))
    return sorted(found, key=lambda r: (r[0].text, r[1].text))


def _figures(store: ox.Store, node: ox.NamedNode, link: Link) -> list[Figure]:
    """One row per figure stated about the resource: measure, value with unit, period, quote."""
    rows = []
    for quad in quads(store, None, ox.NamedNode(GBA + "about"), node):
        figure = quad.subject
        measure = first(store, figure, GBA + "measure")
        value = first(store, figure, SCHEMA + "value")
        currency = first(store, figure, SCHEMA + "currency")
        of_unit = first(store, figure, GBA + "unit")
        # the symbol of the unit in the vocabulary (none for a count)
        symbol = first(store, of_unit, "http://qudt.org/schema/qudt/symbol") if of_unit else None
        comparator = first(store, figure, GBA + "comparator")
        period = first(store, figure, GBA + "referencePeriod")
        attestation = first(store, figure, GBA + "attestedBy")
        quote = first(store, attestation, QUOTE.value) if attestation else None
        source = first(store, attestation, QUOTED_FROM.value) if attestation else None
        rank = first(store, figure, GBA + "valueRank")
        exact = value.value if isinstance(value, ox.Literal) else ""
        rows.append(
            Figure(
                figure=term(store, figure, link),
                measure=name(store, measure) if measure else "",
                shown=_shown(store, comparator, exact, currency, symbol),
                value=exact,
                period=name(store, period) if period else "",
                quote=name(store, quote) if quote else "",
                source=term(store, source, link) if source else None,
                rank=name(store, rank) if rank else "",
            )
        )
    return sorted(rows, key=lambda f: f.figure.text)


def _shown(
    store: ox.Store, comparator: object, exact: str, currency: object, symbol: object
) -> str:
    """ "more than 5 h", "212.9 billion yuan (2,129亿元)", "466,000"."""
    words = []
    if isinstance(comparator, ox.NamedNode) and not comparator.value.endswith("/exactly"):
        words.append(name(store, comparator))
    try:
        number = Decimal(exact)
    except InvalidOperation:
        return " ".join([*words, exact])
    if isinstance(currency, ox.Literal):
        words.append(amounts.money(number, currency.value, i18n.current.get()))
    else:
        words.append(amounts.number(number))
        if isinstance(symbol, ox.Literal):
            words.append(symbol.value)
    return " ".join(words)


@dataclass(frozen=True)
class Marker:
    """A thing on a map: its name, its page, its point, and whether it is a place itself or
    something located in one (drawn at the place's point)."""

    name: str
    href: str | None
    lat: float
    lon: float
    kind: str  # "place" or "located"


_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.IGNORECASE)
_LOCATED = """
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX gba: <https://w3id.org/ganzhou-gba/def/>
SELECT ?thing ?kind (MIN(STR(?wkt)) AS ?point) WHERE {
  { ?thing geo:hasGeometry/geo:asWKT ?wkt . BIND("place" AS ?kind) }
  UNION
  { ?thing gba:locatedIn ?place . ?place geo:hasGeometry/geo:asWKT ?wkt .
    FILTER NOT EXISTS { ?thing geo:hasGeometry ?own } BIND("located" AS ?kind) }
}
GROUP BY ?thing ?kind
"""


def markers(store: ox.Store, link: Link, node: ox.NamedNode | None = None) -> list[Marker]:
    """Every place with a point and every thing located in one; with `node`, those of the
    thing itself (its own point, or the points of the places it is located in, has its seat
    in or is about)."""
    if node is None:
        rows = [
            (r["thing"], r["kind"].value, r["point"].value)
            for r in store.query(_LOCATED)  # type: ignore[union-attr]
        ]
    else:
        rows = []
        for predicate in ("locatedIn", "seat", "place"):
            for q in quads(store, node, ox.NamedNode(GBA + predicate), None):
                rows += [(q.object, "located", w) for w in _points(store, q.object)]
        rows += [(node, "place", w) for w in _points(store, node)]
    found = set()
    for thing, kind, wkt in rows:
        match = _POINT.match(wkt)
        if match and isinstance(thing, ox.NamedNode):
            lon, lat = float(match.group(1)), float(match.group(2))
            found.add(Marker(name(store, thing), link(thing.value), lat, lon, kind))
    return sorted(found, key=lambda m: (m.kind, m.name))


def _points(store: ox.Store, node: object) -> list[str]:
    geometry = ox.NamedNode("http://www.opengis.net/ont/geosparql#hasGeometry")
    wkt = ox.NamedNode("http://www.opengis.net/ont/geosparql#asWKT")
    return [
        w.object.value
        for g in quads(store, node, geometry, None)  # type: ignore[arg-type]
        for w in quads(store, g.object, wkt, None)  # type: ignore[arg-type]
        if isinstance(w.object, ox.Literal)
    ]


# The kinds of thing the home page lists, by their top class in the ontology.
LISTED = (
    ("Projects", "Project"),
    ("Agreements and cooperation", "Cooperation"),
    ("Organisations", "Organisation"),
    ("People", "Person"),
    ("Events", "Event"),
    ("Sources", "Source"),
)
_KINDS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX gba: <https://w3id.org/ganzhou-gba/def/>
SELECT ?thing ?class ?top WHERE {
  VALUES ?top { %s }
  ?thing a ?class . ?class rdfs:subClassOf* ?top .
  FILTER (STRSTARTS(STR(?class), STR(gba:)))
}
"""
_LARGEST = """
PREFIX schema: <https://schema.org/>
PREFIX gba: <https://w3id.org/ganzhou-gba/def/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?figure ?about ?value ?currency ?source WHERE {
  ?figure a gba:MonetaryAmount ; schema:value ?value ; schema:currency ?currency ;
    gba:about ?about ; gba:attestedBy/prov:wasQuotedFrom ?source .
  FILTER NOT EXISTS { ?figure gba:valueRank gba:DeprecatedRank }
}
ORDER BY DESC(?value) ?figure
LIMIT %d
"""


@dataclass(frozen=True)
class Headline:
    """One of the largest amounts: what it is, of what, how much, and who says so."""

    figure: Term
    about: Term
    amount: str
    source: Term


def listed(
    store: ox.Store, link: Link
) -> list[tuple[str, list[tuple[str, list[tuple[Term, str]]]]]]:
    """The home page's lists: for each kind (projects, agreements, …), its things grouped by
    their class (high-speed railways, ports, …), by name; a project with the stage of its
    latest reported milestone (a target is not a stage reached)."""
    tops = {GBA + top: heading for heading, top in LISTED}
    values = " ".join(f"<{t}>" for t in tops)
    grouped: dict[str, dict[str, set[Term]]] = {heading: {} for heading, _ in LISTED}
    for row in store.query(_KINDS % values):  # type: ignore[union-attr]
        thing, cls, top = row["thing"], row["class"], row["top"]
        if isinstance(thing, ox.NamedNode):
            heading = tops[top.value]
            grouped[heading].setdefault(name(store, cls), set()).add(term(store, thing, link))
    # (a thing of two classes of one kind is listed under each)
    stages = _reported_stages(store, link)
    return [
        (
            heading,
            [
                (
                    cls,
                    [
                        (t, stages.get(t.href or "", ""))
                        for t in sorted(things, key=lambda t: t.text)
                    ],
                )
                for cls, things in sorted(classes.items())
            ],
        )
        for heading, classes in grouped.items()
        if classes
    ]


_STAGES = """
PREFIX gba: <https://w3id.org/ganzhou-gba/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?stage ?when WHERE {
  ?project gba:hasMilestone ?m . ?m gba:stage ?stage ; gba:isTarget false ;
    gba:referencePeriod/rdfs:label ?when .
}
"""


def _reported_stages(store: ox.Store, link: Link) -> dict[str, str]:
    """The page address of each project -> the stage of its latest reported milestone."""
    latest: dict[str, tuple[str, str]] = {}
    for row in store.query(_STAGES):  # type: ignore[union-attr]
        project, stage, when = row["project"], row["stage"], row["when"]
        if isinstance(project, ox.NamedNode) and isinstance(when, ox.Literal):
            if project.value not in latest or when.value > latest[project.value][0]:
                latest[project.value] = (when.value, name(store, stage))
    return {link(iri) or iri: stage for iri, (_, stage) in latest.items()}


def largest_amounts(store: ox.Store, link: Link, count: int = 5) -> list[Headline]:
    """The largest amounts of money stated (none a curator deprecated), with their sources."""
    found = []
    for row in store.query(_LARGEST % count):  # type: ignore[union-attr]
        value, currency = row["value"], row["currency"]
        if not isinstance(value, ox.Literal) or not isinstance(currency, ox.Literal):
            continue
        number = Decimal(value.value)
        amount = amounts.money(number, currency.value, i18n.current.get())
        found.append(
            Headline(
                term(store, row["figure"], link),
                term(store, row["about"], link),
                amount,
                term(store, row["source"], link),
            )
        )
    return found


@dataclass
class OntologyTerm:
    """What the ontology says of one of its terms, with examples from the data."""

    kind: str
    rows: list[tuple[str, list[Term]]] = field(default_factory=list)  # (what, terms)
    examples: list[tuple[Term, Term, Term]] = field(default_factory=list)


_KIND_NAMES = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "object property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "datatype property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
}
_RELATIONS = (  # (what, predicate, the other way round)
    ("subclass of", RDFS + "subClassOf", False),
    ("subclasses", RDFS + "subClassOf", True),
    ("subproperty of", RDFS + "subPropertyOf", False),
    ("subproperties", RDFS + "subPropertyOf", True),
    ("domain", RDFS + "domain", False),
    ("range", RDFS + "range", False),
    ("inverse of", "http://www.w3.org/2002/07/owl#inverseOf", False),
    ("equivalent to", "http://www.w3.org/2002/07/owl#equivalentClass", False),
    ("in scheme", SKOS + "inScheme", False),
    ("broader", SKOS + "broader", False),
    ("narrower", SKOS + "broader", True),
    ("concepts", SKOS + "inScheme", True),
    ("close match", SKOS + "closeMatch", False),
    ("exact match", SKOS + "exactMatch", False),
    ("scope note", SKOS + "scopeNote", False),
)


def ontology_term(
    store: ox.Store, node: ox.NamedNode, link: Link, examples: int = 8
) -> OntologyTerm | None:
    """None unless `node` is a class, property, concept or scheme of the ontology."""
    kinds = [
        _KIND_NAMES[q.object.value]
        for q in quads(store, node, TYPE, None)
        if isinstance(q.object, ox.NamedNode) and q.object.value in _KIND_NAMES
    ]
    if not kinds:
        return None
    found = OntologyTerm(_(" and ").join(sorted({_(k) for k in kinds})))
    for what, predicate, inverse in _RELATIONS:
        p = ox.NamedNode(predicate)
        pattern = quads(store, None, p, node) if inverse else quads(store, node, p, None)
        terms = sorted(
            {term(store, q.subject if inverse else q.object, link) for q in pattern},
            key=lambda t: t.text,
        )
        # a blank node (a union, a restriction) says nothing readable here
        terms = [t for t in terms if not t.text.startswith("_:")]
        if terms:
            found.rows.append((_(what), terms))
    if "class" in kinds:
        instances = sorted(
            {
                q.subject.value
                for q in quads(store, None, TYPE, node)
                if isinstance(q.subject, ox.NamedNode)
            }
        )
        found.examples = [
            (term(store, ox.NamedNode(i), link), Term(_("type")), term(store, node, link))
            for i in instances[:examples]
        ]
    elif "property" in found.kind:
        uses = sorted(quads(store, None, node, None), key=lambda q: (str(q.subject), str(q.object)))
        found.examples = [
            (
                term(store, q.subject, link),
                term(store, node, link),
                term(store, q.object, link, True),
            )
            for q in uses[:examples]
        ]
    return found


@dataclass(frozen=True)
class Milestone:
    """A stage of a project at a time, reported or set as a target, and who says so."""

    when: str
    stage: str
    target: bool
    milestone: Term
    sources: tuple[Term, ...]


def milestones(store: ox.Store, node: ox.NamedNode, link: Link) -> list[Milestone]:
    """The project's milestones in time order (years before their days, as the timeline query
    sorts them)."""
    found = []
    for q in quads(store, node, ox.NamedNode(GBA + "hasMilestone"), None):
        m = q.object
        period = first(store, m, GBA + "referencePeriod")
        stage = first(store, m, GBA + "stage")
        target = first(store, m, GBA + "isTarget")
        sources = {
            term(store, s.object, link)
            for a in quads(store, m, ATTESTED, None)  # type: ignore[arg-type]
            for s in quads(store, a.object, QUOTED_FROM, None)  # type: ignore[arg-type]
        }
        found.append(
            Milestone(
                when=name(store, period) if period else "",
                stage=name(store, stage) if stage else "",
                target=isinstance(target, ox.Literal) and target.value == "true",
                milestone=term(store, m, link),
                sources=tuple(sorted(sources, key=lambda t: t.text)),
            )
        )
    return sorted(found, key=lambda m: (m.when, m.stage))


def timeline_chart(found: list[Milestone], title: str) -> dict[str, object] | None:
    """The milestones as a timeline chart (static/chart.js), None without any."""
    rows = [
        {"when": m.when, "label": f"{m.stage}{_(' (target)') if m.target else ''}, {m.when}"}
        for m in found
        if m.when
    ]
    return {"kind": "timeline", "title": title, "value": None, "rows": rows} if rows else None


def figure_charts(figures: list[Figure]) -> list[dict[str, object]]:
    """A bar chart for each measure the page has several numeric figures of (sources that
    disagree, or years of one series), one bar per figure."""
    by_measure: dict[str, list[Figure]] = {}
    for f in figures:
        try:
            float(f.value)
        except ValueError:
            continue
        by_measure.setdefault(f.measure, []).append(f)
    charts: list[dict[str, object]] = []
    for measure, group in sorted(by_measure.items()):
        if len(group) < 2:
            continue
        rows: list[dict[str, object]] = [
            {
                "label": f"{f.period} · {f.source.text if f.source else ''} · {f.figure.text}",
                "value": float(f.value),
            }
            for f in group
        ]
        charts.append({"kind": "bar", "title": measure, "value": measure, "rows": rows})
    return charts
