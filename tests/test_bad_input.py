"""Each curator mistake gives file, line and field with a hint, a non-zero exit, and leaves dist/
exactly as the previous good build wrote it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FACTS, ROOT, build_release, run_kg, texts_args

ARTICLE = "sources/cns-2022-02-17-ganzhou-bay-area"


@dataclass(frozen=True)
class Mistake:
    name: str
    file: str  # relative to facts/
    old: str
    new: str
    exit_code: int
    field: str
    words: str  # part of the message a curator reads
    line_offset: int = 0  # reported line relative to the first line of `old`


MISTAKES = [
    Mistake(
        "malformed YAML",
        f"{ARTICLE}/figures.yaml",
        "    value: 358\n",
        "    value: [358\n",
        2,
        "",
        "malformed YAML",
    ),
    Mistake(
        "unknown field",
        f"{ARTICLE}/people.yaml",
        "  - id: wan-kai\n",
        "  - id: wan-kai\n    nmae: Wan\n",
        2,
        "nmae",
        "unknown field",
        1,
    ),
    Mistake(
        "missing required field",
        f"{ARTICLE}/figures.yaml",
        "    about: ganzhou-2022-linked-major-projects\n    measure: number-of-projects\n",
        "    about: ganzhou-2022-linked-major-projects\n",
        2,
        "measure",
        "required field 'measure'",
        -1,
    ),
    Mistake(
        "wrong type",
        f"{ARTICLE}/figures.yaml",
        "    value: 358\n",
        "    value: lots\n",
        2,
        "value",
        "decimal",
    ),
    Mistake(
        "unknown reference",
        "places.yaml",
        "    part_of: [shaoguan]\n",
        "    part_of: [shaoguang]\n",
        2,
        "part_of",
        "unknown 'shaoguang'",
    ),
    Mistake(
        "duplicate identifier",
        f"{ARTICLE}/organisations.yaml",
        "  - id: skyworth\n",
        "  - id: huawei\n",
        2,
        "id",
        "duplicate identifier 'huawei'",
    ),
    Mistake(
        "quote not in the source",
        f"{ARTICLE}/figures.yaml",
        "    quote: There are 358 major projects under linkage\n",
        "    quote: There are 359 major projects under linkage\n",
        1,
        "quote",
        "quote not found",
    ),
    Mistake(
        "unknown currency",
        f"{ARTICLE}/figures.yaml",
        "    value: 212.9e9\n    unit: CNY\n",
        "    value: 212.9e9\n    unit: RMB\n",
        2,
        "unit",
        "unknown unit or currency 'RMB'",
        1,
    ),
    Mistake(
        "negative amount",
        f"{ARTICLE}/figures.yaml",
        "    value: 212.9e9\n",
        "    value: -212.9e9\n",
        1,
        "value",
        "greater than 0",
    ),
    Mistake(
        "impossible date",
        f"{ARTICLE}/events.yaml",
        "    period: 2022-02-15\n",
        "    period: 2022-02-30\n",
        2,
        "period",
        "not a real day",
    ),
    Mistake(
        "implausible year",
        f"{ARTICLE}/agreements.yaml",
        '    period: "2021"\n',
        '    period: "1821"\n',
        1,
        "period",
        "between 1900 and 2100",
    ),
    Mistake(
        "milestone reported after its source (a quality query)",
        f"{ARTICLE}/projects.yaml",
        "      - stage: in-operation\n        period: 2022-02-17\n",
        "      - stage: in-operation\n        period: 2022-03-01\n",
        1,
        "milestones.0.status",
        "after its source appeared",
    ),
    Mistake(
        "milestone reported for a whole year its source only began (a quality query)",
        f"{ARTICLE}/projects.yaml",
        "      - stage: in-operation\n        period: 2022-02-17\n",
        '      - stage: in-operation\n        period: "2022"\n',
        1,
        "milestones.0.status",
        "ends on 2022-12-31, after its source appeared",
    ),
    Mistake(
        "a quote of two words",
        f"{ARTICLE}/organisations.yaml",
        '"China News Service, Ganzhou, February 17th"',
        "China News Service, Ganzhou, February 17th",
        2,
        "quote.1",
        "too short to support anything",
    ),
    Mistake(
        "part-of cycle",
        "places.yaml",
        '    part_of: [china]\n    code: "360000"\n',
        '    part_of: [china, xinfeng]\n    code: "360000"\n',
        1,
        "part_of",
        "cycle",
    ),
]


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the release, the embedded store included, and where its link points."""
    out = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = str(path.readlink()).encode()
        elif path.is_file():
            out[name] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def good_dist(tmp_path_factory: pytest.TempPathFactory, shared_texts: object) -> Path:
    dist = tmp_path_factory.mktemp("good") / "dist"
    build_release(dist)
    return dist


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_mistake_is_reported_and_dist_is_untouched(
    mistake: Mistake, facts_copy: Path, good_dist: Path, tmp_path: Path
) -> None:
    path = facts_copy / mistake.file
    text = path.read_text(encoding="utf-8")
    assert mistake.old in text, "the test's anchor text is no longer in the shipped facts"
    line = text[: text.index(mistake.old)].count("\n") + 1 + mistake.line_offset
    path.write_text(text.replace(mistake.old, mistake.new, 1), encoding="utf-8")
    dist = tmp_path / "dist"
    shutil.copytree(good_dist, dist, symlinks=True)
    before = _snapshot(dist)

    result = run_kg("build", "--facts", str(facts_copy), "--dist", str(dist), *texts_args())

    assert result.code == mistake.exit_code, result.err
    assert mistake.words in result.err, result.err
    reported = [row for row in result.err.splitlines() if f"{mistake.file}:" in row]
    assert reported, f"no message names {mistake.file}:\n{result.err}"
    assert any(f"{mistake.file}:{line}" in row for row in reported), (line, result.err)
    if mistake.field:
        assert any(f"[{mistake.field}" in row for row in reported), result.err
    assert "hint:" in result.err or "node " in result.err
    assert _snapshot(dist) == before


def test_messages_name_paths_relative_to_the_project(facts_copy: Path) -> None:
    """Inside the project, paths are short; a copy elsewhere is named in full."""
    result = run_kg("validate", "--facts", str(FACTS), *texts_args())
    assert result.code == 0, result.err
    (facts_copy / "places.yaml").write_text("places:\n  - id: Not A Slug\n", encoding="utf-8")
    result = run_kg("validate", "--facts", str(facts_copy))
    assert result.code == 2
    assert f"{facts_copy / 'places.yaml'}:2" in result.err


def test_unexpected_file_in_a_source_folder_is_named(facts_copy: Path) -> None:
    (facts_copy / ARTICLE / "figure.yaml").write_text("figures: []\n", encoding="utf-8")
    result = run_kg("validate", "--facts", str(facts_copy))
    assert result.code == 2
    assert "figure.yaml" in result.err and "figures.yaml" in result.err


def test_an_empty_source_folder_is_named(facts_copy: Path, tmp_path: Path) -> None:
    """kg build lists the source folders while it reads its state (state.look_aside): a
    folder with no files at all is listed too, and reported as a full read reports it."""
    (facts_copy / "sources" / "empty-source").mkdir()
    dist = tmp_path / "dist"
    result = run_kg("build", "--facts", str(facts_copy), "--dist", str(dist), *texts_args())
    assert result.code == 2, result.err
    assert "empty-source" in result.err and "without source.yaml" in result.err
    assert not dist.exists() or {p.name for p in dist.iterdir()} <= {".lock"}


def test_bad_option_is_a_usage_error() -> None:
    result = run_kg("build", "--no-such-option")
    assert result.code == 2
    assert "No such option" in result.err
    result = run_kg("build", "--base", "not an iri", "--dist", "/nonexistent/never-written")
    assert result.code == 2
    assert "base IRI" in result.err


def test_a_contradiction_hermit_finds_leaves_dist_untouched(
    good_dist: Path, tmp_path: Path
) -> None:
    """The consistency checks run while the embedded store is loaded: a contradiction stops
    the build before the new store is moved into place or any file is written."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    with (ontology / "gba.ttl").open("a", encoding="utf-8") as handle:
        # every company is an organisation, and now none may be: each company contradicts it
        handle.write("\ngba:Company owl:disjointWith gba:Organisation .\n")
    dist = tmp_path / "dist"
    shutil.copytree(good_dist, dist, symlinks=True)
    before = _snapshot(dist)
    result = run_kg("build", "--ontology", str(ontology), "--dist", str(dist), *texts_args())
    assert result.code == 1, result.err
    assert "inconsistent" in result.err, result.err
    assert "0 violations" in result.err  # SHACL passed: HermiT alone found it
    assert _snapshot(dist) == before
