"""The SHACL shapes and the validation report: every constraint caught, named and located.

The fixture corpus (tests/fixtures/shapes/corpus) has a record of every kind, uses every
field, and gives no finding at all. Each case below breaks one thing in a copy — a line of
the YAML, or triples of the mapped graph for what the loader never lets through — and
expects exactly the findings it names: shape, constraint component, focus node and, for
YAML cases, the file and line. `test_every_constraint_has_a_case` keeps the table complete.

Validation is the slow part, so cases that touch different resources are validated together
in batches; a case whose batch does not give exactly what the batch expects is run again
alone, and only the lone run decides.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pytest
import rdflib

from conftest import DATA, FIXTURES, ONTOLOGY, SHAPES, line_of

from cardf.build import Settings, shape_files
from cardf.build.check import project_triples
from cardf.build.project import Project
from cardf.iris import Minter
from cardf.ontology import load_ontology_quads
from cardf.shacl.reference import load_shapes, validate_graph
from cardf.shacl.reference import to_rdflib as to_rdflib_graph
from cardf.shacl.report import SH, Finding, Report
from cardf.shacl.text import json_report, text_report, turtle_report
from cardf.shacl.vocabulary import vocabulary_shapes

CORPUS = FIXTURES / "shapes" / "corpus"
FACTS = Path("articles") / "shapes-article" / "facts.yaml"
ENTITIES = Path("entities.yaml")
NS = "https://w3id.org/cardf/shapes#"
PREFIXES = Minter().prefixes()
BATCH_SIZE = 12


def expand(name: str) -> str:
    """`figure:x` → its IRI; `(blank node)` stays as is."""
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else name


Key = tuple[str, str, str]  # (shape local name, component, focus IRI)


def key_of(f: Finding) -> Key:
    return (f.shape.removeprefix(NS), f.constraint.removesuffix("ConstraintComponent"), f.focus)


def keys(report: Report) -> set[Key]:
    return {key_of(f) for f in report.findings}


@dataclass
class Case:
    """One constraint broken on purpose: `constraint` is 'Shape Component', e.g. 'Figure-amount MinCount'."""

    constraint: str
    focus: str
    change: str | Callable | list  # SPARQL Update, a function of the graph, or YAML edits [(file, old, new)]
    also: list[tuple[str, str]] = field(default_factory=list)  # further (constraint, focus) it must give
    line: str | None = None  # YAML cases: text on the line the finding must point at
    alone: bool = False  # changes shared resources: never batched

    @property
    def yaml(self) -> bool:
        return isinstance(self.change, list)

    @property
    def id(self) -> str:
        return self.constraint.replace(" ", ":")

    def expected(self) -> set[Key]:
        out = set()
        for constraint, focus in [(self.constraint, self.focus)] + self.also:
            shape, component = constraint.split()
            out.add((shape, component, expand(focus)))
        return out

    def foci(self) -> set[str]:
        return {k[2] for k in self.expected()}


# ----------------------------------------------------------------------------- changing the fixture

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
C = "https://w3id.org/cardf/ontology#"


def drop(s: str, p: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }}"


def add(s: str, p: str, o: str) -> str:
    return f"INSERT DATA {{ {s} {p} {o} }}"


def put(s: str, p: str, o: str) -> str:
    return f"DELETE {{ {s} {p} ?o }} INSERT {{ {s} {p} {o} }} WHERE {{ OPTIONAL {{ {s} {p} ?o }} }}"


# A disagreement as the build writes one (build/agreement.py), for the cases that break it.
DISAGREEMENT = ("INSERT DATA { disagreement:d a cardf:Disagreement ; cardf:disagreementAbout event:visit ; "
                "cardf:disputedProperty cardf:endDate ; cardf:hasClaim claim:claim-visit-two-days, claim:claim-visit-footnote . "
                "event:visit cardf:hasDisagreement disagreement:d } ;\n")


def rename(old: str, new) -> Callable:
    """Give a resource another name (an IRI, or a blank node) everywhere in the graph."""

    def change(g: rdflib.Graph) -> None:
        o = rdflib.URIRef(expand(old))
        n = new if isinstance(new, rdflib.term.Node) else rdflib.URIRef(expand(new))
        for s, p, v in list(g.triples((o, None, None))):
            g.remove((s, p, v))
            g.add((n, p, v))
        for s, p, v in list(g.triples((None, None, o))):
            g.remove((s, p, v))
            g.add((s, p, n))
    return change


def apply(g: rdflib.Graph, change) -> None:
    for step in change if isinstance(change, tuple) else (change,):
        if callable(step):
            step(g)
        else:
            g.update(SPARQL_PREFIXES + step)


def edit_yaml(folder: Path, edits: list[tuple[Path, str, str]]) -> None:
    for name, old, new in edits:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")


def _span_offsets(g: rdflib.Graph, slug: str) -> tuple[rdflib.URIRef, int, int]:
    position = rdflib.URIRef(expand(f"span:{slug}-position"))
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    return position, int(g.value(position, oa.start)), int(g.value(position, oa.end))


def _set_offsets(g: rdflib.Graph, position, start: int, end: int) -> None:
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    kind = rdflib.XSD.nonNegativeInteger
    g.set((position, oa.start, rdflib.Literal(str(start), datatype=kind)))
    g.set((position, oa.end, rdflib.Literal(str(end), datatype=kind)))


def shift_span(slug: str, to: int) -> Callable:
    """Move an evidence span's offsets to start at `to`, keeping its length."""
    def change(g):
        position, start, end = _span_offsets(g, slug)
        _set_offsets(g, position, to, to + end - start)
    return change


def stretch_span(slug: str, by: int) -> Callable:
    def change(g):
        position, start, end = _span_offsets(g, slug)
        _set_offsets(g, position, start, end + by)
    return change


def copy_span(slug: str, new: str) -> Callable:
    """A second evidence node with the same source and selectors, that no record points at."""
    def change(g):
        old, copy = rdflib.URIRef(expand(f"span:{slug}")), rdflib.URIRef(expand(f"span:{new}"))
        for _, p, o in list(g.triples((old, None, None))):
            g.add((copy, p, o))
    return change


def retype(node: str, predicate: str, how: str) -> Callable:
    """Keep a literal's text but give it another datatype (`integer`) or a language (`@ru`)."""
    def change(g):
        prefix, _, local = predicate.partition(":")
        s, p = rdflib.URIRef(expand(node)), rdflib.URIRef(PREFIXES[prefix] + local)
        value = g.value(s, p)
        new = (rdflib.Literal(str(value), lang=how[1:]) if how.startswith("@")
               else rdflib.Literal(str(value), datatype=rdflib.XSD[how]))
        g.set((s, p, new))
    return change


UNCONFLICT = (drop("claim:claim-visit-two-days", "cardf:conflictsWith"),
              drop("claim:claim-visit-footnote", "cardf:conflictsWith"))


BLANK = rdflib.BNode("blank")
LIT = '"text"'
DEC = '"5.0"^^xsd:decimal'
INT = '"2"^^xsd:integer'

# ----------------------------------------------------------------------------- the cases

F, E = FACTS, ENTITIES
CASES: list[Case] = [
    # --- YAML: what a curator can get wrong and the loader lets through --------------------------
    Case("Figure-percentRange SPARQL", "figure:trade-growth-2024",
         [(F, "    value: 13.6\n", "    value: 150  #!\n")], line="value: 150  #!"),
    Case("Figure-wholeCount SPARQL", "figure:documents-count",
         [(F, "    value: 10\n", "    value: 10.5  #!\n")], line="value: 10.5  #!"),
    Case("Figure-currencyCode In", "figure:investment-2024",
         [(F, "currency: USD", "currency: USX  #!")], line="currency: USX  #!"),
    Case("Figure-currencyCode Pattern", "figure:investment-2024",
         [(F, "currency: USD", "currency: usd  #!")], line="currency: usd  #!",
         also=[("Figure-currencyCode In", "figure:investment-2024")]),
    Case("Figure-periodNeedsMeasure SPARQL", "figure:investment-2024",
         [(F, "    currency: USD\n", ""), (F, "    period: 2024\n", "    period: 2024  #!\n")], line="period: 2024  #!"),
    Case("Figure-currencyOrUnit SPARQL", "figure:investment-2024",
         [(F, "    currency: USD\n", "    currency: USD\n    unit: region  #!\n")], line="unit: region  #!"),
    Case("Figure-noMeasure SPARQL", "figure:documents-count",
         [(F, "    unit: document\n", ""), (F, "  - id: documents-count", "  - id: documents-count  #!")],
         line="id: documents-count  #!"),
    Case("Figure-negativeMoney SPARQL", "figure:investment-2024",
         [(F, "value: 4000000000", "value: -4000000000  #!")], line="value: -4000000000  #!"),
    Case("Event-endNotBeforeStart SPARQL", "event:talks",
         [(F, "    start: 2025-11-11\n    part_of: visit\n    series",
           "    start: 2025-11-12\n    end: 2025-11-11  #!\n    part_of: visit\n    series"),
          (F, "    date: 2025-11-11\n    about: [russia]\n", "    about: [russia]\n")], line="end: 2025-11-11  #!"),
    Case("Event-endWithoutStart SPARQL", "event:signing",
         [(F, "    date_text: {ru: 12 ноября, en: 12 November}\n",
           "    date_text: {ru: 12 ноября, en: 12 November}\n    end: 2025-11-12  #!\n")],
         line="end: 2025-11-12  #!"),
    Case("Event-withinParent SPARQL", "event:talks",
         [(F, "    start: 2025-11-11\n    part_of: visit\n    series", "    start: 2025-11-10  #!\n    part_of: visit\n    series"),
          (F, "    date: 2025-11-11\n    about: [russia]\n", "    about: [russia]\n")], line="start: 2025-11-10  #!"),
    Case("Period-endNotBeforeStart SPARQL", "interval:2024-12--2024-01",
         [(F, "period: {start: 2024-01, end: 2024-12}", "period: {start: 2024-12, end: 2024-01}  #!")],
         line="period: {start: 2024-12, end: 2024-01}  #!"),
    Case("Document-datedWithinSigning SPARQL", "document:declaration",
         [(F, "    date: 2025-11-12\n    signed_at: signing", "    date: 2025-11-19  #!\n    signed_at: signing")],
         line="date: 2025-11-19  #!"),
    Case("DatedWithinOccasion SPARQL", "statement:statement-trade",
         [(F, "    date: 2025-11-11\n    in_document", "    date: 2025-11-01  #!\n    in_document")],
         line="date: 2025-11-01  #!"),
    Case("NotAfterPublication SPARQL", "quote:quote-investment",
         [(F, "    occasion: talks\n    date: 2025-11-11\n", "    date: 2026-01  #!\n")], line="date: 2026-01  #!"),
    Case("Quotation-speakerTookPart SPARQL", "quote:quote-investment",
         [(F, "    speaker: kassym-jomart-tokayev\n    medium", "    speaker: test-author  #!\n    medium")],
         line="speaker: test-author  #!"),
    Case("Statement-speakerTookPart SPARQL", "statement:statement-trade",
         [(F, "    speaker: vladimir-putin\n    content", "    speaker: test-author  #!\n    content")],
         line="speaker: test-author  #!"),
    Case("Quotation-whoSaidIt SPARQL", "quote:quote-investment",
         [(F, "    speaker: kassym-jomart-tokayev\n    medium", "    medium"),
          (F, "  - id: quote-investment", "  - id: quote-investment  #!")], line="id: quote-investment  #!",
         also=[("StatedInValue SPARQL", "figure:investment-2024")] and []),
    Case("Quotation-translation MinCount", "quote:quote-investment",
         [(F, '    translation: "Russian investment reached a record level"\n', ""),
          (F, "  - id: quote-investment", "  - id: quote-investment  #!")], line="id: quote-investment  #!"),
    Case("Event-hostNotGuest SPARQL", "event:visit",
         [(F, "    guests: [kazakhstan]", "    guests: [kazakhstan, russia]  #!")], line="guests: [kazakhstan, russia]  #!"),
    Case("Event-notPartOfItself SPARQL", "event:talks",
         [(F, "    part_of: visit\n    series", "    part_of: talks  #!\n    series")], line="part_of: talks  #!"),
    Case("Document-notPartOfItself SPARQL", "document:action-plan",
         [(F, "    part_of: declaration", "    part_of: action-plan  #!")], line="part_of: action-plan  #!"),
    Case("Participation-officeHeld SPARQL", "participation:talks-2",
         [(F, "{agent: kassym-jomart-tokayev, role: participant, office: president-of-kazakhstan",
           "{agent: kassym-jomart-tokayev, role: participant, office: president-of-russia")],
         line="{agent: kassym-jomart-tokayev, role: participant, office: president-of-russia"),
    Case("CitedSource-footnoteUnique SPARQL", "source:footnote-1",
         [(F, "    footnote: 1\n", "    footnote: 1  #!\n"),
          (F, "\nevents:\n", "\n  - id: footnote-1-again\n    footnote: 1\n    type: web-page\n"
                             "    title: {ru: Еще раз, en: Again}\n    evidence: \"Электронный ресурс\"\n\nevents:\n")],
         line="footnote: 1  #!", also=[("CitedSource-footnoteUnique SPARQL", "source:footnote-1-again")]),
    Case("Claim-conflictSameFact SPARQL", "claim:claim-visit-two-days",
         [(F, "    field: end\n    value: \"2025-11-12\"", "    field: start\n    value: \"2025-11-11\""),
          (F, "    conflicts_with: [claim-visit-footnote]", "    conflicts_with: [claim-visit-footnote]  #!")],
         line="conflicts_with: [claim-visit-footnote]  #!",
         also=[("Claim-conflictSameFact SPARQL", "claim:claim-visit-footnote")]),
    Case("Claim-conflictDiffers SPARQL", "claim:claim-visit-two-days",
         [(F, "    value: \"2025-11-13\"", "    value: \"2025-11-12\""),
          (F, "    conflicts_with: [claim-visit-footnote]", "    conflicts_with: [claim-visit-footnote]  #!")],
         line="conflicts_with: [claim-visit-footnote]  #!",
         also=[("Claim-conflictDiffers SPARQL", "claim:claim-visit-footnote")]),
    Case("Record-textRuEn SPARQL", "event:visit",
         [(F, "label: {ru: Визит Токаева в Москву, en: Tokayev's visit to Moscow}", "label: {ru: Визит Токаева в Москву}  #!")],
         line="label: {ru: Визит Токаева в Москву}  #!"),
    Case("Entity-labelRuEn SPARQL", "place:astana",
         [(E, "label: {ru: Астана, en: Astana}", "label: {ru: Астана}  #!")], line="label: {ru: Астана}  #!"),
    Case("Entity-wikidata MinCount", "place:astana",
         [(E, "    wikidata: Q1520\n", ""), (E, "  - id: astana", "  - id: astana  #!")], line="id: astana  #!"),
    Case("Entity-wikidataIri Pattern", "place:astana",
         [(E, "wikidata: Q1520", "wikidata: q1520  #!")], line="wikidata: q1520  #!"),
    Case("Entity-wikidataUnique SPARQL", "place:astana",
         [(E, "wikidata: Q1520", "wikidata: Q649  #!")], line="wikidata: Q649  #!",
         also=[("Entity-wikidataUnique SPARQL", "place:moscow")]),
    Case("State-isoCode Pattern", "state:kazakhstan",
         [(E, "iso_code: KAZ", "iso_code: kz  #!")], line="iso_code: kz  #!",
         also=[("State-isoCodeKnown In", "state:kazakhstan")]),
    Case("State-isoCodeKnown In", "state:kazakhstan",
         [(E, "iso_code: KAZ", "iso_code: KAX  #!")], line="iso_code: KAX  #!"),
    Case("State-isoCodeUnique SPARQL", "state:kazakhstan",
         [(E, "iso_code: KAZ", "iso_code: RUS  #!")], line="iso_code: RUS  #!",
         also=[("State-isoCodeUnique SPARQL", "state:russia")]),
    Case("Event-undated SPARQL", "event:signing",
         [(F, "    date_text: {ru: 12 ноября, en: 12 November}\n    part_of: visit\n", ""),
          (F, "  - id: signing", "  - id: signing  #!")], line="id: signing  #!"),
    Case("Relationship-party MinCount", "relationship:kazakhstan",
         [(F, "    parties: [russia, kazakhstan]", "    parties: [kazakhstan, kazakhstan]  #!")],
         line="parties: [kazakhstan, kazakhstan]  #!"),

    # --- RDF: what only a hand-written or machine-made graph can get wrong ---------------------
    *[Case(constraint, focus, change, list(also)) for constraint, focus, change, *also in [
        ("AboutValue SPARQL", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:about", "claim:claim-visit-two-days")),
        ("AgentValue SPARQL", "event:visit", add("event:visit", "cardf:host", "place:moscow")),
        ("PlaceValue SPARQL", "place:astana", put("place:astana", "cardf:locatedIn", "person:vladimir-putin")),
        ("Office-officeOfValue SPARQL", "office:president-of-russia", put("office:president-of-russia", "cardf:officeOf", "place:moscow")),
        ("Article Closed", "article:shapes-article", add("article:shapes-article", "cardf:titel", LIT)),
        ("Article-author Class", "article:shapes-article", put("article:shapes-article", "cardf:author", "state:russia")),
        ("Article-author MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:author", "person:vladimir-putin")),
        ("Article-cites Class", "article:shapes-article", add("article:shapes-article", "cardf:cites", "document:declaration")),
        ("Article-disclaimer Datatype", "article:shapes-article", put("article:shapes-article", "cardf:disclaimer", LIT)),
        ("Article-genre MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:genre", "article-genre:news")),
        ("Article-genre-code In", "article:shapes-article", put("article:shapes-article", "cardf:genre", "event-type:visit")),
        ("Article-language Datatype", "article:shapes-article", put("article:shapes-article", "cardf:language", '"ru"@en')),
        ("Article-language MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:language", '"en"')),
        ("Article-language MinCount", "article:shapes-article", drop("article:shapes-article", "cardf:language")),
        ("Article-language Pattern", "article:shapes-article", put("article:shapes-article", "cardf:language", '"Russian"')),
        ("Article-published Or", "article:shapes-article", put("article:shapes-article", "cardf:published", '"2025-12"^^xsd:gYearMonth')),
        ("Article-published MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:published", '"2025-12-05T10:00:00+03:00"^^xsd:dateTime')),
        ("Article-published MinCount", "article:shapes-article", drop("article:shapes-article", "cardf:published")),
        ("Article-publisher Class", "article:shapes-article", put("article:shapes-article", "cardf:publisher", "state:russia")),
        ("Article-publisher MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:publisher", "organization:eaeu")),
        ("Article-publisher MinCount", "article:shapes-article", drop("article:shapes-article", "cardf:publisher")),
        ("Article-textLength Datatype", "article:shapes-article", put("article:shapes-article", "cardf:textLength", '"100000"^^xsd:decimal')),
        ("Article-textLength MaxCount", "article:shapes-article", add("article:shapes-article", "cardf:textLength", '"100000"^^xsd:integer')),
        ("Article-textLength MinCount", "article:shapes-article", drop("article:shapes-article", "cardf:textLength")),
        ("Article-textLength MinInclusive", "article:shapes-article", put("article:shapes-article", "cardf:textLength", '"-1"^^xsd:integer'),
         ("Evidence-insideArticle SPARQL", "*")),
        ("CitedSource Closed", "source:footnote-1", add("source:footnote-1", "cardf:titel", LIT)),
        ("CitedSource-documentType MaxCount", "source:footnote-1", add("source:footnote-1", "cardf:documentType", "document-type:news-report")),
        ("CitedSource-documentType MinCount", "source:footnote-1", drop("source:footnote-1", "cardf:documentType")),
        ("CitedSource-documentType-code In", "source:footnote-1", put("source:footnote-1", "cardf:documentType", "event-type:visit")),
        ("CitedSource-footnoteNumber Datatype", "source:footnote-1", put("source:footnote-1", "cardf:footnoteNumber", '"1"^^xsd:decimal')),
        ("CitedSource-footnoteNumber MaxCount", "source:footnote-1", add("source:footnote-1", "cardf:footnoteNumber", INT)),
        ("CitedSource-footnoteNumber MinInclusive", "source:footnote-1", put("source:footnote-1", "cardf:footnoteNumber", '"0"^^xsd:integer')),
        ("CitedSource-publisher Class", "source:footnote-1", put("source:footnote-1", "cardf:publisher", "state:russia")),
        ("CitedSource-publisher MaxCount", "source:footnote-1", add("source:footnote-1", "cardf:publisher", "organization:eaeu")),
        ("Claim Closed", "claim:claim-visit-two-days", add("claim:claim-visit-two-days", "cardf:titel", LIT)),
        ("Claim-accordingTo MaxCount", "claim:claim-visit-footnote", add("claim:claim-visit-footnote", "cardf:accordingTo", "article:shapes-article")),
        ("Claim-accordingTo MinCount", "claim:claim-visit-footnote", drop("claim:claim-visit-footnote", "cardf:accordingTo")),
        ("Claim-accordingTo NodeKind", "claim:claim-visit-footnote", put("claim:claim-visit-footnote", "cardf:accordingTo", LIT)),
        ("Claim-accordingToValue SPARQL", "claim:claim-visit-footnote", put("claim:claim-visit-footnote", "cardf:accordingTo", "person:vladimir-putin")),
        ("Claim-claimAbout MaxCount", "claim:claim-visit-two-days", add("claim:claim-visit-two-days", "cardf:claimAbout", "event:talks")),
        ("Claim-claimAbout MinCount", "claim:claim-visit-two-days", UNCONFLICT + (drop("claim:claim-visit-two-days", "cardf:claimAbout"),)),
        ("Claim-claimAbout NodeKind", "claim:claim-visit-two-days", UNCONFLICT + (put("claim:claim-visit-two-days", "cardf:claimAbout", LIT),)),
        ("Claim-claimAboutValue SPARQL", "claim:claim-visit-two-days", UNCONFLICT + (put("claim:claim-visit-two-days", "cardf:claimAbout", "person:vladimir-putin"),)),
        ("Claim-claimProperty MaxCount", "claim:claim-visit-two-days", add("claim:claim-visit-two-days", "cardf:claimProperty", "cardf:startDate")),
        ("Claim-claimProperty MinCount", "claim:claim-visit-two-days", UNCONFLICT + (drop("claim:claim-visit-two-days", "cardf:claimProperty"),)),
        ("Claim-claimProperty NodeKind", "claim:claim-visit-two-days", UNCONFLICT + (put("claim:claim-visit-two-days", "cardf:claimProperty", LIT),)),
        ("Claim-claimValue MinCount", "claim:claim-visit-two-days", drop("claim:claim-visit-two-days", "cardf:claimValue")),
        ("Claim-conflictsWith Class", "claim:claim-visit-two-days", add("claim:claim-visit-two-days", "cardf:conflictsWith", "event:talks"),
         ("Claim-conflictSameFact SPARQL", "claim:claim-visit-two-days")),
        ("Commitment Closed", "commitment:gas-supply", add("commitment:gas-supply", "cardf:titel", LIT)),
        ("Commitment-commitmentStatus MaxCount", "commitment:gas-supply", add("commitment:gas-supply", "cardf:commitmentStatus", "commitment-status:agreed")),
        ("Commitment-commitmentStatus MinCount", "commitment:gas-supply", drop("commitment:gas-supply", "cardf:commitmentStatus")),
        ("Commitment-commitmentStatus-code In", "commitment:gas-supply", put("commitment:gas-supply", "cardf:commitmentStatus", "event-type:visit")),
        ("Commitment-commitmentType MaxCount", "commitment:gas-supply", add("commitment:gas-supply", "cardf:commitmentType", "commitment-type:transit")),
        ("Commitment-commitmentType MinCount", "commitment:gas-supply", drop("commitment:gas-supply", "cardf:commitmentType")),
        ("Commitment-commitmentType-code In", "commitment:gas-supply", put("commitment:gas-supply", "cardf:commitmentType", "event-type:visit")),
        ("Commitment-committedBy MinCount", "commitment:gas-supply", drop("commitment:gas-supply", "cardf:committedBy")),
        ("Commitment-committedBy NodeKind", "commitment:gas-supply", put("commitment:gas-supply", "cardf:committedBy", LIT)),
        ("Commitment-committedTo NodeKind", "commitment:gas-supply", put("commitment:gas-supply", "cardf:committedTo", LIT)),
        ("Commitment-expressedIn Class", "commitment:gas-supply", put("commitment:gas-supply", "cardf:expressedIn", "event:visit")),
        ("Commitment-expressedIn MaxCount", "commitment:gas-supply", add("commitment:gas-supply", "cardf:expressedIn", "document:action-plan")),
        ("Commitment-value Class", "commitment:gas-supply", put("commitment:gas-supply", "cardf:value", "document:declaration")),
        ("Commitment-value MaxCount", "commitment:gas-supply", add("commitment:gas-supply", "cardf:value", "figure:trade-growth-2024")),
        ("Decision Closed", "decision:new-format", add("decision:new-format", "cardf:titel", LIT)),
        ("Decision-adoptedAt Class", "decision:new-format", put("decision:new-format", "cardf:adoptedAt", "document:declaration")),
        ("Decision-adoptedAt MaxCount", "decision:new-format", add("decision:new-format", "cardf:adoptedAt", "event:visit")),
        ("Decision-adoptedAt MinCount", "decision:new-format", drop("decision:new-format", "cardf:adoptedAt")),
        ("Decision-adoptedBy MaxCount", "decision:new-format", add("decision:new-format", "cardf:adoptedBy", "organization:eaeu")),
        ("Decision-adoptedBy NodeKind", "decision:new-format", put("decision:new-format", "cardf:adoptedBy", LIT)),
        ("Decision-concerns NodeKind", "decision:new-format", add("decision:new-format", "cardf:concerns", LIT)),
        ("Decision-decisionType MaxCount", "decision:new-format", add("decision:new-format", "cardf:decisionType", "decision-type:other")),
        ("Decision-decisionType MinCount", "decision:new-format", drop("decision:new-format", "cardf:decisionType")),
        ("Decision-decisionType-code In", "decision:new-format", put("decision:new-format", "cardf:decisionType", "event-type:visit")),
        ("Document Closed", "document:declaration", add("document:declaration", "cardf:titel", LIT)),
        ("Document-author NodeKind", "document:action-plan", add("document:action-plan", "cardf:author", LIT)),
        ("Document-coversPeriod Class", "document:action-plan", put("document:action-plan", "cardf:coversPeriod", "event:visit")),
        ("Document-coversPeriod MaxCount", "document:action-plan", add("document:action-plan", "cardf:coversPeriod", "interval:2026")),
        ("Document-documentType MaxCount", "document:declaration", add("document:declaration", "cardf:documentType", "document-type:treaty")),
        ("Document-documentType MinCount", "document:declaration", drop("document:declaration", "cardf:documentType")),
        ("Document-documentType-code In", "document:declaration", put("document:declaration", "cardf:documentType", "event-type:visit")),
        ("Document-partOfDocument Class", "document:action-plan", put("document:action-plan", "cardf:partOfDocument", "event:visit")),
        ("Document-partOfDocument MaxCount", "document:action-plan", add("document:action-plan", "cardf:partOfDocument", "document:joint-statement")),
        ("Document-publishedIn Class", "document:action-plan", put("document:action-plan", "cardf:publishedIn", "state:russia")),
        ("Document-publishedIn MaxCount", "document:action-plan", add("document:action-plan", "cardf:publishedIn", "organization:eaeu")),
        ("Document-signedAt Class", "document:declaration", put("document:declaration", "cardf:signedAt", "document:action-plan")),
        ("Document-signedAt MaxCount", "document:declaration", add("document:declaration", "cardf:signedAt", "event:talks")),
        ("DocumentSet Closed", "document-set:documents-10", add("document-set:documents-10", "cardf:titel", LIT)),
        ("DocumentSet-documentCount Datatype", "document-set:documents-10", put("document-set:documents-10", "cardf:documentCount", '"10"^^xsd:decimal')),
        ("DocumentSet-documentCount MaxCount", "document-set:documents-10", add("document-set:documents-10", "cardf:documentCount", '"11"^^xsd:integer')),
        ("DocumentSet-documentCount MinCount", "document-set:documents-10", drop("document-set:documents-10", "cardf:documentCount")),
        ("DocumentSet-documentCount MinInclusive", "document-set:documents-10",
         (drop("document-set:documents-10", "cardf:includesDocument"), put("document-set:documents-10", "cardf:documentCount", '"0"^^xsd:integer'))),
        ("DocumentSet-documentLevel-code In", "document-set:documents-10", put("document-set:documents-10", "cardf:documentLevel", "event-type:visit")),
        ("DocumentSet-includesDocument Class", "document-set:documents-10", add("document-set:documents-10", "cardf:includesDocument", "event:visit")),
        ("DocumentSet-signedAt Class", "document-set:documents-10", put("document-set:documents-10", "cardf:signedAt", "document:declaration")),
        ("DocumentSet-signedAt MaxCount", "document-set:documents-10", add("document-set:documents-10", "cardf:signedAt", "event:talks")),
        ("DocumentSet-signedAt MinCount", "document-set:documents-10", drop("document-set:documents-10", "cardf:signedAt")),
        ("Entity-altLabel Datatype", "state:russia", add("state:russia", "skos:altLabel", LIT)),
        ("Entity-label Datatype", "place:astana", add("place:astana", "rdfs:label", LIT)),
        ("Entity-label MinCount", "place:astana", drop("place:astana", "rdfs:label")),
        ("Entity-label UniqueLang", "place:astana", add("place:astana", "rdfs:label", '"Astana City"@en')),
        ("Entity-wikidataIri MaxCount", "place:astana", add("place:astana", "skos:exactMatch", "wd:Q1")),
        ("Entity-wikidataIri NodeKind", "place:astana", put("place:astana", "skos:exactMatch", '"Q1520"'),
         ("Entity-wikidataIri Pattern", "place:astana")),
        ("Event Closed", "event:visit", add("event:visit", "cardf:titel", LIT)),
        ("Record-dateText Datatype", "event:signing", add("event:signing", "cardf:dateText", LIT)),
        ("Record-dateText UniqueLang", "event:signing", add("event:signing", "cardf:dateText", '"the twelfth"@en')),
        ("Event-endDate MaxCount", "event:visit", add("event:visit", "cardf:endDate", '"2025-11"^^xsd:gYearMonth')),
        ("Event-endDate Or", "event:visit", put("event:visit", "cardf:endDate", '"2025-11-12"')),
        ("Event-endDate Pattern", "event:visit", put("event:visit", "cardf:endDate", '"2025-11-12Z"^^xsd:date')),
        ("Event-eventType MaxCount", "event:visit", add("event:visit", "cardf:eventType", "event-type:visit")),
        ("Event-eventType MinCount", "event:visit", drop("event:visit", "cardf:eventType")),
        ("Event-eventType-code In", "event:visit", put("event:visit", "cardf:eventType", "document-type:treaty")),
        ("Event-guest NodeKind", "event:visit", add("event:visit", "cardf:guest", LIT)),
        ("Event-hasParticipation Class", "event:visit", add("event:visit", "cardf:hasParticipation", "document:declaration")),
        ("Event-hasParticipation NodeKind", "event:visit", add("event:visit", "cardf:hasParticipation", LIT),
         ("Event-hasParticipation Class", "event:visit")),
        ("Event-host NodeKind", "event:visit", add("event:visit", "cardf:host", LIT)),
        ("Event-ordinal Datatype", "event:talks", put("event:talks", "cardf:ordinal", '"1.0"^^xsd:decimal')),
        ("Event-ordinal MaxCount", "event:talks", add("event:talks", "cardf:ordinal", INT)),
        ("Event-ordinal MinInclusive", "event:talks", put("event:talks", "cardf:ordinal", '"0"^^xsd:integer')),
        ("Event-organizer MaxCount", "event:talks", add("event:talks", "cardf:organizer", "state:kazakhstan")),
        ("Event-organizer NodeKind", "event:talks", put("event:talks", "cardf:organizer", LIT)),
        ("Event-partOf Class", "event:talks", put("event:talks", "cardf:partOf", "document:declaration")),
        ("Event-partOf MaxCount", "event:talks", add("event:talks", "cardf:partOf", "event:signing")),
        ("Event-participant NodeKind", "event:visit", add("event:visit", "cardf:participant", LIT)),
        ("Event-series Class", "event:talks", put("event:talks", "cardf:series", "state:russia")),
        ("Event-series MaxCount", "event:talks", add("event:talks", "cardf:series", "organization:eaeu-council")),
        ("Event-startDate MaxCount", "event:talks", add("event:talks", "cardf:startDate", '"2025-11"^^xsd:gYearMonth')),
        ("Event-startDate Or", "event:talks", put("event:talks", "cardf:startDate", '"2025-11-11"')),
        ("Event-startDate Pattern", "event:talks", put("event:talks", "cardf:startDate", '"2025-11-11Z"^^xsd:date')),
        ("Event-topic Datatype", "event:talks", add("event:talks", "cardf:topic", LIT)),
        ("Evidence Closed", "span:visit-1", add("span:visit-1", "cardf:titel", LIT)),
        ("Evidence-endAfterStart SPARQL", "span:visit-1", put("span:visit-1-position", "oa:end", '"0"^^xsd:nonNegativeInteger'),
         ("Evidence-lengthMatches SPARQL", "span:visit-1")),
        ("Evidence-hasSelector MaxCount", "span:visit-1", add("span:visit-1", "oa:hasSelector", "article:shapes-article")),
        ("Evidence-hasSelector MinCount", "span:visit-1", "DELETE DATA { span:visit-1 oa:hasSelector span:visit-1-position }",
         ("Evidence-selectors SPARQL", "span:visit-1")),
        ("Evidence-hasSelector NodeKind", "span:visit-1", add("span:visit-1", "oa:hasSelector", LIT),
         ("Evidence-hasSelector MaxCount", "span:visit-1")),
        ("Evidence-hasSource Class", "span:visit-1", put("span:visit-1", "oa:hasSource", "event:visit"),
         ("Evidence-sameArticle SPARQL", "span:visit-1")),
        ("Evidence-hasSource MaxCount", "span:visit-1", add("span:visit-1", "oa:hasSource", "event:visit"),
         ("Evidence-hasSource Class", "span:visit-1"), ("Evidence-sameArticle SPARQL", "span:visit-1")),
        ("Evidence-hasSource MinCount", "span:visit-1", drop("span:visit-1", "oa:hasSource")),
        ("Evidence-insideArticle SPARQL", "span:visit-1", shift_span("visit-1", 100000)),
        ("Evidence-lengthMatches SPARQL", "span:visit-1", stretch_span("visit-1", 1)),
        ("Evidence-record MinCount", "span:orphan", copy_span("visit-1", "orphan")),
        ("Evidence-sameArticle SPARQL", "span:opinion-pragmatic-1", put("opinion:opinion-pragmatic", "cardf:reportedIn", "article:elsewhere"),
         ("Record-reportedIn Class", "opinion:opinion-pragmatic")),
        ("Evidence-selectors SPARQL", "span:visit-1", "DELETE DATA { span:visit-1-position a oa:TextPositionSelector }"),
        ("Figure Closed", "figure:investment-2024", add("figure:investment-2024", "cardf:titel", LIT)),
        ("Figure-amount Datatype", "figure:investment-2024", put("figure:investment-2024", "cardf:amount", '"4000000000"')),
        ("Figure-amount MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:amount", DEC)),
        ("Figure-amount MinCount", "figure:investment-2024", drop("figure:investment-2024", "cardf:amount")),
        ("Figure-currency MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:currency", '"EUR"')),
        ("Figure-currencyCode Datatype", "figure:investment-2024", put("figure:investment-2024", "cardf:currency", '"USD"@en'),
         ("Figure-currencyCode In", "figure:investment-2024")),
        ("Figure-fromAgent MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:fromAgent", "state:kazakhstan")),
        ("Figure-fromAgent NodeKind", "figure:investment-2024", put("figure:investment-2024", "cardf:fromAgent", LIT)),
        ("Figure-indicator MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:indicator", "figure-indicator:deal-value")),
        ("Figure-indicator MinCount", "figure:investment-2024", drop("figure:investment-2024", "cardf:indicator")),
        ("Figure-indicator-code In", "figure:investment-2024", put("figure:investment-2024", "cardf:indicator", "event-type:visit")),
        ("Figure-qualifier-code In", "figure:investment-2024", put("figure:investment-2024", "cardf:qualifier", "event-type:visit")),
        ("Record-statedIn MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:statedIn", "statement:statement-trade")),
        ("Record-statedIn NodeKind", "figure:investment-2024", put("figure:investment-2024", "cardf:statedIn", LIT)),
        ("StatedInValue SPARQL", "figure:investment-2024", put("figure:investment-2024", "cardf:statedIn", "event:visit")),
        ("Figure-toAgent MaxCount", "figure:investment-2024", add("figure:investment-2024", "cardf:toAgent", "state:russia")),
        ("Figure-toAgent NodeKind", "figure:investment-2024", put("figure:investment-2024", "cardf:toAgent", LIT)),
        ("Figure-unit MaxCount", "figure:documents-count", add("figure:documents-count", "cardf:unit", "figure-unit:region")),
        ("Figure-unit-code In", "figure:documents-count", put("figure:documents-count", "cardf:unit", "event-type:visit")),
        ("Office Closed", "office:president-of-russia", add("office:president-of-russia", "cardf:titel", LIT)),
        ("Office-officeOf MaxCount", "office:president-of-russia", add("office:president-of-russia", "cardf:officeOf", "organization:eaeu")),
        ("Office-officeOf MinCount", "office:president-of-russia", drop("office:president-of-russia", "cardf:officeOf")),
        ("Office-officeOf NodeKind", "office:president-of-russia", put("office:president-of-russia", "cardf:officeOf", LIT)),
        ("Opinion Closed", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:titel", LIT)),
        ("Organization Closed", "organization:eaeu", add("organization:eaeu", "cardf:titel", LIT)),
        ("Organization-basedIn MaxCount", "organization:test-gazette", add("organization:test-gazette", "cardf:basedIn", "place:astana")),
        ("Organization-basedIn NodeKind", "organization:test-gazette", put("organization:test-gazette", "cardf:basedIn", LIT)),
        ("Organization-member NodeKind", "organization:eaeu", add("organization:eaeu", "cardf:member", LIT)),
        ("Organization-organizationType MaxCount", "organization:eaeu", add("organization:eaeu", "cardf:organizationType", "organization-type:council")),
        ("Organization-organizationType MinCount", "organization:eaeu", drop("organization:eaeu", "cardf:organizationType")),
        ("Organization-organizationType-code In", "organization:eaeu", put("organization:eaeu", "cardf:organizationType", "event-type:visit")),
        ("Organization-subOrganizationOf MaxCount", "organization:eaeu-council", add("organization:eaeu-council", "cardf:subOrganizationOf", "state:russia")),
        ("Organization-subOrganizationOf NodeKind", "organization:eaeu-council", put("organization:eaeu-council", "cardf:subOrganizationOf", LIT)),
        ("Participation Closed", "participation:visit-1", add("participation:visit-1", "cardf:titel", LIT)),
        ("Participation-agent MaxCount", "participation:visit-1", add("participation:visit-1", "cardf:agent", "state:russia"),
         ("Participation-officeHeld SPARQL", "participation:visit-1")),
        ("Participation-agent MinCount", "participation:visit-1", drop("participation:visit-1", "cardf:agent")),
        ("Participation-agent NodeKind", "participation:visit-1", put("participation:visit-1", "cardf:agent", LIT),
         ("Participation-officeHeld SPARQL", "participation:visit-1")),
        ("Participation-event MaxCount", "participation:visit-1", add("event:talks", "cardf:hasParticipation", "participation:visit-1")),
        ("Participation-event MinCount", "participation:visit-1", "DELETE DATA { event:visit cardf:hasParticipation participation:visit-1 }"),
        ("Participation-inCapacityOf Class", "participation:visit-1", put("participation:visit-1", "cardf:inCapacityOf", "state:russia"),
         ("Participation-officeHeld SPARQL", "participation:visit-1")),
        ("Participation-inCapacityOf MaxCount", "participation:visit-1", add("participation:visit-1", "cardf:inCapacityOf", "office:president-of-kazakhstan"),
         ("Participation-officeHeld SPARQL", "participation:visit-1")),
        ("Participation-represents MaxCount", "participation:visit-1", add("participation:visit-1", "cardf:represents", "state:kazakhstan")),
        ("Participation-represents NodeKind", "participation:visit-1", put("participation:visit-1", "cardf:represents", LIT)),
        ("Participation-role MaxCount", "participation:visit-1", add("participation:visit-1", "cardf:role", "participant-role:participant")),
        ("Participation-role MinCount", "participation:visit-1", drop("participation:visit-1", "cardf:role")),
        ("Participation-role-code In", "participation:visit-1", put("participation:visit-1", "cardf:role", "event-type:visit")),
        ("Period Closed", "interval:2026", add("interval:2026", "cardf:titel", LIT)),
        ("Period-endDate MaxCount", "interval:2026", add("interval:2026", "cardf:endDate", '"2026-12"^^xsd:gYearMonth')),
        ("Period-endDate MinCount", "interval:2026", drop("interval:2026", "cardf:endDate")),
        ("Period-endDate Or", "interval:2026", put("interval:2026", "cardf:endDate", '"2026"')),
        ("Period-endDate Pattern", "interval:2026", put("interval:2026", "cardf:endDate", '"2026Z"^^xsd:gYear')),
        ("Period-startDate MaxCount", "interval:2026", add("interval:2026", "cardf:startDate", '"2026-01"^^xsd:gYearMonth')),
        ("Period-startDate MinCount", "interval:2026", drop("interval:2026", "cardf:startDate")),
        ("Period-startDate Or", "interval:2026", put("interval:2026", "cardf:startDate", '"2026"')),
        ("Period-startDate Pattern", "interval:2026", put("interval:2026", "cardf:startDate", '"2026Z"^^xsd:gYear')),
        ("Person Closed", "person:test-author", add("person:test-author", "cardf:titel", LIT)),
        ("Person-holdsOffice Class", "person:vladimir-putin", add("person:vladimir-putin", "cardf:holdsOffice", "state:russia")),
        ("Place Closed", "place:astana", add("place:astana", "cardf:titel", LIT)),
        ("Place-locatedIn MaxCount", "place:astana", add("place:astana", "cardf:locatedIn", "state:russia")),
        ("Place-locatedIn NodeKind", "place:astana", put("place:astana", "cardf:locatedIn", LIT)),
        ("Place-placeType MaxCount", "place:astana", add("place:astana", "cardf:placeType", "place-type:region")),
        ("Place-placeType MinCount", "place:astana", drop("place:astana", "cardf:placeType")),
        ("Place-placeType-code In", "place:astana", put("place:astana", "cardf:placeType", "event-type:visit")),
        ("Quotation Closed", "quote:quote-investment", add("quote:quote-investment", "cardf:titel", LIT)),
        ("Quotation-medium MaxCount", "quote:quote-investment", add("quote:quote-investment", "cardf:medium", "quote-medium:written-article")),
        ("Quotation-medium MinCount", "quote:quote-investment", drop("quote:quote-investment", "cardf:medium")),
        ("Quotation-medium-code In", "quote:quote-investment", put("quote:quote-investment", "cardf:medium", "event-type:visit")),
        ("Quotation-quoteText Datatype", "quote:quote-investment", put("quote:quote-investment", "cardf:quoteText", LIT)),
        ("Quotation-quoteText MaxCount", "quote:quote-investment", add("quote:quote-investment", "cardf:quoteText", '"другие слова"@ru')),
        ("Quotation-quoteText MinCount", "quote:quote-investment", drop("quote:quote-investment", "cardf:quoteText")),
        ("Quotation-speaker NodeKind", "quote:quote-investment", put("quote:quote-investment", "cardf:speaker", LIT)),
        ("Quotation-speakerDescription Datatype", "quote:quote-investment",
         "INSERT DATA { quote:quote-investment cardf:speakerDescription \"text\", \"говорящий\"@ru, \"speaker\"@en }"),
        ("Quotation-speakerDescription UniqueLang", "quote:quote-investment",
         "INSERT DATA { quote:quote-investment cardf:speakerDescription \"говорящий\"@ru, \"speaker\"@en, \"talker\"@en }"),
        ("Quotation-translationText Datatype", "quote:quote-investment", put("quote:quote-investment", "cardf:translation", LIT)),
        ("Quotation-translationText UniqueLang", "quote:quote-investment", add("quote:quote-investment", "cardf:translation", '"another"@en')),
        ("Record-about NodeKind", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:about", LIT)),
        ("Record-attributedTo MaxCount", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:attributedTo", "person:vladimir-putin")),
        ("Record-attributedTo NodeKind", "opinion:opinion-pragmatic", put("opinion:opinion-pragmatic", "cardf:attributedTo", LIT)),
        ("Record-content Datatype", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:content", LIT)),
        ("Record-content MinCount", "opinion:opinion-pragmatic", drop("opinion:opinion-pragmatic", "cardf:content")),
        ("Record-content UniqueLang", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:content", '"A second thought."@en')),
        ("Record-date MaxCount", "quote:quote-investment", add("quote:quote-investment", "cardf:date", '"2025-11"^^xsd:gYearMonth')),
        ("Record-date Or", "quote:quote-investment", put("quote:quote-investment", "cardf:date", '"2025-11-11"')),
        ("Record-date Pattern", "quote:quote-investment", put("quote:quote-investment", "cardf:date", '"2025-11-11Z"^^xsd:date')),
        ("Record-evidence Class", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:evidence", "span:visit-1-quote")),
        ("Record-evidence MinCount", "opinion:opinion-pragmatic", drop("opinion:opinion-pragmatic", "cardf:evidence"),
         ("Evidence-record MinCount", "span:opinion-pragmatic-1")),
        ("Record-evidence NodeKind", "opinion:opinion-pragmatic", add("opinion:opinion-pragmatic", "cardf:evidence", LIT),
         ("Record-evidence Class", "opinion:opinion-pragmatic")),
        ("Record-inDocument Class", "statement:statement-trade", put("statement:statement-trade", "cardf:inDocument", "event:visit")),
        ("Record-inDocument MaxCount", "statement:statement-trade", add("statement:statement-trade", "cardf:inDocument", "document:action-plan")),
        ("Record-label Datatype", "event:visit", add("event:visit", "rdfs:label", LIT)),
        ("Record-label UniqueLang", "event:visit", add("event:visit", "rdfs:label", '"The visit"@en')),
        ("Record-labelRequired MinCount", "event:visit", drop("event:visit", "rdfs:label")),
        ("Record-location NodeKind", "commitment:gas-supply", add("commitment:gas-supply", "cardf:location", LIT)),
        ("Record-occasion Class", "quote:quote-investment", put("quote:quote-investment", "cardf:occasion", "document:declaration")),
        ("Record-occasion MaxCount", "quote:quote-investment", add("quote:quote-investment", "cardf:occasion", "event:visit")),
        ("Record-period Class", "decision:new-format", put("decision:new-format", "cardf:period", "event:visit")),
        ("Record-period MaxCount", "decision:new-format", add("decision:new-format", "cardf:period", "interval:2024")),
        ("Record-reportedIn Class", "opinion:opinion-pragmatic", put("opinion:opinion-pragmatic", "cardf:reportedIn", "document:declaration"),
         ("Evidence-sameArticle SPARQL", "span:opinion-pragmatic-1")),
        ("Record-reportedIn MinCount", "opinion:opinion-pragmatic", drop("opinion:opinion-pragmatic", "cardf:reportedIn"),
         ("Evidence-sameArticle SPARQL", "span:opinion-pragmatic-1")),
        ("Record-hasDisagreement Class", "event:visit", add("event:visit", "cardf:hasDisagreement", "event:talks")),
        ("Record-distinctFrom NodeKind", "event:visit", add("event:visit", "cardf:distinctFrom", LIT)),
        ("Disagreement Closed", "disagreement:d", DISAGREEMENT + add("disagreement:d", "cardf:titel", LIT)),
        ("Disagreement-about MaxCount", "disagreement:d", DISAGREEMENT + add("disagreement:d", "cardf:disagreementAbout", "event:talks")),
        ("Disagreement-about MinCount", "disagreement:d", DISAGREEMENT + drop("disagreement:d", "cardf:disagreementAbout")),
        ("Disagreement-about NodeKind", "disagreement:d", DISAGREEMENT + put("disagreement:d", "cardf:disagreementAbout", LIT)),
        ("Disagreement-claim Class", "disagreement:d", DISAGREEMENT + add("disagreement:d", "cardf:hasClaim", "event:talks")),
        ("Disagreement-claim MinCount", "disagreement:d", DISAGREEMENT + drop("disagreement:d", "cardf:hasClaim")),
        ("Disagreement-property MaxCount", "disagreement:d", DISAGREEMENT + add("disagreement:d", "cardf:disputedProperty", "cardf:startDate")),
        ("Disagreement-property MinCount", "disagreement:d", DISAGREEMENT + drop("disagreement:d", "cardf:disputedProperty")),
        ("Disagreement-property NodeKind", "disagreement:d", DISAGREEMENT + put("disagreement:d", "cardf:disputedProperty", LIT)),
        ("Record-signatory NodeKind", "document:declaration", add("document:declaration", "cardf:signatory", LIT)),
        ("Record-supportedBy Class", "event:visit", add("event:visit", "cardf:supportedBy", "document:declaration")),
        ("Record-title Datatype", "document:declaration", add("document:declaration", "cardf:title", LIT)),
        ("Record-title MinCount", "document:declaration", drop("document:declaration", "cardf:title")),
        ("Record-title UniqueLang", "document:declaration", add("document:declaration", "cardf:title", '"Another title"@en')),
        ("Record-url Datatype", "source:footnote-1", put("source:footnote-1", "cardf:url", '"https://example.org/source"')),
        ("Record-url MaxCount", "source:footnote-1", add("source:footnote-1", "cardf:url", '"https://example.org/other"^^xsd:anyURI')),
        ("Record-url Pattern", "source:footnote-1", put("source:footnote-1", "cardf:url", '"ftp://example.org/source"^^xsd:anyURI')),
        ("Relationship Closed", "relationship:kazakhstan--russia", add("relationship:kazakhstan--russia", "cardf:titel", LIT)),
        ("Relationship-party Class", "relationship:kazakhstan--russia",
         ("DELETE DATA { relationship:kazakhstan--russia cardf:party state:kazakhstan }",
          add("relationship:kazakhstan--russia", "cardf:party", "place:astana"))),
        ("Relationship-party MaxCount", "relationship:kazakhstan--russia", add("relationship:kazakhstan--russia", "cardf:party", "place:astana"),
         ("Relationship-party Class", "relationship:kazakhstan--russia")),
        ("RelationshipStatus Closed", "relationship-status:partnership", add("relationship-status:partnership", "cardf:titel", LIT)),
        ("RelationshipStatus-establishedBy Class", "relationship-status:partnership", put("relationship-status:partnership", "cardf:establishedBy", "event:visit")),
        ("RelationshipStatus-establishedBy MaxCount", "relationship-status:partnership", add("relationship-status:partnership", "cardf:establishedBy", "document:action-plan")),
        ("RelationshipStatus-level MaxCount", "relationship-status:partnership", add("relationship-status:partnership", "cardf:level", "relationship-level:alliance")),
        ("RelationshipStatus-level MinCount", "relationship-status:partnership", drop("relationship-status:partnership", "cardf:level")),
        ("RelationshipStatus-level-code In", "relationship-status:partnership", put("relationship-status:partnership", "cardf:level", "event-type:visit")),
        ("RelationshipStatus-since MaxCount", "relationship-status:partnership", add("relationship-status:partnership", "cardf:since", '"2025"^^xsd:gYear')),
        ("RelationshipStatus-since Or", "relationship-status:partnership", put("relationship-status:partnership", "cardf:since", '"2025-11"')),
        ("RelationshipStatus-since Pattern", "relationship-status:partnership", put("relationship-status:partnership", "cardf:since", '"2025-11Z"^^xsd:gYearMonth')),
        ("RelationshipStatus-statusKind MaxCount", "relationship-status:partnership", add("relationship-status:partnership", "cardf:statusKind", "status-kind:stated")),
        ("RelationshipStatus-statusKind MinCount", "relationship-status:partnership", drop("relationship-status:partnership", "cardf:statusKind")),
        ("RelationshipStatus-statusKind-code In", "relationship-status:partnership", put("relationship-status:partnership", "cardf:statusKind", "event-type:visit")),
        ("RelationshipStatus-statusOf Class", "relationship-status:partnership", put("relationship-status:partnership", "cardf:statusOf", "event:visit")),
        ("RelationshipStatus-statusOf MaxCount", "relationship-status:partnership",
         ("INSERT DATA { relationship:kazakhstan--russia-2 a cardf:Relationship ; cardf:party state:kazakhstan, state:russia }",
          add("relationship-status:partnership", "cardf:statusOf", "relationship:kazakhstan--russia-2"))),
        ("RelationshipStatus-statusOf MinCount", "relationship-status:partnership", drop("relationship-status:partnership", "cardf:statusOf")),
        ("Resource-iri NodeKind", "(blank node)", rename("interval:2026", BLANK), ("Resource-iri Pattern", "(blank node)")),
        ("Resource-iri Pattern", "interval:2026_2027", rename("interval:2026", "interval:2026_2027")),
        ("Resource-note Datatype", "event:visit", put("event:visit", "rdfs:comment", LIT), ("Resource-note LanguageIn", "event:visit")),
        ("Resource-note LanguageIn", "event:visit", put("event:visit", "rdfs:comment", '"Заметка"@ru')),
        ("Resource-note MaxCount", "event:visit", add("event:visit", "rdfs:comment", '"Another note."@en')),
        ("State Closed", "state:russia", add("state:russia", "cardf:titel", LIT)),
        ("State-capital Class", "state:russia", put("state:russia", "cardf:capital", "state:kazakhstan")),
        ("State-capital MaxCount", "state:russia", add("state:russia", "cardf:capital", "place:astana")),
        ("State-isoCode Datatype", "state:russia", put("state:russia", "cardf:isoCode", '"RUS"@en'), ("State-isoCodeKnown In", "state:russia")),
        ("State-isoCode MaxCount", "state:russia", add("state:russia", "cardf:isoCode", '"ABW"')),
        ("Statement Closed", "statement:statement-trade", add("statement:statement-trade", "cardf:titel", LIT)),
        ("Statement-speaker MinCount", "statement:statement-trade", drop("statement:statement-trade", "cardf:speaker")),
        ("Statement-speaker NodeKind", "statement:statement-trade", put("statement:statement-trade", "cardf:speaker", LIT)),
        ("Statement-statementMode MaxCount", "statement:statement-trade", add("statement:statement-trade", "cardf:statementMode", "statement-mode:stated")),
        ("Statement-statementMode MinCount", "statement:statement-trade", drop("statement:statement-trade", "cardf:statementMode")),
        ("Statement-statementMode-code In", "statement:statement-trade", put("statement:statement-trade", "cardf:statementMode", "event-type:visit")),
        ("TextPositionSelector Closed", "span:visit-1-position", add("span:visit-1-position", "cardf:titel", LIT)),
        ("TextPositionSelector-end Datatype", "span:visit-1-position", retype("span:visit-1-position", "oa:end", "integer")),
        ("TextPositionSelector-end MaxCount", "span:visit-1-position", add("span:visit-1-position", "oa:end", '"1"^^xsd:nonNegativeInteger'),
         ("Evidence-lengthMatches SPARQL", "span:visit-1")),
        ("TextPositionSelector-end MinCount", "span:visit-1-position", drop("span:visit-1-position", "oa:end")),
        ("TextPositionSelector-start Datatype", "span:visit-1-position", retype("span:visit-1-position", "oa:start", "integer")),
        ("TextPositionSelector-start MaxCount", "span:visit-1-position", add("span:visit-1-position", "oa:start", '"1"^^xsd:nonNegativeInteger'),
         ("Evidence-lengthMatches SPARQL", "span:visit-1")),
        ("TextPositionSelector-start MinCount", "span:visit-1-position", drop("span:visit-1-position", "oa:start")),
        ("TextQuoteSelector Closed", "span:visit-1-quote", add("span:visit-1-quote", "cardf:titel", LIT)),
        ("TextQuoteSelector-exact Datatype", "span:visit-1-quote", retype("span:visit-1-quote", "oa:exact", "@ru")),
        ("TextQuoteSelector-exact MaxCount", "span:visit-1-quote", add("span:visit-1-quote", "oa:exact", '"x"'),
         ("Evidence-lengthMatches SPARQL", "span:visit-1")),
        ("TextQuoteSelector-exact MinCount", "span:visit-1-quote", drop("span:visit-1-quote", "oa:exact")),
        ("TextQuoteSelector-exact MinLength", "span:visit-1-quote", put("span:visit-1-quote", "oa:exact", '""'),
         ("Evidence-lengthMatches SPARQL", "span:visit-1")),
        ("TextQuoteSelector-prefix Datatype", "span:talks-1-quote", retype("span:talks-1-quote", "oa:prefix", "@ru")),
        ("TextQuoteSelector-prefix MaxCount", "span:talks-1-quote", add("span:talks-1-quote", "oa:prefix", '"x"')),
        ("TextQuoteSelector-suffix Datatype", "span:talks-1-quote", retype("span:talks-1-quote", "oa:suffix", "@ru")),
        ("TextQuoteSelector-suffix MaxCount", "span:talks-1-quote", add("span:talks-1-quote", "oa:suffix", '"x"')),
    ]],
]


# ----------------------------------------------------------------------------- running the cases

@lru_cache(maxsize=1)
def the_shapes() -> rdflib.Graph:
    return load_shapes(shape_files(SHAPES))


def mapped(folder: Path) -> tuple[rdflib.Graph, dict]:
    """The graph cardf makes of a source folder (no ontology: the shapes never need it) and its origins."""
    from cardf.mapping import map_corpus
    from cardf.sources import load_corpus, load_vocabulary
    from cardf.shacl import to_rdflib

    corpus = load_corpus(folder, load_vocabulary(ONTOLOGY))
    m = map_corpus(corpus, Minter())
    return to_rdflib(list(m.entities) + list(m.shared) + [t for a in m.articles for t in a.triples]), m.origins


@lru_cache(maxsize=1)
def base_graph() -> rdflib.Graph:
    return mapped(CORPUS)[0]


@dataclass
class Run:
    findings: list[Finding]
    folder: Path | None = None


def run_cases(cases: list[Case], workdir: Path) -> Run:
    """Apply every change of `cases` to one copy of the fixture and validate it."""
    if cases[0].yaml:
        folder = workdir / "corpus"
        shutil.copytree(CORPUS, folder)
        for case in cases:
            edit_yaml(folder, case.change)
        graph, origins = mapped(folder)
        return Run(validate_graph(graph, the_shapes(), origins).findings, folder)
    graph = rdflib.Graph()
    for triple in base_graph():
        graph.add(triple)
    for case in cases:
        apply(graph, case.change)
    return Run(validate_graph(graph, the_shapes()).findings)


def batches(cases: list[Case]) -> list[list[Case]]:
    """Cases that change different resources, in groups of at most BATCH_SIZE."""
    out: list[list[Case]] = []
    for case in cases:
        if case.alone or any(focus == "*" for _, focus in case.also):
            out.append([case])
            continue
        for batch in out:
            if (len(batch) < BATCH_SIZE and batch[0].yaml == case.yaml and not batch[0].alone
                    and not any(focus == "*" for c in batch for _, focus in c.also)
                    and all(not (c.foci() & case.foci()) and not (c.expected() & case.expected()) for c in batch)
                    and (not case.yaml or _edits_fit(batch + [case]))):
                batch.append(case)
                break
        else:
            out.append([case])
    return out


def _edits_fit(cases: list[Case]) -> bool:
    texts: dict[Path, str] = {}
    for case in cases:
        for name, old, new in case.change:
            text = texts.setdefault(name, (CORPUS / name).read_text(encoding="utf-8"))
            if text.count(old) != 1:
                return False
            texts[name] = text.replace(old, new)
    return True


BATCHES = batches(CASES)
_runs: dict[int, Run] = {}


def outcome(case: Case, workdir_factory) -> Run:
    """The findings about this case's resources: from its batch when the batch is fully explained, else alone."""
    index = next(i for i, b in enumerate(BATCHES) if case in b)
    batch = BATCHES[index]
    if index not in _runs:
        _runs[index] = run_cases(batch, workdir_factory.mktemp(f"batch{index}"))
    run = _runs[index]
    expected = set().union(*(c.expected() for c in batch))
    explained = all(key_of(f) in expected or _wild(key_of(f), batch) for f in run.findings)
    mine = Run([f for f in run.findings if f.focus in case.foci() or _wild(key_of(f), [case])], run.folder)
    if len(batch) == 1 or (explained and _matches(case, mine.findings)):
        return mine if len(batch) > 1 else run
    return run_cases([case], workdir_factory.mktemp("alone"))


def _wild(key: Key, cases: list[Case]) -> bool:
    return any(f"{key[0]} {key[1]}" == constraint and focus == "*" for c in cases for constraint, focus in c.also)


def _matches(case: Case, findings: list[Finding]) -> bool:
    return _difference(case, findings) == (set(), set())


def _difference(case: Case, findings: list[Finding]) -> tuple[set, set]:
    """(expected but missing, found but not expected)."""
    got = {key_of(f) for f in findings if not _wild(key_of(f), [case])}
    wild = {(c.split()[0], c.split()[1]) for c, focus in case.also if focus == "*"}
    missing = {k for k in case.expected() if k[2] != "*"} - got
    missing |= {(s, c, "*") for s, c in wild if not any(key_of(f)[:2] == (s, c) for f in findings)}
    return missing, got - case.expected()


# ----------------------------------------------------------------------------- the tests

@pytest.mark.parametrize("case", CASES, ids=[c.id + (":yaml" if c.yaml else "") for c in CASES])
def test_each_constraint_reports_its_focus_and_source(case: Case, tmp_path_factory):
    run = outcome(case, tmp_path_factory)
    missing, unexpected = _difference(case, run.findings)
    assert not missing and not unexpected, (
        f"missing {sorted(missing)}, unexpected {sorted(unexpected)}:\n"
        + "\n".join(f"{f.shape} {f.constraint} {f.focus} {f.path} {f.value!r}: {f.message}" for f in run.findings))
    if case.yaml:
        shape, component = case.constraint.split()
        main = [f for f in run.findings if key_of(f) == (shape, component, expand(case.focus))]
        edited = next(run.folder / name for name, _, new in case.change if case.line in new)
        for f in main:
            assert Path(f.file).resolve() == edited.resolve(), f.source
            assert f.line == line_of(edited, case.line), f"{f.source}, expected line of {case.line!r}"
            assert f.column is not None and f.column >= 1


def test_the_fixture_corpus_gives_no_finding():
    graph, origins = mapped(CORPUS)
    report = validate_graph(graph, the_shapes(), origins)
    assert [(f.shape, f.constraint, f.focus, f.message) for f in report.findings] == []


def constraints_of(shapes: rdflib.Graph) -> set[str]:
    """Every constraint of the shapes graph as 'Shape Component'."""
    parameters = {"minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype", "class": "Class",
                  "nodeKind": "NodeKind", "in": "In", "pattern": "Pattern", "minInclusive": "MinInclusive",
                  "maxInclusive": "MaxInclusive", "minExclusive": "MinExclusive", "maxExclusive": "MaxExclusive",
                  "minLength": "MinLength", "maxLength": "MaxLength", "uniqueLang": "UniqueLang",
                  "languageIn": "LanguageIn", "hasValue": "HasValue", "or": "Or", "closed": "Closed",
                  "sparql": "SPARQL"}
    out = set()
    shapes_ = set(shapes.subjects(rdflib.RDF.type, SH.NodeShape)) | set(shapes.subjects(rdflib.RDF.type, SH.PropertyShape))
    for shape in shapes_:
        for parameter, component in parameters.items():
            if (shape, SH[parameter], None) in shapes and (shape, SH.deactivated, rdflib.Literal(True)) not in shapes:
                out.add(f"{str(shape).removeprefix(NS)} {component}")
    return out


def test_every_constraint_has_a_case():
    covered = {c.constraint for c in CASES}
    assert sorted(constraints_of(the_shapes()) - covered) == []
    assert sorted(covered - constraints_of(the_shapes())) == []


# Predicates that the mapper adds beside the fields of schema.py.
MAPPED_EXTRAS = {
    "Article": ["textLength", "disclaimer", "cites"], "Event": ["hasParticipation", "participant"],
    "Quotation": ["quoteText"], "RelationshipStatus": ["statusOf"], "Claim": ["claimProperty", "claimValue"],
    "Opinion": ["attributedTo"],
}


def test_closed_shapes_allow_every_field_of_the_source_format():
    """A field added to schema.py must be added to its class's shape too, or the shape rejects it."""
    from cardf.iris import ONT
    from cardf.mapping import predicate
    from cardf.schema import ARTICLE_FIELDS, ENTITY_KINDS, PARTICIPANT_FIELDS, RECORD_KINDS

    g = the_shapes()
    specs = [(k.cls, k.fields) for k in ENTITY_KINDS + RECORD_KINDS]
    specs += [("Article", ARTICLE_FIELDS), ("Participation", PARTICIPANT_FIELDS)]
    missing = []
    for cls, fields in specs:
        node = rdflib.URIRef(NS + cls)
        allowed = {str(g.value(p, SH.path)) for p in g.objects(node, SH.property)}
        wanted = {predicate(f).value for f in fields if f.predicate is not None}
        wanted |= {ONT + extra for extra in MAPPED_EXTRAS.get(cls, [])}
        if any(f.name == "evidence" for f in fields) and cls != "Article":
            wanted |= {ONT + "evidence", ONT + "reportedIn"}
        if any(f.name == "wikidata" for f in fields):
            wanted.add("http://www.w3.org/2004/02/skos/core#exactMatch")
        missing += [f"{cls}: {p}" for p in sorted(wanted - allowed)]
    assert missing == []


# ----------------------------------------------------------------------------- the project's data

def pyshacl_report_of(data: Path, inference: str = "none"):
    """pySHACL's own report on a data folder's graphs (with the ontology beside them)."""
    project = Project(Settings(data=data, out=Path("unused"), ontology=ONTOLOGY, shapes=SHAPES,
                               base="https://w3id.org/cardf/"))
    triples, origins = project_triples(project)
    return validate_graph(to_rdflib_graph(triples + project.ontology), the_shapes(), origins, inference)


def test_the_projects_data_conforms():
    report = pyshacl_report_of(DATA)
    violations = [f"{f.source}: {f.focus} {f.path} {f.value!r}: {f.message}"
                  for f in report.findings if f.severity == "Violation"]
    assert report.conforms and violations == []


def test_the_fixture_conforms_with_rdfs_inference_too():
    """With inference the ontology's alignments add external properties; closedness is then not checked."""
    report = pyshacl_report_of(CORPUS, inference="rdfs")
    assert [(f.shape, f.constraint, f.focus, f.path) for f in report.findings] == []


# ----------------------------------------------------------------------------- the shapes themselves

def test_the_shapes_are_valid_shacl():
    """The shapes graph conforms to the SHACL-for-SHACL shapes that pySHACL ships (shacl-shacl.ttl)."""
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(the_shapes())
    assert conforms, text
    broken = rdflib.Graph()
    for triple in the_shapes():
        broken.add(triple)
    broken.set((rdflib.URIRef(NS + "Figure-amount"), SH.minCount, rdflib.Literal("one")))
    assert not meta_validate(broken)[0], "the meta-validation must be able to fail"


ALLOWED_SH = {"NodeShape", "PropertyShape", "SPARQLConstraint", "targetClass", "targetSubjectsOf", "targetObjectsOf",
              "path", "inversePath", "property", "minCount", "maxCount", "datatype", "class", "nodeKind", "in",
              "hasValue", "pattern", "flags", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
              "minLength", "maxLength", "languageIn", "uniqueLang", "closed", "ignoredProperties", "or", "sparql",
              "select", "prefixes", "declare", "prefix", "namespace", "severity", "message", "deactivated", "IRI",
              "Violation", "Warning", "Info"}


def test_the_shapes_use_only_the_portable_subset():
    """What the fast SPARQL validator and every SHACL engine implement alike (see shapes/cardf-shapes.ttl)."""
    g = the_shapes()
    used = {str(t).removeprefix(str(SH)) for triple in g for t in triple if str(t).startswith(str(SH))}
    assert sorted(used - ALLOWED_SH) == []
    for shape, path in g.subject_objects(SH.path):
        if isinstance(path, rdflib.BNode):
            assert set(g.predicate_objects(path)) == {(SH.inversePath, g.value(path, SH.inversePath))}
            assert isinstance(g.value(path, SH.inversePath), rdflib.URIRef), shape
    for shape, members in g.subject_objects(SH["or"]):
        for member in rdflib.collection.Collection(g, members):
            assert {p for p, _ in g.predicate_objects(member)} == {SH.datatype}, shape
    for query in g.objects(None, SH.select):
        text = re.sub(r"\"[^\"]*\"", '""', str(query)).upper()
        for word in ("VALUES", "MINUS", "SERVICE", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "GRAPH"):
            assert not re.search(rf"\b{word}\b", text), f"{word} in {query}"
        assert len(re.findall(r"\bSELECT\b", text)) == 1, "no sub-queries"


def test_every_shape_has_an_iri_and_an_english_message():
    g = the_shapes()
    shapes_ = set(g.subjects(rdflib.RDF.type, SH.NodeShape)) | set(g.subjects(rdflib.RDF.type, SH.PropertyShape))
    assert [s for s in shapes_ if not isinstance(s, rdflib.URIRef) or not str(s).startswith(NS)] == []
    silent = []
    for shape in shapes_:
        messages = list(g.objects(shape, SH.message)) + [m for c in g.objects(shape, SH.sparql)
                                                          for m in g.objects(c, SH.message)]
        own = (shape, SH.property, None) not in g or (shape, SH.closed, None) in g or (shape, SH.sparql, None) in g
        if own and not messages:
            silent.append(str(shape))
        for m in messages:
            assert m.language in (None, "en") and m.endswith((".", ")")), (shape, m)
    assert silent == []


def test_the_vocabulary_shapes_are_current():
    current = (SHAPES / "cardf-vocabularies.ttl").read_text(encoding="utf-8")
    assert vocabulary_shapes(load_ontology_quads(ONTOLOGY)) == current, (
        "shapes/cardf-vocabularies.ttl is stale: run "
        "`python -m cardf.shacl.vocabulary > shapes/cardf-vocabularies.ttl`")


# ----------------------------------------------------------------------------- reports

@pytest.fixture(scope="module")
def broken_report(tmp_path_factory) -> tuple[Report, Path]:
    folder = tmp_path_factory.mktemp("broken") / "corpus"
    shutil.copytree(CORPUS, folder)
    edit_yaml(folder, [(FACTS, "    value: 13.6\n", "    value: 150\n"),
                       (ENTITIES, "wikidata: Q1520", "wikidata: q1520"),
                       (FACTS, "currency: USD", "currency: usd"),
                       (ENTITIES, "    wikidata: Q649\n", "")])
    graph, origins = mapped(folder)
    return validate_graph(graph, the_shapes(), origins), folder


def test_text_report_gives_one_line_per_problem_with_file_and_line(broken_report, monkeypatch):
    report, folder = broken_report
    monkeypatch.chdir(folder)
    facts, entities = FACTS.as_posix(), ENTITIES.as_posix()
    assert text_report(report, PREFIXES).splitlines() == [
        "Violation: cardf-shapes:Entity-wikidataIri",
        f"  {entities}:{line_of(folder / ENTITIES, 'q1520')}:15: place:astana (Astana) skos:exactMatch value wd:q1520: "
        "The Wikidata link must be one item IRI such as http://www.wikidata.org/entity/Q159: write `wikidata: Q159` "
        "(a capital Q and digits, no spaces).",
        "Violation: cardf-shapes:Figure-currencyCode",
        f"  {facts}:{line_of(folder / FACTS, 'currency: usd')}:15: figure:investment-2024 cardf:currency value 'usd': "
        "`currency:` must be an ISO 4217 currency code in use, three capital letters such as USD, EUR, RUB or KZT.",
        "Violation: cardf-shapes:Figure-percentRange",
        f"  {facts}:{line_of(folder / FACTS, 'value: 150')}:12: figure:trade-growth-2024 cardf:amount value '150.0': "
        "A percentage must lie between 0 and 100.",
        "Warning: cardf-shapes:Entity-wikidata",
        f"  {entities}:{line_of(folder / ENTITIES, 'id: moscow')}:5: place:moscow (Moscow) skos:exactMatch: No Wikidata "
        "link: add `wikidata: Q…` to this entity in entities.yaml once its identity is certain, so that it links to "
        "other data.",
        "Does not conform: 3 violations, 1 warning, 0 infos.",
    ]


def test_json_report_lists_every_result_with_its_source(broken_report, monkeypatch):
    import json

    report, folder = broken_report
    monkeypatch.chdir(folder)
    doc = json.loads(json_report(report))
    assert doc["conforms"] is False
    assert doc["counts"] == {"Violation": 3, "Warning": 1, "Info": 0}
    assert len(doc["results"]) == 5  # 'usd' breaks the pattern and the list of codes: one problem, two results
    percent = next(r for r in doc["results"] if r["shape"].endswith("#Figure-percentRange"))
    assert percent == {
        "severity": "Violation", "focus": expand("figure:trade-growth-2024"), "focus_label": None,
        "path": "https://w3id.org/cardf/ontology#amount", "value": "150.0",
        "message": "A percentage must lie between 0 and 100.", "shape": NS + "Figure-percentRange",
        "constraint": "SPARQLConstraintComponent", "file": FACTS.as_posix(),
        "line": line_of(folder / FACTS, "value: 150"), "column": 12,
        "source": f"{FACTS.as_posix()}:{line_of(folder / FACTS, 'value: 150')}:12"}


def test_turtle_report_is_the_standard_shacl_report_graph(broken_report):
    report, _ = broken_report
    g = rdflib.Graph().parse(data=turtle_report(report), format="turtle")
    (node,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(node, SH.conforms) == rdflib.Literal(False)
    results = list(g.objects(node, SH.result))
    assert len(results) == 5
    for r in results:
        for p in (SH.focusNode, SH.resultSeverity, SH.sourceShape, SH.sourceConstraintComponent, SH.resultMessage):
            assert g.value(r, p) is not None, p


def test_problems_of_unnamed_resources_point_at_the_record_that_made_them():
    """Selectors, periods and relationships have no YAML of their own: the record that refers to them has."""
    graph, origins = mapped(CORPUS)
    apply(graph, (add("span:visit-1-quote", "cardf:titel", LIT), put("interval:2026", "cardf:endDate", '"2025"^^xsd:gYear')))
    report = validate_graph(graph, the_shapes(), origins)
    where = {key_of(f)[0]: (Path(f.file).name, f.line) for f in report.findings}
    facts = CORPUS / FACTS
    assert where == {
        "TextQuoteSelector": ("facts.yaml", line_of(facts, "11 ноября президент России")),
        "Period-endNotBeforeStart": ("facts.yaml", line_of(facts, "period: 2026")),
    }


def test_a_report_without_sources_names_no_file():
    graph = rdflib.Graph()
    for triple in base_graph():
        graph.add(triple)
    apply(graph, put("figure:trade-growth-2024", "cardf:amount", '"150"^^xsd:decimal'))
    report = validate_graph(graph, the_shapes())
    (finding,) = report.findings
    assert finding.source is None and finding.file is None
    assert text_report(report, PREFIXES).splitlines()[1] == (
        "  figure:trade-growth-2024 cardf:amount value '150': A percentage must lie between 0 and 100.")


@pytest.mark.parametrize("shapes_text, why", [
    ("<urn:x:S> a sh:NodeShape ; sh:targetClass cardf:Event ; sh:property [ sh:path cardf:ordinal ; sh:minCount \"one\" ] .",
     "sh:minCount must be a literal with datatype xsd:integer"),
    ("<urn:x:S> a sh:NodeShape ; sh:targetClass cardf:Event ; sh:sparql [ sh:select \"SELECT $this WHERE { VALUES ?x { 1 } }\" ] .",
     "A SPARQL Constraint must not contain a VALUES clause"),
])
def test_shapes_that_cannot_be_used_are_an_input_error(shapes_text: str, why: str):
    from cardf.errors import InputError

    shapes = rdflib.Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
                                       "@prefix cardf: <https://w3id.org/cardf/ontology#> . " + shapes_text,
                                  format="turtle")
    with pytest.raises(InputError) as caught:
        validate_graph(base_graph(), shapes)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith("the shapes cannot be used: ") and why in str(caught.value)
