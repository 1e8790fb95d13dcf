"""`cardf validate`: the project's data or any RDF files, three report formats, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import rdflib
from conftest import FIXTURES, ONTOLOGY, SHAPES, edit, line_of, project_args, run

from cardf.build.previous import cache_folder

CORPUS = FIXTURES / "shapes" / "corpus"
FACTS = Path("articles") / "shapes-article" / "facts.yaml"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SUMMARY = re.compile(r"^Conforms: 0 violations, \d+ warnings?, \d+ infos?\.$")
PERCENT = "A percentage must lie between 0 and 100."


@pytest.fixture
def broken(tmp_path) -> Path:
    """A copy of the shapes fixture corpus whose 13.6 percent became 150 percent."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    edit(folder / FACTS, "    value: 13.6\n", "    value: 150\n")
    return folder


def percent_line(folder: Path) -> str:
    facts = folder / FACTS
    return (f"  {facts}:{line_of(facts, 'value: 150')}:12: figure:trade-growth-2024 cardf:amount value '150.0': "
            f"{PERCENT}")


def test_without_files_it_validates_the_projects_data():
    result = run("validate", *project_args())
    assert result.exit_code == 0, result.output
    assert SUMMARY.match(result.stdout.splitlines()[-1]), result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("name", ["cardf.ttl", "cardf.nt", "cardf.jsonld", "cardf.trig", "cardf.nq"])
def test_each_output_format_of_the_build_validates_alike(dist: Path, name: str):
    project = run("validate", *project_args())
    result = run("validate", dist / name, *project_args())
    assert result.exit_code == 0, result.output
    assert result.stdout == project.stdout


def test_input_format_overrides_the_extension(dist: Path, tmp_path: Path):
    data = tmp_path / "graph.data"
    shutil.copy(dist / "cardf.ttl", data)
    guessed = run("validate", data, *project_args())
    assert guessed.exit_code == 2
    assert guessed.stderr.startswith(f"Error: {data}: cannot tell the RDF format from the extension `.data`")
    told = run("validate", data, "--input-format", "turtle", *project_args())
    assert told.exit_code == 0, told.output
    assert SUMMARY.match(told.stdout.splitlines()[-1])


def test_a_file_that_cannot_be_read_exits_2(tmp_path: Path):
    missing = run("validate", tmp_path / "nowhere.ttl", *project_args())
    assert missing.exit_code == 2
    assert missing.stderr == f"Error: {tmp_path / 'nowhere.ttl'}: file not found\n"
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    broken = run("validate", bad, *project_args())
    assert broken.exit_code == 2
    assert broken.stderr.startswith(f"Error: {bad}:1:")
    assert "RDF syntax error" in broken.stderr


def test_violations_exit_1_with_one_line_per_problem_at_its_yaml_line(broken: Path):
    result = run("validate", "--data", broken, "--ontology", ONTOLOGY, "--shapes", SHAPES)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Violation: cardf-shapes:Figure-percentRange",
        percent_line(broken),
        "Does not conform: 1 violation, 0 warnings, 0 infos.",
    ]


def test_a_file_made_from_the_sources_is_reported_against_them(broken: Path, tmp_path: Path):
    """Validating an exported graph still points at facts.yaml when --data holds the sources that made it."""
    from test_validate import mapped

    graph, _ = mapped(broken)
    exported = tmp_path / "export.nt"
    graph.serialize(exported, format="nt", encoding="utf-8")
    result = run("validate", exported, "--data", broken, "--ontology", ONTOLOGY, "--shapes", SHAPES)
    assert result.exit_code == 1
    assert percent_line(broken) in result.stdout.splitlines()


def test_json_report(broken: Path):
    result = run("validate", "--data", broken, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["conforms"] is False
    assert doc["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    (only,) = doc["results"]
    assert (only["shape"], only["constraint"], only["value"], only["line"]) == (
        "https://w3id.org/cardf/shapes#Figure-percentRange", "SPARQLConstraintComponent", "150.0",
        line_of(broken / FACTS, "value: 150"))


def test_turtle_report_is_a_shacl_validation_report(broken: Path):
    result = run("validate", "--data", broken, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--format", "turtle")
    assert result.exit_code == 1
    g = rdflib.Graph().parse(data=result.stdout, format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == rdflib.Literal(False)
    (res,) = g.objects(report, SH.result)
    assert g.value(res, SH.sourceShape) == rdflib.URIRef("https://w3id.org/cardf/shapes#Figure-percentRange")
    assert str(g.value(res, SH.resultMessage)) == PERCENT


def test_warnings_alone_exit_0_and_are_printed(tmp_path: Path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    edit(folder / "entities.yaml", "    wikidata: Q1520\n", "")
    result = run("validate", "--data", folder, "--ontology", ONTOLOGY, "--shapes", SHAPES)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Warning: cardf-shapes:Entity-wikidata"
    assert result.stdout.splitlines()[-1] == "Conforms: 0 violations, 1 warning, 0 infos."


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_report_with_warnings_alone_does_not_conform_as_shacl_says(tmp_path: Path, engine: str):
    """sh:conforms is false beside any result (SHACL 3.6.1), as in pySHACL's own report; the exit code stays 0."""
    import pyshacl

    from cardf.shacl.reference import to_rdflib

    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    edit(folder / "entities.yaml", "    wikidata: Q1520\n", "")
    args = ("--data", folder, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--engine", engine)
    turtle = run("validate", *args, "--format", "turtle")
    assert turtle.exit_code == 0, turtle.output
    g = rdflib.Graph().parse(data=turtle.stdout, format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    (res,) = g.objects(report, SH.result)
    assert g.value(res, SH.resultSeverity) == SH.Warning
    assert g.value(report, SH.conforms) == rdflib.Literal(False)
    as_json = run("validate", *args, "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["conforms"] is False
    assert run("validate", *args, "--fail-on", "warning").exit_code == 1

    from cardf.build.check import project_triples
    from cardf.build.project import Project, Settings

    project = Project(Settings(folder, tmp_path / "out", ONTOLOGY, SHAPES, "https://w3id.org/cardf/"))
    data, _ = project_triples(project)
    shapes = rdflib.Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        shapes.parse(path)
    conforms, theirs, _ = pyshacl.validate(to_rdflib(data + project.ontology), shacl_graph=shapes, advanced=True)
    assert len(set(theirs.subjects(rdflib.RDF.type, SH.ValidationResult))) == 1
    assert conforms is False


def test_a_report_without_results_conforms(tmp_path: Path):
    result = run("validate", "--data", CORPUS, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--format", "turtle")
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(data=result.stdout, format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == rdflib.Literal(True)
    assert list(g.objects(report, SH.result)) == []


def test_other_shapes_with_the_shapes_option(tmp_path: Path):
    shapes = tmp_path / "mine.ttl"
    shapes.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix cardf: <https://w3id.org/cardf/ontology#> .
        <urn:x:EveryEventHasAnOrdinal> a sh:NodeShape ; sh:targetClass cardf:Event ;
            sh:property [ sh:path cardf:ordinal ; sh:minCount 1 ; sh:message "No ordinal." ] .
        """, encoding="utf-8")
    result = run("validate", "--data", CORPUS, "--ontology", ONTOLOGY, "--shapes", shapes)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Violation: urn:x:EveryEventHasAnOrdinal cardf:ordinal"
    assert [line.split(": ", 1)[1] for line in lines[1:-1]] == [
        "event:visit (Tokayev's visit to Moscow) cardf:ordinal: No ordinal.",
        "event:signing (Signing of the documents) cardf:ordinal: No ordinal.",
    ]
    assert lines[-1] == "Does not conform: 2 violations, 0 warnings, 0 infos."


def test_inference_is_off_by_default_and_can_be_turned_on():
    for extra in ([], ["--inference", "rdfs"]):
        result = run("validate", "--data", CORPUS, "--ontology", ONTOLOGY, "--shapes", SHAPES, *extra)
        assert result.exit_code == 0, result.output
        assert result.stdout == "Conforms: 0 violations, 0 warnings, 0 infos.\n"


def test_build_fails_with_the_same_report(broken: Path, tmp_path: Path):
    result = run("build", "--data", broken, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "out",
                 "--no-store")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[1:4] == ["Violation: cardf-shapes:Figure-percentRange", percent_line(broken),
                           "Does not conform: 1 violation, 0 warnings, 0 infos."]
    assert errors[-1] == (f"Error: the data does not conform to the shapes: 1 violation(s); nothing was written to "
                          f"{tmp_path / 'out'}")
    assert not (tmp_path / "out").exists()


def test_rdf_xml_is_read_too(dist: Path, tmp_path: Path):
    data = tmp_path / "cardf.rdf"
    rdflib.Graph().parse(dist / "cardf.nt", format="nt").serialize(data, format="xml", encoding="utf-8")
    result = run("validate", data, *project_args())
    assert result.exit_code == 0, result.output
    assert result.stdout == run("validate", *project_args()).stdout



# ----------------------------------------------------------------------------- standard input, --fail-on, --warnings

def test_standard_input_is_validated_like_the_file(dist: Path):
    from_file = run("validate", dist / "cardf.ttl", *project_args())
    from_stdin = run("validate", "-", *project_args(), input=(dist / "cardf.ttl").read_text(encoding="utf-8"))
    assert (from_stdin.exit_code, from_stdin.stdout) == (0, from_file.stdout)
    assert SUMMARY.match(from_stdin.stdout.splitlines()[-1])


def test_standard_input_is_sniffed_or_told_its_format(dist: Path):
    triples = (dist / "cardf.nt").read_text(encoding="utf-8")
    sniffed = run("validate", "-", *project_args(), input=triples)
    told = run("validate", "-", "--input-format", "application/n-triples", *project_args(), input=triples)
    assert sniffed.exit_code == told.exit_code == 0
    assert sniffed.stdout == told.stdout


def test_standard_input_that_is_not_rdf_names_stdin_and_the_line():
    result = run("validate", "-", "--input-format", "ttl", *project_args(), input="@prefix x: <urn:x#> .\nx:a x:b .\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: <stdin>:2:")


def test_standard_input_is_read_once():
    result = run("validate", "-", "-", *project_args(), input="")
    assert (result.exit_code, result.stderr) == (2, "Error: standard input (-) can be read only once\n")


@pytest.fixture
def five_warnings(tmp_path) -> Path:
    """The shapes corpus with five entities that lost their Wikidata link: five warnings of one kind."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    for qid in ("Q159", "Q232", "Q7747", "Q200881", "Q649"):
        edit(folder / "entities.yaml", f"    wikidata: {qid}\n", "")
    return folder


def test_warnings_are_summarised_by_kind_unless_all_are_asked_for(five_warnings: Path):
    args = ("validate", "--data", five_warnings, "--ontology", ONTOLOGY, "--shapes", SHAPES)
    summary = run(*args).stdout.splitlines()
    assert summary[0] == "Warning: cardf-shapes:Entity-wikidata (5 results)"
    assert summary[1].startswith(f"  {five_warnings / 'entities.yaml'}:") and "No Wikidata link" in summary[1]
    assert summary[2:] == ["  … and 4 more like it (--warnings all lists them)",
                           "Conforms: 0 violations, 5 warnings, 0 infos."]
    listed = run(*args, "--warnings", "all").stdout.splitlines()
    assert listed[0] == "Warning: cardf-shapes:Entity-wikidata"
    assert len(listed) == 7 and all("No Wikidata link" in line for line in listed[1:6])
    assert listed[1] == summary[1]
    assert run(*args, "--warnings", "none").stdout == "Conforms: 0 violations, 5 warnings, 0 infos.\n"


@pytest.mark.parametrize("fail_on, code", [("violation", 0), ("warning", 1), ("info", 1)])
def test_fail_on_sets_the_severity_that_fails(five_warnings: Path, fail_on: str, code: int):
    result = run("validate", "--data", five_warnings, "--ontology", ONTOLOGY, "--shapes", SHAPES,
                 "--fail-on", fail_on, "--warnings", "none")
    assert result.exit_code == code
    assert result.stdout == "Conforms: 0 violations, 5 warnings, 0 infos.\n"
    assert result.stderr == ("" if code == 0 else f"Error: failed on 5 warnings (--fail-on {fail_on}).\n")


def test_fail_on_warning_over_standard_input(dist: Path):
    result = run("validate", "-", "--fail-on", "warning", *project_args(),
                 input=(dist / "cardf.ttl").read_text(encoding="utf-8"))
    warnings = int(re.search(r"(\d+) warnings?,", result.stdout).group(1))
    assert warnings > 0 and result.exit_code == 1
    assert result.stderr == f"Error: failed on {warnings} warnings (--fail-on warning).\n"


# ----------------------------------------------------------------------------- the project's data, as a build reads it

def _results(result) -> list:
    doc = json.loads(result.stdout)
    return [(r["severity"], r["shape"], r["focus"], r["path"], r["value"], r["message"], r["source"])
            for r in doc["results"]]


def _in_memory_findings(data: Path, out: Path) -> list:
    """The findings of the plain in-memory path (the data as Python triples), in the JSON report's terms."""
    from cardf.build.assemble import with_identity
    from cardf.build.check import read_project
    from cardf.build.project import Project, Settings
    from cardf.shacl import load_shapes, validate
    from cardf.shacl.text import json_report

    project = Project(Settings(data, out, ONTOLOGY, SHAPES, "https://w3id.org/cardf/"))
    triples, origins, identity = read_project(project)
    report = with_identity(validate(triples, load_shapes(sorted(SHAPES.glob("*.ttl"))), project.ontology, origins),
                           identity)
    return _results(type("R", (), {"stdout": json_report(report)}))


def test_many_articles_are_read_in_two_processes_with_the_findings_of_the_in_memory_path(tmp_path: Path,
                                                                                         monkeypatch):
    """Past PARALLEL_MIN articles the build's reader works in two processes and spills to a temporary folder."""
    from test_build import generate

    from cardf.build.reader import PARALLEL_MIN

    data = generate(tmp_path / "data", PARALLEL_MIN, seed=7, errors=0.05)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    result = run("validate", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--format", "json")
    assert result.exit_code == 1, result.output
    found = _results(result)
    assert any(r[0] == "Violation" for r in found) and any(r[6] for r in found)
    assert found == _in_memory_findings(data, tmp_path / "out")
    assert list((tmp_path / "tmp").iterdir()) == []  # the spill files are gone


def test_after_a_build_of_the_same_sources_it_validates_the_build_with_the_same_findings(tmp_path: Path,
                                                                                         monkeypatch):
    from test_build import generate

    generate(tmp_path / "data", 12, seed=11)
    monkeypatch.chdir(tmp_path)  # validate's output folder is out/
    args = ("--data", "data", "--ontology", ONTOLOGY, "--shapes", SHAPES)
    before = run("validate", *args, "--format", "json")
    assert before.exit_code == 0, before.output
    assert any(r[0] == "Warning" for r in _results(before))
    assert run("build", *args, "-q").exit_code == 0
    after = run("validate", *args, "--format", "json")
    assert after.exit_code == 0, after.output
    assert _results(after) == _results(before)
    assert json.loads((tmp_path / "out" / "report.json").read_text())["validation"]["warnings"] == \
        json.loads(after.stdout)["counts"]["Warning"]
    # the build was read, not the sources: with its union file blanked (size, time and inode kept) it finds other things
    union = tmp_path / "out" / "cardf.nt"
    stat = union.stat()
    with open(union, "r+b") as f:
        f.write(b"\n" * stat.st_size)
    os.utime(union, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _results(run("validate", *args, "--format", "json")) != _results(before)
    shutil.rmtree(cache_folder(tmp_path / "out"))  # no index: the sources are read again
    assert _results(run("validate", *args, "--format", "json")) == _results(before)


def test_a_file_with_data_is_traced_to_yaml_lines_from_the_builds_cache(tmp_path: Path, monkeypatch):
    """With a build of the same sources in out/, a finding in a file is traced to its facts.yaml line from the
    build's cache (no article mapped), to the line the sources give when there is no build."""
    from test_build import generate

    generate(tmp_path / "data", 12, seed=11)
    monkeypatch.chdir(tmp_path)
    args = ("--data", "data", "--ontology", ONTOLOGY, "--shapes", SHAPES)
    assert run("build", *args, "-q").exit_code == 0
    text = (tmp_path / "out" / "cardf.nq").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "/ontology#currency> " in x)
    figure, currency = line.split(" ")[0][1:-1], line.split('"')[1]
    changed = tmp_path / "changed.nq"
    changed.write_text(text.replace(line, line.replace(f'"{currency}"', f'"{currency.lower()}"')), encoding="utf-8")
    traced = run("validate", changed, *args, "--format", "json")
    assert traced.exit_code == 1, traced.output
    violations = [r for r in _results(traced) if r[0] == "Violation"]
    assert violations and {r[2] for r in violations} == {figure}
    source = violations[0][6]
    assert source.startswith("data/articles/") and "/facts.yaml:" in source
    facts = tmp_path / source.split(":")[0]
    assert currency in facts.read_text(encoding="utf-8").splitlines()[int(source.split(":")[1]) - 1]
    shutil.rmtree(tmp_path / "out")
    assert _results(run("validate", changed, *args, "--format", "json")) == _results(traced)
