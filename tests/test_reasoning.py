"""HermiT: the shipped data is consistent, contradictions are caught, part-of is closed."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from conftest import BASE, FACTS, PUBLISHED_FILES, ROOT, run_kg, texts_args
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.query import ResultRow

from kg_build.namespaces import GBA
from kg_build.pipeline import Checked
from kg_build.rdf.chunks import sorted_triples
from kg_build.reason import owl
from kg_build.reason.closure import closure
from kg_build.reason.owl import (
    InconsistentError,
    ReasonerUnavailableError,
    _hermit,
    check_consistent,
    check_modules,
    infer,
    modules,
    part_of_slice,
    reason,
    reasoner_input,
    subjects_by_graph,
)
from kg_build.validate.shacl import data_store

pytestmark = pytest.mark.slow


def test_closure_equals_the_sparql_path_closure(checked: Checked) -> None:
    data = checked.built.union()
    result = reason(checked.ontology, data, BASE)
    inferred = {(s, o) for s, _, o in result.inferred.triples((None, GBA.partOf, None))}
    query = f"SELECT ?a ?b WHERE {{ ?a <{GBA.directlyPartOf}>+ ?b }}"
    rows = [row for row in data.query(query) if isinstance(row, ResultRow)]
    assert inferred == {(row[0], row[1]) for row in rows}
    assert (URIRef(f"{BASE}id/place/longnan"), URIRef(f"{BASE}id/place/jiangxi")) in inferred


def test_a_contradiction_is_reported(checked: Checked) -> None:
    data = checked.built.union()
    # divisionCode is functional: two codes for one place cannot both be true.
    data.add((URIRef(f"{BASE}id/place/ganzhou"), GBA.divisionCode, Literal("360701")))
    with pytest.raises(InconsistentError, match="inconsistent"):
        reason(checked.ontology, data, BASE)


def test_the_closure_follows_from_the_part_of_statements_alone(checked: Checked) -> None:
    """Builds reason over the part-of slice (cheap, and cached between incremental builds);
    HermiT over all the data must conclude exactly the same part-of values."""
    data = sorted_triples(checked.built.union())
    world = _hermit(checked.ontology, data)
    whole = {
        (s, o)
        for s, p, o in world.as_rdflib_graph()
        if p == GBA.partOf and str(s).startswith(BASE) and str(o).startswith(BASE)
    }
    world.close()
    stated = {(s, o) for s, _, o in checked.built.union().triples((None, GBA.directlyPartOf, None))}
    from_slice = infer(checked.ontology, part_of_slice(checked.ontology, data), BASE)
    assert {(s, o) for s, _, o in from_slice} == whole | stated
    assert len(whole) > 20


def test_the_published_closure_is_what_hermit_concludes(checked: Checked) -> None:
    """Builds publish reason/closure.py's part-of closure (no Java needed): it must be
    HermiT's, over the shipped data and over a chain with a cycle in it."""
    data = sorted_triples(checked.built.union())
    ours = closure(checked.ontology, data, BASE)
    assert set(ours) == set(infer(checked.ontology, part_of_slice(checked.ontology, data), BASE))
    assert len(ours) > 20
    a, b, c, d = (ox.NamedNode(f"{BASE}id/place/{n}") for n in "abcd")
    directly, part_of = ox.NamedNode(str(GBA.directlyPartOf)), ox.NamedNode(str(GBA.partOf))
    chain = [ox.Triple(a, directly, b), ox.Triple(b, part_of, c), ox.Triple(c, directly, a)]
    chain.append(ox.Triple(d, directly, a))
    assert set(closure(checked.ontology, chain, BASE)) == set(infer(checked.ontology, chain, BASE))


def test_non_owl2_literals_are_kept_from_hermit(checked: Checked) -> None:
    triples, skipped = reasoner_input(checked.ontology, checked.built.union())
    assert skipped > 0
    datatypes = {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    assert not any(d.rsplit("#", 1)[-1] == "date" or "wktLiteral" in d for d in datatypes)
    assert str(XSD.string) in datatypes
    # the data's labels are annotations: nothing for HermiT to reason with
    labels = [t for t in triples if t.predicate.value == str(RDFS.label)]
    assert labels and not any(str(t.subject).startswith(f"<{BASE}id/") for t in labels)


def test_modules_find_the_contradiction_a_single_run_finds(
    checked: Checked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds check consistency module by module (reason/owl.py says why that is exact here)."""
    monkeypatch.setattr(owl, "MODULE_SUBJECTS", 100)  # several modules, even on this small graph
    data = sorted_triples(checked.built.union())
    store = data_store([data], checked.ontology)
    subjects = subjects_by_graph(checked.graphs)
    assert len(subjects) == len(set(subjects)) == len({t.subject for t in data})
    parts = modules(store, subjects, part_of_slice(checked.ontology, data))
    assert len(parts) >= 3
    assert {t.subject for part in parts for t in part} >= set(subjects)  # every one is checked
    check_modules(checked.ontology, parts)  # the shipped data is consistent
    ganzhou = ox.NamedNode(f"{BASE}id/place/ganzhou")
    code = ox.NamedNode(str(GBA.divisionCode))
    store.add(ox.Quad(ganzhou, code, ox.Literal("360701"), ox.DefaultGraph()))
    with pytest.raises(InconsistentError, match="inconsistent"):
        check_modules(
            checked.ontology, modules(store, subjects, part_of_slice(checked.ontology, data))
        )


def test_a_hermit_that_cannot_run_is_a_setup_error(
    checked: Checked, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A JVM that stops without HermiT's answer (here: refused heap size) is not taken for
    a verdict on the data."""
    monkeypatch.setattr(owlready2.reasoning, "JAVA_MEMORY", "nonsense")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ReasonerUnavailableError, match="without an answer") as raised:
        check_consistent(
            checked.ontology, part_of_slice(checked.ontology, sorted_triples(checked.built.union()))
        )
    # its whole output is kept, with whether the input was still there; the input is gone
    logs = list(tmp_path.glob("kg-build-hermit-*.log"))
    assert len(logs) == 1 and str(logs[0]) in str(raised.value)
    log = logs[0].read_text(encoding="utf-8")
    assert "-Xmxnonsense" in log and "after" in log and "MISSING" not in log
    assert "Invalid maximum heap size" in log
    assert [p.name for p in tmp_path.iterdir()] == [logs[0].name]


def _without_java() -> dict[str, str]:
    """PATH holding only the environment's own commands: no `java`."""
    return {"PATH": str(Path(sys.executable).parent)}


def test_a_build_without_java_warns_and_publishes_the_same_release(
    published: Path, tmp_path: Path
) -> None:
    """The first quick-start command works before Java is installed: the consistency check
    is skipped with a warning, and the release (closure included) is the one a build with
    Java publishes, so every query answers alike."""
    dist = tmp_path / "dist"
    result = run_kg(
        "build", "--facts", str(FACTS), "--dist", str(dist), *texts_args(), env=_without_java()
    )
    assert result.code == 0, result.err
    assert "warning: Java not found" in result.err and "--require-reasoner" in result.err
    assert "consistency: not checked" in result.err
    for name in PUBLISHED_FILES:
        assert (dist / name).read_bytes() == (published / name).read_bytes(), name
    answers = [
        run_kg("query", "place-hierarchy", "--dist", str(d), "--format", "csv").out
        for d in (dist, published)
    ]
    assert answers[0] == answers[1] and "Jiangxi" in answers[0]


def test_a_build_that_requires_the_reasoner_fails_at_once_without_java(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = run_kg(
        "build", "--require-reasoner", "--dist", str(dist), *texts_args(), env=_without_java()
    )
    assert result.code == 2
    assert result.err.startswith("error: Java (java) not found"), result.err
    assert "[1/" not in result.err  # said before any stage ran
    assert not dist.exists()


_FORKS_WHILE_JVMS_START = """
import sys
from pathlib import Path
from kg_build.rdf.chunks import sorted_triples
from kg_build.elsewhere import in_child
from kg_build.ontology import load_ontology
from kg_build.reason.owl import part_of_slice, start_checks
import pyoxigraph as ox

ontology = load_ontology(Path(sys.argv[1]))
part = part_of_slice(ontology, list(ox.parse(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)))
wait = start_checks(ontology, [part] * 6, workers=2)
children = [in_child(lambda: b"x" * 1_000_000) for _ in range(30)]
wait()  # as kg build does: the checks first, then the results
print(sum(len(child()) for child in children))
"""


def test_children_forked_while_jvms_start_do_not_hang_the_build(published: Path) -> None:
    """A build forks children (elsewhere.py) while HermiT's JVMs start in threads. A child forked
    while a JVM was being started held that start's pipe, the starting thread waited for the
    child, and the child (its result unread) for the build: a build hung so. Here, in a
    process of its own that is killed if it hangs, children with results too large for a
    pipe are forked while JVMs start, and the checks are awaited before any result is read."""
    script = [sys.executable, "-c", _FORKS_WHILE_JVMS_START]
    args = [str(ROOT / "ontology"), str(published / "ganzhou-gba.nt")]
    try:
        done = subprocess.run([*script, *args], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail("the checks or the forked children never finished: a deadlock")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(30 * 1_000_000)
