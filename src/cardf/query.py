"""Stage 6 — asking questions: named SPARQL queries over the embedded store, RDF files or an endpoint.

A question is a `.rq` file in `queries/` whose leading comment block is its header:

    # title: Quotes by a person
    # description: Every direct quotation of one speaker, with its occasion and date.
    # param: speaker = person:vladimir-putin — the person quoted
    # example: cardf query quotes-by-person --param speaker=person:sadyr-japarov

Parameters are bound as RDF terms, never pasted into the query text, so no value can change
what a query means:

* over an endpoint, by a `VALUES` block placed first in the query's outermost WHERE group,
  written from the term with every character that could end a literal or an IRI escaped
  (IRIs are checked by pyoxigraph, language tags and datatypes too). The block's place is
  found from the query's tokens (sparqltext), so braces or keywords inside comments, strings
  and IRIs never mislead it;
* locally (embedded store, `--data` files) through pyoxigraph's `substitutions`, which
  follow SPARQL SEP-0007 (Oxigraph asks that the variable be projected: in the SELECT
  clause, or `SELECT *`), together with the same VALUES block, because Oxigraph's planner
  does not use substituted values (see `_values_hint`).

A parameter used only inside a sub-SELECT would be seen differently by the two ways of
binding, so library queries use parameters in their outer pattern; the tests run every
library query both ways and compare the answers.

A query without FROM runs over the union of the named graphs (pyoxigraph's
`use_default_graph_as_union`); FROM and FROM NAMED choose the graphs, as SPARQL says. An
endpoint answers over its own default graph (see the README for how to make it the union).
cardf only reads: updates are refused, and so are SERVICE calls unless `--allow-service`
(see sparqltext for how they are found). Running and writing: queryrun and results.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import (BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Store, Triple, Variable, parse,
                        parse_query_results)

from . import remote, render, sparqltext
from .errors import CardfError, ExternalError, InputError, Problem, UsageError
from .iris import RDFS, SKOS, XSD, Minter
from .results import GRAPH_FORMATS, SELECT_FORMATS, Answer, answer_of

SUFFIX = ".rq"
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt"}
ALL_FORMATS = SELECT_FORMATS + GRAPH_FORMATS + tuple(FORMAT_ALIASES)
TERMINAL_CELL = 60  # widest table cell on a terminal; pipes get whole values
LABEL_BATCH = 200
_XSD_STRING = XSD + "string"

Term = NamedNode | BlankNode | Literal | Triple


# ----------------------------------------------------------------------------- the query library

@dataclass(frozen=True)
class Param:
    name: str
    default: str  # the default as written in the header; parsed with the query's prefixes when bound
    doc: str = ""
    line: int | None = None


@dataclass
class Query:
    """One question: its text, where it came from, and what its header says."""

    text: str
    origin: str  # a path, `-e` or `<stdin>`: named in error messages
    name: str = ""
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    example: str = ""

    @property
    def form(self) -> str:
        return query_form(self.text)

    def prefixes(self) -> dict[str, str]:
        """The project's prefixes, overridden by the ones the query declares itself."""
        return {**Minter().prefixes(), **declared_prefixes(self.text)}


_HEADER_LINE = re.compile(r"#\s*([A-Za-z]+)\s*:\s?(.*)$")
_PARAM = re.compile(r"\??([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(<[^>]*>|\"(?:[^\"\\]|\\.)*\"(?:@[A-Za-z0-9-]+|\^\^\S+)?"
                    r"|'(?:[^'\\]|\\.)*'(?:@[A-Za-z0-9-]+|\^\^\S+)?|\S+)\s*(?:(?:—|--|-|:)\s*)?(.*)$")
HEADER_KEYS = ("title", "description", "param", "example")


def parse_query(text: str, origin: str, name: str = "") -> Query:
    """Read the header: the comment lines before the first line of SPARQL."""
    q = Query(text=text, origin=origin, name=name)
    last = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER_LINE.match(stripped)
        key = m.group(1).lower() if m else None
        if key in HEADER_KEYS:
            value = m.group(2).strip()
            if key == "param":
                p = _PARAM.match(value)
                if not p:
                    raise InputError(problems=[Problem("a parameter is written `param: name = default — what it is`",
                                                       origin, number, field="header")])
                if p.group(1) in q.params:
                    raise InputError(problems=[Problem(f"parameter `{p.group(1)}` is declared twice", origin, number,
                                                       field="header")])
                q.params[p.group(1)] = Param(p.group(1), p.group(2), p.group(3).strip(), number)
                last = ("param", p.group(1))
            else:
                setattr(q, key, value)
                last = (key, None)
        elif last and stripped.lstrip("#").strip() and line.startswith("#  "):
            more = stripped.lstrip("#").strip()  # an indented comment line continues the previous entry
            if last[0] == "param":
                p = q.params[last[1]]
                q.params[last[1]] = Param(p.name, p.default, f"{p.doc} {more}".strip(), p.line)
            else:
                setattr(q, last[0], f"{getattr(q, last[0])} {more}".strip())
        else:
            last = None
    return q


def load_query_file(path: Path, name: str = "") -> Query:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(problems=[Problem("file not found", path)]) from None
    except UnicodeDecodeError:
        raise InputError(problems=[Problem("is not UTF-8 text", path)]) from None
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path)]) from None
    return parse_query(text, str(path), name or path.stem)


def library(folder: Path) -> dict[str, Query]:
    """Every named query in the folder, by name (the file name without `.rq`)."""
    if not folder.is_dir():
        raise UsageError(problems=[Problem("no folder of named queries here; pass --queries DIR", folder)])
    return {p.stem: load_query_file(p) for p in sorted(folder.glob(f"*{SUFFIX}"))}


def find_query(name: str, folder: Path) -> Query:
    path = folder / f"{name}{SUFFIX}"
    if path.is_file():
        return load_query_file(path, name)
    names = sorted(p.stem for p in folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name in n and n not in close][:3 - len(close)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"no query named `{name}` in {folder}{hint} (`cardf query --list` shows them all)")


def resolve(source: str | None, expression: str | None, stdin_text: str | None, folder: Path) -> Query:
    """The query to run: `-e TEXT`, a FILE.rq, a library NAME, or the text on stdin (`-` or nothing)."""
    if expression is not None:
        if source is not None:
            raise UsageError("give either a query NAME or FILE or -e QUERY, not both")
        return parse_query(expression, "-e")
    if source is not None and source != "-":
        if source.endswith((SUFFIX, ".sparql")) or "/" in source or os.sep in source:
            return load_query_file(Path(source))
        return find_query(source, folder)
    if stdin_text is None or not stdin_text.strip():
        raise UsageError("no query given: name one from the library (`cardf query --list`), give a FILE.rq, "
                         "-e 'SELECT …', or pipe a query on stdin")
    return parse_query(stdin_text, "<stdin>")


# ----------------------------------------------------------------------------- what a query may do

def query_form(text: str) -> str:
    return sparqltext.query_form(text)


def declared_prefixes(text: str) -> dict[str, str]:
    return sparqltext.declared_prefixes(text)


def where_brace(text: str) -> int | None:
    try:
        return sparqltext.where_brace(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_query(query: Query, allow_service: bool = False, parse: bool = True) -> None:
    """Refuse, before anything runs, an update and (unless allowed) a query that calls a SERVICE.

    With `parse` False only the tokens are read (fast); the query worker reads the parse tree too.
    """
    operation = sparqltext.update_operation(query.text)
    if operation:
        raise UsageError(f"updates are not allowed: cardf query only reads, and {operation} would change the data; "
                         "use `cardf load` to put data in a store")
    if not allow_service and sparqltext.calls_service(query.text, parse):
        raise UsageError("the query calls a SERVICE, which would send data to another server; "
                         "pass --allow-service if you mean it")


# ----------------------------------------------------------------------------- RDF terms

_PN_PREFIX = r"(?:[A-Za-z][\w.-]*)?"
_PNAME = re.compile(rf"^({_PN_PREFIX}):((?:[\w.:%-]|\\[-_~.!$&'()*+,;=/?#@%])*)$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_LITERAL = re.compile(r"""^(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')(?:@([^\s^]+)|\^\^(\S+))?$""", re.S)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SHAPES = [  # a bare value that looks like one of these becomes a typed literal
    (re.compile(r"^[+-]?\d+$"), "integer"),
    (re.compile(r"^[+-]?\d*\.\d+$"), "decimal"),
    (re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$"), "double"),
    (re.compile(r"^-?\d{4,}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^-?\d{4,}-\d{2}$"), "gYearMonth"),
    (re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$"), "dateTime"),
    (re.compile(r"^(?:true|false)$"), "boolean"),
]


def _unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        s = m.group(0)
        if s[1] in "uU":
            return chr(int(s[2:], 16))
        if s[1] in _ECHAR:
            return _ECHAR[s[1]]
        raise ValueError(f"unknown escape `{s}`")
    return re.sub(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", one, body, flags=re.S)


def _iri(value: str, prefixes: dict[str, str]) -> NamedNode:
    if value.startswith("<") and value.endswith(">"):
        try:
            return NamedNode(value[1:-1])
        except ValueError as exc:
            raise ValueError(f"{value} is not an IRI: {exc}") from None
    m = _PNAME.match(value)
    if not m or m.group(1) not in prefixes:
        prefix = value.split(":", 1)[0]
        raise ValueError(f"unknown prefix `{prefix}:`; write the IRI in full as <…>")
    return NamedNode(prefixes[m.group(1)] + re.sub(r"\\(.)", r"\1", m.group(2)))


def parse_term(value: str, prefixes: dict[str, str]) -> Term:
    """A parameter value written the way SPARQL writes terms; anything else is a plain string.

    `<https://…>` and `state:russia` are IRIs, `"Москва"@ru` a language-tagged string,
    `"4.1"^^xsd:decimal` a typed literal, `2025-11-11` a date, `2025-11` a year and month,
    `42` an integer, `4.1` a decimal, `true` a boolean. Quote a value to keep it a string;
    whatever is none of these (including text that merely starts with a quote) is a plain
    string. Raises ValueError with a reason.
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return _iri(text, prefixes)
    m = _LITERAL.match(text)
    if m:
        body = _unescape(m.group(1) if m.group(1) is not None else m.group(2))
        if m.group(3):
            if not _LANG.match(m.group(3)):
                raise ValueError(f"`{m.group(3)}` is not a language tag such as ru or en")
            return Literal(body, language=m.group(3).lower())
        if m.group(4):
            return Literal(body, datatype=_iri(m.group(4), prefixes))
        return Literal(body)
    if text.startswith("_:"):
        raise ValueError("a blank node cannot be a parameter: it names nothing outside its own graph")
    for shape, datatype in _SHAPES:
        if shape.match(text):
            return Literal(text, datatype=NamedNode(XSD + datatype))
    if _PNAME.match(text):
        return _iri(text, prefixes)
    return Literal(value)


def sparql_term(term: Term) -> str:
    """A term as SPARQL text, escaped so that it can only ever be that one term."""
    if isinstance(term, NamedNode):
        NamedNode(term.value)  # pyoxigraph refuses IRIs with spaces, <, >, ", {, }, |, ^, ` or \
        return f"<{term.value}>"
    if isinstance(term, Literal):
        body = (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            if not _LANG.match(term.language):
                raise ValueError(f"invalid language tag {term.language!r}")
            return f'"{body}"@{term.language}'
        if term.datatype.value == _XSD_STRING:
            return f'"{body}"'
        return f'"{body}"^^{sparql_term(term.datatype)}'
    raise ValueError(f"cannot bind {term!r} as a parameter")


def bind_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with a VALUES block for the bindings first in its outermost WHERE group."""
    if not bindings:
        return text
    at = where_brace(text)
    if at is None:
        raise UsageError("the query has no WHERE group to bind parameters in")
    names = " ".join(f"?{n}" for n in bindings)
    row = " ".join(sparql_term(t) for t in bindings.values())
    return f"{text[:at + 1]} VALUES ({names}) {{ ({row}) }}{text[at + 1:]}"


def bindings_for(query: Query, given: list[str]) -> dict[str, Term]:
    """The header's defaults, overridden by `--param name=value`, as RDF terms."""
    prefixes = query.prefixes()
    out: dict[str, Term] = {}
    for p in query.params.values():
        try:
            out[p.name] = parse_term(p.default, prefixes)
        except ValueError as exc:
            raise InputError(problems=[Problem(f"default of parameter `{p.name}`: {exc}", query.origin, p.line,
                                               field="header")]) from None
    for item in given:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.match(r"^[A-Za-z_]\w*$", name):
            raise UsageError(f"--param {item!r}: write --param name=value")
        if name not in query.params and not sparqltext.has_variable(query.text, name):
            known = ", ".join(query.params) or "none"
            raise UsageError(f"--param {name}: the query has no variable ?{name} (its parameters: {known})")
        try:
            out[name] = parse_term(value, prefixes)
        except ValueError as exc:
            raise UsageError(f"--param {name}={value}: {exc}") from None
    return out


# ----------------------------------------------------------------------------- targets

class QueryTimeout(ExternalError):
    def __init__(self, seconds: float | None):
        super().__init__(f"query timed out after {'?' if seconds is None else f'{seconds:g}'} s")


def _syntax_error(exc: SyntaxError, query: Query) -> InputError:
    message = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not m:
        return InputError(problems=[Problem(f"SPARQL syntax error: {message}", query.origin)])
    line, col, why = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    lines = query.text.splitlines()
    if "Prefix not found" in why and 0 < line <= len(lines):
        before = lines[line - 1][:col - 1]
        pm = re.search(rf"({_PN_PREFIX}):[\w.-]*$", before)
        why = f"undeclared prefix `{pm.group(1)}:`" if pm else "undeclared prefix"
    else:
        why = _expected(why)
        earlier = _earlier_location(query.text, line, col)
        if earlier:
            line, col, found = earlier
            why = f"cannot read the query from here on (found {found})"
    where = ""
    if 0 < line <= len(lines):
        shown = render.safe(lines[line - 1].rstrip())
        where = f"\n  {shown}\n  {' ' * (col - 1)}^"
    return InputError(problems=[Problem(f"SPARQL syntax error: {why}{where}", query.origin, line, col)])


def _earlier_location(text: str, line: int, col: int) -> tuple[int, int, str] | None:
    """Oxigraph often reports an error at the very end of the query; rdflib's parser can say where it starts.

    Only asked when Oxigraph points past the last word, and only its location is used.
    """
    rest = "\n".join(text.splitlines()[line - 1:])[col - 1:] if line else ""
    if rest.strip():
        return None
    try:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery

        parseQuery(text)
    except ParseException as exc:
        if (exc.lineno, exc.col) < (line, col):
            found = re.search(r"found (end of text|'[^']*')", str(exc))
            return exc.lineno, exc.col, found.group(1) if found else "this"
    except Exception:  # noqa: BLE001 — a second opinion only; Oxigraph's message stands
        return None
    return None


def _expected(why: str) -> str:
    """Shorten the parser's list of what it expected to the tokens a person can act on."""
    m = re.match(r"expected one of (.*)", why)
    if not m:
        return why
    items = [i.strip() for i in re.sub(r"\[[^\]]*\]", "", m.group(1)).split(", ") if i.strip()]
    if not items:
        return "unexpected text here"
    shown = ", ".join(items[:12]) + (", …" if len(items) > 12 else "")
    return f"expected {shown}" if len(items) > 1 else f"expected {items[0]}"


class LocalTarget:
    """A pyoxigraph store: the embedded one that `cardf build` wrote, or RDF files read into memory."""

    def __init__(self, store: Store, description: str):
        self.store = store
        self.description = description

    @classmethod
    def empty(cls) -> LocalTarget:
        return cls(Store(), "")

    @classmethod
    def open(cls, path: Path) -> LocalTarget:
        if not path.is_dir():
            raise UsageError(problems=[Problem("no store here; run `cardf build` first, or pass --store DIR, "
                                               "--data FILE or --endpoint URL", path)])
        try:
            return cls(Store.read_only(str(path)), str(path))
        except OSError as exc:
            raise ExternalError(problems=[Problem(f"cannot open the store read-only: {exc}", path)]) from None

    @classmethod
    def from_files(cls, paths: list[Path], input_format: str | None = None) -> LocalTarget:
        from .rdfio import read_quads

        store = Store()
        for path in paths:
            store.bulk_extend(read_quads(path, input_format))
        return cls(store, ", ".join(str(p) for p in paths))

    def run(self, query: Query, bindings: dict[str, Term]) -> Answer:
        """Start the query; its rows are read as the answer is written (SERVICE and updates are refused first)."""
        started = time.perf_counter()
        text = _values_hint(query.text, bindings)
        try:
            result = self.store.query(text, use_default_graph_as_union=not sparqltext.has_dataset(text),
                                      prefixes=Minter().prefixes(),
                                      substitutions={Variable(k): v for k, v in bindings.items()} or None)
            answer = answer_of(result)
        except SyntaxError as exc:
            raise _syntax_error(_original_error(query) or exc, query) from None
        except RuntimeError as exc:
            m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", str(exc))
            if m:
                raise UsageError(f"parameter ?{m.group(1)} must appear in the query's SELECT clause (or use "
                                 "SELECT *): cardf binds parameters as RDF terms, which needs the variable projected"
                                 ) from None
            raise ExternalError(f"the query failed: {exc}") from None
        except OSError as exc:
            raise ExternalError(f"the query failed: {exc}") from None
        answer.seconds = time.perf_counter() - started
        if answer.form == "SELECT":
            answer.rows = _failing_as_external(answer.rows)
        elif answer.form == "GRAPH":
            answer.triples = _failing_as_external(answer.triples)
        return answer

    def labels(self, iris: list[str]) -> dict[str, str]:
        found: dict[str, tuple] = {}
        for i in range(0, len(iris), LABEL_BATCH):
            text = _label_query(iris[i:i + LABEL_BATCH])
            for row in self.store.query(text, use_default_graph_as_union=True):
                _keep_label(found, row[0], row[1], row[2])
        return {k: v[1] for k, v in found.items()}


def _failing_as_external(items):
    """The rows as they come; Oxigraph's errors while it evaluates (a failing SERVICE, a read error): ExternalError."""
    try:
        yield from items
    except (OSError, RuntimeError) as exc:
        raise ExternalError(f"the query failed: {exc}") from None


def _values_hint(text: str, bindings: dict[str, Term]) -> str:
    """The same bindings as a VALUES block, so that Oxigraph's planner starts from them.

    Oxigraph 0.5 applies `substitutions` without letting the planner use the bound values:
    on a 1000-article store, looking up the evidence of one record took 19.7 s with
    substitutions alone and 0.9 ms with the VALUES block too. The block binds the very same
    terms, so it cannot change the answer; queries where it cannot go (no WHERE group, the
    short CONSTRUCT form) run with the substitutions alone.
    """
    try:
        return bind_values(text, bindings)
    except UsageError:
        return text


def _original_error(query: Query) -> SyntaxError | None:
    """The syntax error as the user wrote the query, before cardf added a VALUES block to it."""
    try:
        Store().query(query.text, prefixes=Minter().prefixes())
    except SyntaxError as exc:
        return exc
    except Exception:  # noqa: BLE001 — only the syntax error is wanted here
        return None
    return None


def _label_query(iris: list[str]) -> str:
    values = " ".join(sparql_term(NamedNode(i)) for i in iris)
    return (f"SELECT ?iri ?rank ?label WHERE {{ VALUES ?iri {{ {values} }} "
            f"{{ ?iri <{RDFS}label> ?label BIND(0 AS ?rank) }} UNION "
            f"{{ ?iri <{SKOS}prefLabel> ?label BIND(1 AS ?rank) }} "
            f"FILTER(langMatches(lang(?label), \"en\")) }}")


def _keep_label(found: dict, iri, rank, label) -> None:
    if isinstance(iri, NamedNode) and isinstance(label, Literal):
        key = (int(rank.value), label.value)
        if iri.value not in found or key < found[iri.value]:
            found[iri.value] = key


class EndpointTarget:
    """A SPARQL 1.1 Protocol endpoint, asked over HTTP(S) through `remote.Endpoint`.

    Credentials come from the environment; URL checks, redirects, retries, secret scrubbing
    and error messages are the ones `cardf load` has.
    """

    def __init__(self, url: str, timeout: float | None = None):
        self.endpoint = remote.Endpoint(url, "--endpoint", remote.credentials_from_env(), timeout)
        self.url = self.endpoint.display
        self.timeout = timeout
        self.description = self.endpoint.display

    def post(self, text: str, accept: str) -> tuple[str, bytes]:
        """Ask the query (as `query=` in a URL-encoded POST); the answer's media type and body."""
        try:
            answer = self.endpoint.post_form({"query": text}, accept)
        except remote.TimedOut:
            raise QueryTimeout(self.timeout) from None
        except remote.RequestFailed as exc:
            if exc.status == 400:  # the endpoint could not read the query: a mistake in it, not a failure
                raise InputError(str(exc)) from None
            raise
        return answer.content_type, answer.body

    def run(self, query: Query, bindings: dict[str, Term]) -> Answer:
        text = with_prefixes(bind_values(query.text, bindings))
        form = query_form(text)
        started = time.perf_counter()
        if form in ("CONSTRUCT", "DESCRIBE"):
            kind, body = self.post(text, "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5")
            formats = {"application/n-triples": RdfFormat.N_TRIPLES, "text/plain": RdfFormat.N_TRIPLES,
                       "text/turtle": RdfFormat.TURTLE, "application/rdf+xml": RdfFormat.RDF_XML}
            if kind not in formats:
                raise self.endpoint.fail(f"the answer is in {self.endpoint.said(kind)}, which cardf does not read")
            from .rdfio import hazard

            refused = hazard(body, formats[kind])
            if refused:
                raise self.endpoint.fail(f"the answer is refused: it {refused}")
            try:
                triples = [q.triple for q in parse(body, format=formats[kind])]
            except SyntaxError as exc:
                raise self.endpoint.fail(f"the answer cannot be read: {self.endpoint.said(str(exc))}") from None
            return Answer("GRAPH", triples=triples, seconds=time.perf_counter() - started)
        kind, body = self.post(text, "application/sparql-results+json, application/sparql-results+xml;q=0.8, "
                                     "text/tab-separated-values;q=0.5")
        formats = {"application/sparql-results+json": QueryResultsFormat.JSON,
                   "application/json": QueryResultsFormat.JSON,
                   "application/sparql-results+xml": QueryResultsFormat.XML,
                   "text/tab-separated-values": QueryResultsFormat.TSV}
        if kind not in formats:
            raise self.endpoint.fail(f"the answer is in {self.endpoint.said(kind)}, which cardf does not read")
        from .rdfio import hazard

        refused = hazard(body, formats[kind])
        if refused:
            raise self.endpoint.fail(f"the answer is refused: it {refused}")
        try:
            return answer_of(parse_query_results(body, formats[kind]), time.perf_counter() - started)
        except SyntaxError as exc:
            raise self.endpoint.fail(f"the results cannot be read: {self.endpoint.said(str(exc))}") from None

    def labels(self, iris: list[str]) -> dict[str, str]:
        found: dict[str, tuple] = {}
        try:
            for i in range(0, len(iris), LABEL_BATCH):
                _, body = self.post(_label_query(iris[i:i + LABEL_BATCH]), "application/sparql-results+json")
                for row in parse_query_results(body, QueryResultsFormat.JSON):
                    _keep_label(found, row["iri"], row["rank"], row["label"])
        except (CardfError, SyntaxError):
            return {}  # labels are a courtesy: without them the table shows prefixed names
        return {k: v[1] for k, v in found.items()}


def with_prefixes(text: str) -> str:
    """Declare the project's prefixes that the query uses without declaring them (for endpoints)."""
    return sparqltext.add_prefixes(text, Minter().prefixes())


def insecure_credentials(url: str) -> bool:
    """True when credentials from the environment would travel in clear text to another machine."""
    return remote.in_clear(url, remote.credentials_from_env())


# ----------------------------------------------------------------------------- formats

def normalize_format(fmt: str | None) -> str | None:
    return FORMAT_ALIASES.get(fmt, fmt) if fmt else None


def check_format(form: str, fmt: str | None, headers: bool) -> None:
    """Refuse, before running anything, an output format that the query's form cannot have."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt in GRAPH_FORMATS and not graph and form:
        raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; a {form} query writes "
                         f"{', '.join(SELECT_FORMATS)}")
    if fmt in SELECT_FORMATS and graph:
        raise UsageError(f"--format {fmt} is for SELECT and ASK queries; a {form} query writes "
                         f"{', '.join(GRAPH_FORMATS)}")
    if not headers and (fmt == "json" or graph):
        raise UsageError("--no-headers applies to table, markdown, csv and tsv output")


# ----------------------------------------------------------------------------- listing

def listing_rows(queries: dict[str, Query]) -> list[dict]:
    return [{"name": name, "title": q.title, "description": q.description,
             "parameters": [{"name": p.name, "default": p.default, "description": p.doc} for p in q.params.values()],
             "example": q.example} for name, q in queries.items()]


def render_listing(queries: dict[str, Query], fmt: str, headers: bool = True) -> bytes:
    rows = listing_rows(queries)
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header = ["name", "title", "parameters", "description"]
    cells = [[r["name"], r["title"], ", ".join(f"{p['name']}={p['default']}" for p in r["parameters"]),
              r["description"]] for r in rows]
    if fmt == "markdown":
        cells = [[f"`{c[0]}`", c[1], ", ".join(f"`{p}`" for p in c[2].split(", ")) if c[2] else "", c[3]]
                 for c in cells]
        return render.markdown(header, cells, headers=headers).encode("utf-8")
    if fmt == "csv":
        return render.csv_text(header, cells, headers).encode("utf-8")
    if fmt == "tsv":
        return render.tsv_text(header, cells, headers).encode("utf-8")
    return render.table(header[:3], [c[:3] for c in cells], headers=headers).encode("utf-8")

