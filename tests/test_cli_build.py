"""`cardf build`: the pipeline as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, SEED, project_args, run, run_on_terminal

OUTPUTS = ["cardf.jsonld", "cardf.nq", "cardf.nt", "cardf.trig", "cardf.ttl", "ontology.ttl", "report.json"]


def test_build_writes_every_format_and_a_report(dist: Path):
    assert sorted(p.name for p in dist.iterdir() if p.is_file()) == [".cardf-build"] + OUTPUTS  # and its marker
    assert (dist / "store").is_dir()
    report = json.loads((dist / "report.json").read_text())
    assert report["articles"] == [SEED]
    assert report["validation"]["conforms"] is True
    assert report["validation"]["violations"] == 0
    graphs = report["triples"]["graphs"]
    assert f"https://w3id.org/cardf/graph/article/{SEED}" in graphs
    assert "https://w3id.org/cardf/graph/entities" in graphs
    assert "https://w3id.org/cardf/ontology" in graphs
    assert report["triples"]["quads"] == sum(graphs.values())
    for name in OUTPUTS[:-1]:
        assert report["files"][name]["bytes"] == (dist / name).stat().st_size


def test_progress_bar_per_article_on_a_terminal_and_not_otherwise(tmp_path):
    data = project_args(FIXTURES / "mini")
    code, text = run_on_terminal("build", *data, "--out", tmp_path / "tty", "--no-store")
    assert code == 0
    assert "Mapping articles" in text and "1/1" in text and "/s" in text and "Validating and writing" in text
    piped = run("build", *data, "--out", tmp_path / "piped", "--no-store")
    assert piped.exit_code == 0
    assert "Mapping articles" not in piped.stderr and "Validating and writing" not in piped.stderr
    code, text = run_on_terminal("build", *data, "--out", tmp_path / "quiet", "--no-store", "-q")
    assert (code, text) == (0, "")


def test_build_summary_goes_to_stderr_and_nothing_to_stdout(tmp_path):
    result = run("build", *project_args(), "--out", tmp_path / "out", "--no-store")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Built 1 article(s)" in result.stderr
    assert "Validation: 0 violations" in result.stderr


def test_build_json_prints_the_report_on_stdout(tmp_path):
    result = run("build", *project_args(), "--out", tmp_path / "out", "--no-store", "--quiet", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((tmp_path / "out" / "report.json").read_text())
    assert result.stderr == ""


def test_two_builds_are_byte_identical(tmp_path):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert run("build", *project_args(), "--out", out, "--no-store").exit_code == 0
        outs.append(out)
    for name in OUTPUTS:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_format_option_limits_the_outputs(tmp_path):
    out = tmp_path / "out"
    result = run("build", *project_args(), "--out", out, "--format", "ttl,jsonld", "--no-store")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".cardf-build", "cardf.jsonld", "cardf.ttl", "ontology.ttl",
                                                     "report.json"]


def test_unknown_format_is_a_usage_error(tmp_path):
    result = run("build", *project_args(), "--out", tmp_path / "out", "--format", "ttl,xml")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: --format: unknown format xml; expected a comma-separated list of "
                                     "ttl,nt,jsonld,trig,nq")
    assert not (tmp_path / "out").exists()


def test_bad_base_is_a_usage_error(tmp_path):
    result = run("build", *project_args(), "--out", tmp_path / "out", "--base", "not an iri")
    assert result.exit_code == 2
    assert "--base must be an http(s) IRI ending in '/'" in result.stderr


def test_base_option_moves_every_minted_resource(tmp_path):
    out = tmp_path / "out"
    result = run("build", *project_args(), "--out", out, "--base", "http://example.org/kg/", "--no-store")
    assert result.exit_code == 0, result.output
    nt = (out / "cardf.nt").read_text()
    assert "<http://example.org/kg/id/person/vladimir-putin>" in nt
    assert "https://w3id.org/cardf/id/" not in nt


def test_violating_data_fails_with_exit_1_and_leaves_dist_untouched(tmp_path, data_copy, dist):
    out = tmp_path / "dist"
    assert run("build", *project_args(), "--out", out, "--no-store").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    facts = data_copy / "articles" / SEED / "facts.yaml"
    _break_a_percentage(facts)
    result = run("build", *project_args(data_copy), "--out", out, "--no-store")
    assert result.exit_code == 1, result.output
    assert "Error: the data does not conform to the shapes" in result.stderr
    assert "facts.yaml:" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def _break_a_percentage(facts: Path) -> None:
    """Turn the first percentage in the seed facts into 150 percent."""
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == "unit: percent":
            for j in range(i, max(i - 15, 0), -1):
                if lines[j].strip().startswith("value:"):
                    indent = lines[j][: len(lines[j]) - len(lines[j].lstrip())]
                    lines[j] = f"{indent}value: 150\n"
                    facts.write_text("".join(lines), encoding="utf-8")
                    return
            for j in range(i, min(i + 15, len(lines))):
                if lines[j].strip().startswith("value:"):
                    indent = lines[j][: len(lines[j]) - len(lines[j].lstrip())]
                    lines[j] = f"{indent}value: 150\n"
                    facts.write_text("".join(lines), encoding="utf-8")
                    return
    raise AssertionError("no percentage figure in the seed facts")


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("do not delete")
    result = run("build", *project_args(), "--out", out, "--quiet")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {out}: is not a build of cardf's (it has no .cardf-build marker) and is not "
                             f"empty: it holds {out}/thesis.txt; cardf replaces only an empty folder or a build of "
                             f"its own, so choose another --out or empty {out} yourself\n")
    assert (out / "thesis.txt").read_text() == "do not delete"


def test_missing_data_folder_names_it(tmp_path):
    result = run("build", *project_args(tmp_path / "nowhere"), "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == f"Error: {tmp_path / 'nowhere'}: data folder not found"


@pytest.mark.parametrize("flag", ["--version"])
def test_version(flag):
    result = run(flag)
    assert result.exit_code == 0
    assert result.stdout.startswith("cardf, version ")


# ----------------------------------------------------------------------------- cardf init

def test_init_writes_a_starter_project_that_builds(tmp_path, monkeypatch):
    result = run("init", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Created data/, README.md, .gitignore in {tmp_path / 'demo'}/\n"
                             f"Next: cd {tmp_path / 'demo'} && cardf build, then cardf query --list\n")
    found = sorted(str(p.relative_to(tmp_path / "demo")) for p in (tmp_path / "demo").rglob("*") if p.is_file())
    assert found == [".gitignore", "README.md", "data/articles/mini-article/article.txt",
                     "data/articles/mini-article/facts.yaml", "data/entities.yaml"]
    monkeypatch.chdir(tmp_path / "demo")
    built = run("build", "-q")
    assert built.exit_code == 0, built.output
    assert json.loads((tmp_path / "demo" / "out" / "report.json").read_text())["validation"]["conforms"] is True


def test_init_never_overwrites(tmp_path):
    (tmp_path / "demo" / "data").mkdir(parents=True)
    (tmp_path / "demo" / "README.md").write_text("mine\n", encoding="utf-8")
    result = run("init", tmp_path / "demo")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path / 'demo'}: already holds README.md, data/; cardf init never "
                             "overwrites: choose an empty or new folder\n")
    assert (tmp_path / "demo" / "README.md").read_text(encoding="utf-8") == "mine\n"
    assert list((tmp_path / "demo" / "data").iterdir()) == []


def test_the_default_folder_is_out_and_an_old_dist_build_is_pointed_at(tmp_path, monkeypatch):
    assert run("init", tmp_path / "demo", "-q").exit_code == 0
    monkeypatch.chdir(tmp_path / "demo")
    assert run("build", "--out", "dist", "-q").exit_code == 0  # as cardf 0.1 did by default; --out dist still works
    query = run("query", "visits")
    assert (query.exit_code, query.stderr) == (2, (
        "Error: out/store: no store here; run `cardf build` first, or pass --store DIR, --input FILE or --endpoint "
        "URL (a build from an older cardf is in dist/: run `cardf build` again, or pass --store dist/store)\n"))
    stats = run("stats")
    assert (stats.exit_code, stats.stderr) == (2, (
        "Error: out: not found; run `cardf build` first (a build from an older cardf is in dist/: run `cardf build` "
        "again, or pass --out dist)\n"))
    assert run("query", "visits", "--store", "dist/store", "-q").exit_code == 0
    assert run("build", "-q").exit_code == 0
    assert sorted(p.name for p in Path(".").iterdir()) == [".gitignore", "README.md", "data", "dist", "out"]


def test_build_summarises_warnings_by_kind_and_lists_them_when_asked(tmp_path):
    data = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "shapes" / "corpus", data)
    text = (data / "entities.yaml").read_text(encoding="utf-8")
    for qid in ("Q159", "Q232", "Q7747", "Q200881", "Q649"):
        text = text.replace(f"    wikidata: {qid}\n", "", 1)
    (data / "entities.yaml").write_text(text, encoding="utf-8")
    args = ("build", *project_args(data), "--no-store")
    summary = run(*args, "--out", tmp_path / "a").stderr.splitlines()
    at = summary.index("Warning: cardf-shapes:Entity-wikidata (5 results)")
    assert summary[at + 2] == "  … and 4 more like it (--warnings all lists them)"
    listed = run(*args, "--out", tmp_path / "b", "--warnings", "all").stderr.splitlines()
    at = listed.index("Warning: cardf-shapes:Entity-wikidata")
    assert all("No Wikidata link" in line for line in listed[at + 1:at + 6])
    assert "Validation: 0 violations, 5 warnings." in listed
    quiet = run(*args, "--out", tmp_path / "c", "--warnings", "none")
    assert quiet.exit_code == 0 and "Wikidata" not in quiet.stderr
    assert "Validation: 0 violations, 5 warnings." in quiet.stderr.splitlines()
