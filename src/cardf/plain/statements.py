"""One row per statement: record, field, value, language, source article, the exact words and offsets, disputed.

A record's own values are read from the graph of the article that defines it; what another
article reports, and what a hand-written claim attributes to a source, are read from their
claims (`cardf:claimAbout`, `cardf:claimProperty`, `cardf:claimValue`, `cardf:accordingTo`).
The computed agreement graph repeats the defining article's values as claims and is not read.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode

from ..iris import ONT, RDF, Minter
from ..schema import RECORD_KINDS
from .facts import Facts, Span

STATEMENT_FIELDS = ("record", "kind", "field", "value", "value_label", "language", "datatype", "article",
                    "according_to", "quote", "start", "end", "disputed", "record_iri", "property")
_SKIPPED = {RDF + "type", ONT + "reportedIn", ONT + "evidence", ONT + "hasParticipation", ONT + "hasDisagreement"}
_CLAIM = {ONT + "claimAbout", ONT + "claimProperty", ONT + "claimValue", ONT + "accordingTo", ONT + "conflictsWith"}


def statements(facts: Facts) -> Iterator[dict]:
    """Every statement of every article graph, article by article, record by record, in a fixed order."""
    disputed = facts.disputed()
    prefix = facts.minter.base + "graph/article/"
    graphs = sorted((g for g in facts.store.named_graphs() if isinstance(g, NamedNode) and g.value.startswith(prefix)),
                    key=lambda g: g.value)
    for graph in graphs:
        article = graph.value[len(prefix):]
        claims = []
        for kind in RECORD_KINDS:
            names = facts.field_names(kind)
            for record in facts.subjects_of_kind(kind, graph):
                if kind.name == "claims" or facts.first(record, NamedNode(ONT + "claimAbout"), graph) is not None:
                    claims.append(record)
                    continue
                spans = facts.evidence(record, graph)
                for q in sorted(facts.store.quads_for_pattern(record, None, None, graph), key=_order):
                    p = q.predicate.value
                    if p in _SKIPPED or p in _CLAIM:
                        continue
                    yield _row(facts, record, kind.name, names.get(p, _curie(p, facts.minter)), p, q.object,
                               article, "", spans, (record.value, p) in disputed)
        claims += sorted({q.subject for q in facts.store.quads_for_pattern(None, NamedNode(ONT + "claimAbout"), None,
                                                                            graph)} - set(claims), key=lambda s: s.value)
        for claim in claims:
            yield from _claim_rows(facts, claim, graph, article, disputed)


def _claim_rows(facts: Facts, claim, graph, article: str, disputed: set) -> Iterator[dict]:
    record = facts.first(claim, NamedNode(ONT + "claimAbout"), graph)
    prop = facts.first(claim, NamedNode(ONT + "claimProperty"), graph)
    if record is None or prop is None:
        return
    kind = facts.kind(record)
    names = facts.field_names(kind) if kind else {}
    source = facts.first(claim, NamedNode(ONT + "accordingTo"), graph)
    according = facts.slug(source) if isinstance(source, NamedNode) else ""
    spans = facts.evidence(claim, graph)
    for value in facts.objects(claim, NamedNode(ONT + "claimValue"), graph):
        yield _row(facts, record, kind.name if kind else "", names.get(prop.value, _curie(prop.value, facts.minter)),
                   prop.value, value, article, according, spans, (record.value, prop.value) in disputed)


def _row(facts: Facts, record, kind: str, field: str, p: str, value, article: str, according: str,
         spans: list[Span], disputed: bool) -> dict:
    literal = isinstance(value, Literal)
    return {
        "record": facts.slug(record), "kind": kind, "field": field,
        "value": value.value if isinstance(value, (Literal, NamedNode)) else f"_:{value.value}",
        "value_label": None if literal else facts.label(value),
        "language": value.language if literal and value.language else None,
        "datatype": _curie(value.datatype.value, facts.minter) if literal and not value.language else None,
        "article": article, "according_to": according or None,
        "quote": [s.quote for s in spans], "start": [s.start for s in spans], "end": [s.end for s in spans],
        "disputed": disputed, "record_iri": record.value, "property": _curie(p, facts.minter),
    }


def _order(q) -> tuple:
    o = q.object
    return (q.predicate.value, not isinstance(o, NamedNode), getattr(o, "language", None) or "", o.value)


def _curie(iri: str, minter: Minter) -> str:
    from ..render import short_iri

    return short_iri(iri, minter.prefixes())


def csv_cells(row: dict) -> list[str]:
    """A statement as CSV cells: several pieces of evidence joined (quotes by ` […] `, offsets by `;`)."""
    out = []
    for name in STATEMENT_FIELDS:
        value = row[name]
        if name == "quote":
            value = " […] ".join(value)
        elif name in ("start", "end"):
            value = ";".join("" if v is None else str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out.append("" if value is None else str(value))
    return out


def statement_schema() -> dict:
    """The JSON Schema of one statement (a line of the JSON Lines export)."""
    text = {"type": ["string", "null"]}
    offsets = {"type": "array", "items": {"type": ["integer", "null"]}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/cardf/schema/statement.json",
        "title": "cardf statement",
        "description": "One value of one field of one record, as one source gives it, with the words that state it.",
        "type": "object",
        "required": list(STATEMENT_FIELDS),
        "additionalProperties": False,
        "properties": {
            "record": {"type": "string", "description": "the record's id, as written in facts.yaml"},
            "kind": {"type": "string", "description": "the record's section of facts.yaml (events, figures, …)"},
            "field": {"type": "string", "description": "the field of facts.yaml that gives the value"},
            "value": {"type": "string", "description": "an IRI, or a literal's text"},
            "value_label": {**text, "description": "the IRI's label in the chosen language"},
            "language": {**text, "description": "the literal's language tag"},
            "datatype": {**text, "description": "the literal's datatype, e.g. xsd:date"},
            "article": {"type": "string", "description": "the slug of the article that states it"},
            "according_to": {**text, "description": "the source the article attributes it to, if not itself"},
            "quote": {"type": "array", "items": {"type": "string"}, "description": "the article's exact words"},
            "start": {**offsets, "description": "where each quote starts in article.txt (characters)"},
            "end": {**offsets, "description": "where each quote ends in article.txt (characters)"},
            "disputed": {"type": "boolean", "description": "whether the sources disagree about this field"},
            "record_iri": {"type": "string", "format": "iri"},
            "property": {"type": "string", "description": "the RDF property, as a prefixed name"},
        },
    }


__all__ = ["STATEMENT_FIELDS", "csv_cells", "statement_schema", "statements"]
