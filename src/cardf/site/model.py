"""What the site shows, read from a build's store: resources, evidence spans, articles, disputes.

Every named graph's triples but the ontology's are read at once (dumped as N-Triples, see
`StoreReading`); the spans, articles and disputes are found among them; the ontology's labels
come from one SPARQL query.

The store is the one source: the pages say what the build says. Only the article texts come
from the sources folder (the store keeps each span's offsets and words, not the whole text),
and they are checked against the store: every span's offsets must slice the text back to its
words, or the build is out of date.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, parse

from ..errors import InputError, Problem
from ..iris import DCTERMS, OA, ONT, ONTOLOGY_IRI, RDF, RDFS, SKOS, WD

TYPE = RDF + "type"
LABEL = RDFS + "label"
PART_SEGMENTS = ("span", "participation")  # parts of a record: on its page, and each on a page of its own
HAS_SELECTOR = OA + "hasSelector"
EVIDENCE = ONT + "evidence"
ARTICLE = ONT + "Article"
DISPUTING = {ONT + "disagreementAbout", ONT + "conflictsWith"}
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", ONT + "title", DCTERMS + "title")
TEXT_PREDICATES = (ONT + "content", ONT + "quoteText", ONT + "translation")
SLUG = re.compile(r"^[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$")

TERM_LABELS = f"""SELECT ?term ?label WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{
  ?term <{RDFS}label>|<{SKOS}prefLabel> ?label }} }}"""


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
    pages: dict[str, str] = field(default_factory=dict)  # record or entity IRI → its folder ("id/event/x")
    parts: dict[str, str] = field(default_factory=dict)  # evidence span or participation IRI → its folder
    selectors: set[str] = field(default_factory=set)  # a span's selectors (…-position, …-quote): on its page
    disputed_claims: set[str] = field(default_factory=set)  # the claims in `disputes`
    found_labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # labels(), once per IRI
    linkers: dict[str, object] = field(default_factory=dict, repr=False)  # markup.Linker.at, one per depth
    segments: dict[str, str | None] = field(default_factory=dict, repr=False)  # segment(), once per IRI
    descriptions: dict[str, list[str]] = field(default_factory=dict, repr=False)  # described(), once per IRI

    def disputed(self, iri: str) -> bool:
        """A record whose sources disagree about one of its values, or one source's claim in such a disagreement."""
        return iri in self.disputes or iri in self.disputed_claims

    def folder(self, iri: str) -> str | None:
        """The path of a resource under the site, if it has a page (`id/event/x`): its page, and its alternates
        beside it (`id/event/x.ttl`)."""
        return self.pages.get(iri) or self.parts.get(iri)

    def page(self, iri: str) -> str | None:
        """The file of a resource's page under the site: `id/event/x/index.html`, at the path of its IRI; an
        evidence span's is `id/span/x.html`, without a folder of its own (a site has tens of thousands of spans,
        and a folder costs as much to make as a file)."""
        folder = self.folder(iri)
        if folder is None:
            return None
        return f"{folder}.html" if folder.startswith("id/span/") else f"{folder}/index.html"  # as the URL rules say

    def segment(self, iri: str) -> str | None:
        """`event` for {base}id/event/x; None for anything not minted under id/."""
        try:
            return self.segments[iri]
        except KeyError:
            pass
        prefix = self.base + "id/"
        found = None
        if iri.startswith(prefix):
            segment, _, slug = iri[len(prefix):].partition("/")
            found = segment if slug and SLUG.match(slug) and SLUG.match(segment) else None
        self.segments[iri] = found
        return found

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
        """A label for a record that has none: a claim by what it says, a figure by its indicator and amount,
        an evidence span by its words, a participation by who took part in what."""
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
        span = self.spans.get(iri)
        if span is not None:
            words = span.exact if len(span.exact) <= 90 else span.exact[:88].rstrip() + " …"
            return {"ru": f"«{words}»"}
        agent = self.first(iri, ONT + "agent")
        if agent is not None:
            events = sorted(s for p, s in self.incoming.get(iri, ()) if p == ONT + "hasParticipation")
            role = self.first(iri, ONT + "role")
            return {lang: word(agent, lang) + (f" ({word(role, lang)})" if role is not None else "")
                    + (f" — {word(NamedNode(events[0]), lang)}" if events else "") for lang in ("en", "ru")}
        indicator, value = self.first(iri, ONT + "indicator"), self.first(iri, ONT + "amount")
        if indicator is not None and value is not None:
            unit = self.first(iri, ONT + "currency") or self.first(iri, ONT + "unit")
            return {lang: f"{word(indicator, lang)}: {word(value, lang)}" + (f" {word(unit, lang)}" if unit else "")
                    for lang in ("en", "ru")}
        return {}

    def described(self, iri: str) -> list[str]:
        """The subjects of a resource's own description, sorted: itself, and the parts it cites (evidence spans
        with their selectors, participations), which its page shows and its alternates hold. Found once per
        resource (`site.page_groups` asks first, before the pages are shared among processes)."""
        found = self.descriptions.get(iri)
        if found is not None:
            return found
        seen, todo = {iri}, [iri]
        while todo:
            for t in self.triples.get(todo.pop(), ()):
                o = t.object
                if isinstance(o, NamedNode) and o.value not in seen and self.segment(o.value) in PART_SEGMENTS:
                    seen.add(o.value)
                    todo.append(o.value)
        found = self.descriptions[iri] = sorted(s for s in seen if s in self.triples)
        return found

    def wikidata(self, iri: str) -> list[str]:
        return sorted({o.value for t in self.triples.get(iri, ()) for o in (t.object,)
                       if isinstance(o, NamedNode) and o.value.startswith(WD)})


def read(path: Path, base: str, data: Path) -> Model:
    """Everything the site shows, from the store at `path`; the article texts from
    `data/articles/<slug>/article.txt`. Raises InputError for a store that cannot be opened."""
    with StoreReading(path) as reading:
        store = reading.store
        term_labels: dict[str, dict[str, str]] = defaultdict(dict)
        for term, label in store.query(TERM_LABELS, use_default_graph_as_union=True):
            lang = label.language or ""
            current = term_labels[term.value].get(lang)
            if current is None or label.value < current:
                term_labels[term.value][lang] = label.value
        dumps = reading.dumps()
    triples: dict[str, list[Triple]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    selectors: set[str] = set()
    disputing: set[str] = set()  # disagreements, and claims that conflict with another
    article_iris: set[str] = set()
    for dump in dumps:
        for t in parse(dump, format=RdfFormat.N_TRIPLES):
            s, o = t.subject, t.object
            if not isinstance(s, NamedNode):
                continue
            triples[s.value].append(t)
            if isinstance(o, NamedNode):
                p = t.predicate.value
                incoming[o.value].append((p, s.value))
                if p == HAS_SELECTOR:
                    selectors.add(o.value)
                elif p in DISPUTING:
                    disputing.add(s.value)
                elif p == TYPE and o.value == ARTICLE:
                    article_iris.add(s.value)
    del dumps
    model = Model(base, dict(triples), dict(incoming), dict(term_labels), {}, {}, {}, selectors=selectors)
    for subject in sorted(model.triples):
        segment = model.segment(subject)
        if segment is None or subject in selectors:
            continue
        (model.parts if segment in PART_SEGMENTS else model.pages)[subject] = \
            f"id/{segment}/{subject.rsplit('/', 1)[1]}"
    model.spans = evidence_spans(model)
    articles = [(s, model.first(s, ONT + "textLength")) for s in sorted(article_iris)]
    disputes = disputed_values(model, sorted(disputing))
    for record, prop, claim in disputes:
        claims = model.disputes.setdefault(record, {}).setdefault(prop, [])
        if claim not in claims:
            claims.append(claim)
    for props in model.disputes.values():
        for claims in props.values():
            claims.sort()
            model.disputed_claims.update(claims)
    by_article: dict[str, list[Span]] = defaultdict(list)
    for span in model.spans.values():
        by_article[span.article].append(span)
    for article, length in articles:
        slug = article.rsplit("/", 1)[1]
        path = data / "articles" / slug / "article.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(problems=[Problem(f"cannot read the article's text ({exc.strerror or exc}); the site "
                                               "shows each article beside its evidence", path)]) from None
        spans = sorted(by_article.get(article, []), key=lambda s: (s.start, -s.end, s.iri))
        stale = [s for s in spans if text[s.start:s.end] != s.exact]
        if (length is not None and int(length.value) != len(text)) or stale:
            why = (f"the evidence {stale[0].iri.rsplit('/', 1)[1]} at {stale[0].start}–{stale[0].end} is not there"
                   if stale else f"it has {len(text)} characters where the build counted {length.value}")
            raise InputError(problems=[Problem(f"the text differs from the build ({why}); run `cardf build` again",
                                               path)])
        model.articles[article] = Article(article, slug, text, spans)
    model.articles = dict(sorted(model.articles.items()))
    return model


def disputed_values(model: Model, disputing: list[str]) -> list[tuple[str, str, str]]:
    """(record, property, claim): each source's claim about a value the sources disagree about — the claims of a
    disagreement, and claims that conflict with another."""
    def iris(subject: str, predicate: str) -> list[str]:
        return [o.value for o in model.values(subject, ONT + predicate) if isinstance(o, NamedNode)]

    out = []
    for subject in disputing:
        for record in iris(subject, "disagreementAbout"):
            out += [(record, prop, claim) for prop in iris(subject, "disputedProperty")
                    for claim in iris(subject, "hasClaim")]
        others = iris(subject, "conflictsWith")
        for claim in ([subject] if others else []) + others:
            out += [(record, prop, claim) for record in iris(claim, "claimAbout") for prop in iris(claim, "claimProperty")]
    return out


def evidence_spans(model: Model) -> dict[str, Span]:
    """Every evidence span a record cites: the article, where the words are in it and the words, and the records
    that cite it."""
    spans: dict[str, Span] = {}
    for record, ts in model.triples.items():
        for t in ts:
            if t.predicate.value != EVIDENCE or not isinstance(t.object, NamedNode):
                continue
            found = spans.get(t.object.value)
            if found is None:
                found = span_at(model, t.object.value)
                if found is None:
                    continue
                spans[found.iri] = found
            if record not in found.records:
                found.records.append(record)
    for span in spans.values():
        span.records.sort()
    return spans


def span_at(model: Model, iri: str) -> Span | None:
    """A span from its source and its selectors (a position and a quote), or None when one is missing."""
    article = next((o.value for o in model.values(iri, OA + "hasSource") if isinstance(o, NamedNode)), None)
    start = end = exact = None
    for selector in model.values(iri, HAS_SELECTOR):
        if isinstance(selector, NamedNode):
            a, b = model.first(selector.value, OA + "start"), model.first(selector.value, OA + "end")
            if start is None and isinstance(a, Literal) and isinstance(b, Literal):
                start, end = int(a.value), int(b.value)
            words = model.first(selector.value, OA + "exact")
            if exact is None and isinstance(words, Literal):
                exact = words.value
    if article is None or start is None or end is None or exact is None:
        return None
    return Span(iri, article, start, end, exact)


class StoreReading:
    """A build's store open to read, and its graphs' triples as N-Triples, in the store's own order.

    Reading triples from an Oxigraph store costs about 10 µs each (every term is looked up), parsing
    N-Triples a tenth of that. So a big store is read by several processes at once, each dumping a
    contiguous part of the named graphs (in the order the store lists them, which every process sees
    alike), joined in that order: the same triples in the same order as one query over every graph.
    The helpers are fresh interpreters (`python -c`), not forked: a process that has used RocksDB
    cannot safely open it again in a forked child, and a spawned multiprocessing child would run the
    parent's main module again.
    """

    def __init__(self, path: Path):
        self.path = path
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file()) if path.is_dir() else 0
        self.shares = min(os.cpu_count() or 1, 4) if size >= PARALLEL_READ_BYTES else 1
        self.helpers: list[subprocess.Popen] = []
        self.store: Store | None = None

    def __enter__(self):
        for share in range(1, self.shares):
            self.helpers.append(subprocess.Popen(
                [sys.executable, "-c", "from cardf.site.model import main_dump; main_dump()", str(self.path),
                 str(share), str(self.shares)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE))
        try:
            self.store = Store.read_only(str(self.path))
        except OSError as exc:
            self.__exit__(None, None, None)
            raise InputError(problems=[Problem(f"cannot open the store: {exc}", self.path)]) from None
        return self

    def dumps(self) -> list[bytes]:
        out = [dump_share(self.store, 0, self.shares)]
        for helper in self.helpers:
            data, err = helper.communicate()
            if helper.returncode != 0:
                why = (err.decode("utf-8", "replace").strip().splitlines() or ["a process reading it failed"])[-1]
                raise InputError(problems=[Problem(f"cannot read the store: {why}", self.path)])
            out.append(data)
        return out

    def __exit__(self, *exc) -> None:
        self.store = None
        for helper in self.helpers:
            if helper.poll() is None:
                helper.kill()
            helper.communicate()
        self.helpers = []


PARALLEL_READ_BYTES = 16 << 20  # a store this big (about 1,000 articles) is read by several processes


def dump_share(store: Store, share: int, shares: int) -> bytes:
    """Part `share` of `shares` of the named graphs but the ontology's, as N-Triples."""
    graphs = [g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value != ONTOLOGY_IRI]
    begin, end = len(graphs) * share // shares, len(graphs) * (share + 1) // shares
    return b"".join(store.dump(format=RdfFormat.N_TRIPLES, from_graph=g) for g in graphs[begin:end])


def main_dump() -> None:
    """A helper of StoreReading: `python -c … STORE SHARE SHARES` writes its part of the graphs to stdout."""
    path, share, shares = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        data = dump_share(Store.read_only(path), share, shares)
    except OSError as exc:
        sys.exit(str(exc))
    sys.stdout.buffer.write(data)


def amount(text: str) -> str:
    """4100000000.0 → 4,100,000,000; 13.60 → 13.6; anything else as it is."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"
