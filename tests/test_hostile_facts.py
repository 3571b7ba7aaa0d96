"""Fact files that are odd or hostile: each is reported with its path (and line, where it has
one) and `kg validate` / `kg build` exit 2 quickly, never with a traceback, a hang or a
memory blow-up; a fact file emptied since the last release is warned about."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FACTS, build_release, texts_args

KG = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
SEED = "sources/cns-2022-02-17-ganzhou-bay-area"

Breaks = Callable[[Path], str]  # changes the facts; returns what the message must name


def _write(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def _laughs(facts: Path) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    _write(facts / SEED / "figures.yaml", "\n".join(lines) + "\nfigures: *a9\n")
    return "aliases (*name) expand to more than 100000 values"


def _self_alias(facts: Path) -> str:
    _write(facts / SEED / "figures.yaml", "figures: &f [*f]\n")
    return "figures.yaml:1: an alias (*name) inside the value it names"


def _nul(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[4] = text[4].rstrip("\n") + "\0\n"
    path.write_text("".join(text), encoding="utf-8")
    return "figures.yaml:5: control character U+0000"


def _folder(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    path.unlink()
    path.mkdir()
    return "figures.yaml: is a folder"


def _broken_link(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    path.unlink()
    path.symlink_to(facts / "no-such-file.yaml")
    return "figures.yaml: cannot be read"


def _dev_zero(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    path.unlink()
    path.symlink_to("/dev/zero")
    return "figures.yaml: a link to /dev/zero, outside the facts folder"


def _fifo(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    path.unlink()
    os.mkfifo(path)
    return "figures.yaml: is not a regular file"


def _huge(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("# padding\n" * 1_800_000)
    return "figures.yaml: larger than 16 MB"


def _outside(facts: Path) -> str:
    path = facts / "places.yaml"
    outside = facts.parent / "elsewhere.yaml"
    shutil.copy(path, outside)
    path.unlink()
    path.symlink_to(outside)
    return "places.yaml: a link to"


def _enormous_number(facts: Path) -> str:
    path = facts / SEED / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("value: ")
    end = text.index("\n", first)
    path.write_text(text[:first] + "value: 1e400" + text[end:], encoding="utf-8")
    return "figures.yaml:"


def _deep(facts: Path) -> str:
    _write(facts / SEED / "figures.yaml", "figures: " + "[" * 5000 + "]" * 5000 + "\n")
    return "figures.yaml:"


CASES: dict[str, Breaks] = {
    "billion-laughs": _laughs,
    "self-alias": _self_alias,
    "nul-byte": _nul,
    "folder": _folder,
    "broken-link": _broken_link,
    "dev-zero": _dev_zero,
    "fifo": _fifo,
    "huge": _huge,
    "link-outside": _outside,
    "1e400": _enormous_number,
    "deep": _deep,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_fact_file_is_reported_not_crashed_on(case: str, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    named = CASES[case](facts)
    for command in ("validate", "build"):
        done = subprocess.run(  # noqa: S603 - the installed kg, fixed arguments
            [KG, command, "--facts", str(facts), "--dist", str(tmp_path / "dist"), "--no-reason"]
            if command == "build"
            else [KG, command, "--facts", str(facts), *texts_args()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (command, done.stderr[-2000:])
        assert named in done.stderr, (command, done.stderr[-2000:])
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "dist" / "current").exists()
    if case == "1e400":
        assert "below 10^18" in done.stderr


def test_a_fact_file_emptied_since_the_last_release_is_warned_about(
    tmp_path: Path, shared_texts: object
) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    dist = tmp_path / "dist"
    build_release(dist, facts=facts)
    figures = facts / SEED / "figures.yaml"
    held = figures.read_text(encoding="utf-8").count("\n  - id: ")
    figures.write_text("", encoding="utf-8")
    said: list[str] = []
    from conftest import project_config

    from kg_build.publish.release import publish_release

    publish_release(
        project_config().with_overrides(dist=dist, facts=facts),
        reason=False,
        progress=said.append,
    )
    warnings = [line for line in said if line.startswith("warning:")]
    assert len(warnings) == 1, said
    assert "figures.yaml" in warnings[0] and f"held {held} record(s)" in warnings[0]
