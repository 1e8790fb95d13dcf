"""`cardf validate`: the project's data or any RDF files, three report formats, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import rdflib

from conftest import FIXTURES, ONTOLOGY, SHAPES, edit, line_of, project_args, run

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

