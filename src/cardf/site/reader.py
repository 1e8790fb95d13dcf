"""The article reader: the text with every evidence span highlighted by the kind of record that cites it.

Spans overlap and nest, so the text is cut at every span's start and end: each piece is one
`<mark>` naming (in `data-s`) every span that covers it, coloured by the innermost one, with a
darker underline where two or three spans lie on top of each other. The text keeps its exact
characters (the container's textContent is the article), so a span's offsets slice it back to
its words in the browser as in the build. The author's opinions are hatched and in italics,
disputed records underlined in red; the panel beside the text lists the records that cite the
words under the pointer, and a link to `#s-<span>` lights that span up.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from itertools import pairwise

from pyoxigraph import Literal, NamedNode

from ..iris import ONT, RDFS, SKOS
from .assets import KINDS, OTHER_COLOUR
from .markup import Linker, esc, slug_words
from .model import Article, Model
from .pages import HIDDEN

MARKER = re.compile(r"\[(\d{1,3})\]")
NOT_IN_PANEL = HIDDEN | {RDFS + "label", RDFS + "comment", SKOS + "altLabel", ONT + "reportedIn",
                         ONT + "supportedBy", ONT + "accordingTo"}
SOURCES = (ONT + "reportedIn", ONT + "supportedBy", ONT + "accordingTo")
PANEL_ROWS = 6
PANEL_VALUES = 4


class Terms:
    """The IRIs the panel names, each once: [link, English label, Russian label]."""

    def __init__(self, model: Model, linker: Linker):
        self.model, self.linker = model, linker
        self.index: dict[str, int] = {}
        self.rows: list[list[str]] = []

    def __call__(self, iri: str) -> int:
        if iri not in self.index:
            self.index[iri] = len(self.rows)
            labels = self.model.labels(iri)
            en = labels.get("en") or labels.get("") or ("" if labels.get("ru") else slug_words(iri))
            self.rows.append([self.linker.href(iri) or "", en, labels.get("ru", "")])
        return self.index[iri]


def facts(model: Model, terms: Terms, iri: str) -> list:
    """A few of a record's values for the panel: [[property, [term index or text, …], disputed?], …]."""
    rows: list = []
    by_predicate: dict[str, list] = defaultdict(list)
    for t in model.triples.get(iri, ()):
        by_predicate[t.predicate.value].append(t.object)
    for p in sorted(by_predicate):
        if p in NOT_IN_PANEL or len(rows) >= PANEL_ROWS:
            continue
        values = [terms(o.value) if isinstance(o, NamedNode) else o.value
                  for o in sorted(by_predicate[p], key=str)[:PANEL_VALUES]]
        rows.append([terms(p), values, 1 if p in model.disputes.get(iri, {}) else 0])
    return rows


def reader(model: Model, article: Article, prefixes: dict[str, str]) -> str:
    """The reader's HTML for the article's page (root three folders up)."""
    linker = Linker.at(model, "../../../")
    footnotes = cited_sources(model, article)
    records: dict[str, int] = {}
    record_data: list[dict] = []
    span_data: list[list] = []
    anchors: dict[str, int] = {}
    terms = Terms(model, linker)

    def record_index(iri: str) -> int:
        if iri not in records:
            records[iri] = len(record_data)
            segment = model.segment(iri) or ""
            colour, word = KINDS.get(segment, (OTHER_COLOUR, segment.replace("-", " ")))
            sources = sorted({o.value for p in SOURCES for o in model.values(iri, p) if isinstance(o, NamedNode)})
            record_data.append({"t": terms(iri), "kind": segment, "word": word, "colour": colour,
                                "facts": facts(model, terms, iri), "sources": [terms(s) for s in sources],
                                "disputed": 1 if model.disputed(iri) else 0})
        return records[iri]

    for i, span in enumerate(article.spans):
        local = "s-" + span.iri.rsplit("/", 1)[1]
        anchors[local] = i
        span_data.append([span.start, span.end, [record_index(r) for r in span.records], local])

    text_html = highlighted(model, article, footnotes)
    kinds = sorted({model.segment(r) or "" for s in article.spans for r in s.records})
    legend = [('<div class="legend" aria-label="Legend"><strong>Highlighted by the kind of record that cites the '
               'words:</strong>')]
    for k in kinds:
        colour, word = KINDS.get(k, (OTHER_COLOUR, k))
        css = ' op' if k == "opinion" else ""
        legend.append(f'<span><span class="sw{css}" style="background-color:{colour}"></span>{esc(word)}</span>')
    legend.append('<span><span class="disp">wavy red</span>: a disputed value</span>'
                  '<span class="muted">darker underline: words cited by two or more records</span></div>')
    notes = ""
    if footnotes:
        items = "".join(
            f'<li id="fn-{n}">[{n}] {linker.link(iri)}'
            + "".join(f' — <a href="{esc(u.value)}" rel="external">{esc(u.value)}</a>'
                      for u in model.values(iri, ONT + "url") if isinstance(u, Literal)) + "</li>"
            for n, iri in sorted(footnotes.items()))
        notes = f'<h2>Sources the article cites</h2><ol class="footnotes plain">{items}</ol>'
    payload = {"records": record_data, "spans": span_data, "anchors": anchors, "terms": terms.rows}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    return (f"<h2>The article, with its evidence</h2>{''.join(legend)}"
            f'<div class="reader"><div class="text" id="text" lang="ru">{text_html}</div>'
            f'<aside class="panel" id="panel" aria-live="polite"><h3>The records behind the words</h3>'
            f'<p class="muted">Point at or click highlighted words to see the records that cite them: '
            f'{len(article.spans)} evidence spans cite {len(records)} records in this article.</p></aside></div>'
            f'{notes}<script type="application/json" id="reader-data">{data}</script>')


def cited_sources(model: Model, article: Article) -> dict[int, str]:
    """Footnote number → the cited source it stands for."""
    out: dict[int, str] = {}
    for o in model.values(article.iri, ONT + "cites"):
        if isinstance(o, NamedNode):
            n = model.first(o.value, ONT + "footnoteNumber")
            if isinstance(n, Literal) and n.value.isdigit():
                out.setdefault(int(n.value), o.value)
    return out


def highlighted(model: Model, article: Article, footnotes: dict[int, str]) -> str:
    text, spans = article.text, [s for s in article.spans if s.end > s.start]
    index = {s.iri: i for i, s in enumerate(article.spans)}
    starts: dict[int, list] = defaultdict(list)
    ends: dict[int, list] = defaultdict(list)
    for s in spans:
        starts[s.start].append(s)
        ends[s.end].append(s)
    points = sorted({0, len(text), *starts, *ends})
    active: dict[str, object] = {}
    out: list[str] = []
    for a, b in pairwise(points):
        for s in ends.get(a, ()):
            active.pop(s.iri, None)
        for s in sorted(starts.get(a, ()), key=lambda s: s.iri):
            active[s.iri] = s
            out.append(f'<a id="s-{esc(s.iri.rsplit("/", 1)[1])}" class="anchor"></a>')
        piece = footnote_links(esc(text[a:b]), footnotes)
        if not active:
            out.append(piece)
            continue
        covering = sorted(active.values(), key=lambda s: (s.end - s.start, s.iri))
        inner = covering[0]
        kinds = {model.segment(r) for s in covering for r in s.records}
        kind = model.segment(inner.records[0]) if inner.records else ""
        colour = KINDS.get(kind or "", (OTHER_COLOUR,))[0]
        css = ["ev", f"k-{kind}"]
        if len(covering) >= 3:
            css.append("d3")
        elif len(covering) == 2:
            css.append("d2")
        if "opinion" in kinds:
            css.append("op")
        if any(model.disputed(r) for s in covering for r in s.records):
            css.append("disp")
        ids = " ".join(str(index[s.iri]) for s in sorted(covering, key=lambda s: index[s.iri]))
        out.append(f'<mark class="{" ".join(css)}" style="--c:{colour}" tabindex="0" data-s="{ids}">{piece}</mark>')
    return "".join(out)


def footnote_links(piece: str, footnotes: dict[int, str]) -> str:
    return MARKER.sub(lambda m: f'<a class="fn" href="#fn-{m.group(1)}">{m.group(0)}</a>'
                      if int(m.group(1)) in footnotes else m.group(0), piece)
