"""Check ontology + data for consistency with HermiT and collect the inferences we publish.

HermiT accepts only OWL 2 datatypes: xsd:date, xsd:gYear and geo:wktLiteral make it fail, so
literals of other datatypes (and range axioms naming them) are left out of what it sees. They
carry no class or property axioms, so consistency and the inferred types and part-of closure
do not depend on them.

Consistency is checked with HermiT's own consistency action (`-k`) on the HermiT that owlready2
ships, run the way owlready2 runs it: owlready2's sync_reasoner_hermit always classifies every
class, property and individual as well and reads the results back into its quadstore, which
is twice the time when all we need is yes or no. The part-of closure, which needs
the conclusions, still goes through owlready2.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg_build.elsewhere import each_in_thread, start_program
from kg_build.namespaces import GBA
from kg_build.rdf.chunks import Triples, parse_ours, sorted_triples
from kg_build.reason.closure import PUBLISHED_PROPERTIES, ours, premises
from kg_build.terms import rdflib_triple
from kg_build.validate.neighbourhood import Node, around

OWL2_DATATYPES = {
    RDF.langString,
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    OWL.rational,
    OWL.real,
    *(
        XSD[name]
        for name in (
            "string normalizedString token language Name NCName NMTOKEN boolean decimal integer "
            "nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
            "byte unsignedLong unsignedInt unsignedShort unsignedByte double float anyURI "
            "hexBinary base64Binary dateTime dateTimeStamp"
        ).split()
    ),
}

_OWL2_IRIS = {str(d) for d in OWL2_DATATYPES}
_RANGE, _SAME_AS = str(RDFS.range), str(OWL.sameAs)
_BUILT_IN_ANNOTATIONS = {
    str(p)
    for p in (
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.versionInfo,
        OWL.deprecated,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    )
}


Data = Iterable[ox.Triple] | Graph


class InconsistentError(Exception):
    """The ontology and data contradict each other (exit code 1)."""


@dataclass
class Reasoning:
    inferred: Graph


def _hermit_datatype(term: object) -> bool:
    return not isinstance(term, ox.Literal) or term.datatype.value in _OWL2_IRIS


def annotation_properties(ontology: Graph) -> set[str]:
    """OWL 2's built-in annotation properties and those the ontology declares (unless it also
    declares them object or data properties)."""
    declared = {str(p) for p in ontology.subjects(RDF.type, OWL.AnnotationProperty)}
    logical = {
        str(p)
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in ontology.subjects(RDF.type, kind)
    }
    return (declared | _BUILT_IN_ANNOTATIONS) - logical


def reasoner_input(ontology: Graph, data: Iterable[ox.Triple] | Graph) -> tuple[Triples, int]:
    """What HermiT is given: the ontology and the data, less what it cannot read and less the
    data's annotations (labels: 15% of the data), which OWL gives no meaning to reason with."""
    triples: Triples = []
    skipped = 0
    ours = sorted_triples(ontology)
    facts = sorted_triples(data) if isinstance(data, Graph) else data
    annotations = annotation_properties(ontology)
    for source in (ours, facts):
        for t in source:
            if not _hermit_datatype(t.object):
                skipped += 1
                continue
            p, o = t.predicate.value, t.object
            if source is facts and p in annotations:
                continue
            if p == _RANGE and isinstance(o, ox.NamedNode) and o.value.startswith(str(XSD)):
                if o.value not in _OWL2_IRIS:
                    continue
            if p == _SAME_AS:
                # Links to other datasets would make HermiT report our conclusions under their
                # IRIs; they add nothing to consistency since the other side has no axioms here.
                continue
            triples.append(t)
    return triples, skipped


class ReasonerUnavailableError(Exception):
    """HermiT cannot run here (no Java): a setup problem, not a data problem (exit code 2)."""


_INCONSISTENT = (
    "HermiT found the ontology and data inconsistent: some individual is given classes or "
    "values that the ontology declares incompatible (disjoint classes, functional "
    "properties with two values)."
)
# where owlready2 keeps HermiT and how it runs it (owlready2/reasoning.py)
_HERMIT_DIR = Path(owlready2.__file__).parent / "hermit"
_HERMIT_CLASSPATH = os.pathsep.join([str(_HERMIT_DIR), str(_HERMIT_DIR / "HermiT.jar")])


def java_found() -> bool:
    return shutil.which(owlready2.JAVA_EXE) is not None


def require_java() -> None:
    if not java_found():
        raise ReasonerUnavailableError(
            f"Java ({owlready2.JAVA_EXE}) not found: HermiT needs a Java runtime. Install one "
            "(Debian: apt-get install default-jre-headless), or build without the check "
            "(--no-reason)."
        )


def _hermit(
    ontology: Graph, data: Iterable[ox.Triple] | Graph, values: bool = True
) -> owlready2.World:
    """Run HermiT through owlready2; raise InconsistentError if ontology and data contradict
    each other. `values`: also conclude property values."""
    require_java()
    triples, _ = reasoner_input(ontology, data)
    world = owlready2.World()
    payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    world.get_ontology("urn:kg-build:reasoning").load(
        fileobj=io.BytesIO(payload), format="ntriples"
    )
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=values, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        world.close()
        raise InconsistentError(_INCONSISTENT) from exc
    return world


def part_of_slice(ontology: Graph, data: Iterable[ox.Triple]) -> Triples:
    """The triples the published conclusions follow from: the statements of the part-of
    properties (reason/closure.py premises). (No other axiom of the ontology concludes
    gba:partOf; tests/test_reasoning.py checks that the closure over the whole data equals
    the closure over this slice.)"""
    wanted = premises(ontology)
    return [t for t in data if t.predicate.value in wanted]


def infer(ontology: Graph, part_of: Triples, base: str) -> Graph:
    """HermiT's part-of closure over the part-of statements, less what they say already: what
    reason/closure.py, which builds use, must equal (tests/test_reasoning.py)."""
    world = _hermit(ontology, part_of)
    stated = {rdflib_triple(t) for t in part_of}
    inferred = Graph(bind_namespaces="none")
    for s, p, o in world.as_rdflib_graph():
        if p in PUBLISHED_PROPERTIES and ours(s, base) and ours(o, base):
            if (s, p, o) not in stated:
                inferred.add((s, p, o))
    world.close()
    # owlready2 reports only values it could not already see; the sub-property step
    # (directly part of -> part of) is as much an inference and belongs in the closure.
    for s, p, o in stated:
        if p == GBA.directlyPartOf:
            inferred.add((s, GBA.partOf, o))
    return inferred


def check_consistent(ontology: Graph, data: Iterable[ox.Triple] | Graph) -> None:
    """Raise InconsistentError unless HermiT finds ontology and data consistent (HermiT's
    `-k`: is owl:Thing satisfiable, which it is exactly when the whole ontology is
    consistent)."""
    start_checks(ontology, [data])()


def _hermit_file(
    folder: Path, index: int, ontology: Graph, data: Iterable[ox.Triple] | Graph
) -> Path:
    """What HermiT is to read, in the check's own folder (no other run names or removes it)."""
    triples, _ = reasoner_input(ontology, data)
    path = folder / f"module-{index}.nt"
    with path.open("wb") as f:
        ox.serialize(triples, f, format=ox.RdfFormat.N_TRIPLES)
    return path


def _run_hermit(path: Path) -> None:
    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{owlready2.reasoning.JAVA_MEMORY}M",
        # The JIT's first tier only: the same answer with less CPU (benchmarks/RESULTS.md)
        "-XX:TieredStopAtLevel=1",
        "-cp",
        _HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        "-k",
        path.as_uri(),
    ]
    size = path.stat().st_size
    with path.with_suffix(".out").open("w+b") as out, path.with_suffix(".err").open("w+b") as err:
        # owlready2's Java and its HermiT jar, fixed arguments and our own file
        code = start_program(command, out, err).wait()
        out.seek(0)
        err.seek(0)
        run = subprocess.CompletedProcess(command, code, out.read(), err.read())
    said = run.stdout + run.stderr
    if (run.returncode == 1 and b"Inconsistent ontology" in said) or (
        run.returncode == 0 and b"is not satisfiable" in run.stdout
    ):
        raise InconsistentError(_INCONSISTENT)
    if run.returncode != 0 or b"is satisfiable" not in run.stdout:
        log = _keep_log(command, run, path, size)
        tail = said.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ReasonerUnavailableError(
            f"HermiT stopped with exit code {run.returncode} without an answer: "
            + " / ".join(tail)
            + f" (its whole output: {log}; a Java problem, such as memory, not one of the "
            "data's; or build without the check: --no-reason)"
        )


def _keep_log(
    command: list[str], run: subprocess.CompletedProcess[bytes], path: Path, size: int
) -> Path:
    """HermiT's whole output, and whether its input was still there, in a file that stays."""
    there = f"{path.stat().st_size} bytes" if path.exists() else "MISSING"
    fd, name = tempfile.mkstemp(prefix="kg-build-hermit-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        log.write(f"command: {' '.join(command)}\nexit code: {run.returncode}\n".encode())
        log.write(f"input: {path}, {size} bytes when started, {there} after\n".encode())
        log.write(b"--- stdout\n" + run.stdout + b"\n--- stderr\n" + run.stderr)
    return Path(name)


# Subjects per module (about 150,000 triples with their neighbours). HermiT's time grows faster
# than its input (one run over 1.2 M triples did not finish in 10 minutes), and a JVM per
# module costs about a second, so modules are large but bounded; they run on all cores.
MODULE_SUBJECTS = 25_000


def modules(store: ox.Store, subjects: Sequence[Node], part_of: Triples) -> list[Triples]:
    """The data cut into modules for HermiT: each holds the next MODULE_SUBJECTS of `subjects`
    with every triple about them, the triples of the nodes those point at, and the part-of
    statements. Subjects that point at each other are best kept together (see
    subjects_by_graph): a neighbour outside the module is given to HermiT twice.

    Why this finds every contradiction a single run would: the ontology has no disjointness,
    nominals or inverse-functional properties, so a contradiction is in the values of one
    individual (a functional data property with two values) or follows from its neighbours
    along its own properties, one step (domain, range, allValuesFrom), and both are in its
    module.
    tests/test_reasoning.py checks a contradiction is found this way."""
    return [
        around(store, set(subjects[i : i + MODULE_SUBJECTS]), steps=1) + part_of
        for i in range(0, len(subjects), MODULE_SUBJECTS)
    ]


def subjects_by_graph(graphs: Mapping[str, bytes]) -> list[Node]:
    """Every subject of the graphs (graph IRI -> N-Triples) once, grouped by the first graph
    in IRI order that holds it. Modules cut from this list are made of whole source graphs,
    whose nodes point at each other; cut from subjects in IRI order, which groups them by kind
    (every attestation, then every figure, ...), the modules at 10,000 sources held 2.3 times
    the data between them and HermiT took twice as long."""
    seen: dict[Node, None] = {}
    for name in sorted(graphs):
        for t in parse_ours(graphs[name]):
            if isinstance(t.subject, ox.NamedNode | ox.BlankNode):
                seen.setdefault(t.subject, None)
    return list(seen)


def check_modules(ontology: Graph, parts: Iterable[Triples], workers: int | None = None) -> None:
    """check_consistent on each module, on all cores (HermiT runs in a JVM per module)."""
    start_checks(ontology, parts, workers)()


def start_checks(
    ontology: Graph,
    parts: Iterable[Triples | Graph | Iterable[ox.Triple]],
    workers: int | None = None,
    within: Path | None = None,
) -> Callable[[], None]:
    """Start check_consistent on each module, `workers` JVMs at a time (default: one per
    core), and return at once: the returned function waits for the answers and raises as
    check_consistent does. Each module is written to its file here, first, so the threads
    only wait on their JVM and hold no lock that a fork made meanwhile could copy held. The
    files are in a folder of this check's own (under `within`, if given), removed when
    every JVM is done."""
    require_java()
    # mode 0700; absolute, as HermiT is given each file's URI
    folder = Path(tempfile.mkdtemp(prefix="kg-build-hermit-", dir=within)).resolve()
    files = [_hermit_file(folder, i, ontology, part) for i, part in enumerate(parts)]
    # after a failure, the modules not started are not checked at all
    checks = each_in_thread(_run_hermit, files, workers or os.cpu_count() or 1)

    def wait() -> None:
        try:
            checks()
        finally:  # each_in_thread waited for every JVM still reading its file
            shutil.rmtree(folder, ignore_errors=True)

    return wait


def reason(ontology: Graph, data: Iterable[ox.Triple] | Graph, base: str) -> Reasoning:
    """Check the whole data for consistency, then conclude the part-of closure."""
    triples = sorted_triples(data) if isinstance(data, Graph) else list(data)
    check_consistent(ontology, triples)
    return Reasoning(infer(ontology, part_of_slice(ontology, triples), base))
