"""One `kg build`: run the pipeline (on the last release, when there is one to build on) and
publish what it made to dist/ as a new release, switched to whole (publish/layout.py).
Raises instead of exiting, so that it runs in-process from Python and tests."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg_build.config import Config
from kg_build.elsewhere import in_thread
from kg_build.errors import NonConformingError
from kg_build.incremental.baseline import Baseline
from kg_build.incremental.state import global_key, look_aside, write_state
from kg_build.pipeline import Progress, release, silent, state_of, store_change
from kg_build.publish import layout
from kg_build.publish.notes import NOTES, issued, release_notes
from kg_build.publish.write import manifest_of, publish_files, sha256_hex, write_atomic
from kg_build.reason.owl import java_found, require_java
from kg_build.store.embedded import remove_scratch, write_store


class PublishError(Exception):
    """The release could not be written (a full disk, a file system error); the previous
    release is as it was."""


@dataclass(frozen=True)
class Published:
    files: tuple[str, ...]  # the files written beside SHA256SUMS
    release: Path  # the release's folder, now dist/current
    incremental: bool  # whether it was built on the last release

    @property
    def store(self) -> Path:
        return self.release / layout.STORE


def publish_release(
    config: Config,
    *,
    full: bool = False,
    reason: bool = True,
    progress: Progress = silent,
) -> Published:
    """Build and publish to config.dist; `reason`: check consistency with HermiT (without
    Java: a warning, or an error if config.require_reasoner). Raises InputError (bad fact files),
    NonConformingError (a check failed), InconsistentError or ReasonerUnavailableError;
    then nothing in dist/ has changed."""
    reason = reason and _reasoner_found(config, progress)  # before dist/ is touched
    with layout.locked(config.dist):
        layout.clean(config.dist)  # what a build that died left
        work = layout.work_folder(config.dist)
        try:
            return _publish(config, full, reason, progress, work)
        except OSError as exc:  # a full disk or a file system error while the build worked
            raise PublishError(f"could not build the release in {config.dist}: {exc}") from exc
        finally:
            remove_scratch()  # the check store's scratch copy, whatever happened
            layout.remove_work(work)


def _notes(
    config: Config, trig: bytes, name: str, manifest: bytes, progress: Progress
) -> dict[str, bytes]:
    """CHANGES.md and release.ttl against the release now current (publish/notes.py). The
    same files again (the same facts built again): the same release, so its notes stay."""
    current = config.dist / layout.CURRENT
    previous = current.resolve() if current.exists() else None
    if previous is not None and _same_release(previous, manifest):
        kept = {note: previous / note for note in NOTES}
        if all(path.is_file() for path in kept.values()):
            return {note: path.read_bytes() for note, path in kept.items()}
    progress("comparing with the last release for CHANGES.md" if previous else "first release")
    try:
        return release_notes(trig, _name_after(config, name), config.base, previous, issued())
    except (OSError, SyntaxError) as exc:  # the last release's TriG damaged or gone
        progress(f"notice: the last release's TriG cannot be read ({exc}); CHANGES.md says so")
        return release_notes(
            trig, _name_after(config, name), config.base, None, issued(), unreadable=str(exc)
        )


def _same_release(folder: Path, manifest: bytes) -> bool:
    try:
        return (folder / "SHA256SUMS").read_bytes() == manifest
    except OSError:
        return False


def _name_after(config: Config, name: str) -> str:
    """The folder name layout.switch will give the release (`<name>-2` when one is there)."""
    return layout.free_name(config.dist / layout.RELEASES, name).name


def _reasoner_found(config: Config, progress: Progress) -> bool:
    """Whether HermiT can run (Java); without, a warning, or with require_reasoner an error."""
    if java_found():
        return True
    if config.require_reasoner:
        require_java()  # raises ReasonerUnavailableError, before any work
    progress(
        "warning: Java not found, so the OWL consistency check (HermiT) is skipped; the "
        "part-of closure is published as always. Install Java (Debian: apt-get install "
        "default-jre-headless) to check; --require-reasoner (kg.toml: require_reasoner = "
        "true) makes this an error."
    )
    return False


def _publish(config: Config, full: bool, reason: bool, progress: Progress, work: Path) -> Published:
    looked = look_aside(config.facts) if config.facts.is_dir() else None
    key = global_key(config)
    baseline = None if full else Baseline.load(config, key, work, progress)
    if baseline is not None:
        progress(f"incremental: building on the release in {config.dist} (--full to start over)")
    # HermiT's consistency checks go on while the embedded store is loaded; the store is
    # moved into place, and anything published, only once they found no contradiction
    rel = release(
        config,
        progress=progress,
        check_consistency=reason,
        baseline=baseline,
        confirm=False,
        looked=looked,
        scratch=work,
    )
    if rel.checked.problems:
        raise NonConformingError(rel.checked.problems)
    for name in baseline.damaged_dumps() if baseline is not None else []:
        progress(
            f"notice: {name} of the last release does not have the digest its SHA256SUMS "
            "gives; written whole, not spliced from"
        )
    trig, ontology = rel.files["ganzhou-gba.trig"], rel.files["ontology.ttl"]
    trig_sha256 = sha256_hex(trig)  # names the release and goes in SHA256SUMS
    staged = layout.new_release(config.dist)
    try:
        change = store_change(rel, config)
        write_store(staged / layout.STORE, trig, ontology, config.base, change, progress)
        files = rel.all_files()
        manifest = manifest_of(files, {"ganzhou-gba.trig": trig_sha256})
        # the files are written and synced while the state is pickled, and both while
        # HermiT finishes: nothing is switched to before it found no contradiction
        writing = in_thread(lambda: publish_files(staged, files, manifest))
        prior = baseline.state if baseline is not None else None
        state = state_of(rel, config, key, manifest, layout.STORE)
        keeping = in_thread(lambda: write_state(state, prior, staged))
        rel.confirm(progress)
        writing()
        keeping()
        name = "r-" + hashlib.sha256(manifest).hexdigest()[:16]  # the same release, the same name
        notes = _notes(config, trig, name, manifest, progress)
        for note, data in notes.items():
            write_atomic(staged / note, data)
        folder = layout.switch(config.dist, staged, name, [*files, *notes])
    except (OSError, RuntimeError) as exc:  # RocksDB reports I/O errors as RuntimeError
        shutil.rmtree(staged, ignore_errors=True)
        raise PublishError(f"could not write the release to {config.dist}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    progress(f"published {len(files)} files, SHA256SUMS and the store to {folder}")
    progress(f"{config.dist / layout.CURRENT} -> {folder.name}")
    return Published(tuple(sorted(files)), folder, baseline is not None)
