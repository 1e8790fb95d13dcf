"""`cardf ontology docs`: one static HTML page that teaches the ontology, with its class diagram.

The page is written here rather than by pyLODE. pyLODE 3.4.1, the newest release on PyPI,
fails on import when installed from its wheel (it reads a pyproject.toml that the wheel does
not ship: RDFLib/pyLODE#260, fixed upstream but unreleased); 3.2.1 runs but writes the
members of owl:unionOf domains in a different order on each run, runs the English and
Russian labels together in one heading ("StateГосударство"; RDFLib/pyLODE#18, #213), has no
place for SHACL shapes, example instances or a diagram, and caches pickles inside its own
installed package. cardf needs all of that, so the page is built from the ontology directly:
every list is sorted, so the same ontology gives the same bytes.

The class diagram is Graphviz DOT drawn as SVG by `graphviz-pure`, a PyPI package holding a
Rust port of Graphviz's `dot` (wheels for Linux, macOS and Windows), so `make` on a fresh
machine gets it without a system Graphviz. Where it is missing, a system `dot` is used; with
neither, the page says so and shows the DOT source, and the rest of the page is unchanged.
The SVG is inlined: the page loads nothing from anywhere (no scripts, fonts or styles from a
CDN), so it opens from disk with no network at all.
"""

from __future__ import annotations

import heapq
import html
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from .errors import ExternalError, InputError, Problem, UsageError
from .iris import DCTERMS, ONT, ONTOLOGY_IRI, OWL, RDF, RDFS, SH, SKOS, VOCAB, XSD, Minter
from .rdfio import read_quads

PAGE = "index.html"
DIAGRAM_SVG = "class-diagram.svg"
DIAGRAM_DOT = "class-diagram.dot"
ONTOLOGY_TTL = "ontology.ttl"
EXAMPLES_PER_TERM = 3
VALUES_PER_EXAMPLE = 6
HUB_EDGES = 8  # a class that more object properties point at than this is named in the boxes, not drawn to
BUSY_DOMAIN = 4  # a property whose domain unites more classes than this is listed under the diagram, not drawn
RENDER_SECONDS = 60
LIST_ITEMS = 12  # longer sh:in lists are cut on the page
TYPE = RDF + "type"
CLASS_KINDS = (OWL + "Class", RDFS + "Class")
PROPERTY_KINDS = {
    OWL + "ObjectProperty": "Object properties",
    OWL + "DatatypeProperty": "Datatype properties",
    RDF + "Property": "Other properties",
    OWL + "AnnotationProperty": "Annotation properties",
}
CHARACTERISTICS = ("FunctionalProperty", "InverseFunctionalProperty", "SymmetricProperty", "AsymmetricProperty",
                   "TransitiveProperty", "ReflexiveProperty", "IrreflexiveProperty")
ALIGNMENT = {
    RDFS + "subClassOf": "subclass of", RDFS + "subPropertyOf": "subproperty of",
    OWL + "equivalentClass": "equivalent to", OWL + "equivalentProperty": "equivalent to",
    SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match", SKOS + "broadMatch": "broader match",
    SKOS + "narrowMatch": "narrower match", SKOS + "relatedMatch": "related match",
}
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")
SHOWN_ELSEWHERE = {TYPE, RDFS + "label", SKOS + "definition", RDFS + "comment", RDFS + "domain", RDFS + "range",
                   RDFS + "isDefinedBy", ONT + "noExternalCounterpart", *ALIGNMENT}
_PREFIX_DECL = re.compile(r"@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)


@dataclass
class Docs:
    html: str
    svg: str | None
    dot: str
    renderer: str | None
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- a small graph index

class Graph:
    """Triples indexed by subject and by object, with the helpers the page needs."""

    def __init__(self, triples):
        self.out: dict = defaultdict(list)
        self.inc: dict = defaultdict(list)
        for t in triples:
            self.out[t.subject].append((t.predicate.value, t.object))
            self.inc[t.object].append((t.predicate.value, t.subject))

    def objects(self, s, p: str) -> list:
        return sorted((o for pp, o in self.out.get(s, ()) if pp == p), key=_key)

    def subjects(self, p: str, o) -> list:
        return sorted((s for pp, s in self.inc.get(o, ()) if pp == p), key=_key)

    def literals(self, s, p: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for o in self.objects(s, p):
            if isinstance(o, Literal):
                out.setdefault(o.language or "", []).append(o.value)
        return out

    def rdf_list(self, node) -> list:
        items, seen = [], set()
        while isinstance(node, BlankNode) and node not in seen:
            seen.add(node)
            first = self.objects(node, RDF + "first")
            if first:
                items.append(first[0])
            rest = self.objects(node, RDF + "rest")
            node = rest[0] if rest else None
        return items


def _key(term) -> tuple:
    if isinstance(term, NamedNode):
        return (0, term.value, "")
    if isinstance(term, BlankNode):
        return (1, term.value, "")
    return (2, term.value, term.language or term.datatype.value)


# ----------------------------------------------------------------------------- naming things

class Namer:
    """Prefixed names, links and labels, the same everywhere on the page."""

    def __init__(self, ontology: Graph, prefixes: dict[str, str], data_labels: dict[str, str]):
        self.g = ontology
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.data_labels = data_labels
        self.local: set[str] = set()  # IRIs with an anchor on this page

    def curie(self, iri: str) -> str:
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and re.fullmatch(r"[\w.-]+", iri[len(ns):]):
                return f"{name}:{iri[len(ns):]}"
        return iri

    def anchor(self, iri: str) -> str:
        if iri.startswith(ONT):
            return iri[len(ONT):]
        if iri.startswith(VOCAB):
            return "vocab-" + iri[len(VOCAB):].replace("/", "-")
        return "x-" + re.sub(r"[^\w-]", "-", self.curie(iri))

    def label(self, iri: str, lang: str = "en") -> str | None:
        labels: dict[str, list[str]] = {}
        for p in LABEL_PREDICATES:
            for k, v in self.g.literals(NamedNode(iri), p).items():
                labels.setdefault(k, []).extend(v)
        for choice in (lang, "en", "ru", ""):
            if labels.get(choice):
                return sorted(labels[choice])[0]
        return self.data_labels.get(iri)

    def link(self, term, with_label: bool = False) -> str:
        if isinstance(term, Literal):
            return literal_html(term)
        if isinstance(term, BlankNode):
            return self.expression(term)
        iri = term.value
        text = html.escape(self.curie(iri))
        title = self.label(iri)
        title_attr = f' title="{html.escape(title)}"' if title else ""
        if iri in self.local:
            out = f'<a href="#{self.anchor(iri)}"{title_attr}><code>{text}</code></a>'
        else:
            out = f'<a href="{html.escape(iri)}"{title_attr}><code>{text}</code></a>'
        if with_label and title and title != self.curie(iri).split(":", 1)[-1]:
            out += f' <span class="muted">{html.escape(title)}</span>'
        return out

    def expression(self, node, depth: int = 0) -> str:
        """A class expression in words: unions, intersections, complements, restrictions."""
        if not isinstance(node, BlankNode) or depth > 4:
            return self.link(node)
        for p, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
            members = self.g.objects(node, p)
            if members:
                return "(" + word.join(self.expression(m, depth + 1) for m in self.g.rdf_list(members[0])) + ")"
        comp = self.g.objects(node, OWL + "complementOf")
        if comp:
            return "not " + self.expression(comp[0], depth + 1)
        on = self.g.objects(node, OWL + "onProperty")
        if on:
            parts = [f"{html.escape(self.curie(p))} {self.expression(o, depth + 1)}"
                     for p, o in sorted(self.g.out.get(node, ()), key=lambda po: (po[0], _key(po[1])))
                     if p not in (TYPE, OWL + "onProperty")]
            return f"[{self.link(on[0])} " + "; ".join(parts) + "]"
        return "[…]"


def literal_html(lit: Literal) -> str:
    text = html.escape(lit.value)
    if lit.language:
        return f'<q lang="{html.escape(lit.language)}">{text}</q><sub>@{html.escape(lit.language)}</sub>'
    if lit.datatype.value == XSD + "string":
        return f"<q>{text}</q>"
    dt = lit.datatype.value
    short = "xsd:" + dt[len(XSD):] if dt.startswith(XSD) else dt
    return f"{text}<sub>{html.escape(short)}</sub>"


def class_members(g: Graph, node) -> list:
    """The named classes a domain or range stands for (the members of a union, or the class itself)."""
    if isinstance(node, NamedNode):
        return [node]
    union = g.objects(node, OWL + "unionOf")
    if union:
        out = []
        for m in g.rdf_list(union[0]):
            out += class_members(g, m)
        return out
    return []


# ----------------------------------------------------------------------------- shapes and examples

@dataclass
class ShapeNote:
    shape: str  # the node shape's IRI (or a blank node label)
    target: str | None
    text: str  # HTML


def shape_notes(shapes: Graph, namer: Namer) -> tuple[dict[str, list[ShapeNote]], dict[str, list[ShapeNote]]]:
    """What the shapes say: by class (node shapes that target it) and by property (property shapes on it)."""
    by_class: dict[str, list[ShapeNote]] = defaultdict(list)
    by_property: dict[str, list[ShapeNote]] = defaultdict(list)
    node_shapes = sorted({s for s, pairs in shapes.out.items() for p, o in pairs
                          if (p == TYPE and o.value == SH + "NodeShape")
                          or p in (SH + "targetClass", SH + "property")}, key=_key)
    for shape in node_shapes:
        name = namer.curie(shape.value) if isinstance(shape, NamedNode) else "a node shape"
        targets = [t.value for t in shapes.objects(shape, SH + "targetClass")]
        if any(o.value in CLASS_KINDS for o in shapes.objects(shape, TYPE)):
            targets.append(shape.value)
        node_constraints = _constraints(shapes, shape, namer, skip={SH + "property", SH + "targetClass"})
        for target in targets or [None]:
            text = f"<code>{html.escape(name)}</code>"
            if node_constraints:
                text += ": " + node_constraints
            if target:
                by_class[target].append(ShapeNote(name, target, text))
        for prop_shape in shapes.objects(shape, SH + "property"):
            path = shapes.objects(prop_shape, SH + "path")
            if not path:
                continue
            constraints = _constraints(shapes, prop_shape, namer, skip={SH + "path"})
            where = ", ".join(namer.link(NamedNode(t)) for t in targets) or "its targets"
            iri = path[0].value if isinstance(path[0], NamedNode) else None
            path_html = namer.link(path[0]) if iri else html.escape(_path_text(shapes, path[0], namer))
            note = ShapeNote(name, None, f"<code>{html.escape(name)}</code> on {where}: {path_html} "
                                         f"{constraints or '(no constraint)'}")
            if iri:
                by_property[iri].append(note)
            for t in targets:
                by_class[t].append(ShapeNote(name, t, f"<code>{html.escape(name)}</code>: {path_html} "
                                                      f"{constraints or '(no constraint)'}"))
    return by_class, by_property


def _path_text(shapes: Graph, node, namer: Namer) -> str:
    if isinstance(node, NamedNode):
        return namer.curie(node.value)
    inverse = shapes.objects(node, SH + "inversePath")
    if inverse:
        return "^" + _path_text(shapes, inverse[0], namer)
    items = shapes.rdf_list(node)
    if items:
        return "/".join(_path_text(shapes, i, namer) for i in items)
    for p, mark in ((SH + "zeroOrMorePath", "*"), (SH + "oneOrMorePath", "+"), (SH + "zeroOrOnePath", "?")):
        inner = shapes.objects(node, p)
        if inner:
            return _path_text(shapes, inner[0], namer) + mark
    alt = shapes.objects(node, SH + "alternativePath")
    if alt:
        return "(" + "|".join(_path_text(shapes, i, namer) for i in shapes.rdf_list(alt[0])) + ")"
    return "a complex path"


def _constraints(shapes: Graph, node, namer: Namer, skip: set[str], depth: int = 0) -> str:
    parts, messages = [], []
    for p, o in sorted(shapes.out.get(node, ()), key=lambda po: (po[0], _key(po[1]))):
        if p in skip or p == TYPE:
            continue
        if p in (SH + "message", SH + "description", SH + "name"):
            if isinstance(o, Literal) and (not o.language or o.language == "en"):
                messages.append(html.escape(o.value))
            continue
        if not p.startswith(SH) or p in (SH + "order", SH + "group", SH + "deactivated"):
            continue
        name = p[len(SH):]
        if isinstance(o, BlankNode):
            items = shapes.rdf_list(o)
            if items:
                inner = " ".join(namer.link(i) if not isinstance(i, BlankNode) or depth > 1
                                 else "[" + _constraints(shapes, i, namer, set(), depth + 1) + "]"
                                 for i in items[:LIST_ITEMS])
                more = f" … {len(items) - LIST_ITEMS} more" if len(items) > LIST_ITEMS else ""
                value = f"({inner}{more})"
            elif p == SH + "sparql":
                select = shapes.objects(o, SH + "message")
                value = "a SPARQL constraint" + (f": {html.escape(select[0].value)}" if select else "")
            else:
                value = "[" + _constraints(shapes, o, namer, set(), depth + 1) + "]" if depth < 2 else "[…]"
        elif isinstance(o, Literal):
            value = html.escape(o.value)
        else:
            value = namer.link(o)
        parts.append(f"<span class=\"c\">{html.escape(name)}</span> {value}")
    text = ", ".join(parts)
    if messages:
        text += (" — " if text else "") + "<em>" + " ".join(messages) + "</em>"
    return text


@dataclass
class Examples:
    count: dict[str, int] = field(default_factory=dict)  # class -> instances in the data
    instances: dict[str, list] = field(default_factory=dict)  # class -> a few instances
    uses: dict[str, list] = field(default_factory=dict)  # property -> a few (subject, object)
    about: dict = field(default_factory=dict)  # instance -> a few (predicate, object)
    labels: dict[str, str] = field(default_factory=dict)
    source: str = ""


def collect_examples(quads: list[Quad], source: str) -> Examples:
    """A few instances per class and uses per property, the smallest IRIs first so the page is stable."""
    by_class: dict[str, set] = defaultdict(set)
    uses: dict[str, list] = defaultdict(list)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    triples = {q.triple for q in quads}
    for t in triples:
        p = t.predicate.value
        if p == TYPE and isinstance(t.object, NamedNode):
            by_class[t.object.value].add(t.subject)
        elif p in LABEL_PREDICATES and isinstance(t.object, Literal) and isinstance(t.subject, NamedNode):
            current = labels[t.subject.value].get(t.object.language or "")
            if current is None or t.object.value < current:
                labels[t.subject.value][t.object.language or ""] = t.object.value
        if p.startswith(ONT):
            uses[p].append(t)
    ex = Examples(source=source)
    chosen = set()
    for cls, members in by_class.items():
        ex.count[cls] = len(members)
        ex.instances[cls] = heapq.nsmallest(EXAMPLES_PER_TERM, members, key=_key)
        chosen.update(ex.instances[cls])
    for p, ts in uses.items():
        ex.uses[p] = [(t.subject, t.object) for t in heapq.nsmallest(EXAMPLES_PER_TERM, ts,
                                                                      key=lambda t: (_key(t.subject), _key(t.object)))]
    about: dict = defaultdict(list)
    for t in triples:
        if t.subject in chosen and t.predicate.value != TYPE and t.predicate.value not in LABEL_PREDICATES:
            about[t.subject].append((t.predicate.value, t.object))
    ex.about = {s: sorted(v, key=lambda po: (po[0], _key(po[1])))[:VALUES_PER_EXAMPLE] for s, v in about.items()}
    for iri, by_lang in labels.items():
        for lang in ("en", "ru", ""):
            if lang in by_lang:
                ex.labels[iri] = by_lang[lang]
                break
    return ex


# ----------------------------------------------------------------------------- the diagram

def diagram_dot(g: Graph, namer: Namer, classes: list[str], props: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The class diagram as DOT, and the properties left out of it (their domain is too wide to draw)."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def esc(text: str) -> str:
        return html.escape(text, quote=True)

    attributes: dict[str, list[str]] = defaultdict(list)
    edges: list[tuple[str, str, str, str]] = []
    left_out: list[str] = []
    class_set = set(classes)
    for kind in (OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property"):
        for p in props.get(kind, []):
            domains = [m.value for d in g.objects(NamedNode(p), RDFS + "domain") for m in class_members(g, d)]
            ranges_nodes = g.objects(NamedNode(p), RDFS + "range")
            ranges = [m.value for r in ranges_nodes for m in class_members(g, r)]
            domains = [d for d in domains if d in class_set]
            name = p[len(ONT):]
            if not domains:
                continue
            if len(domains) > BUSY_DOMAIN:
                left_out.append(p)
                continue
            targets = [r for r in ranges if r in class_set]
            if kind == OWL + "ObjectProperty" and targets:
                for d in domains:
                    for r in targets:
                        edges.append((d, r, name, "property"))
            else:
                shown = ", ".join(namer.curie(r).split(":")[-1] if not r.startswith(XSD) else r[len(XSD):]
                                  for r in ranges) or "?"
                if ranges_nodes and not ranges and isinstance(ranges_nodes[0], NamedNode):
                    shown = namer.curie(ranges_nodes[0].value)
                for d in domains:
                    attributes[d].append(f"{name} : {shown}")
    inbound: dict[str, int] = defaultdict(int)
    for _, dst, _, _ in set(edges):
        inbound[dst] += 1
    hubs = {dst for dst, n in inbound.items() if n > HUB_EDGES}
    for src, dst, name, _ in sorted(set(edges)):
        if dst in hubs:  # a class that half the others point at: name it in their boxes instead of drawing
            attributes[src].append(f"{name} \u2192 {namer.label(dst, 'en') or dst[len(ONT):]}")
    edges = [e for e in edges if e[1] not in hubs]
    for c in classes:
        for sup in g.objects(NamedNode(c), RDFS + "subClassOf"):
            if isinstance(sup, NamedNode) and sup.value in class_set:
                edges.append((c, sup.value, "", "subclass"))
    lines = [
        "digraph cardf {",
        '  graph [rankdir=LR, fontname="Helvetica,Arial,sans-serif", nodesep=0.35, ranksep=0.9, '
        'bgcolor="transparent", tooltip="cardf class diagram"];',
        '  node [shape=plain, fontname="Helvetica,Arial,sans-serif", fontsize=11];',
        '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, color="#5b6b7f", fontcolor="#33414f", '
        'arrowsize=0.7];',
    ]
    for c in classes:
        local = c[len(ONT):]
        label = namer.label(c, "en") or local
        rows = "".join(f'<tr><td align="left" port="a{i}">{esc(a)}</td></tr>'
                       for i, a in enumerate(sorted(attributes.get(c, []))))
        table = (f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="#8fa3b8">'
                 f'<tr><td bgcolor="#dce7f3"><b>{esc(label)}</b></td></tr>{rows}</table>')
        lines.append(f"  {q(local)} [label=<{table}>, URL={q('#' + local)}, tooltip={q(namer.curie(c))}];")
    for src, dst, name, kind in sorted(set(edges)):
        if kind == "subclass":
            lines.append(f"  {q(src[len(ONT):])} -> {q(dst[len(ONT):])} [arrowhead=empty, color=\"#1f4e79\", "
                         f"penwidth=1.4, tooltip={q('subclass of')}];")
        else:
            lines.append(f"  {q(src[len(ONT):])} -> {q(dst[len(ONT):])} [label={q(name)}, "
                         f"URL={q('#' + name)}, tooltip={q('cardf:' + name)}];")
    lines.append("}")
    return "\n".join(lines) + "\n", left_out


def find_renderer() -> tuple[str, list[str]] | None:
    """graphviz-pure (a PyPI dependency) beside this Python or on PATH, else a system Graphviz `dot`."""
    here = Path(sys.executable).parent
    for name in ("graphviz-pure", "graphviz-pure.exe"):
        if (here / name).is_file():
            return "graphviz-pure", [str(here / name)]
    found = shutil.which("graphviz-pure")
    if found:
        return "graphviz-pure", [found]
    found = shutil.which("dot")
    if found:
        return "Graphviz dot", [found]
    return None


def render_svg(dot: str, renderer: tuple[str, list[str]] | None) -> str | None:
    if renderer is None:
        return None
    try:
        done = subprocess.run(renderer[1] + ["-Tsvg"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=RENDER_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExternalError(problems=[Problem(f"{renderer[0]} could not draw the class diagram: {exc}")]) from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExternalError(problems=[Problem(f"{renderer[0]} could not draw the class diagram: "
                                              f"{why[-1] if why else 'exit ' + str(done.returncode)}")])
    return done.stdout.decode("utf-8")


def inline_svg(svg: str) -> str:
    """The <svg> element alone (no XML prolog, DOCTYPE or comments), scaled to the page's width."""
    start = svg.find("<svg")
    body = re.sub(r"<!--.*?-->\s*", "", svg[start:], flags=re.S).strip()
    body = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg role="img" aria-label="cardf class diagram" '
                  'class="diagram"', body, count=1)
    return body


# ----------------------------------------------------------------------------- the page

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
svg.diagram { width:100%; height:auto; min-width:60rem; }
svg.diagram a:hover text { text-decoration:underline; }
figcaption { color:var(--muted); font-size:.9rem; margin-top:.4rem; }
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
            figure = (f'<figure class="diagram">{diagram}<figcaption>{legend} Drawn by {html.escape(renderer or "")} '
                      f'from {DIAGRAM_DOT}.</figcaption></figure>{busy}')
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


def declared_prefixes(files: list[Path], base: str | None = None) -> dict[str, str]:
    """The prefixes the Turtle files declare, beside cardf's own (cardf's win on a clash)."""
    out: dict[str, str] = {}
    for path in files:
        for m in _PREFIX_DECL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if m.group(1):
                out.setdefault(m.group(1), m.group(2))
    out.update(Minter(base).prefixes() if base else Minter().prefixes())
    out.setdefault("sh", SH)
    return out


def build(ontology_dir: Path, shapes: Path | None = None, data: Path | None = None, base: str | None = None,
          renderer: tuple[str, list[str]] | None | bool = True) -> Docs:
    """The page, the diagram and its DOT source; `renderer=True` finds one, None draws no diagram."""
    from .ontology import load_ontology_quads, ontology_files

    ontology = load_ontology_quads(ontology_dir)
    files = list(ontology_files(ontology_dir))
    shape_triples: list[Triple] = []
    if shapes is not None:
        shape_files = sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]
        if shapes.is_dir() and not shape_files:
            raise InputError(problems=[Problem("no shapes files (*.ttl) found", shapes)])
        for path in shape_files:
            shape_triples += [q.triple for q in read_quads(path)]
        files += shape_files
    examples = None
    if data is not None:
        from .quality import read_data

        examples = collect_examples(read_data(data, ontology_dir, base), _shown(data))
    page = Page(ontology, declared_prefixes(files, base), shape_triples, examples)
    dot, left_out = diagram_dot(page.g, page.namer, page.classes, page.props)
    notes = []
    if renderer is True:
        renderer = find_renderer()
    if renderer is None:
        notes.append("no Graphviz renderer found (pip install graphviz-pure, or install Graphviz): the page shows "
                     "the diagram's DOT source instead of the drawing")
    svg = render_svg(dot, renderer) if renderer else None
    body = page.render(inline_svg(svg) if svg else "", left_out, renderer[0] if renderer else None, dot)
    return Docs(body, svg, dot, renderer[0] if renderer else None, notes)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def write(docs: Docs, out: Path, ontology_ttl: bytes) -> list[str]:
    """Write the page, the diagram (SVG and DOT) and the ontology as Turtle into `out`."""
    if out.exists() and not out.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder", out)])
    try:
        out.mkdir(parents=True, exist_ok=True)
        files = {PAGE: docs.html.encode("utf-8"), DIAGRAM_DOT: docs.dot.encode("utf-8"), ONTOLOGY_TTL: ontology_ttl}
        if docs.svg:
            files[DIAGRAM_SVG] = docs.svg.encode("utf-8")
        for name, data in files.items():
            (out / name).write_bytes(data)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot write the documentation: {exc.strerror or exc}", out)]) \
            from None
    return sorted(files)
