"""`cardf stats`: the VoID description agrees with the build's own report."""

from __future__ import annotations

import json

from pyoxigraph import RdfFormat, Store, parse

from cardf import stats

from conftest import FIXTURES, run

BASE = "https://w3id.org/cardf/"


def test_counts_agree_with_the_build_report(dist):
    described = stats.collect(stats.read_input([dist]), BASE)
    report = json.loads((dist / "report.json").read_text())
    assert described.triples == report["triples"]["total"]
    assert {g.name: g.triples for g in described.graphs} == report["triples"]["graphs"]
    assert described.classes["https://w3id.org/cardf/ontology#Figure"] == report["records"]["figures"]
    assert described.linked_entities > 0
    assert set(described.links) & {"http://www.w3.org/2002/07/owl#sameAs",
                                   "http://www.w3.org/2004/02/skos/core#exactMatch"}


def test_void_turtle_is_valid_and_says_the_same(dist):
    described = stats.collect(stats.read_input([dist]), BASE, endpoint="http://127.0.0.1:7878/query")
    ttl = stats.void_turtle(described, BASE)
    assert ttl == stats.void_turtle(stats.collect(stats.read_input([dist]), BASE,
                                                  endpoint="http://127.0.0.1:7878/query"), BASE)
    store = Store()
    store.extend(parse(ttl, format=RdfFormat.TURTLE))
    assert "_:" not in ttl.decode()
    rows = list(store.query("""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?triples ?endpoint (COUNT(DISTINCT ?graph) AS ?graphs) (COUNT(DISTINCT ?link) AS ?links) WHERE {
          <https://w3id.org/cardf/dataset> void:triples ?triples ; void:sparqlEndpoint ?endpoint ;
             void:subset ?graph .
          ?graph <http://www.w3.org/ns/sparql-service-description#name> ?name .
          OPTIONAL { <https://w3id.org/cardf/dataset> void:subset ?link . ?link a void:Linkset ;
                     void:objectsTarget/void:uriSpace "http://www.wikidata.org/entity/" }
        } GROUP BY ?triples ?endpoint"""))
    assert len(rows) == 1
    assert int(rows[0]["triples"].value) == described.triples
    assert rows[0]["endpoint"].value == "http://127.0.0.1:7878/query"
    assert int(rows[0]["graphs"].value) == 4  # the article, the entities, the shared graph, the ontology
    assert int(rows[0]["links"].value) >= 1


def test_cli_table_turtle_and_void_file(dist, tmp_path):
    result = run("stats", dist, "--void", tmp_path / "void.ttl")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Dataset https://w3id.org/cardf/dataset ({dist})\nmeasure")
    assert "\nNamed graphs\n" in result.stdout and "\nClasses\n" in result.stdout
    assert "cardf:Figure" in result.stdout
    assert (tmp_path / "void.ttl").read_bytes().startswith(b"@prefix")
    turtle = run("stats", dist, "--format", "turtle")
    assert turtle.stdout == (tmp_path / "void.ttl").read_text()
    doc = json.loads(run("stats", dist, "--format", "json").stdout)
    assert doc["triples"] == json.loads((dist / "report.json").read_text())["triples"]["total"]


def test_rdf_files_and_errors(tmp_path):
    result = run("stats", FIXTURES / "ontology" / "good" / "data.ttl", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["triples"] == 7 and doc["entities"] == 2
    assert doc["graphs"] == [{"graph": None, "triples": 7, "entities": 2}]
    missing = run("stats", tmp_path)
    assert missing.exit_code == 2
    assert missing.stderr == (f"Error: {tmp_path}: holds no cardf.nq; run `cardf build --out {tmp_path}` first, "
                              "or name RDF files\n")
    bad = run("stats", "--endpoint", "ftp://x")
    assert bad.exit_code == 2 and bad.stderr == "Error: --endpoint must be an http(s) URL, got 'ftp://x'\n"


def test_standard_input_is_described_like_the_file(dist):
    from_file = run("stats", dist / "cardf.nt")
    from_stdin = run("stats", "-", input=(dist / "cardf.nt").read_text(encoding="utf-8"))
    assert from_stdin.exit_code == from_file.exit_code == 0
    assert from_stdin.stdout.splitlines()[0] == "Dataset https://w3id.org/cardf/dataset (-)"
    assert from_stdin.stdout.splitlines()[1:] == from_file.stdout.splitlines()[1:]
