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
        built = pipeline.run(settings)
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


@main.command(name="validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@project_options
@click.option("--input-format", default=None, help="Format of FILES when the extension does not tell.")
@click.option("--format", "report_format", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="Report format.")
@click.option("--with-ontology/--without-ontology", "with_ontology", default=True, show_default=True,
              help="Let the shapes see the ontology (class and concept declarations) beside the data.")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Inference to run before validating.")
@common
def validate_cmd(files, data, ontology_dir, shapes, base, input_format, report_format, with_ontology, inference,
                 quiet):
    """Check RDF against the SHACL shapes (the project's own data when no FILES are given).

    Exit 0 when it conforms, 1 on violations, 2 when an input cannot be read.

    Example: cardf validate dist/cardf.ttl --format json
    """
    from .build import validate_files

    settings = _settings(data, Path("dist"), ontology_dir, shapes, base)
    report, prefixes = validate_files(list(files), settings, input_format, with_ontology, inference)
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


if __name__ == "__main__":  # pragma: no cover
    main()
