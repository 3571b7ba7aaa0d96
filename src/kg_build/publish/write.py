"""Atomic writes: each file goes to a temporary name in the same folder, then is renamed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from kg_build.elsewhere import each_in_thread


def umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; published files are for everyone to read.
        os.chmod(tmp, 0o666 & ~umask())
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


def publish_files(folder: Path, files: Mapping[str, bytes], manifest: bytes) -> None:
    """Write every file, then their manifest, into a release's folder. Writing and syncing
    mostly waits on the disk, without the GIL: a caller may run this in a thread."""
    # two at a time: copying into the page cache and syncing let go of the GIL too
    each_in_thread(lambda name: write_atomic(folder / name, files[name]), sorted(files), 2)()
    write_atomic(folder / "SHA256SUMS", manifest)
