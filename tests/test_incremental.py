"""Incremental builds: after each edit, deletion or addition, building on the last release
gives the same bytes (and the same store) as a build from nothing, and rebuilds only the
graphs the change touched."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import PUBLISHED_FILES, ROOT, SHARED, run_kg

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_corpus import generate  # type: ignore[import-not-found]  # noqa: E402

from kg_build import pipeline  # noqa: E402
from kg_build.config import load_config  # noqa: E402
from kg_build.errors import InputError, NonConformingError  # noqa: E402
from kg_build.facts.load import load_corpus, read_parts  # noqa: E402
from kg_build.incremental.state import (  # noqa: E402
    RACY_NS,
    BuildState,
    FactFiles,
    fact_files,
    look_aside,
    read_state,
    state_path,
)
from kg_build.ontology import load_ontology, vocabulary_of  # noqa: E402
from kg_build.publish.layout import current  # noqa: E402
from kg_build.publish.release import publish_release  # noqa: E402

pytestmark = pytest.mark.slow

SOURCES = 12
# a figure of gen-00002 about gen-00001's project
CROSS_SOURCE_FIGURE = (
    "  - id: gen-00002-about-gen-00001\n"
    "    about: gen-00001-project\n"
    "    measure: total-investment\n"
    "    value: 5.0e9\n"
    "    unit: CNY\n"
    '    period: "2020"\n'
    '    quote: "The contract value is"\n'
)
DUMPS = ("ganzhou-gba.nt", "ganzhou-gba.ttl", "ganzhou-gba.trig", "ganzhou-gba.jsonld")


def _store_quads(dist: Path) -> tuple[set[str], set[str]]:
    store = ox.Store.read_only(str(dist / "store"))
    return {str(q) for q in store}, {str(g) for g in store.named_graphs()}


def _state(dist: Path) -> BuildState:
    folder = current(dist)
    assert folder is not None
    return read_state(folder)


def _build_here(config: str, dist: Path, full: bool = False) -> tuple[int, str]:
    """`kg build` in this process: its exit code and what it said (progress, problems)."""
    said: list[str] = []
    try:
        settings = load_config(Path(config)).with_overrides(dist=dist)
        publish_release(settings, full=full, progress=said.append)
    except NonConformingError as exc:
        return 1, "\n".join([*said, *map(str, exc.problems)])
    except InputError as exc:
        return 2, "\n".join([*said, *map(str, exc.problems)])
    return 0, "\n".join(said)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rebuilt(err: str) -> tuple[int, int]:
    found = re.search(r"in (\d+) of (\d+) graphs rebuilt", err)
    assert found, err
    return int(found[1]), int(found[2])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Generated corpora of SOURCES and SOURCES + 1 sources; the first SOURCES are the same
    in both, the last one brings new places with it."""
    gazetteer = SHARED / "reference" / "cn-admin-divisions.csv"
    if not gazetteer.is_file():
        pytest.fail(f"gazetteer not found at {gazetteer}: the corpus generator needs it")
    folder = tmp_path_factory.mktemp("incremental")
    generate(folder / "corpus", SOURCES, 7, gazetteer)
    generate(folder / "more", SOURCES + 1, 7, gazetteer)
    return folder / "corpus", folder / "more"


@pytest.fixture
def corpus(corpora: tuple[Path, Path], tmp_path: Path) -> Path:
    work = tmp_path / "corpus"
    shutil.copytree(corpora[0], work)
    return work


def test_incremental_builds_equal_full_builds(
    corpus: Path, corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    config = str(corpus / "kg.toml")
    facts, texts = corpus / "facts", corpus / "texts"
    sources = facts / "sources"
    incremental = tmp_path / "incremental"

    def build(dist: Path, *extra: str) -> str:
        code, err = _build_here(config, dist, full="--full" in extra)
        assert code == 0, err
        return err

    def same_as_full(step: str, whole: tuple[str, ...] = ()) -> tuple[int, int]:
        err = build(incremental)
        assert "incremental: building on the release" in err, step
        # the dumps were spliced from the last release's, except those said to be written whole
        found = re.search(r"\(([^()]*) spliced from the last release's\)", err)
        spliced = set(found[1].split(", ")) if found else set()
        assert spliced == set(DUMPS) - set(whole), (step, err)
        full = tmp_path / f"full-{step}"
        build(full, "--full")
        for name in PUBLISHED_FILES:
            assert (incremental / name).read_bytes() == (full / name).read_bytes(), (step, name)
        assert _store_quads(incremental) == _store_quads(full), step
        # keys kept from the last build are the keys a full build computes
        kept, fresh = _state(incremental).graph_keys, _state(full).graph_keys
        assert (kept.keys, kept.reads, kept.digests) == (fresh.keys, fresh.reads, fresh.digests)
        # and what the next splice reads: shared lines, subjects, records
        ours, theirs = _state(incremental), _state(full)
        assert (ours.shared, ours.subjects) == (theirs.shared, theirs.subjects), step
        assert ours.parts == theirs.parts, step
        return _rebuilt(err)

    assert "incremental:" not in build(incremental)  # the first build has nothing to build on

    steps: list[tuple[str, Callable[[], None], Callable[[int, int], bool]]] = [
        (
            "nothing-changed",
            lambda: None,
            lambda rebuilt, total: rebuilt == 0,
        ),
        (
            "edit-a-figure",
            lambda: _edit(sources / "gen-00003" / "figures.yaml", "value: ", "value: 1"),
            lambda rebuilt, total: rebuilt == 1,
        ),
        (
            # a record in one source that another source's graph reads (a figure's label
            # names what it is about): renaming it must rebuild both graphs
            "add-a-cross-source-figure",
            lambda: _append(sources / "gen-00002" / "figures.yaml", CROSS_SOURCE_FIGURE),
            lambda rebuilt, total: rebuilt == 1,
        ),
        (
            "rename-what-another-source-reads",
            lambda: _rename_project(sources / "gen-00001" / "projects.yaml"),
            lambda rebuilt, total: rebuilt == 2,
        ),
        (
            # gen-00005 says something of gen-00004's project (a statement, with a milestone
            # whose label reads the project's name): both graphs are made again
            "rename-what-a-statement-reads",
            lambda: _rename_project(sources / "gen-00004" / "projects.yaml"),
            lambda rebuilt, total: rebuilt == 2,
        ),
        (
            "edit-a-statement",
            lambda: _edit(
                sources / "gen-00005" / "projects.yaml",
                "about: gen-00004-project\n    participants: [gen-00005-company]",
                "about: gen-00004-project\n    participants: [gen-00005-company, gen-00003-company]",  # noqa: E501
            ),
            lambda rebuilt, total: rebuilt == 1,
        ),
        (
            "delete-a-source",
            lambda: _delete(sources / "gen-00006", texts / "gen-00006.en.txt"),
            # the graph of the scheme the deleted source's concept was filed under (gen-00001's
            # lists its concepts)
            lambda rebuilt, total: rebuilt == 1 and total == SOURCES,  # 12 + gazetteer - 1
        ),
        (
            # a new source and the places it names (their graph is rebuilt too), and the graph
            # of the scheme it files a concept under (gen-00011's)
            "add-a-source",
            lambda: _add_source(corpora[1], corpus, f"gen-{SOURCES + 1:05d}"),
            lambda rebuilt, total: rebuilt == 3 and total == SOURCES + 1,
        ),
        (
            "add-to-the-place-hierarchy",
            lambda: _add_a_region(facts / "places.yaml", texts),
            lambda rebuilt, total: rebuilt == 1,
        ),
    ]
    for name, change, expected in steps:
        change()
        rebuilt, total = same_as_full(name)
        assert expected(rebuilt, total), (name, rebuilt, total)

    # A dump that is not what the last release published is written whole, not spliced.
    edited = incremental / "ganzhou-gba.ttl"
    edited.write_bytes(edited.read_bytes().replace(b" ;\n", b" ;\n# edited by hand\n", 1))
    _edit(sources / "gen-00005" / "figures.yaml", "value: ", "value: 2")
    assert same_as_full("edited-dump", whole=("ganzhou-gba.ttl",))[0] == 1


def test_a_failed_incremental_build_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    work = corpus
    config, dist = str(work / "kg.toml"), tmp_path / "dist"
    assert run_kg("build", "--config", config, "--dist", str(dist)).code == 0
    before = {p.name: p.read_bytes() for p in dist.iterdir() if p.is_file()}
    state = state_path(dist / "current").read_bytes()
    figures = work / "facts" / "sources" / "gen-00006" / "figures.yaml"
    _edit(figures, "unit: CNY", "unit: QQQ")
    result = run_kg("build", "--config", config, "--dist", str(dist))
    assert result.code == 2, result.err
    assert "gen-00006/figures.yaml" in result.err and "unit" in result.err
    assert {p.name: p.read_bytes() for p in dist.iterdir() if p.is_file()} == before
    assert state_path(dist / "current").read_bytes() == state
    _edit(figures, "unit: QQQ", "unit: CNY")
    # A problem between a new source and an unchanged one is reported at both files' lines.
    sources = work / "facts" / "sources"
    (sources / "gen-00099").mkdir()
    for path in (sources / "gen-00005").iterdir():
        content = path.read_text(encoding="utf-8").replace("gen-00005", "gen-00099")
        (sources / "gen-00099" / path.name).write_text(content, encoding="utf-8")
    shutil.copy(work / "texts" / "gen-00005.en.txt", work / "texts" / "gen-00099.en.txt")
    twice = run_kg("build", "--config", config, "--dist", str(dist))
    assert twice.code == 1, twice.err
    assert "same English name" in twice.err and "(graph)" not in twice.err, twice.err
    assert "gen-00005/projects.yaml:" in twice.err and "gen-00099/projects.yaml:" in twice.err
    shutil.rmtree(sources / "gen-00099")
    again = run_kg("build", "--config", config, "--dist", str(dist))
    assert again.code == 0 and _rebuilt(again.err)[0] == 0, again.err
    assert {p.name: p.read_bytes() for p in dist.iterdir() if p.is_file()} == before


def test_a_record_gone_from_under_an_unchanged_reference_is_reported(
    corpus: Path, tmp_path: Path
) -> None:
    """The references of unchanged folders are not checked again while everything they can
    name is still there (facts/load.py _unchecked_parts): taking away what one names must
    still be reported at the unchanged file's line, as a full build reports it."""
    config, dist = str(corpus / "kg.toml"), tmp_path / "dist"
    sources = corpus / "facts" / "sources"
    _append(sources / "gen-00002" / "figures.yaml", CROSS_SOURCE_FIGURE)
    assert _build_here(config, dist)[0] == 0
    for path in (sources / "gen-00001").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("gen-00001-project", "gen-00001-works"), encoding="utf-8")
    code, said = _build_here(config, dist)
    assert "incremental: building on the release" in said
    full_code, full_said = _build_here(config, tmp_path / "full", full=True)
    assert code == full_code == 2, said
    problem = "gen-00002/figures.yaml"
    assert problem in said and "reference to unknown 'gen-00001-project'" in said, said
    assert said.splitlines()[-1] == full_said.splitlines()[-1]


def test_folders_read_apart_give_the_corpus_read_whole(
    corpora: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kg build reads the source folders in two processes (pipeline._read_on_both_cores):
    the records must be those of one reading, and a folder with a mistake is reported as
    it would be."""
    facts = tmp_path / "facts"
    shutil.copytree(corpora[0] / "facts", facts)
    vocabulary = vocabulary_of(load_ontology(ROOT / "ontology"))
    whole = load_corpus(facts, vocabulary)
    names = sorted(p.name for p in (facts / "sources").iterdir())
    parts = {**read_parts(facts, names[:5]), **read_parts(facts, names[5:])}
    # as they come out of the child: pickled
    apart = load_corpus(facts, vocabulary, reuse=pickle.loads(pickle.dumps(parts)))  # noqa: S301
    assert (apart.entries, apart.sources) == (whole.entries, whole.sources)
    assert apart.parts == whole.parts
    # through the pipeline, in a forked child and this process
    config = load_config(corpora[0] / "kg.toml")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FOLDERS", 2)
    read = pipeline._read_on_both_cores(config, fact_files(config.facts), {})
    whole = load_corpus(config.facts, vocabulary, config.root)
    assert sorted(read) == names and read == {n: whole.parts[n] for n in names}
    # a folder with a mistake is left for load_corpus, which reports it with its line
    _edit(facts / "sources" / names[3] / "figures.yaml", "unit: CNY", "unit: [CNY")
    assert names[3] not in read_parts(facts, names)
    with pytest.raises(InputError) as raised:
        load_corpus(facts, vocabulary, reuse=read_parts(facts, names))
    assert any(f"{names[3]}/figures.yaml" in p.file for p in raised.value.problems)


def _looked_up(err: str) -> int:
    found = re.search(r"quotes: \d+ checked, \d+ not found \((\d+) looked up again\)", err)
    assert found, err
    return int(found[1])


def test_quotes_are_looked_up_again_where_a_part_or_its_text_changed(
    corpus: Path, tmp_path: Path
) -> None:
    config, dist = str(corpus / "kg.toml"), tmp_path / "dist"
    texts = corpus / "texts"
    # texts written well before the first build looked (not "racily clean", see RACY_NS)
    old = time.time_ns() - 60 * 10**9
    for text in texts.iterdir():
        os.utime(text, ns=(old, old))

    def build(code: int = 0) -> str:
        found, err = _build_here(config, dist)
        assert found == code, err
        return err

    build()
    assert _looked_up(build()) == 0  # nothing changed: no text is read
    quotes = _state(dist).quotes
    assert quotes is not None and quotes.checked > 0
    # one figure edited: the quotes of its source folder, and no others
    _edit(corpus / "facts" / "sources" / "gen-00003" / "figures.yaml", "value: ", "value: 1")
    assert _looked_up(build()) == quotes.parts["gen-00003"].checked > 0
    # a text edited (its size differs; its mtime put back before the last build): the quotes
    # looked up in it are looked up again, and one no longer there is reported
    text = texts / "gen-00005.en.txt"
    _edit(text, "spoke to reporters", "spoke to journalists")
    os.utime(text, ns=(old, old))
    err = build(code=1)
    assert "gen-00005/people.yaml:" in err and "quote not found" in err, err
    # put back as the last release checked it: nothing to look up again
    _edit(text, "spoke to journalists", "spoke to reporters")
    os.utime(text, ns=(old, old))
    assert _looked_up(build()) == 0
    # a sentence added: every quote looked up in that text is looked up again, wherever it is
    _append(text, " The weather was fine.")
    os.utime(text, ns=(old, old))
    in_text = sum(p.checked for p in quotes.parts.values() if "gen-00005" in dict(p.texts))
    assert _looked_up(build()) == in_text >= quotes.parts["gen-00005"].checked > 0


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _rename_project(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = re.search(r'name: \{en: "([^"]+)"', text)
    assert found, text
    _edit(path, found[0], f'name: {{en: "{found[1]} Phase II"')


def _delete(folder: Path, text: Path) -> None:
    shutil.rmtree(folder)
    text.unlink()


def _add_source(more: Path, corpus: Path, name: str) -> None:
    shutil.copytree(more / "facts" / "sources" / name, corpus / "facts" / "sources" / name)
    shutil.copy(more / "texts" / f"{name}.en.txt", corpus / "texts")
    shutil.copy(more / "facts" / "places.yaml", corpus / "facts" / "places.yaml")


def _add_a_region(places: Path, texts: Path) -> None:
    """A new place inside a province: the part-of closure grows, so reasoning runs again."""
    sentence = (texts / "gen-00001.en.txt").read_text(encoding="utf-8").split(".")[0]
    province = re.search(r"- id: (\S+)\n    type: province\n", places.read_text("utf-8"))
    assert province, "the generated places changed shape"
    _append(
        places,
        "\n  - id: test-economic-zone\n"
        "    type: economic-region\n"
        "    name: {en: Test Economic Zone, zh: 测试经济区, pinyin: Ceshi Jingjiqu}\n"
        f"    part_of: [{province[1]}]\n"
        "    source: gen-00001\n"
        f'    quote: "{sentence}"\n',
    )


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_fact_files_are_read_again_only_when_their_stats_say_so(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    source = facts / "sources" / "a"
    source.mkdir(parents=True)
    old = time.time_ns() - 60 * 10**9
    _write(source / "figures.yaml", "figures: []\n", old)
    _write(facts / "places.yaml", "places: []\n", old)
    first = fact_files(facts)
    assert set(first.digests) == {"a", "places.yaml"}
    # Same size, mtime and inode, changed long before the last look: kept without reading
    # (so a change that restores all three goes unseen, as in git; --full reads everything).
    _write(source / "figures.yaml", "figures: {}\n", old)  # as many bytes as before
    assert fact_files(facts, first).digests == first.digests
    # The same change to a file touched just before the last look: read again ("racy").
    racy = FactFiles(first.digests, first.stats, old + RACY_NS // 2)
    assert fact_files(facts, racy).digests["a"] != first.digests["a"]
    # A new mtime, or a new file, is read again; the others keep their digests.
    _write(source / "people.yaml", "people: []\n", old)
    again = fact_files(facts, first)
    assert again.digests["a"] != first.digests["a"]
    assert again.digests["places.yaml"] == first.digests["places.yaml"]
    assert fact_files(facts).digests == again.digests  # the same as reading everything
    # what a child looked at while this process read the state (kg build) is the same
    aside = fact_files(facts, first, look_aside(facts)())
    assert (aside.digests, aside.stats) == (again.digests, again.stats)
