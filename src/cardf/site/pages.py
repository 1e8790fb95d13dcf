"""A page for every record, entity, evidence span and participation at the path of its IRI (a span's with `.html`
after it), beside its own Turtle and JSON-LD.

`id/event/x/index.html` says in words what the build says about `…/id/event/x`: its properties
with labels, the records it links to and those linking to it, its evidence with the exact words
and a link into the reader at that span, what other sources claim where they disagree, and its
Wikidata link. `id/event/x.ttl` and `id/event/x.jsonld` hold the record's own triples (see
`Model.described`), written by cardf's exporters so they read like the build's files. An evidence
span's page is a small file, `id/span/x.html`, that sends the browser on to the reader at its words
(`span_page`).
"""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode

from .. import export
from ..export.jsonld import Compactor, jsonld_frame, jsonld_nodes
from ..export.turtle import TermText, header, turtle_subject
from ..iris import OA, ONT, RDFS, SKOS
from ..render import curie
from .markup import Linker, esc, kind_badge, pair, plain, shell, slug_words
from .model import PART_SEGMENTS, TYPE, Model, Span

HIDDEN = {TYPE, ONT + "evidence", ONT + "hasParticipation"}
NAMES = {RDFS + "label": "label", RDFS + "comment": "note", SKOS + "altLabel": "also called",
         SKOS + "exactMatch": "the same as", SKOS + "closeMatch": "close to", RDFS + "seeAlso": "see also"}


def predicate_label(model: Model, iri: str, prefixes: dict[str, str]) -> str:
    labels = model.term_labels.get(iri)
    if labels:
        return pair(labels)
    return esc(NAMES.get(iri) or curie(iri, prefixes) or iri)


def record_page(model: Model, iri: str, prefixes: dict[str, str], extra: str = "") -> str:
    """The HTML page of one record or entity (`extra`: the article's reader, on an article's page)."""
    root = "../../../"
    linker = Linker.at(model, root)
    labels = model.labels(iri)
    title = plain(labels, slug_words(iri))
    head, top = heading(model, iri, prefixes, labels)
    parts = [
        top,
        extra,
        "<h2>Properties</h2>",
        properties(model, linker, iri, prefixes),
    ]
    participants = participations(model, linker, iri)
    if participants:
        parts += ["<h2>Who took part</h2>", participants]
    evidence = evidence_list(model, linker, iri)
    if evidence:
        parts += ["<h2>Evidence: the words that state it</h2>", evidence]
    claims = claims_about(model, linker, iri, prefixes)
    if claims:
        parts += ["<h2>What each source says</h2>", claims]
    linked = linked_from(model, linker, iri, prefixes)
    if linked:
        parts += ["<h2>Records that name it</h2>", linked]
    return shell(root, title, "".join(parts), head)


def heading(model: Model, iri: str, prefixes: dict[str, str], labels: dict[str, str]) -> tuple[str, str]:
    """The <link>s to a page's alternates, and the top of the page: kind, label, IRI, the alternates, Wikidata."""
    segment, slug = model.folder(iri).split("/")[1:]
    head = (f'<link rel="alternate" type="text/turtle" href="../{slug}.ttl">'
            f'<link rel="alternate" type="application/ld+json" href="../{slug}.jsonld">')
    types = [curie(t, prefixes) or t for t in model.types(iri)]
    top = (f'<p>{kind_badge(segment)}<span class="muted">{esc(", ".join(types))}</span>'
           + (' <span class="flag">disputed</span>' if model.disputed(iri) else "") + "</p>"
           f"<h1>{pair(labels, slug_words(iri))}</h1>"
           f'<p class="iri"><code>{esc(iri)}</code></p>'
           f'<p class="alts">This record as <a href="../{slug}.ttl" type="text/turtle">Turtle</a>'
           f'<a href="../{slug}.jsonld" type="application/ld+json">JSON-LD</a>'
           + "".join(f'<a href="{esc(w)}" rel="external">Wikidata {esc(w.rsplit("/", 1)[1])}</a>'
                     for w in model.wikidata(iri))
           + "</p>")
    return head, top


def span_page(model: Model, iri: str) -> str:
    """An evidence span's page (`id/span/x.html`, no folder): a small one that sends the browser on to the reader at
    the span's words, where they are lit up in the article and the records that cite them are listed. Without a
    browser (or with refresh off) it shows the words, the records and the link itself. Small on purpose, and a file
    beside its alternates rather than a folder: a site has tens of thousands of spans."""
    span = model.spans[iri]
    slug = iri.rsplit("/", 1)[1]
    href = model.page(span.article)
    target = f"../../{href}#s-{slug}" if span.article in model.articles and href else None
    records = ", ".join(f'<a href="../../{model.page(r)}">{esc(plain(model.labels(r), slug_words(r)))}'
                        "</a>" for r in span.records if r in model.pages)
    title = plain(model.labels(iri), slug_words(iri))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>"
            + (f'<meta http-equiv="refresh" content="0; url={esc(target)}">' if target else "")
            + f'<link rel="alternate" type="text/turtle" href="{slug}.ttl">'
            f'<link rel="alternate" type="application/ld+json" href="{slug}.jsonld"></head>\n<body>'
            f'<p lang="ru">«{esc(span.exact)}»</p><p>Evidence for {records or "no record"}, characters {span.start}–'
            f"{span.end} of the article"
            + (f': <a href="{esc(target)}">read it there</a>' if target else "") + ".</p></body></html>\n")


def properties(model: Model, linker: Linker, iri: str, prefixes: dict[str, str]) -> str:
    by_predicate: dict[str, list] = defaultdict(list)
    for t in model.triples.get(iri, ()):
        if t.predicate.value not in HIDDEN:
            by_predicate[t.predicate.value].append(t.object)
    disputed = model.disputes.get(iri, {})
    rows = []
    for p in sorted(by_predicate, key=lambda p: (p != RDFS + "label", plain(model.term_labels.get(p, {}), p))):
        values = "<br>".join(linker.value(o) for o in sorted(by_predicate[p], key=lambda o: (o.value, str(o))))
        css, flag = "", ""
        if p in disputed:
            css, flag = ' class="disputed"', ' <span class="flag">disputed</span>' + claim_list(
                model, linker, disputed[p])
        rows.append(f"<tr{css}><th>{predicate_label(model, p, prefixes)}</th><td>{values}{flag}</td></tr>")
    return f'<table class="props">{"".join(rows)}</table>'


def claim_list(model: Model, linker: Linker, claims: list[str]) -> str:
    """Each source's value of a disputed property, with the words in which that source gives it."""
    items = []
    for claim in claims:
        values = ", ".join(linker.value(o) for o in model.values(claim, ONT + "claimValue"))
        who = [o.value for o in model.values(claim, ONT + "accordingTo") if isinstance(o, NamedNode)]
        source = ", ".join(linker.link(w) for w in who) or "the article's text"
        items.append(f'<li>{values} <span class="muted">according to</span> {source} '
                     f'(<a href="{esc(linker.href(claim) or "#")}">claim</a>){claim_words(model, linker, claim)}</li>')
    return f'<ul class="claims">{"".join(items)}</ul>'


def claim_words(model: Model, linker: Linker, claim: str) -> str:
    """The exact words of a claim's evidence, each linked to its place in the reader."""
    spans = sorted((model.spans[o.value] for o in model.values(claim, ONT + "evidence")
                    if isinstance(o, NamedNode) and o.value in model.spans), key=lambda s: (s.article, s.start, s.iri))
    quotes = []
    for span in spans:
        href = linker.href(span.article) if span.article in model.articles else None
        words = f"«{esc(span.exact)}»"
        if href:
            words = f'<a href="{esc(href)}#s-{esc(span.iri.rsplit("/", 1)[1])}">{words}</a>'
        quotes.append(words)
    return f'<br><span class="said" lang="ru">{" … ".join(quotes)}</span>' if quotes else ""


def participations(model: Model, linker: Linker, iri: str) -> str:
    rows = []
    for node in sorted(o.value for o in model.values(iri, ONT + "hasParticipation") if isinstance(o, NamedNode)):
        cells = []
        for p in (ONT + "agent", ONT + "role", ONT + "inCapacityOf", ONT + "represents"):
            cells.append(", ".join(linker.value(o) for o in model.values(node, p)))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    if not rows:
        return ""
    return ('<table class="grid"><tr><th>who</th><th>role</th><th>office</th><th>for</th></tr>'
            + "".join(rows) + "</table>")


def evidence_list(model: Model, linker: Linker, iri: str) -> str:
    spans = [model.spans[o.value] for o in model.values(iri, ONT + "evidence")
             if isinstance(o, NamedNode) and o.value in model.spans]
    return "".join(quotation(model, linker, span)
                   for span in sorted(spans, key=lambda s: (s.article, s.start, s.iri)))


def quotation(model: Model, linker: Linker, span: Span) -> str:
    """A span's exact words in their context, where they are, and a link into the reader at them."""
    before = after = ""
    for q in (o.value for o in model.values(span.iri, OA + "hasSelector")):
        p, s = model.first(q, OA + "prefix"), model.first(q, OA + "suffix")
        before = p.value if isinstance(p, Literal) else before
        after = s.value if isinstance(s, Literal) else after
    article = model.articles.get(span.article)
    href = linker.href(span.article)
    local = span.iri.rsplit("/", 1)[1]
    read = (f' <a class="read" href="{esc(href)}#s-{esc(local)}">read it in the article</a>'
            if article is not None and href else "")
    return (f'<blockquote class="ev" lang="ru"><span class="ctx">…{esc(before)}</span>'
            f'<span class="words">{esc(span.exact)}</span><span class="ctx">{esc(after)}…</span>'
            f'<div class="muted" lang="en">{linker.link(span.article)}, characters {span.start}–{span.end}'
            f'{read}</div></blockquote>')


def claims_about(model: Model, linker: Linker, iri: str, prefixes: dict[str, str]) -> str:
    claims = sorted({s for p, s in model.incoming.get(iri, ()) if p == ONT + "claimAbout"})
    if not claims:
        return ""
    rows = []
    for claim in claims:
        prop = model.first(claim, ONT + "claimProperty")
        values = ", ".join(linker.value(o) for o in model.values(claim, ONT + "claimValue"))
        who = ", ".join(linker.link(o.value) for o in model.values(claim, ONT + "accordingTo")
                        if isinstance(o, NamedNode)) or "the article's text"
        conflicts = model.values(claim, ONT + "conflictsWith")
        flag = ' <span class="flag">disputed</span>' if conflicts else ""
        rows.append(f"<tr><td>{predicate_label(model, prop.value, prefixes) if prop is not None else ''}</td>"
                    f"<td>{values}{flag}</td><td>{who}</td><td>{linker.link(claim)}</td></tr>")
    return ('<table class="grid"><tr><th>property</th><th>value</th><th>according to</th><th>claim</th></tr>'
            + "".join(rows) + "</table>")


def linked_from(model: Model, linker: Linker, iri: str, prefixes: dict[str, str]) -> str:
    groups: dict[str, set[str]] = defaultdict(set)
    for p, s in model.incoming.get(iri, ()):
        owner = s
        if model.segment(s) in PART_SEGMENTS:  # a participation: name the event it belongs to
            owners = [x for q, x in model.incoming.get(s, ()) if q == ONT + "hasParticipation"]
            if not owners:
                continue
            owner = owners[0]
        if owner in model.pages and owner != iri:
            groups[p].add(owner)
    rows = []
    for p in sorted(groups, key=lambda p: plain(model.term_labels.get(p, {}), p)):
        items = sorted(groups[p])
        shown = "".join(f"<li>{kind_badge(model.segment(s) or '')}{linker.link(s)}</li>" for s in items[:200])
        more = f"<li class=muted>… and {len(items) - 200} more</li>" if len(items) > 200 else ""
        rows.append(f'<tr><th><span class="muted">as</span> {predicate_label(model, p, prefixes)}</th>'
                    f'<td><ul class="plain">{shown}{more}</ul></td></tr>')
    return f'<table class="props">{"".join(rows)}</table>' if rows else ""


class Alternates:
    """Each page's triples as Turtle and as JSON-LD (with a context of the prefixes they use).

    The bytes are those of `export.write_triples` and `export.write_jsonld` (pyoxigraph's Turtle with the
    prefixes the triples use; cardf's compacted JSON-LD), written a subject at a time as a build writes its
    files (`export.turtle`), with one prefix finder, one compactor and one header per set of prefixes for the
    whole site instead of one per record: a site has a hundred thousand records.
    """

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self.text = TermText(prefixes)
        self.compactor = Compactor({"@context": {"id": "@id", "type": "@type", **prefixes}})
        self.frames: dict[tuple[str, ...], tuple[bytes, str, str]] = {}  # prefixes used → Turtle and JSON-LD heads
        self.blocks: dict[str, tuple[str, list[str], set[str]]] = {}  # subject → its Turtle, JSON-LD, prefixes

    def forget(self) -> None:
        """Forget the subjects written so far: a record's parts are written with it and again on their own pages,
        so the subjects are remembered for one record and its parts at a time."""
        self.blocks.clear()

    def __call__(self, model: Model, iri: str) -> tuple[bytes, bytes]:
        names: set[str] = set()
        turtle, nodes = [], []
        for subject in model.described(iri):
            block = self.blocks.get(subject)
            if block is None:
                triples = export.sort_triples(model.triples[subject])
                used: set[str] = set()
                self.text.used(triples, used)
                block = self.blocks[subject] = (turtle_subject(triples, self.text),
                                                jsonld_nodes(triples, self.compactor), used)
            turtle.append(block[0])
            nodes += block[1]
            names |= block[2]
        key = tuple(sorted(names))
        frame = self.frames.get(key)
        if frame is None:
            used = {name: self.prefixes[name] for name in key}
            frame = self.frames[key] = (header(used), *jsonld_frame({"@context": {"id": "@id", "type": "@type",
                                                                                   **used}}))
        ttl_head, head, tail = frame
        return (ttl_head + "".join(turtle).encode("utf-8"),
                (head + ",\n".join(nodes) + tail).encode("utf-8"))


def kind_index(model: Model, segment: str, members: list[str]) -> str:
    root = "../../"
    linker = Linker.at(model, root)
    items = "".join(f"<li>{linker.link(m)}</li>" for m in members)
    body = (f"<h1>{kind_badge(segment)} {len(members)} {esc(segment.replace('-', ' '))} records</h1>"
            f'<ul class="plain">{items}</ul>')
    return shell(root, f"{segment} — cardf", body)

