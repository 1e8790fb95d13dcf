"""results: an answer written block by block is byte for byte the answer written whole."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, Store

from cardf import results

FORMATS = {"csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV, "json": QueryResultsFormat.JSON}


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    p = NamedNode("http://e/p")
    s.bulk_extend(Quad(NamedNode(f"http://e/s{i}"), p, Literal(f'v "{i}",\n' if i % 7 else str(i),
                                                                 language="en" if i % 3 else None))
                  for i in range(2 * results.BLOCK + 17))
    return s


QUERY = "SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <http://e/q> ?none } } ORDER BY ?s"


@pytest.mark.parametrize("live", [True, False], ids=["straight from the query", "rows in blocks"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pieces_join_into_the_whole_answer(store, fmt, live):
    whole = store.query(QUERY).serialize(format=FORMATS[fmt]) + (b"\n" if fmt == "json" else b"")
    answer = results.answer_of(store.query(QUERY))
    if not live:  # as an endpoint's answer comes: rows only
        answer = results.Answer("SELECT", answer.variables, list(answer.rows))
    parts: list[bytes] = []
    count = results.write_answer(answer, results.Output(fmt), parts.append)
    assert count == 2 * results.BLOCK + 17
    assert len(parts) >= 3  # written as it came, not in one piece
    assert b"".join(parts) == whole
    if fmt != "json":
        parts.clear()
        results.write_answer(results.answer_of(store.query(QUERY)), results.Output(fmt, headers=False), parts.append)
        assert b"".join(parts) == whole.split(b"\n", 1)[1]


def test_csv_rows_are_counted_whatever_their_values_hold():
    store = Store()
    values = ['a\r\nb', 'q"\r\n"', "\n\n", '""', ",", "plain"] * 3000
    store.bulk_extend(Quad(NamedNode(f"http://e/{i}"), NamedNode("http://e/p"), Literal(v))
                      for i, v in enumerate(values))
    for fmt in ("csv", "tsv"):
        count = results.write_answer(results.answer_of(store.query("SELECT * { ?s ?p ?o }")), results.Output(fmt),
                                     lambda data: None)
        assert count == len(values)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_empty_answer_is_a_header_alone(fmt):
    parts: list[bytes] = []
    assert results.write_answer(results.answer_of(Store().query("SELECT ?x WHERE { ?x ?p ?o }")),
                                results.Output(fmt), parts.append) == 0
    assert b"".join(parts) == Store().query("SELECT ?x WHERE { ?x ?p ?o }").serialize(format=FORMATS[fmt]) + (
        b"\n" if fmt == "json" else b"")


def test_a_long_table_keeps_the_first_blocks_widths(store):
    parts: list[bytes] = []
    results.write_answer(results.answer_of(store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")),
                         results.Output("table"), parts.append)
    lines = b"".join(parts).decode().splitlines()
    assert lines[1] == "-" * len("<http://e/s1000>")  # in string order, s1000 is in the first block
    assert len(lines) == 2 + 2 * results.BLOCK + 17
