"""Faults a release must survive (publish/layout.py, docs/releases-on-disk.md): `kg build`
killed at any moment, two builds at once, a full disk, damage to the store and the dumps,
a dist/ that cannot be written. After each, dist/ holds one release, whole (every file has
the digest SHA256SUMS gives, the store holds what the dumps hold); the next build succeeds
and gives the bytes of a clean build; nothing temporary is left, no process either."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, PUBLISHED_FILES, TEXTS, copy_project

from kg_build.publish import layout

pytestmark = pytest.mark.slow

KG = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
PLACES = "places.yaml"
NAMES = ("Xinfeng County", "Xinfeng County (B)")


@pytest.fixture
def project(tmp_path: Path, shared_texts: object) -> Path:
    """A copy of the project whose facts the test may change; its dist/ is tmp/dist."""
    root = copy_project(tmp_path / "project")
    texts = ", ".join(f'"{t}"' for t in TEXTS)
    (root / "kg.toml").write_text(
        f'[kg-build]\nbase = "{BASE}"\nfacts = "facts"\nontology = "ontology"\n'
        f'shapes = "shapes"\nqueries = "queries"\ndist = "{tmp_path / "dist"}"\n'
        f"texts = [{texts}]\n",
        encoding="utf-8",
    )
    return root


def _name(project: Path, name: str) -> None:
    """Set the English name of Xinfeng County: two states of the facts, two releases."""
    path = project / "facts" / PLACES
    text = path.read_text(encoding="utf-8")
    for old in NAMES[::-1]:
        text = text.replace(f"name: {{en: {old},", f"name: {{en: {name},")
    path.write_text(text, encoding="utf-8")


def _start(project: Path, dist: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - the installed kg, fixed arguments
        [KG, "build", "--config", str(project / "kg.toml"), "--dist", str(dist), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _build(project: Path, dist: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    child = _start(project, dist, *extra)
    out, err = child.communicate(timeout=600)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def assert_whole(dist: Path) -> str:
    """dist/ shows one release, whole, read through its top-level names as a reader (or
    `sha256sum -c SHA256SUMS` in dist/) reads it; its SHA256SUMS."""
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8")
    names = set()
    for line in sums.splitlines():
        digest, name = line.split("  ")
        names.add(name)
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest, name
    assert names == set(PUBLISHED_FILES) - {"SHA256SUMS"}
    store = ox.Store.read_only(str(dist / "store"))
    ontology = ox.NamedNode(f"{BASE}graph/ontology")
    held = {
        q
        for q in store
        if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != ontology
    }
    assert held == set(ox.parse(path=str(dist / "ganzhou-gba.trig"), format=ox.RdfFormat.TRIG))
    return sums


def _ours(dist: Path) -> Iterator[int]:
    """Processes working on `dist` (a build, its forked children, its JVMs)."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                command = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(dist).encode() in command:
                yield int(proc.name)


def assert_nothing_left(dist: Path) -> None:
    deadline = time.monotonic() + 20
    while list(_ours(dist)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(_ours(dist)) == [], "processes left behind"
    releases = dist / "releases"
    assert sorted(p.name for p in releases.iterdir() if p.name != ".work") == [
        (dist / "current").readlink().name
    ]
    assert not any((releases / ".work").iterdir()) if (releases / ".work").exists() else True
    leftovers = [p for p in dist.rglob("*") if p.name.startswith((".new-", "kg-build-"))]
    assert leftovers == []


@pytest.fixture
def releases(project: Path, tmp_path: Path) -> dict[str, str]:
    """The SHA256SUMS of a clean build of each state of the facts."""
    found: dict[str, str] = {}
    for name in NAMES:
        _name(project, name)
        done = _build(project, tmp_path / f"clean-{len(found)}", "--no-reason")
        assert done.returncode == 0, done.stderr
        found[name] = assert_whole(tmp_path / f"clean-{len(found)}")
    return found


def test_a_build_killed_at_any_moment_leaves_one_whole_release(
    project: Path, tmp_path: Path, releases: dict[str, str]
) -> None:
    """Builds (incremental and --full, with HermiT) are killed with SIGKILL at moments spread
    over their whole run: dist/ is always the last release or the new one, whole."""
    dist = tmp_path / "dist"
    _name(project, NAMES[0])
    assert _build(project, dist).returncode == 0
    timed = time.monotonic()
    _name(project, NAMES[1])
    assert _build(project, dist).returncode == 0
    took = time.monotonic() - timed
    kills = 12
    for i in range(kills):
        before = assert_whole(dist)
        target = NAMES[i % 2]
        _name(project, target)
        extra = ("--full",) if i % 3 == 2 else ()
        child = _start(project, dist, *extra)
        time.sleep(took * (i + 0.5) / kills * (1.5 if extra else 1.0))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        after = assert_whole(dist)
        assert after in (before, releases[target]), f"kill {i}: a release that was never built"
        assert after in releases.values()
    done = _build(project, dist)
    assert done.returncode == 0, done.stderr
    assert assert_whole(dist) == releases[NAMES[(kills - 1) % 2]]
    for name in PUBLISHED_FILES:
        assert (dist / name).read_bytes() == (
            tmp_path / f"clean-{(kills - 1) % 2}" / name
        ).read_bytes()
    assert_nothing_left(dist)


def test_two_builds_at_once_one_waits_its_turn(
    project: Path, tmp_path: Path, releases: dict[str, str]
) -> None:
    dist = _first_release(project, tmp_path)
    both = [_start(project, dist, "--full"), _start(project, dist, "--full")]
    said = [child.communicate(timeout=600)[1] for child in both]
    codes = [child.returncode for child in both]
    assert sorted(codes) == [0, 2], said
    refused = said[codes.index(2)]
    assert "kg build (pid" in refused and "is writing to" in refused, refused
    assert refused.count("\n") <= 2  # a message, not a traceback
    assert assert_whole(dist) == releases[NAMES[1]]
    assert_nothing_left(dist)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB file system of our own (a tmpfs; needs root, as CI runs)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(  # noqa: S603 - fixed arguments
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603, S607


def test_a_full_disk_leaves_the_last_release_whole(
    project: Path, small_disk: Path, releases: dict[str, str]
) -> None:
    """The disk fills at several points of writing the next release (ever more room each
    time): each time the build fails with one line and the last release stays, whole; the
    first build that fits gives the clean build's bytes."""
    dist = small_disk / "dist"
    _name(project, NAMES[0])
    done = _build(project, dist, "--no-reason")
    assert done.returncode == 0, done.stderr
    release_size = sum(
        p.stat().st_size for p in (dist / "current").resolve().rglob("*") if p.is_file()
    )
    filler = small_disk / "filler"
    _name(project, NAMES[1])
    failures = 0
    for tenth in range(1, 12):  # room for ever more of a release, until the build fits
        free = shutil.disk_usage(small_disk).free
        filler.write_bytes(b"\0" * max(0, free - release_size * tenth // 10))
        done = _build(project, dist, "--no-reason")
        filler.unlink()
        if done.returncode == 0:
            break
        failures += 1
        assert done.returncode == 2, (tenth, done.stderr)
        assert "Traceback" not in done.stderr and "left unchanged" in done.stderr, done.stderr
        assert assert_whole(dist) == releases[NAMES[0]]
    assert failures >= 3, "the disk did not fill at several points"
    assert done.returncode == 0, done.stderr
    assert assert_whole(dist) == releases[NAMES[1]]
    assert_nothing_left(dist)


def _first_release(project: Path, tmp_path: Path) -> Path:
    """dist/ with the release of the first state of the facts; the facts then in the second."""
    dist = tmp_path / "dist"
    _name(project, NAMES[0])
    assert _build(project, dist, "--no-reason").returncode == 0
    _name(project, NAMES[1])
    return dist


def _current(dist: Path) -> Path:
    folder = layout.current(dist)
    assert folder is not None
    return folder


def test_damage_to_the_last_release_is_never_built_on(
    project: Path, tmp_path: Path, releases: dict[str, str]
) -> None:
    dist = _first_release(project, tmp_path)
    folder = _current(dist)
    # a dump edited in place: same size, same inode, its mtime put back
    dump = folder / "ganzhou-gba.ttl"
    stat = dump.stat()
    with dump.open("r+b") as handle:
        handle.seek(stat.st_size // 2)
        handle.write(b"#")
    os.utime(dump, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # the TriG, which CHANGES.md is written against, no longer TriG in its first graph
    trig = folder / "ganzhou-gba.trig"
    trig.write_bytes(trig.read_bytes().replace(b" {\n", b" {\n<<< not TriG\n", 1))
    # the store: a table file cut short
    table = max((folder / "store").glob("*.sst"), key=lambda p: p.stat().st_size)
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    done = _build(project, dist, "--no-reason")
    assert done.returncode == 0, done.stderr
    assert "notice: the last release's store" in done.stderr
    assert "notice: ganzhou-gba.ttl of the last release does not have the digest" in done.stderr
    assert "notice: the last release's TriG cannot be read" in done.stderr
    assert "The last release could not be read" in (dist / "CHANGES.md").read_text("utf-8")
    assert "Traceback" not in done.stderr
    assert assert_whole(dist) == releases[NAMES[1]]
    # the store link replaced by a folder, and the current release's store gone
    (dist / "store").unlink()
    (dist / "store").mkdir()
    shutil.rmtree(_current(dist) / "store")
    _name(project, NAMES[0])
    done = _build(project, dist, "--no-reason")
    assert done.returncode == 0, done.stderr
    assert assert_whole(dist) == releases[NAMES[0]]
    assert_nothing_left(dist)


def test_a_dist_that_cannot_be_written_is_said_before_any_work(
    project: Path, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder\n", encoding="utf-8")
    for dist in (Path("/proc/kg-build-dist"), in_the_way, in_the_way / "dist"):
        done = _build(project, dist, "--no-reason")
        assert done.returncode == 2, done.stderr
        said = done.stderr
        assert ("cannot write to" in said or "is a file" in said) and "--dist" in said, said
        assert "[1/" not in done.stderr  # before the first stage
        assert "Traceback" not in done.stderr


def test_kg_load_waits_for_no_build_and_no_build_for_it(tmp_path: Path, project: Path) -> None:
    """While one command holds dist/'s lock, kg build and kg load refuse in one line."""
    dist = tmp_path / "dist"
    assert _build(project, dist, "--no-reason").returncode == 0
    with layout.locked(dist, "kg load"):
        done = _build(project, dist, "--no-reason")
        assert done.returncode == 2 and "kg load (pid" in done.stderr, done.stderr
        load = subprocess.run(  # noqa: S603 - the installed kg, fixed arguments
            [KG, "load", "--dist", str(dist), "--endpoint", "http://127.0.0.1:9/x"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert load.returncode == 2 and "is writing to" in load.stderr, load.stderr
    assert assert_whole(dist)


def test_a_read_only_dist_is_said_before_any_work(project: Path, small_disk: Path) -> None:
    dist = small_disk / "dist"
    assert _build(project, dist, "--no-reason").returncode == 0
    before = assert_whole(dist)
    remount = ["mount", "-o", "remount,ro", str(small_disk)]
    subprocess.run(remount, check=True)  # noqa: S603 - fixed arguments
    try:
        done = _build(project, dist, "--no-reason")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)  # noqa: S603, S607
    assert done.returncode == 2, done.stderr
    assert "cannot write to" in done.stderr and "Read-only file system" in done.stderr
    assert "[1/" not in done.stderr and "Traceback" not in done.stderr
    assert assert_whole(dist) == before
