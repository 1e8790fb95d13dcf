"""Many reports of one record: the build finds where the sources agree and where they do not (build.agreement)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ONTOLOGY, SHAPES, edit, run

MULTI = FIXTURES / "multi"
ONT = "https://w3id.org/cardf/ontology#"
ID = "https://w3id.org/cardf/id/"
AGREEMENT = "https://w3id.org/cardf/graph/agreement"


def build(data: Path, out: Path):
    return run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "--quiet")


@pytest.fixture(scope="module")
def quads(tmp_path_factory) -> list[ox.Quad]:
    out = tmp_path_factory.mktemp("multi") / "dist"
    assert build(MULTI, out).exit_code == 0
    return list(ox.parse(path=str(out / "cardf.nq"), format=ox.RdfFormat.N_QUADS))


def objects(quads, subject: str, predicate: str, graph: str | None = None) -> set[str]:
    return {str(q.object) for q in quads if q.subject.value == subject and q.predicate.value == ONT + predicate
            and (graph is None or q.graph_name.value == graph)}


def test_the_fields_the_sources_give_differently_are_disagreements_and_only_those(quads):
    disputed = {q.object.value.rsplit("#", 1)[1] for q in quads if q.predicate.value == ONT + "disputedProperty"}
    assert disputed == {"endDate", "eventType", "amount", "qualifier"}  # start, place, currency: all alike
    visit = ID + "event/visit-putin-kyrgyzstan"
    assert objects(quads, visit, "hasDisagreement") == {f"<{ID}disagreement/visit-putin-kyrgyzstan--end>",
                                                        f"<{ID}disagreement/visit-putin-kyrgyzstan--type>"}


def test_a_disagreement_holds_every_sources_claim_with_its_value(quads):
    node = ID + "disagreement/visit-putin-kyrgyzstan--end"
    claims = objects(quads, node, "hasClaim")
    values = {c: objects(quads, c[1:-1], "claimValue") for c in claims}
    by_source = {next(iter(objects(quads, c[1:-1], "accordingTo"))).rsplit("/", 1)[1][:-1]: v for c, v in values.items()}
    date = "^^<http://www.w3.org/2001/XMLSchema#date>"
    assert by_source == {"multi-analysis": {f'"2025-11-26"{date}'}, "multi-agency": {f'"2025-11-27"{date}'},
                         "multi-local-press": {f'"2025-11-26"{date}'}}


def test_claims_conflict_only_where_their_values_differ(quads):
    agency, local, analysis = (f"{ID}claim/visit-putin-kyrgyzstan--end--{s}"
                               for s in ("multi-agency", "multi-local-press", "multi-analysis"))
    assert objects(quads, agency, "conflictsWith") == {f"<{local}>", f"<{analysis}>"}
    assert objects(quads, local, "conflictsWith") == {f"<{agency}>"}


def test_the_record_keeps_the_defining_articles_value_in_the_union(quads):
    union = {q.triple for q in quads}
    ends = {t.object.value for t in union if t.subject.value == ID + "event/visit-putin-kyrgyzstan"
            and t.predicate.value == ONT + "endDate"}
    assert ends == {"2025-11-26"}


def test_a_value_only_reports_give_and_agree_on_becomes_the_records(quads):
    figure = ID + "figure/trade-russia-kyrgyzstan-2024"
    assert objects(quads, figure, "attributedTo", AGREEMENT) == {f"<{ID}person/sadyr-japarov>"}


def test_each_reporting_article_keeps_its_words_and_claims_in_its_own_graph(quads):
    graph = "https://w3id.org/cardf/graph/article/multi-agency"
    mine = [q for q in quads if q.graph_name.value == graph]
    assert {q.subject.value for q in mine if q.predicate.value == ONT + "claimAbout"} >= {
        f"{ID}claim/visit-putin-kyrgyzstan--end--multi-agency", f"{ID}claim/visit-putin-kyrgyzstan--type--multi-agency"}
    assert not [q for q in mine if q.subject.value == ID + "event/visit-putin-kyrgyzstan"
                and q.predicate.value in (ONT + "endDate", ONT + "eventType")]  # values only as claims


def test_when_the_reports_come_to_agree_the_disagreement_goes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MULTI, data)
    edit(data / "articles" / "multi-agency" / "facts.yaml", "end: 2025-11-27", "end: 2025-11-26")
    edit(data / "articles" / "multi-agency" / "facts.yaml", "type: state-visit", "type: official-visit")
    edit(data / "articles" / "multi-local-press" / "facts.yaml", "type: state-visit", "type: official-visit")
    assert build(data, tmp_path / "dist").exit_code == 0
    found = [q for q in ox.parse(path=str(tmp_path / "dist" / "cardf.nq"), format=ox.RdfFormat.N_QUADS)
             if q.subject.value.startswith(ID + "disagreement/visit-")]
    assert found == []
