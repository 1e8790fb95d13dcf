"""Stores, piece by piece: planning a load, the embedded store, and the HTTP client's building blocks."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from cardf.errors import ExternalError, InputError, UsageError
from cardf.remote import Credentials, check_url, credentials_from_env, display_url
from cardf.remoteload import batches, graph_url, update_requests
from cardf.store import GraphData, LoadFailed, load_store, plan, read_inputs, total_triples, write_store

EX = "http://example.org/"
A, B = NamedNode(EX + "graph/a"), NamedNode(EX + "graph/b")


def t(s: str, p: str, o) -> Triple:
    subject = s if isinstance(s, BlankNode) else NamedNode(EX + s)
    obj = o if isinstance(o, (BlankNode, Literal, NamedNode)) else Literal(o)
    return Triple(subject, NamedNode(EX + p), obj)


QUADS = [
    Quad(*t("x", "name", "Икс"), A), Quad(*t("x", "name", "X"), A), Quad(*t("y", "name", "Y"), B),
    Quad(*t("x", "name", "X"), B),
]


def quads_of(store: Store) -> set[tuple[str, str]]:
    return {(str(q.triple), str(q.graph_name)) for q in store}


# ----------------------------------------------------------------------------- plan

def test_plan_keeps_each_named_graph_and_puts_loose_triples_in_the_default_graph():
    loose = Quad(*t("z", "name", "Z"), DefaultGraph())
    graphs = plan(QUADS + [loose, QUADS[0]])
    assert [g.name for g in graphs] == [DefaultGraph(), A, B]
    assert [len(g.triples) for g in graphs] == [1, 2, 2]  # the repeated quad counts once
    assert [g.label for g in graphs] == ["the default graph", f"<{A.value}>", f"<{B.value}>"]
    assert total_triples(graphs) == 5


def test_plan_one_graph_takes_that_graph_and_the_loose_triples():
    loose = Quad(*t("z", "name", "Z"), DefaultGraph())
    (graph,) = plan(QUADS + [loose], graph=A.value)
    assert graph.name == A
    assert set(graph.triples) == {QUADS[0].triple, QUADS[1].triple, loose.triple}


def test_plan_default_graph_takes_the_union_once():
    (graph,) = plan(QUADS, default_graph=True)
    assert graph.name == DefaultGraph()
    assert len(graph.triples) == 3  # ex:x name "X" is in both graphs


@pytest.mark.parametrize("kwargs, message", [
    ({"graph": "not an iri"}, "--graph: 'not an iri' is not an absolute IRI"),
    ({"graph": EX + "graph/none"}, f"--graph: the input holds no triples for <{EX}graph/none>; "
                                   f"the input has 2 named graph(s), e.g. <{EX}graph/a>"),
    ({"graph": EX + "g", "default_graph": True}, "--graph and --default-graph do not go together; choose one"),
])
def test_plan_refuses_what_cannot_be_loaded(kwargs, message):
    with pytest.raises(UsageError) as err:
        plan(QUADS, **kwargs)
    assert str(err.value) == message


def test_read_inputs_prefers_the_nquads_of_a_build(tmp_path):
    (tmp_path / "cardf.trig").write_text(f"<{A.value}> {{ <{EX}x> <{EX}p> 'trig' . }}\n")
    assert [q.object.value for q in read_inputs([], tmp_path)] == ["trig"]
    (tmp_path / "cardf.nq").write_text(f"<{EX}x> <{EX}p> \"nq\" <{A.value}> .\n")
    assert [q.object.value for q in read_inputs([], tmp_path)] == ["nq"]


def test_read_inputs_without_a_build_says_what_to_do(tmp_path):
    with pytest.raises(InputError) as err:
        read_inputs([], tmp_path / "dist")
    assert err.value.lines() == [f"{tmp_path / 'dist'}: no build output here (cardf.nq or cardf.trig); "
                                 "run `cardf build` first, or name the files to load"]


def test_read_inputs_reads_named_files_in_order(tmp_path):
    (tmp_path / "a.ttl").write_text(f"<{EX}x> <{EX}p> 1 .\n")
    (tmp_path / "b.nq").write_text(f"<{EX}x> <{EX}p> \"2\" <{B.value}> .\n")
    quads = read_inputs([tmp_path / "a.ttl", tmp_path / "b.nq"], tmp_path / "unused")
    assert [(q.object.value, q.graph_name) for q in quads] == [("1", DefaultGraph()), ("2", B)]


# ----------------------------------------------------------------------------- the embedded store

def test_write_store_keeps_named_graphs(tmp_path):
    assert write_store(tmp_path / "store", QUADS) == 4
    store = Store.read_only(str(tmp_path / "store"))
    assert quads_of(store) == {(str(q.triple), str(q.graph_name)) for q in QUADS}


def test_load_store_twice_is_the_same_as_once(tmp_path):
    graphs = plan(QUADS)
    first = load_store(tmp_path / "store", graphs)
    assert (first.graphs, first.triples) == (2, 4)
    once = quads_of(Store.read_only(str(tmp_path / "store")))
    load_store(tmp_path / "store", graphs)
    assert quads_of(Store.read_only(str(tmp_path / "store"))) == once


def test_load_store_replaces_only_the_graphs_it_loads(tmp_path):
    load_store(tmp_path / "store", plan(QUADS))
    changed = Quad(*t("x", "name", "Икс (changed)"), A)
    result = load_store(tmp_path / "store", plan([changed]))
    assert result.graphs == 1
    store = Store.read_only(str(tmp_path / "store"))
    assert {q.object.value for q in store.quads_for_pattern(None, None, None, A)} == {"Икс (changed)"}
    assert {q.object.value for q in store.quads_for_pattern(None, None, None, B)} == {"Y", "X"}


def test_load_store_reports_progress_per_graph(tmp_path):
    seen: list[int] = []
    load_store(tmp_path / "store", plan(QUADS), seen.append)
    assert seen == [2, 2]


def test_load_store_names_a_store_in_use(tmp_path):
    holder = Store(str(tmp_path / "store"))  # holds the lock, as a running `oxigraph serve` would
    with pytest.raises(ExternalError) as err:
        load_store(tmp_path / "store", plan(QUADS))
    del holder
    assert err.value.exit_code == 3
    assert err.value.lines() == [f"{tmp_path / 'store'}: the store is in use by another process (`cardf serve`?); "
                                 "stop it, then load again"]


def test_load_store_refuses_a_file(tmp_path):
    (tmp_path / "store").write_text("not a store")
    with pytest.raises(UsageError) as err:
        load_store(tmp_path / "store", plan(QUADS))
    assert err.value.lines() == [f"{tmp_path / 'store'}: exists and is not a folder; --store needs a store folder"]


def test_load_failed_lists_what_was_loaded_and_what_was_not():
    graphs = [GraphData(NamedNode(f"{EX}g{i}"), []) for i in range(9)]
    exc = LoadFailed("http://h/store: HTTP 500 Internal Server Error", graphs[:2], graphs[2:])
    assert exc.exit_code == 3
    assert exc.lines() == [
        "http://h/store: HTTP 500 Internal Server Error; 2 of 9 graph(s) were loaded before the failure",
        f"loaded: <{EX}g0>, <{EX}g1>",
        f"not loaded: <{EX}g2> (failed), <{EX}g3>, <{EX}g4>, <{EX}g5>, <{EX}g6>, <{EX}g7>, … and 1 more",
    ]
    assert LoadFailed("x: boom", [], graphs).lines() == ["x: boom; nothing was loaded"]


@pytest.mark.parametrize("state, lines", [
    ("unknown", ["x: lost; 0 of 3 graph(s) were loaded before the failure", "loaded: none",
                 f"perhaps loaded: <{EX}g0> (its answer was lost; load again)", f"not loaded: <{EX}g1>, <{EX}g2>"]),
    ("partial", ["x: lost; 0 of 3 graph(s) were loaded before the failure", "loaded: none",
                 f"partly loaded: <{EX}g0> (load again)", f"not loaded: <{EX}g1>, <{EX}g2>"]),
])
def test_load_failed_never_says_nothing_was_loaded_when_that_is_not_known(state, lines):
    graphs = [GraphData(NamedNode(f"{EX}g{i}"), []) for i in range(3)]
    assert LoadFailed("x: lost", [], graphs, state).lines() == lines
    assert LoadFailed("x: lost", graphs[:2], graphs[2:], state).lines()[-1].startswith("p")


# ----------------------------------------------------------------------------- credentials and URLs

def test_credentials_come_from_the_environment():
    assert credentials_from_env({}) is None
    assert credentials_from_env({"CARDF_TOKEN": "tok"}).header() == "Bearer tok"
    basic = credentials_from_env({"CARDF_USER": "alice", "CARDF_PASSWORD": "pw"})
    assert basic.header() == "Basic YWxpY2U6cHc="
    assert credentials_from_env({"CARDF_USER": "alice", "CARDF_PASSWORD": "pw"}, auth="digest").header() is None
    assert credentials_from_env({"CARDF_USER": "алиса", "CARDF_PASSWORD": "пароль"}).header() == \
        "Basic " + base64.b64encode("алиса:пароль".encode()).decode()


def test_credentials_never_show_in_their_repr():
    creds = Credentials("basic", user="alice-user", secret="s3cret-pw")
    assert "s3cret" not in repr(creds) and "alice-user" not in repr(creds)


@pytest.mark.parametrize("env, message", [
    ({"CARDF_TOKEN": "t", "CARDF_USER": "u", "CARDF_PASSWORD": "p"},
     "both CARDF_TOKEN and CARDF_USER/CARDF_PASSWORD are set; set only one kind of credentials"),
    ({"CARDF_USER": "u"}, "CARDF_USER is set but CARDF_PASSWORD is not; set both"),
    ({"CARDF_PASSWORD": "p"}, "CARDF_PASSWORD is set but CARDF_USER is not; set both"),
    ({"CARDF_TOKEN": "abc\r\nX-Evil: 1"},
     "CARDF_TOKEN must hold printable ASCII only (no line breaks or control characters)"),
    ({"CARDF_TOKEN": "токен"}, "CARDF_TOKEN must hold printable ASCII only (no line breaks or control characters)"),
    ({"CARDF_USER": "u", "CARDF_PASSWORD": "p\n"},
     "CARDF_PASSWORD must hold printable characters only (no line breaks or control characters)"),
])
def test_incomplete_credentials_are_usage_errors_that_name_variables_only(env, message):
    with pytest.raises(UsageError) as err:
        credentials_from_env(env)
    assert str(err.value) == message


@pytest.mark.parametrize("url, message", [
    ("http://bob:hunter2@localhost:7878/store", "--endpoint: the URL holds credentials; put them in CARDF_USER and "
     "CARDF_PASSWORD (or CARDF_TOKEN) instead, so that they stay out of shell history and process lists"),
    ("localhost:7878/store", "--endpoint: expected an http:// or https:// URL, got 'localhost:7878/store'"),
    ("ftp://localhost/store", "--endpoint: expected an http:// or https:// URL, got 'ftp://localhost/store'"),
    ("http://localhost:99999/store", "--endpoint: not a valid URL"),
    ("http://localhost/store#x", "--endpoint: the URL must not have a #fragment"),
])
def test_check_url(url, message):
    with pytest.raises(UsageError) as err:
        check_url(url, "--endpoint")
    assert str(err.value) == message


def test_display_url_drops_user_info_and_query():
    assert display_url("https://u:p@db.example.org:8443/repositories/x/statements?key=abc") == \
        "https://db.example.org:8443/repositories/x/statements"
    assert display_url("http://[::1]:7878/store") == "http://[::1]:7878/store"


@pytest.mark.parametrize("endpoint, graph, url", [
    ("http://h/store", GraphData(A, []), "http://h/store?graph=http%3A%2F%2Fexample.org%2Fgraph%2Fa"),
    ("http://h/store", GraphData(DefaultGraph(), []), "http://h/store?default"),
    ("http://h/rdf-graphs/service?x=1", GraphData(A, []),
     "http://h/rdf-graphs/service?x=1&graph=http%3A%2F%2Fexample.org%2Fgraph%2Fa"),
])
def test_graph_url_uses_indirect_graph_identification(endpoint, graph, url):
    assert graph_url(endpoint, graph) == url


# ----------------------------------------------------------------------------- SPARQL Update batches

def test_batches_never_split_the_triples_of_a_blank_node():
    b1, b2 = BlankNode("b1"), BlankNode("b2")
    triples = [t("a", "p", "1"), t("a", "q", b1), t(b1, "r", b2), t("c", "p", "2"), t(b2, "s", "3"),
               t("d", "p", "4")]
    assert batches(triples, 2) == [[triples[0]], [triples[1], triples[2], triples[4]], [triples[3], triples[5]]]


def test_batches_without_blank_nodes_are_plain_slices():
    triples = [t("a", "p", str(i)) for i in range(5)]
    assert batches(triples, 2) == [triples[0:2], triples[2:4], triples[4:5]]
    assert batches([], 2) == []


def test_update_requests_drop_then_insert_and_parse_as_sparql():
    graph = GraphData(A, [t("a", "p", 'say "hi"\nthen go'), t("a", "p", Literal("4100000000", datatype=NamedNode(
        "http://www.w3.org/2001/XMLSchema#decimal"))), t("a", "label", Literal("Россия", language="ru"))])
    requests = list(update_requests(graph, batch=2))
    assert [(r.triples, r.repeatable) for r in requests] == [(2, True), (1, True)]
    assert requests[0].text.startswith(f"DROP SILENT GRAPH <{A.value}> ;\nINSERT DATA {{ GRAPH <{A.value}> {{\n")
    assert requests[1].text.startswith(f"INSERT DATA {{ GRAPH <{A.value}> {{\n")
    store = Store()
    store.add(Quad(*t("old", "p", "stale"), A))
    for r in requests:
        store.update(r.text)
    assert {q.triple for q in store} == set(graph.triples)


def test_update_requests_for_the_default_graph_and_an_empty_graph():
    (only,) = update_requests(GraphData(DefaultGraph(), [t("a", "p", "1")]))
    assert only == (f'DROP SILENT DEFAULT ;\nINSERT DATA {{\n<{EX}a> <{EX}p> "1" .\n}}', 1, True)
    assert list(update_requests(GraphData(A, []))) == [(f"DROP SILENT GRAPH <{A.value}>", 0, True)]


def test_only_later_requests_with_blank_nodes_may_not_be_repeated():
    """Each request's blank nodes are new nodes: a second INSERT DATA of them adds a second copy."""
    b = BlankNode("b")
    triples = [t("a", "p", b), t(b, "q", "1"), t("c", "p", "2"), t("d", "p", BlankNode("e"))]
    requests = list(update_requests(GraphData(A, triples), batch=1))
    assert [(r.triples, r.repeatable) for r in requests] == [(2, True), (1, True), (1, False)]
    store = Store()
    for r in requests + requests[2:]:
        store.update(r.text)
    assert len(store) == len(triples) + 1  # the repeated last request made a second blank node


def test_serialized_turtle_body_round_trips():
    from pyoxigraph import serialize

    graph = plan(QUADS)[0]
    body = serialize(graph.triples, format=RdfFormat.N_TRIPLES)
    assert {q.triple for q in parse(body, format=RdfFormat.TURTLE)} == set(graph.triples)


def test_load_store_creates_the_store_and_reports_throughput(tmp_path: Path):
    result = load_store(tmp_path / "new" / "store", plan(QUADS))
    assert (tmp_path / "new" / "store" / "CURRENT").is_file()
    assert result.target == str(tmp_path / "new" / "store")
    assert result.summary().startswith(f"Loaded 4 triples in 2 graph(s) into {tmp_path / 'new' / 'store'} in ")
    assert result.summary().endswith(" triples/s).")
