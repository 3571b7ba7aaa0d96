"""Atomic writes: each file goes to a temporary name in the same folder, then is renamed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from kg_build.elsewhere import each_in_thread


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; published files are for everyone to read.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(files: Mapping[str, bytes], known: Mapping[str, str] | None = None) -> bytes:
    """The SHA256SUMS of `files`, as sha256sum writes it; `known`: digests of some of them,
    computed already (a release's TriG is hashed for its store's folder name first). The
    others are hashed on two threads (hashlib lets go of the GIL while it hashes)."""
    known = known or {}
    names = sorted(files)
    digests = each_in_thread(lambda n: known.get(n) or sha256_hex(files[n]), names, 2)()
    return "".join(f"{d}  {name}\n" for d, name in zip(digests, names, strict=True)).encode()


Stat = tuple[int, int, int]  # size, mtime_ns, inode


def stat_of(path: Path) -> Stat | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def publish_files(dist: Path, files: Mapping[str, bytes], manifest: bytes) -> dict[str, Stat]:
    """Write every file, then their manifest (last, so it never describes a half release);
    return what os.stat says of each file written. Writing and syncing mostly waits on the
    disk, without the GIL: a caller may run this in a thread."""

    def write(name: str) -> tuple[str, Stat | None]:
        write_atomic(dist / name, files[name])
        return name, stat_of(dist / name)

    # two at a time: copying into the page cache and syncing let go of the GIL too
    written = {name: known for name, known in each_in_thread(write, sorted(files), 2)() if known}
    write_atomic(dist / "SHA256SUMS", manifest)
    return written
