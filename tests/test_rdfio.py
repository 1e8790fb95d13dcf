"""Reading RDF safely: what would blow up or hang the parsers is refused before parsing, by every command.

The hostile files run in a subprocess: if a guard failed, the entity bomb would take all
memory and the deep JSON-LD would crash the process, and that must fail one test, not the run.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from cardf import rdfio
from cardf.errors import InputError
from conftest import FIXTURES, ONTOLOGY, SHAPES, run

BAD_RDF = FIXTURES / "bad-rdf"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ENTITY = ("declares an XML entity (<!ENTITY …>); cardf never expands or fetches XML entities, which can blow a few "
          "lines up to gigabytes: write the values out in full")
DEEP_XML = ("nests XML elements more than 256 levels deep, which cardf does not read (the RDF/XML parser's time grows "
            "with the square of the depth)")
DEEP_JSON = "nests JSON more than 256 levels deep, which cardf does not read (the parser crashes a few thousand " \
    "levels down)"
DEEP_TERMS = ("nests RDF triple terms (<< … >>) more than 256 levels deep, which cardf does not read (the parser "
              "crashes some thousands of levels down)")


def context_work(terms: int, applied: int) -> str:
    return (f"would apply its JSON-LD contexts ({terms:,} term definitions) {applied:,} times, more work than cardf "
            "takes on for one file (contexts in many nodes, or scoped contexts used often, can keep the parser busy "
            "for hours); expand the JSON-LD or convert it to N-Quads first")


def nested_xml(levels: int) -> str:
    return (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/s">'
            + "<ex:p><rdf:Description>" * levels + "<ex:p>x</ex:p>" + "</rdf:Description></ex:p>" * levels
            + "</rdf:Description>\n</rdf:RDF>\n")


def nested_json(levels: int) -> str:
    return '{"@id": "http://example.org/s",\n "http://example.org/p": ' + '{"http://example.org/p": ' * levels \
        + '"x"' + "}" * levels + "}\n"


def nested_terms(levels: int, graph: bool = False) -> str:
    """RDF 1.2 triple terms inside triple terms: pyoxigraph crashes some twenty thousand levels down."""
    triple = ('<http://example.org/s> <http://example.org/p>\n ' + "<<( <http://example.org/s> <http://example.org/p> "
              * levels + "<http://example.org/o>" + " )>>" * levels)
    return triple + (" <http://example.org/g> .\n" if graph else " .\n")


def scoped_fanout(terms: int, uses: int) -> str:
    """A property-scoped context of `terms` terms, used `uses` times: quadratic work for a few hundred KB."""
    context = {"p": {"@id": "http://example.org/p",
                     "@context": {f"u{i}": f"http://example.org/u{i}" for i in range(terms)}}}
    graph = [{"@id": f"http://example.org/s{j}", "p": {"u0": "x"}} for j in range(uses)]
    return json.dumps({"@context": context, "@graph": graph}, indent=1)


def embedded_contexts(terms: int, nodes: int) -> str:
    """A big context, then a small context embedded in every node: each copies the big one."""
    graph = [{"@context": {"x": "http://example.org/x"}, "@id": f"http://example.org/s{j}", "x": "v"}
             for j in range(nodes)]
    return json.dumps({"@context": {f"t{i}": f"http://example.org/t{i}" for i in range(terms)}, "@graph": graph})


def type_scoped(terms: int, nodes: int) -> str:
    context = {f"t{i}": f"http://example.org/t{i}" for i in range(terms)}
    context["T"] = {"@id": "http://example.org/T", "@context": {"y": "http://example.org/y"}}
    graph = [{"@type": "T", "@id": f"http://example.org/s{j}", "y": "v"} for j in range(nodes)]
    return json.dumps({"@context": context, "@graph": graph})


def cardf(*args, limit_memory: bool = True) -> subprocess.CompletedProcess:
    """`cardf ARGS` in its own process, with 2 GiB of address space: a blow-up fails the test, not the run."""
    def limit():
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "cardf", *map(str, args)], capture_output=True, text=True,
                          timeout=120, preexec_fn=limit)


HOSTILE = {  # file name -> (content or fixture, message after "path:line:column: " or "path: ")
    "entity-bomb.rdf": (None, f"3:2: {ENTITY}"),
    "entity-after-comments.rdf": (None, f"9:3: {ENTITY}"),
    "entity-inside-root.rdf": (None, f"2:22: {ENTITY}"),
    "entity-in-a-dtd-comment.rdf": (None, f"2:26: {ENTITY}"),
    "external-entity.rdf": (None, f"2:21: {ENTITY}"),
    "deep.rdf": (nested_xml(20_000), f"2:{50 + 23 * 127 + 1}: {DEEP_XML}"),
    "deep.jsonld": (nested_json(4_000), f"2:{25 + 25 * 255 + 1}: {DEEP_JSON}"),
    "deep-terms.nt": (nested_terms(30_000), f"2:{2 + 50 * 256}: {DEEP_TERMS}"),
    "deep-terms.nq": (nested_terms(30_000, graph=True), f"2:{2 + 50 * 256}: {DEEP_TERMS}"),
    "deep-terms.ttl": (nested_terms(30_000), f"2:{2 + 50 * 256}: {DEEP_TERMS}"),
    "deep-terms.trig": ("<http://example.org/g> {\n" + nested_terms(30_000) + "}\n", f"3:{2 + 50 * 256}: {DEEP_TERMS}"),
    "scoped-fanout.jsonld": (scoped_fanout(3_000, 3_000), context_work(3_003, 3_002)),
    "embedded-contexts.jsonld": (embedded_contexts(3_000, 6_000), context_work(9_000, 6_001)),
    "type-scoped.jsonld": (type_scoped(3_000, 3_000), context_work(3_004, 3_002)),
}


def hostile(name: str, folder: Path) -> tuple[Path, str]:
    content, message = HOSTILE[name]
    if content is None:
        return BAD_RDF / name, message
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path, message


COMMANDS = {
    "validate": lambda f, tmp: ["validate", f, "--shapes", SHAPES, "--ontology", ONTOLOGY],
    "query --input": lambda f, tmp: ["query", "--input", f, "-e", "SELECT * WHERE { ?s ?p ?o }"],
    "load --store": lambda f, tmp: ["load", f, "--store", tmp / "store"],
    "diff": lambda f, tmp: ["diff", f, f],
    "stats": lambda f, tmp: ["stats", f],
    "ontology report --input": lambda f, tmp: ["ontology", "report", "--input", f, "--ontology", ONTOLOGY],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_entity_bomb_is_refused_by_every_command_that_reads_rdf(command, tmp_path):
    path, message = hostile("entity-bomb.rdf", tmp_path)
    result = cardf(*COMMANDS[command](path, tmp_path))
    assert (result.returncode, result.stderr, result.stdout) == (2, f"Error: {path}:{message}\n", "")
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_refused_before_parsing_with_a_located_message(name, tmp_path):
    path, message = hostile(name, tmp_path)
    result = cardf("query", "--input", path, "-e", "SELECT * WHERE { ?s ?p ?o }")
    separator = "" if message[0].isdigit() else " "
    assert (result.returncode, result.stderr, result.stdout) == (2, f"Error: {path}:{separator}{message}\n", "")


@pytest.mark.parametrize("name", ["deep.jsonld", "scoped-fanout.jsonld"])
def test_validate_and_load_refuse_json_ld_hazards_too(name, tmp_path):
    path, message = hostile(name, tmp_path)
    separator = "" if message[0].isdigit() else " "
    for command in ("validate", "load --store"):
        result = cardf(*COMMANDS[command](path, tmp_path))
        assert (result.returncode, result.stderr) == (2, f"Error: {path}:{separator}{message}\n"), command


# ----------------------------------------------------------------------------- what stays readable

def _read(tmp_path: Path, name: str, text: str) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return len(rdfio.read_quads(path))


def test_rdf_xml_with_a_doctype_but_no_entities_is_read(tmp_path):
    text = ('<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE rdf:RDF SYSTEM "rdf.dtd" '
            '[ <!ATTLIST rdf:Description rdf:about CDATA #IMPLIED> ]>\n'
            f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/a"><ex:b>&amp;&lt;&#233;</ex:b></rdf:Description>\n'
            '</rdf:RDF>\n')
    assert _read(tmp_path, "a.rdf", text) == 1


def test_nesting_up_to_the_limit_is_read(tmp_path):
    assert _read(tmp_path, "deep.rdf", nested_xml(rdfio.MAX_NESTING // 2 - 2)) == rdfio.MAX_NESTING // 2 - 1
    assert _read(tmp_path, "deep.jsonld", nested_json(rdfio.MAX_NESTING - 1)) == rdfio.MAX_NESTING
    assert _read(tmp_path, "empty.rdf", "") == 0


def test_brackets_inside_json_strings_do_not_count_as_nesting(tmp_path):
    text = json.dumps({"@id": "http://example.org/s", "http://example.org/p": "[{" * 5000 + '\\"' + "]}" * 10})
    assert _read(tmp_path, "strings.jsonld", text) == 1


@pytest.mark.parametrize("fmt, text", [
    ("ttl", "<http://example.org/s> <http://example.org/p> " + "[ <http://example.org/p> " * 100_000 + "1"
     + " ]" * 100_000 + " ."),
    ("ttl", "<http://example.org/s> <http://example.org/p> " + "( " * 100_000 + "1" + " )" * 100_000 + " ."),
    ("trig", "<http://example.org/g> { <http://example.org/s> <http://example.org/p> "
     + "[ <http://example.org/p> " * 100_000 + "1" + " ]" * 100_000 + " . }"),
])
def test_turtle_and_trig_nested_a_hundred_thousand_levels_deep_are_read(tmp_path, fmt, text):
    assert _read(tmp_path, f"deep.{fmt}", text) >= 100_001


def test_arrows_in_strings_iris_and_comments_neither_hide_nor_make_nesting(tmp_path):
    noise = '"' + ">>" * 400 + '" , """' + "<<\n" * 400 + '""" , ' + "'" + "<<" * 400 + "' "
    text = "# " + "<< " * 400 + "\n<http://example.org/s> <http://example.org/p> " + noise + ".\n"
    assert _read(tmp_path, "noise.ttl", text) == 3
    hidden = ('<http://example.org/s> <http://example.org/p> ' + '<<( <http://example.org/s> <http://example.org/p> '
              * 300 + '">>>>"' + " )>>" * 300 + " .\n")
    with pytest.raises(InputError) as err:
        _read(tmp_path, "hidden.nt", hidden)
    assert str(err.value).endswith(DEEP_TERMS)


def test_json_ld_with_a_few_small_contexts_is_read(tmp_path):
    assert _read(tmp_path, "a.jsonld", embedded_contexts(200, 200)) == 200
    assert _read(tmp_path, "b.jsonld", scoped_fanout(20, 500)) == 1000
    assert _read(tmp_path, "c.jsonld", type_scoped(50, 1000)) == 2000


def test_the_projects_own_json_ld_passes_the_checks(dist):
    assert len(rdfio.read_quads(dist / "cardf.jsonld")) == json.loads((dist / "report.json").read_text())[
        "triples"]["total"]


def test_hazard_in_bytes_says_why_and_where():
    data = (BAD_RDF / "entity-bomb.rdf").read_bytes()
    assert rdfio.hazard(data, RdfFormat.RDF_XML) == f"{ENTITY} (line 3, column 2)"
    assert rdfio.hazard(nested_json(300).encode(), RdfFormat.JSON_LD) == \
        f"{DEEP_JSON} (line 2, column {25 + 25 * 255 + 1})"
    assert rdfio.hazard(b"<http://example.org/s> <http://example.org/p> 1 .", RdfFormat.TURTLE) is None
    assert rdfio.hazard(nested_xml(10).encode(), RdfFormat.RDF_XML) is None


def test_broken_xml_is_refused_with_the_xml_parsers_located_reason(tmp_path):
    bad = tmp_path / "bad.rdf"
    bad.write_text(f'<rdf:RDF xmlns:rdf="{RDF}">\n  <rdf:Description>\n</rdf:RDF>\n', encoding="utf-8")
    result = run("query", "--input", bad, "-e", "SELECT * WHERE { ?s ?p ?o }")
    assert (result.exit_code, result.output) == (2, f"Error: {bad}:3:3: RDF syntax error: mismatched tag\n")
