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

from cardf.build.previous import cache_folder

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


def test_every_fixture_holds_an_expected_message_and_only_files_that_differ_from_mini():
    assert len(CASES) >= 50
    for case in CASES:
        folder = BAD / case
        first = (folder / "expected.txt").read_text(encoding="utf-8").split("\n", 1)[0]
        assert re.fullmatch(r"exit: [12]", first), case
        for path in folder.rglob("*"):
            rel = path.relative_to(folder)
            if path.is_file() and rel.name not in ("expected.txt", "remove.txt"):
                assert not (MINI / rel).is_file() or (MINI / rel).read_bytes() != path.read_bytes(), f"{case}/{rel}"


NOT_IN_A_FILE = {"article-without-text", "entities-missing", "article-empty"}  # a file missing or empty: no line
LOCATED = re.compile(r"(?:Error: |  )(/\S+?):(\d+):(\d+): ")


def problem_lines(stderr: str) -> list[str]:
    """The lines that each state one problem: the error itself, or the indented lines under a count."""
    lines = stderr.splitlines()
    if len(lines) == 1:
        return lines
    return [line for line in lines if line.startswith("  ") and not re.fullmatch(r"  … and \d+ more", line)]


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
    problems = problem_lines(result.stderr)
    assert problems
    for line in problems:  # each names an input file that exists, with its line and column
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", line), line
        if case in NOT_IN_A_FILE:
            assert line.startswith(f"Error: {data}/") and Path(line[7:].split(":", 1)[0]).parent.is_dir(), line
            continue
        found = LOCATED.match(line)
        assert found, line
        path = Path(found.group(1))
        assert path.is_file() and path.is_relative_to(data), line
        assert 1 <= int(found.group(2)) <= path.read_bytes().count(b"\n") + 1, line


def test_a_value_over_one_mebibyte_is_refused_where_it_is_written(tmp_path):
    data = overlay("folder-name-mismatch", tmp_path)  # any copy of mini; the fault below comes first
    facts = data / "articles" / "mini-article" / "facts.yaml"
    text = (MINI / "articles" / "mini-article" / "facts.yaml").read_text(encoding="utf-8")
    facts.write_text(text.replace("  genre: analysis\n", "  genre: analysis\n  note: " + "x" * (17 << 20) + "\n"),
                     encoding="utf-8")
    result = run(*args(data, tmp_path / "dist"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {facts}:9:9: article.note: a value of 17,825,792 characters; the limit is "
                             "1,048,576 characters (1 MiB) per value\n")
    assert not (tmp_path / "dist").exists()


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
    assert result.stderr == ("Error: --input-format: unknown format `yaml`; expected one of turtle, ntriples, nquads, "
                             "trig, jsonld, rdfxml, n3 (or another name of one: ttl, turtle, text/turtle)\n")


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


# ----------------------------------------------------------------------------- only what is inside data/ is read

def _loop(data: Path, outside: Path) -> None:
    (data / "articles" / "loop").symlink_to("loop")


def _two_links_in_a_ring(data: Path, outside: Path) -> None:
    (data / "articles" / "ring-a").symlink_to("ring-b")
    (data / "articles" / "ring-b").symlink_to("ring-a")


def _article_outside(data: Path, outside: Path) -> None:
    shutil.copytree(data / "articles" / "mini-article", outside / "elsewhere")
    (data / "articles" / "elsewhere").symlink_to(outside / "elsewhere")


def _dangling(data: Path, outside: Path) -> None:
    (data / "articles" / "gone").symlink_to("nowhere")


def _moved_out(rel: str):
    def make(data: Path, outside: Path) -> None:
        shutil.move(data / rel, outside / Path(rel).name)
        (data / rel).symlink_to(outside / Path(rel).name)
    return make


LINKS = {  # how the data folder is broken → the message ({outside}: the real folder outside data/)
    "link-that-loops": (_loop, "{data}/articles/loop: is a symbolic link that loops (it never reaches a file or "
                               "folder); remove it"),
    "links-in-a-ring": (_two_links_in_a_ring,
                        "2 problems in the sources\n"
                        "  {data}/articles/ring-a: is a symbolic link that loops (it never reaches a file or folder); "
                        "remove it\n"
                        "  {data}/articles/ring-b: is a symbolic link that loops (it never reaches a file or folder); "
                        "remove it"),
    "link-to-nowhere": (_dangling, "{data}/articles/gone: is a symbolic link to nowhere, which does not exist"),
}
OUTSIDE = "is a symbolic link to {outside}/{name}, outside the data folder; cardf reads only what is inside {data}, " \
          "so copy it in instead"
for _case, _make, _rel in (("article-folder-outside", _article_outside, "articles/elsewhere"),
                           ("articles-folder-outside", _moved_out("articles"), "articles"),
                           ("article-text-outside", _moved_out("articles/mini-article/article.txt"),
                            "articles/mini-article/article.txt"),
                           ("facts-outside", _moved_out("articles/mini-article/facts.yaml"),
                            "articles/mini-article/facts.yaml"),
                           ("entities-outside", _moved_out("entities.yaml"), "entities.yaml")):
    LINKS[_case] = (_make, "{data}/" + _rel + ": " + OUTSIDE.replace("{name}", Path(_rel).name))


@pytest.mark.parametrize("case", sorted(LINKS))
def test_a_symbolic_link_that_loops_or_leads_out_of_data_is_named_and_not_followed(case, tmp_path):
    make, message = LINKS[case]
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    outside = tmp_path / "outside"
    outside.mkdir()
    make(data, outside)
    result = run(*args(data, tmp_path / "dist"))
    assert result.exit_code == 2
    expected = message.replace("{data}", str(data)).replace("{outside}", os.path.realpath(outside))
    assert result.stderr == f"Error: {expected}\n"
    assert not (tmp_path / "dist").exists()


def _without_permission_override():
    """As root, give up the capabilities that ignore permission bits, so that a folder mode 000 is
    unreadable to this process as it is to anyone else (dropped from the bounding set: exec keeps it so)."""
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop a capability")


@pytest.mark.parametrize("locked,message", [
    ("articles/mini-article", "{data}/articles/mini-article: cannot read this folder: Permission denied"),
    ("articles", "{data}/articles: cannot read this folder: Permission denied"),
    ("articles/mini-article/facts.yaml",
     "{data}/articles/mini-article/facts.yaml: cannot be read: Permission denied"),
])
def test_a_source_folder_or_file_that_cannot_be_read_is_an_input_problem(tmp_path, locked, message):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    (data / locked).chmod(0)
    try:
        proc = subprocess.run([sys.executable, "-m", "cardf", *map(str, args(data, out))], capture_output=True,
                              text=True, timeout=120, preexec_fn=_without_permission_override)
    finally:
        (data / locked).chmod(0o755)
    assert proc.returncode == 2
    assert proc.stderr == f"Error: {message.replace('{data}', str(data))}\n"
    assert not out.exists()


def test_a_link_that_loops_after_a_cached_build_is_named_and_the_build_kept(tmp_path):
    from test_build import generate

    data = generate(tmp_path / "data", 25)  # enough articles for the next build to start from this one
    out = tmp_path / "dist"
    assert run(*args(data, out)).exit_code == 0
    assert cache_folder(out).is_dir()
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (data / "articles" / "loop").symlink_to("loop")
    result = run(*args(data, out))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {data}/articles/loop: is a symbolic link that loops (it never reaches a file "
                             "or folder); remove it\n")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


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
    from cardf.build import assemble

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    assert run(*args(data, out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    facts = next(data.glob("articles/*/facts.yaml"))
    facts.write_text(facts.read_text(encoding="utf-8") + "# edited: the next build cannot reuse this article\n",
                     encoding="utf-8")
    real = assemble.write_graphs

    def disk_full(*a, **k):
        real(*a, **k)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(assemble, "write_graphs", disk_full)
    result = run(*args(data, out))
    assert result.exit_code == 3
    assert result.stderr == f"Error: {out}: cannot write the build output: No space left on device\n"
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dist"]


def _sigint_as_in_a_terminal():
    """Children of a backgrounded pytest inherit an ignored SIGINT; a user's Ctrl-C is never ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def outputs_of(out: Path) -> dict[str, bytes]:
    """The files a build wrote, without its marker (which names the folder it was written in)."""
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".cardf-build"}


def test_ctrl_c_during_a_build_leaves_the_old_or_the_new_dist_never_a_mix(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "cardf", "build", "--data", str(data), "--ontology", str(ONTOLOGY),
           "--shapes", str(SHAPES), "--out", str(out), "--no-store", "--quiet"]
    subprocess.run(cmd, check=True, timeout=120)
    old = outputs_of(out)
    count = b"<https://w3id.org/cardf/ontology#documentCount> \"%s\"^^<http://www.w3.org/2001/XMLSchema#integer> ."
    assert count % b"10" in old["cardf.nt"] and count % b"11" not in old["cardf.nt"]
    facts = data / "articles" / "mini-article" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("count: 10", "count: 11"), encoding="utf-8")
    subprocess.run([*cmd[:-4], "--out", str(tmp_path / "new"), "--no-store", "--quiet"], check=True, timeout=120)
    new = outputs_of(tmp_path / "new")
    assert new != old
    interrupted = 0
    for delay in (0.0, 0.3, 0.8, 1.5):  # wherever the Ctrl-C falls (tests/test_outdir.py stops at each step)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_sigint_as_in_a_terminal)
        while not (tmp_path / ".dist.lock").exists() and proc.poll() is None:  # the build has begun
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        now = outputs_of(out)
        assert "Traceback" not in err
        assert now in (old, new)
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []
        # 130, or killed by SIGINT: under heavy load CPython was seen to end so after cardf had caught the
        # signal and said so (the signal fell in a late import); a shell shows 130 either way
        if proc.returncode == -signal.SIGINT and err == "":
            # the signal fell while Python was exiting, after it had given SIGINT back to the system:
            # too late to say anything, and the build had finished whole
            assert now == new
        elif proc.returncode in (130, -signal.SIGINT):  # the message says truly which it is
            interrupted += 1
            assert err == ("Interrupted; nothing was changed.\n" if now == old else
                           f"Interrupted; {out} already holds the new build.\n")
        else:
            assert (proc.returncode, err, now) == (0, "", new)
        old = now
    assert interrupted >= 1, "no build was interrupted: every signal came after the build had finished"
