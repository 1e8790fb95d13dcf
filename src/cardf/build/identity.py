"""The identity check: a record that looks like another is probably one thing in the world written twice.

Two records of one kind look alike when they have the same type, dates that overlap, and a
participant, host, guest, party or place in common. Then the later one (in reading order) gets a
warning naming both places: reuse the earlier record's id with `report:`, or say
`distinct_from: [id]` when they really are two things.

This runs over the records' signatures, bucketed by day, so that it stays linear in the corpus;
the same check written as a SHACL-SPARQL shape joins every record with every other one that
shares a participant, which grows with the square of the corpus (one head of state takes part
in thousands of events).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..schema import ALL_KINDS
from ..shacl.report import Finding
from ..sources import Article, PartialDate, Record
from ..sources.model import positional

SHAPE = "https://w3id.org/cardf/shapes#Record-identity"
CONSTRAINT = "IdentityCheck"
MAX_DAYS = 62  # a longer span (a year, a decade) says too little about which event it is
TYPE_FIELD = {"events": "type", "documents": "type", "decisions": "type", "commitments": "type",
              "figures": "indicator", "document_sets": "count"}
DATE_FIELDS = {"events": ("start", "end"), "documents": ("date", "date"), "decisions": ("period", None),
               "commitments": ("date", "date"), "figures": ("period", None), "document_sets": (None, None)}
SHARED_FIELDS = ("hosts", "guests", "places", "signatories", "committed_by", "committed_to", "adopted_by", "from", "to",
                 "signed_at", "adopted_at", "about")


@dataclass(frozen=True)
class Signature:
    """What the identity check needs of a record (small, kept in the build's cache)."""

    id: str
    kind: str
    type: str
    first: str  # ISO date
    last: str
    shared: frozenset[str]  # agents and places (and, for documents, events)
    distinct: frozenset[str]
    label: str  # English label, for the message
    origin: tuple  # (file, line, column): plain values, which the cache loads far quicker than an Origin's Path
    order: tuple  # (article slug, position): the reading order

    __reduce__ = positional


def signatures(article: Article) -> tuple[Signature, ...]:
    out = []
    for position, r in enumerate(article.defined):
        sig = _signature(r, (article.slug, position))
        if sig is not None:
            out.append(sig)
    return tuple(out)


def _signature(r: Record, order: tuple) -> Signature | None:
    if r.kind.name not in TYPE_FIELD or TYPE_FIELD[r.kind.name] not in r.values:
        return None
    start_field, end_field = DATE_FIELDS[r.kind.name]
    first = last = None
    if start_field is not None and start_field in r.values:
        value = r.values[start_field]
        if hasattr(value, "start"):  # a period
            first, last = value.start, value.end
        else:
            first = value
            last = r.values.get(end_field, value) if end_field else value
    if first is None:
        return None
    shared = set()
    for name in SHARED_FIELDS:
        value = r.values.get(name)
        if value:
            shared.update(value if isinstance(value, list) else [value])
    shared.update(p.values["agent"] for p in r.participants if "agent" in p.values)
    if not shared:
        return None
    label = (r.values.get("label") or {}).get("en", "")
    return Signature(r.id, r.kind.name, str(r.values[TYPE_FIELD[r.kind.name]]), _day(first, False), _day(last, True),
                     frozenset(shared), frozenset(r.values.get("distinct_from") or ()), label,
                     (str(r.origin.path), r.origin.line, r.origin.column), order)


def _day(d: PartialDate, end: bool) -> str:
    """The first (or last) day a partial date can mean."""
    parts = [int(p) for p in d.lexical.split("-")]
    if len(parts) == 3:
        return d.lexical
    year, month = parts[0], parts[1] if len(parts) == 2 else (12 if end else 1)
    if not end:
        return f"{year:04d}-{month:02d}-01"
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).isoformat()


def look_alikes(all_signatures, iri_of) -> list[Finding]:
    """A warning on the later of every two records that look like one thing written twice."""
    buckets: dict[tuple, list[Signature]] = {}
    for s in all_signatures:
        first, last = dt.date.fromisoformat(s.first), dt.date.fromisoformat(s.last)
        if (last - first).days > MAX_DAYS or last < first:
            continue
        day = first
        while day <= last:
            buckets.setdefault((s.kind, s.type, day), []).append(s)
            day += dt.timedelta(days=1)
    pairs: set[tuple[Signature, Signature]] = set()
    for group in buckets.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda s: s.order)
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.id != b.id and a.shared & b.shared and b.id not in a.distinct and a.id not in b.distinct:
                    pairs.add((a, b))
    findings = []
    for earlier, later in sorted(pairs, key=lambda p: (p[1].order, p[0].order)):
        segment = ALL_KINDS[later.kind].segment
        file, line, column = later.origin
        findings.append(Finding(
            severity="Warning", focus=iri_of(later.id), focus_label=later.label or None, path=None,
            value=iri_of(earlier.id),
            message=(f"looks like {segment}:{earlier.id} (defined at {_where(earlier.origin)}): same type, "
                     f"overlapping dates and {', '.join(sorted(earlier.shared & later.shared))} in common. If both are one "
                     f"thing in the world, keep {earlier.id} and write `report: {earlier.id}` here; if they are "
                     f"two, say `distinct_from: [{earlier.id}]`"),
            shape=SHAPE, constraint=CONSTRAINT, source=_where(later.origin), file=file,
            line=line, column=column, value_is_literal=False))
    return findings


def _where(origin: tuple) -> str:
    """file:line:column, as an Origin prints itself."""
    return ":".join(map(str, origin))
