"""A small index over triples, and how the ontology page names, links and labels what it shows."""

from __future__ import annotations

import html
import re
from collections import defaultdict

from pyoxigraph import BlankNode, Literal, NamedNode

from ..iris import ONT, OWL, RDF, RDFS, SKOS, VOCAB, XSD

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
        return sorted((o for pp, o in self.out.get(s, ()) if pp == p), key=term_key)

    def subjects(self, p: str, o) -> list:
        return sorted((s for pp, s in self.inc.get(o, ()) if pp == p), key=term_key)

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


def term_key(term) -> tuple:
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
                     for p, o in sorted(self.g.out.get(node, ()), key=lambda po: (po[0], term_key(po[1])))
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

