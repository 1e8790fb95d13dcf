"""What a query returned, and writing it: W3C results formats for programs, tables for people, RDF for graphs.

An answer's rows are read once, in blocks of BLOCK rows, and each block is written before the
next is read, so that a long answer piped to `head` or to a file never sits whole in memory:

* csv and tsv of a local query are written by pyoxigraph's own W3C writer straight from the
  query's results as they come (rows counted on the way: one line each in TSV, CRLF outside
  quotes in CSV): about 300,000 rows a second here, where reading each row into Python first
  managed 9,000;
* json (and csv and tsv from an endpoint) are written by the same writers one block at a time
  (the header once; the JSON blocks joined inside one `bindings` array), byte for byte what
  one call on the whole answer writes;
* markdown is written row by row (labels looked up per block);
* an aligned table takes its column widths from the first block, fitted to the terminal;
  later rows keep them (see render.Table);
* CONSTRUCT and DESCRIBE answers are sorted before they are written (same bytes every run),
  so they are held whole.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyoxigraph import (BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, Triple,
                        parse_query_results)

from . import render
from .errors import CardfError, ExternalError
from .iris import XSD, Minter

BLOCK = 1000
SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown", "records", "ndjson")
LABELLED_BY_DEFAULT = ("table", "markdown", "records", "ndjson")  # formats for people and plain programs
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
_XSD_STRING = XSD + "string"
_RESULT_FORMATS = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}


@dataclass
class Answer:
    """What a query returned, whichever target answered it; `rows` and `triples` may be read only once."""

    form: str  # SELECT, ASK or GRAPH (CONSTRUCT and DESCRIBE)
    variables: list[str] = field(default_factory=list)
    rows: Iterable[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: Iterable[Triple] = field(default_factory=list)
    seconds: float = 0.0
    solutions: QuerySolutions | None = None  # pyoxigraph's own results, when they can be written as they are


def answer_of(result, seconds: float = 0.0) -> Answer:
    """A pyoxigraph result as an Answer whose rows are read as they come."""
    if isinstance(result, QueryBoolean):
        return Answer("ASK", boolean=bool(result), seconds=seconds)
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        width = range(len(names))
        return Answer("SELECT", names, (tuple(solution[i] for i in width) for solution in result), seconds=seconds,
                      solutions=result)
    return Answer("GRAPH", triples=result, seconds=seconds)


def iris_of(rows: Iterable[tuple]) -> list[str]:
    found = set()
    for row in rows:
        found.update(t.value for t in row if isinstance(t, NamedNode))
    return sorted(found)


# ----------------------------------------------------------------------------- how to write it

@dataclass
class Output:
    """The format asked for and how a table should look."""

    fmt: str | None = None  # None: table for SELECT and ASK, ttl for graphs
    headers: bool = True
    labels: bool = False  # show an IRI's label (tables), or add it beside the IRI (csv, tsv, records, ndjson)
    prefixes: dict[str, str] = field(default_factory=dict)
    limit: int | None = None  # widest table cell (on a terminal)
    fit: int | None = None  # the terminal's width, to fit a table to
    lang: str = "en"  # the language of labels (English where there is none in it)


Labeller = Callable[[list[str]], dict[str, str]]


def write_answer(answer: Answer, out: Output, write: Callable[[bytes], None], labeller: Labeller | None = None) -> int:
    """Write the answer block by block; return how many rows (or triples) it had."""
    prefixes = out.prefixes or Minter().prefixes()
    if answer.form == "GRAPH":
        triples = list(answer.triples)
        write(graph_output(triples, out.fmt or "ttl", prefixes))
        return len(triples)
    fmt = out.fmt or "table"
    if answer.form == "ASK":
        if fmt == "json":  # the W3C CSV and TSV formats have no boolean: plain true or false, as for a table
            write(solutions(answer).serialize(format=_RESULT_FORMATS[fmt]) + b"\n")
        else:
            write(b"true\n" if answer.boolean else b"false\n")
        return 1 if answer.boolean else 0
    if fmt in ("records", "ndjson") or (fmt in ("csv", "tsv") and out.labels):
        return _write_plain(answer, fmt, out, write, labeller)
    if fmt in ("csv", "tsv") and answer.solutions is not None:
        lines = _Lines(fmt, out.headers, write)
        try:
            answer.solutions.serialize(lines, _RESULT_FORMATS[fmt])
        except BrokenPipeError:
            raise
        except (OSError, RuntimeError) as exc:  # Oxigraph's own, while it evaluates: a SERVICE failed, a read error
            raise ExternalError(f"the query failed: {exc}") from None
        return lines.rows
    rows = iter(answer.rows)
    count = 0
    if fmt in _RESULT_FORMATS:
        writer = _W3CWriter(fmt, answer.variables, out.headers, write)
        for block in _blocks(rows):
            writer.block(block)
            count += len(block)
        writer.close()
        return count
    sheet = (render.Markdown(answer.variables, headers=out.headers) if fmt == "markdown" else
             render.Table(answer.variables, headers=out.headers, limit=out.limit, fit=out.fit))
    for block in _blocks(rows):
        labels = labeller(iris_of(block)) if (labeller and out.labels) else {}
        write(sheet.block([[display(t, labels, prefixes) for t in row] for row in block]).encode("utf-8"))
        count += len(block)
    return count


# ----------------------------------------------------------------------------- plain rows

_NUMBERS = {XSD + n: int for n in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                   "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
                                   "unsignedLong", "unsignedShort", "unsignedByte")}
_NUMBERS.update({XSD + n: float for n in ("decimal", "double", "float")})


def plain_value(term):
    """A term as a plain JSON value: an IRI as its text, a number as a number, true/false, anything else as text."""
    if term is None:
        return None
    if isinstance(term, Literal):
        kind = _NUMBERS.get(term.datatype.value)
        if kind is not None:
            try:
                return kind(term.value)
            except ValueError:
                return term.value
        if term.datatype.value == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (NamedNode,)):
        return term.value
    return str(term)


def labelled_variables(variables: list[str], rows: list[tuple]) -> list[str]:
    """The variables that hold an IRI in some of the rows: they get a `<name>_label` beside them."""
    return [v for i, v in enumerate(variables) if any(isinstance(r[i], NamedNode) for r in rows)]


def plain_row(variables: list[str], row: tuple, labelled: list[str], labels: dict[str, str],
              prefixes: dict[str, str]) -> dict:
    """One row as a flat dict: each variable's plain value, and `<name>_label` beside each labelled variable."""
    out: dict = {}
    for name, term in zip(variables, row):
        out[name] = plain_value(term)
        if name in labelled:
            out[f"{name}_label"] = (labels.get(term.value) or render.short_iri(term.value, prefixes)
                                    if isinstance(term, NamedNode) else None)
    return out


def _write_plain(answer: Answer, fmt: str, out: Output, write: Callable[[bytes], None],
                 labeller: Labeller | None) -> int:
    """records (a JSON array), ndjson (a JSON object a line) or csv/tsv with labels, block by block.

    Which variables get a label column is decided by the first block (a CSV header is written
    once); later rows keep those columns.
    """
    prefixes = out.prefixes or Minter().prefixes()
    count, labelled, header = 0, None, None
    for block in _blocks(iter(answer.rows)):
        if labelled is None:
            labelled = labelled_variables(answer.variables, block) if out.labels else []
            header = [c for v in answer.variables for c in ((v, f"{v}_label") if v in labelled else (v,))]
        labels = labeller(iris_of(block)) if (labeller and labelled) else {}
        rows = [plain_row(answer.variables, row, labelled, labels, prefixes) for row in block]
        if fmt == "ndjson":
            write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
        elif fmt == "records":
            text = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows)
            write((("[\n" if count == 0 else ",\n") + text if rows else ("[" if count == 0 else "")).encode("utf-8"))
        else:
            cells = [_csv_cells(row, r, answer.variables, labelled) for row, r in zip(block, rows)]
            text = (render.csv_text if fmt == "csv" else render.tsv_text)(header, cells, out.headers and count == 0)
            write(text.encode("utf-8"))
        count += len(block)
    if fmt == "records":
        write(b"\n]\n" if count else b"]\n")
    return count


def _csv_cells(row: tuple, plain: dict, variables: list[str], labelled: list[str]) -> list[str]:
    """A row for CSV or TSV with labels: each value as written in RDF (no number rounded), then its label."""
    cells = []
    for name, term in zip(variables, row):
        cells.append("" if term is None else f"_:{term.value}" if isinstance(term, BlankNode) else
                     term.value if isinstance(term, (NamedNode, Literal)) else str(term))
        if name in labelled:
            cells.append(plain[f"{name}_label"] or "")
    return cells


def _blocks(rows) -> Iterable[list[tuple]]:
    """The rows in lists of BLOCK; always at least one list, empty for an empty answer."""
    first = True
    while True:
        block = list(itertools.islice(rows, BLOCK))
        if not block and not first:
            return
        yield block
        first = False
        if len(block) < BLOCK:
            return


class _Lines:
    """A file for pyoxigraph's CSV or TSV writer: passes the bytes on (the header line only if asked) and counts rows.

    A TSV row is one line (line breaks in values are escaped). A CSV row ends with CRLF outside
    quotes (a value with a line break, comma or quote is quoted, its quotes doubled); its LF is
    counted, so that a CRLF cut in two by the writer's buffer still counts once.
    """

    def __init__(self, fmt: str, headers: bool, write: Callable[[bytes], None]):
        self.csv, self.headers, self.send = fmt == "csv", headers, write
        self.header_done = False
        self.quoted = False  # inside a quoted CSV value
        self.ends = 0  # row ends seen, the header's included

    def write(self, data: bytes) -> int:
        size = len(data)
        if not self.header_done:
            cut = data.find(b"\n")
            if cut < 0:
                if self.headers:
                    self.send(bytes(data))
                return size
            self.header_done, self.ends = True, 1
            head, data = data[:cut + 1], data[cut + 1:]
            if self.headers:
                self.send(bytes(head))
        if not self.csv:
            self.ends += data.count(b"\n")
        elif not self.quoted and b'"' not in data:
            self.ends += data.count(b"\n")
        else:
            parts = bytes(data).split(b'"')
            for i, part in enumerate(parts):
                if i:
                    self.quoted = not self.quoted
                if not self.quoted:
                    self.ends += part.count(b"\n")
        if data:
            self.send(bytes(data))
        return size

    def flush(self) -> None:
        pass

    @property
    def rows(self) -> int:
        return max(self.ends - 1, 0)


class _W3CWriter:
    """pyoxigraph's CSV, TSV or JSON results writer, fed one block of rows at a time."""

    def __init__(self, fmt: str, variables: list[str], headers: bool, write: Callable[[bytes], None]):
        self.fmt, self.variables, self.headers, self.write = fmt, variables, headers, write
        self.started = self.bindings = False

    def block(self, rows: list[tuple]) -> None:
        data = solutions(Answer("SELECT", self.variables, rows)).serialize(format=_RESULT_FORMATS[self.fmt])
        if self.fmt != "json":
            if self.started or not self.headers:
                data = data.split(b"\n", 1)[1]
            self.write(data)
        else:  # {"head":…,"results":{"bindings":[ROWS]}}: the head once, then each block's rows
            opening = data.index(b'"bindings":[') + len(b'"bindings":[')
            inner = data[opening:-3]
            if not self.started:
                self.write(data[:opening])
            if inner:
                self.write((b"," if self.bindings else b"") + inner)
                self.bindings = True
        self.started = True

    def close(self) -> None:
        if self.fmt == "json":
            self.write(b"]}}\n")


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")}}


def solutions(answer: Answer):
    """The answer as pyoxigraph results again, so that its W3C writers produce every standard format."""
    if answer.form == "ASK":
        doc = {"head": {}, "boolean": bool(answer.boolean)}
    else:
        doc = {"head": {"vars": answer.variables}, "results": {"bindings": [
            {v: _json_term(t) for v, t in zip(answer.variables, row) if t is not None} for row in answer.rows]}}
    return parse_query_results(json.dumps(doc), QueryResultsFormat.JSON)


def display(term, labels: dict[str, str], prefixes: dict[str, str]) -> str:
    """A term as a person reads it in a table: a label or prefixed name for an IRI, the text of a literal."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return labels.get(term.value) or render.short_iri(term.value, prefixes)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return term.value
    return str(term)


def render_answer(answer: Answer, fmt: str | None, *, headers: bool = True, labels: dict[str, str] | None = None,
                  prefixes: dict[str, str] | None = None, limit: int | None = None) -> bytes:
    """The whole answer in one piece (for tests and small answers)."""
    parts: list[bytes] = []
    write_answer(answer, Output(fmt, headers, labels is not None, prefixes or {}, limit), parts.append,
                 (lambda iris: labels) if labels else None)
    return b"".join(parts)


def graph_output(triples: list[Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    from .export import sort_triples, write_jsonld, write_triples

    triples = sort_triples(triples)
    if fmt == "jsonld":
        return write_jsonld(triples, _jsonld_context(prefixes))
    return write_triples(triples, fmt, prefixes)


def _jsonld_context(prefixes: dict[str, str]) -> dict:
    """The project's JSON-LD context when the ontology is at hand, so results read like out/cardf.jsonld."""
    from .ontology import build_context, load_ontology_quads
    from .resources import resource_dir

    try:
        return build_context(load_ontology_quads(resource_dir("ontology")), Minter())
    except CardfError:
        return {"@context": {"id": "@id", "type": "@type", **prefixes}}
