"""`cardf export`: the built facts as statements (CSV, TSV, JSON Lines) and as nested records with a JSON Schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from conftest import DATA, FIXTURES, ONTOLOGY, SHAPES, run


@pytest.fixture(scope="module")
def multi(tmp_path_factory) -> Path:
    """The multi-source fixture built: three reports of one visit that disagree on its type and end date."""
    out = tmp_path_factory.mktemp("multi") / "out"
    result = run("build", "--data", FIXTURES / "multi", "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    return out


def export(out: Path, *args: str):
    result = run("export", "--out", out, *args)
    assert result.exit_code == 0, result.output
    return result


def statements(out: Path, *args: str) -> list[dict]:
    return [json.loads(line) for line in export(out, "--format", "statements", "--as", "ndjson", *args).stdout
            .splitlines()]


def test_every_statement_carries_the_exact_words_at_their_offsets(dist):
    rows = statements(dist)
    assert len(rows) > 500
    texts = {p.parent.name: p.read_text(encoding="utf-8") for p in (DATA / "articles").glob("*/article.txt")}
    quoted = [r for r in rows if r["quote"]]
    assert len(quoted) > 0.9 * len(rows)
    for r in quoted:
        for quote, start, end in zip(r["quote"], r["start"], r["end"]):
            assert texts[r["article"]][start:end] == quote, r


def test_a_statement_row_in_csv(dist):
    text = export(dist, "--format", "statements").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["record", "kind", "field", "value", "value_label", "language", "datatype", "article",
                             "according_to", "quote", "start", "end", "disputed", "record_iri", "property"]
    visit = [r for r in rows if r["record"] == "visit-tokayev-russia-2025-11" and r["field"] == "start"]
    assert len(visit) == 1
    assert (visit[0]["value"], visit[0]["datatype"], visit[0]["disputed"]) == ("2025-11-11", "xsd:date", "false")
    assert visit[0]["kind"] == "events" and visit[0]["property"] == "cardf:startDate"


def test_labels_of_values_in_the_language_asked(dist):
    def host(lang: str) -> str:
        (row,) = [r for r in statements(dist, "--lang", lang)
                  if r["record"] == "visit-tokayev-russia-2025-11" and r["field"] == "places"]
        return row["value_label"]
    assert (host("en"), host("ru")) == ("Moscow", "Москва")


def test_the_sources_disagreements_are_marked_on_each_sources_statement(multi):
    disputed = sorted((r["record"], r["field"], r["article"], str(r["value"]))
                      for r in statements(multi) if r["disputed"] and r["record"] == "visit-putin-kyrgyzstan")
    assert disputed == [
        ("visit-putin-kyrgyzstan", "end", "multi-agency", "2025-11-27"),
        ("visit-putin-kyrgyzstan", "end", "multi-analysis", "2025-11-26"),
        ("visit-putin-kyrgyzstan", "end", "multi-local-press", "2025-11-26"),
        ("visit-putin-kyrgyzstan", "type", "multi-agency", "https://w3id.org/cardf/vocab/event-type/state-visit"),
        ("visit-putin-kyrgyzstan", "type", "multi-analysis", "https://w3id.org/cardf/vocab/event-type/official-visit"),
        ("visit-putin-kyrgyzstan", "type", "multi-local-press", "https://w3id.org/cardf/vocab/event-type/state-visit"),
    ]
    start = [r for r in statements(multi) if r["record"] == "visit-putin-kyrgyzstan" and r["field"] == "start"]
    assert start and not any(r["disputed"] for r in start)  # every source gives the 25th


def test_records_are_nested_documents_that_their_schema_accepts(dist):
    records = json.loads(export(dist, "--format", "records").stdout)
    schema = json.loads(export(dist, "--format", "records", "--schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert [f"{r['id']}: {e.message}" for r in records for e in validator.iter_errors(r)][:5] == []
    (visit,) = [r for r in records if r["id"] == "visit-tokayev-russia-2025-11"]
    assert (visit["kind"], visit["start"], visit["end"]) == ("events", "2025-11-11", "2025-11-12")
    assert {p["agent"]["label"] for p in visit["participants"]} >= {"Kassym-Jomart Tokayev", "Vladimir Putin"}
    assert visit["places"] == [{"id": "moscow", "kind": "place", "label": "Moscow"}]


def test_a_record_the_schema_refuses(dist):
    schema = json.loads(export(dist, "--format", "records", "--schema").stdout)
    records = json.loads(export(dist, "--format", "records").stdout)
    broken = dict(next(r for r in records if r["kind"] == "events"))
    del broken["evidence"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_statements_have_a_schema_too(dist):
    schema = json.loads(export(dist, "--format", "statements", "--schema").stdout)
    validator = jsonschema.Draft202012Validator(schema)
    assert [e.message for r in statements(dist) for e in validator.iter_errors(r)][:5] == []


def test_records_of_a_disputed_event_name_the_disputed_fields(multi):
    records = json.loads(export(multi, "--format", "records").stdout)
    (visit,) = [r for r in records if r["id"] == "visit-putin-kyrgyzstan"]
    assert sorted(visit["disputed"]) == ["end", "type"]
    assert {e["article"] for e in visit["evidence"]} == {"multi-agency", "multi-analysis", "multi-local-press"}


def test_a_missing_build_says_what_to_do(tmp_path):
    result = run("export", "--out", tmp_path / "nothing", "--format", "records")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path / 'nothing'}")
    assert "cardf build" in result.stderr and result.stdout == ""
