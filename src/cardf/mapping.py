"""Stage 2 — turn checked source records into RDF: one graph per article, one for the entities.

Every field maps to the predicate that `schema.py` names, so adding a field there is
enough to carry it into the graph. Mapping also says where each resource and each of its
fields came from (`origins`: a resource IRI → its record's YAML position, and (resource IRI,
predicate IRI) → the position of the field that made that triple), so that validation can
point at the line to fix without reading the YAML again. Each article's graph depends only on that article and
the entity index, which lets later stages build, cache and validate articles one by one.

Resources named by their value rather than by a record — periods (`interval:2025`) and
relationships (`relationship:kazakhstan--russia`) — are described in one shared graph, not in
every article that names them: a triple in many graphs is counted once per graph by stores that
union their graphs without removing duplicates (Oxigraph, Virtuoso), which inflates counts and
multiplies joins as the corpus grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Triple

from .iris import OA, ONT, RDF, RDFS, SKOS, XSD, Minter, concept, ont, wikidata
from .schema import ARTICLE_FIELDS, PARTICIPANT_FIELDS, Field
from .sources import Article, Corpus, Origin, PartialDate, Period, Record, Span
from .sources.model import positional

TYPE = NamedNode(RDF + "type")
EXACT_MATCH = NamedNode(SKOS + "exactMatch")
_NAMESPACES = {"rdfs": RDFS, "skos": SKOS, "cardf": ONT}
_XSD = {name: NamedNode(XSD + name) for name in
        ("date", "gYearMonth", "gYear", "dateTime", "decimal", "integer", "anyURI", "nonNegativeInteger")}
CONTEXT_CHARS = 32  # characters of prefix and suffix kept with each evidence quote


def decimal_lexical(value: Decimal) -> str:
    """Canonical xsd:decimal form with a decimal point, never an exponent (4.1e9 → 4100000000.0)."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def predicate(f: Field) -> NamedNode:
    """The predicate IRI of a field, from the CURIE schema.py gives it."""
    prefix, _, local = f.curie.partition(":")
    return NamedNode(_NAMESPACES[prefix] + local)


@dataclass(frozen=True)
class Reported:
    """One value an article gives for a field of a record another article defines (a claim of its graph)."""

    record: str  # the record's id
    field: str  # the field's name in facts.yaml
    property: str  # its predicate IRI
    claim: str  # the claim's IRI
    values: tuple[str, ...]  # the values, as N-Triples terms, sorted
    article: str  # the reporting article's slug

    __reduce__ = positional


@dataclass
class ArticleGraph:
    slug: str
    graph: NamedNode
    triples: list[Triple]
    shared: list[Triple] = field(default_factory=list)  # what it says of periods and relationships
    reported: list[Reported] = field(default_factory=list)  # what it says of records other articles define


@dataclass
class Mapped:
    """The mapped corpus: the entities graph, one graph per article, and where each resource came from."""

    entities_graph: NamedNode
    entities: list[Triple]
    articles: list[ArticleGraph]
    origins: dict[str, Origin] = field(default_factory=dict)
    shared_graph: NamedNode | None = None
    shared: list[Triple] = field(default_factory=list)  # every article's shared triples, once each, sorted


class Mapper:
    def __init__(self, corpus: Corpus, minter: Minter):
        self.minter = minter
        self.segment_of = {r.id: r.kind.segment for r in corpus.records()}
        self.shared: list[Triple] = []  # of the article being mapped
        self.reported: list[Reported] = []  # of the article being mapped

    def iri(self, ref: str) -> NamedNode:
        return self.minter.resource(self.segment_of[ref], ref)

    # values ---------------------------------------------------------------------------

    def terms(self, f: Field, value) -> list:
        t = f.type
        if t in ("ref",):
            return [self.iri(value)]
        if t == "refs":
            return [self.iri(v) for v in value]
        if t == "concept":
            return [concept(f.scheme, value)]
        if t == "concepts":
            return [concept(f.scheme, v) for v in value]
        if t == "text":
            return [Literal(s, language=lang) for lang, s in value.items()]
        if t == "texts":
            return [Literal(s, language=lang) for item in value for lang, s in item.items()]
        if t == "date" or isinstance(value, PartialDate):  # a `published` date without a time is an xsd:date
            return [date_literal(value)]
        if t == "datetime":
            return [Literal(value, datatype=_XSD["dateTime"])]
        if t == "decimal":
            return [Literal(decimal_lexical(value), datatype=_XSD["decimal"])]
        if t == "integer":
            return [Literal(str(value), datatype=_XSD["integer"])]
        if t == "url":
            return [Literal(value, datatype=_XSD["anyURI"])]
        if t == "en":
            return [Literal(value, language="en")]
        if t == "period":
            return [self.period(value)]
        return [Literal(str(value))]

    def period(self, period: Period) -> NamedNode:
        """The period's IRI; its description goes to the shared graph."""
        node = self.minter.resource("interval", period.slug)
        self.shared.append(Triple(node, TYPE, ont("Period")))
        self.shared.append(Triple(node, ont("startDate"), date_literal(period.start)))
        self.shared.append(Triple(node, ont("endDate"), date_literal(period.end)))
        return node

    def fields(self, subject: NamedNode, spec, values: dict, out: list[Triple], origins: dict,
               field_origins: dict) -> None:
        for f in spec:
            if f.predicate is None or f.name not in values:
                continue
            p = predicate(f)
            for term in self.terms(f, values[f.name]):
                out.append(Triple(subject, p, term))
            field_origin(origins, subject, p, field_origins.get(f.name))

    # records --------------------------------------------------------------------------

    def entity(self, record: Record, out: list[Triple], origins: dict) -> None:
        subject = self.iri(record.id)
        origins[subject.value] = record.origin
        out.append(Triple(subject, TYPE, ont(record.kind.cls)))
        self.fields(subject, record.kind.fields, record.values, out, origins, record.field_origins)
        if "wikidata" in record.values:
            out.append(Triple(subject, EXACT_MATCH, wikidata(record.values["wikidata"])))
            field_origin(origins, subject, EXACT_MATCH, record.field_origins.get("wikidata"))

    def article(self, article: Article, origins: dict) -> ArticleGraph:
        out: list[Triple] = []
        self.shared, self.reported = [], []
        subject = self.minter.resource("article", article.slug)
        origins[subject.value] = article.meta_origin
        meta = article.meta
        out.append(Triple(subject, TYPE, ont("Article")))
        self.fields(subject, ARTICLE_FIELDS, meta, out, origins, article.field_origins)
        out.append(Triple(subject, ont("textLength"), Literal(str(len(article.text)), datatype=_XSD["integer"])))
        language = meta.get("language", "und")
        for span in article.disclaimer:
            out.append(Triple(subject, ont("disclaimer"), Literal(span.text, language=language)))
        author = self.iri(meta["author"]) if "author" in meta else None
        for record in article.records:
            if record.reports:
                self.report(article, subject, record, out, origins)
                continue
            self.fact(article, subject, record, out, origins)
            if author is not None and record.kind.name == "opinions":
                out.append(Triple(self.iri(record.id), ont("attributedTo"), author))
            if record.kind.name == "sources":
                out.append(Triple(subject, ont("cites"), self.iri(record.id)))
        return ArticleGraph(article.slug, self.minter.article_graph(article.slug), out, self.shared, self.reported)

    def fact(self, article: Article, article_iri: NamedNode, record: Record, out: list[Triple], origins) -> None:
        subject = self.iri(record.id)
        origins[subject.value] = record.origin
        kind = record.kind.name
        out.append(Triple(subject, TYPE, ont(record.kind.cls)))
        out.append(Triple(subject, ont("reportedIn"), article_iri))
        here = record.field_origins
        self.fields(subject, record.kind.fields, record.values, out, origins, here)
        values = record.values
        if kind == "quotes":
            language = article.meta.get("language", "und")
            out.append(Triple(subject, ont("quoteText"), Literal(values["text"], language=language)))
            field_origin(origins, subject, ont("quoteText"), here.get("text"))
        elif kind == "relationships":
            self.relationship(subject, values["parties"], out)
            field_origin(origins, subject, ont("statusOf"), here.get("parties"))
        elif kind == "claims" and record.claim is not None:
            f: Field = record.claim.field
            out.append(Triple(subject, ont("claimProperty"), predicate(f)))
            for term in self.terms(f, record.claim.value):
                out.append(Triple(subject, ont("claimValue"), term))
            field_origin(origins, subject, ont("claimProperty"), here.get("field"))
            field_origin(origins, subject, ont("claimValue"), here.get("value"))
            if "according_to" not in values:
                out.append(Triple(subject, ont("accordingTo"), article_iri))
        for i, p in enumerate(record.participants, 1):
            node = self.minter.resource("participation", f"{record.id}-{i}")
            origins[node.value] = p.origins["agent"]
            out.append(Triple(subject, ont("hasParticipation"), node))
            out.append(Triple(subject, ont("participant"), self.iri(p.values["agent"])))
            out.append(Triple(node, TYPE, ont("Participation")))
            self.fields(node, PARTICIPANT_FIELDS, p.values, out, origins, p.origins)
        if record.spans:
            field_origin(origins, subject, ont("evidence"), here.get("evidence"))
        for i, span in enumerate(record.spans, 1):
            self.evidence(article, article_iri, subject, f"{record.id}-{i}", span, out, origins)

    def report(self, article: Article, article_iri: NamedNode, record: Record, out: list[Triple], origins) -> None:
        """An article's account of a record another article defines: its words, and a claim per field it gives.

        The record's own values stay those of the article that defines it; what this article says
        of it is kept apart, as claims that name this article as their source (the build compares
        them with the defining article's values: see build.agreement).
        """
        subject = self.iri(record.id)
        out.append(Triple(subject, ont("reportedIn"), article_iri))
        here = record.field_origins
        spans = []
        for i, span in enumerate(record.spans, 1):
            spans.append(self.evidence(article, article_iri, subject, f"{record.id}--{article.slug}-{i}", span, out,
                                       origins))
        for f in record.kind.fields:
            if f.name not in record.values:
                continue
            if f.name in ("note", "sources"):  # what the curator adds about this report
                self.fields(subject, (f,), record.values, out, origins, {})
                continue
            if f.predicate is None:
                continue
            claim = self.minter.resource("claim", claim_slug(record.id, f.name, article.slug))
            origins[claim.value] = here.get(f.name, record.origin)
            out += [Triple(claim, TYPE, ont("Claim")), Triple(claim, ont("claimAbout"), subject),
                    Triple(claim, ont("claimProperty"), predicate(f)),
                    Triple(claim, ont("accordingTo"), article_iri), Triple(claim, ont("reportedIn"), article_iri)]
            terms = self.terms(f, record.values[f.name])
            out += [Triple(claim, ont("claimValue"), term) for term in terms]
            self.reported.append(Reported(record.id, f.name, predicate(f).value, claim.value,
                                          tuple(sorted({str(term) for term in terms})), article.slug))
            out += [Triple(claim, ont("evidence"), node) for node in spans]
            field_origin(origins, claim, ont("claimValue"), here.get(f.name))

    def relationship(self, status: NamedNode, parties: list[str], out: list[Triple]) -> None:
        ordered = sorted(set(parties))
        node = self.minter.resource("relationship", "--".join(ordered))
        out.append(Triple(status, ont("statusOf"), node))
        self.shared.append(Triple(node, TYPE, ont("Relationship")))
        for party in ordered:
            self.shared.append(Triple(node, ont("party"), self.iri(party)))

    def evidence(self, article: Article, article_iri, subject, slug: str, span: Span, out, origins) -> NamedNode:
        node = self.minter.resource("span", slug)
        quote = self.minter.resource("span", slug + "-quote")
        position = self.minter.resource("span", slug + "-position")
        origins[node.value] = span.origin
        text = article.text
        out += [
            Triple(subject, ont("evidence"), node),
            Triple(node, TYPE, ont("Evidence")),
            Triple(node, NamedNode(OA + "hasSource"), article_iri),
            Triple(node, NamedNode(OA + "hasSelector"), quote),
            Triple(node, NamedNode(OA + "hasSelector"), position),
            Triple(quote, TYPE, NamedNode(OA + "TextQuoteSelector")),
            Triple(quote, NamedNode(OA + "exact"), Literal(span.text)),
            Triple(position, TYPE, NamedNode(OA + "TextPositionSelector")),
            Triple(position, NamedNode(OA + "start"), Literal(str(span.start), datatype=_XSD["nonNegativeInteger"])),
            Triple(position, NamedNode(OA + "end"), Literal(str(span.end), datatype=_XSD["nonNegativeInteger"])),
        ]
        prefix = text[max(0, span.start - CONTEXT_CHARS):span.start]
        suffix = text[span.end:span.end + CONTEXT_CHARS]
        if prefix:
            out.append(Triple(quote, NamedNode(OA + "prefix"), Literal(prefix)))
        if suffix:
            out.append(Triple(quote, NamedNode(OA + "suffix"), Literal(suffix)))
        return node


def claim_slug(record_id: str, field_name: str, article_slug: str) -> str:
    """`<record>--<field>--<article>`: ids have no double hyphens, so these never meet a curated claim's id."""
    return f"{record_id}--{field_name.replace('_', '-')}--{article_slug}"


def field_origin(origins: dict, subject: NamedNode, predicate: NamedNode, origin: Origin | None) -> None:
    """Note where the field that made (subject, predicate) was written; the first field written wins."""
    if origin is None:
        return
    key = (subject.value, predicate.value)
    known = origins.get(key)
    if known is None or (origin.line, origin.column) < (known.line, known.column):
        origins[key] = origin


def date_literal(value: PartialDate) -> Literal:
    return Literal(value.lexical, datatype=_XSD[value.datatype])


def map_article(article: Article, minter: Minter, segment_of: dict[str, str], origins: dict) -> ArticleGraph:
    """One article's graph, as map_corpus makes it; `segment_of` gives the IRI segment of every id it may cite."""
    mapper = Mapper(Corpus([], []), minter)
    mapper.segment_of = segment_of
    return mapper.article(article, origins)


def map_corpus(corpus: Corpus, minter: Minter) -> Mapped:
    mapper = Mapper(corpus, minter)
    origins: dict[str, Origin] = {}
    entities: list[Triple] = []
    for record in corpus.entities:
        mapper.entity(record, entities, origins)
    articles = [mapper.article(a, origins) for a in corpus.articles]
    return Mapped(minter.entities_graph(), entities, articles, origins, minter.shared_graph(),
                  shared_union(a.shared for a in articles))


def shared_union(parts) -> list[Triple]:
    """The shared graph: what the articles say of periods and relationships, each triple once, sorted."""
    return sorted(set().union(*parts), key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
