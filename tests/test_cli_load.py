"""`cardf load`: into a real Oxigraph server, into an embedded store, and against servers that fail.

The servers are real: `oxigraph serve` from PyPI for the stores, and, for failures a real
store will not produce on demand (503, dropped connections, slow answers, a password
check), a small scripted HTTP server on 127.0.0.1 in this file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, Store, parse

from conftest import (SEED, Scripted, edit, free_port, project_args, run, run_on_terminal, start_oxigraph,
                      stop_process)

ARTICLE = "https://w3id.org/cardf/graph/article/"
ENTITIES = "https://w3id.org/cardf/graph/entities"
ONTOLOGY = "https://w3id.org/cardf/ontology"
SECRET_USER = "alice-the-loader"
SECRET_PASSWORD = "pa55-W0rd-never-shown"
SECRET_TOKEN = "tok-3f9c1e-never-shown"


def synthetic_build(folder: Path, articles: int = 3, facts: int = 4, changed: str | None = None) -> Path:
    """A build folder shaped like `cardf build`'s: one graph per article, entities, ontology."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["@prefix id: <https://w3id.org/cardf/id/> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             "@prefix s: <https://schema.org/> ."]
    for a in range(articles):
        slug = f"article-{a}"
        title = "Статья «%d»" % a + (" (changed)" if slug == changed else "")
        body = [f'id:{slug} a s:NewsArticle ; s:headline "{title}"@ru , "He said \\"yes\\"\\nthen left"@en ;',
                f'    s:about [ a s:Thing ; s:name "blank {a}" ] .']
        body += [f'id:figure-{a}-{i} s:value "{4100000000 + i}"^^xsd:decimal ; s:isPartOf id:{slug} .'
                 for i in range(facts)]
        lines.append(f"<{ARTICLE}{slug}> {{\n" + "\n".join(body) + "\n}")
    lines.append(f'<{ENTITIES}> {{ id:state-russia s:name "Россия"@ru , "Russia"@en . }}')
    lines.append(f'<{ONTOLOGY}> {{ <https://w3id.org/cardf/ontology#Visit> a '
                 f'<http://www.w3.org/2002/07/owl#Class> . }}')
    (folder / "cardf.trig").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def build_counts(dist: Path) -> dict[str, int]:
    """Triples per graph in a build folder, counted from its N-Quads or TriG."""
    path = dist / "cardf.nq" if (dist / "cardf.nq").is_file() else dist / "cardf.trig"
    fmt = RdfFormat.N_QUADS if path.suffix == ".nq" else RdfFormat.TRIG
    counts: dict[str, int] = {}
    for q in set(parse(path=str(path), format=fmt)):
        key = getattr(q.graph_name, "value", "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def canonical(nquads_or_quads) -> list[str]:
    """A dataset with its blank nodes renamed canonically: equal lists mean isomorphic datasets."""
    quads = parse(nquads_or_quads, format=RdfFormat.N_QUADS) if isinstance(nquads_or_quads, bytes) \
        else nquads_or_quads
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in dataset)


def build_quads(dist: Path) -> list:
    """The build's quads as a store holds them: Oxigraph keeps literals of numeric types in canonical
    form (a build's "10.0"^^xsd:decimal is stored as "10"), so compare against what it would store."""
    path = dist / "cardf.nq" if (dist / "cardf.nq").is_file() else dist / "cardf.trig"
    store = Store()
    store.extend(parse(path=str(path), format=RdfFormat.N_QUADS if path.suffix == ".nq" else RdfFormat.TRIG))
    return list(store)


def per_graph(nquads: bytes) -> dict[str, list[str]]:
    """Canonical content of each graph on its own, to tell which graphs a load changed."""
    graphs: dict[str, list] = {}
    for q in parse(nquads, format=RdfFormat.N_QUADS):
        graphs.setdefault(getattr(q.graph_name, "value", ""), []).append(q)
    return {name: canonical(quads) for name, quads in graphs.items()}


SUMMARY = re.compile(r"Loaded ([\d,]+) triples in ([\d,]+) graph\(s\) into (\S+) in [\d.]+ s \(([\d,]+) triples/s\)"
                     r"(?:; (.*))?\.\n")


def loaded(result) -> tuple[int, int, str]:
    m = SUMMARY.fullmatch(result.output)
    assert m, result.output
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")), m.group(3)


def counted_back(result) -> str | None:
    """What the summary says about the counts read back from the store (update loads only)."""
    m = SUMMARY.fullmatch(result.output)
    assert m, result.output
    return m.group(5)


@pytest.fixture
def build(tmp_path) -> Path:
    return synthetic_build(tmp_path / "dist")


# ----------------------------------------------------------------------------- the project's own build

def test_done_means_every_graph_of_the_build_in_a_real_server_and_again_changes_nothing(dist, oxigraph_server):
    report = json.loads((dist / "report.json").read_text())
    result = run("load", "--out", dist, "--endpoint", oxigraph_server.store)
    assert result.exit_code == 0, result.output
    assert loaded(result) == (report["triples"]["quads"], len(report["triples"]["graphs"]), oxigraph_server.store)
    assert oxigraph_server.counts() == report["triples"]["graphs"]
    once = oxigraph_server.nquads()
    assert canonical(once) == canonical(build_quads(dist))

    again = run("load", "--out", dist, "--endpoint", oxigraph_server.store)
    assert again.exit_code == 0, again.output
    assert canonical(oxigraph_server.nquads()) == canonical(once)


def test_queried_back_over_http_the_article_says_what_the_build_says(dist, oxigraph_server):
    assert run("load", "--out", dist, "--endpoint", oxigraph_server.store).exit_code == 0
    rows = oxigraph_server.select(
        f"SELECT ?p ?o WHERE {{ GRAPH <{ARTICLE}{SEED}> {{ <https://w3id.org/cardf/id/article/{SEED}> ?p ?o }} }}")
    store = Store.read_only(str(dist / "store"))
    local = store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{ARTICLE}{SEED}> "
                        f"{{ <https://w3id.org/cardf/id/article/{SEED}> ?p ?o }} }}")
    expected = {(row["p"].value, row["o"].value) for row in local}
    assert expected and {(r["p"], r["o"]) for r in rows} == expected


def test_changing_an_article_replaces_only_its_graph(tmp_path, data_copy, oxigraph_server):
    before_dist, after_dist = tmp_path / "before", tmp_path / "after"
    assert run("build", *project_args(data_copy), "--out", before_dist, "-q").exit_code == 0
    assert run("load", "--out", before_dist, "--endpoint", oxigraph_server.store).exit_code == 0
    before = per_graph(oxigraph_server.nquads())

    facts = data_copy / "articles" / SEED / "facts.yaml"
    edit(facts, 'en: "Russia and the Central Asian states:', 'en: "Russia and the Central Asian states (edited):')
    assert run("build", *project_args(data_copy), "--out", after_dist, "-q").exit_code == 0
    result = run("load", "--out", after_dist, "--endpoint", oxigraph_server.store)
    assert result.exit_code == 0, result.output
    after = per_graph(oxigraph_server.nquads())

    assert sorted(after) == sorted(before)
    assert [name for name in before if before[name] != after[name]] == [ARTICLE + SEED]
    assert canonical(oxigraph_server.nquads()) == canonical(build_quads(after_dist))


def test_update_endpoint_loads_the_same_dataset_in_small_batches(dist, oxigraph_server):
    result = run("load", "--out", dist, "--update-endpoint", oxigraph_server.update, "--batch-size", "100")
    assert result.exit_code == 0, result.output
    report = json.loads((dist / "report.json").read_text())
    assert loaded(result)[:2] == (report["triples"]["quads"], len(report["triples"]["graphs"]))
    assert canonical(oxigraph_server.nquads()) == canonical(build_quads(dist))
    assert run("load", "--out", dist, "--update-endpoint", oxigraph_server.update).exit_code == 0
    assert canonical(oxigraph_server.nquads()) == canonical(build_quads(dist))


# ----------------------------------------------------------------------------- graphs and options

def test_graph_option_loads_one_graph(build, oxigraph_server):
    result = run("load", "--out", build, "--endpoint", oxigraph_server.store, "--graph", ARTICLE + "article-1")
    assert result.exit_code == 0, result.output
    assert oxigraph_server.counts() == {ARTICLE + "article-1": build_counts(build)[ARTICLE + "article-1"]}


def test_changed_synthetic_article_changes_only_its_graph(tmp_path, oxigraph_server):
    assert run("load", "--out", synthetic_build(tmp_path / "a"), "--endpoint", oxigraph_server.store).exit_code == 0
    before = per_graph(oxigraph_server.nquads())
    changed = synthetic_build(tmp_path / "b", changed="article-2")
    assert run("load", "--out", changed, "--endpoint", oxigraph_server.store).exit_code == 0
    after = per_graph(oxigraph_server.nquads())
    assert [name for name in before if before[name] != after[name]] == [ARTICLE + "article-2"]


def test_default_graph_option_loads_the_union(build, oxigraph_server):
    result = run("load", "--out", build, "--endpoint", oxigraph_server.store, "--default-graph")
    assert result.exit_code == 0, result.output
    assert oxigraph_server.counts() == {"": sum(build_counts(build).values())}
    assert loaded(result)[:2] == (sum(build_counts(build).values()), 1)


def test_triple_files_go_to_the_default_graph_or_to_graph(tmp_path, oxigraph_server):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text('<http://example.org/a> <http://example.org/p> "1", "2" .\n', encoding="utf-8")
    assert run("load", ttl, "--endpoint", oxigraph_server.store).exit_code == 0
    assert run("load", ttl, "--endpoint", oxigraph_server.store, "--graph", "http://example.org/g").exit_code == 0
    assert oxigraph_server.counts() == {"": 2, "http://example.org/g": 2}


def test_embedded_store_option(build, tmp_path):
    target = tmp_path / "elsewhere" / "store"
    for _ in range(2):
        result = run("load", "--out", build, "--store", target)
        assert result.exit_code == 0, result.output
        assert loaded(result) == (sum(build_counts(build).values()), len(build_counts(build)), str(target))
    store = Store.read_only(str(target))
    assert canonical(list(store)) == canonical(build_quads(build))


def test_an_empty_store_parses_the_files_itself_and_holds_what_the_graph_by_graph_path_gives(tmp_path):
    """The direct load (the store's own parser) and the path through Python quads give the same store."""
    from cardf.store import load_store, plan, read_inputs

    dist = synthetic_build(tmp_path / "dist", articles=5, facts=6)
    nq = dist / "cardf.nq"
    nq.write_bytes(b"".join(f"{q} .\n".encode() for q in parse(path=str(dist / "cardf.trig"), format=RdfFormat.TRIG)))
    (dist / "cardf.trig").unlink()
    direct = run("load", "--out", dist, "--store", tmp_path / "direct")
    assert direct.exit_code == 0, direct.output
    other = load_store(tmp_path / "other", plan(read_inputs([], dist)))
    assert loaded(direct) == (other.triples, other.graphs, str(tmp_path / "direct"))
    stores = [canonical(list(Store.read_only(str(tmp_path / name)))) for name in ("direct", "other")]
    assert stores[0] == stores[1] and len(stores[0]) == other.triples


def test_a_direct_load_with_progress_counts_lines_and_keeps_each_blank_node_one_node(tmp_path):
    """With a progress bar, the lines read are counted as the store parses; a blank node label used
    all over the file stays one node (the bulk loader renames blank nodes per call, so no slices)."""
    from cardf import store
    from cardf.rdfio import checked_file

    lines = [f'_:b{i % 7} <http://example.org/p> "{i:0200d}" <http://example.org/g{i % 3}> .\n' for i in range(4000)]
    path = tmp_path / "many.nq"
    path.write_text("".join(lines), encoding="utf-8")
    seen: list[int] = []
    result = store.load_files(tmp_path / "counted", [checked_file(path)], seen.append)
    assert (result.triples, result.graphs) == (4000, 3)
    assert len(seen) > 1 and sum(seen) == 4000
    whole = Store()
    whole.load(path=str(path), format=RdfFormat.N_QUADS)
    assert canonical(list(Store.read_only(str(tmp_path / "counted")))) == canonical(list(whole))
    assert len({q.subject for q in Store.read_only(str(tmp_path / "counted"))}) == 7
    assert store.statements([checked_file(path)]) == 4000


@pytest.mark.parametrize("existing", [False, True])
def test_a_bad_file_for_an_empty_store_is_located_and_leaves_nothing(tmp_path, existing):
    good = tmp_path / "good.nq"
    good.write_text('<http://example.org/a> <http://example.org/p> "1" <http://example.org/g> .\n', encoding="utf-8")
    bad = tmp_path / "bad.nq"
    bad.write_text('<http://example.org/a> <http://example.org/p> "1" .\n'
                   '<http://example.org/a> <http://example.org/p> "2" <http://example.org/g> .\n'
                   '<http://example.org/a> <http://example.org/p> "3 <http://example.org/g> .\n', encoding="utf-8")
    target = tmp_path / "store"
    if existing:
        Store(str(target)).flush()
    result = run("load", good, bad, "--store", target)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}:3:"), result.output
    assert result.output == run("load", bad, "--endpoint", "http://127.0.0.1:1/store").output
    if existing:
        assert list(Store.read_only(str(target))) == []
    else:
        assert not target.exists()


def test_the_old_name_dist_still_works_and_says_so(build, tmp_path):
    result = run("load", "--dist", build, "--store", tmp_path / "store")
    assert result.exit_code == 0
    assert result.output.startswith("Note: --dist is now called --out; --dist will go in a later release.\nLoaded ")


def test_quiet_prints_nothing(build, oxigraph_server):
    result = run("load", "--out", build, "--endpoint", oxigraph_server.store, "-q")
    assert (result.exit_code, result.output) == (0, "")


@pytest.mark.parametrize("args, message", [
    ([], "Error: give one of --store DIR, --endpoint URL or --update-endpoint URL\n"),
    (["--store", "s", "--endpoint", "http://127.0.0.1:1/store"],
     "Error: give one of --store DIR, --endpoint URL or --update-endpoint URL, not --store and --endpoint\n"),
    (["--endpoint", "http://127.0.0.1:1/store", "--graph", "http://e/g", "--default-graph"],
     "Error: --graph and --default-graph do not go together; choose one\n"),
    (["--endpoint", "127.0.0.1:7878/store"],
     "Error: --endpoint: expected an http:// or https:// URL, got '127.0.0.1:7878/store'\n"),
])
def test_option_conflicts_are_usage_errors(build, args, message):
    result = run("load", "--out", build, *args)
    assert (result.exit_code, result.output) == (2, message)


def test_missing_build_is_bad_input(tmp_path):
    result = run("load", "--out", tmp_path / "nothing", "--endpoint", "http://127.0.0.1:1/store")
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path / 'nothing'}: no build output here (cardf.nq or cardf.trig); "
                             "run `cardf build` first, or name the files to load\n")


def test_unreadable_file_is_bad_input_with_its_location(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    result = run("load", bad, "--endpoint", "http://127.0.0.1:1/store")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}:1:")


# ----------------------------------------------------------------------------- failures of real servers

def test_unreachable_endpoint(build):
    port = free_port()
    result = run("load", "--out", build, "--endpoint", f"http://127.0.0.1:{port}/store")
    assert result.exit_code == 3
    assert result.output == (f"Error: http://127.0.0.1:{port}/store: connection refused (is the server running, "
                             "and is this the right port?); nothing was loaded\n")


def test_wrong_path_is_a_404(build, oxigraph_server):
    result = run("load", "--out", build, "--endpoint", oxigraph_server.url + "/nope")
    assert result.exit_code == 3
    assert result.output == (f"Error: {oxigraph_server.url}/nope: HTTP 404 Not Found "
                             "(PUT /nope is not supported by this server); nothing was loaded\n")


def test_a_read_only_server_rejects_the_load(build, tmp_path):
    location = tmp_path / "ro"
    Store(str(location)).flush()
    server = start_oxigraph(location, read_only=True)
    try:
        result = run("load", "--out", build, "--endpoint", server.store)
    finally:
        stop_process(server.process)
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.store}: HTTP 403 Forbidden (The server is read-only); "
                             "nothing was loaded\n")


# ----------------------------------------------------------------------------- failures on demand

def test_transient_answers_are_retried_with_backoff(build):
    with Scripted([503, "reset", 502]) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--retries", "3")
    assert result.exit_code == 0, result.output
    assert loaded(result)[1] == 5
    assert len(server.requests) == 5 + 3


def test_retries_are_bounded(build):
    with Scripted([503] * 10) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--retries", "2")
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.url}: HTTP 503 Service Unavailable (scripted failure) "
                             "(after 3 attempts); nothing was loaded\n")
    assert len(server.requests) == 3


def test_failure_part_way_says_which_graphs_were_loaded(build):
    with Scripted([204, 204, 500]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 3
    assert result.output == (
        f"Error: {server.url}: HTTP 500 Internal Server Error (scripted failure); "
        "2 of 5 graph(s) were loaded before the failure\n"
        f"  loaded: <{ARTICLE}article-0>, <{ARTICLE}article-1>\n"
        f"  not loaded: <{ARTICLE}article-2> (failed), <{ENTITIES}>, <{ONTOLOGY}>\n")


def test_update_failure_part_way_through_a_graph_says_it_may_be_partly_loaded(build):
    with Scripted([204, 500]) as server:
        result = run("load", "--out", build, "--update-endpoint", server.url, "--batch-size", "2")
    assert result.exit_code == 3
    assert result.output == (
        f"Error: {server.url}: HTTP 500 Internal Server Error (scripted failure); "
        "0 of 5 graph(s) were loaded before the failure\n"
        "  loaded: none\n"
        f"  partly loaded: <{ARTICLE}article-0> (load again)\n"
        f"  not loaded: <{ARTICLE}article-1>, <{ARTICLE}article-2>, <{ENTITIES}>, <{ONTOLOGY}>\n")
    first = server.requests[0]
    assert first["method"] == "POST" and first["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    (update,) = urllib.parse.parse_qs(first["body"].decode("ascii"))["update"]
    assert update.startswith(f"DROP SILENT GRAPH <{ARTICLE}article-0> ;\nINSERT DATA {{")


def test_timeout(build):
    with Scripted([("slow", 1.5)]) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--timeout", "0.3")
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.url}: no answer within 0.3 s (a big graph may need a longer "
                             "--timeout); 0 of 5 graph(s) were loaded before the failure\n"
                             "  loaded: none\n"
                             f"  perhaps loaded: <{ARTICLE}article-0> (its answer was lost; load again)\n"
                             f"  not loaded: <{ARTICLE}article-1>, <{ARTICLE}article-2>, <{ENTITIES}>, <{ONTOLOGY}>\n")


def test_redirects_are_reported_not_followed(build, monkeypatch):
    monkeypatch.setenv("CARDF_TOKEN", SECRET_TOKEN)
    with Scripted([("redirect", "/elsewhere/store?graph=x")]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 3
    base = server.url.rsplit("/", 1)[0]
    assert result.output == (f"Error: {server.url}: HTTP 301 Moved Permanently (redirects to {base}/elsewhere/store; "
                             "pass that URL); nothing was loaded\n")
    assert len(server.requests) == 1


def test_graph_store_requests_put_turtle_per_graph(build):
    with Scripted() as server:
        assert run("load", "--out", build, "--endpoint", server.url).exit_code == 0
    assert [(r["method"], r["path"]) for r in server.requests] == [
        ("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fcardf%2Fgraph%2Farticle%2Farticle-0"),
        ("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fcardf%2Fgraph%2Farticle%2Farticle-1"),
        ("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fcardf%2Fgraph%2Farticle%2Farticle-2"),
        ("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fcardf%2Fgraph%2Fentities"),
        ("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fcardf%2Fontology"),
    ]
    assert {r["headers"]["Content-Type"] for r in server.requests} == {"text/turtle; charset=utf-8"}
    assert all("Authorization" not in r["headers"] for r in server.requests)


# ----------------------------------------------------------------------------- credentials

def _no_secrets(text: str) -> None:
    import base64

    blob = base64.b64encode(f"{SECRET_USER}:{SECRET_PASSWORD}".encode()).decode()
    for secret in (SECRET_USER, SECRET_PASSWORD, SECRET_TOKEN, blob):
        assert secret not in text


def test_basic_credentials_are_sent_but_never_shown(build, monkeypatch):
    monkeypatch.setenv("CARDF_USER", SECRET_USER)
    monkeypatch.setenv("CARDF_PASSWORD", SECRET_PASSWORD)
    with Scripted() as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 0, result.output
    _no_secrets(result.output)
    sent = {r["headers"].get("Authorization") for r in server.requests}
    import base64
    assert sent == {"Basic " + base64.b64encode(f"{SECRET_USER}:{SECRET_PASSWORD}".encode()).decode()}


@pytest.mark.parametrize("debug", [[], ["--debug"]])
@pytest.mark.parametrize("env", [
    {"CARDF_USER": SECRET_USER, "CARDF_PASSWORD": SECRET_PASSWORD},
    {"CARDF_TOKEN": SECRET_TOKEN},
])
def test_credentials_never_appear_even_when_the_server_echoes_them(build, monkeypatch, capsys, env, debug):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with Scripted([401], echo_auth=True) as server:
        result = run("load", "--out", build, "--endpoint", server.url, *debug)
    assert result.exit_code == 3
    assert result.output.splitlines()[-1] == (
        f"Error: {server.url}: HTTP 401 Unauthorized (check CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN; "
        f"the server says: rejected Authorization: {'Bearer' if 'CARDF_TOKEN' in env else 'Basic'} ***); "
        "nothing was loaded")
    assert server.requests[0]["headers"]["Authorization"].endswith(
        SECRET_TOKEN if "CARDF_TOKEN" in env else "=")
    _no_secrets(result.output + "".join(capsys.readouterr()))


def test_credentials_in_the_url_are_refused_without_echoing_them(build):
    result = run("load", "--out", build, "--endpoint", f"http://{SECRET_USER}:{SECRET_PASSWORD}@127.0.0.1:1/store")
    assert result.exit_code == 2
    assert result.output == ("Error: --endpoint: the URL holds credentials; put them in CARDF_USER and "
                             "CARDF_PASSWORD (or CARDF_TOKEN) instead, so that they stay out of shell history "
                             "and process lists\n")


def test_missing_credentials_name_the_variables(build):
    with Scripted([401]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.url}: HTTP 401 Unauthorized (the endpoint wants credentials: set "
                             "CARDF_USER and CARDF_PASSWORD, or CARDF_TOKEN; the server says: scripted failure); "
                             "nothing was loaded\n")


def test_digest_authentication(build, monkeypatch):
    monkeypatch.setenv("CARDF_USER", SECRET_USER)
    monkeypatch.setenv("CARDF_PASSWORD", SECRET_PASSWORD)
    with Scripted(digest=(SECRET_USER, SECRET_PASSWORD)) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--auth", "digest")
    assert result.exit_code == 0, result.output
    _no_secrets(result.output)
    answered = [r for r in server.requests if r["headers"].get("Authorization", "").startswith("Digest ")]
    assert len(answered) == 5
    assert all(SECRET_PASSWORD not in json.dumps(r["headers"]) for r in server.requests)


def test_wrong_digest_password_is_a_401(build, monkeypatch):
    monkeypatch.setenv("CARDF_USER", SECRET_USER)
    monkeypatch.setenv("CARDF_PASSWORD", "wrong-" + SECRET_PASSWORD)
    with Scripted(digest=(SECRET_USER, SECRET_PASSWORD)) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--auth", "digest")
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {server.url}: HTTP 401 Unauthorized (check CARDF_USER/CARDF_PASSWORD "
                                    "or CARDF_TOKEN")
    _no_secrets(result.output)


# ----------------------------------------------------------------------------- progress, as a user sees it

def _cardf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardf", *map(str, args)], capture_output=True, timeout=120)


def test_progress_bar_on_a_terminal_and_not_otherwise(tmp_path, oxigraph_server):
    big = synthetic_build(tmp_path / "big", articles=40, facts=150)  # about 12,000 triples
    plain = _cardf("load", "--out", big, "--endpoint", oxigraph_server.store)
    assert plain.returncode == 0
    assert SUMMARY.fullmatch(plain.stderr.decode()), plain.stderr

    code, text = run_on_terminal("load", "--out", big, "--endpoint", oxigraph_server.store)
    assert code == 0
    assert "Loading" in text and "triples/s" in text and "Loaded " in text
    quiet = _cardf("load", "--out", big, "--endpoint", oxigraph_server.store, "-q")
    assert (quiet.returncode, quiet.stderr) == (0, b"")


# ----------------------------------------------------------------------------- cardf query --endpoint

def test_cardf_query_endpoint_reads_what_was_loaded(build, oxigraph_server):
    assert run("load", "--out", build, "--endpoint", oxigraph_server.store).exit_code == 0
    result = run("query", "--endpoint", oxigraph_server.url + "/query", "--format", "csv",
                 "-e", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["n", str(sum(build_counts(build).values()))]


def test_standard_input_is_loaded_like_the_file(tmp_path):
    text = '<http://example.org/a> <http://example.org/p> "1", "2" .\n'
    result = run("load", "-", "--store", tmp_path / "store", input=text)
    assert result.exit_code == 0, result.output
    store = Store.read_only(str(tmp_path / "store"))
    assert sorted(str(q.object) for q in store) == ['"1"', '"2"']
