"""The `cardf` command line: parse options, call the stages, turn known errors into exit codes."""

from __future__ import annotations

import functools
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import CardfError, NotConforming, UsageError
from .iris import DEFAULT_BASE, valid_base
from .resources import resource_dir

EXIT_INTERRUPTED = 130
ALL_QUERY_FORMATS = ("table", "csv", "tsv", "json", "markdown", "ttl", "nt", "jsonld", "turtle", "ntriples")


def say(message: str = "", quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)


def common(fn):
    """--quiet and --debug for every command, and the one place where errors become exit codes."""

    @click.option("--quiet", "-q", is_flag=True, help="Print nothing but results and errors.")
    @click.option("--debug", is_flag=True, help="Show the Python traceback of an error (for bug reports).")
    @functools.wraps(fn)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CardfError as exc:
            if debug:
                traceback.print_exc()
            lines = exc.lines()
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was changed.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # a bug: keep the traceback out of the user's way unless asked
            if debug:
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}). "
                       "Run again with --debug and report the traceback.", err=True)
            sys.exit(70)

    return wrapper


def project_options(fn):
    """Where the sources, ontology and shapes live, and the base IRI of minted resources."""
    fn = click.option("--shapes", type=click.Path(path_type=Path), default=None,
                      help="SHACL shapes file or folder [default: shapes/].")(fn)
    fn = click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
                      help="Ontology folder [default: ontology/].")(fn)
    fn = click.option("--base", default=DEFAULT_BASE, show_default=True,
                      help="Base IRI of the resources cardf mints.")(fn)
    fn = click.option("--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
                      help="Folder with entities.yaml and articles/.")(fn)
    return fn


def _settings(data, out, ontology_dir, shapes, base, formats=None, store=True):
    from .build import Settings
    from .export import FORMATS

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    chosen = tuple(FORMATS)
    if formats:
        chosen = tuple(dict.fromkeys(f.strip() for f in formats.split(",") if f.strip()))
        unknown = [f for f in chosen if f not in FORMATS]
        if unknown or not chosen:
            raise UsageError(f"--format: unknown format {', '.join(unknown) or '(empty)'}; "
                             f"expected a comma-separated list of {','.join(FORMATS)}")
    return Settings(data=data, out=out, ontology=ontology_dir or resource_dir("ontology"),
                    shapes=shapes or resource_dir("shapes"), base=base, formats=chosen, store=store)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardf")
def main():
    """cardf turns what news articles say about diplomacy into linked data.

    Typical use: cardf build, then cardf query, then cardf load.
    """


@main.command()
@project_options
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Output folder; replaced whole, and only when the build succeeds.")
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Comma-separated output formats: ttl,nt,jsonld,trig,nq [default: all].")
@click.option("--store/--no-store", default=True, show_default=True, help="Also write the embedded store.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON on stdout.")
@common
def build(data, out, ontology_dir, shapes, base, formats, store, as_json, quiet):
    """Build validated RDF from the sources into every standard format.

    Example: cardf build --out dist --format ttl,jsonld
    """
    import json

    from . import build as pipeline
    from .validate import text_report

    settings = _settings(data, out, ontology_dir, shapes, base, formats, store)
    say(f"Reading {data} …", quiet)
    try:
        with ArticleProgress(quiet) as progress:
            built = pipeline.run(settings, progress)
    except NotConforming as exc:
        say(text_report(exc.report, exc.prefixes).rstrip())
        raise
    report = built.report
    if report.findings and not quiet:
        say(text_report(report, built.minter.prefixes()).rstrip())
    s = built.summary
    say(f"Built {len(s['articles'])} article(s), {sum(s['records'].values())} records, "
        f"{s['triples']['total']} triples in {len(s['triples']['graphs'])} graphs.", quiet)
    say(f"Validation: {s['validation']['violations']} violations, {s['validation']['warnings']} warnings.", quiet)
    say(f"Wrote {', '.join(s['files'])}{', store/' if s['store'] else ''} and {pipeline.REPORT_FILE} to {out}/", quiet)
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))


class _RateBar:
    """A progress bar on stderr with a rate, shown only on a terminal and without --quiet."""

    def __init__(self, label: str, unit: str, on: bool):
        self.label, self.unit, self.on = label, unit, on
        self.bar, self.started = None, 0.0

    def start(self, total: int) -> None:
        import time

        self.started = time.monotonic()
        self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True,
                                     item_show_func=lambda rate: rate)
        self.bar.__enter__()

    def step(self, count: int) -> None:
        import time

        rate = (self.bar.pos + count) / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(count, f"{rate:,.0f}{self.unit}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class ArticleProgress(_RateBar):
    """Per article while a build maps them (rate and ETA); then one line for the stages that follow."""

    def __init__(self, quiet: bool):
        super().__init__("Mapping articles", "/s", not quiet and sys.stderr.isatty())
        self.done, self.finished = 0, False

    def __enter__(self):
        return self if self.on else None

    def __call__(self, done: int, total: int) -> None:
        if self.finished:
            return
        if self.bar is None:
            self.start(total)
        self.step(done - self.done)
        self.done = done
        if done >= total:
            self.finished = True
            self.close()
            click.echo("Validating and writing …", err=True)

    def __exit__(self, *exc) -> None:
        self.close()


@main.command(name="validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@project_options
@click.option("--input-format", default=None, help="Format of FILES when the extension does not tell.")
@click.option("--format", "report_format", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True,
              help="text: one line per problem, grouped by severity and shape; json: the same as data; "
                   "turtle: the standard SHACL validation report graph.")
@click.option("--with-ontology/--without-ontology", "with_ontology", default=True, show_default=True,
              help="Put the ontology (class and concept declarations) beside FILES for the shapes to see.")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Validate the data as written (none), or with what the ontology entails added first; "
                   "closed shapes are checked only with none.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="fast: the shapes run as SPARQL on pyoxigraph, with pySHACL's findings; pyshacl: pySHACL itself.")
@common
def validate_cmd(files, data, ontology_dir, shapes, base, input_format, report_format, with_ontology, inference,
                 engine, quiet):
    """Check RDF against the SHACL shapes (the project's own data when no FILES are given).

    FILES may be Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML (told by the extension,
    or --input-format); all their graphs are validated together. Problems in data that came
    from the sources in --data are reported at the facts.yaml or entities.yaml line that made
    them. Exit 0 when the data conforms (warnings are printed), 1 on violations, 2 when an
    input cannot be read.

    Example: cardf validate dist/cardf.ttl --format json
    """
    from .build import validate_files

    settings = _settings(data, Path("dist"), ontology_dir, shapes, base)
    report, prefixes = validate_files(list(files), settings, input_format, with_ontology, inference, engine)
    from .validate import json_report, text_report, turtle_report

    if report_format == "json":
        click.echo(json_report(report), nl=False)
    elif report_format == "turtle":
        click.echo(turtle_report(report), nl=False)
    else:
        click.echo(text_report(report, prefixes), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.group()
def ontology():
    """Work with the ontology: its JSON-LD context, quality report and documentation."""


@ontology.command(name="context")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources cardf mints.")
@common
def ontology_context(ontology_dir, base, quiet):
    """Print the JSON-LD context generated from the ontology.

    Example: cardf ontology context > ontology/context.jsonld
    """
    from .iris import Minter
    from .ontology import build_context, context_text, load_ontology_quads

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    triples = load_ontology_quads(ontology_dir or resource_dir("ontology"))
    click.echo(context_text(build_context(triples, Minter(base))), nl=False)


# ----------------------------------------------------------------------------- ontology toolkit: report, docs

def _existing(path: Path | None, name: str) -> Path | None:
    """An explicit path, else the project's folder of that name when there is one."""
    if path is not None:
        return path
    found = resource_dir(name)
    return found if found.exists() else None


@ontology.command(name="report")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="SHACL shapes file or folder to check too [default: shapes/].")
@click.option("--queries", "queries_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of .rq queries whose terms are checked [default: queries/].")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Data whose terms are checked: a sources folder, a build folder or an RDF file [default: data/].")
@click.option("--ontology-only", is_flag=True, help="Check the ontology alone: no shapes, queries or data.")
@click.option("--profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="YAML profile: turn checks off, change their level, add your own .rq checks.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Exit 1 when a finding at this level or worse is reported [default: error].")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json", "markdown"]), default="table",
              show_default=True, help="Output format.")
@click.option("--no-headers", is_flag=True, help="Leave out the header row (table, tsv, markdown).")
@click.option("--list-checks", is_flag=True, help="List the checks (after the profile) instead of running them.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources cardf mints.")
@common
def ontology_report(ontology_dir, shapes, queries_dir, data, ontology_only, profile, fail_on, fmt, no_headers,
                    list_checks, base, quiet):
    """Check the ontology's quality: labels, definitions, alignments, metadata, undefined and deprecated terms.

    Each check is a SPARQL query with a level (error, warning, info); the shapes, queries and
    data are scanned for terms the ontology does not define, and OWL RL reasoning looks for
    unsatisfiable classes. Exit 1 when a finding reaches --fail-on.

    Example: cardf ontology report --fail-on warning --format markdown
    """
    from . import quality

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    if ontology_only and any(v is not None for v in (shapes, queries_dir, data)):
        raise UsageError("--ontology-only does not go with --shapes, --queries or --data")
    loaded = quality.load_profile(profile) if profile is not None else None
    if list_checks:
        click.echo(quality.render_checks(quality.select_checks(loaded, profile), fmt, not no_headers), nl=False)
        return
    sources = quality.Sources(
        ontology=ontology_dir or resource_dir("ontology"),
        shapes=None if ontology_only else _existing(shapes, "shapes"),
        queries=None if ontology_only else _existing(queries_dir, "queries"),
        data=None if ontology_only else (data if data is not None else
                                         (Path("data") if (Path("data") / "entities.yaml").is_file() else None)),
        base=base)
    result = quality.report(sources, loaded, profile)
    click.echo(quality.render(result, fmt, not no_headers), nl=False)
    say(quality.summary_line(result), quiet)
    sys.exit(1 if result.fails(fail_on or (loaded.fail_on if loaded else None) or "error") else 0)


@ontology.command(name="docs")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("docs/ontology"),
              show_default=True, help="Folder for index.html, the class diagram and the ontology as Turtle.")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="SHACL shapes file or folder to document [default: shapes/].")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Where example instances come from: a sources folder, a build folder or an RDF file "
                   "[default: data/].")
@click.option("--no-examples", is_flag=True, help="Leave out example instances from the data.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources cardf mints.")
@common
def ontology_docs(out, ontology_dir, shapes, data, no_examples, base, quiet):
    """Write the ontology's documentation: one self-contained HTML page with a class diagram.

    Classes, properties and vocabularies with their English and Russian labels, definitions,
    alignments, domains and ranges, the shapes that constrain them and examples from the data.
    The page loads nothing from the network; the same ontology gives the same bytes.

    Example: cardf ontology docs --out docs/ontology && open docs/ontology/index.html
    """
    from . import docs, export
    from .ontology import load_ontology_quads

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    if no_examples and data is not None:
        raise UsageError("--no-examples and --data do not go together; choose one")
    ontology_path = ontology_dir or resource_dir("ontology")
    examples = None
    if not no_examples:
        examples = data if data is not None else (Path("data") if (Path("data") / "entities.yaml").is_file()
                                                  else None)
    built = docs.build(ontology_path, _existing(shapes, "shapes"), examples, base)
    for note in built.notes:
        say(f"Warning: {note}", quiet)
    from .iris import Minter

    ontology_ttl = export.write_triples(export.sort_triples(load_ontology_quads(ontology_path)), "ttl",
                                        Minter(base).prefixes())
    files = docs.write(built, out, ontology_ttl)
    say(f"Wrote {', '.join(files)} to {out}/" + (f" (diagram drawn by {built.renderer})" if built.renderer else ""),
        quiet)


# ----------------------------------------------------------------------------- stats and diff

@main.command(name="stats")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json", "turtle"]), default="table",
              show_default=True, help="A summary table, or the VoID description as Turtle, or JSON.")
@click.option("--void", "void_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the VoID description (Turtle) to this file.")
@click.option("--endpoint", default=None, metavar="URL",
              help="The SPARQL endpoint that serves the data, e.g. http://127.0.0.1:7878/query (from cardf serve).")
@click.option("--input-format", default=None, help="Format of RDF files when the extension does not tell.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources cardf mints.")
@common
def stats_cmd(sources, fmt, void_file, endpoint, input_format, base, quiet):
    """Describe a build: triples, entities, classes, properties, graphs and links to Wikidata (VoID).

    Reads dist/ (its cardf.nq) unless build folders or RDF files are given.

    Example: cardf stats --void dist/void.ttl --endpoint http://127.0.0.1:7878/query
    """
    from . import stats

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    paths = list(sources) or [Path("dist")]
    described = stats.collect(stats.read_input(paths, input_format), base, endpoint,
                              ", ".join(str(p) for p in paths))
    if void_file is not None:
        try:
            void_file.write_bytes(stats.void_turtle(described, base))
        except OSError as exc:
            from .errors import ExternalError, Problem

            raise ExternalError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", void_file)]) from None
        say(f"Wrote the VoID description to {void_file}", quiet)
    click.echo(stats.render(described, base, fmt), nl=False)


@main.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--input-format", default=None, help="Format of OLD and NEW when the extension does not tell.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources cardf mints.")
@common
def diff_cmd(old, new, fmt, input_format, base, quiet):
    """Show what changed between two builds (folders with cardf.nq) or two RDF files.

    Removed (-) and added (+) statements grouped by subject, with labels; blank nodes are
    matched by canonicalization, and a blank-node tree that one statement owns (a union,
    a list) is shown inline. Exit 0 when equal, 1 when different, 2 when an input is bad.

    Example: cardf diff old-dist dist --format json
    """
    from . import diff as rdfdiff

    result = rdfdiff.compare(rdfdiff.load(old, input_format), rdfdiff.load(new, input_format))
    click.echo(rdfdiff.render(result, fmt, base), nl=False)
    say(rdfdiff.summary(result), quiet)
    sys.exit(0 if result.equal else 1)


# ----------------------------------------------------------------------------- load and serve

PROGRESS_MIN_TRIPLES = 5000


class _LoadProgress(_RateBar):
    """Triples per second during big loads."""

    def __init__(self, total: int, quiet: bool):
        super().__init__("Loading", " triples/s", not quiet and total >= PROGRESS_MIN_TRIPLES and sys.stderr.isatty())
        self.total = total

    def __enter__(self):
        if not self.on:
            return None
        self.start(self.total)
        return self.step

    def __exit__(self, *exc):
        self.close()


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Load into the embedded store in DIR (created when missing).")
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://localhost:7878/store.")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 Update endpoint, for stores without the Graph Store Protocol.")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="Load only this graph (and put triples of triple-only files into it).")
@click.option("--default-graph", is_flag=True, help="Load the union of all graphs into the default graph.")
@click.option("--dist", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Build folder to load when no FILES are given.")
@click.option("--input-format", default=None, help="Format of FILES when the extension does not tell.")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="How CARDF_USER/CARDF_PASSWORD are sent (CARDF_TOKEN is always a bearer token).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds one request may take in all, from connecting to the end of its answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Extra attempts after a 429/502/503/504 answer or a dropped connection, with backoff "
                   "(a request that must not be applied twice is not repeated: its graph starts again).")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Triples per request with --update-endpoint.")
@common
def load(files, store_dir, endpoint, update_endpoint, graph_iri, default_graph, dist, input_format, auth, timeout,
         retries, batch_size, quiet):
    """Load the build (or FILES) into a triple store, replacing each graph it holds.

    One graph per article, one for the entities, one for the ontology; loading twice
    leaves the store as loading once. Credentials come from the environment only:
    CARDF_USER and CARDF_PASSWORD, or CARDF_TOKEN.

    Example: cardf load --endpoint http://localhost:7878/store
    """
    from . import remote, store

    targets = [name for name, value in (("--store", store_dir), ("--endpoint", endpoint),
                                        ("--update-endpoint", update_endpoint)) if value is not None]
    if len(targets) != 1:
        raise UsageError("give one of --store DIR, --endpoint URL or --update-endpoint URL"
                         + (f", not {' and '.join(targets)}" if targets else ""))
    if graph_iri is not None and default_graph:
        raise UsageError("--graph and --default-graph do not go together; choose one")
    target = None
    if store_dir is None:
        option, url = ("--endpoint", endpoint) if endpoint is not None else ("--update-endpoint", update_endpoint)
        target = remote.Endpoint(url, option, remote.credentials_from_env(auth=auth), timeout, retries)
    graphs = store.plan(store.read_inputs(list(files), dist, input_format), graph_iri, default_graph)
    with _LoadProgress(store.total_triples(graphs), quiet) as advance:
        if target is None:
            result = store.load_store(store_dir, graphs, advance)
        elif endpoint is not None:
            result = remote.load_graph_store(target, graphs, advance)
        else:
            result = remote.load_update(target, graphs, batch_size, advance)
    say(result.summary(), quiet)


@main.command()
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=Path("dist/store"), show_default=True,
              metavar="DIR", help="The store to serve (cardf build writes dist/store).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but a loopback address opens the store to the network.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on.")
@click.option("--union/--no-union", default=True, show_default=True,
              help="Let queries without GRAPH see all graphs (cardf keeps every triple in a named graph).")
@click.option("--timeout", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Stop queries that run longer than this.")
@common
def serve(store_dir, host, port, union, timeout, quiet):
    """Serve the built store read-only: a SPARQL endpoint and a query page, until Ctrl-C.

    Runs the Oxigraph server (installed with cardf) on 127.0.0.1 unless --host says otherwise;
    open the address it prints in a browser to write queries.

    Example: cardf serve --port 7878
    """
    from .serve import serve as run_server

    def ready(served):
        say(f"Serving {store_dir} read-only at {served.url} (SPARQL endpoint: {served.query_url}). "
            "Press Ctrl-C to stop.", quiet)

    run_server(store_dir, host, port, union, timeout, on_ready=ready, echo=lambda line: say(line, quiet))
    say("Stopped.", quiet)


# ----------------------------------------------------------------------------- query

@main.command(name="query")
@click.argument("source", required=False, metavar="[NAME | FILE.rq | -]")
@click.option("-e", "--expression", default=None, metavar="QUERY", help="The SPARQL query itself.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries (their headers) and exit.")
@click.option("--show", default=None, metavar="NAME", help="Print a named query and exit.")
@click.option("--queries", "queries_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Folder of named queries [default: queries/].")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Embedded store to ask, opened read-only [default: dist/store].")
@click.option("--data", "data_files", type=click.Path(path_type=Path), multiple=True, metavar="FILE",
              help="RDF file to ask instead, read into memory; repeat for more files.")
@click.option("--input-format", default=None, help="Format of --data files when the extension does not tell.")
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 endpoint to ask; credentials from CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to an RDF term: <iri>, state:russia, \"text\"@ru, 2025-11-11, 42, or a plain string.")
@click.option("--format", "fmt", type=click.Choice(ALL_QUERY_FORMATS), default=None, metavar="FORMAT",
              help="table, csv, tsv, json, markdown (SELECT/ASK); ttl, nt, jsonld (CONSTRUCT/DESCRIBE) "
                   "[default: table or ttl].")
@click.option("--no-headers", is_flag=True, help="Leave out the header row (table, markdown, csv, tsv).")
@click.option("--no-labels", is_flag=True, help="Show IRIs as prefixed names in tables, not as their labels.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop the query after this long (exit 3).")
@click.option("--allow-service", is_flag=True, help="Let a local query call remote SERVICEs.")
@common
def query_cmd(source, expression, list_queries, show, queries_dir, store_dir, data_files, input_format, endpoint,
              params, fmt, no_headers, no_labels, timeout, allow_service, quiet):
    """Ask a question of the data: a named query, a .rq file, -e 'SELECT …' or a query on stdin.

    Asks the store that `cardf build` wrote unless --store, --data or --endpoint says otherwise,
    over the union of its graphs. Parameters are bound as RDF terms, never pasted into the
    query. An ASK query prints true or false and exits 0 or 1.

    Example: cardf query quotes-by-person --param speaker=person:vladimir-putin
    """
    from . import query as q

    folder = queries_dir or resource_dir("queries")
    fmt = q.normalize_format(fmt)
    if list_queries or show:
        if source or expression or (list_queries and show):
            raise UsageError("--list and --show take no query and do not go together")
        if list_queries:
            click.echo(q.render_listing(q.library(folder), fmt or "table", not no_headers), nl=False)
        else:
            click.echo(q.find_query(show, folder).text, nl=False)
        return
    targets = [name for name, value in (("--store", store_dir), ("--data", data_files), ("--endpoint", endpoint))
               if value]
    if len(targets) > 1:
        raise UsageError(f"give one of --store, --data or --endpoint, not {' and '.join(targets)}")
    stdin_text = None
    if expression is None and source in (None, "-") and (source == "-" or not sys.stdin.isatty()):
        stdin_text = sys.stdin.read()
    question = q.resolve(source, expression, stdin_text, folder)
    q.check_format(question.form, fmt, not no_headers)
    bindings = q.bindings_for(question, list(params))
    if endpoint and q.insecure_credentials(endpoint):
        say("Warning: sending credentials over plain http to another machine.", quiet)
    tabular = fmt in (None, "table", "markdown") and not no_labels
    answer, labels = q.execute(question, bindings, store=store_dir or Path("dist/store"), files=tuple(data_files),
                               input_format=input_format, endpoint=endpoint, timeout=timeout,
                               allow_service=allow_service, want_labels=tabular)
    limit = q.TERMINAL_CELL if sys.stdout.isatty() and fmt in (None, "table") else None
    click.echo(q.render(answer, fmt, headers=not no_headers, labels=labels, prefixes=question.prefixes(),
                        limit=limit), nl=False)
    if answer.form == "ASK":
        sys.exit(0 if answer.boolean else 1)
    count = len(answer.rows) if answer.form == "SELECT" else len(answer.triples)
    noun = "row" if answer.form == "SELECT" else "triple"
    say(f"{count} {noun}{'' if count == 1 else 's'} in {answer.seconds:.3f} s", quiet)


if __name__ == "__main__":  # pragma: no cover
    main()
