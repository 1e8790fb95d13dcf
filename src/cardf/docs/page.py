"""The ontology page itself: its style and one section per class, property and vocabulary."""

from __future__ import annotations

import html
import re
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Triple

from ..iris import DCTERMS, ONT, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS
from .graph import ALIGNMENT, CHARACTERISTICS, CLASS_KINDS, PROPERTY_KINDS, TYPE, Graph, Namer, class_members
from .shapes import Examples, ShapeNote, shape_notes

DIAGRAM_SVG = "class-diagram.svg"
DIAGRAM_DOT = "class-diagram.dot"
ONTOLOGY_TTL = "ontology.ttl"


CSS = """
:root { --ink:#1d2733; --muted:#5d6b7a; --line:#d5dde6; --tint:#f3f6f9; --accent:#1f4e79; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:var(--ink); background:#fff; }
header.top { background:var(--accent); color:#fff; padding:2rem 2rem 1.5rem; }
header.top h1 { margin:0 0 .3rem; font-size:1.9rem; }
header.top p { margin:.2rem 0; max-width:60rem; }
header.top a { color:#fff; }
.layout { display:flex; align-items:flex-start; }
nav.toc { position:sticky; top:0; max-height:100vh; overflow:auto; width:17rem; flex:none; padding:1rem 1rem 2rem;
          border-right:1px solid var(--line); font-size:.9rem; background:var(--tint); }
nav.toc ul { list-style:none; padding-left:.8rem; margin:.2rem 0; }
nav.toc > ul { padding-left:0; }
nav.toc a { text-decoration:none; color:var(--accent); }
main { flex:1; min-width:0; padding:1rem 2.2rem 4rem; max-width:75rem; }
h2 { border-bottom:2px solid var(--line); padding-bottom:.3rem; margin-top:2.5rem; }
section.term { border:1px solid var(--line); border-radius:6px; padding:.8rem 1.1rem; margin:1.2rem 0;
               scroll-margin-top:1rem; }
section.term:target { outline:3px solid #f2b134; }
section.term h3 { margin:.1rem 0 .5rem; font-size:1.2rem; }
section.term h3 .ru { color:var(--muted); font-weight:normal; }
.iri { font-size:.85rem; color:var(--muted); word-break:break-all; }
.kind { font-size:.75rem; text-transform:uppercase; letter-spacing:.05em; color:#fff; background:var(--accent);
        border-radius:3px; padding:.05rem .4rem; margin-left:.4rem; vertical-align:middle; }
.kind.deprecated { background:#a33; }
table.facts { border-collapse:collapse; width:100%; margin:.4rem 0; font-size:.95rem; }
table.facts th { text-align:left; vertical-align:top; width:11rem; color:var(--muted); font-weight:600;
                 padding:.25rem .6rem .25rem 0; }
table.facts td { padding:.25rem 0; vertical-align:top; }
table.grid { border-collapse:collapse; font-size:.92rem; margin:.5rem 0; }
table.grid th, table.grid td { border:1px solid var(--line); padding:.3rem .55rem; text-align:left; vertical-align:top; }
table.grid th { background:var(--tint); }
ul.plain { margin:.1rem 0; padding-left:1.1rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size:.88em; }
a code { color:inherit; }
a { color:var(--accent); }
.muted { color:var(--muted); }
.c { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:.85em; color:#7a4b00; }
q { quotes: "\\201C" "\\201D"; }
sub { color:var(--muted); font-size:.7em; }
figure.diagram { margin:1rem 0; border:1px solid var(--line); border-radius:6px; padding:.5rem; overflow:auto; }
svg.diagram { display:block; max-width:none; height:auto; }
figure.diagram { max-height:85vh; }
svg.diagram a:hover text { text-decoration:underline; }
p.caption { color:var(--muted); font-size:.9rem; margin-top:.4rem; }
details { margin:.6rem 0 1rem; } summary { cursor:pointer; color:var(--accent); font-weight:600; }
pre.dot { background:var(--tint); padding:1rem; overflow:auto; font-size:.8rem; }
.def-ru { color:var(--muted); }
footer { color:var(--muted); font-size:.85rem; border-top:1px solid var(--line); margin-top:3rem; padding-top:1rem; }
@media (max-width: 900px) { .layout { display:block; } nav.toc { position:static; width:auto; max-height:none; } }
@media print { nav.toc { display:none; } }
"""


def _langs(values: dict[str, list[str]], tag: str = "p") -> str:
    out = []
    for lang in sorted(values, key=lambda lang: ({"en": 0, "ru": 1}.get(lang, 2), lang)):
        cls = ' class="def-ru"' if lang == "ru" else ""
        lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
        for v in values[lang]:
            out.append(f"<{tag}{lang_attr}{cls}>{html.escape(v)}</{tag}>")
    return "".join(out)


def _row(name: str, value: str) -> str:
    return f"<tr><th>{html.escape(name)}</th><td>{value}</td></tr>" if value else ""


def _join(items: list[str]) -> str:
    return ", ".join(items)


class Page:
    def __init__(self, ontology: list[Triple], prefixes: dict[str, str], shapes: list[Triple],
                 examples: Examples | None):
        self.g = Graph(ontology)
        self.shapes = Graph(shapes)
        self.examples = examples
        self.namer = Namer(self.g, prefixes, examples.labels if examples else {})
        kinds: dict[str, set[str]] = defaultdict(set)
        for t in ontology:
            if t.predicate.value == TYPE and isinstance(t.subject, NamedNode):
                kinds[t.subject.value].add(t.object.value)
        self.kinds = kinds
        self.classes = sorted(i for i, k in kinds.items() if i.startswith(ONT) and k & set(CLASS_KINDS))
        self.props: dict[str, list[str]] = {kind: sorted(i for i, k in kinds.items() if i.startswith(ONT)
                                                         and kind in k and (kind != RDF + "Property" or
                                                                            not k & set(PROPERTY_KINDS) - {kind}))
                                            for kind in PROPERTY_KINDS}
        self.schemes = sorted(i for i, k in kinds.items() if SKOS + "ConceptScheme" in k)
        self.concepts = sorted(i for i, k in kinds.items() if SKOS + "Concept" in k)
        self.namer.local.update(self.classes, *self.props.values(), self.schemes, self.concepts)
        self.shape_by_class, self.shape_by_property = shape_notes(self.shapes, self.namer)
        onts = sorted(i for i, k in kinds.items() if OWL + "Ontology" in k)
        self.ontology_iri = ONTOLOGY_IRI if ONTOLOGY_IRI in onts else (onts[0] if onts else None)
        self.domain_of: dict[str, list[str]] = defaultdict(list)
        self.range_of: dict[str, list[str]] = defaultdict(list)
        for props in self.props.values():
            for p in props:
                for d in self.g.objects(NamedNode(p), RDFS + "domain"):
                    for m in class_members(self.g, d):
                        self.domain_of[m.value].append(p)
                for r in self.g.objects(NamedNode(p), RDFS + "range"):
                    for m in class_members(self.g, r):
                        self.range_of[m.value].append(p)

    # -- pieces

    def title(self) -> tuple[str, str]:
        if self.ontology_iri is None:
            return "Ontology", ""
        titles = self.g.literals(NamedNode(self.ontology_iri), DCTERMS + "title")
        en = (titles.get("en") or titles.get("") or ["Ontology"])[0]
        ru = (titles.get("ru") or [""])[0]
        return en, ru

    def heading(self, iri: str, kind: str) -> str:
        node = NamedNode(iri)
        labels = self.g.literals(node, RDFS + "label")
        en = (labels.get("en") or labels.get("") or [iri[len(ONT):]])[0]
        ru = (labels.get("ru") or [""])[0]
        deprecated = any(isinstance(o, Literal) and o.value == "true" for o in self.g.objects(node, OWL + "deprecated"))
        badge = f'<span class="kind">{html.escape(kind)}</span>'
        if deprecated:
            badge += '<span class="kind deprecated">deprecated</span>'
        ru_html = f' <span class="ru" lang="ru">· {html.escape(ru)}</span>' if ru else ""
        return (f'<h3>{html.escape(en)}{ru_html}{badge}</h3>'
                f'<div class="iri"><code>{html.escape(self.namer.curie(iri))}</code> · {html.escape(iri)}</div>')

    def alignments(self, node: NamedNode) -> str:
        items = []
        for p, word in ALIGNMENT.items():
            for o in self.g.objects(node, p):
                if isinstance(o, NamedNode) and not o.value.startswith(ONT):
                    items.append(f"{word} {self.namer.link(o)}")
        none = [o for o in self.g.objects(node, ONT + "noExternalCounterpart") if isinstance(o, Literal)
                and o.value == "true"]
        if none:
            items.append('<span class="muted">no external counterpart (cardf:noExternalCounterpart)</span>')
        return "<ul class=\"plain\">" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else ""

    def notes_list(self, notes: list[ShapeNote]) -> str:
        if not notes:
            return ""
        seen, items = set(), []
        for n in notes:
            if n.text not in seen:
                seen.add(n.text)
                items.append(f"<li>{n.text}</li>")
        return "<ul class=\"plain\">" + "".join(items) + "</ul>"

    def instance_html(self, subject) -> str:
        head = self.namer.link(subject, with_label=True)
        pairs = self.examples.about.get(subject, []) if self.examples else []
        if not pairs:
            return head
        rows = "".join(f"<li>{self.namer.link(NamedNode(p))} {self.namer.link(o, with_label=True)}</li>"
                       for p, o in pairs)
        return f"{head}<ul class=\"plain\">{rows}</ul>"

    def class_section(self, iri: str) -> str:
        node = NamedNode(iri)
        rows = [
            _row("Definition", _langs(self.g.literals(node, SKOS + "definition"))),
            _row("Note", _langs(self.g.literals(node, RDFS + "comment"))),
            _row("Superclasses", _join([self.namer.link(o) for o in self.g.objects(node, RDFS + "subClassOf")
                                        if isinstance(o, NamedNode) and o.value.startswith(ONT)])),
            _row("Subclasses", _join([self.namer.link(s) for s in self.g.subjects(RDFS + "subClassOf", node)])),
            _row("Aligned to", self.alignments(node)),
            _row("Properties (domain)", _join([self.namer.link(NamedNode(p)) for p in sorted(self.domain_of[iri])])),
            _row("Used as range of", _join([self.namer.link(NamedNode(p)) for p in sorted(self.range_of[iri])])),
            _row("Disjoint with", _join([self.namer.link(o) for o in self.g.objects(node, OWL + "disjointWith")])),
            _row("Shapes", self.notes_list(self.shape_by_class.get(iri, []))),
        ]
        if self.examples is not None:
            count = self.examples.count.get(iri, 0)
            shown = self.examples.instances.get(iri, [])
            text = (f"<p class=\"muted\">{count} instance{'s' if count != 1 else ''} in the data"
                    + (f"; the first {len(shown)}:" if shown and count > len(shown) else ":" if shown else ".")
                    + "</p>")
            if shown:
                text += "<ul class=\"plain\">" + "".join(f"<li>{self.instance_html(s)}</li>" for s in shown) + "</ul>"
            rows.append(_row("Examples", text))
        return (f'<section class="term" id="{self.namer.anchor(iri)}">{self.heading(iri, "class")}'
                f'<table class="facts">{"".join(rows)}</table></section>')

    def property_section(self, iri: str, kind: str) -> str:
        node = NamedNode(iri)
        types = sorted(self.kinds.get(iri, ()))
        chars = [t[len(OWL):].replace("Property", "") for t in types if t.startswith(OWL)
                 and t[len(OWL):] in CHARACTERISTICS]
        rows = [
            _row("Definition", _langs(self.g.literals(node, SKOS + "definition"))),
            _row("Note", _langs(self.g.literals(node, RDFS + "comment"))),
            _row("Domain", _join([self.namer.expression(o) for o in self.g.objects(node, RDFS + "domain")])),
            _row("Range", _join([self.namer.expression(o) for o in self.g.objects(node, RDFS + "range")])),
            _row("Characteristics", html.escape(", ".join(chars).lower())),
            _row("Super-properties", _join([self.namer.link(o) for o in self.g.objects(node, RDFS + "subPropertyOf")
                                            if isinstance(o, NamedNode) and o.value.startswith(ONT)])),
            _row("Sub-properties", _join([self.namer.link(s) for s in self.g.subjects(RDFS + "subPropertyOf", node)])),
            _row("Inverse of", _join([self.namer.link(o) for o in self.g.objects(node, OWL + "inverseOf")])),
            _row("Aligned to", self.alignments(node)),
            _row("Shapes", self.notes_list(self.shape_by_property.get(iri, []))),
        ]
        if self.examples is not None:
            uses = self.examples.uses.get(iri, [])
            if uses:
                rows.append(_row("Examples", "<ul class=\"plain\">" + "".join(
                    f"<li>{self.namer.link(s, with_label=True)} → {self.namer.link(o, with_label=True)}</li>"
                    for s, o in uses) + "</ul>"))
        return (f'<section class="term" id="{self.namer.anchor(iri)}">{self.heading(iri, kind)}'
                f'<table class="facts">{"".join(rows)}</table></section>')

    def vocabulary_section(self, scheme: str) -> str:
        node = NamedNode(scheme)
        labels = self.g.literals(node, SKOS + "prefLabel")
        title = (labels.get("en") or [scheme.rsplit("/", 1)[-1]])[0]
        ru = (labels.get("ru") or [""])[0]
        concepts = [c for c in self.concepts if NamedNode(scheme) in self.g.objects(NamedNode(c), SKOS + "inScheme")]
        users = sorted(p for props in self.props.values() for p in props
                       if scheme in " ".join(v for vs in self.g.literals(NamedNode(p), RDFS + "comment").values()
                                             for v in vs))
        body = "".join(
            f'<tr id="{self.namer.anchor(c)}"><td><code>{html.escape(self._notation(c))}</code></td>'
            f'<td>{html.escape(self._pref(c, "en"))}</td><td lang="ru">{html.escape(self._pref(c, "ru"))}</td>'
            f'<td>{_join([self.namer.link(b) for b in self.g.objects(NamedNode(c), SKOS + "broader")])}</td>'
            f'<td>{html.escape(" ".join(self.g.literals(NamedNode(c), SKOS + "definition").get("en", [])))}</td></tr>'
            for c in concepts)
        used = f"<p>Values of {_join([self.namer.link(NamedNode(p)) for p in users])}.</p>" if users else ""
        ru_html = f' <span class="ru" lang="ru">· {html.escape(ru)}</span>' if ru else ""
        return (f'<section class="term" id="{self.namer.anchor(scheme)}"><h3>{html.escape(title)}{ru_html}'
                f'<span class="kind">vocabulary</span></h3><div class="iri">{html.escape(scheme)}</div>'
                f'{_langs(self.g.literals(node, SKOS + "definition"))}{used}'
                f'<table class="grid"><tr><th>code</th><th>English</th><th>Russian</th><th>broader</th>'
                f'<th>definition</th></tr>{body}</table></section>')

    def glance(self) -> str:
        """Every class on one screen, then every property with its domain and range: the ontology at a glance."""
        def first_sentence(iri: str) -> str:
            text = (self.g.literals(NamedNode(iri), SKOS + "definition").get("en") or [""])[0]
            m = re.match(r"^(.+?[.!?])(\s|$)", text)
            return html.escape(m.group(1) if m else text)

        def ru(iri: str) -> str:
            return html.escape((self.g.literals(NamedNode(iri), RDFS + "label").get("ru") or [""])[0])

        rows = "".join(f"<tr><td>{self.namer.link(NamedNode(c))}</td><td lang=\"ru\">{ru(c)}</td>"
                       f"<td>{_join([self.namer.link(o) for o in self.g.objects(NamedNode(c), RDFS + 'subClassOf') if isinstance(o, NamedNode) and o.value.startswith(ONT)])}</td>"
                       f"<td>{first_sentence(c)}</td></tr>" for c in self.classes)
        classes = (f'<table class="grid"><tr><th>class</th><th>Russian</th><th>subclass of</th><th>what it is</th>'
                   f'</tr>{rows}</table>')
        prop_rows = []
        for kind, heading in PROPERTY_KINDS.items():
            for p in self.props[kind]:
                node = NamedNode(p)
                prop_rows.append(
                    f"<tr><td>{self.namer.link(node)}</td><td>{html.escape(heading.split()[0].lower())}</td>"
                    f"<td>{_join([self.namer.expression(o) for o in self.g.objects(node, RDFS + 'domain')])}</td>"
                    f"<td>{_join([self.namer.expression(o) for o in self.g.objects(node, RDFS + 'range')])}</td></tr>")
        props = (f'<details><summary>Every property with its domain and range ({len(prop_rows)})</summary>'
                 f'<table class="grid"><tr><th>property</th><th>kind</th><th>domain</th><th>range</th></tr>'
                 f'{"".join(prop_rows)}</table></details>')
        return f"<p>The classes at a glance; each is described in full below.</p>{classes}{props}"

    def _notation(self, concept: str) -> str:
        n = self.g.objects(NamedNode(concept), SKOS + "notation")
        return n[0].value if n else concept.rsplit("/", 1)[-1]

    def _pref(self, concept: str, lang: str) -> str:
        return (self.g.literals(NamedNode(concept), SKOS + "prefLabel").get(lang) or [""])[0]

    def metadata(self) -> str:
        if self.ontology_iri is None:
            return ""
        node = NamedNode(self.ontology_iri)
        rows = [
            _row("IRI", f"<code>{html.escape(self.ontology_iri)}</code>"),
            _row("Version", _join([f"<code>{html.escape(o.value)}</code>" for o in self.g.objects(node, OWL + "versionIRI")]
                                  + [html.escape(o.value) for o in self.g.objects(node, OWL + "versionInfo")])),
            _row("Licence", _join([self.namer.link(o) for o in self.g.objects(node, DCTERMS + "license")])),
            _row("Creators", _join([html.escape(o.value) if isinstance(o, Literal) else self.namer.link(o)
                                    for o in self.g.objects(node, DCTERMS + "creator")])),
            _row("Created", _join([html.escape(o.value) for o in self.g.objects(node, DCTERMS + "created")])),
            _row("Modified", _join([html.escape(o.value) for o in self.g.objects(node, DCTERMS + "modified")])),
            _row("Namespace", _join([f"<code>{html.escape(o.value)}</code>" for o in
                                     self.g.objects(node, "http://purl.org/vocab/vann/preferredNamespaceUri")])),
            _row("Prefix", _join([f"<code>{html.escape(o.value)}</code>" for o in
                                  self.g.objects(node, "http://purl.org/vocab/vann/preferredNamespacePrefix")])),
            _row("Notes", _langs(self.g.literals(node, RDFS + "comment"))),
            _row("Download", f'<a href="{ONTOLOGY_TTL}">{ONTOLOGY_TTL}</a> (Turtle) · '
                             f'<a href="{DIAGRAM_DOT}">{DIAGRAM_DOT}</a> (diagram source)'),
        ]
        return f'<table class="facts">{"".join(rows)}</table>'

    def namespaces(self) -> str:
        used = set()
        for pairs in list(self.g.out.values()) + list(self.shapes.out.values()):
            for p, o in pairs:
                used.add(self.namer.curie(p).split(":")[0])
                if isinstance(o, NamedNode):
                    used.add(self.namer.curie(o.value).split(":")[0])
        for s in self.g.out:
            if isinstance(s, NamedNode):
                used.add(self.namer.curie(s.value).split(":")[0])
        rows = "".join(f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(ns)}</code></td></tr>"
                       for name, ns in sorted(self.namer.prefixes) if name in used)
        return f'<table class="grid"><tr><th>prefix</th><th>namespace</th></tr>{rows}</table>'

    def render(self, diagram: str, left_out: list[str], renderer: str | None, dot: str) -> str:
        en, ru = self.title()
        node = NamedNode(self.ontology_iri) if self.ontology_iri else None
        description = self.g.literals(node, DCTERMS + "description") if node else {}
        toc = ['<nav class="toc" aria-label="Contents"><ul>',
               '<li><a href="#overview">Overview</a></li><li><a href="#diagram">Class diagram</a></li>',
               '<li><a href="#classes">Classes</a><ul>']
        toc += [f'<li><a href="#{self.namer.anchor(c)}">{html.escape(self.namer.label(c) or c)}</a></li>'
                for c in self.classes]
        toc.append("</ul></li>")
        sections = []
        for kind, heading in PROPERTY_KINDS.items():
            if not self.props[kind]:
                continue
            anchor = heading.lower().replace(" ", "-")
            toc.append(f'<li><a href="#{anchor}">{heading}</a><ul>')
            toc += [f'<li><a href="#{self.namer.anchor(p)}">{html.escape(p[len(ONT):])}</a></li>'
                    for p in self.props[kind]]
            toc.append("</ul></li>")
            word = {"Object properties": "object property", "Datatype properties": "datatype property",
                    "Annotation properties": "annotation property"}.get(heading, "property")
            sections.append(f'<h2 id="{anchor}">{heading}</h2>'
                            + "".join(self.property_section(p, word) for p in self.props[kind]))
        if self.schemes:
            toc.append('<li><a href="#vocabularies">Vocabularies</a><ul>')
            toc += [f'<li><a href="#{self.namer.anchor(s)}">{html.escape(s.rsplit("/", 1)[-1])}</a></li>'
                    for s in self.schemes]
            toc.append("</ul></li>")
            sections.append('<h2 id="vocabularies">Vocabularies</h2><p>Controlled vocabularies (SKOS concept '
                            'schemes) whose concepts are the values of the properties that name them.</p>'
                            + "".join(self.vocabulary_section(s) for s in self.schemes))
        toc.append('<li><a href="#namespaces">Namespaces</a></li></ul></nav>')
        counts = (f"{len(self.classes)} classes, {sum(len(v) for v in self.props.values())} properties, "
                  f"{len(self.schemes)} vocabularies with {len(self.concepts)} concepts")
        if self.examples is not None:
            counts += f"; examples from {html.escape(self.examples.source)}"
        if left_out:
            busy = (f"<p>Not drawn, because nearly every kind of record has them: "
                    f"{_join([self.namer.link(NamedNode(p)) for p in left_out])}.</p>")
        else:
            busy = ""
        legend = ("Boxes are cardf classes with their datatype properties, properties whose values are "
                  "vocabulary concepts, and (with \u2192) object properties that point at a class nearly every "
                  "other class points at; arrows with an open head point from a class to its superclass; labelled "
                  "arrows are object properties from their domain to their range. Click a box or a label to jump "
                  "to its description.")
        if diagram:
            figure = (f'<p><a class="full" href="{DIAGRAM_SVG}">Open the class diagram at full size</a> '
                      f'(SVG; the box below scrolls both ways).</p>'
                      f'<figure class="diagram">{diagram}</figure><p class="caption">{legend} Drawn by '
                      f'{html.escape(renderer or "")} from {DIAGRAM_DOT}.</p>{busy}')
        else:
            figure = ('<p><strong>The diagram could not be drawn on this machine</strong>: no Graphviz renderer was '
                      'found. Install the Python package <code>graphviz-pure</code> (a cardf dependency) or Graphviz, '
                      f'and run <code>cardf ontology docs</code> again. Its DOT source:</p>'
                      f'<pre class="dot">{html.escape(dot)}</pre>{busy}')
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(en)}</title>",
            '<link rel="icon" href="data:,">',
            f"<style>{CSS}</style></head><body>",
            f'<header class="top"><h1>{html.escape(en)}</h1>'
            + (f'<p lang="ru"><em>{html.escape(ru)}</em></p>' if ru else "")
            + f"<p>{html.escape(counts)}</p></header>",
            '<div class="layout">', "".join(toc), "<main>",
            '<h2 id="overview">Overview</h2>', _langs(description), self.metadata(),
            '<h2 id="diagram">Class diagram</h2>', figure,
            '<h2 id="classes">Classes</h2>', self.glance(), "".join(self.class_section(c) for c in self.classes),
            "".join(sections),
            '<h2 id="namespaces">Namespaces</h2>', self.namespaces(),
            "<footer>Generated by <code>cardf ontology docs</code> from the ontology"
            + (", the SHACL shapes" if self.shapes.out else "")
            + (" and the data" if self.examples is not None else "")
            + ". This page loads nothing from the network.</footer>",
            "</main></div></body></html>",
        ]
        return "\n".join(parts) + "\n"

