"""The documentation page: every class on it, both languages, self-contained and byte-stable."""

from __future__ import annotations

import html
import re

import pytest

from cardf import docs
from cardf.iris import ONT, OWL, RDF
from cardf.ontology import load_ontology_quads

from conftest import DATA, FIXTURES, ONTOLOGY, SHAPES

GOOD = FIXTURES / "ontology" / "good"


@pytest.fixture(scope="module")
def page() -> docs.Docs:
    return docs.build(ONTOLOGY, SHAPES, DATA)


def classes() -> list[str]:
    return sorted(t.subject.value for t in load_ontology_quads(ONTOLOGY)
                  if t.predicate.value == RDF + "type" and t.object.value == OWL + "Class"
                  and t.subject.value.startswith(ONT))


def test_every_class_has_a_section_with_both_labels(page):
    names = classes()
    assert len(names) >= 20
    for iri in names:
        local = iri[len(ONT):]
        m = re.search(rf'<section class="term" id="{local}"><h3>([^<]+) <span class="ru" lang="ru">· ([^<]+)</span>',
                      page.html)
        assert m, f"no section for {local}"
        assert html.unescape(m.group(1)) and html.unescape(m.group(2))


def test_every_class_is_a_box_in_the_diagram(page):
    assert page.renderer == "graphviz-pure"
    assert '<svg role="img" aria-label="cardf class diagram" class="diagram"' in page.html
    for iri in classes():
        assert f'xlink:href="#{iri[len(ONT):]}"' in page.svg


def test_the_page_teaches_definitions_alignments_shapes_and_examples(page):
    figure = page.html[page.html.index('id="Figure"'):]
    figure = figure[:figure.index("</section>")]
    assert "A number that a text states" in figure  # English definition
    assert 'lang="ru"' in figure and "Число, приведённое в тексте" in figure
    assert 'href="https://schema.org/Observation"' in figure  # alignment
    assert "Shapes" in figure and "cardf:amount" in figure  # a property shape on it
    assert "instances in the data" in figure and "figure:" in figure  # examples
    amount = page.html[page.html.index('id="amount"'):]
    assert "<th>Range</th><td><a href=\"http://www.w3.org/2001/XMLSchema#decimal\"" in amount[:4000]


def test_the_page_loads_nothing_from_the_network(page):
    assert "<script" not in page.html
    assert not re.search(r"<link[^>]+href=\"(?!data:)", page.html)
    assert not re.search(r"<img|@import|url\(|<iframe|<object|<embed", page.html)
    assert not re.search(r'\ssrc="', page.html)


def test_same_ontology_same_bytes(page):
    again = docs.build(ONTOLOGY, SHAPES, DATA)
    assert again.html == page.html and again.svg == page.svg and again.dot == page.dot


def test_without_a_renderer_the_page_shows_the_dot_source():
    built = docs.build(GOOD / "ontology", GOOD / "shapes", GOOD / "data.ttl", renderer=None)
    assert built.svg is None
    assert "The diagram could not be drawn on this machine" in built.html
    assert '<pre class="dot">digraph cardf {' in built.html
    assert built.notes == ["no Graphviz renderer found (pip install graphviz-pure, or install Graphviz): the page "
                           "shows the diagram's DOT source instead of the drawing"]


def test_small_ontology_page(tmp_path):
    built = docs.build(GOOD / "ontology", GOOD / "shapes", GOOD / "data.ttl")
    files = docs.write(built, tmp_path / "site", b"# ontology\n")
    assert files == ["class-diagram.dot", "class-diagram.svg", "index.html", "ontology.ttl"]
    text = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Test ontology</title>" in text
    assert '<p class="muted">1 instance in the data:</p>' in text
    assert "(<a href=\"#Event\" title=\"Event\"><code>cardf:Event</code></a>)" in text  # a one-member union
    assert "<code>cs:Event</code> on <a href=\"#Event\"" in text  # the shape on the property
    assert '<tr id="vocab-event-type-summit"><td><code>summit</code></td><td>summit</td><td lang="ru">саммит</td>' \
        in text
