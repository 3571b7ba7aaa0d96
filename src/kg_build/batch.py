"""Settings for a process that runs the pipeline once and exits (`kg build`, `kg validate`)."""

from __future__ import annotations

import gc


def pause_cyclic_collector() -> None:
    """Turn CPython's cyclic garbage collector off for the rest of the process (and the
    children it forks). A build makes millions of long-lived objects (records, rdflib terms,
    pyoxigraph triples) and few reference cycles, yet the collector walks all of them again
    and again while they are being made; without it a full build takes a quarter less time
    with the same peak memory (benchmarks/RESULTS.md). Reference counting still
    frees everything that is not in a cycle."""
    gc.disable()
