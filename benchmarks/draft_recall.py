"""How many of the seed article's curated figures `kg draft` proposes, and how many of its
proposals are curated (issue 24): run from the project root, figures for RESULTS.md.

    python benchmarks/draft_recall.py [SHARED_DIR]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from kg_build.config import load_config
from kg_build.curate.draft.measures import measures_of
from kg_build.curate.draft.mentions import names_of
from kg_build.curate.draft.records import SourceInfo, make_draft
from kg_build.curate.draft.score import score
from kg_build.facts.model import Figure
from kg_build.pipeline import read_corpus

SEED = "cns-2022-02-17-ganzhou-bay-area"


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    config = load_config(Path("kg.toml"))
    ontology, corpus = read_corpus(config)
    text = (shared / "sources" / f"{SEED}.en.txt").read_text(encoding="utf-8")
    info = SourceInfo(SEED + "-draft", dt.date(2022, 2, 17), "seed", "china-news-service", "x.txt")
    made = make_draft(text, info, names_of(corpus), measures_of(ontology, corpus))
    curated = [
        e.record
        for e in corpus.of_kind("figures")
        if e.source == SEED and isinstance(e.record, Figure)
    ]
    s = score(text, curated, made.files.get("figures.yaml", []))
    print(f"curated figures        {s.curated}")
    print(f"proposed figures       {s.proposed}")
    print(f"recall (value, unit)   {s.found}/{s.curated} = {s.recall:.0%}")
    print(f"precision              {s.right}/{s.proposed} = {s.precision:.0%}")
    print(f"measure right          {s.measures}/{s.found}")
    print(f"comparator right       {s.comparators}/{s.found}")


if __name__ == "__main__":
    main()
