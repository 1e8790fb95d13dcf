"""Stage 6 — asking questions: SPARQL over the embedded store, RDF files or an endpoint.

The named-query library is cardf.querylib; parameters are made RDF terms by cardf.params and
bound as terms, never pasted into the query text, so no value can change what a query means:

* over an endpoint, by a `VALUES` block placed first in the query's outermost WHERE group,
  written from the term with every character that could end a literal or an IRI escaped
  (IRIs are checked by pyoxigraph, language tags and datatypes too). The block's place is
  found from the query's tokens (sparqltext), so braces or keywords inside comments, strings
  and IRIs never mislead it;
* locally (embedded store, `--input` files) through pyoxigraph's `substitutions`, which
  follow SPARQL SEP-0007, together with the same VALUES block, because Oxigraph's planner
  does not use substituted values (see `_values_hint`). Oxigraph substitutes only variables
  the query projects; a parameter it does not project is bound by the VALUES block alone.

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

import re
import time
from pathlib import Path

from pyoxigraph import (Literal, NamedNode, QueryResultsFormat, RdfFormat, Store, Variable, parse,
                        parse_query_results)

from . import render, sparqltext
from .errors import CardfError, ExternalError, InputError, Problem, UsageError
from .iris import RDFS, SKOS, Minter
from .params import (IdRef, Term, bind_values, bindings_for, parse_term, sparql_term,  # noqa: F401 (re-exported)
                     where_brace)
from .querylib import (Param, Query, find_query, library, listing_rows, load_query_file,  # noqa: F401 (re-exported)
                       parse_query, render_listing, resolve)
from .results import GRAPH_FORMATS, SELECT_FORMATS, Answer, answer_of
from .resources import old_build_hint
from .schema import ALL_KINDS

TERMINAL_CELL = 60  # widest table cell on a terminal; pipes get whole values
LABEL_BATCH = 200
_PN_PREFIX = r"(?:[A-Za-z][\w.-]*)?"
ID_SEGMENTS = tuple(dict.fromkeys(k.segment for k in ALL_KINDS.values())) + ("article",)


# ----------------------------------------------------------------------------- what a query may do

def query_form(text: str) -> str:
    return sparqltext.query_form(text)


def declared_prefixes(text: str) -> dict[str, str]:
    return sparqltext.declared_prefixes(text)


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
                                               "--input FILE or --endpoint URL" + old_build_hint(path), path)])
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
        substituted = dict(bindings)
        while True:
            try:
                result = self.store.query(text, use_default_graph_as_union=not sparqltext.has_dataset(text),
                                          prefixes=Minter().prefixes(),
                                          substitutions={Variable(k): v for k, v in substituted.items()} or None)
                answer = answer_of(result)
                break
            except SyntaxError as exc:
                raise _syntax_error(_original_error(query) or exc, query) from None
            except RuntimeError as exc:
                m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", str(exc))
                if (m and m.group(1) in substituted and text != query.text
                        and m.group(1) in sparqltext.outer_variables(query.text)):
                    del substituted[m.group(1)]  # not projected: the VALUES block binds it alone
                    continue
                if m:
                    raise UsageError(f"parameter ?{m.group(1)} cannot be bound: the query neither selects it nor "
                                     "uses it outside a sub-query, where cardf binds parameters") from None
                raise ExternalError(f"the query failed: {exc}") from None
            except OSError as exc:
                raise ExternalError(f"the query failed: {exc}") from None
        answer.seconds = time.perf_counter() - started
        if answer.form == "SELECT":
            answer.rows = _failing_as_external(answer.rows)
        elif answer.form == "GRAPH":
            answer.triples = _failing_as_external(answer.triples)
        return answer

    def labels(self, iris: list[str], lang: str = "en") -> dict[str, str]:
        found: dict[str, tuple] = {}
        for i in range(0, len(iris), LABEL_BATCH):
            text = _label_query(iris[i:i + LABEL_BATCH], lang)
            for row in self.store.query(text, use_default_graph_as_union=True):
                _keep_label(found, row[0], row[1], row[2])
        return {k: v[1] for k, v in found.items()}

    def existing(self, candidates: list[NamedNode]) -> list[NamedNode]:
        """Those of the IRIs that are the subject of some statement."""
        return [c for c in candidates if next(iter(self.store.quads_for_pattern(c, None, None, None)), None)]

    def mentions(self, term: Term) -> bool:
        """Whether the term occurs in the data at all (as subject, predicate or object)."""
        patterns = [(None, None, term)]
        if isinstance(term, NamedNode):
            patterns += [(term, None, None), (None, term, None)]
        return any(next(iter(self.store.quads_for_pattern(*p, None)), None) is not None for p in patterns)


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


def _label_query(iris: list[str], lang: str = "en") -> str:
    """Labels of the IRIs in `lang`, else in English; rdfs:label before skos:prefLabel."""
    values = " ".join(sparql_term(NamedNode(i)) for i in iris)
    wanted = sparql_term(Literal(lang))
    return (f"SELECT ?iri ?rank ?label WHERE {{ VALUES ?iri {{ {values} }} "
            f"{{ ?iri <{RDFS}label> ?label BIND(0 AS ?kind) }} UNION "
            f"{{ ?iri <{SKOS}prefLabel> ?label BIND(1 AS ?kind) }} "
            f"FILTER(langMatches(lang(?label), {wanted}) || langMatches(lang(?label), \"en\")) "
            f"BIND(IF(langMatches(lang(?label), {wanted}), 0, 2) + ?kind AS ?rank) }}")


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
        from . import remote  # http.client and ssl only for a query that needs them

        self.endpoint = remote.Endpoint(url, "--endpoint", remote.credentials_from_env(), timeout)
        self.url = self.endpoint.display
        self.timeout = timeout
        self.description = self.endpoint.display

    def post(self, text: str, accept: str) -> tuple[str, bytes]:
        """Ask the query (as `query=` in a URL-encoded POST); the answer's media type and body."""
        from . import remote

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

    def labels(self, iris: list[str], lang: str = "en") -> dict[str, str]:
        found: dict[str, tuple] = {}
        try:
            for i in range(0, len(iris), LABEL_BATCH):
                _, body = self.post(_label_query(iris[i:i + LABEL_BATCH], lang), "application/sparql-results+json")
                for row in parse_query_results(body, QueryResultsFormat.JSON):
                    _keep_label(found, row["iri"], row["rank"], row["label"])
        except (CardfError, SyntaxError):
            return {}  # labels are a courtesy: without them the table shows prefixed names
        return {k: v[1] for k, v in found.items()}

    def ask(self, text: str) -> bool:
        _, body = self.post(text, "application/sparql-results+json")
        try:
            return bool(parse_query_results(body, QueryResultsFormat.JSON))
        except SyntaxError as exc:
            raise self.endpoint.fail(f"the results cannot be read: {self.endpoint.said(str(exc))}") from None

    def existing(self, candidates: list[NamedNode]) -> list[NamedNode]:
        return [c for c in candidates if self.ask(f"ASK {{ {sparql_term(c)} ?p ?o }}")]

    def mentions(self, term: Term) -> bool:
        t = sparql_term(term)
        if isinstance(term, NamedNode):
            return self.ask(f"ASK {{ {{ {t} ?p ?o }} UNION {{ ?s ?p {t} }} UNION {{ ?s {t} ?o }} }}")
        return self.ask(f"ASK {{ ?s ?p {t} }}")


def resolve_ids(target, bindings: dict[str, Term | IdRef]) -> tuple[dict[str, Term], list[str]]:
    """Bare ids made the IRI of the one record of that id; and a note for every IRI parameter that names nothing.

    An id that names no record stays the plain string it was written as (a parameter may be
    text); one that names records of several kinds is an error that lists them. Literal
    parameters are not checked: a date or a number is often compared, not matched.
    """
    minter = Minter()
    out: dict[str, Term] = {}
    notes: list[str] = []
    for name, value in bindings.items():
        if isinstance(value, IdRef):
            found = target.existing([minter.resource(segment, value.id) for segment in ID_SEGMENTS])
            if len(found) > 1:
                shown = ", ".join(render.short_iri(f.value, minter.prefixes()) for f in found)
                raise UsageError(f"--param {name}={value.id}: the id names {len(found)} records ({shown}); "
                                 "write the one you mean as prefix:id")
            if not found:
                notes.append(f"--param {name}={value.id}: no record has this id, so it is bound as the string "
                             f"\"{value.id}\"")
            value = found[0] if found else Literal(value.id)
        elif isinstance(value, NamedNode) and not target.mentions(value):
            notes.append(f"--param {name}={render.short_iri(value.value, minter.prefixes())} matches nothing "
                         "in the data")
        out[name] = value
    return out, notes


def with_prefixes(text: str) -> str:
    """Declare the project's prefixes that the query uses without declaring them (for endpoints)."""
    return sparqltext.add_prefixes(text, Minter().prefixes())


def insecure_credentials(url: str) -> bool:
    """True when credentials from the environment would travel in clear text to another machine."""
    from . import remote

    return remote.in_clear(url, remote.credentials_from_env())


# ----------------------------------------------------------------------------- formats

def check_format(form: str, fmt: str | None, headers: bool) -> None:
    """Refuse, before running anything, an output format that the query's form cannot have."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt in GRAPH_FORMATS and not graph and form:
        raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; a {form} query writes "
                         f"{', '.join(SELECT_FORMATS)}")
    if fmt in SELECT_FORMATS and graph:
        raise UsageError(f"--format {fmt} is for SELECT and ASK queries; a {form} query writes "
                         f"{', '.join(GRAPH_FORMATS)}")
    if not headers and (fmt in ("json", "records", "ndjson") or graph):
        raise UsageError("--no-headers applies to table, markdown, csv and tsv output")

