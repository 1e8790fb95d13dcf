"""JSON-LD as people read it: one node object per subject, compacted against cardf's context.

cardf writes its JSON-LD itself, so that every literal keeps its exact datatype (a decimal
stays an xsd:decimal, not a double) and so that a file is its node objects joined: each
subject's node is made where its article is mapped, and a build puts the nodes together.
"""

from __future__ import annotations

import json
import json.encoder

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..iris import RDF, XSD

_TYPE = RDF + "type"
XSD_STRING = XSD + "string"

class Compactor:
    """IRIs, terms and values as the context abbreviates them (remembered per IRI)."""

    def __init__(self, context: dict):
        self.ctx = context["@context"]
        self.prefixes = sorted(((k, v) for k, v in self.ctx.items() if isinstance(v, str) and not v.startswith("@")
                                and (v.endswith("/") or v.endswith("#"))), key=lambda kv: -len(kv[1]))
        self.term_of: dict[str, tuple[str, dict]] = {}
        self.class_term: dict[str, str] = {}
        self._compact: dict[str, str] = {}
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
        found = self._compact.get(iri)
        if found is None:
            found = iri
            for name, ns in self.prefixes:
                if iri.startswith(ns) and len(iri) > len(ns):
                    local = iri[len(ns):]
                    if "/" not in local and "#" not in local and not local.startswith("//"):
                        found = f"{name}:{local}"
                        break
            if len(self._compact) < 1_000_000:
                self._compact[iri] = found
        return found

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


def jsonld_node(c: "Compactor", subject, props: dict) -> dict:
    """The node object of one subject, from its objects per predicate (in triple order)."""
    node: dict[str, object] = {"id": c.iri(subject.value) if isinstance(subject, NamedNode) else f"_:{subject.value}"}
    types = props.pop(_TYPE, [])
    if types and all(isinstance(o, NamedNode) for o in types):
        node["type"] = _one([c.class_term.get(o.value) or c.iri(o.value) for o in types])
    elif types:
        props[_TYPE] = types
    entries = [c.property(p, objs) for p, objs in props.items()]
    for key, value in sorted(entries, key=lambda kv: kv[0]):
        node[key] = value
    return node


def jsonld_nodes(triples: list[Triple], c: "Compactor") -> list[str]:
    """Each subject's node object as text, indented as it stands in the document's @graph list."""
    out = []
    current, props = None, None
    for t in triples:  # already sorted by subject
        if current is None or t.subject != current:
            if current is not None:
                out.append(node_text(jsonld_node(c, current, props)))
            current, props = t.subject, {}
        props.setdefault(t.predicate.value, []).append(t.object)
    if current is not None:
        out.append(node_text(jsonld_node(c, current, props)))
    return out


def node_text(node: dict) -> str:
    """json.dumps(node, ensure_ascii=False, indent=2) at the depth of @graph's items, without the slow encoder."""
    out: list[str] = ["    "]
    _dump(node, "    ", out)
    return "".join(out)


_string = json.encoder.encode_basestring  # what json.dumps uses for str with ensure_ascii=False


def _dump(value, indent: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (dict, list)):
        is_dict = isinstance(value, dict)
        if not value:
            out.append("{}" if is_dict else "[]")
            return
        inner = indent + "  "
        out.append("{" if is_dict else "[")
        for i, (key, item) in enumerate(value.items() if is_dict else ((None, v) for v in value)):
            out.append(",\n" + inner if i else "\n" + inner)
            if is_dict:
                out.append(_string(key) + ": ")
            _dump(item, inner, out)
        out.append("\n" + indent + ("}" if is_dict else "]"))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def jsonld_frame(context: dict) -> tuple[str, str]:
    """The text before and after the node objects of a document with at least one node."""
    text = json.dumps({"@context": context["@context"], "@graph": [None]}, ensure_ascii=False, indent=2)
    cut = text.rindex("    null")
    return text[:cut], text[cut + len("    null"):] + "\n"


def write_jsonld(triples: list[Triple], context: dict) -> bytes:
    """Compact JSON-LD: one node object per subject, terms from the context, sorted throughout."""
    nodes = jsonld_nodes(triples, Compactor(context))
    if not nodes:
        doc = {"@context": context["@context"], "@graph": []}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    head, tail = jsonld_frame(context)
    return (head + ",\n".join(nodes) + tail).encode("utf-8")

