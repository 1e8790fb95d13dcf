"""Shared fixtures: the real project folders, a built `dist/`, and copies of the data to break.

The tests about the seed article never read `data/` as a whole: a user adds articles there,
and the suite must pass unchanged. `DATA` is a copy of the seed alone (its article folder and
the registry without the entities only other articles use); `PROJECT_DATA` is `data/` itself, for
the tests that say something of whatever the user's data holds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cardf.cli import main
from cardf.serve import die_with_parent

ROOT = Path(__file__).resolve().parent.parent
PROJECT_DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
SHAPES = ROOT / "shapes"
QUERIES = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = "interaffairs-2025-12-04-russia-central-asia"


def _seed_alone() -> Path:
    """data/ with the seed article only, copied once per test run (files, never links: cardf refuses links out)."""
    from regen_golden import seed_alone

    scratch = Path(tempfile.mkdtemp(prefix="cardf-seed-"))
    atexit.register(shutil.rmtree, scratch, True)
    return seed_alone(scratch, "data")


DATA = _seed_alone()


def _own_cache() -> None:
    """The compiled shapes are kept in the user's cache (cardf.shacl.cached): the suite keeps its own, fresh
    for each run, so that it neither reads nor fills the user's; subprocesses inherit it."""
    import os

    folder = Path(tempfile.mkdtemp(prefix="cardf-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    os.environ["CARDF_CACHE_DIR"] = str(folder)


_own_cache()


def run(*args: str, input: str | None = None):
    """Run the CLI as a user does, from the repository root, and return click's Result."""
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def run_on_terminal(*args: str, stream: str = "stderr", columns: int | None = None) -> tuple[int, str]:
    """Run `cardf ARGS` with its stderr (or stdout) on a terminal (a pty); its exit code and what it wrote there.

    With `columns`, the terminal is that wide (COLUMNS, as a shell sets it); the other stream is discarded.
    """
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = dict(os.environ, COLUMNS=str(columns)) if columns else None
    streams = {"stdout": follower, "stderr": subprocess.DEVNULL} if stream == "stdout" else \
        {"stdout": subprocess.DEVNULL, "stderr": follower}
    process = subprocess.Popen([sys.executable, "-m", "cardf", *map(str, args)], env=env, **streams)
    os.close(follower)
    seen = b""
    try:
        while True:  # read as it comes, so the child never blocks on a full terminal buffer
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        process.wait(timeout=120)
    return process.returncode, seen.decode().replace("\r\n", "\n")


def project_args(data: Path = DATA) -> list[str]:
    return ["--data", str(data), "--ontology", str(ONTOLOGY), "--shapes", str(SHAPES)]


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """One real build of the project's data, shared by every test that only reads it."""
    out = tmp_path_factory.mktemp("build") / "dist"
    result = run("build", *project_args(), "--out", out)
    assert result.exit_code == 0, result.output
    return out


def site_args(dist: Path, out: Path, data: Path = DATA) -> list:
    return ["site", "--store", dist / "store", "--out", out, "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES]


@pytest.fixture(scope="session")
def site(dist, tmp_path_factory) -> Path:
    """One site (`cardf site`) of that build, shared by the tests that only read it, in a browser or not."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = run(*site_args(dist, out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    for p in target.rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a copied source file, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


# ----------------------------------------------------------------------------- a scripted HTTP server

import hashlib  # noqa: E402
import http.server  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402


class Scripted(http.server.ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 that answers from a script, for the failures real stores do not make on demand.

    Each request takes the next action of `script` (or, given a function, what it returns
    for the request): a status; "reset" (close without answering or applying); ("slow", s);
    ("redirect", location); ("drip", seconds) (the answer, status line included, one byte at
    a time); ("raw", bytes) (written as the answer, then the connection closed);
    ("echo", status, make) (a body, or (body, headers, reason), made from the request);
    and, with an `upstream` store to forward to: "forward", "lose" (forwarded, applied, the
    answer never sent) and "twice" (forwarded twice). Past the end of the script it answers
    204, or forwards. With `digest`, it checks HTTP digest credentials first; every request
    is recorded, with what became of it.
    """

    daemon_threads = True

    def __init__(self, script=(), digest: tuple[str, str] | None = None, echo_auth: bool = False,
                 upstream: str | None = None):
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.plan: Callable[[dict], object] | None = script if callable(script) else None
        self.script = [] if callable(script) else list(script)
        self.digest, self.echo_auth, self.upstream = digest, echo_auth, upstream
        self.requests: list[dict] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return self.base + "/store"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def next_action(self, request: dict):
        if self.plan is not None:
            action = self.plan(request)
            if action is not None:
                return action
        elif self.script:
            return self.script.pop(0)
        return "forward" if self.upstream else 204


class _ScriptedHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_PUT(self):
        server: Scripted = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body,
                   "index": len(server.requests)}
        server.requests.append(request)
        if server.digest and not self._digest_ok(*server.digest):
            return self._answer(401, b"", {"WWW-Authenticate": 'Digest realm="cardf-test", nonce="n0nce", '
                                                               'qop="auth", algorithm=MD5'})
        action = server.next_action(request)
        request["action"] = action if isinstance(action, (int, str)) else action[0]
        if action == "reset":
            return self._close()
        if action in ("forward", "lose", "twice"):
            status, kind, answer = self._forward(request)
            if action == "twice":
                status, kind, answer = self._forward(request)
            if action == "lose":
                return self._close()
            return self._answer(status, answer, {"Content-Type": kind} if kind else {})
        if isinstance(action, tuple) and action[0] == "slow":
            time.sleep(action[1])
            action = 204
        if isinstance(action, tuple) and action[0] == "redirect":
            return self._answer(301, b"", {"Location": action[1]})
        if isinstance(action, tuple) and action[0] == "raw":
            self.wfile.write(action[1])
            return self._close()
        if isinstance(action, tuple) and action[0] == "drip":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + b"x" * 40:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return None
                time.sleep(action[1])
            return None
        if isinstance(action, tuple) and action[0] == "echo":
            made = action[2](request)
            text, headers, reason = made if isinstance(made, tuple) else (made, {}, None)
            return self._answer(action[1], text.encode("utf-8"), headers, reason)
        text = b""
        if server.echo_auth:
            text = f"rejected Authorization: {self.headers.get('Authorization')}".encode()
        elif action >= 400:
            text = b"scripted failure"
        self._answer(action, text, {"Retry-After": "0"} if action in (502, 503) else {})

    do_POST = do_PUT

    def _forward(self, request: dict) -> tuple[int, str, bytes]:
        """Send the request on to the real store; its status, media type and body."""
        headers = {k: v for k, v in request["headers"].items() if k.lower() in ("content-type", "accept")}
        upstream = urllib.request.Request(self.server.upstream + request["path"], data=request["body"],
                                          method=request["method"], headers=headers)
        try:
            with LOCAL_ONLY.open(upstream, timeout=30) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()

    def _close(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, status: int, body: bytes, headers: dict[str, str], reason: str | None = None):
        self.send_response(status, reason)
        if not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def _digest_ok(self, user: str, password: str) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest "):]))
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{fields['username']}:cardf-test:{password}")
        ha2 = md5(f"{self.command}:{fields['uri']}")
        expected = md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}")
        return fields["username"] == user and fields["response"] == expected


# ----------------------------------------------------------------------------- a real Oxigraph server

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
LOCAL_ONLY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def stop_process(process: subprocess.Popen) -> None:
    """Stop one process we started, by its id: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class OxigraphServer:
    """A running `oxigraph serve` on 127.0.0.1 with its own store folder."""

    process: subprocess.Popen
    port: int
    location: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> str:
        return self.url + "/store"

    @property
    def update(self) -> str:
        return self.url + "/update"

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT over HTTP (SPARQL 1.1 Protocol) and return plain {var: value} rows."""
        req = urllib.request.Request(self.url + "/query", data=query.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/sparql-results+json"})
        with LOCAL_ONLY.open(req, timeout=30) as resp:
            doc = json.load(resp)
        return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]

    def counts(self) -> dict[str, int]:
        """Triples per graph ('' for the default graph)."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } "
                           "GROUP BY ?g")
        return {row.get("g", ""): int(row["n"]) for row in rows}

    def nquads(self) -> bytes:
        """The whole dataset as N-Quads (Graph Store Protocol GET of the dataset)."""
        req = urllib.request.Request(self.store, headers={"Accept": "application/n-quads"})
        with LOCAL_ONLY.open(req, timeout=30) as resp:
            return resp.read()


def start_oxigraph(location: Path, read_only: bool = False, attempts: int = 5) -> OxigraphServer:
    """Start `oxigraph serve` (or serve-read-only) on a free port; the caller stops it with stop_process.

    The server dies with the test process even when that is killed (SIGKILL leaves no chance to stop it).
    """
    for _ in range(attempts):  # a free port can be taken between choosing and binding it
        port = free_port()
        command = [str(OXIGRAPH), "serve-read-only" if read_only else "serve", "--location", str(location),
                   "--bind", f"127.0.0.1:{port}"]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, preexec_fn=die_with_parent())
        try:
            wait_for_port(port, process)
        except RuntimeError:
            stop_process(process)
            continue
        return OxigraphServer(process, port, location)
    raise RuntimeError("could not start the Oxigraph server")


@pytest.fixture
def oxigraph_server(tmp_path_factory) -> OxigraphServer:
    """A real, empty, read-write Oxigraph server on a free port of 127.0.0.1, stopped by its pid afterwards."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        yield server
    finally:
        stop_process(server.process)


# ----------------------------------------------------------------------------- a scripted server that counts requests

import http.server  # noqa: E402
import threading  # noqa: E402


@dataclass
class CountingServer:
    """An HTTP server on 127.0.0.1 that answers every request with an empty SPARQL result and counts them."""

    server: http.server.ThreadingHTTPServer
    requests: list

    @property
    def port(self) -> int:
        return self.server.server_address[1]


@pytest.fixture
def counting_server():
    seen: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self):
            seen.append((self.command, self.path))
            body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CountingServer(server, seen)
    finally:
        server.shutdown()
        server.server_close()
