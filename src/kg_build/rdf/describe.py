"""The dataset's description in VoID and DCAT: counts, classes, vocabularies, licence, sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from kg_build.facts.load import Corpus
from kg_build.namespaces import GBA, PREFIXES
from kg_build.rdf.chunks import Chunk, Triples, has_line_starting, sort_triples
from kg_build.rdf.iris import Iris
from kg_build.terms import oxigraph_triple

TITLE_EN = "Ganzhou – Greater Bay Area knowledge graph"
TITLE_ZH = "赣州—粤港澳大湾区知识图谱"
DESCRIPTION_EN = (
    "Facts from regional-development news about Ganzhou (Jiangxi) and the "
    "Guangdong-Hong Kong-Macao Greater Bay Area: places, projects, enterprises, agreements, "
    "people, events and figures, each tied to its source by a verbatim quote."
)
DESCRIPTION_ZH = (
    "来自区域发展新闻的赣州与粤港澳大湾区事实：地点、项目、企业、协议、人物、活动与数据，"
    "每条均以原文引文关联出处。"
)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
PUBLISHER_NAME = "Ganzhou – Greater Bay Area knowledge graph team"
KEYWORDS = {
    "en": (
        "Ganzhou",
        "Greater Bay Area",
        "Jiangxi",
        "regional development",
        "infrastructure",
        "investment",
        "linked data",
    ),
    "zh": ("赣州", "粤港澳大湾区", "江西", "区域发展", "基础设施", "投资", "关联数据"),
}
# DCAT-AP's controlled vocabularies (the EU Publications Office's authority tables): data
# themes, the place covered, file types, planned availability.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEMES = {"REGI": "Regions and cities", "ECON": "Economy and finance", "TRAN": "Transport"}
LANGUAGES = ("ENG", "ZHO")
SPATIAL = URIRef(f"{EU_AUTHORITY}country/CHN")
AVAILABILITY = URIRef(f"{EU_AUTHORITY}planned-availability/STABLE")
DCATAP = Namespace("http://data.europa.eu/r5r/")
IANA = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Target:
    """A dataset our owl:sameAs links point into: the IRI prefix of its items, its name, home
    page and SPARQL endpoint, described as a void:Dataset of its own."""

    prefix: str
    title: str
    homepage: str
    endpoint: str | None = None


LINK_TARGETS = {
    "wikidata": Target(
        "http://www.wikidata.org/entity/",
        "Wikidata",
        "https://www.wikidata.org/",
        "https://query.wikidata.org/sparql",
    ),
    "geonames": Target("https://sws.geonames.org/", "GeoNames", "https://www.geonames.org/"),
    "dbpedia": Target(
        "http://dbpedia.org/resource/",
        "DBpedia",
        "https://www.dbpedia.org/",
        "https://dbpedia.org/sparql",
    ),
}
EXAMPLES = ("place/ganzhou", "project/ganshen-hsr", "agreement/gba-project-signing-2021")

# File name -> media type of each published distribution.
DISTRIBUTIONS: Mapping[str, str] = {
    "ganzhou-gba.ttl": "text/turtle",
    "ganzhou-gba.nt": "application/n-triples",
    "ganzhou-gba.jsonld": "application/ld+json",
    "ganzhou-gba.trig": "application/trig",
    "context.jsonld": "application/ld+json",
    "void.ttl": "text/turtle",
    "ontology.ttl": "text/turtle",
}
# File name -> (the EU file type, what the file holds).
_FILES: Mapping[str, tuple[str, str]] = {
    "ganzhou-gba.ttl": ("RDF_TURTLE", "The facts and the inferences, one graph, in Turtle."),
    "ganzhou-gba.nt": ("RDF_N_TRIPLES", "The facts and the inferences, one graph, in N-Triples."),
    "ganzhou-gba.jsonld": ("JSON_LD", "The facts and the inferences, one graph, in JSON-LD."),
    "ganzhou-gba.trig": (
        "RDF_TRIG",
        "Every named graph: one per source, the inferences and this description, in TriG.",
    ),
    "context.jsonld": ("JSON_LD", "The JSON-LD context of the JSON-LD dump."),
    "void.ttl": ("RDF_TURTLE", "This description of the dataset (VoID and DCAT-AP)."),
    "ontology.ttl": ("RDF_TURTLE", "The ontology and its SKOS vocabularies (OWL 2 DL)."),
}


_RDF_TYPE, _SAME_AS = f"<{RDF.type}>".encode(), f"<{OWL.sameAs}>".encode()


@dataclass
class Counts:
    """What the description says of the union's lines: triples, distinct subjects and
    objects, typed subjects (entities), lines per class and per property, and owl:sameAs
    lines per dataset linked to (LINK_TARGETS). Terms as written in N-Triples."""

    triples: int = 0
    subjects: int = 0
    objects: int = 0
    entities: int = 0
    classes: Counter[bytes] = field(default_factory=Counter)
    properties: Counter[bytes] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)


def count_lines(data: Chunk) -> Counts:
    """Counts of `data`, sorted N-Triples lines, each triple once."""
    counts = Counts()
    subjects, objects, typed = set(), set(), set()
    # Counted on the lines, not on parsed triples (3x faster at a million triples): a line is
    # "subject predicate object .", neither subject nor predicate holds a space, and one term
    # is always written the same way, so equal terms are equal bytes. (Regular expressions
    # and C-level sets were no faster: making a tuple per line costs what the loop does.)
    for line in data.splitlines():
        subject, predicate, obj = line[:-2].split(b" ", 2)
        counts.triples += 1
        subjects.add(subject)
        objects.add(obj)
        counts.properties[predicate] += 1
        if predicate == _RDF_TYPE:
            typed.add(subject)
            counts.classes[obj] += 1
        elif predicate == _SAME_AS:
            counts.links.update(_targets(obj))
    counts.subjects, counts.objects, counts.entities = len(subjects), len(objects), len(typed)
    return counts


# Above this many terms to look for, counting every line again is as quick.
MAX_LOOKED_FOR = 40


def recount(
    before: Counts,
    removed: set[bytes],
    added: set[bytes],
    old: Chunk,
    new: Chunk,
) -> Counts | None:
    """The counts after the lines `removed` left the union and `added` entered it, from the
    counts `before` and the old and new unions (sorted lines): what count_lines gives for
    `new`, without reading all its lines. A subject or object
    of a changed line is looked up in the old and new unions to tell whether it came or
    went. None when there are too many to look up."""
    changed = [_terms(line) for line in removed | added]
    gone = {_terms(line)[2] for line in removed}
    came = {_terms(line)[2] for line in added}
    subjects = {s for s, _, _ in changed}
    if len(subjects) + len(gone ^ came) > MAX_LOOKED_FOR:
        return None
    counts = Counts(
        before.triples + len(added) - len(removed),
        before.subjects,
        before.objects,
        before.entities,
        Counter(before.classes),
        Counter(before.properties),
        Counter(before.links),
    )
    for lines, step in ((removed, -1), (added, 1)):
        for line in lines:
            _, predicate, obj = _terms(line)
            counts.properties[predicate] += step
            if predicate == _RDF_TYPE:
                counts.classes[obj] += step
            elif predicate == _SAME_AS:
                counts.links.update({name: step * n for name, n in _targets(obj).items()})
    for subject in subjects:  # lines are sorted by subject: binary search
        counts.subjects += has_line_starting(new, subject + b" ")
        counts.subjects -= has_line_starting(old, subject + b" ")
        typed = subject + b" " + _RDF_TYPE + b" "
        counts.entities += has_line_starting(new, typed) - has_line_starting(old, typed)
    # objects are not in order: a scan
    for obj in gone - came:  # there before; still there unless no other line has it
        counts.objects -= b" " + obj + b" .\n" not in new
    for obj in came - gone:  # there now; new unless another line had it before
        counts.objects += b" " + obj + b" .\n" not in old
    for counter in (counts.classes, counts.properties, counts.links):
        for key in [k for k, n in counter.items() if n <= 0]:
            del counter[key]
    return counts


def _terms(line: bytes) -> list[bytes]:
    """Subject, predicate and object of an N-Triples line (with its newline or without)."""
    return line[: line.rindex(b" .")].split(b" ", 2)


def _targets(obj: bytes) -> Counter[str]:
    """The datasets (LINK_TARGETS) an owl:sameAs object is in."""
    value = _value(obj)
    return Counter(name for name, t in LINK_TARGETS.items() if value.startswith(t.prefix))


RdfTriple = tuple[Node, Node, Node]


def describe(
    iris: Iris,
    counts: Counts,
    corpus: Corpus,
    conflicts: int = 0,
    graphs: Mapping[str, tuple[int, str]] | None = None,
) -> Triples:
    """VoID + DCAT-AP for the published union (inferences included), given its `counts` and
    the triple counts of the named graphs this build makes beside the sources' (`graphs`:
    the inferences), sorted as every dump is. Made as pyoxigraph triples: an rdflib Graph
    costs seconds at 10,000 sources."""
    dataset = URIRef(f"{iris.base}dataset")
    made = set(
        chain(
            _about(dataset, iris.base),
            _catalog(dataset, iris.base),
            _statistics(dataset, iris.base, counts),
            _sources(dataset, iris, corpus),
            _distributions(dataset, iris.base),
            _linksets(dataset, iris.base, counts),
            _graphs(dataset, graphs or {}),
            [(dataset, GBA.conflicts, _integer(conflicts))],
        )
    )
    # The description is a named graph too: its count counts itself (four triples more
    # whatever the number says).
    own = URIRef(f"{iris.base}graph/description")
    mine = [
        (dataset, VOID.subset, own),
        (own, RDF.type, VOID.Dataset),
        (own, RDFS.label, Literal("The description of the dataset (VoID, DCAT-AP)", lang="en")),
    ]
    made.update(mine)
    made.add((own, VOID.triples, _integer(len(made) + 1)))
    return sort_triples({oxigraph_triple(*t) for t in made})


def _about(dataset: URIRef, base: str) -> Iterator[RdfTriple]:
    yield dataset, RDF.type, VOID.Dataset
    yield dataset, RDF.type, DCAT.Dataset
    yield from _titled(dataset)
    yield dataset, DCTERMS.license, LICENSE
    yield LICENSE, RDF.type, DCTERMS.LicenseDocument
    attribution = URIRef("http://purl.org/adms/licencetype/Attribution")
    yield LICENSE, DCTERMS.type, attribution
    yield attribution, RDF.type, SKOS.Concept
    yield attribution, SKOS.prefLabel, Literal("Attribution", lang="en")
    yield dataset, DCTERMS.publisher, _publisher(base)
    yield dataset, FOAF.homepage, URIRef(base)
    yield URIRef(base), RDF.type, FOAF.Document
    yield dataset, DCAT.landingPage, URIRef(base)
    for language, words in KEYWORDS.items():
        for word in words:
            yield dataset, DCAT.keyword, Literal(word, lang=language)
    for theme, label in THEMES.items():
        concept = URIRef(f"{EU_AUTHORITY}data-theme/{theme}")
        yield dataset, DCAT.theme, concept
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.prefLabel, Literal(label, lang="en")
        yield concept, SKOS.inScheme, URIRef(f"{EU_AUTHORITY}data-theme")
    for language in LANGUAGES:
        yield dataset, DCTERMS.language, _language(language)
    yield dataset, DCTERMS.spatial, SPATIAL
    yield SPATIAL, RDF.type, DCTERMS.Location
    yield dataset, VOID.uriSpace, Literal(f"{base}id/")
    yield dataset, VOID.sparqlEndpoint, URIRef(f"{base}sparql")
    yield dataset, VOID.rootResource, URIRef(f"{base}id/{EXAMPLES[0]}")
    yield dataset, DCTERMS.conformsTo, URIRef(str(GBA))
    yield URIRef(str(GBA)), RDF.type, DCTERMS.Standard
    for example in EXAMPLES:
        yield dataset, VOID.exampleResource, URIRef(f"{base}id/{example}")


def _titled(node: URIRef) -> Iterator[RdfTriple]:
    """The dataset's title and description in English and Chinese (the catalogue has the same)."""
    for predicate, english, chinese in (
        (DCTERMS.title, TITLE_EN, TITLE_ZH),
        (DCTERMS.description, DESCRIPTION_EN, DESCRIPTION_ZH),
    ):
        yield node, predicate, Literal(english, lang="en")
        yield node, predicate, Literal(chinese, lang="zh")


def _language(code: str) -> URIRef:
    return URIRef(f"{EU_AUTHORITY}language/{code}")


def _publisher(base: str) -> URIRef:
    return URIRef(f"{base}dataset/publisher")


def _catalog(dataset: URIRef, base: str) -> Iterator[RdfTriple]:
    """A DCAT catalogue of the one dataset, which portals harvest, and its publisher."""
    catalog, publisher = URIRef(f"{base}catalog"), _publisher(base)
    yield catalog, RDF.type, DCAT.Catalog
    yield from _titled(catalog)
    yield catalog, DCTERMS.publisher, publisher
    yield catalog, DCTERMS.license, LICENSE
    yield catalog, DCTERMS.spatial, SPATIAL
    yield catalog, FOAF.homepage, URIRef(base)
    yield catalog, DCAT.dataset, dataset
    taxonomy = URIRef(f"{EU_AUTHORITY}data-theme")
    yield catalog, DCAT.themeTaxonomy, taxonomy
    yield taxonomy, RDF.type, SKOS.ConceptScheme
    yield taxonomy, DCTERMS.title, Literal("Data theme", lang="en")
    for language in LANGUAGES:
        yield catalog, DCTERMS.language, _language(language)
        yield _language(language), RDF.type, DCTERMS.LinguisticSystem
    yield publisher, RDF.type, FOAF.Agent
    yield publisher, FOAF.name, Literal(PUBLISHER_NAME, lang="en")


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _statistics(dataset: URIRef, base: str, counts: Counts) -> Iterator[RdfTriple]:
    """VoID's counts, a partition per class and per property, the vocabularies used."""
    classes = {_value(c): n for c, n in counts.classes.items()}
    properties = {_value(p): n for p, n in counts.properties.items()}
    yield dataset, VOID.triples, _integer(counts.triples)
    yield dataset, VOID.distinctSubjects, _integer(counts.subjects)
    yield dataset, VOID.distinctObjects, _integer(counts.objects)
    yield dataset, VOID.entities, _integer(counts.entities)
    yield dataset, VOID.classes, _integer(len(classes))
    yield dataset, VOID.properties, _integer(len(properties))
    for cls, count in classes.items():
        part = URIRef(f"{base}dataset/class/{_local(URIRef(cls))}")
        yield dataset, VOID.classPartition, part
        yield part, VOID["class"], URIRef(cls)
        yield part, VOID.entities, _integer(count)
    for prop, count in properties.items():
        part = URIRef(f"{base}dataset/property/{_local(URIRef(prop))}")
        yield dataset, VOID.propertyPartition, part
        yield part, VOID.property, URIRef(prop)
        yield part, VOID.triples, _integer(count)
    for namespace in sorted({str(ns) for ns in PREFIXES.values()}):
        if any(p.startswith(namespace) for p in properties) or any(
            c.startswith(namespace) for c in classes
        ):
            yield dataset, VOID.vocabulary, URIRef(namespace)


def _sources(dataset: URIRef, iris: Iris, corpus: Corpus) -> Iterator[RdfTriple]:
    """Each source (prov:wasDerivedFrom: DCAT-AP keeps dct:source for datasets, and a news
    article is not one) and its named graph (a VoID subset); the period the sources cover;
    the newest source's date."""
    for source, _ in corpus.sources.values():
        source_iri = iris.source(source.id)
        yield dataset, PROV.wasDerivedFrom, source_iri
        graph = iris.graph(source.id)
        yield dataset, VOID.subset, graph
        yield graph, RDF.type, VOID.Dataset
        yield graph, RDFS.label, Literal(f"Facts from {source.id}", lang="en")
        yield graph, DCTERMS.source, source_iri
    dates = sorted(source.published for source, _ in corpus.sources.values())
    if dates:
        # The newest source date, not the build time: same facts, same bytes.
        yield dataset, DCTERMS.modified, Literal(dates[-1].isoformat(), datatype=XSD.date)
        catalog = URIRef(f"{iris.base}catalog")
        yield catalog, DCTERMS.modified, Literal(dates[-1].isoformat(), datatype=XSD.date)
        period = URIRef(f"{iris.base}dataset/period")
        yield dataset, DCTERMS.temporal, period
        yield period, RDF.type, DCTERMS.PeriodOfTime
        yield period, DCAT.startDate, Literal(dates[0].isoformat(), datatype=XSD.date)
        yield period, DCAT.endDate, Literal(dates[-1].isoformat(), datatype=XSD.date)


def _distributions(dataset: URIRef, base: str) -> Iterator[RdfTriple]:
    for name, media_type in DISTRIBUTIONS.items():
        dist = URIRef(f"{base}dist/{name}")
        file_type, about = _FILES[name]
        media, fmt = URIRef(IANA + media_type), URIRef(f"{EU_AUTHORITY}file-type/{file_type}")
        yield dataset, DCAT.distribution, dist
        yield dist, RDF.type, DCAT.Distribution
        yield dist, DCAT.accessURL, dist
        yield dist, DCAT.downloadURL, dist
        yield dist, DCAT.mediaType, media
        yield media, RDF.type, DCTERMS.MediaType
        yield dist, DCTERMS.format, fmt
        yield fmt, RDF.type, DCTERMS.MediaTypeOrExtent
        yield dist, DCTERMS.title, Literal(name)
        yield dist, DCTERMS.description, Literal(about, lang="en")
        yield dist, DCTERMS.license, LICENSE
        yield dist, DCATAP.availability, AVAILABILITY
    yield AVAILABILITY, RDF.type, SKOS.Concept
    yield AVAILABILITY, SKOS.prefLabel, Literal("stable", lang="en")
    yield dataset, VOID.dataDump, URIRef(f"{base}dist/ganzhou-gba.nt")


def _linksets(dataset: URIRef, base: str, counts: Counts) -> Iterator[RdfTriple]:
    """A VoID linkset per dataset our owl:sameAs links point into, and that dataset."""
    for name, target in LINK_TARGETS.items():
        links = counts.links[name]
        if links:
            linkset = URIRef(f"{base}dataset/linkset/{name}")
            other = URIRef(f"{base}dataset/{name}")
            yield dataset, VOID.subset, linkset
            yield linkset, RDF.type, VOID.Linkset
            yield linkset, VOID.subjectsTarget, dataset
            yield linkset, VOID.objectsTarget, other
            yield linkset, VOID.linkPredicate, OWL.sameAs
            yield linkset, VOID.triples, _integer(links)
            yield other, RDF.type, VOID.Dataset
            yield other, DCTERMS.title, Literal(target.title)
            yield other, FOAF.homepage, URIRef(target.homepage)
            yield other, VOID.uriSpace, Literal(target.prefix)
            if target.endpoint:
                yield other, VOID.sparqlEndpoint, URIRef(target.endpoint)


def _graphs(dataset: URIRef, graphs: Mapping[str, tuple[int, str]]) -> Iterator[RdfTriple]:
    """The named graphs made beside the sources' (the inferences): counts and labels."""
    for iri, (triples, label) in graphs.items():
        graph = URIRef(iri)
        yield dataset, VOID.subset, graph
        yield graph, RDF.type, VOID.Dataset
        yield graph, RDFS.label, Literal(label, lang="en")
        yield graph, VOID.triples, _integer(triples)


def _value(term: bytes) -> str:
    """An IRI's text, or a blank node's label, from its N-Triples form."""
    return (term[1:-1] if term.startswith(b"<") else term.removeprefix(b"_:")).decode()


def _local(term: Node) -> str:
    prefix = next((p for p, ns in PREFIXES.items() if str(term).startswith(str(ns))), "x")
    local = str(term)
    for ns in PREFIXES.values():
        if local.startswith(str(ns)):
            local = local[len(str(ns)) :]
            break
    return f"{prefix}-{local}".replace("/", "-").replace("#", "-")
