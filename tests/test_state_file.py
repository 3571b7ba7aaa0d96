"""The state a build leaves for the next one is data: a file that is not what a build wrote
(damaged, from elsewhere, crafted to run code) is never built on, and never runs anything."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import PUBLISHED_FILES, copy_project, project_config

from kg_build.config import Config
from kg_build.incremental.state import global_key, load_state, state_path
from kg_build.publish.release import publish_release

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, shared_texts: tuple[Path, ...]) -> Config:
    copy_project(tmp_path)
    config = project_config(root=tmp_path)
    publish_release(config, full=True, reason=False)
    return config


class _RunsCode:
    """Unpickled by pickle.loads, this would run a program."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, ("touch pwned",))


def test_a_state_written_by_the_build_is_read_back(project: Config) -> None:
    state = load_state(project.dist / "current", global_key(project))
    assert state is not None and state.parts and state.pickled is not None


def test_an_unchanged_base_is_linked_into_the_next_release_not_written(
    project: Config,
) -> None:
    """A build on the last release links the base files it read (the records, the graphs)
    into its own release: the same file, no bytes written."""
    before = {p.name: p.stat().st_ino for p in _bases(project.dist)}
    places = project.facts / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert publish_release(project, reason=False).incremental
    assert {p.name: p.stat().st_ino for p in _bases(project.dist)} == before


def test_a_damaged_base_file_means_a_build_from_nothing(project: Config) -> None:
    for base in _bases(project.dist):
        data = base.read_bytes()
        base.chmod(0o644)
        base.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit
        assert load_state(project.dist / "current", global_key(project)) is None
        base.write_bytes(data)
    assert load_state(project.dist / "current", global_key(project)) is not None


def _bases(dist: Path) -> list[Path]:
    found = sorted((dist / "current" / ".kg-build").glob("*-*.pickle"))
    assert [p.name.split("-")[0] for p in found] == ["graphs", "parts"]
    return found


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:100] + bytes(200) + data[300:],  # zeroed in the middle
        lambda data: b"",
        lambda data: pickle.dumps({"key": "x"}),  # a pickle, but not a state
        lambda data: pickle.dumps(_RunsCode()),
        lambda data: pickle.dumps({"parts": (pickle.dumps(_RunsCode()), {})}),
    ],
    ids=["truncated", "zeroed", "empty", "not-a-state", "runs-code", "runs-code-in-parts"],
)
def test_a_state_that_is_not_as_written_means_a_build_from_nothing(
    project: Config, damage: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = state_path(project.dist / "current")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    before = {name: (project.dist / name).read_bytes() for name in PUBLISHED_FILES}
    assert load_state(project.dist / "current", global_key(project)) is None
    said: list[str] = []
    assert not publish_release(project, reason=False, progress=said.append).incremental
    assert said[0].startswith("notice: the last release's state cannot be used"), said[0]
    assert not (tmp_path / "pwned").exists()
    assert {name: (project.dist / name).read_bytes() for name in PUBLISHED_FILES} == before
    # and the state written by that build is good again
    assert publish_release(project, reason=False).incremental


def test_what_the_state_carries_of_the_checks_is_what_they_give_now(
    project: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-check depth and the reach of each SPARQL check, carried from one build to the
    next, are what the shapes and queries give when worked out afresh (a process that has
    remembered nothing)."""
    from kg_build.pipeline import recheck_depth_of
    from kg_build.validate import query_reach
    from kg_build.validate.shacl import load_shapes

    state = load_state(project.dist / "current", global_key(project))
    assert state is not None and state.reaches
    monkeypatch.setattr(query_reach, "_KNOWN", {})
    assert state.recheck_depth == recheck_depth_of(project, load_shapes(project.shapes))
    fresh = query_reach.reaches_found()
    assert fresh and {k: state.reaches[k] for k in fresh} == fresh
