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
    s.bulk_extend(Quad(NamedNode(f"http://e/s{i}"), p, Literal(f'v "{i}",\n' if i % 7 else str(i), language="en"
                                                                 if i % 3 else None)) for i in range(2 * results.BLOCK + 17))
    return s


QUERY = "SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <http://e/q> ?none } } ORDER BY ?s"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_blocks_join_into_the_whole_answer(store, fmt):
    whole = store.query(QUERY).serialize(format=FORMATS[fmt]) + (b"\n" if fmt == "json" else b"")
    parts: list[bytes] = []
    count = results.write_answer(results.answer_of(store.query(QUERY)), results.Output(fmt), parts.append)
    assert count == 2 * results.BLOCK + 17
    assert len(parts) >= 3  # one piece per block of rows, written as it came
    assert b"".join(parts) == whole


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
