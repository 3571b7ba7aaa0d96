"""This kg-build's `kg build` (full and incremental) and `kg query` beside an earlier one's.

    .venv/bin/python benchmarks/compare_builds.py --baseline /path/to/old/.venv/bin/kg \\
        [--sources 10000] [--rounds 2] [--work /tmp/kg-compare]

Generates one corpus (benchmarks/generate_corpus.py), then, alternating the two programs
round by round so that the machine's drift falls on both: a full build from nothing, then
two incremental builds (one figure edited, then the edit undone; the slower counts), each
into its own dist/. Then `kg query count-by-class` on the shipped facts, as a user runs it
(a fresh process each time). Prints the figures as ratios against the baseline and writes
them into RESULTS.md between the compare-builds markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
from generate_corpus import DEFAULT_GAZETTEER, generate  # noqa: E402

START, END = "<!-- compare-builds: start -->", "<!-- compare-builds: end -->"


def _run(command: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, the child's peak memory in MB (wait4) and its stderr."""
    start = time.perf_counter()
    with subprocess.Popen(  # noqa: S603 - kg commands given on our command line
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as child:
        err = child.stderr.read() if child.stderr else ""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err[-2000:]}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, err


def builds(kg: str, corpus: Path, dist: Path) -> dict[str, float]:
    shutil.rmtree(dist, ignore_errors=True)
    base = [kg, "build", "--config", str(corpus / "kg.toml"), "--dist", str(dist)]
    full, full_mb, _ = _run([*base, "--full"])
    figures = corpus / "facts" / "sources" / "gen-00001" / "figures.yaml"
    original = figures.read_text(encoding="utf-8")
    slowest = 0.0
    try:
        for text in (original.replace("value: ", "value: 1", 1), original):
            figures.write_text(text, encoding="utf-8")
            seconds, _, err = _run(base)
            if "incremental:" not in err:
                raise SystemExit(f"{kg}: the build did not build on the release before it")
            slowest = max(slowest, seconds)
    finally:
        figures.write_text(original, encoding="utf-8")
    return {"full": full, "full_mb": full_mb, "incremental": slowest}


def query_time(kg: str, dist: Path, runs: int = 7) -> float:
    command = [kg, "query", "count-by-class", "--dist", str(dist)]
    return statistics.median(_run(command, cwd=PROJECT)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, metavar="KG", help="the earlier `kg`")
    parser.add_argument("--label", default="baseline", help="what the baseline is, for the report")
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-compare")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--statements-every",
        type=int,
        default=5,
        help="sources saying something of another's project (0 against code without statements)",
    )
    args = parser.parse_args()
    ours = str(Path(sys.executable).parent / "kg")
    corpus = args.work / f"corpus-{args.sources}"
    print(f"generating {args.sources} sources in {corpus}", file=sys.stderr)
    generate(corpus, args.sources, 7, args.gazetteer, args.statements_every)
    figures: dict[str, list[dict[str, float]]] = {"baseline": [], "ours": []}
    for round_ in range(args.rounds):
        for who, kg in (("baseline", args.baseline), ("ours", ours)):
            print(f"round {round_ + 1}: {who} builds", file=sys.stderr)
            figures[who].append(builds(kg, corpus, args.work / f"dist-{who}"))
            print(f"  {figures[who][-1]}", file=sys.stderr)
    seed = args.work / "seed-dist"
    _run([ours, "build", "--dist", str(seed)], cwd=PROJECT)
    programs = (("baseline", args.baseline), ("ours", ours))
    queries = {who: query_time(kg, seed) for who, kg in programs}

    def mean(who: str, key: str) -> float:
        return statistics.mean(r[key] for r in figures[who])

    rows = [
        ("full `kg build` (s)", "full"),
        ("full build peak memory (MB)", "full_mb"),
        ("incremental `kg build`, one figure edited (s)", "incremental"),
    ]
    lines = [
        START,
        f"Baseline: {args.label}. {args.sources:,} sources, {args.rounds} alternating rounds, "
        "means; ratio = ours / baseline (below 1: ours is faster or smaller).",
        "",
        "| measure | baseline | ours | ratio |",
        "|---|---|---|---|",
    ]
    for label, key in rows:
        b, o = mean("baseline", key), mean("ours", key)
        lines.append(f"| {label} | {b:.1f} | {o:.1f} | {o / b:.2f} |")
    for who in ("baseline", "ours"):
        speedup = mean(who, "full") / mean(who, "incremental")
        lines.append(f"| full / incremental, {who} | | | {speedup:.1f}× |")
    b, o = queries["baseline"], queries["ours"]
    lines.append(
        f"| `kg query count-by-class` on the shipped facts, median of 7 (s) "
        f"| {b:.2f} | {o:.2f} | {o / b:.2f} |"
    )
    lines.append(END)
    report = "\n".join(lines)
    print(report)
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + report + text[text.index(END) + len(END) :]
    else:
        text += "\n## This kg-build beside an earlier one\n\n" + report + "\n"
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
