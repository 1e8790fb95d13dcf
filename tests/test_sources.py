"""sources: what the loader accepts, and how it turns it into values (the refusals are in fixtures/bad)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from cardf.errors import InputError
from cardf.iris import Minter
from cardf.mapping import map_corpus
from cardf.sources import load_corpus, load_vocabulary

from conftest import FIXTURES, ONTOLOGY, SHAPES, edit, run

VOCAB = load_vocabulary(ONTOLOGY)
XSD = "http://www.w3.org/2001/XMLSchema#"
ONT = "https://w3id.org/cardf/ontology#"
ARTICLE = "https://w3id.org/cardf/id/article/mini-article"


@pytest.fixture
def mini(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    return data


def facts(data: Path) -> Path:
    return data / "articles" / "mini-article" / "facts.yaml"


def objects(data: Path, subject: str, predicate: str) -> list:
    mapped = map_corpus(load_corpus(data, VOCAB), Minter())
    return [t.object for a in mapped.articles for t in a.triples
            if t.subject.value == subject and t.predicate.value == predicate]


@pytest.mark.parametrize("written, datatype", [
    ("2025-12-04T13:01:00+03:00", "dateTime"), ("2025-12-04T10:01:00Z", "dateTime"),
    ("2025-12-04T13:01:00.250-05:30", "dateTime"), ("2025-12-04T13:01:00+14:00", "dateTime"),
    ("2025-12-04", "date"), ('"2025-12-04"', "date"),
])
def test_published_is_a_full_date_time_or_a_date_alone(mini, written, datatype):
    edit(facts(mini), "published: 2025-12-04T13:01:00+03:00", f"published: {written}")
    (value,) = objects(mini, ARTICLE, ONT + "published")
    assert (value.value, value.datatype.value) == (written.strip('"'), XSD + datatype)


@pytest.mark.parametrize("written", ["2025-12-04T13:01", "2025-12-04T13:01:00", "20251204T130100+0300",
                                     "2025-12-04 13:01:00+03:00", "2025-12-04T13:01:00+0300", "2025-12",
                                     "2025-12-04T13:01:00+14:30", "2025-12-04T13:60:00+03:00",
                                     "2025-02-29T13:01:00+03:00", "04.12.2025"])
def test_published_in_any_other_form_is_refused_where_written(mini, written):
    edit(facts(mini), "published: 2025-12-04T13:01:00+03:00", f'published: "{written}"')
    with pytest.raises(InputError) as caught:
        load_corpus(mini, VOCAB)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.column, problem.field) == (facts(mini), 5, 14, "article.published")
    assert problem.message.startswith(f"`{written}` is not a")


def test_a_build_with_a_date_alone_conforms_and_writes_an_xsd_date(mini, tmp_path):
    edit(facts(mini), "published: 2025-12-04T13:01:00+03:00", "published: 2025-12-04")
    out = tmp_path / "dist"
    result = run("build", "--data", mini, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    line = f'<{ARTICLE}> <{ONT}published> "2025-12-04"^^<{XSD}date> .'
    assert line in (out / "cardf.nt").read_text(encoding="utf-8").splitlines()
    jsonld = {q.triple for q in parse((out / "cardf.jsonld").read_bytes(), format=RdfFormat.JSON_LD)}
    assert any(t.predicate.value == ONT + "published" and t.object.datatype.value == XSD + "date" for t in jsonld)


@pytest.mark.parametrize("value, refused", [('"2025-12-04T13:01:00+03:00"^^xsd:dateTime', False),
                                            ('"2025-12-04"^^xsd:date', False), ('"2025"^^xsd:gYear', True),
                                            ('"2025-12-04"', True)])
def test_the_shapes_take_a_date_time_or_a_date_for_published(tmp_path, value, refused):
    data = tmp_path / "article.ttl"
    data.write_text(f"@prefix cardf: <{ONT}> .\n@prefix xsd: <{XSD}> .\n"
                    f"<{ARTICLE}> a cardf:Article ; cardf:published {value} .\n", encoding="utf-8")
    result = run("validate", data, "--shapes", SHAPES, "--ontology", ONTOLOGY)
    assert result.exit_code == 1  # the article lacks its title, publisher, …
    assert ("cardf-shapes:Article-published" in result.output) is refused


def test_a_claim_gives_a_number_for_a_numeric_field(mini):
    edit(facts(mini), "opinions:\n", "claims:\n  - id: mini-claim-amount\n    claim_about: mini-investment\n"
                                     "    field: value\n    value: 4100000000\n    evidence: \"4,0 млрд. долларов\"\n\n"
                                     "opinions:\n")
    (value,) = objects(mini, "https://w3id.org/cardf/id/claim/mini-claim-amount", ONT + "claimValue")
    assert (value.value, value.datatype.value) == ("4100000000.0", XSD + "decimal")


def test_a_claim_value_quoted_as_a_string_is_not_a_number(mini):
    edit(facts(mini), "opinions:\n", "claims:\n  - id: mini-claim-amount\n    claim_about: mini-investment\n"
                                     "    field: value\n    value: \"4100000000\"\n"
                                     "    evidence: \"4,0 млрд. долларов\"\n\n"
                                     "opinions:\n")
    with pytest.raises(InputError) as caught:
        load_corpus(mini, VOCAB)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.field) == (53, 12, "claims[0].value")
    assert problem.message.startswith('as `value` of figures: expected a number, found the string "4100000000"')


def test_entities_are_read_first_then_articles_by_folder_name(mini):
    for slug in ("b-report", "a-report"):
        folder = mini / "articles" / slug
        folder.mkdir()
        (folder / "article.txt").write_text("Москва.\n", encoding="utf-8")
        (folder / "facts.yaml").write_text(
            f"article:\n  slug: {slug}\n  title: {{ru: Отчёт, en: Report}}\n  publisher: test-gazette\n"
            "  published: 2025-12-05\n  language: ru\n\nopinions:\n  - id: moscow\n"
            "    content: {ru: Москва, en: Moscow}\n    evidence: Москва\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_corpus(mini, VOCAB)
    blamed = [(Path(p.path).parent.name, p.message.split(";")[0]) for p in caught.value.problems]
    assert blamed == [
        ("a-report", f"id `moscow` is already defined at {mini / 'entities.yaml'}:30:5"),
        ("b-report", f"id `moscow` is already defined at {mini / 'entities.yaml'}:30:5"),
    ]
    (mini / "entities.yaml").write_text((mini / "entities.yaml").read_text(encoding="utf-8").replace(
        "  - id: moscow", "  - id: moskva"), encoding="utf-8")
    edit(facts(mini), "places: [moscow]", "places: [moskva]")
    with pytest.raises(InputError) as caught:
        load_corpus(mini, VOCAB)
    (problem,) = caught.value.problems  # a-report is read before b-report: b-report's record is the second
    assert (Path(problem.path).parent.name, problem.message.split(";")[0]) == \
        ("b-report", f"id `moscow` is already defined at {mini / 'articles' / 'a-report' / 'facts.yaml'}:9:5")
