"""Shared fixtures: the fixture corpus (tests/fixtures), checked once per session, and helpers
to run `kg`. Tests read the fixture corpus, not the shipped facts, so that curating facts/
never breaks them; tests of facts/ itself check invariants only (test_facts.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import main
from kg_build.config import Config
from kg_build.pipeline import Checked, Release, check, release
from kg_build.publish.release import Published, publish_release

ROOT = Path(__file__).resolve().parent.parent
# The source texts live beside the project (../shared, or $KG_SHARED); tests point the quote
# check at them and fail, rather than skip, when they are missing.
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
# The corpus the tests run on: the shipped facts as they were, and sources written for the
# tests, whose texts are in the fixture's texts/ (tests/fixtures/README.md).
FIXTURE = ROOT / "tests" / "fixtures" / "corpus"
FACTS = FIXTURE / "facts"
TEXTS = (FIXTURE / "texts", SHARED / "sources", SHARED / "reference")
BASE = "https://w3id.org/ganzhou-gba/"
# What `kg build` publishes in dist/ (besides the store and the incremental build's state).
PUBLISHED_FILES = (
    "ganzhou-gba.ttl",
    "ganzhou-gba.nt",
    "ganzhou-gba.jsonld",
    "ganzhou-gba.trig",
    "context.jsonld",
    "void.ttl",
    "ontology.ttl",
    "SHA256SUMS",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="Rewrite tests/golden/*.json from the current results, for review with git diff.",
    )


def project_config(root: Path = ROOT, **overrides: object) -> Config:
    """The settings of the project at `root` (this one, with the fixture corpus as its facts;
    or a copy of it), texts from the fixture and SHARED."""
    config = Config(
        root=root,
        base=BASE,
        facts=FACTS if root == ROOT else root / "facts",
        ontology=root / "ontology",
        shapes=root / "shapes",
        queries=root / "queries",
        dist=root / "dist",
        texts=TEXTS,
    )
    return config.with_overrides(**overrides)


def build_release(dist: Path, *, reason: bool = False, **overrides: object) -> Published:
    """`kg build` of the shipped facts (or `overrides`) into `dist`, in this process, as
    tests that need a release but do not test the command line make one."""
    return publish_release(project_config().with_overrides(dist=dist, **overrides), reason=reason)


@pytest.fixture(scope="session")
def shared_texts() -> tuple[Path, ...]:
    if not (SHARED / "sources").is_dir():
        pytest.fail(f"source texts not found at {SHARED / 'sources'}: the quote tests need them")
    return TEXTS


@pytest.fixture(scope="session")
def checked(shared_texts: tuple[Path, ...]) -> Checked:
    return check(project_config())


@pytest.fixture(scope="session")
def shipped_release(shared_texts: tuple[Path, ...]) -> Release:
    return release(project_config())


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, shared_texts: tuple[Path, ...]) -> Path:
    """One full `kg build` of the shipped facts (in this process), for tests that only read
    the release."""
    out = tmp_path_factory.mktemp("published") / "dist"
    publish_release(project_config(dist=out), full=True)
    return out


@dataclass
class Run:
    code: int
    out: str
    err: str


def texts_args() -> list[str]:
    """`--texts` options naming the shared source texts, for commands run by tests."""
    return [arg for folder in TEXTS for arg in ("--texts", str(folder))]


def kg_here(*args: str, cwd: Path = ROOT) -> Run:
    """Run a `kg` command in this process (click's test runner: the same command, its exit
    code and its two streams), for commands that neither write a release nor change the
    process (kg query, kg link, kg stats); run_kg runs the installed program."""
    before = Path.cwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    return Run(done.exit_code, done.stdout, done.stderr)


def run_kg(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """Run the installed `kg` command in a child process, as a user would."""
    exe = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [exe, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600
    )
    return Run(done.returncode, done.stdout, done.stderr)


def copy_project(root: Path) -> Path:
    """A copy at `root` of the project's ontology, shapes and queries, with the fixture
    corpus's facts as its facts: a project a test may change."""
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(FACTS, root / "facts")
    return root


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture corpus's facts that a test may break."""
    target = tmp_path / "facts"
    shutil.copytree(FACTS, target)
    return target
