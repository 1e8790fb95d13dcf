"""Each fact as a nested JSON document, with labels in one language, and the JSON Schema of those documents.

Fields keep their facts.yaml names. A reference is `{id, kind, label}`, a code `{code, scheme,
label}`, a text the string in the chosen language, a period `{start, end}`, a participant
`{agent, role, office, represents}`, evidence `{article, quote, start, end}`. Events also list
the documents signed at them. `disputed` names the fields the sources disagree about, each
with every source's value (`{value, according_to, article}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode

from ..iris import ONT
from ..mapping import predicate
from ..schema import PARTICIPANT_FIELDS, RECORD_KINDS, Field, Kind
from .facts import Facts

_ONE = {"ref", "concept", "text", "date", "datetime", "decimal", "integer", "url", "str", "en", "currency", "period",
        "language", "qid", "id"}
_SIGNED_AT = NamedNode(ONT + "signedAt")


def records(facts: Facts, kinds: tuple[Kind, ...] = RECORD_KINDS) -> Iterator[dict]:
    """Every record of the given kinds (all the fact kinds by default), kind by kind, by id."""
    disputed = facts.disputed()
    for kind in kinds:
        for record in facts.subjects_of_kind(kind):
            yield document(facts, kind, record, disputed)


def document(facts: Facts, kind: Kind, record: NamedNode, disputed: set | None = None) -> dict:
    doc: dict = {"id": facts.slug(record), "kind": kind.name, "label": facts.label(record)}
    for f in kind.fields:
        if f.name in ("id", "label", "evidence"):
            continue
        if f.name == "participants":
            doc[f.name] = [_participant(facts, node) for node in
                           facts.objects(record, NamedNode(ONT + "hasParticipation"))]
        elif f.name == "parties" and kind.name == "relationships":
            status = facts.first(record, NamedNode(ONT + "statusOf"))
            doc[f.name] = [facts.ref(p) for p in facts.objects(status, NamedNode(ONT + "party"))] if status else []
        elif f.name == "text" and kind.name == "quotes":
            doc[f.name] = facts.text(facts.objects(record, NamedNode(ONT + "quoteText")))
        elif f.predicate is not None:
            doc[f.name] = _value(facts, f, facts.objects(record, predicate(f)))
    if kind.name == "events":
        signed = sorted({q.subject for q in facts.store.quads_for_pattern(None, _SIGNED_AT, record, None)},
                        key=lambda s: s.value)
        doc["documents"] = [facts.ref(s) for s in signed]
    doc["evidence"] = [{"article": s.article, "quote": s.quote, "start": s.start, "end": s.end}
                       for s in facts.evidence(record)]
    doc["articles"] = [facts.slug(a) for a in facts.objects(record, NamedNode(ONT + "reportedIn"))]
    doc["disputed"] = _disputes(facts, kind, record, disputed if disputed is not None else facts.disputed())
    doc["iri"] = record.value
    return doc


def _value(facts: Facts, f: Field, values: list):
    if f.type in ("text", "en"):
        return facts.text(values)
    if f.type == "texts":
        wanted = [v for v in values if isinstance(v, Literal) and v.language == facts.lang]
        return [v.value for v in (wanted or [v for v in values if isinstance(v, Literal) and v.language == "en"])]
    converted = [_plain(facts, f, v) for v in values]
    if f.type in _ONE:
        return converted[0] if converted else None
    return converted


def _plain(facts: Facts, f: Field, term):
    if f.type == "period":
        start = facts.first(term, NamedNode(ONT + "startDate"))
        end = facts.first(term, NamedNode(ONT + "endDate"))
        return {"start": start.value if start else None, "end": end.value if end else None}
    if isinstance(term, NamedNode):
        return facts.ref(term)
    if f.type == "integer":
        return int(term.value)
    if f.type == "decimal":
        try:
            number = Decimal(term.value)
        except InvalidOperation:
            return term.value
        return int(number) if number == number.to_integral_value() else float(number)
    return term.value


def _participant(facts: Facts, node) -> dict:
    return {f.name: _value(facts, f, facts.objects(node, predicate(f))) for f in PARTICIPANT_FIELDS}


def _disputes(facts: Facts, kind: Kind, record: NamedNode, disputed: set) -> dict:
    props = sorted(p for r, p in disputed if r == record.value)
    if not props:
        return {}
    names = facts.field_names(kind)
    out: dict = {}
    claims = sorted({q.subject for q in facts.store.quads_for_pattern(None, NamedNode(ONT + "claimAbout"), record,
                                                                      None)}, key=lambda s: s.value)
    for p in props:
        accounts = []
        for claim in claims:
            if facts.first(claim, NamedNode(ONT + "claimProperty")) != NamedNode(p):
                continue
            source = facts.first(claim, NamedNode(ONT + "accordingTo"))
            article = facts.first(claim, NamedNode(ONT + "reportedIn"))
            for value in facts.objects(claim, NamedNode(ONT + "claimValue")):
                accounts.append({"value": facts.ref(value) if isinstance(value, NamedNode) else value.value,
                                 "according_to": facts.slug(source) if isinstance(source, NamedNode) else None,
                                 "article": facts.slug(article) if isinstance(article, NamedNode) else None})
        out[names.get(p, p)] = sorted(accounts, key=lambda a: (str(a["according_to"]), str(a["value"])))
    return out


# ----------------------------------------------------------------------------- JSON Schema

_REF = {"type": "object", "properties": {"id": {"type": "string"}, "kind": {"type": "string"},
                                         "label": {"type": ["string", "null"]}}, "required": ["id", "kind", "label"]}
_CODE = {"type": "object", "properties": {"code": {"type": "string"}, "scheme": {"type": "string"},
                                          "label": {"type": ["string", "null"]}}, "required": ["code", "scheme"]}
_TYPES = {
    "ref": {"$ref": "#/$defs/ref"}, "concept": {"$ref": "#/$defs/code"},
    "text": {"type": "string"}, "en": {"type": "string"}, "str": {"type": "string"}, "currency": {"type": "string"},
    "url": {"type": "string", "format": "uri"}, "date": {"type": "string", "pattern": r"^-?\d{4}(-\d{2}(-\d{2})?)?$"},
    "datetime": {"type": "string"}, "decimal": {"type": "number"}, "integer": {"type": "integer"},
    "period": {"type": "object", "properties": {"start": {"type": ["string", "null"]},
                                                "end": {"type": ["string", "null"]}}},
}


def _field_schema(f: Field) -> dict:
    if f.type == "refs":
        return {"type": "array", "items": {"$ref": "#/$defs/ref"}}
    if f.type == "concepts":
        return {"type": "array", "items": {"$ref": "#/$defs/code"}}
    if f.type == "texts":
        return {"type": "array", "items": {"type": "string"}}
    if f.type == "participants":
        return {"type": "array", "items": {"type": "object", "properties": {
            p.name: {"anyOf": [_field_schema(p), {"type": "null"}]} for p in PARTICIPANT_FIELDS}}}
    return {"anyOf": [_TYPES.get(f.type, {"type": "string"}), {"type": "null"}]}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a record document, one alternative per kind, from schema.py."""
    kinds = {}
    for kind in RECORD_KINDS:
        props: dict = {"id": {"type": "string"}, "kind": {"const": kind.name}, "label": {"type": ["string", "null"]},
                       "iri": {"type": "string", "format": "iri"}}
        for f in kind.fields:
            if f.name not in ("id", "label", "evidence"):
                props[f.name] = {**_field_schema(f), "description": f.doc} if f.doc else _field_schema(f)
        if kind.name == "events":
            props["documents"] = {"type": "array", "items": {"$ref": "#/$defs/ref"},
                                  "description": "documents signed or adopted at the event"}
        props["evidence"] = {"type": "array", "items": {"$ref": "#/$defs/evidence"}}
        props["articles"] = {"type": "array", "items": {"type": "string"}, "description": "articles that report it"}
        props["disputed"] = {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref":
                             "#/$defs/account"}}, "description": "fields the sources disagree about, with each value"}
        kinds[kind.name] = {"type": "object", "title": kind.doc, "properties": props,
                            "required": ["id", "kind", "label", "iri", "evidence", "articles", "disputed"],
                            "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/cardf/schema/record.json",
        "title": "cardf record",
        "description": "A fact of a news article about diplomacy (cardf export --format records).",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in kinds],
        "$defs": {
            "ref": _REF, "code": _CODE,
            "evidence": {"type": "object", "properties": {"article": {"type": "string"}, "quote": {"type": "string"},
                                                          "start": {"type": ["integer", "null"]},
                                                          "end": {"type": ["integer", "null"]}},
                         "required": ["article", "quote", "start", "end"]},
            "account": {"type": "object", "properties": {"value": {}, "according_to": {"type": ["string", "null"]},
                                                         "article": {"type": ["string", "null"]}}},
            **kinds,
        },
    }
