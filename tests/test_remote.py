"""The HTTP client under fire: credentials echoed back in every spelling, answers lost, dripped or garbled.

Every server here is real and on 127.0.0.1: `oxigraph serve` for the store, and the scripted
server of conftest for what a store will not do on demand — alone, or in front of the real
store, forwarding what it is sent and then losing, repeating or dripping the answer.
"""

from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from conftest import Scripted, run
from test_cli_load import (ARTICLE, ENTITIES, ONTOLOGY, build_counts, build_quads, canonical, counted_back, loaded,
                           synthetic_build)

USER = "loader-Qv7"
PASSWORD = 'Zq8  wÖrd&<"+/%=\\ ü#Kx'  # two spaces, non-ASCII, and what URL, HTML and JSON encode
TOKEN = "Tq-J4nW9zR2-Xy7"
BASIC = {"CARDF_USER": USER, "CARDF_PASSWORD": PASSWORD}
BEARER = {"CARDF_TOKEN": TOKEN}
FRAGMENT = 3
SELECT = "SELECT * WHERE { ?s ?p ?o }"


@pytest.fixture
def build(tmp_path) -> Path:
    return synthetic_build(tmp_path / "dist")


def _credentials(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


# ----------------------------------------------------------------------------- reading a secret back out

def _windows(secret: str) -> set[str]:
    return {secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


PARTS = _windows(PASSWORD) | _windows(TOKEN) | _windows(" ".join(PASSWORD.split())) | {USER} \
    | {f"{USER}:{PASSWORD}"[i:i + FRAGMENT] for i in range(len(USER) - 1, len(USER) + 1)}
PART_BYTES = {p.encode() for p in PARTS}


def _json_unescaped(text: str) -> str:
    text = re.sub(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})",
                  lambda m: (bytes.fromhex(m[1] + m[2])).decode("utf-16-be"), text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    return re.sub(r'\\(["\\/])', r"\1", text)


def _decodings(text: str) -> set[bytes]:
    """Everything the base64 and hex runs of `text` decode to, at every alignment, twice over."""
    out: set[bytes] = set()
    for found in re.findall(r"[A-Za-z0-9+/_-]{4,}", text):
        found = found.replace("-", "+").replace("_", "/")
        for skip in range(4):
            piece = found[skip:]
            piece = piece[:len(piece) - (len(piece) % 4 == 1)]
            try:
                data = base64.b64decode(piece + "=" * (-len(piece) % 4))
            except ValueError:
                continue
            out.add(data)
            for inner in re.findall(rb"[A-Za-z0-9+/]{4,}", data):
                for s in range(4):
                    p = inner[s:]
                    p = p[:len(p) - (len(p) % 4 == 1)]
                    try:
                        out.add(base64.b64decode(p + b"=" * (-len(p) % 4)))
                    except ValueError:
                        pass
    for found in re.findall(r"[0-9A-Fa-f]{6,}", text):
        for skip in range(2):
            piece = found[skip:]
            out.add(bytes.fromhex(piece[:len(piece) // 2 * 2]))
    return out


def leaks(text: str) -> list[str]:
    """Parts of a credential (three characters in a row, or the user name) that can be read out of `text`."""
    views = {text, urllib.parse.unquote(text), urllib.parse.unquote_plus(text), html.unescape(text),
             _json_unescaped(text), urllib.parse.unquote(html.unescape(text)), " ".join(text.split())}
    found = sorted({part for view in views for part in PARTS if part in view})
    decoded = {d for view in views for d in _decodings(view)}
    found += sorted({p.decode() for d in decoded for p in PART_BYTES if p in d})
    return found


def test_the_leak_detector_finds_what_it_must():
    blob = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for spelled in (PASSWORD[3:7], urllib.parse.quote(PASSWORD).lower(), blob[:20], "x" + blob[9:30],
                    html.escape(PASSWORD), json.dumps(PASSWORD), PASSWORD.encode().hex().upper(),
                    base64.b64encode(f"Authorization: Basic {blob}".encode()).decode()[:60], TOKEN[5:9]):
        assert leaks(f"padding {spelled} padding"), spelled
    assert leaks("HTTP 401 Unauthorized (check CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN); nothing was loaded") == []


# ----------------------------------------------------------------------------- echoes, in every spelling

def _echoes(header: str) -> dict[str, str]:
    """What a server might write back about the Authorization header it was sent."""
    scheme, _, value = header.partition(" ")
    secret = base64.b64decode(value).decode() if scheme == "Basic" else value
    password = secret.split(":", 1)[-1]
    line = f"Authorization: {header}"
    quoted = urllib.parse.quote(line, safe="")
    return {
        "header": line,
        "value": value,
        "url": quoted,
        "url-lower-hex": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted),
        "form": urllib.parse.urlencode({"auth": line, "password": password}),
        "json": json.dumps({"error": "denied", "authorization": header, "password": password}),
        "json-ascii": json.dumps({"password": password}, ensure_ascii=True),
        "html": html.escape(f"{line} password={password}"),
        "html-numeric": "".join(f"&#{ord(c)};" for c in password),
        "html-hex": "".join(f"&#X{ord(c):x};" for c in password),
        "hex": password.encode().hex(),
        "HEX": secret.encode().hex().upper(),
        "base64-of-the-header": base64.b64encode(line.encode()).decode(),
        "urlsafe-base64": base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
        "raw": password,
        "whitespace-collapsed": " ".join(password.split()),
        "cut-by-the-server": value[:len(value) * 2 // 3],
        "middle": value[5:22],
        "lines": "\n".join(secret[i:i + 5] for i in range(0, len(secret), 5)),
    }


ECHOES = sorted(_echoes("Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()))
PADS = [(100, 50), (170, 10), (190, 0), (197, 400), (1000, 1000), (9000, 900)]


def _padded(form: str, pad: tuple[int, int]):
    def make(request):
        header = request["headers"].get("Authorization", "")
        return "." * pad[0] + _echoes(header)[form] + "," * pad[1]
    return make


@pytest.mark.parametrize("pad", PADS, ids=lambda p: f"{p[0]}+{p[1]}")
@pytest.mark.parametrize("form", ECHOES)
def test_no_part_of_a_password_is_printed_whatever_the_server_echoes(build, monkeypatch, form, pad):
    _credentials(monkeypatch, BASIC)
    with Scripted([("echo", 401, _padded(form, pad))]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {server.url}: HTTP 401 Unauthorized (check CARDF_USER/CARDF_PASSWORD "
                                    "or CARDF_TOKEN; the server says: ...")
    assert leaks(result.output) == []


@pytest.mark.parametrize("form", ["header", "value", "url", "json", "raw", "middle", "cut-by-the-server", "lines"])
@pytest.mark.parametrize("command", ["load --endpoint", "load --update-endpoint", "query --endpoint",
                                     "query --endpoint --debug"])
def test_no_part_of_a_token_is_printed_on_any_path(build, monkeypatch, command, form):
    _credentials(monkeypatch, BEARER)
    status = 400 if command.startswith("query") else 500
    with Scripted([("echo", status, _padded(form, (195, 100)))] * 4) as server:
        args = {"load --endpoint": ["load", "--out", build, "--endpoint", server.url],
                "load --update-endpoint": ["load", "--out", build, "--update-endpoint", server.url],
                "query --endpoint": ["query", "--endpoint", server.url, "-e", SELECT],
                "query --endpoint --debug": ["query", "--endpoint", server.url, "-e", SELECT, "--debug"]}[command]
        result = run(*args)
    assert result.exit_code == (2 if status == 400 else 3)
    assert "the server says" not in result.output or "***" in result.output
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert leaks(result.output) == []


@pytest.mark.parametrize("env", [BASIC, BEARER], ids=["basic", "bearer"])
def test_secrets_in_a_reason_phrase_a_json_error_and_a_redirect_are_masked(build, monkeypatch, env):
    _credentials(monkeypatch, env)
    secret = PASSWORD if "CARDF_PASSWORD" in env else TOKEN
    plain = urllib.parse.quote(secret, safe="")

    def reason(request):
        return "", {}, "Refused " + request["headers"]["Authorization"].split(" ", 1)[1]

    def as_json(request):
        return json.dumps({"message": "denied", "you sent": request["headers"]["Authorization"]}), \
            {"Content-Type": "application/json"}, None

    script = [("echo", 599, reason), ("echo", 403, as_json), ("redirect", f"/login/{plain}/{plain[4:]}?x={plain}")]
    outputs = []
    for action in script:
        with Scripted([action]) as server:
            result = run("load", "--out", build, "--endpoint", server.url)
        assert result.exit_code == 3, result.output
        outputs.append(result.output)
    assert outputs[0].startswith("Error: http://127.0.0.1:")
    assert "HTTP 599 Refused ***" in outputs[0]
    assert '"message": "denied"' in outputs[1] and "***" in outputs[1]
    assert "redirects to http://127.0.0.1:" in outputs[2] and "/login/***" in outputs[2]
    assert [leaks(o) for o in outputs] == [[], [], []]


def test_a_parse_error_quoting_the_answer_is_masked(monkeypatch):
    _credentials(monkeypatch, BEARER)
    answer = f"<http://example.org/s> <http://example.org/p> {TOKEN[3:]}:x .\n"
    with Scripted([("echo", 200, lambda r: (answer, {"Content-Type": "text/turtle"}, None))]) as server:
        result = run("query", "--endpoint", server.url, "-e", "CONSTRUCT WHERE { ?s ?p ?o }")
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {server.url}: the answer cannot be read: ")
    assert "The prefix ***" in result.output and leaks(result.output) == []


def test_timeouts_and_dropped_connections_say_nothing_of_the_credentials(build, monkeypatch):
    _credentials(monkeypatch, BASIC)
    with Scripted([("slow", 2)]) as server:
        slow = run("load", "--out", build, "--endpoint", server.url, "--timeout", "0.5")
    with Scripted(["reset"] * 4) as server:
        dropped = run("load", "--out", build, "--endpoint", server.url)
    assert (slow.exit_code, dropped.exit_code) == (3, 3)
    assert "no answer within 0.5 s" in slow.output and "the connection was closed" in dropped.output
    assert leaks(slow.output + dropped.output) == []


# ----------------------------------------------------------------------------- answers lost, repeated, dripped

def _update_of(request: dict) -> str:
    (text,) = urllib.parse.parse_qs(request["body"].decode("ascii"))["update"]
    return text


def _lose_first_blank_node_batch(request: dict):
    """Lose the answer (after applying it) of the first INSERT DATA with blank nodes that is not a graph's first."""
    if request["method"] == "POST" and b"update=" in request["body"]:
        text = _update_of(request)
        if "DROP" not in text and "_:" in text and not getattr(_lose_first_blank_node_batch, "done", False):
            _lose_first_blank_node_batch.done = True
            return "lose"
    return None


@pytest.fixture
def big_blank_graph(tmp_path) -> Path:
    """A build whose article graphs take several requests at --batch-size 3, blank nodes in a later one."""
    folder = tmp_path / "blank"
    folder.mkdir()
    lines = ["@prefix s: <https://schema.org/> ."]
    for a in range(2):
        body = [f'<https://w3id.org/cardf/id/fact-{a}-{i}> s:value "{i}" .' for i in range(7)]
        body += [f'<https://w3id.org/cardf/id/article-{a}> s:about [ s:name "blank {a}" ; '
                 's:about [ s:name "inner" ] ] .']
        lines.append(f"<{ARTICLE}article-{a}> {{\n" + "\n".join(body) + "\n}")
    (folder / "cardf.trig").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_lost_answer_to_a_blank_node_batch_starts_the_graph_again_and_the_counts_prove_it(big_blank_graph,
                                                                                           oxigraph_server):
    _lose_first_blank_node_batch.done = False
    with Scripted(_lose_first_blank_node_batch, upstream=oxigraph_server.url) as proxy:
        result = run("load", "--out", big_blank_graph, "--update-endpoint", proxy.base + "/update",
                     "--batch-size", "3")
    assert result.exit_code == 0, result.output
    assert counted_back(result) == f"counted back at {proxy.base}/query: the same in every named graph"
    assert canonical(oxigraph_server.nquads()) == canonical(build_quads(big_blank_graph))
    updates = [(r["action"], _update_of(r)) for r in proxy.requests if b"update=" in r["body"]]
    lost = [i for i, (action, _) in enumerate(updates) if action == "lose"]
    assert len(lost) == 1 and updates[lost[0] + 1][1].startswith("DROP SILENT GRAPH")  # the graph again, from its drop


def test_without_the_restart_the_lost_batch_would_have_doubled_its_blank_nodes(big_blank_graph, oxigraph_server):
    """The same fault, with the lost request applied twice by the store: the counts read back catch it."""
    state = {"done": False}

    def twice(request):
        if request["method"] == "POST" and b"update=" in request["body"] and not state["done"]:
            text = _update_of(request)
            if "DROP" not in text and "_:" in text:
                state["done"] = True
                return "twice"
        return None

    with Scripted(twice, upstream=oxigraph_server.url) as proxy:
        result = run("load", "--out", big_blank_graph, "--update-endpoint", proxy.base + "/update",
                     "--batch-size", "3")
    held = oxigraph_server.counts()
    sent = build_counts(big_blank_graph)
    (graph,) = [g for g in sent if held[g] != sent[g]]
    assert held[graph] > sent[graph]
    assert result.exit_code == 3
    assert result.output == (f"Error: {proxy.base}/query: after the load, 1 graph(s) hold other numbers of triples "
                             "than cardf sent (a request applied twice, or partly?); load again\n"
                             f"  <{graph}>: the store holds {held[graph]:,}, cardf sent {sent[graph]:,}\n")


def test_restarts_of_a_graph_are_bounded_and_the_failure_says_it_is_partly_loaded(big_blank_graph,
                                                                                  oxigraph_server):
    def always(request):
        if request["method"] == "POST" and b"update=" in request["body"]:
            text = _update_of(request)
            return "lose" if "DROP" not in text and "_:" in text else None
        return None

    with Scripted(always, upstream=oxigraph_server.url) as proxy:
        result = run("load", "--out", big_blank_graph, "--update-endpoint", proxy.base + "/update",
                     "--batch-size", "3", "--retries", "2")
    assert result.exit_code == 3
    assert result.output == (f"Error: {proxy.base}/update: the connection was closed before an answer came; "
                             "0 of 2 graph(s) were loaded before the failure\n"
                             "  loaded: none\n"
                             f"  partly loaded: <{ARTICLE}article-0> (load again)\n"
                             f"  not loaded: <{ARTICLE}article-1>\n")
    assert sum(r["action"] == "lose" for r in proxy.requests) == 3  # the first time and two restarts


def test_a_lost_put_is_sent_again_since_a_put_replaces(build, oxigraph_server):
    with Scripted(["lose", "forward", "lose"], upstream=oxigraph_server.url) as proxy:
        result = run("load", "--out", build, "--endpoint", proxy.url)
    assert result.exit_code == 0, result.output
    assert canonical(oxigraph_server.nquads()) == canonical(build_quads(build))
    assert [r["action"] for r in proxy.requests][:4] == ["lose", "forward", "lose", "forward"]


def test_update_loads_into_a_real_store_are_counted_back(build, oxigraph_server):
    result = run("load", "--out", build, "--update-endpoint", oxigraph_server.update, "--batch-size", "4")
    assert result.exit_code == 0, result.output
    assert counted_back(result) == f"counted back at {oxigraph_server.url}/query: the same in every named graph"
    union = run("load", "--out", build, "--update-endpoint", oxigraph_server.update, "--default-graph")
    assert counted_back(union) == "not counted back (a store may show all its graphs in the default graph)"


def test_a_store_that_answers_no_queries_leaves_the_counts_unread_and_says_so(build):
    with Scripted() as server:
        result = run("load", "--out", build, "--update-endpoint", server.url)
    assert result.exit_code == 0, result.output
    assert counted_back(result) == f"not counted back ({server.url} did not answer in SPARQL JSON)"
    with Scripted(lambda r: 404 if b"query=" in r["body"] else None) as server:
        result = run("load", "--out", build, "--update-endpoint", server.url)
    assert counted_back(result) == f"not counted back (HTTP 404 from {server.url})"


def test_a_server_dripping_its_answer_cannot_hold_a_load_past_the_timeout(build):
    """One byte every 0.3 s never trips a timeout of 1 s per read; the deadline of the request ends it."""
    with Scripted([("drip", 0.3)]) as server:
        result = run("load", "--out", build, "--endpoint", server.url, "--timeout", "1")
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.url}: no answer within 1 s (a big graph may need a longer --timeout); "
                             "0 of 5 graph(s) were loaded before the failure\n"
                             "  loaded: none\n"
                             f"  perhaps loaded: <{ARTICLE}article-0> (its answer was lost; load again)\n"
                             f"  not loaded: <{ARTICLE}article-1>, <{ARTICLE}article-2>, <{ENTITIES}>, <{ONTOLOGY}>\n")


def test_a_dripping_server_cannot_hold_a_query_either():
    with Scripted([("drip", 0.3)]) as server:
        result = run("query", "--endpoint", server.url, "-e", SELECT, "--timeout", "1")
    assert (result.exit_code, result.output) == (3, "Error: query timed out after 1 s\n")


def test_a_200_whose_answer_breaks_off_is_a_load_the_server_applied(build):
    """The status line is the server's word on the request; the rest of a load's answer is not needed."""
    with Scripted([("raw", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 0, result.output
    assert loaded(result)[:2] == (sum(build_counts(build).values()), 5)
    assert len(server.requests) == 5


def test_an_answer_that_is_not_http_is_not_reported_as_nothing_loaded(build):
    with Scripted([("raw", b"SSH-2.0-OpenSSH_9.6\r\n")]) as server:
        result = run("load", "--out", build, "--endpoint", server.url)
    assert result.exit_code == 3
    assert result.output == (f"Error: {server.url}: not an HTTP answer (BadStatusLine); is this the right URL and "
                             "scheme?; 0 of 5 graph(s) were loaded before the failure\n"
                             "  loaded: none\n"
                             f"  perhaps loaded: <{ARTICLE}article-0> (its answer was lost; load again)\n"
                             f"  not loaded: <{ARTICLE}article-1>, <{ARTICLE}article-2>, <{ENTITIES}>, <{ONTOLOGY}>\n")


def test_a_garbled_query_answer_is_an_external_failure():
    with Scripted([("echo", 200, lambda r: ("{not json", {"Content-Type": "application/sparql-results+json"},
                                            None))]) as server:
        result = run("query", "--endpoint", server.url, "-e", SELECT)
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {server.url}: the results cannot be read: ")


def test_an_entity_bomb_from_an_endpoint_is_refused_before_parsing():
    bomb = (Path(__file__).parent / "fixtures" / "bad-rdf" / "entity-bomb.rdf").read_text()
    with Scripted([("echo", 200, lambda r: (bomb, {"Content-Type": "application/rdf+xml"}, None))]) as server:
        result = run("query", "--endpoint", server.url, "-e", "CONSTRUCT WHERE { ?s ?p ?o }")
    assert (result.exit_code, result.output) == (
        3, f"Error: {server.url}: the answer is refused: it declares an XML entity (<!ENTITY …>); cardf never "
           "expands or fetches XML entities, which can blow a few lines up to gigabytes: write the values out in "
           "full (line 3, column 2)\n")


def test_results_nested_deep_enough_to_crash_the_parser_are_refused():
    """Five thousand triple terms inside each other in SPARQL JSON results crash pyoxigraph (a segfault)."""
    nested = '{"type": "triple", "value": {"subject": ' * 5000 + '{}' + "}}" * 5000
    answer = '{"head": {"vars": ["a"]}, "results": {"bindings": [{"a": ' + nested + "}]}}"
    with Scripted([("echo", 200, lambda r: (answer, {"Content-Type": "application/sparql-results+json"},
                                            None))]) as server:
        result = cardf_process("query", "--endpoint", server.url, "-e", SELECT)
    assert (result.returncode, result.stderr) == (
        3, f"Error: {server.url}: the answer is refused: it nests JSON more than 256 levels deep, which cardf does not "
           f"read (the parser crashes a few thousand levels down) (line 1, column {57 + 126 * 40 + 1})\n")


def cardf_process(*args):
    """`cardf ARGS` in a process of its own: a crash must fail the test, not the test run."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "cardf", *map(str, args)], capture_output=True, text=True,
                          timeout=120)
