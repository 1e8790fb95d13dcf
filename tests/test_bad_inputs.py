"""Issue 7: broken input gets a clear, located message and damages nothing."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ONTOLOGY, SHAPES, run

BAD = FIXTURES / "bad"
BAD_RDF = FIXTURES / "bad-rdf"
MINI = FIXTURES / "mini"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def overlay(case: str, target: Path) -> Path:
    """The mini corpus with one case's broken files laid over it."""
    data = target / "data"
    shutil.copytree(MINI, data)
    source = BAD / case
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if path.is_file() and rel.name not in ("expected.txt", "remove.txt"):
            (data / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, data / rel)
    removals = source / "remove.txt"
    if removals.exists():
        for rel in removals.read_text().split():
            (data / rel).unlink()
    return data


def args(data: Path, out: Path) -> list[str]:
    return ["build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet"]


def test_there_are_fixtures_for_every_listed_kind_of_mistake():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_bad_source_gets_the_expected_message_and_exit_code(case, tmp_path):
    data = overlay(case, tmp_path)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8")
    code, _, message = expected.partition("\n")
    result = run(*args(data, tmp_path / "dist"))
    assert f"exit: {result.exit_code}" == code
    assert result.stderr == message.replace("{data}", str(data)).replace("{out}", str(tmp_path / "dist"))
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists()


NOT_IN_A_FILE = {"article-without-text", "entities-missing"}  # the fault is a missing file: no line to name


@pytest.mark.parametrize("case", CASES)
def test_every_message_names_the_file_and_line(case):
    lines = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()[1:]
    if case in NOT_IN_A_FILE:
        assert all("{data}/" in line for line in lines)
        return
    located = re.compile(r"\{data\}/\S+\.yaml:\d+:\d+: ")
    if lines[0].startswith("Error: ") and len(lines) == 1:  # one problem: the error line itself is located
        assert located.search(lines[0])
    else:  # a list: every indented line is one located problem
        problems = [line for line in lines if line.startswith("  ")]
        assert problems and all(located.search(line) for line in problems)


def test_a_broken_source_leaves_the_previous_dist_exactly_as_it_was(tmp_path):
    good = tmp_path / "good"
    shutil.copytree(MINI, good)
    out = tmp_path / "dist"
    assert run(*args(good, out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = overlay("impossible-date", tmp_path / "bad")
    assert run(*args(bad, out)).exit_code == 2
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_debug_shows_the_traceback(tmp_path):
    data = overlay("impossible-date", tmp_path)
    result = run(*args(data, tmp_path / "dist"), "--debug")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    last = result.stderr.rstrip().splitlines()[-1]
    assert last.startswith("Error: ") and "facts.yaml:15:10: events[0].end:" in last


# ----------------------------------------------------------------------------- RDF input

RDF_CASES = {
    "syntax-error.ttl": "syntax-error.ttl:3:11: RDF syntax error: Unexpected end of file",
    "syntax-error.nt": "syntax-error.nt:2:47: RDF syntax error: The object of a triple must be an IRI, a blank node "
                       "or a literal",
    "syntax-error.jsonld": "syntax-error.jsonld:5:1: RDF syntax error: Object values must be followed by a comma to "
                           "add a new value or a curly bracket to end the object",
    "remote-context.jsonld": "remote-context.jsonld: uses a remote JSON-LD @context; cardf never fetches remote "
                             "contexts (they can change or leak what you read). Inline the context in the file and "
                             "try again",
    "external-entity.rdf": "external-entity.rdf:2:21: declares an XML entity (<!ENTITY …>); cardf never expands or "
                           "fetches XML entities, which can blow a few lines up to gigabytes: write the values out "
                           "in full",
    "unknown-extension.data": "unknown-extension.data: cannot tell the RDF format from the extension `.data`; use one "
                              "of .json, .json-ld, .jsonld, .n3, .nq, .nquads, .nt, .ntriples, .owl, .rdf, .trig, "
                              ".ttl, .turtle, .xml or pass --input-format (jsonld, n3, nquads, ntriples, rdfxml, trig, "
                              "turtle)",
}


@pytest.mark.parametrize("name", sorted(RDF_CASES))
def test_bad_rdf_given_to_validate_is_refused_with_a_located_message(name):
    result = run("validate", str(BAD_RDF / name), "--shapes", SHAPES, "--ontology", ONTOLOGY)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {BAD_RDF / RDF_CASES[name]}\n"
    assert result.stdout == ""


def test_unknown_input_format_option_is_refused():
    result = run("validate", str(BAD_RDF / "syntax-error.ttl"), "--input-format", "yaml", "--shapes", SHAPES)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {BAD_RDF / 'syntax-error.ttl'}: unknown format `yaml`; expected one of: "
                             "jsonld, n3, nquads, ntriples, rdfxml, trig, turtle\n")


def test_a_gigabyte_of_garbage_fails_fast_in_bounded_memory(tmp_path):
    garbage = tmp_path / "garbage.nt"
    with garbage.open("wb") as fh:
        fh.write(b"\x01\x02 this is { not ] RDF @@@\n" * 1000)
        fh.truncate(1 << 30)  # a sparse gigabyte: the parser must stop at the first bad line
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "cardf", "validate", str(garbage), "--shapes", str(SHAPES)],
                          capture_output=True, text=True, timeout=120)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"Error: {garbage}")
    assert "RDF syntax error" in proc.stderr or "binary" in proc.stderr
    assert max(peak_kib, before) < 600 * 1024, f"peak memory {peak_kib} KiB"


# ----------------------------------------------------------------------------- environment

def test_an_output_folder_that_cannot_be_written_is_an_external_failure(tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits; a path below a regular file cannot be created by anyone
        blocker = tmp_path / "file"
        blocker.write_text("x")
        out = blocker / "dist"
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        out = locked / "dist"
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    result = run(*args(data, out))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {out}: cannot create the output folder:")


def test_a_full_disk_while_writing_leaves_no_half_written_output(tmp_path, monkeypatch):
    from cardf import build as pipeline

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    assert run(*args(data, out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = pipeline.export.write_quads

    def disk_full(*a, **k):
        real(*a, **k)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline.export, "write_quads", disk_full)
    result = run(*args(data, out))
    assert result.exit_code == 3
    assert result.stderr == f"Error: {out}: cannot write the build output: No space left on device\n"
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dist"]


def _sigint_as_in_a_terminal():
    """Children of a backgrounded pytest inherit an ignored SIGINT; a user's Ctrl-C is never ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_a_build_leaves_the_old_or_the_new_dist_never_a_mix(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "cardf", "build", "--data", str(data), "--ontology", str(ONTOLOGY),
           "--shapes", str(SHAPES), "--out", str(out), "--no-store", "--quiet"]
    subprocess.run(cmd, check=True, timeout=120)
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    facts = data / "articles" / "mini-article" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("count: 10", "count: 11"), encoding="utf-8")
    outcomes = set()
    for delay in (0.8, 1.5, 2.5, 4.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_sigint_as_in_a_terminal)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        now = {p.name: p.read_bytes() for p in out.iterdir()}
        assert "Traceback" not in err
        if now == old:
            outcomes.add("old")
        else:
            assert b'"11"' in now["cardf.nt"] or b"11" in now["cardf.nt"]
            assert set(now) == set(old)
            outcomes.add("new")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []
        if proc.returncode == 130:
            assert err.strip().endswith("Interrupted; nothing was changed.")
    assert outcomes
