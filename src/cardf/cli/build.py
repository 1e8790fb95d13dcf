"""cardf build, validate and init: the sources into validated RDF, RDF checked against the shapes, a starter project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import NotConforming, UsageError
from .options import PATHS, FormatList, FormatName, common, input_options, project_options, say, settings

WARNINGS = click.option("--warnings", "warnings_shown", type=click.Choice(["summary", "all", "none"]),
                        default="summary", show_default=True,
                        help="Warnings and infos on the terminal: the first of each kind and a count, every one, "
                             "or none (violations are always listed).")


@click.command()
@project_options
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder; replaced whole when the build succeeds, and only if it is empty or a build "
                   "cardf wrote [default: out/].")
@click.option("--format", "chosen", type=FormatList(("ttl", "nt", "jsonld", "trig", "nq")), default=None,
              metavar="LIST", help="Comma-separated output formats: ttl,nt,jsonld,trig,nq (or their long names) "
                                   "[default: all].")
@click.option("--no-store", is_flag=True, help="Do not write the embedded store (out/store).")
@click.option("--store", "old_store", is_flag=True, hidden=True, help="Old spelling: the store is written anyway.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON on stdout.")
@WARNINGS
@common
def build(data, out, ontology_dir, shapes, base, chosen, no_store, old_store, as_json, warnings_shown, quiet):
    """Build validated RDF from the sources into every standard format.

    Reads data/ (entities.yaml and articles/) and writes out/: cardf.ttl, .nt, .jsonld,
    .trig, .nq, the ontology, the embedded store and report.json. Warnings are summarised
    by kind (--warnings all lists each); violations are listed and fail the build (exit 1).

    Example: cardf build --out out --format ttl,jsonld
    """
    import json

    from .. import build as pipeline
    from ..resources import OUT_DIR
    from ..shacl.text import text_report
    from .progress import ArticleProgress

    if old_store:
        say("Note: --store is the default and will go in a later release; --no-store leaves the store out.", quiet)
    out = out if out is not None else OUT_DIR
    chosen_settings = settings(data, out, ontology_dir, shapes, base, chosen, not no_store)
    say(f"Reading {data} …", quiet)
    try:
        with ArticleProgress(quiet) as progress:
            built = pipeline.run(chosen_settings, progress)
    except NotConforming as exc:
        say(text_report(exc.report, exc.prefixes, warnings_shown).rstrip())
        raise
    report = built.report
    if report.findings and not quiet:
        say(text_report(report, built.prefixes, warnings_shown).rstrip())
    s = built.summary
    say(f"Built {len(s['articles'])} article(s), {sum(s['records'].values())} records, "
        f"{s['triples']['total']} triples in {len(s['triples']['graphs'])} graphs.", quiet)
    say(f"Validation: {s['validation']['violations']} violations, {s['validation']['warnings']} warnings.", quiet)
    say(f"Wrote {', '.join(s['files'])}{', store/' if s['store'] else ''} and {pipeline.REPORT_FILE} to {out}/", quiet)
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))


@click.command(name="validate")
@click.argument("files", nargs=-1, type=PATHS)
@project_options
@input_options
@click.option("--format", "report_format", type=FormatName(("text", "json", "turtle")), default="text",
              show_default=True,
              help="text: one line per problem, grouped by severity and shape; json: the same as data; "
                   "turtle: the standard SHACL validation report graph.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="Exit 1 when a result of this severity or a worse one is found.")
@WARNINGS
@click.option("--with-ontology/--without-ontology", "with_ontology", default=True, show_default=True,
              help="Put the ontology (class and concept declarations) beside FILES for the shapes to see.")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Validate the data as written (none), or with what the ontology entails added first; "
                   "closed shapes are checked only with none.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="fast: the shapes run as SPARQL on pyoxigraph, with pySHACL's findings; pyshacl: pySHACL itself.")
@common
def validate(files, data, ontology_dir, shapes, base, input_format, report_format, fail_on, warnings_shown,
             with_ontology, inference, engine, quiet):
    """Check RDF against the SHACL shapes (the project's own data when no FILES are given).

    FILES may be Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML (told by the extension,
    or --input-format), or - for standard input; all their graphs are validated together.
    Problems in data that came from the sources in --data are reported at the facts.yaml or
    entities.yaml line that made them. Exit 0 when there is no violation (warnings are
    printed; the json and turtle reports still say conforms false, as SHACL does beside any
    result), 1 on violations (or on warnings with --fail-on warning), 2 when an input cannot be read.

    Example: cat out/cardf.ttl | cardf validate - --fail-on warning
    """
    from ..build.check import validate_files
    from ..resources import OUT_DIR
    from ..shacl.text import json_report, text_report, turtle_report

    if sum(1 for f in files if str(f) == "-") > 1:
        raise UsageError("standard input (-) can be read only once")
    chosen = settings(data, OUT_DIR, ontology_dir, shapes, base)
    report, prefixes = validate_files(list(files), chosen, input_format, with_ontology, inference, engine)
    if report_format == "json":
        click.echo(json_report(report), nl=False)
    elif report_format == "turtle":
        click.echo(turtle_report(report), nl=False)
    else:
        click.echo(text_report(report, prefixes, warnings_shown), nl=False)
    worst = {"violation": ("Violation",), "warning": ("Violation", "Warning"),
             "info": ("Violation", "Warning", "Info")}[fail_on]
    failing = {s: report.count(s) for s in worst if report.count(s)}
    if failing and "Violation" not in failing:  # the data conforms: say why the exit code is 1 all the same
        counts = " and ".join(f"{n} {s.lower()}{'' if n == 1 else 's'}" for s, n in failing.items())
        click.echo(f"Error: failed on {counts} (--fail-on {fail_on}).", err=True)
    sys.exit(1 if failing else 0)


@click.command(name="init")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@common
def init(folder, quiet):
    """Start a project: a small example corpus to build, query and change.

    Writes FOLDER/data/ (entities.yaml and one article with its facts), a .gitignore for the
    build folder and a README; the ontology, shapes and named queries that ship with cardf
    are used until FOLDER has folders of its own. Never overwrites: files already there are
    an error.

    Example: cardf init demo && cd demo && cardf build
    """
    from ..curate.starter import create

    written = create(folder)
    say(f"Created {', '.join(written)} in {folder}/", quiet)
    where = "" if folder == Path(".") else f"cd {folder} && "
    say(f"Next: {where}cardf build, then cardf query --list", quiet)


commands = (build, validate, init)
