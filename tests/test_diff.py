"""`cardf diff`: nothing between identical builds, the changed figure between two that differ."""

from __future__ import annotations

import json
import shutil

import pytest
from pyoxigraph import RdfFormat, parse

from cardf import diff

from conftest import DATA, ONTOLOGY, SHAPES, edit, run

FIGURE = "figure-russian-investment-kazakhstan-2024"


@pytest.fixture(scope="module")
def changed(tmp_path_factory, dist):
    """A second build whose one figure says 4.5 billion instead of 4 billion."""
    root = tmp_path_factory.mktemp("changed")
    data = root / "data"
    shutil.copytree(DATA, data)
    facts = next((data / "articles").glob("*/facts.yaml"))
    edit(facts, f"  - id: {FIGURE}\n    indicator: investment-annual\n    value: 4000000000\n",
         f"  - id: {FIGURE}\n    indicator: investment-annual\n    value: 4500000000\n")
    out = root / "dist"
    result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_identical_builds_are_equal(dist, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(dist, copy)
    result = run("diff", dist, copy)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("Equal: the same graphs and statements on both sides (")


def test_a_changed_figure_is_the_whole_diff(dist, changed):
    result = run("diff", dist, changed)
    assert result.exit_code == 1
    assert result.stdout == (
        f"figure:{FIGURE}  in article-graph:interaffairs-2025-12-04-russia-central-asia\n"
        '  - cardf:amount "4000000000.0"^^xsd:decimal\n'
        '  + cardf:amount "4500000000.0"^^xsd:decimal\n')
    assert result.stderr == "Different: 1 statement removed, 1 added, in 1 subject.\n"


def test_json_and_turtle(dist, changed):
    doc = json.loads(run("diff", dist, changed, "--format", "json").stdout)
    assert doc["equal"] is False and doc["compared"] == "quads"
    assert doc["subjects"] == [{
        "subject": f"https://w3id.org/cardf/id/figure/{FIGURE}", "label": None,
        "graph": "https://w3id.org/cardf/graph/article/interaffairs-2025-12-04-russia-central-asia",
        "removed": [{"predicate": "https://w3id.org/cardf/ontology#amount",
                     "object": '"4000000000.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'}],
        "added": [{"predicate": "https://w3id.org/cardf/ontology#amount",
                   "object": '"4500000000.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'}]}]
    turtle = run("diff", dist, changed, "--format", "turtle").stdout
    assert "# removed from graph <https://w3id.org/cardf/graph/article/" in turtle
    assert len(list(parse(turtle.encode(), format=RdfFormat.TURTLE))) == 2


def test_an_ontology_change_shows_as_the_changed_axiom(tmp_path):
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, ontology)
    edit(ontology / "cardf.ttl", "cardf:basedIn\n    a owl:ObjectProperty ;",
         "cardf:basedIn\n    a owl:ObjectProperty , owl:FunctionalProperty ;")
    old, new = ONTOLOGY / "cardf.ttl", ontology / "cardf.ttl"
    edit(new, "rdfs:domain [ a owl:Class ; owl:unionOf ( cardf:Event cardf:Commitment ) ] ;",
         "rdfs:domain [ a owl:Class ; owl:unionOf ( cardf:Event cardf:Commitment cardf:Decision ) ] ;")
    result = run("diff", old, new)
    assert result.exit_code == 1
    assert result.stdout == (
        "cardf:basedIn  «based in»\n"
        "  + rdf:type owl:FunctionalProperty\n"
        "\n"
        "cardf:location  «location»\n"
        "  - rdfs:domain [ a owl:Class ; owl:unionOf ( cardf:Event cardf:Commitment ) ]\n"
        "  + rdfs:domain [ a owl:Class ; owl:unionOf ( cardf:Event cardf:Commitment cardf:Decision ) ]\n")


def test_blank_node_labels_do_not_matter(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("<http://e/s> <http://e/p> _:x . _:x <http://e/q> _:y . _:y <http://e/q> _:x .\n"
                 "<http://e/t> <http://e/p> [ <http://e/r> 1 ] .\n")
    b.write_text("<http://e/t> <http://e/p> [ <http://e/r> 1 ] .\n"
                 "<http://e/s> <http://e/p> _:n1 . _:n2 <http://e/q> _:n1 . _:n1 <http://e/q> _:n2 .\n")
    result = diff.compare(diff.load(a), diff.load(b))
    assert result.equal
    assert run("diff", a, b).exit_code == 0


def test_a_build_against_a_file_compares_triples(dist):
    result = run("diff", dist, dist / "cardf.ttl")
    assert result.exit_code == 0
    assert result.stderr.startswith("Equal: the same statements on both sides")


def test_bad_inputs_exit_2(tmp_path):
    result = run("diff", tmp_path / "missing.ttl", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'missing.ttl'}: not found\n"
    result = run("diff", tmp_path, tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path}: is a folder without cardf.nq; give a build folder "
                             "(`cardf build --out …`) or an RDF file\n")


def test_one_side_may_be_standard_input(dist, changed):
    same = run("diff", "-", dist / "cardf.nq", input=(dist / "cardf.nq").read_text(encoding="utf-8"))
    assert (same.exit_code, same.stdout) == (0, "")
    assert same.stderr.startswith("Equal: the same graphs and statements on both sides (")
    differs = run("diff", dist / "cardf.nq", "-", input=(changed / "cardf.nq").read_text(encoding="utf-8"))
    assert differs.exit_code == 1
    assert differs.stdout == run("diff", dist / "cardf.nq", changed / "cardf.nq").stdout
    assert "4500000000" in differs.stdout


def test_standard_input_cannot_be_both_sides():
    result = run("diff", "-", "-", input="")
    assert (result.exit_code, result.stderr) == (2, "Error: standard input (-) can be read only once: give it as "
                                                    "OLD or NEW, not both\n")
