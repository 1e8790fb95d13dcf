"""`cardf ontology report` and `cardf ontology docs` as a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest

from cardf.cli import main

from conftest import FIXTURES, ONTOLOGY, QUERIES, SHAPES, run

GOOD = FIXTURES / "ontology" / "good"
BAD = FIXTURES / "ontology" / "bad"


def project(tmp_path, check=None):
    root = tmp_path / "project"
    shutil.copytree(GOOD, root)
    if check:
        for path in (BAD / check).rglob("*"):
            if path.is_file():
                target = root / path.relative_to(BAD / check)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return ["--ontology", root / "ontology", "--shapes", root / "shapes", "--queries", root / "queries",
            "--input", root / "data.ttl"]


@pytest.mark.parametrize("command", [["ontology", "report"], ["ontology", "docs"], ["stats"], ["diff"]])
def test_help_ends_with_a_runnable_example(command):
    cmd = main
    for name in command:
        cmd = cmd.commands[name] if hasattr(cmd, "commands") else cmd
    assert cmd.help.strip().splitlines()[-1].strip().startswith("Example: cardf " + " ".join(command))


def test_report_passes_on_a_good_ontology(tmp_path):
    result = run("ontology", "report", *project(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("0 errors, 0 warnings, 0 infos from 18 checks in ")


def test_report_fails_on_an_error(tmp_path):
    result = run("ontology", "report", *project(tmp_path, "label-en"), "--format", "tsv", "--no-headers")
    assert result.exit_code == 1
    assert result.stdout == "error\tlabel-en\tcardf:Meeting\thas no rdfs:label in English (@en)\t\n"


def test_the_data_may_come_on_standard_input(tmp_path):
    args = project(tmp_path)
    data = args[-1].read_text(encoding="utf-8") + "<https://w3id.org/cardf/id/event/x> a cardf:Evnt .\n"
    result = run("ontology", "report", *args[:-1], "-", "--format", "tsv", "--no-headers", input=data)
    assert result.exit_code == 1
    assert result.stdout == ("error\tundefined-term\tcardf:Evnt\tis used in data but the ontology does not define it"
                             "\t-\n")


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1)])
def test_fail_on_sets_what_fails(tmp_path, fail_on, code):
    result = run("ontology", "report", *project(tmp_path, "definition-ru"), "--fail-on", fail_on, "-q")
    assert result.exit_code == code
    assert result.stdout.splitlines()[2].split() == ["warning", "definition-ru", "cardf:Meeting", "has", "no",
                                                     "skos:definition", "in", "Russian", "(@ru)"]
    assert result.stderr == ""


def test_profile_from_the_command_line(tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("checks:\n  label-en: warning\nfail-on: warning\n")
    result = run("ontology", "report", *project(tmp_path, "label-en"), "--profile", profile, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["summary"]["warnings"] == 1 and doc["summary"]["errors"] == 0
    lenient = run("ontology", "report", *project(tmp_path / "again", "label-en"), "--profile", profile,
                  "--fail-on", "error")
    assert lenient.exit_code == 0


def test_bad_profile_is_an_input_error(tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("checks:\n  no-such-check: off\n")
    result = run("ontology", "report", "--profile", profile)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {profile}: checks: no check `no-such-check`\n"


def test_list_checks():
    result = run("ontology", "report", "--list-checks", "--format", "tsv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "id\tlevel\trequires\tdescription"
    assert "unsatisfiable-class\terror\treasoning\t" in result.stdout
    assert len(lines) == 19


def test_ontology_only_conflicts_with_other_sources():
    result = run("ontology", "report", "--ontology-only", "--shapes", SHAPES)
    assert result.exit_code == 2
    assert result.stderr == "Error: --ontology-only does not go with --shapes, --queries, --data or --input\n"


def test_the_project_ontology_has_no_errors():
    result = run("ontology", "report", "--ontology", ONTOLOGY, "--shapes", SHAPES, "--queries", QUERIES)
    assert result.exit_code == 0, result.output
    assert "\nerror " not in result.stdout


def test_docs_command_writes_the_site(tmp_path):
    out = tmp_path / "site"
    result = run("ontology", "docs", "--out", out, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--no-examples")
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Wrote class-diagram.dot, class-diagram.svg, index.html, ontology.ttl to {out}/ "
                             "(diagram drawn by graphviz-pure)\n")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "instances in the data" not in page
    conflict = run("ontology", "docs", "--out", out, "--no-examples", "--input", GOOD / "data.ttl")
    assert conflict.exit_code == 2
    assert conflict.stderr == "Error: --no-examples and --data (or --input) do not go together; choose one\n"


def test_readme_names_every_check():
    from cardf.quality import builtin_checks
    from conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Ontology toolkit\n", 1)[1]
    assert [c.id for c in builtin_checks() if f"`{c.id}`" not in section] == []
