"""What the SHACL shapes say about each class and property, and example instances from the data."""

from __future__ import annotations

import heapq
import html
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from ..iris import ONT, SH
from .graph import CLASS_KINDS, LABEL_PREDICATES, TYPE, Graph, Namer, term_key

EXAMPLES_PER_TERM = 3
VALUES_PER_EXAMPLE = 6
LIST_ITEMS = 12  # longer sh:in lists are cut on the page


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
                          or p in (SH + "targetClass", SH + "property")}, key=term_key)
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
    for p, o in sorted(shapes.out.get(node, ()), key=lambda po: (po[0], term_key(po[1]))):
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
        ex.instances[cls] = heapq.nsmallest(EXAMPLES_PER_TERM, members, key=term_key)
        chosen.update(ex.instances[cls])
    for p, ts in uses.items():
        first = heapq.nsmallest(EXAMPLES_PER_TERM, ts, key=lambda t: (term_key(t.subject), term_key(t.object)))
        ex.uses[p] = [(t.subject, t.object) for t in first]
    about: dict = defaultdict(list)
    for t in triples:
        if t.subject in chosen and t.predicate.value != TYPE and t.predicate.value not in LABEL_PREDICATES:
            about[t.subject].append((t.predicate.value, t.object))
    ex.about = {s: sorted(v, key=lambda po: (po[0], term_key(po[1])))[:VALUES_PER_EXAMPLE] for s, v in about.items()}
    for iri, by_lang in labels.items():
        for lang in ("en", "ru", ""):
            if lang in by_lang:
                ex.labels[iri] = by_lang[lang]
                break
    return ex

