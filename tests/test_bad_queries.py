"""Broken or dangerous queries get a located message and the documented exit code, and send nothing anywhere."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardf import query as q
from cardf.queryrun import LocalJob, run_local
from cardf.results import Output
from conftest import FIXTURES, QUERIES, run

BAD = FIXTURES / "bad-queries"
DATA = BAD / "small.ttl"

CASES = {
    "syntax-error.rq": (2, "{q}:3:3: SPARQL syntax error: cannot read the query from here on (found 'FILTER')\n"
                           "    FILTER(?o > )\n    ^\n"),
    "unknown-prefix.rq": (2, "{q}:2:18: SPARQL syntax error: undeclared prefix `cardfx:`\n"
                             "    ?s cardfx:label ?o\n                   ^\n"),
    "service.rq": (2, "the query calls a SERVICE, which would send data to another server; pass --allow-service if "
                      "you mean it\n"),
}

SERVICE = sorted(p.name for p in BAD.glob("service-*.rq"))
UPDATES = {
    "update-load.rq": "LOAD", "update-insert-data.rq": "INSERT", "update-delete-where.rq": "DELETE",
    "update-drop.rq": "DROP", "update-clear.rq": "CLEAR", "update-create.rq": "CREATE", "update-with.rq": "WITH",
    "update-copy.rq": "COPY",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_query_is_refused_with_a_located_message(name):
    code, message = CASES[name]
    result = run("query", BAD / name, "--input", DATA)
    assert result.exit_code == code
    assert result.stderr == "Error: " + message.replace("{q}", str(BAD / name))
    assert result.stdout == ""


def aimed_at(name: str, port: int, folder: Path) -> Path:
    """The fixture with its target port filled in: the scripted server's."""
    path = folder / name
    path.write_text((BAD / name).read_text(encoding="utf-8").replace("{port}", str(port)), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", SERVICE)
def test_every_spelling_of_service_is_refused_and_sends_nothing(name, counting_server, tmp_path):
    result = run("query", aimed_at(name, counting_server.port, tmp_path), "--input", DATA)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: " + CASES["service.rq"][1]
    assert counting_server.requests == []


# Refused all the same, though Oxigraph 0.5 would not call out: it reads `\u0053ERVICE` as a syntax error (SPARQL 1.1
# allows the escape anywhere; rdflib reads it as SERVICE), and it cannot evaluate SERVICE with a variable.
HARMLESS_TO_OXIGRAPH = {"service-unicode-escape.rq", "service-variable.rq"}


@pytest.mark.parametrize("name", [n for n in SERVICE if n not in HARMLESS_TO_OXIGRAPH])
def test_the_same_queries_do_call_the_server_when_allowed(name, counting_server, tmp_path):
    """The attacks are real: allowed, each one reaches the scripted server."""
    result = run("query", aimed_at(name, counting_server.port, tmp_path), "--input", DATA, "--allow-service",
                 "--timeout", "30")
    assert result.exit_code in (0, 1), result.stderr  # 1: an ASK that found nothing
    assert counting_server.requests, result.stderr


def test_the_worker_refuses_service_on_its_own(counting_server):
    """The worker reads the query again (tokens and rdflib's parse tree) before it evaluates anything."""
    text = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <http://127.0.0.1:{counting_server.port}/x> {{ ?a ?b ?c }} }}"
    job = LocalJob(None, [str(DATA)], None, q.parse_query(text, "-e"), {}, Output("tsv"))
    with pytest.raises(q.UsageError) as info:
        run_local(job, lambda data: None, timeout=30, network=True)  # the parent's token check skipped, network on
    assert str(info.value) == CASES["service.rq"][1].rstrip("\n")
    assert counting_server.requests == []


def test_a_contrived_query_cannot_hold_the_parser_past_the_deadline():
    # the word in the comment makes the worker read the parse tree (a query without it needs no parse)
    text = "SELECT * { FILTER(1" + " - 1" * 3000 + ") } # no SERVICE here"
    result = run("query", "-e", text, "--input", DATA, "--timeout", "2")
    assert (result.exit_code, result.stderr) == (3, "Error: query timed out after 2 s\n")


@pytest.mark.parametrize("text, sure", [
    ("SELECT * { ?s ?p ?o }", True),
    ("SELECT * { ?s ?p ?o } # a service", False),
    ("SELECT * { ?s ?p \"Service\" }", False),
    ("SELECT * { ?s ?p ?o \\u0053ERVICE <http://x/> { ?a ?b ?c } }", False),
    ("SELECT * { ?s ?p ?o \u017fervice <http://x/> { ?a ?b ?c } }", False),  # long s: upper-cases to S
    ("SELECT * { ?s ?p ?o servıce <http://x/> { ?a ?b ?c } }", False),  # dotless i: upper-cases to I
])
def test_only_a_query_without_the_word_in_any_spelling_skips_the_parse(text, sure):
    from cardf.sparqltext import surely_no_service

    assert surely_no_service(text) is sure


def test_every_library_query_is_surely_free_of_service():
    from cardf.sparqltext import surely_no_service

    assert [p.name for p in sorted(QUERIES.glob("*.rq")) if not surely_no_service(p.read_text())] == []


def test_service_is_refused_over_the_built_store_too(dist, counting_server, tmp_path):
    result = run("query", aimed_at("service-escaped-hash.rq", counting_server.port, tmp_path),
                 "--store", dist / "store")
    assert (result.exit_code, result.stderr) == (2, "Error: " + CASES["service.rq"][1])
    assert counting_server.requests == []


def test_a_worker_cut_off_the_network_cannot_call_a_service_even_unchecked(counting_server):
    """Defence in depth: past the refusal (called here without it), the worker has no network to call with."""
    text = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <http://127.0.0.1:{counting_server.port}/x> {{ ?a ?b ?c }} }}"
    job = LocalJob(None, [str(DATA)], None, q.parse_query(text, "-e"), {}, Output("tsv"), checked=True)
    with pytest.raises(q.ExternalError) as info:
        run_local(job, lambda data: None, timeout=30)
    assert str(info.value).startswith("the query failed: ")
    assert counting_server.requests == []


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_updates_are_refused_before_anything_runs(name, counting_server, tmp_path):
    result = run("query", aimed_at(name, counting_server.port, tmp_path), "--input", DATA)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"Error: updates are not allowed: cardf query only reads, and {UPDATES[name]} would "
                             "change the data; use `cardf load` to put data in a store\n")
    assert counting_server.requests == []


def test_a_runaway_query_is_stopped_by_the_timeout():
    result = run("query", BAD / "runaway.rq", "--input", DATA, "--timeout", "1")
    assert result.exit_code == 3
    assert result.stderr == "Error: query timed out after 1 s\n"
    assert result.stdout == ""


def test_service_runs_only_when_allowed():
    # the service is a closed port on this machine's loopback: nothing leaves the machine
    result = run("query", BAD / "service.rq", "--input", DATA, "--allow-service", "--timeout", "20")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: the query failed: ")


# ----------------------------------------------------------------------------- Ctrl-C and closed pipes

def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _start(*args: str, **kw) -> subprocess.Popen:
    # SIGINT as in a terminal, even when pytest runs in the background (which would leave it ignored)
    return subprocess.Popen([sys.executable, "-m", "cardf", "query", *map(str, args)], stdin=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kw)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker process in /proc")
def test_ctrl_c_stops_a_runaway_query_at_once():
    process = _start(BAD / "runaway.rq", "--input", DATA, "--timeout", "0", stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (worker,) = _children(process.pid)
        time.sleep(1.0)  # the worker is deep in the query by now
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (process.returncode, out, err) == (130, b"", b"Interrupted; nothing was changed.\n")
    assert not _alive(worker)


def test_rows_stream_to_a_reader_that_stops_early():
    """Ten billion rows: only a query that streams can hand over the first few, and a closed pipe ends it quietly."""
    process = _start(BAD / "endless.rq", "--input", DATA, "--format", "tsv",
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = [process.stdout.readline() for _ in range(5)]
        process.stdout.close()
        err = process.stderr.read()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert first[0] == b"?a\t?b\t?c\t?d\t?e\t?f\t?g\t?h\t?i\t?j\t?k\t?l\t?m\t?n\t?o\t?p\t?q\t?r\t?s\t?t\t?u\n"
    assert all(line.count(b"\t") == 20 for line in first[1:])
    assert (process.returncode, err) == (0, b"")


def test_rows_stream_in_every_format():
    """More rows than one block, in every format: the same answer as the whole, written block by block."""
    values = " ".join(f'"{i}"' for i in range(2500))
    text = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }}"
    for fmt in ("csv", "tsv", "json", "table", "markdown"):
        result = run("query", "-e", text, "--input", DATA, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == "2500 rows in " + result.stderr.split(" in ", 1)[1]
        assert result.stdout.count("2499") == 1


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker process in /proc")
def test_the_worker_dies_with_cardf_even_by_sigkill():
    process = _start(BAD / "runaway.rq", "--input", DATA, "--timeout", "0", stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (worker,) = _children(process.pid)
        time.sleep(1.0)
        process.kill()
        process.wait()
        deadline = time.monotonic() + 20
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
