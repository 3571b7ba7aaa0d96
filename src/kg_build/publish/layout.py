"""dist/ as readers see it: one release at a time, switched whole by one rename.

    dist/
      current -> releases/<name>     the release readers see
      releases/<name>/               one release, complete: the dumps, the description,
                                     SHA256SUMS, store/ (Oxigraph) and .kg-build/ (what the
                                     next build needs)
      ganzhou-gba.ttl -> current/ganzhou-gba.ttl, ..., SHA256SUMS, store -> current/store
      .lock                          held by the kg build (or kg load) at work

A build writes its release into a new folder under releases/, syncs it, and then makes it
current by replacing the `current` link (rename(2): atomic). Until then the previous release
is untouched; after, it is removed. The links at the top stay as they are (they name
`current/...`), so a reader sees the old release or the new one, each whole, and
`sha256sum -c SHA256SUMS` passes in dist/ whenever it looks. What a build that died left
behind (a half-written release, scratch copies) is removed by the next one, under the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg_build.errors import InputError, Problem
from kg_build.publish.write import umask

RELEASES, CURRENT, LOCK = "releases", "current", ".lock"
STORE = "store"
_NEW = ".new-"  # a release being written
_WORK = ".work"  # a build's scratch space (store copies, HermiT's inputs)


class BusyError(InputError):
    """Another process holds dist/'s lock."""


@contextmanager
def locked(dist: Path, what: str = "kg build") -> Iterator[None]:
    """Hold dist/.lock for the block: one build (or load) at a time. The kernel lets go of
    it when the process ends, however it ends, so a lock left by a killed build is no lock.
    A folder that cannot be written is said here, before any work."""
    try:
        dist.mkdir(parents=True, exist_ok=True)
        handle = (dist / LOCK).open("a+")
    except OSError as exc:
        why = exc.strerror or str(exc)
        hint = "pass --dist with a folder you can write to"
        problem = Problem(str(dist), 0, "", f"cannot write to {dist}: {why}", hint)
        raise InputError([problem]) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BusyError(
                [
                    Problem(
                        str(dist),
                        0,
                        "",
                        f"{holder} is writing to {dist}",
                        "wait until it has finished, then run this again",
                    )
                ]
            ) from exc
        _say(handle, f"{what} (pid {os.getpid()})\n")  # who holds it, for the next to say
        try:
            yield
        finally:
            _say(handle, "")


def _say(handle: IO[str], text: str) -> None:
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(text)
        handle.flush()
    except OSError:  # a full disk: the lock holds all the same
        pass


def current(dist: Path) -> Path | None:
    """The folder of the release readers see; None if there is none (no build yet, or a
    dist/ laid out by another version)."""
    link = dist / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    if target.parent != (dist / RELEASES).resolve() or not (target / "SHA256SUMS").is_file():
        return None
    return target


def work_folder(dist: Path) -> Path:
    """A build's scratch space, inside dist/ (the same file system, so a store can be
    hard-linked into it) and removed by the next build if a killed one left it."""
    folder = (dist / RELEASES / _WORK).resolve()  # absolute: HermiT is given file: URIs
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=folder))


def remove_work(folder: Path) -> None:
    """Remove a build's scratch space, and the folders above it that it leaves empty."""
    shutil.rmtree(folder, ignore_errors=True)
    for above in (folder.parent, folder.parent.parent):  # releases/.work, releases
        try:
            above.rmdir()
        except OSError:
            return  # not empty: another build's, or releases


def new_release(dist: Path) -> Path:
    """An empty folder for the next release; it is nothing until switch() names it."""
    (dist / RELEASES).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=_NEW, dir=dist / RELEASES))
    folder.chmod(0o777 & ~umask())  # mkdtemp makes it 0700; a release is for everyone
    return folder


def clean(dist: Path) -> None:
    """Remove what a build that died left: half-written releases and scratch space. Called
    with the lock held, when no other build can be using them."""
    releases = dist / RELEASES
    if releases.is_dir():
        for path in releases.iterdir():
            if path.name.startswith((_NEW, _WORK)):
                shutil.rmtree(path, ignore_errors=True)


def switch(dist: Path, staged: Path, name: str, names: Iterable[str]) -> Path:
    """Make the release written in `staged` the current one, as `releases/<name>` (or
    `<name>-2`, ... if that exists); `names`: the files it publishes at the top of dist/.
    Everything is synced first, so that after a crash the release is whole or absent."""
    _sync_tree(staged)
    target = free_name(dist / RELEASES, name)
    os.rename(staged, target)
    _sync(dist / RELEASES)
    for file in sorted({*names, "SHA256SUMS", STORE}):
        _point(dist / file, Path(CURRENT) / file)
    _point(dist / CURRENT, Path(RELEASES) / target.name)  # the switch
    _sync(dist)
    _remove_others(dist, target, set(names))
    return target


def free_name(folder: Path, name: str) -> Path:
    target, n = folder / name, 1
    while target.exists():
        n += 1
        target = folder / f"{name}-{n}"
    return target


def _point(path: Path, target: Path) -> None:
    """Make `path` a symbolic link to `target`, atomically (unless something other than a
    file or link is in the way: an earlier layout's folder, removed first)."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    tmp = path.with_name(f".{path.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, path)


def _remove_others(dist: Path, keep: Path, names: set[str]) -> None:
    """Every release but `keep`; what an earlier layout kept at the top of dist/ (store
    folders, the state); links to files the release no longer publishes."""
    for path in (dist / RELEASES).iterdir():
        if path != keep and not path.name.startswith((_NEW, _WORK)):
            shutil.rmtree(path, ignore_errors=True)
    for path in dist.iterdir():
        if path.name.startswith("store-") and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)  # kg-build 0.x stores
        elif path.name == ".kg-build" and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif (
            path.is_symlink()
            and os.readlink(path).startswith(f"{CURRENT}/")
            and path.name not in names | {"SHA256SUMS", STORE}
        ):
            path.unlink()


def _sync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for file in files:
            fd = os.open(os.path.join(folder, file), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync(Path(folder))


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
