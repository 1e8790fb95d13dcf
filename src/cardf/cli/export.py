"""cardf export: the built facts as plain statements (CSV, JSON Lines) or nested JSON records, with labels."""

from __future__ import annotations

import json

import click

from ..errors import UsageError
from .options import FormatName, base_option, chosen_out, common, lang_option, out_option

SYNTAXES = {"statements": ("csv", "tsv", "ndjson"), "records": ("json", "ndjson")}


@click.command(name="export")
@click.option("--format", "shape", type=click.Choice(["statements", "records"]), required=True,
              help="statements: one row per record, field, value and source, with the exact words, their offsets "
                   "and whether sources disagree; records: each fact as a nested JSON document.")
@click.option("--as", "syntax", type=FormatName(("csv", "tsv", "ndjson", "json")), default=None,
              help="csv, tsv or ndjson (JSON Lines) for statements [default: csv]; json (an array) or ndjson "
                   "for records [default: json].")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of a statement or a record instead.")
@out_option("The build folder to read (its store, else its cardf.nq).")
@lang_option
@base_option
@common
def export(shape, syntax, schema, out, old_dist, lang, base, quiet):
    """Write the built facts for people and programs that do not speak RDF.

    Statements are one row per record, field, value, language and source article, with the
    article's exact words and their character offsets, and `disputed` when the sources give
    different values (the way FollowTheMoney publishes statements); several pieces of
    evidence are joined in CSV (quotes by ` […] `, offsets by `;`) and listed in JSON Lines.
    Records are the facts as nested JSON documents: events with their participants, places,
    dates and documents, figures with amount and period; --schema prints their JSON Schema.
    IRIs come with their labels in --lang.

    Example: cardf export --format statements --lang ru > statements.csv
    """
    from .. import plain, render

    syntax = syntax or SYNTAXES[shape][0]
    if syntax not in SYNTAXES[shape]:
        raise UsageError(f"--as {syntax} does not go with --format {shape}; choose {' or '.join(SYNTAXES[shape])}")
    if schema:
        doc = plain.statement_schema() if shape == "statements" else plain.json_schema()
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    facts = plain.Facts(plain.open_build(chosen_out(out, old_dist, quiet)), lang, base)
    if shape == "records":
        items = plain.records(facts)
        if syntax == "ndjson":
            for doc in items:
                click.echo(json.dumps(doc, ensure_ascii=False))
        else:
            docs = [json.dumps(doc, ensure_ascii=False, indent=2).replace("\n", "\n  ") for doc in items]
            click.echo("[\n  " + ",\n  ".join(docs) + "\n]" if docs else "[]")
        return
    from ..plain.statements import STATEMENT_FIELDS, csv_cells

    if syntax == "ndjson":
        for row in plain.statements(facts):
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    write = render.csv_text if syntax == "csv" else render.tsv_text
    header, block = list(STATEMENT_FIELDS), []
    first = True
    for row in plain.statements(facts):
        block.append(csv_cells(row))
        if len(block) == 1000:
            click.echo(write(header, block, first), nl=False)
            block, first = [], False
    click.echo(write(header, block, first), nl=False)


commands = (export,)
