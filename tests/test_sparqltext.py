"""sparqltext: SPARQL text read by the grammar's tokens, and the parse tree asked about SERVICE."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardf import sparqltext
from conftest import QUERIES


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in sparqltext.tokens(text)]


def test_a_hash_inside_a_token_never_starts_a_comment():
    assert kinds(r'?s ex:a\# <http://x/#y> "a # b" # real') == [
        ("var", "?s"), ("pname", r"ex:a\#"), ("iri", "<http://x/#y>"), ("string", '"a # b"')]


def test_less_than_is_an_operator_unless_it_opens_an_iri():
    assert kinds("FILTER(1<2)SERVICE<http://x/>{") == [
        ("word", "FILTER"), ("punct", "("), ("number", "1"), ("punct", "<"), ("number", "2"), ("punct", ")"),
        ("word", "SERVICE"), ("iri", "<http://x/>"), ("punct", "{")]


def test_masked_blanks_comments_strings_and_iris_keeping_positions():
    text = 'SELECT ?s # c\n{ ?s <http://x#y> "a#b" }'
    blank = sparqltext.masked(text)
    assert len(blank) == len(text) and blank.count("\n") == 1
    assert blank == "SELECT ?s    \n{ ?s                    }"
    assert sparqltext.masked(text, iris=False) == "SELECT ?s    \n{ ?s <http://x#y>       }"


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * { service <http://x/> { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
    r"PREFIX ex: <http://e/> SELECT * { OPTIONAL { ?s ?p ex:a\# } SERVICE <http://x/> { ?a ?b ?c } }",
    r"SELECT * { \u0053ERVICE <http://x/> { ?s ?p ?o } }",
    r"SELECT * { \U00000053ERVICE <http://x/> { ?s ?p ?o } }",
    "ASK { FILTER EXISTS { SERVICE ?x { ?s ?p ?o } } }",
])
def test_service_is_found_however_it_is_written(text):
    assert sparqltext.calls_service(text)


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE" } # SERVICE\n',
    "SELECT ?service { ?service ?p <http://x/SERVICE> }",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:SERVICE ?o }",
    "SELECT * { ?s ?p '''\nSERVICE <http://x/> { }\n''' }",
])
def test_service_in_a_string_iri_name_or_comment_is_no_call(text):
    assert not sparqltext.calls_service(text)


def test_the_parse_tree_is_read_where_rdflib_can_read_the_query():
    assert sparqltext.parsed_service("SELECT * { { SELECT * { SERVICE <http://x/> { ?s ?p ?o } } } }") is True
    assert sparqltext.parsed_service("SELECT * { ?s ?p ?o }") is False
    # rdflib 7 cannot read this valid query; the tokens still find its SERVICE
    bypass = r"PREFIX ex: <http://e/> SELECT * { OPTIONAL { ?s ?p ex:a\# } SERVICE <http://x/> { ?a ?b ?c } }"
    assert sparqltext.parsed_service(bypass) is None and sparqltext.calls_service(bypass)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \n#<>\"'\\{}?:.aeSERVICEx")), max_size=40))
def test_service_hidden_after_any_prefix_of_noise_is_found_or_the_noise_is_a_string(noise):
    """Whatever comes before it, a SERVICE keyword on its own line is found unless a string or IRI is still open."""
    text = f"SELECT * {{ {noise}\nSERVICE <http://x/> {{ ?s ?p ?o }} }}"
    opening = sparqltext.tokens(text)
    inside = any(t.kind in ("string", "iri") and "SERVICE <http" in t.text for t in opening)
    assert sparqltext.calls_service(text) or inside


@pytest.mark.parametrize("text, operation", [
    ("LOAD <http://x/>", "LOAD"), ("PREFIX ex: <http://e/>\ninsert data { ex:a ex:b ex:c }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"), ("DROP ALL", "DROP"), ("CLEAR DEFAULT", "CLEAR"),
    ("CREATE GRAPH <http://g/>", "CREATE"), ("ADD DEFAULT TO <http://g/>", "ADD"),
    ("MOVE DEFAULT TO <http://g/>", "MOVE"),
    ("COPY DEFAULT TO <http://g/>", "COPY"), ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("# LOAD\nSELECT * { ?s ?p ?o }", ""), ("BASE <http://b/> ASK {}", ""),
])
def test_updates_are_known_by_their_first_word(text, operation):
    assert sparqltext.update_operation(text) == operation


def test_forms_prefixes_and_datasets():
    text = "BASE <http://b/>\nPREFIX ex: <x/>\nPREFIX : <http://d/>\nSELECT * FROM ex:g WHERE { ?s ?p ?o }"
    assert sparqltext.query_form(text) == "SELECT"
    assert sparqltext.query_form("# SELECT\n") == ""
    assert sparqltext.declared_prefixes(text) == {"ex": "http://b/x/", "": "http://d/"}
    assert sparqltext.has_dataset(text)
    assert not sparqltext.has_dataset('SELECT * WHERE { ?s ?p "FROM" } # FROM <x>')


def test_prefixes_are_added_only_when_used_and_not_declared():
    text = "PREFIX a: <http://a/>\nSELECT * { ?s a:p ?o ; b:q ?x } # c:r"
    assert sparqltext.add_prefixes(text, {"a": "http://other/", "b": "http://b/", "c": "http://c/"}) == (
        "PREFIX b: <http://b/>\n" + text)


def test_iris_are_listed_with_their_lines():
    text = 'PREFIX ex: <http://e/>\nSELECT * {\n ?s ex:p\\/q ?o . ?o <http://f/x> "ex:not" . ?o ex:r. }'
    assert sparqltext.iris_in(text) == [("http://e/", 1), ("http://e/p/q", 3), ("http://f/x", 3), ("http://e/r", 3)]


def test_where_brace_skips_braces_in_strings_and_refuses_the_short_construct():
    text = 'SELECT ?x (CONCAT("{", ?y) AS ?z) WHERE { ?x ?p ?y }'
    assert text[sparqltext.where_brace(text)] == "{" and sparqltext.where_brace(text) == text.index("{ ?x")
    with pytest.raises(ValueError):
        sparqltext.where_brace("CONSTRUCT WHERE { ?s ?p ?o }")


def test_every_library_query_reads_the_same_both_ways():
    """The tokens and rdflib's parse tree agree on the library: no SERVICE anywhere."""
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        assert sparqltext.parsed_service(text) is False, path
        assert not sparqltext.calls_service(text), path
