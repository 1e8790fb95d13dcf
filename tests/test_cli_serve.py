"""`cardf serve`: a real read-only Oxigraph server over the built store, started and stopped as a user does."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from cardf.serve import die_with_parent
from cardf.store import write_store
from conftest import LOCAL_ONLY, free_port, run, wait_for_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds child processes in /proc")

G = NamedNode("http://example.org/graph/a")
QUADS = [Quad(NamedNode("http://example.org/x"), NamedNode("http://example.org/name"), Literal(name), G)
         for name in ("Икс", "X")]


def children(pid: int) -> list[int]:
    """Ids of the live processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Serving:
    process: subprocess.Popen
    port: int
    server_pid: int
    greeting: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, query: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> int:
        req = urllib.request.Request(self.url + "/query", data=query.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/sparql-results+json"})
        with LOCAL_ONLY.open(req, timeout=10) as resp:
            return int(json.load(resp)["results"]["bindings"][0]["n"]["value"])


def start_serve(store: Path, *extra: str, ignore_sigint: bool = False) -> Serving:
    port = free_port()
    # as `nohup … &` when asked; otherwise SIGINT as in a terminal, even when pytest itself was started in the
    # background (a non-interactive shell's `cmd &` ignores SIGINT, and children inherit that)
    disposition = signal.SIG_IGN if ignore_sigint else signal.SIG_DFL
    arm = die_with_parent()  # and cardf dies with the test run, however that ends

    def ignore():
        signal.signal(signal.SIGINT, disposition)
        if arm:
            arm()

    process = subprocess.Popen([sys.executable, "-m", "cardf", "serve", "--store", str(store), "--port", str(port),
                                *extra], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=ignore)
    try:
        wait_for_port(port, process)
        deadline = time.monotonic() + 10
        while not children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (server_pid,) = children(process.pid)
        greeting = process.stderr.readline().decode()  # printed once the server answers; EOF if cardf died
    except BaseException:
        _kill(process)
        raise
    return Serving(process, port, server_pid, greeting)


def _kill(process: subprocess.Popen) -> None:
    for pid in children(process.pid):
        os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def served(tmp_path):
    """`cardf serve` on a small store; stopped (and its server with it) by pid whatever the test did."""
    write_store(tmp_path / "store", QUADS)
    serving = start_serve(tmp_path / "store")
    try:
        yield serving
    finally:
        stop_serve(serving)


def _stops_cleanly(serving: Serving, sig: int) -> None:
    serving.process.send_signal(sig)
    out, err = serving.process.communicate(timeout=20)
    assert serving.process.returncode == 0, err
    assert out == b""
    assert serving.greeting + err.decode() == (f"Serving {_store_arg(serving)} read-only at {serving.url}/ "
                                               f"(SPARQL endpoint: {serving.url}/query). Press Ctrl-C to stop.\n"
                                               "Stopped.\n")
    assert not alive(serving.server_pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", serving.port), timeout=1).close()


def _store_arg(serving: Serving) -> str:
    args = serving.process.args
    return args[args.index("--store") + 1]


def test_serves_sparql_over_every_graph_and_a_query_page(served):
    assert served.count() == 2  # the union of the named graphs, without GRAPH in the query
    assert served.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G.value}> {{ ?s ?p ?o }} }}") == 2
    with LOCAL_ONLY.open(served.url + "/", timeout=10) as resp:
        page = resp.read().decode()
    assert resp.status == 200 and "<title>Oxigraph server</title>" in page and "yasgui" in page
    # cardf's line above it: what is served, and how to get the site
    assert '<body><div id="cardf"' in page and "SPARQL endpoint: <code>/query</code>" in page
    assert "run <code>cardf site</code>" in page and "<code>--site DIR</code>" in page
    with LOCAL_ONLY.open(served.url + "/yasgui.min.js", timeout=10) as resp:  # the page's own script, as it was
        assert resp.status == 200 and b"cardf" not in resp.read()


def test_is_read_only(served):
    req = urllib.request.Request(served.url + "/store?default", data=b"<http://a> <http://b> <http://c> .",
                                 method="PUT", headers={"Content-Type": "application/n-triples"})
    with pytest.raises(urllib.error.HTTPError) as err:
        LOCAL_ONLY.open(req, timeout=10)
    assert err.value.code == 403
    assert served.count() == 2


def server_bind(serving: Serving) -> str:
    command = Path(f"/proc/{serving.server_pid}/cmdline").read_bytes().split(b"\0")
    assert b"serve-read-only" in command
    return command[command.index(b"--bind") + 1].decode()


def test_binds_loopback_by_default(served):
    """The Oxigraph server listens on a private port of 127.0.0.1; cardf's SERVICE guard on the one asked for."""
    host, port = server_bind(served).rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) != served.port


# ----------------------------------------------------------------------------- SERVICE calls through the endpoint

def ask(serving: Serving, query: str, how: str) -> tuple[int, bytes]:
    from urllib.parse import quote, urlencode

    headers = {"Accept": "application/sparql-results+json"}
    if how == "get":
        req = urllib.request.Request(f"{serving.url}/query?query={quote(query)}", headers=headers)
    elif how == "form":
        req = urllib.request.Request(f"{serving.url}/sparql", data=urlencode({"query": query}).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        req = urllib.request.Request(f"{serving.url}/query", data=query.encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/sparql-query; charset=UTF-8"})
    try:
        with LOCAL_ONLY.open(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


SERVICE_QUERIES = [
    r"PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ?p ex:a\# }} SERVICE <http://127.0.0.1:{port}/x> "
    "{{ ?a ?b ?c }} }}",
    "select * {{ ?s ?p ?o service silent <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} }}",
    "PREFIX far: <http://127.0.0.1:{port}/> SELECT * {{ {{ SELECT * {{ SERVICE far:x {{ ?a ?b ?c }} }} }} }}",
]


@pytest.mark.parametrize("how", ["post", "get", "form"])
@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_calls_are_refused_before_they_reach_the_server(served, counting_server, template, how):
    status, body = ask(served, template.format(port=counting_server.port), how)
    assert status == 403
    assert body.decode() == ("cardf serve does not run SERVICE calls: this query asks another server for data. "
                             "Start `cardf serve --allow-service` to allow them.\n")
    assert counting_server.requests == []
    assert served.count() == 2  # ordinary queries still go through


def test_allow_service_lets_them_through(tmp_path, counting_server):
    write_store(tmp_path / "store", QUADS)
    serving = start_serve(tmp_path / "store", "--allow-service")
    try:
        assert server_bind(serving) == f"127.0.0.1:{serving.port}"
        status, _ = ask(serving, SERVICE_QUERIES[1].format(port=counting_server.port), "post")
        assert status == 200
        assert counting_server.requests  # the scripted server would have seen a refused query, had it gone through
        _stops_cleanly(serving, signal.SIGINT)
    finally:
        _kill(serving.process)
        if alive(serving.server_pid):
            os.kill(serving.server_pid, signal.SIGKILL)


def test_ctrl_c_stops_the_server_cleanly(served):
    _stops_cleanly(served, signal.SIGINT)


def test_sigterm_stops_the_server_cleanly(served):
    _stops_cleanly(served, signal.SIGTERM)


def test_sigterm_stops_promptly_when_started_with_sigint_ignored(tmp_path):
    write_store(tmp_path / "store", QUADS)
    serving = start_serve(tmp_path / "store", ignore_sigint=True)
    try:
        started = time.monotonic()
        _stops_cleanly(serving, signal.SIGTERM)
        assert time.monotonic() - started < 4  # no grace period spent on a SIGINT the server ignores
    finally:
        _kill(serving.process)
        if alive(serving.server_pid):
            os.kill(serving.server_pid, signal.SIGKILL)


def test_serves_the_built_store(dist):
    report = json.loads((dist / "report.json").read_text())
    serving = start_serve(dist / "store")
    try:
        assert serving.count() == report["triples"]["total"]
        for graph, triples in report["triples"]["graphs"].items():
            assert serving.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == triples
        _stops_cleanly(serving, signal.SIGINT)
    finally:
        _kill(serving.process)


def test_missing_store(tmp_path):
    result = run("serve", "--store", tmp_path / "nothing", "--port", free_port())
    assert (result.exit_code, result.output) == (
        2, f"Error: {tmp_path / 'nothing'}: no store here; run `cardf build` first, or pass --store DIR\n")


def test_folder_that_is_not_a_store(tmp_path):
    result = run("serve", "--store", tmp_path, "--port", free_port())
    assert (result.exit_code, result.output) == (
        2, f"Error: {tmp_path}: is not an Oxigraph store; run `cardf build` first, or pass --store DIR\n")


def test_port_taken(tmp_path):
    write_store(tmp_path / "store", QUADS)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--store", tmp_path / "store", "--port", port)
    assert (result.exit_code, result.output) == (
        3, f"Error: 127.0.0.1:{port}: the port is already in use; stop what uses it or pass --port with a free one\n")


def test_a_server_that_dies_is_an_external_failure(served):
    os.kill(served.server_pid, signal.SIGKILL)
    out, err = served.process.communicate(timeout=20)
    assert served.process.returncode == 3
    assert err.decode() == "Error: the Oxigraph server stopped by itself (killed by signal 9)\n"


# ----------------------------------------------------------------------------- the store it holds, and its end

def test_a_load_into_the_served_store_is_refused(served, tmp_path):
    """Oxigraph's own lock lets a writer in beside a read-only server, which would go on answering from old data."""
    store = Path(_store_arg(served))
    extra = tmp_path / "extra.nt"
    extra.write_text('<http://example.org/y> <http://example.org/name> "Y" .\n', encoding="utf-8")
    result = run("load", extra, "--store", store)
    assert (result.exit_code, result.output) == (
        3, f"Error: {store}: the store is in use by another process (`cardf serve`?); stop it, then load again\n")
    assert served.count() == 2
    served.process.send_signal(signal.SIGINT)
    served.process.wait(timeout=20)
    assert run("load", extra, "--store", store).exit_code == 0  # the lock went with the server


def test_serve_refuses_a_store_that_a_load_is_writing(tmp_path):
    from cardf.store import holding

    write_store(tmp_path / "store", QUADS)
    with holding(tmp_path / "store", writer=True):
        result = run("serve", "--store", tmp_path / "store", "--port", free_port())
    assert (result.exit_code, result.output) == (
        3, f"Error: {tmp_path / 'store'}: the store is being written by another process (`cardf load`?); serve it "
           "once that is done\n")


def test_the_server_dies_with_cardf_even_when_cardf_is_killed(served):
    """SIGKILL leaves cardf no chance to stop its child: the kernel does it (PR_SET_PDEATHSIG)."""
    assert alive(served.server_pid)
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(served.server_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(served.server_pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", served.port), timeout=1).close()


def stop_serve(serving) -> None:
    """Stop a `cardf serve` started by start_serve: Ctrl-C, then kill it and its Oxigraph server if still there."""
    if serving.process.poll() is None:
        serving.process.send_signal(signal.SIGINT)
        try:
            serving.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    _kill(serving.process)
    try:
        os.kill(serving.server_pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
