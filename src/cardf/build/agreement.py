"""Many reports of one record, put side by side: where the sources agree, and where they do not.

An article that reports a record defined elsewhere (`report: ID`) gives its values as claims
in its own graph. Here the build compares them, field by field, with the values of the article
that defines the record, and writes what it finds into one computed graph (`graph/agreement`):

- the defining article's own account of each reported field, as a claim like the reports'
  (`claim:<id>--<field>--<article>`), with that article's evidence of the record;
- where the accounts differ, a `cardf:Disagreement` (`disagreement:<id>--<field>`) that names
  the record, the property and every claim, `cardf:hasDisagreement` from the record to it, and
  `cardf:conflictsWith` between claims that give different values;
- where the defining article gives no value and the reports agree, the value itself, so that
  the union has it (its sources are the reports' claims).

A record's own value of a property is the defining article's; a query over the union sees one
value, never a mix, and `cardf:hasDisagreement` says when other sources give another.
Multi-valued fields are compared as sets: `hosts: [a, b]` agrees only with `hosts: [a, b]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from ..iris import ONT, RDF, Minter
from ..mapping import Reported, claim_slug
from ..schema import ALL_KINDS
from .artifact import Artifact
from .project import Project

TYPE = NamedNode(RDF + "type")
EVIDENCE = ONT + "evidence"


def ont(local: str) -> NamedNode:
    return NamedNode(ONT + local)


@dataclass(frozen=True)
class Account:
    """What one source says of one field of one record."""

    article: str  # slug
    claim: str  # claim IRI
    values: frozenset[str]  # N-Triples terms


def agreement(reported: list[Reported], defined_in: Callable[[str], str | None], iri_of: Callable[[str], NamedNode],
              graph_of: Callable[[str], bytes], minter: Minter) -> list[Triple]:
    """The agreement graph's triples.

    `reported`: every report of the corpus; `defined_in`: a record id → the slug of the article
    that defines it; `iri_of`: a record id → its IRI; `graph_of`: a slug → that article's graph as N-Quads.
    """
    by_record: dict[str, list[Reported]] = {}
    for r in reported:
        by_record.setdefault(r.record, []).append(r)
    wanted: dict[str, set[bytes]] = {}  # slug → the subjects (as N-Quads writes them) its reported records are
    for record_id in by_record:
        slug = defined_in(record_id)
        if slug is not None:
            wanted.setdefault(slug, set()).add(f"<{iri_of(record_id).value}> ".encode())
    parsed: dict[str, list[Triple]] = {}
    out: list[Triple] = []
    for record_id in sorted(by_record):
        slug = defined_in(record_id)
        if slug is None:
            continue
        if slug not in parsed:  # only the lines about its reported records: an article's graph is mostly else
            data = bytes(graph_of(slug) or b"")
            lines = b"".join(line for line in data.splitlines(keepends=True)
                             if line[:line.find(b" ") + 1] in wanted[slug])
            parsed[slug] = [q.triple for q in parse(lines, format=RdfFormat.N_QUADS)] if lines else []
        out += _record(record_id, iri_of(record_id), slug, by_record[record_id], parsed[slug], minter)
    return out


def _record(record_id: str, record: NamedNode, slug: str, reports: list[Reported], defining: list[Triple],
            minter: Minter) -> list[Triple]:
    reports = sorted(reports, key=lambda r: (r.field, r.article))
    own: dict[str, set[str]] = {}
    spans: list[NamedNode] = []
    for t in defining:  # the record's triples in its defining article's graph
        if t.subject == record:
            if t.predicate.value == EVIDENCE:
                spans.append(t.object)
            own.setdefault(t.predicate.value, set()).add(str(t.object))
    article = minter.resource("article", slug)
    out: list[Triple] = []
    fields: dict[str, list[Reported]] = {}
    for r in reports:
        fields.setdefault(r.field, []).append(r)
    for name in sorted(fields):
        group = fields[name]
        prop = NamedNode(group[0].property)
        accounts = [Account(r.article, r.claim, frozenset(r.values)) for r in group]
        values = own.get(prop.value)
        if values:
            claim = minter.resource("claim", claim_slug(record_id, name, slug))
            out += [Triple(claim, TYPE, ont("Claim")), Triple(claim, ont("claimAbout"), record),
                    Triple(claim, ont("claimProperty"), prop), Triple(claim, ont("accordingTo"), article),
                    Triple(claim, ont("reportedIn"), article)]
            out += [Triple(claim, ont("claimValue"), _term(v)) for v in sorted(values)]
            out += [Triple(claim, ont("evidence"), s) for s in sorted(spans, key=str)]
            accounts.insert(0, Account(slug, claim.value, frozenset(values)))
        if len({a.values for a in accounts}) > 1:
            node = minter.resource("disagreement", f"{record_id}--{name.replace('_', '-')}")
            out += [Triple(node, TYPE, ont("Disagreement")), Triple(node, ont("disagreementAbout"), record),
                    Triple(node, ont("disputedProperty"), prop), Triple(record, ont("hasDisagreement"), node)]
            out += [Triple(node, ont("hasClaim"), NamedNode(a.claim)) for a in accounts]
            for a in accounts:
                for b in accounts:
                    if a.values != b.values:
                        out.append(Triple(NamedNode(a.claim), ont("conflictsWith"), NamedNode(b.claim)))
        elif not values:  # the reports agree on a value the defining article does not give
            out += [Triple(record, prop, _term(v)) for v in sorted(accounts[0].values)]
    return out


def _term(text: str):
    """An N-Triples term back as a pyoxigraph term."""
    dummy = f"<urn:cardf:s> <urn:cardf:p> {text} .\n".encode("utf-8")
    return next(iter(parse(dummy, format=RdfFormat.N_TRIPLES))).object


def agreement_of(project: Project, registry, artifacts: list[Artifact], blocks) -> list:
    """The agreement graph of a build's articles; `blocks` are their graphs' blocks (in the same order)."""
    reported = [r for a in artifacts for r in a.reported]
    if not reported:
        return []
    defined_in = {rid: a.slug for a in artifacts for rid, _ in a.defines}
    kinds = {rid: kind for a in artifacts for rid, kind in a.defines}
    graph_of = {a.slug: b for a, b in zip(artifacts, blocks)}
    minter = project.minter
    return agreement(reported, defined_in.get, lambda rid: minter.resource(ALL_KINDS[kinds[rid]].segment, rid),
                     lambda slug: graph_of[slug].blob("nq"), minter)
