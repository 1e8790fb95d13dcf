"""Stage 4 — write the graphs in every standard format, byte-for-byte the same for the same input.

pyoxigraph writes Turtle, N-Triples, TriG and N-Quads (fast and standard); JSON-LD is
written here, compacted against cardf's own context so that people can read it, and
every literal keeps its exact datatype (a decimal stays an xsd:decimal, not a double).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from .iris import RDF, XSD

FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")
_OX = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS}
_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"


def _term_key(term) -> tuple:
    if isinstance(term, NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, BlankNode):
        return (1, term.value, "", "")
    return (2, term.value, term.datatype.value, term.language or "")


def triple_key(t: Triple) -> tuple:
    """rdf:type first, then by predicate and object, so that every writer sees one fixed order."""
    return (_term_key(t.subject), t.predicate.value != _TYPE, t.predicate.value, _term_key(t.object))


def sort_triples(triples: Iterable[Triple]) -> list[Triple]:
    return sorted(set(triples), key=triple_key)


def sort_quads(quads: Iterable[Quad]) -> list[Quad]:
    return sorted(set(quads), key=lambda q: (q.graph_name.value, *triple_key(q.triple)))


def write_triples(triples: list[Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    if fmt == "jsonld":
        raise ValueError("use write_jsonld")
    used = _used_prefixes(triples, prefixes) if fmt == "ttl" else None
    return serialize(triples, format=_OX[fmt], prefixes=used)


def write_quads(quads: list[Quad], fmt: str, prefixes: dict[str, str]) -> bytes:
    used = _used_prefixes((q.triple for q in quads), prefixes, graphs=[q.graph_name for q in quads]) \
        if fmt == "trig" else None
    return serialize(quads, format=_OX[fmt], prefixes=used)


def _used_prefixes(triples, prefixes: dict[str, str], graphs=()) -> dict[str, str]:
    """Only the prefixes the data needs, so files stay short and diffs stay quiet."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    iris.update(g.value for g in graphs if isinstance(g, NamedNode))
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    used = {}
    for iri in iris:
        for name, ns in ordered:
            if iri.startswith(ns):
                used[name] = ns
                break
    return dict(sorted(used.items()))


# ----------------------------------------------------------------------------- JSON-LD

class _Compactor:
    def __init__(self, context: dict):
        self.ctx = context["@context"]
        self.prefixes = sorted(((k, v) for k, v in self.ctx.items() if isinstance(v, str) and not v.startswith("@")
                                and (v.endswith("/") or v.endswith("#"))), key=lambda kv: -len(kv[1]))
        self.term_of: dict[str, tuple[str, dict]] = {}
        self.class_term: dict[str, str] = {}
        for term, definition in self.ctx.items():
            if isinstance(definition, dict) and "@id" in definition:
                self.term_of[self.expand(definition["@id"])] = (term, definition)
            elif isinstance(definition, str) and ":" in definition and not definition.startswith("@") \
                    and not (definition.endswith("/") or definition.endswith("#")):
                self.class_term[self.expand(definition)] = term

    def expand(self, compact: str) -> str:
        prefix, _, local = compact.partition(":")
        ns = self.ctx.get(prefix)
        return ns + local if isinstance(ns, str) and local and not local.startswith("//") else compact

    def iri(self, iri: str) -> str:
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                if "/" not in local and "#" not in local and not local.startswith("//"):
                    return f"{name}:{local}"
        return iri

    def value_object(self, term) -> object:
        if isinstance(term, NamedNode):
            return {"@id": self.iri(term.value)}
        if isinstance(term, BlankNode):
            return {"@id": f"_:{term.value}"}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}

    def property(self, predicate: str, objects: list) -> tuple[str, object]:
        found = self.term_of.get(predicate)
        if found:
            term, definition = found
            coerce, container = definition.get("@type"), definition.get("@container")
            if coerce == "@id" and all(isinstance(o, NamedNode) for o in objects):
                return term, _one([self.iri(o.value) for o in objects])
            if coerce and coerce != "@id" and all(
                    isinstance(o, Literal) and o.datatype.value == self.expand(coerce) for o in objects):
                return term, _one([o.value for o in objects])
            if container == "@language" and all(isinstance(o, Literal) and o.language for o in objects):
                by_lang: dict[str, list[str]] = {}
                for o in objects:
                    by_lang.setdefault(o.language, []).append(o.value)
                return term, {lang: _one(vals) for lang, vals in sorted(by_lang.items())}
            if not coerce and not container:
                return term, _one([self.value_object(o) for o in objects])
        return self.iri(predicate), _one([self.value_object(o) for o in objects])


def _one(values: list):
    return values[0] if len(values) == 1 else values


def write_jsonld(triples: list[Triple], context: dict) -> bytes:
    """Compact JSON-LD: one node object per subject, terms from the context, sorted throughout."""
    c = _Compactor(context)
    nodes = []
    current = None
    for t in triples:  # already sorted by subject
        if current is None or t.subject != current[0]:
            current = (t.subject, {})
            nodes.append(current)
        current[1].setdefault(t.predicate.value, []).append(t.object)
    graph = []
    for subject, props in nodes:
        node: dict[str, object] = {"id": c.iri(subject.value) if isinstance(subject, NamedNode) else f"_:{subject.value}"}
        types = props.pop(_TYPE, [])
        if types and all(isinstance(o, NamedNode) for o in types):
            node["type"] = _one([c.class_term.get(o.value) or c.iri(o.value) for o in types])
        elif types:
            props[_TYPE] = types
        entries = [c.property(p, objs) for p, objs in props.items()]
        for key, value in sorted(entries, key=lambda kv: kv[0]):
            node[key] = value
        graph.append(node)
    doc = {"@context": context["@context"], "@graph": graph}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
