"""Property test: whatever a tired curator does to facts.yaml, the loader answers with a clean error.

Mutations of the real seed facts are fed to the loader and mapper; each must either load or
raise a CardfError that names the file — never an unhandled exception.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardf.errors import CardfError, InputError
from cardf.iris import Minter
from cardf.mapping import map_corpus
from cardf.sources import load_corpus, load_vocabulary

from conftest import DATA, ONTOLOGY, SEED

FACTS = (DATA / "articles" / SEED / "facts.yaml").read_text(encoding="utf-8")
LINES = FACTS.splitlines(keepends=True)
VOCAB = load_vocabulary(ONTOLOGY)
NASTY = ["", "-", ":", "{", "[", "]", "}", "'", '"', "\t", "~", "null", "!!python/object:os.system", "&a", "*a",
         "1e999", "-1", "0", "2025-02-30", "4,1", "«", "\ufeff", "\x00", "  - ", "? x", "%YAML 1.1", "@", "|", ">"]


def mutate(lines: list[str], ops: list[tuple[str, int, int, str]]) -> str:
    lines = list(lines)
    for op, i, j, text in ops:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace-value" and ":" in lines[i]:
            key, _, _ = lines[i].partition(":")
            lines[i] = f"{key}: {text}\n"
        elif op == "insert":
            lines.insert(i, text + "\n")
        elif op == "truncate":
            lines = lines[:i] + [lines[i][: j % (len(lines[i]) + 1)]]
        elif op == "indent":
            lines[i] = " " * (j % 5) + lines[i].lstrip(" ")
    return "".join(lines)


operations = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "swap", "replace-value", "insert", "truncate", "indent"]),
              st.integers(0, 10_000), st.integers(0, 10_000),
              st.one_of(st.sampled_from(NASTY), st.text(max_size=12))),
    min_size=1, max_size=4)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_mutated_facts_load_or_fail_cleanly(tmp_path_factory, ops):
    root = tmp_path_factory.mktemp("fuzz")
    data = root / "data"
    shutil.copytree(DATA, data)
    facts = data / "articles" / SEED / "facts.yaml"
    facts.chmod(0o644)
    facts.write_text(mutate(LINES, ops), encoding="utf-8", errors="surrogatepass")
    try:
        corpus = load_corpus(data, VOCAB)
    except InputError as exc:
        assert exc.exit_code == 2
        assert exc.problems
        assert all(str(data) in str(p) for p in exc.problems), exc.lines()
        return
    map_corpus(corpus, Minter())  # what loads must also map


def test_mutation_helper_changes_the_text():
    assert mutate(LINES, [("delete", 0, 0, "")]) != FACTS
    assert mutate(LINES, [("replace-value", 20, 0, "x")]).count("\n") == FACTS.count("\n")


def test_a_few_mutations_through_the_cli_end_in_exit_1_or_2(tmp_path):
    from conftest import SHAPES, run

    cases = [[("replace-value", 30, 0, "[")], [("delete", 5, 0, "")], [("insert", 40, 0, "\tbad: tab")]]
    for n, ops in enumerate(cases):
        data = tmp_path / f"data{n}"
        shutil.copytree(DATA, data)
        facts = data / "articles" / SEED / "facts.yaml"
        facts.chmod(0o644)
        facts.write_text(mutate(LINES, ops), encoding="utf-8")
        result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES,
                     "--out", tmp_path / f"out{n}", "--no-store", "--quiet")
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        assert "internal error" not in result.output
