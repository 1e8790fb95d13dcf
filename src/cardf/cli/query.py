"""cardf query: a named query, a .rq file, -e 'SELECT …' or a query on stdin, asked of a store, files or an endpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..results import GRAPH_FORMATS, LABELLED_BY_DEFAULT, SELECT_FORMATS
from .options import FormatName, common, input_options, lang_option, say


def _query_names(ctx, param, incomplete):
    """Shell completion: the names of the named queries (in --queries, else queries/ or cardf's own)."""
    from click.shell_completion import CompletionItem

    from ..resources import resource_dir

    folder = ctx.params.get("queries_dir") or resource_dir("queries")
    try:
        names = sorted(p.stem for p in Path(folder).glob("*.rq"))
    except OSError:
        names = []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


@click.command(name="query")
@click.argument("source", required=False, metavar="[NAME | FILE.rq | -]", shell_complete=_query_names)
@click.option("-e", "--expression", default=None, metavar="QUERY", help="The SPARQL query itself.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries (their headers) and exit.")
@click.option("--show", default=None, metavar="NAME", help="Print a named query and exit.")
@click.option("--queries", "queries_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Folder of named queries [default: queries/, else cardf's own].")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Embedded store to ask, opened read-only [default: out/store].")
@click.option("--input", "-i", "input_files", type=click.Path(path_type=Path, allow_dash=True), multiple=True,
              metavar="FILE", help="RDF file to ask instead (- for standard input), read into memory; repeat for more.")
@click.option("--data", "old_data", type=click.Path(path_type=Path, allow_dash=True), multiple=True, hidden=True,
              help="Old name of --input.")
@input_options
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 endpoint to ask; credentials from CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to an RDF term: <iri>, state:russia, an id as written in the YAML (russia), "
                   "\"text\"@ru, 2025-11-11, 42, or a plain string.")
@click.option("--format", "fmt", type=FormatName(SELECT_FORMATS + GRAPH_FORMATS), default=None,
              help="table, csv, tsv, json (W3C), markdown, records (a JSON array of rows), ndjson (a row a line) "
                   "for SELECT and ASK; ttl, nt, jsonld for CONSTRUCT and DESCRIBE; or a media type "
                   "[default: table or ttl].")
@click.option("--no-headers", is_flag=True, help="Leave out the header row (table, markdown, csv, tsv).")
@click.option("--labels/--no-labels", default=None,
              help="Show IRIs by their labels: in place of the IRI in tables and markdown, beside it (NAME_label) "
                   "in csv, tsv, records and ndjson [default: on for table, markdown, records, ndjson].")
@lang_option
@click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="Stop the query after this long (exit 3); 0 for no limit.")
@click.option("--allow-service", is_flag=True, help="Let a local query call remote SERVICEs.")
@common
def query(source, expression, list_queries, show, queries_dir, store_dir, input_files, old_data, input_format,
          endpoint, params, fmt, no_headers, labels, lang, timeout, allow_service, quiet):
    """Ask a question of the data: a named query, a .rq file, -e 'SELECT …' or a query on stdin.

    Asks the store that `cardf build` wrote (out/store) unless --store, --input or --endpoint
    says otherwise, over the union of its graphs (or the graphs its FROM clauses name).
    Parameters are bound as RDF terms, never pasted into the query; a parameter need not be
    selected. Rows are written as they come; updates and (unless allowed) SERVICE calls are
    refused. An ASK query prints true or false and exits 0 or 1.

    Example: cardf query quotes-by-person --param speaker=vladimir-putin --lang ru
    """
    from .. import query as q
    from ..queryrun import execute
    from ..render import terminal_width
    from ..resources import OUT_DIR, resource_dir
    from ..results import Output

    folder = queries_dir or resource_dir("queries")
    if old_data:
        say("Note: query --data is now called --input; --data will go in a later release.", quiet)
    files = tuple(input_files) + tuple(old_data)
    if list_queries or show:
        if source or expression or (list_queries and show):
            raise UsageError("--list and --show take no query and do not go together")
        if list_queries:
            click.echo(q.render_listing(q.library(folder), fmt or "table", not no_headers), nl=False)
        else:
            click.echo(q.find_query(show, folder).text, nl=False)
        return
    targets = [name for name, value in (("--store", store_dir), ("--input", files), ("--endpoint", endpoint))
               if value]
    if len(targets) > 1:
        raise UsageError(f"give one of --store, --input or --endpoint, not {' and '.join(targets)}")
    data_on_stdin = sum(1 for f in files if str(f) == "-")
    if data_on_stdin > 1 or (data_on_stdin and source == "-"):
        raise UsageError("standard input (-) can be read only once: give the query or the data there, not both")
    stdin_text = None
    if (expression is None and not data_on_stdin and source in (None, "-")
            and (source == "-" or not sys.stdin.isatty())):
        stdin_text = sys.stdin.read()
    question = q.resolve(source, expression, stdin_text, folder)
    q.check_format(question.form, fmt, not no_headers)
    bindings = q.bindings_for(question, list(params))
    if endpoint and q.insecure_credentials(endpoint):
        say("Warning: sending credentials over plain http to another machine.", quiet)
    terminal = fmt in (None, "table") and terminal_width() is not None
    output = Output(fmt, not no_headers, labels=(fmt or "table") in LABELLED_BY_DEFAULT if labels is None else labels,
                    prefixes=question.prefixes(), limit=q.TERMINAL_CELL if terminal else None,
                    fit=terminal_width() if terminal else None, lang=lang)
    outcome = execute(question, bindings, output, lambda data: click.echo(data, nl=False),
                      store=store_dir or OUT_DIR / "store", files=files, input_format=input_format,
                      endpoint=endpoint, timeout=timeout or None, allow_service=allow_service)
    for note in outcome.notes:
        say(f"Note: {note}", quiet)
    if outcome.form == "ASK":
        sys.exit(0 if outcome.boolean else 1)
    noun = "row" if outcome.form == "SELECT" else "triple"
    say(f"{outcome.count} {noun}{'' if outcome.count == 1 else 's'} in {outcome.seconds:.3f} s", quiet)


commands = (query,)
