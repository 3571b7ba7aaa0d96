"""The incremental build against the full one, on random sequences of curators' edits
(Hypothesis): after every edit, every published file and the store's quads are the same
bytes and quads as those of a build from nothing.

CI runs a few derandomised examples; before a release, run many random ones:

    KG_DIFFERENTIAL=release .venv/bin/pytest tests/test_incremental_differential.py
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import PUBLISHED_FILES, ROOT, SHARED
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kg_build.config import load_config
from kg_build.errors import InputError, NonConformingError
from kg_build.publish.release import publish_release

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_corpus import generate  # type: ignore[import-not-found]  # noqa: E402

pytestmark = pytest.mark.slow

SOURCES = 12  # two schemes of industries: gen-00001's and gen-00011's
settings.register_profile(
    "ci",
    max_examples=6,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as found, not shrunk
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "release",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = "release" if os.environ.get("KG_DIFFERENTIAL") == "release" else "ci"

Edit = Callable[[Path, int], None]  # (project folder, a random number) -> edit made there


def _source(project: Path, n: int) -> Path:
    return project / "facts" / "sources" / f"gen-{n % SOURCES + 1:05d}"


def _sources(project: Path) -> list[Path]:
    return sorted((project / "facts" / "sources").glob("gen-*"))


def _pick(project: Path, n: int) -> Path:
    folders = _sources(project)
    return folders[n % len(folders)]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old in text:
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def edit_a_value(project: Path, n: int) -> None:
    _replace(_pick(project, n) / "figures.yaml", "value: ", f"value: {n % 9 + 1}")


def rename_a_project(project: Path, n: int) -> None:
    """Names are read by other records' labels (figures, milestones, role assignments)."""
    _replace(_pick(project, n) / "projects.yaml", 'name: {en: "', f'name: {{en: "Renamed {n} ')


def rename_a_concept(project: Path, n: int) -> None:
    _replace(_pick(project, n) / "concepts.yaml", 'name: {en: "', f'name: {{en: "Renamed {n} ')


def say_something_of_another_source(project: Path, n: int) -> None:
    """A figure in one source about a project of another (its label reads that project)."""
    here, there = _pick(project, n), _pick(project, n // 7 + 1)
    _append(
        here / "figures.yaml",
        f"\n  - id: {here.name}-about-{there.name}-{n}\n"
        f"    about: {there.name}-project\n"
        "    measure: total-investment\n"
        f"    value: {n % 50 + 1}.5e9\n"
        "    unit: CNY\n"
        '    period: "2020"\n'
        '    quote: "The contract value is"\n',
    )


def add_a_top_concept_elsewhere(project: Path, n: int) -> None:
    """A concept filed under a scheme another source defines: the scheme's graph lists it."""
    here = _pick(project, n)
    scheme = "gen-00001-industries" if n % 2 else "gen-00011-industries"
    _append(
        here / "concepts.yaml",
        f"  - id: {here.name}-extra-{n}\n"
        f"    scheme: {scheme}\n"
        f"    name: {{en: Extra industry {n}, zh: 额外产业{n}}}\n"
        '    quote: "Home Furnishing"\n',
    )


def make_a_concept_narrower(project: Path, n: int) -> None:
    """A top concept becomes narrower (its scheme's top concepts change)."""
    here = _pick(project, n)
    if here.name in ("gen-00001", "gen-00011"):
        return
    first = "gen-00001" if int(here.name[4:]) < 11 else "gen-00011"
    _replace(here / "concepts.yaml", "    scheme:", f"    broader: {first}-industry\n    scheme:")


def delete_a_source(project: Path, n: int) -> None:
    """Any source but those holding a scheme (other sources' concepts refer to it)."""
    folder = _pick(project, n)
    if folder.name in ("gen-00001", "gen-00011") or len(_sources(project)) < 4:
        return
    referenced = any(
        folder.name in p.read_text(encoding="utf-8")
        for other in _sources(project)
        if other != folder
        for p in other.glob("*.yaml")
    )
    if not referenced:
        shutil.rmtree(folder)


def rename_a_place(project: Path, n: int) -> None:
    """Places are shared by many sources: shared file, names read by many labels."""
    places = project / "facts" / "places.yaml"
    names = re.findall(r"name: \{en: \"?([^,\"]+)\"?,", places.read_text(encoding="utf-8"))
    old = names[n % len(names)]
    _replace(places, f"name: {{en: {old},", f"name: {{en: {old} {n},")
    _replace(places, f'name: {{en: "{old}",', f'name: {{en: "{old} {n}",')


def reword_a_shape(project: Path, n: int) -> None:
    """Shapes, ontology and queries are in the key of every graph: a full build follows."""
    shapes = project / "shapes" / "gba-shapes.ttl"
    _replace(shapes, 'sh:message "', f'sh:message "({n}) ')


def relabel_a_vocabulary_term(project: Path, n: int) -> None:
    ontology = next((project / "ontology").glob("*.ttl"))
    _replace(ontology, '"total investment"@en', f'"total investment {n}"@en')


EDITS: list[Edit] = [
    edit_a_value,
    rename_a_project,
    rename_a_concept,
    say_something_of_another_source,
    add_a_top_concept_elsewhere,
    make_a_concept_narrower,
    delete_a_source,
    rename_a_place,
    reword_a_shape,
    relabel_a_vocabulary_term,
]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project with its own ontology, shapes and queries, built once."""
    gazetteer = SHARED / "reference" / "cn-admin-divisions.csv"
    if not gazetteer.is_file():
        pytest.fail(f"gazetteer not found at {gazetteer}: the corpus generator needs it")
    project = tmp_path_factory.mktemp("differential") / "project"
    generate(project, SOURCES, 7, gazetteer)
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    toml = project / "kg.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'^(ontology|shapes|queries) = ".*"$', r'\1 = "\1"', text, flags=re.M)
    toml.write_text(text, encoding="utf-8")
    publish_release(load_config(toml), full=True, reason=False)
    return project


def _quads(dist: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(dist / "store")))


def _outcome(project: Path, dist: Path, full: bool) -> str:
    """'ok', or the problems that stopped the build (an edit may make the facts wrong; both
    builds must then refuse them alike)."""
    config = load_config(project / "kg.toml").with_overrides(dist=dist)
    try:
        publish_release(config, full=full, reason=False)
    except InputError as exc:
        return "input error: " + str(exc)
    except NonConformingError as exc:  # a quote not in the text, say
        return "does not conform: " + "; ".join(map(str, exc.problems))
    return "ok"


@settings(settings.get_profile(PROFILE))
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(EDITS), st.integers(min_value=0, max_value=10_000)),
        min_size=1,
        max_size=4,
    )
)
def test_incremental_builds_equal_full_builds_after_any_edits(
    released: Path, edits: list[tuple[Edit, int]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(released, project, symlinks=True)
        for step, (edit, n) in enumerate(edits):
            edit(project, n)
            incremental = _outcome(project, project / "dist", full=False)
            full_dist = Path(scratch) / f"full-{step}"
            full = _outcome(project, full_dist, full=True)
            assert incremental == full, (step, edit.__name__)
            if full != "ok":
                return
            for name in PUBLISHED_FILES:
                ours, theirs = project / "dist" / name, full_dist / name
                assert ours.read_bytes() == theirs.read_bytes(), (step, edit.__name__, name)
            assert _quads(project / "dist") == _quads(full_dist), (step, edit.__name__)
