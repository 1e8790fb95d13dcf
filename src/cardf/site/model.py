"""What the site shows, read from a build's store with SPARQL: resources, evidence spans, articles, disputes.

The store is the one source: the pages say what the build says. Only the article texts come
from the sources folder (the store keeps each span's offsets and words, not the whole text),
and they are checked against the store: every span's offsets must slice the text back to its
words, or the build is out of date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store, Triple

from ..errors import InputError, Problem
from ..iris import DCTERMS, OA, ONT, ONTOLOGY_IRI, RDF, RDFS, SKOS, WD

TYPE = RDF + "type"
LABEL = RDFS + "label"
PART_SEGMENTS = ("span", "participation")  # described on the page of the record that cites them
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", ONT + "title", DCTERMS + "title")
TEXT_PREDICATES = (ONT + "content", ONT + "quoteText", ONT + "translation")
SLUG = re.compile(r"^[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$")

ALL_TRIPLES = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>) }}"
TERM_LABELS = f"""SELECT ?term ?label WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{
  ?term <{RDFS}label>|<{SKOS}prefLabel> ?label }} }}"""
SPANS = f"""PREFIX oa: <{OA}> PREFIX cardf: <{ONT}>
SELECT ?record ?span ?article ?start ?end ?exact WHERE {{
  ?record cardf:evidence ?span . ?span oa:hasSource ?article ; oa:hasSelector ?position , ?quote .
  ?position oa:start ?start ; oa:end ?end . ?quote oa:exact ?exact }}"""
ARTICLES = f"""PREFIX cardf: <{ONT}>
SELECT ?article ?length WHERE {{ ?article a cardf:Article . OPTIONAL {{ ?article cardf:textLength ?length }} }}"""
DISPUTES = f"""PREFIX cardf: <{ONT}>
SELECT DISTINCT ?record ?property ?claim WHERE {{
  {{ ?d cardf:disagreementAbout ?record ; cardf:disputedProperty ?property ; cardf:hasClaim ?claim }}
  UNION
  {{ ?claim cardf:claimAbout ?record ; cardf:claimProperty ?property ; cardf:conflictsWith ?other }}
  UNION
  {{ ?other cardf:conflictsWith ?claim . ?claim cardf:claimAbout ?record ; cardf:claimProperty ?property }}
}}"""


@dataclass
class Span:
    iri: str
    article: str
    start: int
    end: int
    exact: str
    records: list[str] = field(default_factory=list)


@dataclass
class Article:
    iri: str
    slug: str
    text: str
    spans: list[Span] = field(default_factory=list)


@dataclass
class Model:
    base: str
    triples: dict[str, list[Triple]]  # subject IRI → its triples, every graph but the ontology's
    incoming: dict[str, list[tuple[str, str]]]  # object IRI → (predicate, subject)
    term_labels: dict[str, dict[str, str]]  # ontology terms and concepts: IRI → {lang: label}
    spans: dict[str, Span]
    articles: dict[str, Article]
    disputes: dict[str, dict[str, list[str]]]  # record → disputed property → the claims about it
    pages: dict[str, str] = field(default_factory=dict)  # IRI → its folder under the site ("id/event/x")
    disputed_claims: set[str] = field(default_factory=set)  # the claims in `disputes`
    found_labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # labels(), once per IRI
    linkers: dict[str, object] = field(default_factory=dict, repr=False)  # markup.Linker.at, one per depth

    def disputed(self, iri: str) -> bool:
        """A record whose sources disagree about one of its values, or one source's claim in such a disagreement."""
        return iri in self.disputes or iri in self.disputed_claims

    def segment(self, iri: str) -> str | None:
        """`event` for {base}id/event/x; None for anything not minted under id/."""
        prefix = self.base + "id/"
        if not iri.startswith(prefix):
            return None
        segment, _, slug = iri[len(prefix):].partition("/")
        return segment if slug and SLUG.match(slug) and SLUG.match(segment) else None

    def values(self, iri: str, predicate: str) -> list:
        return [t.object for t in self.triples.get(iri, ()) if t.predicate.value == predicate]

    def first(self, iri: str, predicate: str):
        found = self.values(iri, predicate)
        return found[0] if found else None

    def types(self, iri: str) -> list[str]:
        return sorted(o.value for o in self.values(iri, TYPE) if isinstance(o, NamedNode))

    def labels(self, iri: str) -> dict[str, str]:
        """{lang: label} of a resource, for the language switch: its label, else a title, else its words."""
        found = self.found_labels.get(iri)
        if found is None:
            found = self.found_labels[iri] = self.find_labels(iri)
        return found

    def find_labels(self, iri: str) -> dict[str, str]:
        if iri in self.term_labels:
            return self.term_labels[iri]
        for predicate in LABEL_PREDICATES + TEXT_PREDICATES:  # a label before a title before the words
            found: dict[str, str] = {}
            for t in self.triples.get(iri, ()):
                if t.predicate.value == predicate and isinstance(t.object, Literal):
                    lang = t.object.language or ""
                    if lang not in found or t.object.value < found[lang]:
                        found[lang] = t.object.value
            if found:
                return found
        return self.composed(iri)

    def composed(self, iri: str) -> dict[str, str]:
        """A label for a record that has none: a claim by what it says, a figure by its indicator and amount."""
        def word(term, lang: str) -> str:
            if isinstance(term, NamedNode):
                labels = self.term_labels.get(term.value) or self.labels(term.value) if term.value != iri else {}
                return labels.get(lang) or labels.get("en") or labels.get("") or term.value.rsplit("/", 1)[-1]
            return amount(term.value) if isinstance(term, Literal) else ""

        about, prop = self.first(iri, ONT + "claimAbout"), self.first(iri, ONT + "claimProperty")
        if about is not None and prop is not None:
            values = self.values(iri, ONT + "claimValue")
            return {lang: f"{word(about, lang)} — {word(prop, lang)}: {', '.join(word(v, lang) for v in values)}"
                    for lang in ("en", "ru")}
        indicator, value = self.first(iri, ONT + "indicator"), self.first(iri, ONT + "amount")
        if indicator is not None and value is not None:
            unit = self.first(iri, ONT + "currency") or self.first(iri, ONT + "unit")
            return {lang: f"{word(indicator, lang)}: {word(value, lang)}" + (f" {word(unit, lang)}" if unit else "")
                    for lang in ("en", "ru")}
        return {}

    def record_triples(self, iri: str) -> list[Triple]:
        """The triples of a record's own description: its own, and those of the parts it cites (evidence spans
        with their selectors, participations), which have no page of their own."""
        out, seen, todo = [], {iri}, [iri]
        while todo:
            subject = todo.pop()
            for t in self.triples.get(subject, ()):
                out.append(t)
                o = t.object
                if isinstance(o, NamedNode) and o.value not in seen and self.segment(o.value) in PART_SEGMENTS:
                    seen.add(o.value)
                    todo.append(o.value)
        return out

    def wikidata(self, iri: str) -> list[str]:
        return sorted({o.value for t in self.triples.get(iri, ()) for o in (t.object,)
                       if isinstance(o, NamedNode) and o.value.startswith(WD)})


def read(store: Store, base: str, data: Path) -> Model:
    """Everything the site shows, from the store; the article texts from `data/articles/<slug>/article.txt`."""
    triples: dict[str, list[Triple]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in store.query(ALL_TRIPLES, use_default_graph_as_union=True):
        if not isinstance(s, NamedNode):
            continue
        triples[s.value].append(Triple(s, p, o))
        if isinstance(o, NamedNode):
            incoming[o.value].append((p.value, s.value))
    term_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for term, label in store.query(TERM_LABELS, use_default_graph_as_union=True):
        lang = label.language or ""
        current = term_labels[term.value].get(lang)
        if current is None or label.value < current:
            term_labels[term.value][lang] = label.value
    model = Model(base, dict(triples), dict(incoming), dict(term_labels), {}, {}, {})
    for subject in sorted(model.triples):
        segment = model.segment(subject)
        if segment is not None and segment not in PART_SEGMENTS:
            model.pages[subject] = f"id/{segment}/{subject.rsplit('/', 1)[1]}"
    for record, span, article, start, end, exact in store.query(SPANS, use_default_graph_as_union=True):
        found = model.spans.get(span.value)
        if found is None:
            found = model.spans[span.value] = Span(span.value, article.value, int(start.value), int(end.value),
                                                   exact.value)
        found.records.append(record.value)
    for span in model.spans.values():
        span.records.sort()
    for record, prop, claim in store.query(DISPUTES, use_default_graph_as_union=True):
        claims = model.disputes.setdefault(record.value, {}).setdefault(prop.value, [])
        if claim.value not in claims:
            claims.append(claim.value)
    for props in model.disputes.values():
        for claims in props.values():
            claims.sort()
            model.disputed_claims.update(claims)
    by_article: dict[str, list[Span]] = defaultdict(list)
    for span in model.spans.values():
        by_article[span.article].append(span)
    for article, length in store.query(ARTICLES, use_default_graph_as_union=True):
        slug = article.value.rsplit("/", 1)[1]
        path = data / "articles" / slug / "article.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(problems=[Problem(f"cannot read the article's text ({exc.strerror or exc}); the site "
                                               "shows each article beside its evidence", path)]) from None
        spans = sorted(by_article.get(article.value, []), key=lambda s: (s.start, -s.end, s.iri))
        stale = [s for s in spans if text[s.start:s.end] != s.exact]
        if (length is not None and int(length.value) != len(text)) or stale:
            why = (f"the evidence {stale[0].iri.rsplit('/', 1)[1]} at {stale[0].start}–{stale[0].end} is not there"
                   if stale else f"it has {len(text)} characters where the build counted {length.value}")
            raise InputError(problems=[Problem(f"the text differs from the build ({why}); run `cardf build` again",
                                               path)])
        model.articles[article.value] = Article(article.value, slug, text, spans)
    model.articles = dict(sorted(model.articles.items()))
    return model


def amount(text: str) -> str:
    """4100000000.0 → 4,100,000,000; 13.60 → 13.6; anything else as it is."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"
