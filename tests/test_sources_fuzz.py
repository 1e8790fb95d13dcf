"""Property tests: whatever a tired curator — or someone hostile — does to the sources, cardf answers cleanly.

Mutations of real source files (line edits, and YAML's dangerous corners: anchors, aliases, merge
keys, tags, deep nesting, escaped control characters and surrogates, invisible characters, odd
dates, ids and numbers) are fed at two levels:
- the loader and mapper, in this process, on the seed article's facts.yaml and the registry: each
  mutation either loads and maps to triples that RDF can carry, or is refused with one located
  line per problem;
- the whole CLI, `cardf build`, on a twenty-article corpus: exit 0, 1 or 2 and never 70, no
  traceback, every problem naming a real input file, the previous output untouched when the build
  fails, and outputs that parse and agree when it succeeds.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, RdfFormat, Store, parse, serialize

from cardf.errors import InputError
from cardf.iris import Minter
from cardf.mapping import map_corpus
from cardf.sources import load_corpus, load_vocabulary

from conftest import DATA, FIXTURES, ONTOLOGY, SEED, SHAPES, run

VOCAB = load_vocabulary(ONTOLOGY)
SEED_FILES = {"facts": f"articles/{SEED}/facts.yaml", "entities": "entities.yaml"}
MINI_FILES = {"facts": "articles/mini-article/facts.yaml", "entities": "entities.yaml"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

NASTY = ["", "-", ":", "{", "[", "]", "}", "'", '"', "\t", "~", "null", "-1", "0", "1e999", "4,1", "«", "\ufeff",
         "\x00", "\x1b[31m", "  - ", "? x", "%YAML 1.1", "@", "|", ">", "*a", "&a", "&a [x, *a]", "<<: *a",
         "<<: {id: x}", "!!python/object/apply:os.system [ls]", "!!binary aGk=", "!custom x", "!!str 10", "! x",
         '"\\e[31mred\\e[0m"', '"\\x07"', '"\\0"', '"\\x85"', '"\\ud800"', '"\\udfff\\ud800"', '"\\u200b"',
         "\ud800", '"\\u202eevil"', '"\\u00ad"', '"a\\nb"', '"a\\tb"', '"\\U0001F600"', "[" * 70 + "]" * 70,
         "{a: " * 70 + "x" + "}" * 70, "2025-02-30", "2025-12-04T13:01", "20251204T130100+0300",
         "2025-12-04T13:01:00", "2025-12-04T24:00:00+03:00", "2025-12-04T13:01:00+15:00", "2025-12-04",
         "٢٠٢٥-١١-١١", "Q159> <x", "Q0", "q159", "ru-", "r u", '"ru\\n"', "4.0e+99999999", "1" * 40,
         "9" * 5000, ".nan", ".inf", '"mini-visit\\n"', "http://x.org/\\n", "https://a b", "x" * 300]
PLAUSIBLE = ["2025-11-10", "2030-01-01", "1999", "150", "-5", "0", "XYZ", "EUR", "russia", "moscow", "mini-visit",
             "vladimir-putin", "state-visit", "city", "Q1", "en", "[russia, kazakhstan]", "{ru: Москва, en: Moscow}"]
TAGS = ["!!python/object:os.system", "!!binary", "!!str", "!!int", "!!map", "!x", "!", "!<tag:x,2000:y>"]

operations = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "swap", "replace-value", "insert", "truncate", "indent",
                               "alias", "merge", "tag", "nest"]),
              st.integers(0, 10_000), st.integers(0, 10_000),
              st.one_of(st.sampled_from(NASTY), st.sampled_from(PLAUSIBLE), st.text(max_size=12))),
    min_size=1, max_size=4)


def _key(line: str) -> str | None:
    key, colon, _ = line.partition(":")
    return key if colon and key.strip() and not key.strip().startswith("#") else None


def mutate(lines: list[str], ops: list[tuple[str, int, int, str]]) -> str:
    lines = list(lines)
    for op, i, j, text in ops:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        key = _key(lines[i])
        value = lines[i].partition(":")[2].strip()
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace-value" and key is not None:
            lines[i] = f"{key}: {text}\n"
        elif op == "insert":
            lines.insert(i, text + "\n")
        elif op == "truncate":
            lines = lines[:i] + [lines[i][: j % (len(lines[i]) + 1)]]
        elif op == "indent":
            lines[i] = " " * (j % 5) + lines[i].lstrip(" ")
        elif op == "alias" and key is not None and _key(lines[j]) is not None:  # a value shared by two fields
            lines[i] = f"{key}: &a {value}\n"
            lines[j] = f"{_key(lines[j])}: *a\n"
        elif op == "merge":  # a merge key where a field could be
            indent = len(lines[j]) - len(lines[j].lstrip(" "))
            lines.insert(j, " " * indent + ("<<: *a\n" if i % 2 else "<<: {note: merged}\n"))
        elif op == "tag" and key is not None:
            lines[i] = f"{key}: {TAGS[j % len(TAGS)]} {value}\n"
        elif op == "nest" and key is not None:
            depth = j % 300
            lines[i] = f"{key}: {'[' * depth}{value}{']' * depth}\n"
    return "".join(lines)


def test_mutation_helper_changes_the_text():
    lines = (FIXTURES / "mini" / MINI_FILES["facts"]).read_text(encoding="utf-8").splitlines(keepends=True)
    facts = "".join(lines)
    assert mutate(lines, [("delete", 0, 0, "")]) != facts
    assert mutate(lines, [("replace-value", 20, 0, "x")]).count("\n") == facts.count("\n")
    assert mutate(lines, [("alias", 1, 2, "")]).startswith("article:\n  slug: &a mini-article\n  title: *a\n")
    assert "[" * 7 in mutate(lines, [("nest", 1, 7, "")])
    assert "!!binary" in mutate(lines, [("tag", 1, 1, "")])
    assert "<<:" in mutate(lines, [("merge", 0, 5, "")])


def assert_clean_refusal(exc: InputError, data: Path) -> None:
    """Exit 2; every problem names an input file of `data`, on one printable line, with its line and column."""
    assert exc.exit_code == 2
    assert exc.problems
    for p in exc.problems:
        text = str(p)
        assert "\n" not in text and not CONTROL.search(text), text
        path = Path(p.path)
        assert path.is_relative_to(data) and path.exists(), text
        if path.suffix == ".yaml":
            assert p.line is not None and p.column is not None, text


# ----------------------------------------------------------------------------- the loader, in process

@pytest.fixture(scope="module")
def seed_copy(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA, data)
    for p in data.rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)
    return data


@settings(max_examples=100, deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(sorted(SEED_FILES)), ops=operations)
def test_mutated_sources_load_or_fail_cleanly(seed_copy, which, ops):
    path = seed_copy / SEED_FILES[which]
    original = (DATA / SEED_FILES[which]).read_bytes()
    path.write_text(mutate(original.decode("utf-8").splitlines(keepends=True), ops), encoding="utf-8",
                    errors="surrogatepass")
    try:
        try:
            corpus = load_corpus(seed_copy, VOCAB)
        except InputError as exc:
            event("refused")
            assert_clean_refusal(exc, seed_copy)
            return
        event("loaded")
        mapped = map_corpus(corpus, Minter())  # what loads must also map, to triples RDF can carry
        triples = mapped.entities + mapped.shared + [t for a in mapped.articles for t in a.triples]
        written = serialize(triples, format=RdfFormat.N_TRIPLES)
        assert {q.triple for q in parse(written, format=RdfFormat.N_TRIPLES)} == set(triples)
    finally:
        path.write_bytes(original)


# ----------------------------------------------------------------------------- the CLI

COPIES = 19  # with mini-article, twenty: enough for cardf to keep its cache, so that most builds are incremental
_RENAMED = re.compile(r"\bmini-(article|visit|documents|investment|quote|opinion)\b")


@pytest.fixture(scope="module")
def corpus_and_build(tmp_path_factory) -> tuple[Path, Path]:
    """Twenty small articles (mini-article and renamed copies) and a first, good build of them."""
    root = tmp_path_factory.mktemp("fuzz-cli")
    data = root / "data"
    shutil.copytree(FIXTURES / "mini", data)
    facts = (data / MINI_FILES["facts"]).read_text(encoding="utf-8")
    text = (data / "articles" / "mini-article" / "article.txt").read_text(encoding="utf-8")
    for k in range(1, COPIES + 1):
        slug = f"copy-{k:02d}"
        folder = data / "articles" / slug
        folder.mkdir()
        (folder / "facts.yaml").write_text(
            _RENAMED.sub(lambda m: slug if m.group(1) == "article" else f"{slug}-{m.group(1)}", facts),
            encoding="utf-8")
        (folder / "article.txt").write_text(text, encoding="utf-8")
    out = root / "dist"
    result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    return data, out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def ground(quad) -> bool:
    """Without blank nodes, whose labels the store chooses itself."""
    return not (isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode))


def shape(quad) -> tuple:
    return quad.subject, quad.predicate, quad.graph_name, type(quad.object)


def triples_of(path: Path, fmt: RdfFormat) -> set:
    return {q.triple for q in parse(path.read_bytes(), format=fmt)}


def assert_outputs_parse_and_agree(out: Path) -> None:
    nt = triples_of(out / "cardf.nt", RdfFormat.N_TRIPLES)
    assert nt
    assert triples_of(out / "cardf.ttl", RdfFormat.TURTLE) == nt
    assert triples_of(out / "cardf.jsonld", RdfFormat.JSON_LD) == nt
    quads = set(parse((out / "cardf.nq").read_bytes(), format=RdfFormat.N_QUADS))
    assert set(parse((out / "cardf.trig").read_bytes(), format=RdfFormat.TRIG)) == quads
    assert {q.triple for q in quads} == nt
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["validation"]["conforms"] is True and report["triples"]["quads"] == len(quads)
    store = Store.read_only(str(out / "store"))
    stored = set(store)
    del store
    assert len(stored) == len(quads)  # Oxigraph stores a literal in its canonical form: compare all but objects
    assert {shape(q) for q in stored if ground(q)} == {shape(q) for q in quads if ground(q)}


def assert_every_problem_names_an_input_file(stderr: str, data: Path) -> None:
    lines = stderr.splitlines()
    problems = lines if len(lines) == 1 else [line for line in lines if line.startswith("  ")
                                              and not re.fullmatch(r"  … and \d+ more", line)]
    assert problems, stderr
    for line in problems:
        assert not CONTROL.search(line), line
        found = re.match(r"(?:Error: |  )(/[^:]+)(?::(\d+):(\d+))?: ", line)
        assert found, line
        path = Path(found.group(1))
        assert path.is_relative_to(data) and path.exists(), line
        if path.suffix == ".yaml":
            assert found.group(2) is not None, line


@settings(max_examples=50, deadline=timedelta(seconds=30),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(sorted(MINI_FILES)), ops=operations)
def test_mutated_sources_through_cardf_build(corpus_and_build, which, ops):
    data, out = corpus_and_build
    path = data / MINI_FILES[which]
    original = (FIXTURES / "mini" / MINI_FILES[which]).read_bytes()
    before = snapshot(out)
    path.write_text(mutate(original.decode("utf-8").splitlines(keepends=True), ops), encoding="utf-8",
                    errors="surrogatepass")
    try:
        result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet")
    finally:
        path.write_bytes(original)
    event(f"exit {result.exit_code}")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["data", "dist"]  # no staging left behind
    if result.exit_code == 0:
        assert_outputs_parse_and_agree(out)
        return
    assert snapshot(out) == before  # a failed build changes nothing
    if result.exit_code == 2:
        assert result.stderr.startswith("Error: ")
        assert_every_problem_names_an_input_file(result.stderr, data)
    else:
        last = result.stderr.splitlines()[-1]
        found = re.fullmatch(r"Error: the data does not conform to the shapes: (\d+) violation\(s\); nothing was "
                             r"written to (.+)", last)
        assert found and int(found.group(1)) >= 1 and found.group(2) == str(out), last
        located = [line for line in result.stderr.splitlines() if line.startswith("  /")]
        assert located
        assert_every_problem_names_an_input_file("\n".join(["Error: every finding:"] + located), data)
