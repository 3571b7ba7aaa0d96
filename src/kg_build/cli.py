"""`kg`: the command line. Each command is a few lines over the library; only this module writes.

Exit codes: 0 ok, 1 the data does not conform (SHACL, quotes, OWL consistency),
2 usage or input error (unreadable or malformed fact files, bad options).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click

from kg_build import __version__
from kg_build.batch import pause_cyclic_collector
from kg_build.config import CONFIG_FILE, Config, load_config
from kg_build.errors import InputError, NonConformingError, Problem
from kg_build.facts.load import DRAFT_BLANK, Corpus
from kg_build.facts.quotes import find_text
from kg_build.facts.ranks import conflict_lines, conflict_report, disagreements
from kg_build.link.accept import (
    Insertion,
    apply_insertions,
    plan_insertions,
    read_review,
)
from kg_build.link.check import check_links
from kg_build.link.external_ids import (
    check_external_ids,
    load_external_ids,
    source_file,
    statement_files,
)
from kg_build.link.gazetteer import load_gazetteer
from kg_build.link.suggest import GazetteerPlaces, review_table, suggest_links
from kg_build.link.wikidata import LinkEndpointError, WikidataEndpoint
from kg_build.namespaces import data_prefixes
from kg_build.ontology import vocabulary_of
from kg_build.pages.render import DEFAULT_TILES
from kg_build.pipeline import check, read_corpus
from kg_build.publish import layout
from kg_build.publish.release import PublishError, publish_release
from kg_build.publish.write import write_atomic
from kg_build.query.catalog import CannedQuery, load_catalog
from kg_build.query.engines import (
    Engine,
    OxigraphEngine,
    QueryError,
    RdflibEngine,
    RemoteEngine,
)
from kg_build.query.formats import FORMATS, FormatError, render
from kg_build.query.inject import with_values
from kg_build.query.names import choose, lookup_query, lookups
from kg_build.query.params import ParameterError, bind, parse_assignments
from kg_build.rdf.graph import build_dataset
from kg_build.reason.owl import InconsistentError, ReasonerUnavailableError
from kg_build.serve.w3id import htaccess
from kg_build.stats import compute_stats
from kg_build.store.embedded import open_store, resolve_store
from kg_build.store.from_dumps import rdflib_from_dist
from kg_build.store.graph_store import (
    BATCH,
    AuthKind,
    LoadError,
    Target,
    named_graphs_of,
    ntriples_of,
    put_graphs,
)

EXIT_OK, EXIT_NONCONFORMING, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


def _err(message: str) -> None:
    click.echo(message, err=True)


def _fail(code: int, headline: str, problems: Sequence[Problem] = ()) -> NoReturn:
    _err(headline)
    for problem in problems:
        _err(f"  {problem}")
    sys.exit(code)


def _config_options(func: F) -> F:
    """Options shared by every command that reads the facts; they override kg.toml."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Configuration file (default: ./kg.toml if present).",
        ),
        click.option("--facts", type=click.Path(path_type=Path), help="Folder of fact files."),
        click.option(
            "--ontology", type=click.Path(path_type=Path), help="Folder of ontology *.ttl."
        ),
        click.option("--shapes", type=click.Path(path_type=Path), help="Folder of SHACL *.ttl."),
        click.option(
            "--texts",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Folder holding source texts for the quote check (repeatable).",
        ),
        click.option("--base", help="Base IRI of the published resources (ends in '/')."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _published_options(func: F) -> F:
    """Options of the commands that use a published release: where it is and its settings."""
    options = [
        click.option(
            "--dist",
            type=click.Path(file_okay=False, path_type=Path),
            help="Published release to use (default: dist/).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Configuration file (default: ./kg.toml if present).",
        ),
        click.option("--base", help="Base IRI of the published resources."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _gazetteer_option(func: F) -> F:
    return click.option(
        "--gazetteer",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Gazetteer CSV of administrative divisions [default: `gazetteer` in kg.toml].",
    )(func)


def _config(config_path: Path | None, **overrides: Any) -> Config:
    return load_config(config_path).with_overrides(**overrides)


def _handles_input_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _no_config_found(kwargs)
            _fail(EXIT_USAGE, f"error: {len(exc.problems)} problem(s) in the input:", exc.problems)
        except ValueError as exc:  # e.g. a malformed --base
            _fail(EXIT_USAGE, f"error: {exc}")

    return wrapper  # type: ignore[return-value]


def _no_config_found(options: Mapping[str, Any]) -> None:
    """Say first, when the command found no kg.toml, that this is likely why it failed."""
    if "config_path" in options and options["config_path"] is None:
        here = Path.cwd()
        if not (here / CONFIG_FILE).is_file():
            _err(
                f"error: no {CONFIG_FILE} in {here}: run kg in the project folder, or point at "
                f"the project with --config PATH/{CONFIG_FILE} (or give each folder as an option)"
            )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg-build: curated facts from news -> a validated, linked RDF knowledge graph.

    Typical use: `kg validate` while editing facts, `kg build` to publish to dist/,
    `kg query` to ask the published graph the usual questions.
    Settings come from ./kg.toml; options override them.
    """


@main.command()
@_config_options
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: dist/).",
)
@click.option(
    "--no-reason",
    is_flag=True,
    help="Skip the OWL consistency check (HermiT, needs Java); the part-of closure is "
    "published either way.",
)
@click.option(
    "--require-reasoner",
    is_flag=True,
    default=None,
    help="Fail (exit 2) when HermiT cannot run, instead of warning [kg.toml: require_reasoner].",
)
@click.option(
    "--full",
    is_flag=True,
    help="Build from nothing, ignoring the last release in dist/ (its state, dumps and store).",
)
@_handles_input_errors
def build(
    config_path: Path | None,
    dist: Path | None,
    no_reason: bool,
    require_reasoner: bool | None,
    full: bool,
    **options: Any,
) -> None:
    """Run the whole pipeline and publish to dist/.

    facts -> RDF -> quote check -> SHACL -> part-of closure and OWL consistency (HermiT)
    -> Turtle, N-Triples, JSON-LD, TriG, VoID/DCAT description, the ontology and the
    embedded store, written as a new release folder and switched to whole
    (dist/current). Nothing is switched to unless every check passes, so a failed, killed
    or interrupted build leaves dist/ as it was. One build at a time: a second one says
    which holds dist/ and exits 2. Without Java the consistency check is skipped with a
    warning (an error with --require-reasoner); the release is the same.

    After a successful build, the next one re-reads and re-checks only what changed (its
    facts, the graphs made from them, SHACL and reasoning around them) and splices the
    dumps from the last release's; the outputs are the same bytes a full build gives.
    --full ignores that.
    """
    config = _config(config_path, dist=dist, require_reasoner=require_reasoner, **options)
    pause_cyclic_collector()
    try:
        publish_release(config, full=full, reason=not no_reason, progress=_err)
    except layout.BusyError as exc:
        _fail(EXIT_USAGE, f"error: {exc.problems[0].message}; {exc.problems[0].hint}")
    except PublishError as exc:
        _fail(EXIT_USAGE, f"error: {exc}; dist/ left unchanged")
    except NonConformingError as exc:
        _fail(
            EXIT_NONCONFORMING,
            f"error: {exc}; dist/ left unchanged:",
            exc.problems,
        )
    except InconsistentError as exc:
        _fail(EXIT_NONCONFORMING, f"error: {exc}")
    except ReasonerUnavailableError as exc:
        _fail(EXIT_USAGE, f"error: {exc}")
    # Everything is written and synced. Exit without freeing the build's millions of objects
    # one by one; the system takes the memory back at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_OK)


@main.command(name="validate")
@_config_options
@_handles_input_errors
def validate_command(config_path: Path | None, **options: Any) -> None:
    """Check the facts (form, references, quotes), the SHACL shapes and the quality queries.

    Writes nothing; exit code 1 lists every problem with its file, line and field. Figures
    of sources that disagree are listed after "conforms" (kg conflicts): data, not errors.
    Records `kg draft` wrote and nobody reviewed yet are listed with the input errors (exit
    2), each at its `draft:` line, and so is every `?` it left to fill.
    """
    config = _config(config_path, **options)
    pause_cyclic_collector()
    checked = check(config, progress=_err)
    if checked.problems:
        _fail(
            EXIT_NONCONFORMING,
            f"the data does not conform: {len(checked.problems)} problem(s):",
            checked.problems,
        )
    found = checked.disagreements()
    if found.conflicts:
        _err(f"conforms; {len(found.conflicts)} conflict(s) between figures (kg conflicts):")
        for line in conflict_lines(found):
            _err(line)
        return
    _err("conforms")


@main.command(name="conflicts")
@_config_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@_handles_input_errors
def conflicts_command(config_path: Path | None, fmt: str, **options: Any) -> None:
    """List where figures of the same thing for the same period disagree, with both quotes
    and which one answers by default (its rank). Disagreement is data: both are published,
    each with its source; the exit code is 0."""
    config = _config(config_path, **options)
    ontology, corpus = read_corpus(config)
    found = disagreements(corpus, vocabulary_of(ontology).units)
    if fmt == "json":
        report = conflict_report(found)
        click.echo(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False))
        return
    for line in conflict_lines(found):
        click.echo(line)
    click.echo(f"{len(found.conflicts)} conflict(s)")


@main.command()
@_config_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_handles_input_errors
def stats(config_path: Path | None, fmt: str, **options: Any) -> None:
    """Count entities per class, records and triples per source, and labels per language."""
    config = _config(config_path, **options)
    ontology, corpus = read_corpus(config)
    result = compute_stats(build_dataset(corpus, ontology, config.base), corpus)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo(
        f"triples: {result.triples} stated by the sources (the published dataset adds what it "
        "infers, and the home page and VoID count those too)"
    )
    click.echo("\nentities per class:")
    for name, count in result.classes.items():
        click.echo(f"  {count:6d}  {name}")
    click.echo("\nper source:")
    for name, counts in result.sources.items():
        click.echo(f"  {counts['records']:6d} records  {counts['triples']:6d} triples  {name}")
    click.echo("\nlabels per language:")
    for name, count in result.languages.items():
        click.echo(f"  {count:6d}  {name}")


@main.command(name="query")
@click.argument("name", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter value (repeatable). `kg query NAME --help-params` lists them.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format; turtle for CONSTRUCT queries.",
)
@click.option(
    "--endpoint", metavar="URL", help="Run on this SPARQL endpoint instead of the local build."
)
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="With --endpoint: a graph of the query's default graph (repeatable; SPARQL "
    "protocol's default-graph-uri).",
)
@click.option(
    "--as-loaded",
    is_flag=True,
    help="With --endpoint: the server holds a release as `kg load` put it; query its graph "
    "of the whole release (BASE graph/all) as the default graph, as the embedded store's "
    "default graph is (needed where the server's own default graph is not the union, or "
    "repeats a triple once per graph holding it, as Virtuoso's).",
)
@click.option("--user", envvar="KG_ENDPOINT_USER", help="Endpoint user [env KG_ENDPOINT_USER].")
@click.option(
    "--password",
    envvar="KG_ENDPOINT_PASSWORD",
    help="Endpoint password [env KG_ENDPOINT_PASSWORD].",
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Local engine: the embedded Oxigraph store dist/store, or rdflib over the dumps.",
)
@click.option(
    "--queries",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of canned queries (default: queries/).",
)
@click.option("--show-query", is_flag=True, help="Print the query text instead of running it.")
@_published_options
@_handles_input_errors
def query_command(
    name: str | None,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    default_graphs: tuple[str, ...],
    as_loaded: bool,
    user: str | None,
    password: str | None,
    engine: str,
    show_query: bool,
    config_path: Path | None,
    **options: Any,
) -> None:
    """List the canned queries, or run NAME on the local build or on any SPARQL endpoint.

    \b
    kg query                                   list queries with their parameters
    kg query travel-times                      run one on dist/store (embedded Oxigraph)
    kg query figures-about-place -p place=xinfeng     (or place:xinfeng, 信丰, an IRI)
    kg query search-by-name -p q=赣州 -f json
    kg query agreements --endpoint http://localhost:8890/sparql --as-loaded

    Parameters are bound as typed RDF terms (IRI, literal with datatype or language), never
    spliced into the query text. An IRI parameter also takes an id, PREFIX:ID or a name
    (English, Chinese, pinyin); one that names nothing, or several things, is an error.
    Exit codes: 0 ok, 2 unknown query, bad parameter or unreachable endpoint.
    """
    config = _config(config_path, **options)
    # parsing every query costs more than running one: only the one asked for
    catalog = load_catalog(config.queries, None if name is None else (lambda p: p.stem == name))
    if name is None:
        _list_queries(catalog)
        return
    if name not in catalog:
        _fail(EXIT_USAGE, f"error: no query {name!r}; `kg query` lists them")
    canned = catalog[name]
    try:
        given = parse_assignments(params)
        if as_loaded:
            default_graphs += tuple(f"{config.base}graph/{g}" for g in LOADED_DEFAULT_GRAPHS)
        runner = _engine(config, engine, endpoint, user, password, default_graphs)
        for lookup in lookups(canned, given, config.base):
            rows = runner.run(lookup_query(), lookup.bindings).rows
            given[lookup.parameter.name] = choose(lookup, rows)
        bindings = bind(canned, given)
        if show_query:
            text = (
                runner.text_for(canned, bindings)
                if isinstance(runner, RemoteEngine)
                else (with_values(canned.text, bindings))
            )
            click.echo(text)
            return
        result = runner.run(canned, bindings)
        click.echo(render(result, fmt, data_prefixes(config.base)), nl=False)
    except (ParameterError, FormatError, QueryError) as exc:
        _fail(EXIT_USAGE, f"error: {exc}")


# What `kg load` puts in BASE graph/…, and its canned queries read as their default graph
LOADED_DEFAULT_GRAPHS = ("all",)


def _engine(
    config: Config,
    engine: str,
    endpoint: str | None,
    user: str | None,
    password: str | None,
    default_graphs: tuple[str, ...] = (),
) -> Engine:
    if endpoint:
        return RemoteEngine(endpoint, user, password, default_graphs=default_graphs)
    if default_graphs:
        raise ParameterError("--default-graph and --as-loaded go with --endpoint")
    if engine == "rdflib":
        return RdflibEngine(rdflib_from_dist(config.dist, config.base))
    return OxigraphEngine(open_store(config.dist))


def _list_queries(catalog: Mapping[str, CannedQuery]) -> None:
    width = max(len(n) for n in catalog) if catalog else 0
    for canned in catalog.values():
        click.echo(f"{canned.name:<{width}}  {canned.summary}")
        for p in canned.parameters:
            required = "" if p.required else ", optional"
            default = f", default {p.default}" if p.default else ""
            click.echo(f"{'':<{width}}    --param {p.name}=… ({p.type_label}{required}{default})")


@main.command(name="load")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store Protocol URL, e.g. http://localhost:8890/sparql-graph-crud-auth.",
)
@click.option(
    "--graph", "graph", metavar="IRI", help="Named graph to replace [default: BASE graph/all]."
)
@click.option(
    "--ontology-graph",
    metavar="IRI",
    help="Also replace this graph with the ontology [default: BASE graph/ontology].",
)
@click.option(
    "--description-graph",
    metavar="IRI",
    help="Also replace this graph with the VoID/DCAT description "
    "[default: BASE graph/description].",
)
@click.option(
    "--facts-only", is_flag=True, help="Load the facts only, not ontology and description."
)
@click.option(
    "--union-only",
    is_flag=True,
    help="Load the union of the facts only, not also each source's named graph (queries "
    "that name the source of a relation then find none).",
)
@click.option("--user", envvar="KG_ENDPOINT_USER", help="User [env KG_ENDPOINT_USER].")
@click.option(
    "--password", envvar="KG_ENDPOINT_PASSWORD", help="Password [env KG_ENDPOINT_PASSWORD]."
)
@click.option(
    "--auth",
    type=click.Choice(["auto", "basic", "digest"]),
    default="auto",
    show_default=True,
    help="HTTP authentication; auto follows the server's challenge.",
)
@click.option(
    "--query-endpoint",
    metavar="URL",
    help="SPARQL endpoint used to verify the count [default: the GSP URL's sibling /sparql].",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="SPARQL Update endpoint for the final MOVE [default: beside the GSP URL: Virtuoso's "
    "/sparql-auth, Fuseki's /update, else the query endpoint].",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=4,
    show_default=True,
    help="Retries with exponential backoff on connection errors, HTTP 429/502/503/504 and "
    "deadlocks.",
)
@click.option(
    "--batch",
    type=click.IntRange(1),
    default=BATCH,
    show_default=True,
    help="Triples per request: the first request replaces the graph, the others add to it.",
)
@_published_options
@_handles_input_errors
def load_command(
    endpoint: str,
    graph: str | None,
    ontology_graph: str | None,
    description_graph: str | None,
    facts_only: bool,
    union_only: bool,
    user: str | None,
    password: str | None,
    auth: str,
    query_endpoint: str | None,
    update_endpoint: str | None,
    retries: int,
    batch: int,
    config_path: Path | None,
    **options: Any,
) -> None:
    """Push the published dataset into a SPARQL 1.1 Graph Store Protocol server.

    Loads the whole release into one graph (--graph: facts, inferences, and unless
    --facts-only the ontology and description), which queries read as their default graph
    (`kg query NAME --endpoint URL --as-loaded`: a server's own default graph may be empty
    or repeat triples); besides it each source's named graph and the graph of inferences,
    as in the TriG dump (queries that name the source of a relation read them), the
    ontology and the description. Each dump is checked here, then sent in parts into
    staging graphs (HTTP PUT of the first part, POST of the others); once the server holds
    all of them, SPARQL Update MOVEs replace the graphs, and the counts are verified through
    the SPARQL endpoint. Graphs under BASE graph/ that the release no longer has (a source
    removed) are dropped. Until the MOVEs the previous graphs are untouched: a malformed
    dump, a refused request or a server that dies leaves them as they were; any failure
    exits with code 2 and says so (docs/stores-and-loading.md).

    \b
    kg load --endpoint http://localhost:8890/sparql-graph-crud-auth --user dba --password …
    kg load --endpoint http://localhost:3030/gba/data --graph https://example.org/g
    """
    config = _config(config_path, **options)
    base = config.base
    folder = layout.current(config.dist)
    if folder is None:
        _fail(EXIT_USAGE, f"error: no release in {config.dist}; run `kg build` first")
    ontology_iri = ontology_graph or f"{base}graph/ontology"
    description_iri = description_graph or f"{base}graph/description"
    try:
        # one release, whole: no build replaces it while it is read
        with layout.locked(config.dist, "kg load"):
            facts = folder / "ganzhou-gba.nt"
            ontology, description = folder / "ontology.ttl", folder / "void.ttl"
            # The whole release in one graph, what the embedded store's default graph holds
            # and the canned queries read (with class and concept labels from the ontology):
            # a server's own default graph may repeat a triple once per graph holding it
            # (Virtuoso), and Virtuoso 7.2 answers wrongly over a default graph of several.
            whole = (facts,) if facts_only else (facts, ontology, description)
            graphs = {graph or f"{base}graph/all": ntriples_of(*whole)}
            if not union_only:
                named = named_graphs_of(folder / "ganzhou-gba.trig")
                # the description comes from void.ttl (the same triples), under its option
                named.pop(f"{base}graph/description", None)
                graphs.update(named)
            if not facts_only:
                graphs[ontology_iri] = ntriples_of(ontology)
                graphs[description_iri] = ntriples_of(description)
            kind = cast(AuthKind, auth)  # one of its values: click.Choice checked it
            target = Target(
                endpoint, next(iter(graphs)), user, password, kind, query_endpoint, update_endpoint
            )
            # a graph of ours the release no longer has is stale; with --facts-only the
            # ontology and description stay as they are
            keep = frozenset({ontology_iri, description_iri})
            _upload(target, graphs, f"{base}graph/", keep, retries, batch)
    except layout.BusyError as exc:
        _fail(EXIT_USAGE, f"error: {exc.problems[0].message}; {exc.problems[0].hint}")


def _upload(
    target: Target,
    graphs: dict[str, bytes],
    ours: str,
    keep: frozenset[str],
    retries: int,
    batch: int,
) -> None:
    """The graphs of the release into the server, said as it goes."""
    size = sum(len(data) for data in graphs.values())
    _err(f"loading {len(graphs)} graph(s) ({size / 1e6:.1f} MB) into {target.endpoint}")
    try:
        done = put_graphs(
            target,
            graphs,
            drop_under=ours,
            keep=keep,
            retries=retries,
            batch=batch,
            progress=_tenths(5_000_000, lambda s, t: f"sent {s / 1e6:.1f} of {t / 1e6:.1f} MB"),
        )
    except LoadError as exc:
        _fail(EXIT_USAGE, f"error: {exc}")
    _err(
        f"  {done.triples} triples in {done.graphs} graph(s) verified in {done.seconds:.1f} s, "
        f"{done.attempts} attempt(s)"
    )


def _limit(flag: str, kind: click.ParamType, default: object, env: str, text: str) -> Any:
    """An option of kg serve that sets a limit, also read from an environment variable."""
    return click.option(
        flag, type=kind, default=default, show_default=True, envvar=env, help=f"{text} [env {env}]."
    )


@main.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="KG_SERVE_HOST")
@click.option("--port", default=8000, show_default=True, type=int, envvar="KG_SERVE_PORT")
@click.option(
    "--public-base",
    envvar="KG_PUBLIC_BASE",
    help="Base under which clients reach this server, when not the dataset's own "
    "(behind a proxy) [env KG_PUBLIC_BASE].",
)
@click.option(
    "--queries",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of canned queries (default: queries/).",
)
@click.option(
    "--tiles",
    envvar="KG_TILES",
    default=DEFAULT_TILES,
    show_default=True,
    help="Map tiles' URL template ({z}/{x}/{y}), allowed by the pages' security policy; "
    "'' for none (the maps still show every place) [env KG_TILES].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="KG_WORKERS",
    help="Queries answered at once, each in a worker process [default: one per CPU core; "
    "env KG_WORKERS].",
)
@_limit(
    "--timeout",
    click.FloatRange(min=0.1),
    30.0,
    "KG_QUERY_TIMEOUT",
    "Seconds a query may run (and wait for a worker) before the answer is 503",
)
@_limit(
    "--queue",
    click.IntRange(min=0),
    64,
    "KG_QUEUE",
    "Requests that may wait for a worker; the next gets 503 with Retry-After",
)
@_limit(
    "--max-rows",
    click.IntRange(min=1),
    10_000,
    "KG_MAX_ROWS",
    "Rows (or triples) per answer; more are cut and flagged in X-Result-Truncated",
)
@_limit(
    "--worker-memory",
    click.IntRange(min=64),
    2048,
    "KG_WORKER_MEMORY",
    "Megabytes of heap a query worker may use; a query that needs more gets 400",
)
@_limit(
    "--max-query-length",
    click.IntRange(min=1),
    100_000,
    "KG_MAX_QUERY_LENGTH",
    "Longest query in characters; longer ones get 400",
)
@_limit(
    "--max-depth",
    click.IntRange(min=1),
    100,
    "KG_MAX_DEPTH",
    "Deepest nesting of groups, brackets and parentheses in a query; deeper gets 400",
)
@_limit(
    "--max-body",
    click.IntRange(min=1),
    1_000_000,
    "KG_MAX_BODY",
    "Largest request body in bytes; the reading stops there and the answer is 413",
)
@_limit(
    "--client-timeout",
    click.FloatRange(min=0.1),
    10.0,
    "KG_CLIENT_TIMEOUT",
    "Seconds a client may take to send a request's head, and then its body",
)
@_limit(
    "--keep-alive",
    click.IntRange(min=1),
    5,
    "KG_KEEP_ALIVE",
    "Seconds an idle connection stays open between requests",
)
@_limit(
    "--max-connections",
    click.IntRange(min=1),
    200,
    "KG_MAX_CONNECTIONS",
    "Open connections beyond which requests get 503",
)
@_published_options
@_handles_input_errors
def serve_command(
    host: str,
    port: int,
    public_base: str | None,
    tiles: str,
    timeout: float,
    max_rows: int,
    max_body: int,
    workers: int | None,
    queue: int,
    worker_memory: int,
    max_query_length: int,
    max_depth: int,
    client_timeout: float,
    keep_alive: int,
    max_connections: int,
    config_path: Path | None,
    **options: Any,
) -> None:
    """Serve the dataset: SPARQL 1.1 Protocol at /sparql, the canned queries at /api/queries
    (OpenAPI at /openapi.json), and a page or RDF for every IRI of the dataset.

    Read-only. Queries run in worker processes that cannot reach the network (SERVICE is
    refused) and are stopped at --timeout. A new release built into the same dist/ is
    picked up without a restart. Settings also come from environment variables.
    """
    from kg_build.serve.app import Settings, create_app, worker_settings
    from kg_build.serve.listener import ListenerLimits, serve
    from kg_build.serve.pool import Pool, PoolLimits, WorkerStartError, default_workers
    from kg_build.serve.screen import QueryLimits

    config = _config(config_path, **options)
    sock = _listen(host, port)  # first: a port in use is said before any worker starts
    settings = Settings(
        base=config.base,
        queries=config.queries,
        public_base=public_base,
        max_rows=max_rows,
        max_body=max_body,
        client_timeout=client_timeout,
        query_limits=QueryLimits(max_length=max_query_length, max_depth=max_depth),
        catalog=load_catalog(config.queries),
        tiles=tiles,
    )
    limits = PoolLimits(
        workers=workers or default_workers(), queue=queue, timeout=timeout, memory_mb=worker_memory
    )
    pool = Pool(config.dist, worker_settings(settings), limits)
    try:
        pool.start()
    except WorkerStartError as exc:
        _fail(EXIT_USAGE, f"error: {exc}")
    app = create_app(settings, pool)
    _err(
        f"serving {pool.release} on http://{host}:{port}/ (SPARQL at /sparql; "
        f"{limits.workers} query workers)"
    )
    serve(app, sock, ListenerLimits(client_timeout, keep_alive, max_connections))


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, or one line saying why there is none, and exit 2."""
    from kg_build.serve.listener import listening_socket

    try:
        return listening_socket(host, port)
    except OSError as exc:
        why = exc.strerror or str(exc)
        hint = "; stop the server using it or pass --port" if exc.errno == errno.EADDRINUSE else ""
        _fail(EXIT_USAGE, f"error: cannot listen on {host}:{port}: {why}{hint}")


@main.command(name="quote")
@click.argument("source")
@click.argument("fragment")
@_config_options
@_handles_input_errors
def quote_command(source: str, fragment: str, config_path: Path | None, **options: Any) -> None:
    """Print the passage of SOURCE's text that FRAGMENT (remembered or retyped) means, exactly
    as the quote check wants it: case, white space, quotation marks and dashes folded for the
    search, fuzzily if need be. Where it was found goes to stderr, the passage alone to stdout.

    Exit codes: 0 found; 1 nothing close enough; 2 no such source, or its text is not at hand.
    """
    import yaml

    from kg_build.curate.quote import find

    config = _config(config_path, **options)
    described = config.facts / "sources" / source / "source.yaml"
    if not described.is_file():
        _fail(EXIT_USAGE, f"error: no source {source!r} (no {described})")
    name = (yaml.safe_load(described.read_text(encoding="utf-8")) or {}).get("text")
    path = find_text(str(name), config.texts) if name else None
    if path is None:
        where = ", ".join(str(t) for t in config.texts) or "none configured"
        _fail(
            EXIT_USAGE,
            f"error: the text of {source!r} ({name or 'no text: in source.yaml'}) is not in the "
            f"text folders ({where}); add it there or set `texts` in kg.toml",
        )
    found = find(path.read_text(encoding="utf-8"), fragment)
    if found is None:
        _fail(EXIT_NONCONFORMING, f"nothing in {path.name} is close to {fragment!r}")
    how = (
        "verbatim (case, spaces, quotes, dashes folded)"
        if found.exact
        else (f"closest passage, {found.score:.0f}% alike: check it says what you meant")
    )
    _err(f"{path.name}, line {found.line}: {how}")
    click.echo(found.text)


@main.command(name="draft")
@click.argument("text_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--source", "source_id", required=True, help="The new source's id (its folder).")
@click.option(
    "--date", "published", help="Publication day, YYYY-MM-DD (else the text's first full date)."
)
@click.option(
    "--publisher", default=DRAFT_BLANK, help="The publisher's organisation id, or its name."
)
@click.option("--title", help="The title (else the text's first line).")
@click.option(
    "--language", type=click.Choice(["en", "zh"]), help="The text's language (else guessed)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the draft to (default: facts/sources/SOURCE; never overwritten).",
)
@_gazetteer_option
@_config_options
@_handles_input_errors
def draft_command(
    text_file: Path,
    source_id: str,
    published: str | None,
    publisher: str,
    title: str | None,
    language: str | None,
    out: Path | None,
    gazetteer: Path | None,
    config_path: Path | None,
    **options: Any,
) -> None:
    """Draft every fact of TEXT_FILE as a new source folder in the fact format: each number
    with its unit, scale and comparator as a figure, each date as a milestone or an event's
    date, names of things the graph has by their ids, places of the gazetteer, candidate
    new things. Every record is marked `draft:` with what was guessed; `kg build` refuses a
    draft and `kg validate` lists it until a curator has reviewed it and deleted the mark.

    Exit codes: 0 written; 2 the folder exists, the date is missing, or the facts do not load.
    """
    from kg_build.curate.draft.measures import measures_of
    from kg_build.curate.draft.mentions import names_of
    from kg_build.curate.draft.records import SourceInfo, make_draft
    from kg_build.curate.draft.render import render

    config = _config(config_path, **options)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", source_id):
        _fail(EXIT_USAGE, f"error: --source {source_id!r}: lower-case words joined by hyphens")
    target = out or config.facts / "sources" / source_id
    if target.exists():
        _fail(EXIT_USAGE, f"error: {target} exists; a draft never overwrites a folder")
    raw = text_file.read_text(encoding="utf-8")
    day = _draft_date(published, raw)
    ontology, corpus = read_corpus(config, drafts=True)
    if gazetteer is not None and not gazetteer.is_file():
        _fail(EXIT_USAGE, f"error: --gazetteer {gazetteer}: no such file")
    table = gazetteer or config.gazetteer  # kg.toml's is optional: no places proposed without
    places = load_gazetteer(table) if table is not None and table.is_file() else None
    first_line = next((line.strip() for line in raw.splitlines() if line.strip()), source_id)
    info = SourceInfo(
        id=source_id,
        published=day,
        title=title or first_line[:200],
        publisher=publisher,
        text_name=text_file.name,
        language=language,
    )
    made = make_draft(raw, info, names_of(corpus), measures_of(ontology, corpus), places)
    files = render(made)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    for name, body in files.items():
        (scratch / name).write_text(body, encoding="utf-8")
    scratch.rename(target)
    counts = {name: len(records) for name, records in sorted(made.files.items())}
    _err(f"wrote {target}: " + ", ".join(f"{n} in {f}" for f, n in counts.items()))
    _err(
        f"read {len(made.quantities)} number(s), {len(made.dates)} date(s), "
        f"{len(made.mentions)} name(s) of things the graph has "
        f"({len({m.id for m in made.mentions})} things), "
        f"{len(made.places)} gazetteer place(s), {len(made.candidates)} candidate(s)"
    )
    if not any(find_text(text_file.name, [d]) for d in config.texts):
        folders = ", ".join(map(str, config.texts)) or "set texts in kg.toml"
        _err(f"note: put {text_file.name} in a text folder ({folders}) to check its quotes")
    _err("next: review each record, fill each `?`, delete its `draft:` line")
    _err("kg validate lists what is left")


def _draft_date(given: str | None, raw: str) -> dt.date:
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            _fail(EXIT_USAGE, f"error: --date {given!r} is no day: write YYYY-MM-DD")
    found = re.search(
        r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b|((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日", raw[:2000]
    )
    if found:
        parts = [int(p) for p in found.groups() if p]
        try:
            return dt.date(*parts)
        except ValueError:
            pass
    _fail(EXIT_USAGE, "error: the text gives no full date near its start: pass --date YYYY-MM-DD")


@main.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base", help="Base IRI of the published resources.")
def diff_command(old: str, new: str, fmt: str, config_path: Path | None, base: str | None) -> None:
    """What changed from OLD to NEW, in terms of facts: things added and removed, each
    source's statements that changed (old and new value, with the source's quote), preferred
    values, disagreements, links to other datasets.

    OLD and NEW are dist/ folders, or git revisions of this project (`HEAD~1`, a tag), whose
    facts, ontology and shapes are built on the fly (without the reasoner).

    Exit codes: 0 (a difference is not an error); 2 no release there, or no such revision.
    """
    from kg_build.curate.changed_graphs import changes
    from kg_build.curate.diff import render, trig_of

    config = _config(config_path, base=base)
    with tempfile.TemporaryDirectory(prefix="kg-diff-") as scratch:
        try:
            before = trig_of(_release_of(old, config, Path(scratch) / "old"))
            after = trig_of(_release_of(new, config, Path(scratch) / "new"))
            found = changes(before, after, config.base)
        except (FileNotFoundError, ValueError) as exc:
            _fail(EXIT_USAGE, f"error: {exc}")
        except SyntaxError as exc:
            _fail(EXIT_USAGE, f"error: a release's TriG dump does not parse: {exc}")
        except (InputError, NonConformingError) as exc:
            _fail(EXIT_USAGE, f"error: the facts of a revision do not build: {exc}")
    prefixes = {p: str(ns) for p, ns in data_prefixes(config.base).items()}
    click.echo(render(found, fmt, prefixes), nl=False)


def _release_of(given: str, config: Config, scratch: Path) -> Path:
    """A dist/ folder as it is, or the release of a git revision built into `scratch`."""
    from kg_build.curate.diff import revision_tree

    if Path(given).is_dir():
        return Path(given)
    folders = {"facts": config.facts, "ontology": config.ontology, "shapes": config.shapes}
    relative = {}
    for name, folder in folders.items():
        try:
            relative[name] = folder.resolve().relative_to(config.root.resolve()).as_posix()
        except ValueError as exc:
            raise ValueError(f"{folder} is outside the project: give dist/ folders") from exc
    revision_tree(config.root, given, relative.values(), scratch)
    _err(f"building {given} …")
    built = config.with_overrides(
        **{name: scratch / path for name, path in relative.items()}, dist=scratch / "dist"
    )
    publish_release(built, full=True, reason=False)
    return scratch / "dist"


@main.command(name="site")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--tiles",
    envvar="KG_TILES",
    default=DEFAULT_TILES,
    show_default=True,
    help="Map tiles' URL template ({z}/{x}/{y}); '' for none [env KG_TILES].",
)
@click.option(
    "--queries",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of canned queries (default: queries/).",
)
@_published_options
@_handles_input_errors
def site_command(out: Path, tiles: str, config_path: Path | None, **options: Any) -> None:
    """Write the release as a static site into OUT: a page for every IRI of the dataset with its
    RDF forms (index.html, index.ttl, index.jsonld, index.nt, index.trig in the IRI's folder),
    the canned queries' answers as of the release, the dumps and the description, under the
    paths kg serve answers at. Any web server (or `python -m http.server`) can serve it from
    its root. OUT is replaced whole, and only once the new site is written.
    """
    from kg_build.pages.site import site_files

    config = _config(config_path, **options)
    store_folder = resolve_store(config.dist)
    store = open_store(config.dist)
    catalog = load_catalog(config.queries)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        count = 0
        for path, data in site_files(store, store_folder.parent, config.base, catalog, tiles):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            count += 1
        os.chmod(staging, 0o755)  # noqa: S103 - a web site, for everyone to read
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _err(f"wrote {count} files to {out}")


@main.command(name="htaccess")
@click.option(
    "--host",
    required=True,
    help="Where kg serve answers for the public, e.g. https://kg.example.org/.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: ./kg.toml if present).",
)
@click.option("--base", help="Base IRI of the published resources (a w3id.org folder).")
def htaccess_command(host: str, config_path: Path | None, base: str | None) -> None:
    """Print the w3id.org .htaccess that sends the dataset's IRIs to HOST (303 for things,
    302 for the published files); see docs/publishing-iris.md."""
    try:
        config = _config(config_path, base=base)
        click.echo(htaccess(config.base, host), nl=False)
    except (InputError, ValueError) as exc:
        _fail(EXIT_USAGE, f"error: {exc}")


@main.group(name="link")
def link_group() -> None:
    """Links to other datasets: check them against a gazetteer, or suggest new ones."""


def _gazetteer_path(config: Config, given: Path | None) -> Path:
    path = given or config.gazetteer
    if path is None:
        if config.file is None:
            _no_config_found({"config_path": None})
        _fail(EXIT_USAGE, "error: give --gazetteer CSV (or `gazetteer` in kg.toml)")
    return path


@link_group.command(name="check")
@_gazetteer_option
@click.option(
    "--external-ids",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table of identifiers verified in other datasets (GeoNames, DBpedia, Wikidata) "
    "[default: `external_ids` in kg.toml, if there].",
)
@_config_options
@_handles_input_errors
def link_check(
    config_path: Path | None, gazetteer: Path | None, external_ids: Path | None, **options: Any
) -> None:
    """Check every division code, parent and Wikidata item against the gazetteer, and every
    GeoNames, DBpedia and organisation's or project's Wikidata identifier against the table
    of verified ones (both ways: a verified identifier missing, one not verified given).

    Exit 1 lists each disagreement with its file, line and field.
    """
    config = _config(config_path, **options)
    table = load_gazetteer(_gazetteer_path(config, gazetteer))
    corpus = read_corpus(config)[1]
    problems = check_links(corpus, table)
    verified = external_ids or config.external_ids
    rows = []
    if verified is not None and (external_ids is not None or verified.is_file()):
        rows = load_external_ids(verified)
        problems += check_external_ids(corpus, rows, verified)
    if problems:
        _fail(EXIT_NONCONFORMING, f"{len(problems)} link problem(s):", problems)
    places = sum(1 for _ in corpus.of_kind("places"))
    _err(f"links agree with {table.path.name} ({len(table)} divisions) for {places} places")
    if rows and verified is not None:
        _err(f"links agree with {verified.name} ({len(rows)} verified identifiers)")


@link_group.command(name="suggest")
@_gazetteer_option
@click.option(
    "--endpoint",
    metavar="URL",
    help="Reconcile against this Wikidata-compatible SPARQL endpoint instead of the gazetteer "
    "(places by label and P442 code, organisations by label, P31 and P159/P131).",
)
@click.option("--timeout", default=60, show_default=True, help="Seconds per endpoint request.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the review table (TSV) here instead of standard output.",
)
@_config_options
@_handles_input_errors
def link_suggest(
    config_path: Path | None,
    gazetteer: Path | None,
    endpoint: str | None,
    timeout: int,
    out: Path | None,
    **options: Any,
) -> None:
    """Reconcile the places (and, against an endpoint, the organisations): candidates scored
    by name (Chinese, English, pinyin), type and parent, in accept / review / reject bands.
    A name several candidates share goes to review unless the parent tells them apart.
    Edit the bands if you like, then `kg link accept` writes the accepted rows into the facts."""
    config = _config(config_path, **options)
    corpus = read_corpus(config)[1]
    progress = _tenths(100, lambda d, t: f"{d} of {t} records")
    if endpoint:
        source = WikidataEndpoint(endpoint, timeout)
        try:
            suggestions = suggest_links(corpus, source, source, progress=progress)
        except LinkEndpointError as exc:
            _fail(EXIT_USAGE, f"error: {exc}")
    else:
        table = load_gazetteer(_gazetteer_path(config, gazetteer))
        suggestions = suggest_links(corpus, GazetteerPlaces(table), progress=progress)
    text = review_table(suggestions)
    if out:
        write_atomic(out, text.encode("utf-8"))
        bands = {b: sum(s.band == b for s in suggestions) for b in ("accept", "review", "reject")}
        _err(f"wrote {out}: " + ", ".join(f"{n} {b}" for b, n in bands.items()))
    else:
        click.echo(text, nl=False)


@link_group.command(name="accept")
@click.argument("review", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--external-ids",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Instead of a review file: write the identifiers this table of verified ones gives "
    "(GeoNames, DBpedia, Wikidata) into the records that lack them.",
)
@_config_options
@_handles_input_errors
def link_accept(
    config_path: Path | None, review: Path | None, external_ids: Path | None, **options: Any
) -> None:
    """Write the rows of REVIEW (a `kg link suggest` file) whose band is `accept` into the
    curated facts: `code`, `wikidata` and `link_evidence` lines in each record; or, with
    --external-ids CSV, the verified `geonames`, `dbpedia` and `wikidata` identifiers the
    records lack. A record that already has a different identifier is reported, not
    overwritten. The facts are checked again afterwards and restored if they no longer load."""
    config = _config(config_path, **options)
    corpus = read_corpus(config)[1]
    if (review is None) == (external_ids is None):
        _fail(EXIT_USAGE, "error: give a REVIEW file or --external-ids CSV (one of them)")
    if external_ids is not None:
        _accept_verified(config, corpus, external_ids)
        return
    assert review is not None  # noqa: S101 - checked just above
    plan = plan_insertions(corpus, read_review(review), review)
    by_file: dict[str, list[Insertion]] = {}
    for insertion in plan:
        by_file.setdefault(insertion.file, []).append(insertion)
    paths = {shown: _fact_path(config, shown) for shown in by_file}
    before = {shown: path.read_bytes() for shown, path in paths.items()}
    after = {
        shown: apply_insertions(before[shown].decode("utf-8"), edits, shown).encode("utf-8")
        for shown, edits in by_file.items()
    }
    for shown, data in after.items():
        write_atomic(paths[shown], data)
    try:
        read_corpus(config)
    except InputError:
        for shown, data in before.items():
            write_atomic(paths[shown], data)
        _err("the facts did not load after the edit; restored them")
        raise
    fields = sum(len(i.lines) - 1 for i in plan)
    _err(f"wrote {fields} identifier(s) into {len(plan)} record(s) in {len(after)} file(s)")


def _accept_verified(config: Config, corpus: Corpus, table: Path) -> None:
    """The table's source folder written (its statements; a source.yaml if it has none),
    then the facts read again; restored if they no longer load."""
    rows = load_external_ids(table)
    folder = config.facts / "sources" / table.stem
    files = statement_files(corpus, rows, table)
    if not (folder / "source.yaml").exists():
        files["source.yaml"] = source_file(table, dt.date.today().isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    before = {name: (folder / name).read_bytes() for name in files if (folder / name).exists()}
    for name, text in files.items():
        write_atomic(folder / name, text.encode("utf-8"))
    try:
        read_corpus(config)
    except InputError:
        for name in files:
            if name in before:
                write_atomic(folder / name, before[name])
            else:
                (folder / name).unlink()
        _err("the facts did not load after the edit; restored them")
        raise
    things = sum(text.count("  - about: ") for text in files.values())
    _err(f"wrote {len(rows)} verified row(s) as statements about {things} thing(s) in {folder}")


def _fact_path(config: Config, shown: str) -> Path:
    path = Path(shown)
    return path if path.is_absolute() else config.root / path


def _tenths(threshold: int, describe: Callable[[int, int], str]) -> Callable[[int, int], None]:
    """Progress for long work: one line per tenth done, once the total is over `threshold`."""
    shown = [-1]

    def report(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if total > threshold and tenth != shown[0]:
            shown[0] = tenth
            _err(f"  {describe(done, total)} ({tenth * 10}%)")

    return report


if __name__ == "__main__":  # pragma: no cover
    main()
