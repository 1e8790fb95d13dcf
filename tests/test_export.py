"""Every output file parses back, in rdflib and in pyoxigraph, to the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import SEED

TRIPLE_FILES = {"cardf.ttl": "turtle", "cardf.nt": "nt", "cardf.jsonld": "json-ld"}
QUAD_FILES = {"cardf.trig": "trig", "cardf.nq": "nquads"}


def ox_triples(path: Path) -> set:
    return {q.triple for q in ox.parse(path=str(path))}


@pytest.fixture(scope="module")
def reference(dist) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(dist / "cardf.nt", format="nt")
    return g


@pytest.mark.parametrize("name,fmt", sorted(TRIPLE_FILES.items()))
def test_triple_files_parse_in_rdflib_to_the_same_graph(dist, reference, name, fmt):
    g = rdflib.Graph()
    g.parse(dist / name, format=fmt)
    assert len(g) == len(reference)
    assert isomorphic(g, reference)


@pytest.mark.parametrize("name", sorted(TRIPLE_FILES))
def test_triple_files_parse_in_pyoxigraph_to_the_same_graph(dist, name):
    assert ox_triples(dist / name) == ox_triples(dist / "cardf.nt")


@pytest.mark.parametrize("name", sorted(QUAD_FILES))
def test_quad_files_hold_the_union_in_their_named_graphs(dist, name):
    quads = list(ox.parse(path=str(dist / name)))
    assert {q.triple for q in quads} == ox_triples(dist / "cardf.nt")
    graphs = {q.graph_name.value for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert graphs == {f"https://w3id.org/cardf/graph/article/{SEED}", "https://w3id.org/cardf/graph/entities",
                      "https://w3id.org/cardf/graph/shared", "https://w3id.org/cardf/ontology"}
    assert not any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)


def test_trig_and_nquads_agree(dist):
    assert set(ox.parse(path=str(dist / "cardf.trig"))) == set(ox.parse(path=str(dist / "cardf.nq")))


def test_rdflib_reads_the_named_graphs_of_the_trig(dist):
    ds = rdflib.Dataset()
    ds.parse(dist / "cardf.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert f"https://w3id.org/cardf/graph/article/{SEED}" in names
    assert "https://w3id.org/cardf/graph/entities" in names


def test_ontology_file_holds_exactly_the_ontology_graph(dist):
    onto = {q.triple for q in ox.parse(path=str(dist / "cardf.nq"))
            if q.graph_name == ox.NamedNode("https://w3id.org/cardf/ontology")}
    assert ox_triples(dist / "ontology.ttl") == onto


def test_jsonld_is_compacted_with_the_project_context(dist):
    doc = json.loads((dist / "cardf.jsonld").read_text(encoding="utf-8"))
    assert set(doc) == {"@context", "@graph"}
    ctx = doc["@context"]
    assert ctx["cardf"] == "https://w3id.org/cardf/ontology#"
    types = {n.get("type") for n in doc["@graph"] if isinstance(n.get("type"), str)}
    assert {"Event", "Figure", "Quotation", "Person", "State"} <= types
    figure = next(n for n in doc["@graph"] if n.get("type") == "Figure")
    assert isinstance(figure["amount"], str)  # a decimal kept as its exact lexical form, not a JSON number
    person = next(n for n in doc["@graph"] if n.get("type") == "Person" and "exactMatch" in n)
    assert set(person["label"]) >= {"ru", "en"}


def test_decimals_stay_decimals_in_jsonld(dist):
    g = rdflib.Graph()
    g.parse(dist / "cardf.jsonld", format="json-ld")
    amounts = list(g.objects(None, rdflib.URIRef("https://w3id.org/cardf/ontology#amount")))
    assert amounts
    assert {a.datatype for a in amounts} == {rdflib.XSD.decimal}


def test_turtle_uses_the_project_prefixes(dist):
    head = (dist / "cardf.ttl").read_text(encoding="utf-8")[:4000]
    for prefix in ("cardf:", "event:", "person:", "state:", "figure:"):
        assert f"@prefix {prefix} <" in head


def test_committed_context_matches_the_ontology():
    from conftest import ONTOLOGY
    from cardf.iris import Minter
    from cardf.ontology import build_context, context_text, load_ontology_quads

    expected = context_text(build_context(load_ontology_quads(ONTOLOGY), Minter()))
    assert (ONTOLOGY / "context.jsonld").read_text(encoding="utf-8") == expected, \
        "ontology/context.jsonld is stale: regenerate it with `cardf ontology context > ontology/context.jsonld`"
