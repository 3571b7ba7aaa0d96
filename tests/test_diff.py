"""`kg diff OLD NEW` (issue 24, part): a release's changes in terms of facts."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import BASE, ROOT, TEXTS, copy_project, kg_here, project_config

from kg_build.publish.release import publish_release

FNA = "fna-2021-12-10-ganshen-hsr-opens"


def test_a_diff_names_each_kind_of_change_and_nothing_else(tmp_path: Path) -> None:
    """One release of the fixture corpus, then: a figure's value changed, a figure removed,
    a company given its Wikidata item. The diff says exactly that: the changed value with
    the source and its quote, the figure removed, the link added."""
    project = copy_project(tmp_path / "project")
    old = _built(project, tmp_path / "old")
    figures = project / "facts" / "sources" / FNA / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    text = text.replace("    value: 350\n", "    value: 300\n")
    start = text.index("  - id: fna-ganshen-hsr-stations")
    text = text[:start] + text[text.index("  - id:", start + 5) :]
    figures.write_text(text, encoding="utf-8")
    companies = (
        project / "facts" / "sources" / "cns-2022-02-17-ganzhou-bay-area" / "organisations.yaml"
    )
    companies.write_text(
        companies.read_text(encoding="utf-8").replace(
            "    seat: zhuhai\n", "    seat: zhuhai\n    wikidata: Q1349290\n", 1
        ),
        encoding="utf-8",
    )
    new = _built(project, tmp_path / "new")

    done = kg_here("diff", str(old), str(new), "--format", "json", cwd=ROOT)
    assert done.code == 0, done.err
    found = json.loads(done.out)
    assert found["added"] == []
    assert found["removed"] == [f"{BASE}id/figure/fna-ganshen-hsr-stations"]
    speed = f"{BASE}id/figure/fna-ganshen-hsr-design-speed"
    values = [c for c in found["changed"] if c["property"] == "https://schema.org/value"]
    assert values == [
        {
            "thing": speed,
            "source": FNA,
            "property": "https://schema.org/value",
            "old": ['"350"^^<http://www.w3.org/2001/XMLSchema#decimal>'],
            "new": ['"300"^^<http://www.w3.org/2001/XMLSchema#decimal>'],
            "quote": "a design speed of 350 km per hour",
        }
    ]
    gree = f"{BASE}id/organisation/gree-electric"
    assert {c["thing"] for c in found["changed"]} <= {speed, gree}
    assert (
        found["links_added"] == [{"thing": gree, "link": "http://www.wikidata.org/entity/Q1349290"}]
        and found["links_removed"] == []
    )
    text_form = kg_here("diff", str(old), str(new), cwd=ROOT).out
    assert "figure:fna-ganshen-hsr-design-speed schema:value: 350 → 300" in text_form
    markdown = kg_here("diff", str(old), str(new), "--format", "markdown", cwd=ROOT).out
    assert markdown.startswith("# Changes") and "## Removed" in markdown
    back = json.loads(kg_here("diff", str(new), str(old), "--format", "json", cwd=ROOT).out)
    assert back["added"] == [f"{BASE}id/figure/fna-ganshen-hsr-stations"]
    assert back["links_removed"] == found["links_added"] and back["links_added"] == []
    same = kg_here("diff", str(new), str(new), cwd=ROOT)
    assert same.code == 0 and same.out == "No change in the facts.\n"
    missing = kg_here("diff", str(old), str(tmp_path / "nothing"), cwd=ROOT)
    assert missing.code == 2 and "no release" in missing.err


def test_a_diff_of_two_git_revisions_builds_each(tmp_path: Path) -> None:
    """`kg diff HEAD~1 HEAD`: the facts as committed at each revision, built on the fly; the
    working tree's uncommitted change is not in either."""
    import subprocess

    project = copy_project(tmp_path / "project")
    texts = ", ".join(f'"{t}"' for t in TEXTS)
    (project / "kg.toml").write_text(
        f'[kg-build]\nbase = "{BASE}"\nfacts = "facts"\nontology = "ontology"\n'
        f'shapes = "shapes"\ndist = "dist"\ntexts = [{texts}]\n',
        encoding="utf-8",
    )

    def git(*args: str) -> None:
        subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],  # noqa: S607
            cwd=project,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    figures = project / "facts" / "sources" / FNA / "figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8").replace("    value: 350\n", "    value: 300\n"),
        encoding="utf-8",
    )
    git("commit", "-qam", "design speed")
    figures.write_text(  # not committed: no part of either revision
        figures.read_text(encoding="utf-8").replace("    value: 436\n", "    value: 999\n"),
        encoding="utf-8",
    )
    config = str(project / "kg.toml")
    done = kg_here("diff", "HEAD~1", "HEAD", "--config", config, "--format", "json", cwd=project)
    assert done.code == 0, done.err
    changed = json.loads(done.out)["changed"]
    assert [
        (c["thing"].rsplit("/", 1)[1], c["old"], c["new"])
        for c in changed
        if c["property"].endswith("/value")
    ] == [
        (
            "fna-ganshen-hsr-design-speed",
            ['"350"^^<http://www.w3.org/2001/XMLSchema#decimal>'],
            ['"300"^^<http://www.w3.org/2001/XMLSchema#decimal>'],
        )
    ]
    unknown = kg_here("diff", "no-such-revision", "HEAD", "--config", config, cwd=project)
    assert unknown.code == 2 and "no-such-revision" in unknown.err


def _built(root: Path, dist: Path, *, full: bool = True) -> Path:
    publish_release(project_config(root, dist=dist), full=full, reason=False)
    return dist


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


GSR = "gsr-2022-01-20-spring-festival-notice"
CNS = "cns-2022-02-17-ganzhou-bay-area"


def test_disagreements_and_preferred_values_are_named(tmp_path: Path) -> None:
    """The fixture corpus has two disagreements (CNS and the railway's notice give other
    numbers of passengers and of train pairs). The notice corrected to CNS's passengers and
    CNS's train pairs to the notice's: both resolved, by the figures' names, and the train
    pairs' preferred value (CNS's, published last) changed from 69 to 72. The other way
    round, the same two are new."""
    project = copy_project(tmp_path / "project")
    old = _built(project, tmp_path / "old")
    _set(project / "facts" / "sources" / GSR / "figures.yaml", "value: 500000\n", "value: 466000\n")
    _set(project / "facts" / "sources" / CNS / "figures.yaml", "value: 69\n", "value: 72\n")
    new = _built(project, tmp_path / "new")
    found = json.loads(kg_here("diff", str(old), str(new), "--format", "json", cwd=ROOT).out)
    figure = f"{BASE}id/figure/"
    pairs = [
        [f"{figure}{prefix}ganshen-hsr-spring-festival-{what}" for prefix in ("", "gsr-")]
        for what in ("passengers", "train-pairs")
    ]
    assert found["disagreements_resolved"] == pairs
    assert found["disagreements_new"] == []
    (preferred,) = found["preferred_values"]
    assert "measure/scheduled-train-pairs" in preferred["of"]
    assert preferred["old"].startswith('"69"^^') and preferred["new"].startswith('"72"^^')
    assert preferred["new"].endswith("(ganshen-hsr-spring-festival-train-pairs)")
    back = json.loads(kg_here("diff", str(new), str(old), "--format", "json", cwd=ROOT).out)
    assert back["disagreements_new"] == pairs and back["disagreements_resolved"] == []
    shown = kg_here("diff", str(old), str(new), "--format", "markdown", cwd=ROOT).out
    assert "## Resolved disagreements" in shown and "## Preferred values changed" in shown
    assert "69 `unit:count` (ganshen-hsr-spring-festival-train-pairs) → 72" in shown


def test_a_build_publishes_its_changes_naming_a_one_line_change_alone(tmp_path: Path) -> None:
    """A release, one line of one fact file changed, the next release: its CHANGES.md names
    that change and nothing else, and release.ttl says which release it revises; the same
    from a build from nothing and from one on the last release."""
    project = copy_project(tmp_path / "project")
    full, incremental = tmp_path / "full", tmp_path / "incremental"
    _built(project, full)
    _built(project, incremental)
    first = (full / "current").resolve().name
    notes = (full / "CHANGES.md").read_text(encoding="utf-8")
    assert notes.startswith(f"# Release {first}\n\nThe first release: ")
    assert "things (" in notes and "figure" in notes and "\n- " not in notes  # counted
    _set(project / "facts" / "sources" / FNA / "figures.yaml", "value: 350\n", "value: 300\n")
    _built(project, full)
    _built(project, incremental, full=False)
    second = (full / "current").resolve().name
    changes = (full / "CHANGES.md").read_text(encoding="utf-8")
    assert changes == (incremental / "CHANGES.md").read_text(encoding="utf-8")
    assert changes == (
        f"# Release {second}\n\nChanges in facts since release {first} (`kg diff`).\n\n"
        "## Changed\n\n"
        f"- `figure:fna-ganshen-hsr-design-speed` `schema:value`: 350 → 300 (source {FNA}) — "
        '"a design speed of 350 km per hour"\n'
    )
    from rdflib import Graph, URIRef
    from rdflib.namespace import PROV

    described = Graph().parse(full / "release.ttl")
    release = URIRef(f"{BASE}dataset/release/{second}")
    assert described.value(release, PROV.wasRevisionOf) == URIRef(f"{BASE}dataset/release/{first}")
    counts = {
        str(p).rsplit("/", 1)[1]: int(str(o))
        for p, o in described.predicate_objects(release)
        if str(p).startswith(f"{BASE}def/")
    }
    assert counts == {
        "thingsAdded": 0,
        "thingsRemoved": 0,
        "statementsChanged": 1,
        "preferredValuesChanged": 0,
        "disagreementsAdded": 0,
        "disagreementsResolved": 0,
    }
    # not in SHA256SUMS: the release's name stays a function of its facts
    assert "CHANGES.md" not in (full / "SHA256SUMS").read_text(encoding="utf-8")
    # the same facts again: the same release, and its notes as they were
    kept = {name: (full / name).read_bytes() for name in ("CHANGES.md", "release.ttl")}
    _built(project, full, full=False)
    assert {name: (full / name).read_bytes() for name in kept} == kept


def test_reading_only_the_graphs_that_differ_gives_the_whole_diff(tmp_path: Path) -> None:
    """What kg build and kg diff run (curate/changed_graphs.py: the blocks whose bytes differ,
    and what they name) against diff() of both whole dumps: the same Diff, each way, for a
    source removed (things, ranks and disagreements go with it), a value and a link changed,
    and a source dated later, whose figures become the preferred ones while the figures they
    displace, in a source whose graph did not change, are read only for that."""
    import shutil

    from kg_build.curate.changed_graphs import changes
    from kg_build.curate.diff import diff, read_trig, trig_of

    project = copy_project(tmp_path / "project")
    originals = {p: p.read_bytes() for p in (project / "facts").rglob("*.yaml")}
    releases = [_built(project, tmp_path / "r0")]
    shutil.rmtree(project / "facts" / "sources" / GSR)
    releases.append(_built(project, tmp_path / "r1"))
    _set(project / "facts" / "sources" / FNA / "figures.yaml", "value: 350\n", "value: 300\n")
    companies = project / "facts" / "sources" / CNS / "organisations.yaml"
    _set(companies, "    seat: zhuhai\n", "    seat: zhuhai\n    wikidata: Q1349290\n")
    releases.append(_built(project, tmp_path / "r2"))
    for path, data in originals.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _set(project / "facts" / "sources" / GSR / "source.yaml", "2022-01-20\n", "2022-02-20\n")
    releases.append(_built(project, tmp_path / "r3"))
    dumps = [trig_of(r) for r in releases]
    pairs = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (0, 3), (3, 0), (2, 3), (3, 3)]
    for a, b in pairs:
        whole = diff(read_trig(dumps[a], BASE), read_trig(dumps[b], BASE))
        assert changes(dumps[a], dumps[b], BASE) == whole, (a, b)
        assert whole.empty == (a == b)
    gone = diff(read_trig(dumps[0], BASE), read_trig(dumps[1], BASE))
    assert gone.removed and gone.disagreements_resolved
    later = diff(read_trig(dumps[0], BASE), read_trig(dumps[3], BASE))
    assert len(later.preferred_values) == 2 and len(later.preferred) == 4
