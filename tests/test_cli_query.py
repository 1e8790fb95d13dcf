"""`cardf query`: the library of named questions over the built store, over files and over a real server.

Golden answers live in tests/golden/queries/ and change only through
`python -m tests.regen_golden`; each was read against the article before it was committed.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

import regen_golden as golden
from cardf.query import library
from cardf.render import width
from conftest import QUERIES, run, run_on_terminal, start_oxigraph, stop_process

LIBRARY = library(QUERIES)
NAMES = sorted(LIBRARY)
LOCAL_ONLY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
HOSTILE = '"} ; DROP ALL ; {'
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def ask(*args, input: str | None = None):
    return run("query", "--queries", QUERIES, *args, input=input)


@pytest.fixture(scope="module")
def store(dist: Path) -> str:
    return str(dist / "store")


@pytest.fixture(scope="module")
def endpoint(dist: Path, tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 holding the build's TriG, asked over its union default graph."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-query") / "db")
    try:
        request = urllib.request.Request(server.store, data=(dist / "cardf.trig").read_bytes(), method="POST",
                                         headers={"Content-Type": "application/trig"})
        with LOCAL_ONLY.open(request, timeout=60) as response:
            assert response.status in (200, 201, 204)
        yield server.url + "/query?union-default-graph"
    finally:
        stop_process(server.process)


def answer_on(name: str, *target: str) -> tuple[int, str]:
    return golden.answer(name, LIBRARY[name].form, list(target))


# ----------------------------------------------------------------------------- the library's answers

@pytest.mark.parametrize("name", NAMES)
def test_each_named_query_gives_the_articles_answer(name, store):
    form = LIBRARY[name].form
    code, text = answer_on(name, "--store", store)
    assert code == 0
    path = golden.golden_path(name, form)
    assert path.is_file(), f"no golden answer for {name}; run `python -m tests.regen_golden` and review it"
    assert golden.normalized(text, form) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_the_same_answer_from_the_files(name, store, dist):
    """From the TriG file always; from Turtle (the union, no graphs) unless the query asks which graph says what."""
    expected = answer_on(name, "--store", store)
    assert answer_on(name, "--input", str(dist / "cardf.trig")) == expected
    if "GRAPH" not in LIBRARY[name].text:
        assert answer_on(name, "--input", str(dist / "cardf.ttl")) == expected


@pytest.mark.parametrize("name", NAMES)
def test_the_same_answer_from_a_sparql_server(name, store, endpoint):
    assert answer_on(name, "--endpoint", endpoint) == answer_on(name, "--store", store)


@pytest.fixture(scope="module")
def multi_store(tmp_path_factory) -> str:
    """The multi-source fixture built: three reports of one visit that disagree on its type and end date."""
    out = tmp_path_factory.mktemp("multi") / "dist"
    assert golden.build(golden.FIXTURES / "multi", out) == 0
    return str(out / "store")


@pytest.mark.parametrize("name", sorted(golden.MULTI))
def test_the_multi_source_answers(name, multi_store):
    form = LIBRARY[name].form
    code, text = golden.answer(name, form, ["--store", multi_store], golden.MULTI[name])
    assert code == 0
    path = golden.golden_path(name, form, golden.GOLDEN_MULTI)
    assert path.is_file(), f"no golden answer for {name}; run `python -m tests.regen_golden` and review it"
    assert golden.normalized(text, form) == path.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_query():
    expected = {golden.golden_path(n, q.form).name for n, q in LIBRARY.items()}
    assert {p.name for p in golden.GOLDEN.iterdir()} == expected
    assert {p.name for p in golden.GOLDEN_MULTI.iterdir()} == {golden.golden_path(n, LIBRARY[n].form).name
                                                               for n in golden.MULTI}


def test_the_timeline_is_in_date_order(store):
    result = ask("timeline", "--store", store, "--format", "tsv", "--quiet")
    dates = [row.split("\t")[0].strip('"')[:10] for row in result.stdout.splitlines()[1:]]
    dated = [d for d in dates if re.match(r"\d{4}-\d{2}-\d{2}$", d)]
    assert dated == sorted(dated) and len(dated) >= 5


# ----------------------------------------------------------------------------- listing and showing

def test_list_prints_every_query_with_its_title_and_parameters():
    result = ask("--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "title", "parameters"]
    assert [line.split()[0] for line in lines[2:]] == NAMES
    row = next(line for line in lines if line.startswith("quotes-by-person "))
    assert re.split(r"\s{2,}", row) == ["quotes-by-person", "Quotes by a person", "speaker=person:vladimir-putin"]


def test_list_as_json_carries_the_whole_header():
    result = ask("--list", "--format", "json")
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == NAMES
    assert rows["relationship-level"]["parameters"] == [
        {"name": "a", "default": "state:russia", "description": "one state"},
        {"name": "b", "default": "state:kazakhstan", "description": "the other state"}]


def test_the_readme_lists_every_query():
    readme = (QUERIES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Asking questions (cardf query)", 1)[1]
    table = ask("--list", "--format", "markdown", "--no-headers").stdout
    assert table in section, "the README's table of queries is stale: paste `cardf query --list --format markdown`"


def test_show_prints_the_query_as_written():
    result = ask("--show", "timeline")
    assert result.exit_code == 0
    assert result.stdout == (QUERIES / "timeline.rq").read_text(encoding="utf-8")


def test_an_unknown_name_lists_close_matches():
    result = ask("timelin")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: no query named `timelin` in {QUERIES}; did you mean timeline? "
                             "(`cardf query --list` shows them all)\n")


# ----------------------------------------------------------------------------- asking

def test_a_table_shows_labels_and_the_count_goes_to_stderr(store):
    result = ask("visits", "--store", store)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["start", "end", "visit", "type", "visitor", "host_state", "place", "disputed",
                                "sources", "reported_in"]
    assert "Vladimir Putin's state visit to Tajikistan" in lines[2] and "person:" not in result.stdout
    assert re.fullmatch(r"\d+ rows in \d+\.\d{3} s\n", result.stderr)


@pytest.mark.parametrize("args", [["timeline"], ["--list"]], ids=["timeline", "list"])
def test_a_table_on_a_terminal_fits_its_width(store, args):
    code, text = run_on_terminal("query", "--queries", QUERIES, *args, "--store", store, stream="stdout", columns=80)
    assert code == 0
    lines = text.splitlines()
    assert len(lines) > 5 and max(width(line) for line in lines) <= 80
    assert "…" in text
    piped = ask(*args, "--store", store, "--quiet").stdout  # not a terminal: nothing cut
    assert max(width(line) for line in piped.splitlines()) > 80 and "…" not in piped


def test_no_labels_shows_prefixed_names(store):
    result = ask("visits", "--store", store, "--no-labels", "--no-headers", "--quiet")
    assert result.stdout.splitlines()[0].split()[:8] == [
        "2025-10-08", "2025-10-10", "event:visit-putin-tajikistan-2025-10", "event-type:state-visit",
        "person:vladimir-putin", "state:tajikistan", "state:tajikistan", "1"]


def test_csv_is_the_w3c_format_with_crlf(store):
    result = ask("-e", "SELECT ?iso WHERE { state:russia cardf:isoCode ?iso }", "--store", store, "--format", "csv",
                 "--quiet")
    assert result.stdout_bytes == b"iso\r\nRUS\r\n"


def test_a_query_on_stdin_and_a_file(store, tmp_path):
    text = "PREFIX cardf: <https://w3id.org/cardf/ontology#>\nASK { ?e a cardf:Event }\n"
    assert ask("--store", store, input=text).stdout == "true\n"
    (tmp_path / "q.rq").write_text(text, encoding="utf-8")
    assert ask(tmp_path / "q.rq", "--store", store).stdout == "true\n"


@pytest.mark.parametrize("name", ["overview", "visits"])
def test_the_data_on_standard_input(name, dist):
    piped = ask(name, "--input", "-", "--format", "tsv", input=(dist / "cardf.nt").read_text(encoding="utf-8"))
    from_file = ask(name, "--input", dist / "cardf.nt", "--format", "tsv")
    assert piped.exit_code == from_file.exit_code == 0
    assert piped.stdout == from_file.stdout and len(piped.stdout.splitlines()) > 2


def test_standard_input_holds_the_query_or_the_data_not_both(dist):
    for args in (["-", "--input", "-"], ["overview", "--input", "-", "--input", "-"]):
        result = ask(*args, input="")
        assert (result.exit_code, result.stderr) == (
            2, "Error: standard input (-) can be read only once: give the query or the data there, not both\n")


def complete(words: str, cwd: Path) -> list[str]:
    """What the shell would offer after `words`, from the installed `cardf` script, as bash asks it."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, _CARDF_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - 1))
    script = Path(sys.executable).parent / "cardf"
    done = subprocess.run([script], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return [line for line in done.stdout.splitlines() if line]


def test_shell_completion_offers_the_named_queries(tmp_path):
    assert complete("cardf query vi", tmp_path) == ["plain,visits"]  # outside a project: cardf's own queries
    assert complete("cardf query dis", tmp_path) == ["plain,disputed"]
    assert complete(f"cardf query --queries {tmp_path} vi", QUERIES.parent) == []  # no queries there
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "visitors.rq").write_text("SELECT * { ?s ?p ?o }\n", encoding="utf-8")
    assert complete("cardf query vi", tmp_path) == ["plain,visitors"]  # a project's own queries/


def test_ask_sets_the_exit_code(store):
    yes = ask("has-conflicting-claims", "--store", store)
    no = ask("has-conflicting-claims", "--store", store, "--param", "record=event:visit-tokayev-russia-2025-11")
    assert (yes.exit_code, yes.stdout, no.exit_code, no.stdout) == (0, "true\n", 1, "false\n")


@pytest.mark.parametrize("fmt, rdf", [("ttl", RdfFormat.TURTLE), ("nt", RdfFormat.N_TRIPLES),
                                      ("jsonld", RdfFormat.JSON_LD)])
def test_construct_writes_rdf_in_each_format(store, fmt, rdf):
    result = ask("describe-entity", "--store", store, "--format", fmt, "--param", "entity=state:kyrgyzstan", "--quiet")
    reference = ask("describe-entity", "--store", store, "--format", "nt", "--param", "entity=state:kyrgyzstan",
                    "--quiet")
    triples = {q.triple for q in parse(result.stdout_bytes, format=rdf)}
    assert triples == {q.triple for q in parse(reference.stdout_bytes, format=RdfFormat.N_TRIPLES)}
    assert len(triples) > 20


def test_parameters_change_the_answer(store):
    result = ask("figures-about-country", "--store", store, "--param", "country=state:kazakhstan",
                 "--format", "tsv", "--quiet")
    rows = result.stdout.splitlines()[1:]
    assert rows and all(r.startswith("<https://w3id.org/cardf/id/state/kazakhstan>\t") for r in rows)


@pytest.mark.parametrize("target", ["store", "endpoint"])
def test_a_hostile_parameter_is_just_a_string(target, request):
    where = ["--store", request.getfixturevalue("store")] if target == "store" else [
        "--endpoint", request.getfixturevalue("endpoint")]
    echo = ask("-e", "SELECT ?v (STRLEN(?v) AS ?n) WHERE { }", "--param", f"v={HOSTILE}", *where, "--format", "tsv",
               "--quiet")
    assert echo.stdout == '?v\t?n\n"\\"} ; DROP ALL ; {"\t17\n'
    before = ask("overview", *where, "--format", "tsv", "--quiet").stdout
    probe = ask("has-conflicting-claims", "--param", f"record={HOSTILE}", *where)
    assert (probe.exit_code, probe.stdout) == (1, "false\n")
    assert ask("overview", *where, "--format", "tsv", "--quiet").stdout == before


def test_a_runaway_query_is_stopped(store):
    started = time.monotonic()
    result = ask("-e", RUNAWAY, "--store", store, "--timeout", "1")
    assert time.monotonic() - started < 20
    assert (result.exit_code, result.stderr) == (3, "Error: query timed out after 1 s\n")


def test_a_timed_query_still_answers_in_time(store):
    result = ask("visits", "--store", store, "--timeout", "30", "--no-labels", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ask("visits", "--store", store, "--no-labels", "--quiet").stdout


def test_service_is_refused_unless_allowed(store, endpoint):
    text = (f"SELECT ?n WHERE {{ SERVICE <{endpoint}> {{ SELECT (COUNT(*) AS ?n) WHERE {{ ?e a cardf:Event }} }} }}")
    refused = ask("-e", text, "--store", store)
    assert (refused.exit_code, refused.stderr) == (2, "Error: the query calls a SERVICE, which would send data to "
                                                      "another server; pass --allow-service if you mean it\n")
    allowed = ask("-e", text, "--store", store, "--allow-service", "--format", "csv", "--quiet")
    events = ask("-e", "SELECT (COUNT(*) AS ?n) WHERE { ?e a cardf:Event }", "--store", store, "--format", "csv",
                 "--quiet")
    assert allowed.stdout == events.stdout


# ----------------------------------------------------------------------------- mistakes

def test_a_syntax_error_names_line_and_column():
    result = ask("-e", "SELECT ?s WHERE {\n  ?s a cardf:Event .\n  FILTER(?s = )\n}")
    assert result.exit_code == 2
    assert result.stderr == ("Error: -e:3:3: SPARQL syntax error: cannot read the query from here on (found 'FILTER')\n"
                             "    FILTER(?s = )\n"
                             "    ^\n")


def test_an_undeclared_prefix_is_named(store):
    result = ask("-e", "SELECT ?s WHERE { ?s a foo:Event }", "--store", store)
    assert (result.exit_code, result.stderr) == (2, "Error: -e:1:33: SPARQL syntax error: undeclared prefix `foo:`\n"
                                                    "  SELECT ?s WHERE { ?s a foo:Event }\n"
                                                    "                                  ^\n")


@pytest.mark.parametrize("args, message", [
    (["quotes-by-person", "--param", "nobody=1"],
     "--param nobody: the query has no variable ?nobody (its parameters: speaker)"),
    (["quotes-by-person", "--param", "speaker=nope:x"],
     "--param speaker=nope:x: unknown prefix `nope:`; write the IRI in full as <…>"),
    (["quotes-by-person", "--param", "speaker"], "--param 'speaker': write --param name=value"),
    (["visits", "--format", "ttl"],
     "--format ttl is for CONSTRUCT and DESCRIBE queries; a SELECT query writes table, csv, tsv, json, markdown, records, ndjson"),
    (["describe-entity", "--format", "csv"],
     "--format csv is for SELECT and ASK queries; a CONSTRUCT query writes ttl, nt, jsonld"),
    (["visits", "-e", "ASK {}"], "give either a query NAME or FILE or -e QUERY, not both"),
    (["visits", "--store", "x", "--input", "y.ttl"], "give one of --store, --input or --endpoint, not --store and --input"),
    (["--list", "--show", "visits"], "--list and --show take no query and do not go together"),
    (["visits", "--endpoint", "ftp://example.org/sparql"],
     "--endpoint: expected an http:// or https:// URL, got 'ftp://example.org/sparql'"),
])
def test_usage_mistakes_are_explained(args, message):
    result = ask(*args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")


def test_a_missing_store_says_to_build_first(tmp_path):
    result = ask("visits", "--store", tmp_path / "nowhere")
    assert (result.exit_code, result.stderr) == (2, f"Error: {tmp_path / 'nowhere'}: no store here; run `cardf build` "
                                                    "first, or pass --store DIR, --input FILE or --endpoint URL\n")


def test_an_unreadable_data_file_is_located(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = ask("visits", "--input", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad}:1:")


def test_an_unreachable_endpoint_exits_3():
    result = ask("visits", "--endpoint", "http://127.0.0.1:1/sparql")
    assert result.exit_code == 3
    assert result.stderr == ("Error: http://127.0.0.1:1/sparql: connection refused (is the server running, and is "
                             "this the right port?)\n")


# ----------------------------------------------------------------------------- datasets, terminal safety

ENTITIES = "https://w3id.org/cardf/graph/entities"
COUNT = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"


def count(*target: str, dataset: str = "") -> int:
    result = run("query", "-e", COUNT.format(dataset=dataset), "--format", "csv", "--no-headers", *target)
    assert result.exit_code == 0, result.stderr
    return int(result.stdout)


def test_from_counts_only_the_graphs_it_names_in_the_store(store, dist):
    graphs = json.loads((dist / "report.json").read_text())["triples"]["graphs"]
    assert count("--store", store, dataset=f"FROM <{ENTITIES}>") == graphs[ENTITIES]
    assert count("--store", store) == json.loads((dist / "report.json").read_text())["triples"]["total"]
    assert count("--store", store, dataset=f"FROM NAMED <{ENTITIES}>") == 0  # the default graph is then empty
    named = run("query", "-e", f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{ENTITIES}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
                               "GROUP BY ?g", "--store", store, "--format", "csv")
    assert named.stdout_bytes == f"g,n\r\n{ENTITIES},{graphs[ENTITIES]}\r\n".encode()


def test_from_counts_only_the_graphs_it_names_in_data_files(tmp_path):
    trig = tmp_path / "two.trig"
    trig.write_text("<http://e/a> { <http://e/s> <http://e/p> 1 , 2 . }\n<http://e/b> { <http://e/s> <http://e/p> 3 . }\n")
    assert count("--input", trig) == 3
    assert count("--input", trig, dataset="FROM <http://e/a>") == 2
    assert count("--input", trig, dataset="FROM <http://e/a> FROM <http://e/b>") == 3
    with_prefix = run("query", "-e", "PREFIX e: <http://e/> " + COUNT.format(dataset="FROM e:b"), "--input", trig,
                      "--format", "csv", "--no-headers")
    assert with_prefix.stdout_bytes == b"1\r\n"


def test_control_characters_in_values_are_shown_in_tables_and_kept_in_csv(tmp_path):
    data = tmp_path / "ansi.nt"
    data.write_text('<http://e/x> <http://www.w3.org/2000/01/rdf-schema#label> "\\u001B[31mred\\u001B[0m\\u0007"@en .\n'
                    '<http://e/x> <http://e/p> "plain" .\n')
    query = "SELECT ?x ?l WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    table = run("query", "-e", query, "--input", data)
    shown = "\\u001b[31mred\\u001b[0m\\u0007"  # the label stands for the IRI in the first column too
    assert table.stdout == f"x{' ' * (len(shown) + 1)}l\n{'-' * len(shown)}  {'-' * len(shown)}\n{shown}  {shown}\n"
    markdown = run("query", "-e", query, "--input", data, "--format", "markdown")
    assert "\x1b" not in markdown.stdout and "\\u001b[31mred" in markdown.stdout
    csv = run("query", "-e", query, "--input", data, "--format", "csv")
    assert csv.stdout_bytes == b"x,l\r\nhttp://e/x,\x1b[31mred\x1b[0m\x07\r\n"


# ----------------------------------------------------------------------------- plain rows, labels, ids, format names

def test_records_are_a_json_array_of_rows_with_labels_in_the_language_asked(store):
    result = ask("visits", "--store", store, "--format", "records", "--lang", "ru", "--quiet")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0]["visit"] == "https://w3id.org/cardf/id/event/visit-putin-tajikistan-2025-10"
    assert (rows[0]["visitor_label"], rows[0]["host_state_label"]) == ("Владимир Путин", "Таджикистан")
    assert list(rows[0])[:4] == ["start", "end", "visit", "visit_label"] and rows[0]["sources"] == 1


def test_ndjson_is_one_record_a_line(store):
    records = json.loads(ask("visits", "--store", store, "--format", "records", "--quiet").stdout)
    lines = ask("visits", "--store", store, "--format", "ndjson", "--quiet").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records and len(lines) == len(records) > 1


def test_csv_with_labels_puts_a_label_column_beside_each_iri_column(store):
    plain = ask("visits", "--store", store, "--format", "csv", "--quiet").stdout.splitlines()
    labelled = ask("visits", "--store", store, "--format", "csv", "--labels", "--quiet").stdout.splitlines()
    assert plain[0] == "start,end,visit,type,visitor,host_state,place,disputed,sources,reported_in"
    assert labelled[0] == ("start,end,visit,visit_label,type,type_label,visitor,visitor_label,host_state,"
                           "host_state_label,place,place_label,disputed,sources,reported_in")
    assert labelled[1].startswith("2025-10-08,2025-10-10,https://w3id.org/cardf/id/event/visit-putin-tajikistan-2025-10,"
                                  "Vladimir Putin's state visit to Tajikistan,")


def test_a_table_in_russian(store):
    result = ask("visits", "--store", store, "--lang", "ru", "--quiet")
    assert "Государственный визит Владимира Путина в Таджикистан" in result.stdout.splitlines()[2]


@pytest.mark.parametrize("value", ["vladimir-putin", "person:vladimir-putin",
                                   "<https://w3id.org/cardf/id/person/vladimir-putin>"])
def test_a_parameter_may_be_the_id_as_written_in_the_yaml(store, value):
    result = ask("quotes-by-person", "--store", store, "--param", f"speaker={value}", "--format", "tsv")
    assert result.exit_code == 0 and result.stderr.startswith("3 rows in ")  # every form names the same person
    assert result.stdout == ask("quotes-by-person", "--store", store, "--format", "tsv", "--quiet").stdout


def test_a_parameter_that_names_nothing_says_so(store):
    result = ask("quotes-by-person", "--store", store, "--param", "speaker=nobody-at-all", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"speaker,date,quote,occasion,document,medium,text,translation\r\n"
    assert result.stderr.splitlines()[0] == ('Note: --param speaker=nobody-at-all: no record has this id, so it is '
                                             'bound as the string "nobody-at-all"')


def test_a_parameter_need_not_be_selected(store):
    result = ask("-e", "SELECT ?a WHERE { ?a cardf:about ?country }", "--param", "country=kyrgyzstan",
                 "--store", store, "--format", "tsv", "--quiet")
    assert result.exit_code == 0
    assert "<https://w3id.org/cardf/id/figure/figure-russia-kyrgyzstan-trade-growth-2025-01-09>" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "text/csv"])
def test_output_formats_by_short_name_or_media_type(store, fmt):
    assert ask("visits", "--store", store, "--format", fmt, "--quiet").stdout.startswith("start,end,visit,type,")


@pytest.mark.parametrize("fmt", ["ttl", "turtle", "text/turtle"])
def test_input_formats_by_short_name_long_name_or_media_type(dist, tmp_path, fmt):
    data = tmp_path / "graph.data"  # an extension that tells nothing
    data.write_bytes((dist / "cardf.ttl").read_bytes())
    result = ask("overview", "--input", data, "--input-format", fmt, "--format", "tsv", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ask("overview", "--input", dist / "cardf.ttl", "--format", "tsv", "--quiet").stdout
