"""What CHANGES.md costs a build (issue 24): the diff of the last release's TriG and the new
one's, read whole (curate/diff.py) and as kg build reads them (curate/changed_graphs.py:
the blocks that differ and what they name), in this process, one figure's value changed.

    python benchmarks/release_notes.py DIST [--rounds 3]

DIST: a dist/ folder built from a generated corpus (benchmarks/generate_corpus.py; kg build).
Prints seconds and the ratio to the whole read; the figures go in RESULTS.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from kg_build.curate.changed_graphs import changes
from kg_build.curate.diff import diff, read_trig, trig_of

BASE = "https://w3id.org/ganzhou-gba/"


def _seconds(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    old = trig_of(args.dist)
    value = re.search(rb'schema:value "(\d+)"', old)
    if value is None:
        raise SystemExit("no figure's value to change in this release")
    new = old.replace(value.group(0), value.group(0).replace(b'"', b'"9', 1), 1)
    whole = _seconds(lambda: diff(read_trig(old, BASE), read_trig(new, BASE)), args.rounds)
    blocks = _seconds(lambda: changes(old, new, BASE), args.rounds)
    if changes(old, new, BASE) != diff(read_trig(old, BASE), read_trig(new, BASE)):
        raise SystemExit("the two ways give different diffs: a bug (tests/test_diff.py)")
    print(f"TriG: {len(old) / 1e6:.0f} MB; one figure's value changed; median of {args.rounds}")
    print(f"whole dumps read (baseline)      {whole:6.2f} s  1.00")
    print(f"blocks that differ (kg build)    {blocks:6.2f} s  {blocks / whole:.2f}")


if __name__ == "__main__":
    main()
