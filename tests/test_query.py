"""The query engine (cardf.query): headers, terms, safe binding, targets and the output formats."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Variable

from cardf import query as q
from cardf import sparqltext
from cardf.results import Answer, render_answer
from cardf.errors import ExternalError, InputError, UsageError
from cardf.iris import Minter
from conftest import QUERIES

XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = Minter().prefixes()
LIBRARY = q.library(QUERIES)


# ----------------------------------------------------------------------------- headers

HEADER = """# title: Quotes by a person
# description: Every direct quotation of one speaker,
#   with its occasion and date.
# param: speaker = person:vladimir-putin — the person quoted
# param: lang = "x y"@ru — a language-tagged default
# example: cardf query quotes --param speaker=person:sadyr-japarov

PREFIX cardf: <https://w3id.org/cardf/ontology#>
# not part of the header
SELECT ?speaker WHERE { ?q cardf:speaker ?speaker }
"""


def test_header_gives_title_description_params_and_example():
    query = q.parse_query(HEADER, "quotes.rq", "quotes")
    assert query.title == "Quotes by a person"
    assert query.description == "Every direct quotation of one speaker, with its occasion and date."
    assert query.params == {
        "speaker": q.Param("speaker", "person:vladimir-putin", "the person quoted", 4),
        "lang": q.Param("lang", '"x y"@ru', "a language-tagged default", 5),
    }
    assert query.example == "cardf query quotes --param speaker=person:sadyr-japarov"
    assert query.form == "SELECT"


def test_a_malformed_param_line_is_located():
    with pytest.raises(InputError) as info:
        q.parse_query("# title: x\n# param: = nothing\nSELECT * {}", "bad.rq")
    assert str(info.value) == "bad.rq:2: header: a parameter is written `param: name = default — what it is`"


def test_a_default_that_is_not_a_term_is_located():
    query = q.parse_query("# param: who = nope:thing — someone\nSELECT ?who {}", "bad.rq")
    with pytest.raises(InputError) as info:
        q.bindings_for(query, [])
    assert str(info.value) == ("bad.rq:1: header: default of parameter `who`: unknown prefix `nope:`; "
                               "write the IRI in full as <…>")


def test_the_library_has_at_least_fifteen_documented_questions():
    assert len(LIBRARY) >= 15
    for name, query in LIBRARY.items():
        assert query.title and query.description and query.example.startswith(f"cardf query {name}"), name
        assert query.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), name
        q.bindings_for(query, [])  # every default is a well-formed term


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_queries_declare_their_own_prefixes(name):
    """Each .rq runs in any SPARQL tool: pyoxigraph with no predeclared prefixes parses it."""
    query = LIBRARY[name]
    bindings = {Variable(k): v for k, v in q.bindings_for(query, []).items()}
    Store().query(query.text, substitutions=bindings or None)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_parameters_appear_in_the_projection_and_the_outer_pattern(name):
    """Both ways of binding (substitution locally, VALUES remotely) need the parameter in the outer query."""
    query = LIBRARY[name]
    for param in query.params:
        assert sparqltext.has_variable(query.text, param), (name, param)
    bound = q.bind_values(query.text, q.bindings_for(query, []))
    Store().query(bound)  # the VALUES block lands where SPARQL allows it


def test_unknown_query_names_suggest_close_matches():
    with pytest.raises(UsageError) as info:
        q.find_query("timelin", QUERIES)
    assert str(info.value) == (f"no query named `timelin` in {QUERIES}; did you mean timeline? "
                               "(`cardf query --list` shows them all)")


# ----------------------------------------------------------------------------- terms

@pytest.mark.parametrize("text, term", [
    ("state:russia", NamedNode("https://w3id.org/cardf/id/state/russia")),
    ("<https://example.org/x>", NamedNode("https://example.org/x")),
    ("cardf:Event", NamedNode("https://w3id.org/cardf/ontology#Event")),
    ('"Москва"@ru', Literal("Москва", language="ru")),
    ('"Moscow"@EN', Literal("Moscow", language="en")),
    ('"4.1"^^xsd:decimal', Literal("4.1", datatype=NamedNode(XSD + "decimal"))),
    ('"x"^^<https://example.org/dt>', Literal("x", datatype=NamedNode("https://example.org/dt"))),
    ('"say \\"hi\\"\\n"', Literal('say "hi"\n')),
    ("'single'", Literal("single")),
    ("2025-11-11", Literal("2025-11-11", datatype=NamedNode(XSD + "date"))),
    ("2025-11", Literal("2025-11", datatype=NamedNode(XSD + "gYearMonth"))),
    ("2025-11-11T13:01:00+03:00", Literal("2025-11-11T13:01:00+03:00", datatype=NamedNode(XSD + "dateTime"))),
    ("42", Literal("42", datatype=NamedNode(XSD + "integer"))),
    ("-4.1", Literal("-4.1", datatype=NamedNode(XSD + "decimal"))),
    ("1e9", Literal("1e9", datatype=NamedNode(XSD + "double"))),
    ("true", Literal("true", datatype=NamedNode(XSD + "boolean"))),
    ("Moscow", Literal("Moscow")),
    ("two words: here", Literal("two words: here")),
    ('"} ; DROP ALL ; {', Literal('"} ; DROP ALL ; {')),
    ('abc"} ; DROP ALL ; {', Literal('abc"} ; DROP ALL ; {')),
    ("<not closed", Literal("<not closed")),
])
def test_parameter_values_are_rdf_terms(text, term):
    assert q.parse_term(text, PREFIXES) == term


@pytest.mark.parametrize("text, message", [
    ("nope:x", "unknown prefix `nope:`; write the IRI in full as <…>"),
    ("<has space>", "<has space> is not an IRI: Invalid IRI code point ' '"),
    ('"x"@not_a_tag', "`not_a_tag` is not a language tag such as ru or en"),
    ("_:b0", "a blank node cannot be a parameter: it names nothing outside its own graph"),
])
def test_bad_parameter_values_say_why(text, message):
    with pytest.raises(ValueError) as info:
        q.parse_term(text, PREFIXES)
    assert str(info.value) == message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
       st.sampled_from([None, "ru", "en-gb"]))
def test_a_values_block_holds_any_string_as_exactly_that_string(text, language):
    """Whatever the value, the query text built for an endpoint binds exactly it and nothing else."""
    term = Literal(text, language=language) if language else Literal(text)
    query = q.bind_values("SELECT ?x (STRLEN(?x) AS ?n) WHERE { }", {"x": term})
    rows = list(Store().query(query))
    assert [(r["x"], int(r["n"].value)) for r in rows] == [(term, len(text))]


def test_a_values_block_cannot_be_escaped():
    store = Store()
    store.add(Quad(NamedNode("https://example.org/s"), NamedNode("https://example.org/p"), Literal("o")))
    hostile = Literal('"} ; DROP ALL ; { \\" } } UNION { ?s ?p ?o } #')
    query = q.bind_values("SELECT ?x WHERE { ?s <https://example.org/p> ?x }", {"x": hostile})
    assert list(store.query(query)) == []
    assert len(store) == 1


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (<https://e.org/v>) } ?x ?p ?o }"),
    ("select ?x { ?x ?p ?o }", "select ?x { VALUES (?x) { (<https://e.org/v>) } ?x ?p ?o }"),
    ("ASK { ?x ?p ?o }", "ASK { VALUES (?x) { (<https://e.org/v>) } ?x ?p ?o }"),
    ("DESCRIBE ?x WHERE { ?x ?p ?o }", "DESCRIBE ?x WHERE { VALUES (?x) { (<https://e.org/v>) } ?x ?p ?o }"),
    ("CONSTRUCT { ?x <p:q> \"{\" } WHERE { ?x ?p ?o }",
     "CONSTRUCT { ?x <p:q> \"{\" } WHERE { VALUES (?x) { (<https://e.org/v>) } ?x ?p ?o }"),
    ("# a { comment WHERE\nPREFIX a: <http://x/#> SELECT (EXISTS { ?x ?p 1 } AS ?e) ?x WHERE { ?x ?p \"}\" }",
     "# a { comment WHERE\nPREFIX a: <http://x/#> SELECT (EXISTS { ?x ?p 1 } AS ?e) ?x WHERE "
     "{ VALUES (?x) { (<https://e.org/v>) } ?x ?p \"}\" }"),
    ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }",
     "SELECT ?x WHERE { VALUES (?x) { (<https://e.org/v>) } { SELECT ?x WHERE { ?x ?p ?o } } }"),
])
def test_values_go_first_in_the_outermost_where_group(text, expected):
    assert q.bind_values(text, {"x": NamedNode("https://e.org/v")}) == expected
    Store().query(expected)


def test_the_short_construct_form_cannot_take_parameters():
    with pytest.raises(UsageError) as info:
        q.bind_values("CONSTRUCT WHERE { ?x ?p ?o }", {"x": NamedNode("https://e.org/v")})
    assert str(info.value) == ("parameters cannot be bound in the short form `CONSTRUCT WHERE { … }`; "
                               "write `CONSTRUCT { … } WHERE { … }`")


def test_service_is_found_only_as_a_keyword():
    assert sparqltext.calls_service("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
    assert not sparqltext.calls_service('SELECT * { ?s ?p "SERVICE" } # SERVICE\n')
    assert not sparqltext.calls_service("SELECT ?service { ?service ?p <http://x/SERVICE> }")


def test_endpoint_queries_get_the_project_prefixes_they_use_and_do_not_declare():
    text = "PREFIX cardf: <https://w3id.org/cardf/ontology#>\nSELECT * { ?s a cardf:Event ; rdfs:label ?l }"
    assert q.with_prefixes(text) == "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + text


# ----------------------------------------------------------------------------- local targets

@pytest.fixture(scope="module")
def tiny() -> q.LocalTarget:
    store = Store()
    g = NamedNode("https://w3id.org/cardf/graph/entities")
    russia = NamedNode("https://w3id.org/cardf/id/state/russia")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(Quad(russia, label, Literal("Russia", language="en"), g))
    store.add(Quad(russia, label, Literal("Россия", language="ru"), g))
    store.add(Quad(russia, NamedNode("https://w3id.org/cardf/ontology#isoCode"), Literal("RUS"), g))
    store.add(Quad(russia, NamedNode("https://e.org/note"), Literal("elsewhere"), NamedNode("https://e.org/other")))
    return q.LocalTarget(store, "tiny")


def test_local_queries_see_the_union_of_the_named_graphs(tiny):
    answer = tiny.run(q.parse_query("SELECT ?code WHERE { ?s cardf:isoCode ?code }", "-e"), {})
    assert (answer.variables, list(answer.rows)) == (["code"], [(Literal("RUS"),)])


def test_from_chooses_the_graphs_a_local_query_sees(tiny):
    count = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
    entities = "FROM <https://w3id.org/cardf/graph/entities>"
    rows = {name: list(tiny.run(q.parse_query(count.format(**{"from": text}), "-e"), {}).rows)[0][0].value
            for name, text in (("union", ""), ("entities", entities), ("other", "FROM <https://e.org/none>"),
                               ("named only", "FROM NAMED <https://w3id.org/cardf/graph/entities>"))}
    assert rows == {"union": "4", "entities": "3", "other": "0", "named only": "0"}


def test_a_parameter_outside_the_projection_is_bound_by_the_values_block(tiny):
    query = q.parse_query("SELECT ?code WHERE { ?s cardf:isoCode ?code }", "-e")
    answer = tiny.run(query, {"s": NamedNode("https://w3id.org/cardf/id/state/russia")})
    assert [tuple(t.value for t in row) for row in answer.rows] == [("RUS",)]


def test_a_parameter_used_only_inside_a_sub_query_is_explained(tiny):
    query = q.parse_query("SELECT ?code WHERE { { SELECT ?code WHERE { ?s cardf:isoCode ?code } } }", "-e")
    with pytest.raises(UsageError) as info:
        tiny.run(query, {"s": NamedNode("https://w3id.org/cardf/id/state/nowhere")})
    assert str(info.value) == ("parameter ?s cannot be bound: the query neither selects it nor uses it outside a "
                               "sub-query, where cardf binds parameters")


def test_service_needs_permission():
    query = q.parse_query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "-e")
    with pytest.raises(UsageError) as info:
        q.check_query(query)
    assert str(info.value) == ("the query calls a SERVICE, which would send data to another server; "
                               "pass --allow-service if you mean it")


def test_labels_prefer_english_rdfs_labels(tiny):
    assert tiny.labels(["https://w3id.org/cardf/id/state/russia", "https://example.org/none"]) == {
        "https://w3id.org/cardf/id/state/russia": "Russia"}


def test_syntax_errors_name_line_and_column(tiny):
    with pytest.raises(InputError) as info:
        tiny.run(q.parse_query("SELECT * WHERE {\n  ?s foo:bar ?o }", "my.rq"), {})
    assert info.value.problems[0].line == 2 and info.value.problems[0].column == 13
    assert str(info.value) == ("my.rq:2:13: SPARQL syntax error: undeclared prefix `foo:`\n"
                               "    ?s foo:bar ?o }\n"
                               "              ^")


# ----------------------------------------------------------------------------- output formats

IRI = NamedNode("https://w3id.org/cardf/id/state/russia")
ANSWER = Answer("SELECT", ["s", "name", "n", "b"], [
    (IRI, Literal("Russia, \"RF\"", language="en"), Literal("4.1", datatype=NamedNode(XSD + "decimal")),
     BlankNode("b0")),
    (IRI, Literal("tab\there"), None, None),
])


def test_csv_is_the_w3c_format():
    assert render_answer(ANSWER, "csv") == (b's,name,n,b\r\nhttps://w3id.org/cardf/id/state/russia,"Russia, ""RF""",4.1,'
                                       b'_:b0\r\nhttps://w3id.org/cardf/id/state/russia,tab\there,,\r\n')


def test_tsv_is_the_w3c_format():
    assert render_answer(ANSWER, "tsv") == ('?s\t?name\t?n\t?b\n<https://w3id.org/cardf/id/state/russia>\t"Russia, \\"RF\\""@en'
                                       '\t4.1\t_:b0\n<https://w3id.org/cardf/id/state/russia>\t"tab\\there"\t\t\n'
                                       ).encode()


def test_json_is_the_w3c_format():
    assert json.loads(render_answer(ANSWER, "json")) == {
        "head": {"vars": ["s", "name", "n", "b"]},
        "results": {"bindings": [
            {"s": {"type": "uri", "value": IRI.value},
             "name": {"type": "literal", "value": "Russia, \"RF\"", "xml:lang": "en"},
             "n": {"type": "literal", "value": "4.1", "datatype": XSD + "decimal"},
             "b": {"type": "bnode", "value": "b0"}},
            {"s": {"type": "uri", "value": IRI.value}, "name": {"type": "literal", "value": "tab\there"}},
        ]}}


def test_tables_show_labels_else_prefixed_names_and_align():
    assert render_answer(ANSWER, None, labels={}).decode() == (
        "s             name          n    b\n"
        "------------  ------------  ---  ----\n"
        "state:russia  Russia, \"RF\"  4.1  _:b0\n"
        "state:russia  tab here\n")
    assert render_answer(ANSWER, "table", labels={IRI.value: "Russia"}, headers=False).decode() == (
        "Russia  Russia, \"RF\"  4.1  _:b0\n"
        "Russia  tab here\n")


def test_markdown_escapes_pipes():
    answer = Answer("SELECT", ["a"], [(Literal("x | y"),)])
    assert render_answer(answer, "markdown") == b"| a |\n| --- |\n| x \\| y |\n"


def test_no_headers_drops_the_header_line_of_csv_and_tsv():
    assert render_answer(ANSWER, "tsv", headers=False).startswith(b"<https://w3id.org/cardf/id/state/russia>\t")
    assert render_answer(ANSWER, "csv", headers=False).startswith(b"https://w3id.org/cardf/id/state/russia,")


def test_ask_answers_print_true_or_false_or_w3c_json():
    assert render_answer(Answer("ASK", boolean=True), None) == b"true\n"
    assert render_answer(Answer("ASK", boolean=False), "csv") == b"false\n"
    assert json.loads(render_answer(Answer("ASK", boolean=True), "json")) == {"head": {}, "boolean": True}


def test_terminal_tables_shorten_long_cells():
    answer = Answer("SELECT", ["t"], [(Literal("x" * 100),)])
    assert render_answer(answer, "table", limit=10).decode().splitlines()[2] == "xxxxxxxxx…"


@pytest.mark.parametrize("form, fmt, headers, message", [
    ("SELECT", "ttl", True, "--format ttl is for CONSTRUCT and DESCRIBE queries; a SELECT query writes "
                            "table, csv, tsv, json, markdown, records, ndjson"),
    ("CONSTRUCT", "csv", True, "--format csv is for SELECT and ASK queries; a CONSTRUCT query writes ttl, nt, jsonld"),
    ("SELECT", "json", False, "--no-headers applies to table, markdown, csv and tsv output"),
])
def test_formats_that_do_not_fit_the_query_are_refused_up_front(form, fmt, headers, message):
    with pytest.raises(UsageError) as info:
        q.check_format(form, fmt, headers)
    assert str(info.value) == message


# ----------------------------------------------------------------------------- endpoints

class _Recorder(http.server.BaseHTTPRequestHandler):
    """A scripted SPARQL endpoint: remembers what it was sent and answers with `reply`."""

    seen: list = []
    replies: list = []  # answered first, one per request, before falling back to `reply`
    reply: tuple = (200, "application/sparql-results+json", b'{"head":{"vars":["x"]},"results":{"bindings":[]}}')

    def do_POST(self):  # noqa: N802 — the http.server API
        length = int(self.headers.get("Content-Length", 0))
        type(self).seen.append((dict(self.headers), self.rfile.read(length).decode()))
        status, kind, body = type(self).replies.pop(0) if type(self).replies else type(self).reply
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    _Recorder.replies = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_endpoints_get_the_sparql_protocol_with_basic_auth(recorder, monkeypatch):
    monkeypatch.delenv("CARDF_TOKEN", raising=False)
    monkeypatch.setenv("CARDF_USER", "ann")
    monkeypatch.setenv("CARDF_PASSWORD", "s3cret")
    query = q.parse_query("# param: x = 42 — n\nSELECT ?x WHERE { }", "-e")
    q.EndpointTarget(recorder).run(query, q.bindings_for(query, []))
    headers, body = _Recorder.seen[0]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Accept"].startswith("application/sparql-results+json")
    from urllib.parse import parse_qs
    assert parse_qs(body)["query"] == [
        '# param: x = 42 — n\nSELECT ?x WHERE { VALUES (?x) { ("42"^^<http://www.w3.org/2001/XMLSchema#integer>) } }']


def test_a_token_is_sent_as_a_bearer(recorder, monkeypatch):
    monkeypatch.setenv("CARDF_TOKEN", "tok-123")
    q.EndpointTarget(recorder).run(q.parse_query("SELECT * WHERE { }", "-e"), {})
    assert _Recorder.seen[0][0]["Authorization"] == "Bearer tok-123"


def test_refused_credentials_are_reported_without_them(recorder, monkeypatch):
    monkeypatch.setenv("CARDF_TOKEN", "tok-never-shown")
    _Recorder.reply = (401, "text/plain", b"Authorization: Bearer tok-never-shown is wrong")
    try:
        with pytest.raises(ExternalError) as info:
            q.EndpointTarget(recorder).run(q.parse_query("SELECT * WHERE { }", "-e"), {})
    finally:
        _Recorder.reply = (200, "application/sparql-results+json",
                           b'{"head":{"vars":["x"]},"results":{"bindings":[]}}')
    assert str(info.value) == (f"{recorder}: HTTP 401 Unauthorized (check CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN; "
                               "the server says: Authorization: Bearer *** is wrong)")


def test_a_query_the_endpoint_cannot_read_is_bad_input(recorder, monkeypatch):
    monkeypatch.delenv("CARDF_TOKEN", raising=False)
    monkeypatch.delenv("CARDF_USER", raising=False)
    _Recorder.replies = [(400, "text/plain", b"Parse error at line 1")]
    with pytest.raises(InputError) as info:
        q.EndpointTarget(recorder).run(q.parse_query("SELECT * WHERE { }", "-e"), {})
    assert str(info.value) == f"{recorder}: HTTP 400 Bad Request (Parse error at line 1)"
    assert len(_Recorder.seen) == 1


def test_a_busy_endpoint_is_asked_again(recorder, monkeypatch):
    monkeypatch.delenv("CARDF_TOKEN", raising=False)
    monkeypatch.delenv("CARDF_USER", raising=False)
    monkeypatch.setattr("cardf.remote.BACKOFF", 0.01)
    _Recorder.replies = [(503, "text/plain", b"busy"), (503, "text/plain", b"busy")]
    answer = q.EndpointTarget(recorder).run(q.parse_query("SELECT * WHERE { }", "-e"), {})
    assert (answer.form, answer.variables, len(_Recorder.seen)) == ("SELECT", ["x"], 3)


def test_an_answer_in_an_unknown_format_names_the_endpoint(recorder, monkeypatch):
    monkeypatch.delenv("CARDF_TOKEN", raising=False)
    monkeypatch.delenv("CARDF_USER", raising=False)
    _Recorder.replies = [(200, "text/html", b"<html></html>")]
    with pytest.raises(ExternalError) as info:
        q.EndpointTarget(recorder + "?secret-key=k").run(q.parse_query("SELECT * WHERE { }", "-e"), {})
    assert str(info.value) == f"{recorder}: the answer is in text/html, which cardf does not read"


def test_credentials_in_the_url_are_refused_and_not_repeated():
    with pytest.raises(UsageError) as info:
        q.EndpointTarget("https://ann:s3cret@example.org/sparql")
    assert str(info.value) == ("--endpoint: the URL holds credentials; put them in CARDF_USER and CARDF_PASSWORD (or "
                               "CARDF_TOKEN) instead, so that they stay out of shell history and process lists")


def test_an_unreachable_endpoint_is_an_external_failure():
    with pytest.raises(ExternalError) as info:
        q.EndpointTarget("http://127.0.0.1:1/sparql", timeout=5).run(q.parse_query("ASK {}", "-e"), {})
    assert str(info.value) == ("http://127.0.0.1:1/sparql: connection refused (is the server running, and is this "
                               "the right port?)")


def test_a_missing_store_says_what_to_do(tmp_path: Path):
    with pytest.raises(UsageError) as info:
        q.LocalTarget.open(tmp_path / "nowhere")
    assert str(info.value) == (f"{tmp_path / 'nowhere'}: no store here; run `cardf build` first, or pass "
                               "--store DIR, --input FILE or --endpoint URL")
