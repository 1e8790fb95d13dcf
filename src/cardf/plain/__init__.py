"""The facts for people who do not speak RDF: one row per statement, and nested JSON records.

Both are read back from a build (its store, else its cardf.nq), so that they say exactly what
the RDF says, for every record kind that schema.py describes:

- `statements`: one row per (record, field, value, language, source article), with the exact
  words that state it, their offsets, and whether the sources disagree about that field
  (`cardf:hasDisagreement`, or hand-written claims that conflict) — the way FollowTheMoney
  publishes statements;
- `records`: each fact as a JSON document — an event with its participants, places, dates and
  the documents signed at it; a figure with its amount and period — with labels in one
  language, and a JSON Schema for the documents (`records.json_schema`).
"""

from __future__ import annotations

from .facts import Facts, open_build
from .records import json_schema, records
from .statements import STATEMENT_FIELDS, statement_schema, statements

__all__ = ["Facts", "STATEMENT_FIELDS", "json_schema", "open_build", "records", "statement_schema", "statements"]
