"""Incremental builds of the shipped facts that once differed from full builds, run
in-process: each edit is published on the last release and compared, file by file and
quad by quad, with a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import PUBLISHED_FILES, ROOT, project_config

from kg_build.config import Config
from kg_build.publish.release import publish_release

pytestmark = pytest.mark.slow

SEED = "cns-2022-02-17-ganzhou-bay-area"


@pytest.fixture
def project(tmp_path: Path, shared_texts: tuple[Path, ...]) -> Config:
    for folder in ("facts", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return project_config(root=tmp_path)


def _quads(dist: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(dist / "store")))


def assert_same_as_full(config: Config, full_dist: Path) -> None:
    """Publish incrementally on config.dist, then from nothing in `full_dist`: the same files
    and the same store."""
    assert publish_release(config, reason=False).incremental
    full = config.with_overrides(dist=full_dist)
    assert not publish_release(full, full=True, reason=False).incremental
    for name in PUBLISHED_FILES:
        assert (config.dist / name).read_bytes() == (full_dist / name).read_bytes(), name
    assert _quads(config.dist) == _quads(full_dist)


def test_a_top_concept_added_from_another_source_reaches_its_scheme(
    project: Config, tmp_path: Path
) -> None:
    """The scheme's graph lists every top concept of the scheme, whichever source adds one
    (a reverse lookup): adding one elsewhere must make the scheme's graph again."""
    publish_release(project, reason=False)
    (project.facts / "sources" / "gba-outline-plan-2019" / "concepts.yaml").write_text(
        "concepts:\n"
        "  - id: low-altitude-economy\n"
        "    scheme: ganzhou-leading-industries\n"
        "    name: {en: low-altitude economy, zh: 低空经济}\n"
        "    quote: low-altitude economy\n",
        encoding="utf-8",
    )
    assert_same_as_full(project, tmp_path / "full")
    top = b"/ganzhou-leading-industries> <http://www.w3.org/2004/02/skos/core#hasTopConcept> <"
    lines = (project.dist / "ganzhou-gba.nt").read_bytes().splitlines()
    assert any(top in line and b"low-altitude-economy" in line for line in lines)


def test_an_edit_beside_an_event_does_not_break_its_ordinal(
    project: Config, tmp_path: Path
) -> None:
    """A note edited in organisations.yaml re-checks the event beside it against the store,
    which once held its ordinal in another datatype than the dumps, and failed."""
    publish_release(project, reason=False)
    organisations = project.facts / "sources" / SEED / "organisations.yaml"
    text = organisations.read_text(encoding="utf-8")
    organisations.write_text(text.replace("note: ", "note: Edited. ", 1), encoding="utf-8")
    assert_same_as_full(project, tmp_path / "full")
