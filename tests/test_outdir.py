"""The build's output folder (issue 15, items 1 and 5): cardf replaces only a folder it can prove it
wrote, swaps the new build in so that the output is always the old build or the new one, lets one
build at a time write a folder, and cleans up after a build that was killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ONTOLOGY, SHAPES, run

from cardf import outdir

MINI = FIXTURES / "mini"
HARNESS = Path(__file__).resolve().parent / "outdir_harness.py"
MARKER = ".cardf-build"
FACTS = Path("articles") / "mini-article" / "facts.yaml"


def build_args(data: Path, out: Path | str) -> list:
    return ["build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (store included) and every link, by relative path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            found[rel] = path.read_bytes()
        elif path.is_dir():
            found[rel + "/"] = b""
    return found


def outputs(folder: Path) -> dict[str, bytes]:
    """The files of a build but the store's database files (which differ from build to build) and the marker."""
    return {rel: data for rel, data in snapshot(folder).items()
            if not rel.startswith("store/") and rel != MARKER}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def change(data: Path) -> None:
    """Make the next build differ from the last."""
    facts = data / FACTS
    text = facts.read_text(encoding="utf-8")
    assert "count: 10" in text
    facts.write_text(text.replace("count: 10", "count: 11"), encoding="utf-8")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One real build of the mini corpus, copied by the tests that need a build to work on."""
    out = tmp_path_factory.mktemp("pristine") / "dist"
    result = run(*build_args(MINI, out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def new(tmp_path_factory) -> dict[str, bytes]:
    """What a clean build of the changed mini corpus writes (but the store's database files)."""
    data = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(MINI, data)
    change(data)
    out = data.parent / "dist"
    assert run(*build_args(data, out)).exit_code == 0
    return outputs(out)


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def built(tmp_path, pristine) -> Path:
    """A real build of the mini corpus in tmp_path/dist (a copy, times and all, of one build)."""
    out = tmp_path / "dist"
    shutil.copytree(pristine, out, symlinks=True)
    return out


# ----------------------------------------------------------------------------- what cardf will replace

def test_a_build_is_marked_with_a_listing_of_every_file_it_wrote(built):
    marker = json.loads((built / MARKER).read_text(encoding="utf-8"))
    assert (marker["format"], marker["version"], marker["state"]) == ("cardf-build", 1, "complete")
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*")
                   if p.is_file() and p.name != MARKER and p.parent.name != "store")
    assert sorted(marker["files"]) == files
    import hashlib

    for rel, (size, digest) in marker["files"].items():
        data = (built / rel).read_bytes()
        assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest()), rel
    assert marker["stores"] == ["store"]
    assert not (built / ".cache").exists()  # the build's cache is in the user's cache: see build.previous


def test_two_builds_of_the_same_inputs_write_the_same_bytes_marker_included(built, tmp_path):
    """Outside the store (a database, specific to its folder), every file is the same, the marker too."""
    other = tmp_path / "elsewhere" / built.name
    assert run(*build_args(MINI, other)).exit_code == 0

    def listing(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and p.parent.name != "store"}
    assert listing(other) == listing(built)


def test_a_build_replaces_its_own_previous_build(tmp_path, data, built, new):
    change(data)
    result = run(*build_args(data, built))
    assert result.exit_code == 0, result.output
    assert outputs(built) == new
    assert leftovers(built) == []


def test_a_build_replaces_its_own_build_with_a_file_the_user_removed(tmp_path, data, built):
    (built / "cardf.ttl").unlink()
    assert run(*build_args(data, built)).exit_code == 0
    assert (built / "cardf.ttl").is_file()


def test_a_build_replaces_a_copy_of_its_own_build(tmp_path, data, built):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, copy_function=shutil.copy)  # new times: the marker's digests tell the bytes
    assert run(*build_args(data, copy)).exit_code == 0


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_a_missing_or_empty_folder_is_fine_and_becomes_a_folder_as_mkdir_makes_it(tmp_path, data, state):
    out = tmp_path / "new"
    if state == "empty":
        out.mkdir()
    assert run(*build_args(data, out)).exit_code == 0
    assert (out / MARKER).is_file() and (out / "cardf.ttl").is_file()
    assert leftovers(out) == []
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask  # others may read it, as any folder they made


# ----------------------------------------------------------------------------- what it refuses

NOT_OURS = ("cardf replaces only an empty folder or a build of its own, so choose another --out or empty {out} "
            "yourself")
YOURS = "cardf will not replace {out} while it holds anything it did not write: move that file out and build again"


def no_marker(holds: str, more: int = 0) -> str:
    extra = f" and {more} more" if more else ""
    return (f"Error: {{out}}: is not a build of cardf's (it has no .cardf-build marker) and is not empty: it holds "
            f"{{out}}/{holds}{extra}; {NOT_OURS}")


def forged() -> str:
    return f"Error: {{out}}/.cardf-build: is not a marker cardf wrote; {NOT_OURS}"


def foreign(rel: str, why: str = "was not written by cardf build") -> str:
    return f"Error: {{out}}/{rel}: {why}; {YOURS}"


def _report_json_and_thesis(out: Path, build: Path) -> None:  # the attack
    out.mkdir()
    (out / "report.json").write_text("{}\n")
    (out / "thesis.tex").write_text("my thesis")


def _report_json_only(out: Path, build: Path) -> None:
    out.mkdir()
    (out / "report.json").write_text("{}\n")


def _hand_made_marker(out: Path, build: Path) -> None:
    out.mkdir()
    (out / MARKER).write_text("{}\n")
    (out / "thesis.tex").write_text("my thesis")


def _marker_in_cardf_format_without_its_checksum(out: Path, build: Path) -> None:
    out.mkdir()
    body = {"format": "cardf-build", "version": 1, "state": "complete", "files": {}, "folders": [], "stores": [],
            "check": "0" * 64}
    (out / MARKER).write_text(json.dumps(body))
    (out / "thesis.tex").write_text("my thesis")


def _real_marker_with_a_foreign_file(out: Path, build: Path) -> None:
    out.mkdir()
    shutil.copy(build / MARKER, out / MARKER)  # a genuine marker, copied beside someone's file
    (out / "thesis.tex").write_text("my thesis")


def _file_added_to_a_build(out: Path, build: Path) -> None:
    shutil.copytree(build, out)
    (out / "thesis.tex").write_text("my thesis")


def _file_added_to_the_store(out: Path, build: Path) -> None:
    shutil.copytree(build, out)
    (out / "store" / "thesis.tex").write_text("my thesis")


def _folder_added_to_a_build(out: Path, build: Path) -> None:
    shutil.copytree(build, out)
    (out / "notes").mkdir()
    (out / "notes" / "thesis.tex").write_text("my thesis")


def _link_added_to_a_build(out: Path, build: Path) -> None:
    shutil.copytree(build, out)
    (out / "home").symlink_to(out.parent)


def _output_edited(out: Path, build: Path) -> None:
    shutil.copytree(build, out)
    with open(out / "cardf.ttl", "a", encoding="utf-8") as f:
        f.write("# my note\n")


def _output_edited_in_place(out: Path, build: Path) -> None:  # same size, new bytes
    shutil.copytree(build, out)
    data = bytearray((out / "cardf.nt").read_bytes())
    data[-3] = ord("X")
    (out / "cardf.nt").write_bytes(bytes(data))


def _unfinished_build(out: Path, build: Path) -> None:
    out.mkdir()
    scratch = outdir.Scratch(out.parent / "elsewhere")()  # a folder cardf marks while it writes it
    shutil.copy(scratch / MARKER, out / MARKER)
    shutil.rmtree(scratch)
    (out / "thesis.tex").write_text("my thesis")


REFUSED = {
    "report-json-and-a-thesis": (_report_json_and_thesis, no_marker("report.json", 1)),
    "report-json-only": (_report_json_only, no_marker("report.json")),
    "hand-made-marker": (_hand_made_marker, forged()),
    "marker-without-its-checksum": (_marker_in_cardf_format_without_its_checksum, forged()),
    "real-marker-and-a-foreign-file": (_real_marker_with_a_foreign_file, foreign("thesis.tex")),
    "file-added-to-a-build": (_file_added_to_a_build, foreign("thesis.tex")),
    "file-added-to-the-store": (_file_added_to_the_store,
                                foreign("store/thesis.tex", "was not written by cardf build (it is not a file of "
                                                            "the Oxigraph store)")),
    "folder-added-to-a-build": (_folder_added_to_a_build, foreign("notes")),
    "link-added-to-a-build": (_link_added_to_a_build, foreign("home")),
    "output-edited": (_output_edited, foreign("cardf.ttl", "changed since cardf build wrote it")),
    "output-edited-in-place": (_output_edited_in_place, foreign("cardf.nt", "changed since cardf build wrote it")),
    "unfinished-build": (_unfinished_build,
                         f"Error: {{out}}/.cardf-build: marks a build cardf had not finished; {NOT_OURS}"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_folder_cardf_cannot_prove_it_wrote_is_refused_and_left_as_it_was(tmp_path, data, built, case):
    make, message = REFUSED[case]
    out = tmp_path / "target"
    make(out, built)
    before = snapshot(out)
    result = run(*build_args(data, out))
    assert result.exit_code == 2
    assert result.stderr == message.replace("{out}", str(out)) + "\n"
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_the_current_folder_is_refused(tmp_path, data, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "thesis.tex").write_text("my thesis")
    monkeypatch.chdir(project)
    for out, shown in ((".", "."), (str(project), str(project)), ("..", "..")):
        before = snapshot(tmp_path)
        result = run(*build_args(data, out))
        assert result.exit_code == 2
        assert result.stderr == (f"Error: {shown}: is the current folder (or holds it); cardf replaces its output "
                                 "folder whole, so choose a new or empty folder\n")
        assert snapshot(tmp_path) == before


def test_the_current_folder_is_refused_even_when_empty(tmp_path, data, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = run(*build_args(data, "."))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: .: is the current folder (or holds it);")
    assert list(empty.iterdir()) == []


def test_a_file_is_refused(tmp_path, data):
    out = tmp_path / "thesis.tex"
    out.write_text("my thesis")
    result = run(*build_args(data, out))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {out}: exists and is not a folder\n"
    assert out.read_text() == "my thesis"
    assert leftovers(out) == []


@pytest.mark.parametrize("points_to", ["build", "folder", "nowhere"])
def test_a_symbolic_link_is_refused_and_what_it_points_to_is_left_alone(tmp_path, data, built, points_to):
    target = {"build": built, "folder": tmp_path / "precious", "nowhere": tmp_path / "nowhere"}[points_to]
    if points_to == "folder":
        target.mkdir()
        (target / "thesis.tex").write_text("my thesis")
    link = tmp_path / "link"
    link.symlink_to(target)
    before = snapshot(tmp_path)
    result = run(*build_args(data, link))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {link}: is a symbolic link (to {target}); cardf replaces its output folder "
                             "whole and never through a link, so give the folder itself\n")
    assert snapshot(tmp_path) == before


def test_a_file_that_came_in_while_the_build_ran_stops_the_swap(tmp_path, data, built):
    before = snapshot(built)
    flag = tmp_path / "paused"
    proc = harness("staged", flag, build_args(data, built))
    wait_for(flag)
    (built / "thesis.tex").write_text("my thesis")
    before["thesis.tex"] = b"my thesis"
    flag.unlink()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err == f"Error: {built}/thesis.tex: was not written by cardf build; {YOURS.format(out=built)}\n"
    assert snapshot(built) == before
    assert leftovers(built) == []


# ----------------------------------------------------------------------------- the swap, killed at every step

def _sigint_as_in_a_terminal():
    """Children of a backgrounded pytest inherit an ignored SIGINT; a user's Ctrl-C is never ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def harness(step: str, flag: Path, args: list, no_exchange: bool = False) -> subprocess.Popen:
    """`cardf ARGS` in a process of its own that pauses at `step` of the swap (see tests/outdir_harness.py)."""
    command = [sys.executable, str(HARNESS), step, str(flag)] + (["--no-exchange"] if no_exchange else []) + \
        [str(a) for a in args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_in_a_terminal)


def wait_for(flag: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not flag.exists():
        assert time.monotonic() < deadline, "the build never reached the step"
        time.sleep(0.02)


STEPS = [("writing", False), ("staged", False), ("swapped", False), ("between-renames", True)]
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}


@pytest.mark.parametrize("signame", sorted(SIGNALS))
@pytest.mark.parametrize("step,no_exchange", STEPS, ids=[s for s, _ in STEPS])
def test_a_build_killed_at_any_step_leaves_the_old_build_or_the_new_one(tmp_path, data, built, new, step,
                                                                        no_exchange, signame):
    old = snapshot(built)
    change(data)
    flag = tmp_path / "paused"
    proc = harness(step, flag, build_args(data, built), no_exchange)
    wait_for(flag)
    proc.send_signal(SIGNALS[signame])
    if signame != "SIGKILL":
        time.sleep(0.2)
        flag.unlink(missing_ok=True)  # where signals wait for the swap to end, let it go on
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    swapped = step in ("swapped", "between-renames")

    if signame == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
        if step == "between-renames":  # two renames: between them there is no output folder …
            assert not built.exists()
        elif swapped:
            assert outputs(built) == new
        else:
            assert snapshot(built) == old
        assert leftovers(built)
        # … the next build, even one that fails, puts the old build back and removes what was left
        facts = data / FACTS
        facts.write_text(facts.read_text(encoding="utf-8").replace("count: 11", "count: -1"), encoding="utf-8")
        result = run(*build_args(data, built))
        assert result.exit_code in (1, 2)
        assert leftovers(built) == []
        if step == "swapped":
            assert outputs(built) == new
        else:
            assert snapshot(built) == old
        return

    word, code = ("Interrupted", 130) if signame == "SIGINT" else ("Terminated", 143)
    assert proc.returncode == code
    if swapped:  # the signal came while the folders were being swapped: it waited for the swap to end
        assert err == f"{word}; {built} already holds the new build.\n"
        assert outputs(built) == new
    else:
        assert err == f"{word}; nothing was changed.\n"
        assert snapshot(built) == old
    assert leftovers(built) == []


def test_only_leftovers_cardf_can_prove_it_made_are_removed(tmp_path, data, built):
    scratch = outdir.Scratch(built)()  # a scratch folder, as a killed build leaves it
    (scratch / "pieces-0.nq").write_bytes(b"")
    made = [tmp_path / ".dist.new-fake", tmp_path / ".dist.old-fake", tmp_path / ".dist.pieces-fake"]
    for path in made:  # folders by those names, but not cardf's
        path.mkdir()
        (path / "thesis.tex").write_text("my thesis")
    (tmp_path / ".dist.old-fake" / MARKER).write_text("{}")
    theirs = {p.name: snapshot(p) for p in made}
    assert run(*build_args(data, built)).exit_code == 0
    assert not scratch.exists()
    assert leftovers(built) == sorted(p.name for p in made)
    assert {p.name: snapshot(p) for p in made} == theirs


# ----------------------------------------------------------------------------- one build at a time

def test_a_second_build_of_the_same_folder_stops_at_once_naming_the_first(tmp_path, data, built, new):
    change(data)
    flag = tmp_path / "paused"
    first = harness("staged", flag, build_args(data, built))
    wait_for(flag)
    before = snapshot(built)
    second = run(*build_args(data, built))
    assert second.exit_code == 3
    assert second.stderr == (f"Error: {built}: another cardf build (process {first.pid}) is writing this output "
                             "folder; wait for it to finish and build again\n")
    assert snapshot(built) == before
    flag.unlink()
    _, err = first.communicate(timeout=120)
    assert (first.returncode, err) == (0, "")
    assert outputs(built) == new
    assert leftovers(built) == []


def test_two_builds_started_together_end_with_one_complete_build_and_no_leftovers(tmp_path, data, built, new):
    change(data)
    command = [sys.executable, "-m", "cardf", *map(str, build_args(data, built))]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    pids = [p.pid for p in procs]
    assert any(code == 0 for code, _ in results)
    for i, (code, err) in enumerate(results):
        if code != 0:
            assert code == 3
            # the other's process id when it has written it into the lock yet (it does so just after locking)
            assert err in (f"Error: {built}: another cardf build{who} is writing this output folder; wait for it "
                           "to finish and build again\n" for who in (f" (process {pids[1 - i]})", ""))
    assert outputs(built) == new
    assert leftovers(built) == []


def test_a_lock_left_by_a_killed_build_does_not_stop_the_next(tmp_path, data, built):
    (tmp_path / ".dist.lock").write_text("999999999\n")
    assert run(*build_args(data, built)).exit_code == 0
    assert leftovers(built) == []


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path, data, built):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / ".dist.lock").symlink_to(victim)
    result = run(*build_args(data, built))
    assert result.exit_code == 3
    assert result.stderr == f"Error: {built}: cannot create the output folder: Too many levels of symbolic links\n"
    assert victim.read_text() == "keep me"
