"""cardf ontology (context, report, docs), stats and diff: describing the ontology and the data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..resources import DATA_DIR, OUT_DIR, resource_dir
from .options import (PATHS, FormatName, base_option, common, existing, input_options, ontology_option,
                      output_options, say, shapes_option)


def _examples_data(data: Path | None, rdf: Path | None) -> Path | None:
    """Where example instances or checked terms come from: --input, --data, else data/ when it is there."""
    if data is not None and rdf is not None:
        raise UsageError("--data and --input do not go together; choose one")
    if rdf is not None:
        return rdf
    if data is not None:
        return data
    return DATA_DIR if (DATA_DIR / "entities.yaml").is_file() else None


INPUT = click.option("--input", "rdf", type=click.Path(path_type=Path, allow_dash=True), default=None, metavar="PATH",
                     help="A build folder or an RDF file (- for standard input) to take the data from instead of "
                          "the sources.")
DATA = click.option("--data", type=click.Path(path_type=Path), default=None,
                    help="The sources folder (entities.yaml and articles/) [default: data/ when there is one].")


@click.group()
def ontology():
    """Work with the ontology: its JSON-LD context, quality report and documentation."""


@ontology.command(name="context")
@ontology_option
@base_option
@common
def ontology_context(ontology_dir, base, quiet):
    """Print the JSON-LD context generated from the ontology.

    Example: cardf ontology context > ontology/context.jsonld
    """
    from ..iris import Minter
    from ..ontology import build_context, context_text, load_ontology_quads

    triples = load_ontology_quads(ontology_dir or resource_dir("ontology"))
    click.echo(context_text(build_context(triples, Minter(base))), nl=False)


@ontology.command(name="report")
@ontology_option
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="SHACL shapes file or folder to check too [default: shapes/].")
@click.option("--queries", "queries_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of .rq queries whose terms are checked [default: queries/].")
@DATA
@INPUT
@click.option("--ontology-only", is_flag=True, help="Check the ontology alone: no shapes, queries or data.")
@click.option("--profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="YAML profile: turn checks off, change their level, add your own .rq checks.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Exit 1 when a finding at this level or worse is reported [default: error].")
@output_options(("table", "tsv", "json", "markdown"), "table", "Output format.")
@click.option("--list-checks", is_flag=True, help="List the checks (after the profile) instead of running them.")
@base_option
@common
def ontology_report(ontology_dir, shapes, queries_dir, data, rdf, ontology_only, profile, fail_on, fmt, no_headers,
                    list_checks, base, quiet):
    """Check the ontology's quality: labels, definitions, alignments, metadata, undefined and deprecated terms.

    Each check is a SPARQL query with a level (error, warning, info); the shapes, queries and
    data are scanned for terms the ontology does not define, and OWL RL reasoning looks for
    unsatisfiable classes. Exit 1 when a finding reaches --fail-on.

    Example: cardf ontology report --fail-on warning --format markdown
    """
    from .. import quality

    if ontology_only and any(v is not None for v in (shapes, queries_dir, data, rdf)):
        raise UsageError("--ontology-only does not go with --shapes, --queries, --data or --input")
    loaded = quality.load_profile(profile) if profile is not None else None
    if list_checks:
        click.echo(quality.render_checks(quality.select_checks(loaded, profile), fmt, not no_headers), nl=False)
        return
    sources = quality.Sources(
        ontology=ontology_dir or resource_dir("ontology"),
        shapes=None if ontology_only else existing(shapes, "shapes"),
        queries=None if ontology_only else existing(queries_dir, "queries"),
        data=None if ontology_only else _examples_data(data, rdf),
        base=base)
    result = quality.report(sources, loaded, profile)
    click.echo(quality.render(result, fmt, not no_headers), nl=False)
    say(quality.summary_line(result), quiet)
    sys.exit(1 if result.fails(fail_on or (loaded.fail_on if loaded else None) or "error") else 0)


@ontology.command(name="docs")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("docs/ontology"),
              show_default=True, help="Folder for index.html, the class diagram and the ontology as Turtle.")
@ontology_option
@shapes_option
@DATA
@INPUT
@click.option("--no-examples", is_flag=True, help="Leave out example instances from the data.")
@base_option
@common
def ontology_docs(out, ontology_dir, shapes, data, rdf, no_examples, base, quiet):
    """Write the ontology's documentation: one self-contained HTML page with a class diagram.

    Classes, properties and vocabularies with their English and Russian labels, definitions,
    alignments, domains and ranges, the shapes that constrain them and examples from the data.
    The page loads nothing from the network; the same ontology gives the same bytes.

    Example: cardf ontology docs --out docs/ontology && open docs/ontology/index.html
    """
    from .. import docs, export
    from ..iris import Minter
    from ..ontology import load_ontology_quads

    if no_examples and (data is not None or rdf is not None):
        raise UsageError("--no-examples and --data (or --input) do not go together; choose one")
    ontology_path = ontology_dir or resource_dir("ontology")
    examples = None if no_examples else _examples_data(data, rdf)
    built = docs.build(ontology_path, existing(shapes, "shapes"), examples, base)
    for note in built.notes:
        say(f"Warning: {note}", quiet)
    ontology_ttl = export.write_triples(export.sort_triples(load_ontology_quads(ontology_path)), "ttl",
                                        Minter(base).prefixes())
    files = docs.write(built, out, ontology_ttl)
    say(f"Wrote {', '.join(files)} to {out}/" + (f" (diagram drawn by {built.renderer})" if built.renderer else ""),
        quiet)


@click.command(name="stats")
@click.argument("sources", nargs=-1, type=PATHS)
@output_options(("table", "markdown", "json", "turtle"), "table",
                "A summary table, or the VoID description as Turtle, or JSON.", headers=False)
@click.option("--void", "void_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the VoID description (Turtle) to this file.")
@click.option("--endpoint", default=None, metavar="URL",
              help="The SPARQL endpoint that serves the data, e.g. http://127.0.0.1:7878/query (from cardf serve).")
@input_options
@base_option
@common
def stats(sources, fmt, void_file, endpoint, input_format, base, quiet):
    """Describe a build: triples, entities, classes, properties, graphs and links to Wikidata (VoID).

    Reads the build folder out/ (its cardf.nq) unless build folders or RDF files (- for
    standard input) are given.

    Example: cardf stats --void out/void.ttl --endpoint http://127.0.0.1:7878/query
    """
    from .. import stats as described_by

    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    paths = list(sources) or [OUT_DIR]
    described = described_by.collect(described_by.read_input(paths, input_format), base, endpoint,
                                     ", ".join(str(p) for p in paths))
    if void_file is not None:
        try:
            void_file.write_bytes(described_by.void_turtle(described, base))
        except OSError as exc:
            from ..errors import ExternalError, Problem

            raise ExternalError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", void_file)]) from None
        say(f"Wrote the VoID description to {void_file}", quiet)
    click.echo(described_by.render(described, base, fmt), nl=False)


@click.command(name="diff")
@click.argument("old", type=PATHS)
@click.argument("new", type=PATHS)
@click.option("--format", "fmt", type=FormatName(("text", "turtle", "json")), default="text", show_default=True,
              help="Output format.")
@input_options
@base_option
@common
def diff(old, new, fmt, input_format, base, quiet):
    """Show what changed between two builds (folders with cardf.nq) or two RDF files (one may be -).

    Removed (-) and added (+) statements grouped by subject, with labels; blank nodes are
    matched by canonicalization, and a blank-node tree that one statement owns (a union,
    a list) is shown inline. Exit 0 when equal, 1 when different, 2 when an input is bad.

    Example: cardf diff old-out out --format json
    """
    from .. import diff as rdfdiff

    if str(old) == "-" and str(new) == "-":
        raise UsageError("standard input (-) can be read only once: give it as OLD or NEW, not both")
    result = rdfdiff.compare(rdfdiff.load(old, input_format), rdfdiff.load(new, input_format))
    click.echo(rdfdiff.render(result, fmt, base), nl=False)
    say(rdfdiff.summary(result), quiet)
    sys.exit(0 if result.equal else 1)


commands = (ontology, stats, diff)
