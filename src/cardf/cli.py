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
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during a build: say truly what became of the output
            from .outdir import interruption

            message, code = interruption(exc)
            click.echo(message, err=True)
            sys.exit(code)
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
              help="Output folder; replaced whole when the build succeeds, and only if it is empty or a "
                   "build cardf wrote.")
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
    from .shacl.text import text_report

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
        say(text_report(report, built.prefixes).rstrip())
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
    from .build.check import validate_files

    settings = _settings(data, Path("dist"), ontology_dir, shapes, base)
    report, prefixes = validate_files(list(files), settings, input_format, with_ontology, inference, engine)
    from .shacl.text import json_report, text_report, turtle_report

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
@click.option("--allow-service", is_flag=True,
              help="Let queries call remote SERVICEs (refused by default: they make the server fetch from elsewhere).")
@click.option("--site", "site_dir", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help="The site to serve at / (cardf site writes site/) [default: site/ when there is one].")
@click.option("--cors", is_flag=True, help="Let web pages from any origin query the endpoint and read the site.")
@common
def serve(store_dir, host, port, union, timeout, allow_service, site_dir, cors, quiet):
    """Serve the built store read-only: a SPARQL endpoint, and the site at / when there is one, until Ctrl-C.

    Runs the Oxigraph server (installed with cardf) on 127.0.0.1 unless --host says otherwise;
    with a site (cardf site), the site is at / and its query page at /sparql/; without one, / is
    Oxigraph's own query page. The endpoint is /query either way.

    Example: cardf serve --port 7878
    """
    from .serve import serve as run_server

    if site_dir is not None and not (site_dir / "index.html").is_file():
        raise UsageError(f"--site: {site_dir} holds no site (no index.html); run `cardf site --out {site_dir}` first")
    site_dir = site_dir or (Path("site") if (Path("site") / "index.html").is_file() else None)
    shown = f"{site_dir}/ and {store_dir}" if site_dir else str(store_dir)

    def ready(served):
        say(f"Serving {shown} read-only at {served.url} (SPARQL endpoint: {served.query_url}). "
            "Press Ctrl-C to stop.", quiet)

    run_server(store_dir, host, port, union, timeout, on_ready=ready, echo=lambda line: say(line, quiet),
               allow_service=allow_service, site=site_dir, cors=cors)
    say("Stopped.", quiet)


@main.command(name="site")
@click.option("--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="Folder for the site; replaced whole, and only if it is empty or a site cardf wrote.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=Path("dist/store"), show_default=True,
              metavar="DIR", help="The build's store to show.")
@project_options
@common
def site_cmd(out, store_dir, data, ontology_dir, shapes, base, quiet):
    """Write a static site from the build: the articles with their evidence highlighted, a page per IRI.

    Every record and entity gets a page at the path of its IRI with its Turtle and JSON-LD beside it;
    a timeline, a who-met-whom network, figures per country, search and the ontology's documentation.
    It loads nothing from the network; open site/index.html, or serve it with the store: cardf serve.

    Example: cardf build && cardf site --out site && cardf serve
    """
    from . import site

    if not valid_base(base):
        raise UsageError(f"--base must be an http(s) IRI ending in '/', got {base!r}")
    done = site.build(site.Settings(store=store_dir, data=data, out=out, base=base,
                                    ontology=ontology_dir or resource_dir("ontology"),
                                    shapes=_existing(shapes, "shapes"), queries=resource_dir("queries")))
    say(f"Wrote {done.files} files ({done.bytes / 1e6:.1f} MB) to {out}/: {done.articles} article(s) with "
        f"{done.spans} evidence spans, {done.pages} record and entity pages.", quiet)


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
@click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="Stop the query after this long (exit 3); 0 for no limit.")
@click.option("--allow-service", is_flag=True, help="Let a local query call remote SERVICEs.")
@common
def query_cmd(source, expression, list_queries, show, queries_dir, store_dir, data_files, input_format, endpoint,
              params, fmt, no_headers, no_labels, timeout, allow_service, quiet):
    """Ask a question of the data: a named query, a .rq file, -e 'SELECT …' or a query on stdin.

    Asks the store that `cardf build` wrote unless --store, --data or --endpoint says otherwise,
    over the union of its graphs (or the graphs its FROM clauses name). Parameters are bound
    as RDF terms, never pasted into the query. Rows are written as they come; updates and
    (unless allowed) SERVICE calls are refused. An ASK query prints true or false and exits 0 or 1.

    Example: cardf query quotes-by-person --param speaker=person:vladimir-putin
    """
    import os
    import shutil

    from . import query as q
    from .queryrun import execute
    from .results import Output

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
    terminal = sys.stdout.isatty() and fmt in (None, "table")
    output = Output(fmt, not no_headers, labels=fmt in (None, "table", "markdown") and not no_labels,
                    prefixes=question.prefixes(), limit=q.TERMINAL_CELL if terminal else None,
                    fit=shutil.get_terminal_size().columns if terminal else None)
    try:
        outcome = execute(question, bindings, output, lambda data: click.echo(data, nl=False),
                          store=store_dir or Path("dist/store"), files=tuple(data_files), input_format=input_format,
                          endpoint=endpoint, timeout=timeout or None, allow_service=allow_service)
    except BrokenPipeError:  # the reader of stdout has gone (`| head`): it has what it wanted
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(0)
    if outcome.form == "ASK":
        sys.exit(0 if outcome.boolean else 1)
    noun = "row" if outcome.form == "SELECT" else "triple"
    say(f"{outcome.count} {noun}{'' if outcome.count == 1 else 's'} in {outcome.seconds:.3f} s", quiet)


# ----------------------------------------------------------------------------- curation: new, codes, locate, …

@main.command(name="new")
@click.argument("slug")
@click.option("--text", "text_file", type=click.Path(path_type=Path, allow_dash=True), required=True, metavar="FILE",
              help="The article's text (UTF-8; - for standard input).")
@click.option("--title", default=None, help="The title in the article's language.")
@click.option("--title-en", default=None, help="The title in English.")
@click.option("--published", default=None, metavar="DATE",
              help="2025-12-04, or 2025-12-04T13:01:00+03:00 when the source gives the time.")
@click.option("--url", default=None, help="Where the article is published.")
@click.option("--publisher", default=None, metavar="ID", help="The publisher, an organization of entities.yaml.")
@click.option("--author", default=None, metavar="ID", help="The author, a person of entities.yaml.")
@click.option("--language", default="ru", show_default=True, help="The article's language (BCP 47).")
@click.option("--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Folder with entities.yaml and articles/.")
@common
def new_cmd(slug, text_file, title, title_en, published, url, publisher, author, language, data, quiet):
    """Start an article: data/articles/SLUG/ with its text and a facts.yaml to fill in.

    The text is stored as the loader expects it (UTF-8, NFC, LF line ends); facts.yaml gets
    the article record from the options and names every section. Never overwrites: an existing
    folder is an error.

    Example: cardf new tass-2025-11-12-visit --text visit.txt --published 2025-11-12 --publisher tass
    """
    from .curate import scaffold

    new = scaffold.NewArticle(slug, None if str(text_file) == "-" else text_file, title, title_en, published, url,
                              publisher, author, language)
    scaffold.check_options(new)
    if publisher or author:
        scaffold.check_entities(new, _entity_kinds(data))
    raw = scaffold.read_source_text(new.text_source)
    text, changes = scaffold.normalize_text(raw, "<stdin>" if new.text_source is None else str(new.text_source))
    folder = scaffold.create(data, new, text)
    for change in changes:
        say(f"Note: {change} in the text.", quiet)
    say(f"Created {folder}/ with article.txt ({len(text)} characters) and facts.yaml.", quiet)
    say(f"Next: cardf draft {slug}", quiet)


def _entity_kinds(data: Path) -> dict[str, str]:
    """id → kind of every entity of data/entities.yaml (read and checked by the loader)."""
    from .sources import load_corpus, load_vocabulary

    corpus = load_corpus(data, load_vocabulary(resource_dir("ontology")), only=set())
    return {e.id: e.kind.name for e in corpus.entities}


@main.command(name="codes")
@click.argument("scheme", required=False)
@click.option("--search", "words", default=None, metavar="WORDS",
              help="Only codes whose code, labels or definition contain every word (ru or en).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True, help="Output format.")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@common
def codes_cmd(scheme, words, fmt, ontology_dir, quiet):
    """List the code lists (vocabularies) and their codes, with ru/en labels and definitions.

    Without SCHEME, one line per vocabulary and the fields that use it; with SCHEME (a
    vocabulary such as event-type, or a field such as events.type), its codes. --search finds
    codes in every vocabulary.

    Example: cardf codes figure-qualifier --search почти
    """
    from .curate import codes

    schemes = codes.load_schemes(ontology_dir or resource_dir("ontology"))
    chosen = codes.pick(schemes, scheme)
    if words:
        chosen = codes.search(chosen, words.split())
        if not chosen:
            say(f"No code matches {words!r}.", quiet)
            sys.exit(1)
    click.echo(codes.render(chosen, fmt, overview=scheme is None and not words), nl=False)


@main.command(name="locate")
@click.argument("slug")
@click.argument("words")
@click.option("--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Folder with entities.yaml and articles/.")
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="Closest passages shown when the words do not occur exactly.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@common
def locate_cmd(slug, words, data, limit, as_json, quiet):
    """Find words in an article: where they occur, and the evidence to paste into facts.yaml.

    When they do not occur exactly, shows the closest passages and what differs (a dash, a
    quotation mark, ё/е, a no-break or zero-width space, a different word). Exit 0 when the
    words occur exactly, 1 when they do not.

    Example: cardf locate interaffairs-2025-12-04-russia-central-asia "16 документов"
    """
    import json

    from . import textmatch as locate
    from .curate.articles import article_folder, article_text

    folder = article_folder(data, slug)
    text = article_text(folder)
    shown, found, exact = locate.report(text, words, str(folder / "article.txt"), limit)
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else shown, nl=as_json)
    sys.exit(0 if exact else 1)


@main.command(name="draft")
@click.argument("source", metavar="SLUG | FILE")
@click.option("--accept", "accept_ids", multiple=True, metavar="ID",
              help="Move these draft records into facts.yaml (repeat, or give several ids separated by spaces).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default=None,
              help="Where to write the draft [default: facts.draft.yaml beside facts.yaml; stdout for a FILE].")
@click.option("--published", default=None, metavar="DATE",
              help="The article's date, for years the text leaves out [default: facts.yaml's `published`].")
@click.option("--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Folder with entities.yaml and articles/.")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@common
def draft_cmd(source, accept_ids, out, published, data, ontology_dir, quiet):
    """Propose records for an article: entities, dates, figures, quotations, statements, events.

    Writes facts.draft.yaml beside facts.yaml (the build never reads it); each record has its
    evidence in the article and a confidence. Keep records with --accept ID …, which moves them
    into facts.yaml; correct or delete the rest. SOURCE may also be a text file: the draft is
    printed.

    Example: cardf draft tass-2025-11-12-visit --accept figure-trade-turnover-usd quote-vladimir-putin-my-vysoko
    """
    from .curate import draft as drafter
    from .curate.articles import article_folder, article_text, facts_path
    from .curate.draft.accept import accept
    from .sources import load_corpus, load_vocabulary

    slug_given = not Path(source).is_file()
    folder = article_folder(data, source) if slug_given else None
    if accept_ids:
        if folder is None:
            raise UsageError("--accept works on an article of --data: give its SLUG, not a file")
        ids = [i for chunk in accept_ids for i in chunk.split()]
        for line in accept(folder / drafter.DRAFT_FILE, facts_path(folder), ids):
            say(f"Accepted {line}", quiet)
        say("Next: cardf build (records that need correcting are reported at their line in facts.yaml)", quiet)
        return
    from .yamlfile import read_text

    text = article_text(folder) if folder is not None else read_text(Path(source))
    facts_text = ""
    if folder is not None and facts_path(folder).is_file():
        facts_text = read_text(facts_path(folder))
    given_date, author = drafter.article_meta(facts_text)
    ontology = ontology_dir or resource_dir("ontology")
    corpus = load_corpus(data, load_vocabulary(ontology), only=set())
    registry = drafter.entities.registry_from_records(corpus.entities)
    result = drafter.draft_text(text, registry, drafter.units_from_vocabulary(ontology), published or given_date,
                                drafter.taken_ids(data), folder.name if folder else Path(source).stem, author)
    result.proposals, skipped = drafter.already_curated(result.proposals, facts_text)
    rendered = drafter.render(result, text)
    if not (published or given_date):
        say("Warning: no article date (facts.yaml `published` or --published); years the text leaves out "
            "are not filled in.", quiet)
    target = out if out is not None else (folder / drafter.DRAFT_FILE if folder is not None else Path("-"))
    if str(target) == "-":
        click.echo(rendered, nl=False)
    else:
        from .curate.draft.accept import write_atomically

        write_atomically(target, rendered)
    counts = {}
    for p in result.proposals:
        counts[p.section] = counts.get(p.section, 0) + 1
    summary = ", ".join(f"{n} {section}" for section, n in counts.items()) or "no records"
    say(f"Drafted {summary}; {len({m.entity for m in result.mentions})} entities linked, "
        f"{len(result.new_entities)} new names" + (f"; {skipped} already in facts.yaml left out" if skipped else "")
        + ("" if str(target) == "-" else f". Wrote {target}"), quiet)


@main.command(name="anchors")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--fix", is_flag=True,
              help="Update facts.yaml where the answer is unambiguous (occurrence, changed words).")
@click.option("--dist", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="The previous build, whose cardf.nq records each quote's context and position.")
@click.option("--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Folder with entities.yaml and articles/.")
@click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
              help="Ontology folder [default: ontology/].")
@click.option("--all", "show_all", is_flag=True, help="List unchanged quotes too.")
@common
def anchors_cmd(slugs, fix, dist, data, ontology_dir, show_all, quiet):
    """Re-anchor every evidence quote after article.txt was edited; report moved and changed ones.

    Each quote is found again by its words, and by the context and position the previous build
    (--dist) recorded: exactly, then approximately, scored like annotation tools re-anchor
    highlights. --fix updates facts.yaml in place (occurrence numbers, or the words where the
    article's words changed unambiguously) and lists the rest for a person. Exit 0 when every
    quote is anchored, 1 when some need a person (or --fix).

    Example: cardf anchors interaffairs-2025-12-04-russia-central-asia --fix
    """
    from .curate import anchors
    from .curate.articles import article_folder
    from .sources import ARTICLES_DIR, load_vocabulary

    old = anchors.read_previous_build(dist)
    if old is None:
        say(f"No previous build at {dist}/cardf.nq: quotes are re-anchored by their words alone.", quiet)
    if not slugs and not (data / ARTICLES_DIR).is_dir():
        from .errors import InputError, Problem

        raise InputError(problems=[Problem(f"no `{ARTICLES_DIR}/` folder; each article lives in "
                                           f"{ARTICLES_DIR}/<slug>/", data)])
    folders = [article_folder(data, s) for s in slugs] if slugs else sorted(
        p for p in (data / ARTICLES_DIR).iterdir() if p.is_dir() and not p.name.startswith("."))
    vocab = load_vocabulary(ontology_dir or resource_dir("ontology"))
    results = [anchors.check_article(folder, vocab, old) for folder in folders]
    if fix:
        for result in results:
            anchors.fix(result)
    shown, clean = anchors.render(results, fix, show_all)
    click.echo(shown, nl=False)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
