"""One `kg build`: run the pipeline (on the last release, when there is one to build on)
and publish what it made to dist/, every file atomically, the state for the next build
last. Raises instead of exiting, so that it runs in-process from Python and tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg_build.config import Config
from kg_build.elsewhere import in_thread
from kg_build.errors import NonConformingError
from kg_build.incremental.baseline import Baseline
from kg_build.incremental.state import (
    dump_state,
    dump_written,
    global_key,
    look_aside,
    state_path,
    written_path,
)
from kg_build.pipeline import Progress, release, silent, state_of, store_change
from kg_build.publish.write import manifest_of, publish_files, sha256_hex, write_atomic
from kg_build.reason.owl import java_found, require_java
from kg_build.store.embedded import remove_scratch, write_store


@dataclass(frozen=True)
class Published:
    files: tuple[str, ...]  # the files written beside SHA256SUMS
    store: Path  # the store folder dist/store now points at
    incremental: bool  # whether it was built on the last release


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
    try:
        return _publish(config, full, reason, progress)
    finally:
        remove_scratch()  # the check store's scratch copy, whatever happened


def _publish(config: Config, full: bool, reason: bool, progress: Progress) -> Published:
    if reason and not java_found():
        if config.require_reasoner:
            require_java()  # raises ReasonerUnavailableError, before any work
        progress(
            "warning: Java not found, so the OWL consistency check (HermiT) is skipped; the "
            "part-of closure is published as always. Install Java (Debian: apt-get install "
            "default-jre-headless) to check; --require-reasoner (kg.toml: require_reasoner = "
            "true) makes this an error."
        )
        reason = False
    looked = look_aside(config.facts) if config.facts.is_dir() else None
    key = global_key(config)
    baseline = None if full else Baseline.load(config, key)
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
    )
    if rel.checked.problems:
        raise NonConformingError(rel.checked.problems)
    trig, ontology = rel.files["ganzhou-gba.trig"], rel.files["ontology.ttl"]
    trig_sha256 = sha256_hex(trig)  # names the store and goes in SHA256SUMS
    change = store_change(rel, config)
    confirm = lambda: rel.confirm(progress)  # noqa: E731
    store = write_store(config.dist, trig, ontology, config.base, change, confirm, trig_sha256)
    files = rel.all_files()
    manifest = manifest_of(files, {"ganzhou-gba.trig": trig_sha256})
    # the files are written and synced while the state is pickled
    writing = in_thread(lambda: publish_files(config.dist, files, manifest))
    prior = baseline.state if baseline is not None else None
    state = dump_state(state_of(rel, config, key, manifest, store.name), prior)
    written = writing()
    write_atomic(state_path(config.dist), state)
    # after the state: with stats of other files the next build hashes the files instead
    write_atomic(written_path(config.dist), dump_written(written))
    progress(f"published {len(files)} files and SHA256SUMS to {config.dist}")
    progress(f"embedded store (Oxigraph) at {config.dist / 'store'} -> {store.name}")
    return Published(tuple(sorted(files)), store, baseline is not None)
