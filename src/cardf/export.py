"""Stage 4 — write the graphs in every standard format, byte-for-byte the same for the same input.

pyoxigraph writes Turtle, N-Triples, TriG and N-Quads (fast and standard); JSON-LD is
written here, compacted against cardf's own context so that people can read it, and
every literal keeps its exact datatype (a decimal stays an xsd:decimal, not a double).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

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


def _after_subject(t) -> tuple:
    p = t.predicate.value
    return (p != _TYPE, p, _term_key(t.object))


def sort_triples(triples: Iterable[Triple]) -> list[Triple]:
    """In triple_key order: subjects sorted once, then each subject's triples (faster, less memory)."""
    return _by_subject(triples, attrgetter("subject"), _term_key)


def sort_quads(quads: Iterable[Quad]) -> list[Quad]:
    """By graph name, then in triple_key order."""
    return _by_subject(quads, attrgetter("graph_name", "subject"), lambda gs: (gs[0].value, _term_key(gs[1])))


def _by_subject(items: Iterable, group_of, group_order) -> list:
    """Distinct items grouped (by subject, or graph and subject), the groups sorted, then each group."""
    groups: dict = {}
    for x in set(items):
        groups.setdefault(group_of(x), []).append(x)
    out: list = []
    for key in sorted(groups, key=group_order):
        group = groups[key]
        if len(group) > 1:
            group.sort(key=_after_subject)
        out += group
    return out


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
    match = _namespace_matcher(prefixes)
    used = {}
    for iri in iris:
        name = match(iri)
        if name is not None:
            used[name] = prefixes[name]
    return dict(sorted(used.items()))


_MATCHERS: dict = {}


def _namespace_matcher(prefixes: dict[str, str]):
    """iri → the name of the longest namespace it starts with (or None), remembered per IRI."""
    key = tuple(prefixes.items())
    matcher = _MATCHERS.get(key)
    if matcher is None:
        ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        by_namespace = {ns: name for name, ns in reversed(ordered)}
        simple = all(ns.endswith(("/", "#")) for ns in by_namespace)
        seen: dict[str, str | None] = {}

        def matcher(iri: str) -> str | None:
            found = seen.get(iri, False)
            if found is not False:
                return found
            found = None
            if simple:  # the longest namespace ends at one of the IRI's last '/' or '#'
                end = len(iri)
                while True:
                    cut = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
                    if cut < 0:
                        break
                    name = by_namespace.get(iri[:cut + 1])
                    if name is not None:
                        found = name
                        break
                    end = cut
            else:
                for name, ns in ordered:
                    if iri.startswith(ns):
                        found = name
                        break
            if len(seen) < 1_000_000:
                seen[iri] = found
            return found

        _MATCHERS[key] = matcher
    return matcher


# ----------------------------------------------------------------------------- JSON-LD

class _Compactor:
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


def jsonld_node(c: "_Compactor", subject, props: dict) -> dict:
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


def jsonld_nodes(triples: list[Triple], c: "_Compactor") -> list[str]:
    """Each subject's node object as text, indented as it stands in the document's @graph list."""
    out = []
    current, props = None, None
    for t in triples:  # already sorted by subject
        if current is None or t.subject != current:
            if current is not None:
                out.append(_node_text(jsonld_node(c, current, props)))
            current, props = t.subject, {}
        props.setdefault(t.predicate.value, []).append(t.object)
    if current is not None:
        out.append(_node_text(jsonld_node(c, current, props)))
    return out


def _node_text(node: dict) -> str:
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
    nodes = jsonld_nodes(triples, _Compactor(context))
    if not nodes:
        doc = {"@context": context["@context"], "@graph": []}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    head, tail = jsonld_frame(context)
    return (head + ",\n".join(nodes) + tail).encode("utf-8")


# ----------------------------------------------------------------------------- in pieces

# A large corpus is written in pieces: each graph is serialized on its own (in parallel, and
# kept from one build to the next), and the files are put together from the pieces. The pieces
# are cut from pyoxigraph's own output, so the files are the bytes the writers above give.

_DUMMY = Triple(NamedNode("urn:cardf:s"), NamedNode("urn:cardf:p"), NamedNode("urn:cardf:o"))


def subject_key(term) -> str:
    """Sorts subjects as triple_key does: IRIs, then blank nodes, each by value."""
    return ("0" if isinstance(term, NamedNode) else "1") + term.value


def prefixes_nest(prefixes: dict[str, str]) -> bool:
    """True when a namespace starts another: a piece written with every prefix might then differ."""
    spaces = sorted(prefixes.values())
    return any(b.startswith(a) for a, b in zip(spaces, spaces[1:]))


def turtle_header(used: dict[str, str], fmt: str = "ttl") -> bytes:
    """The @prefix lines pyoxigraph writes for these prefixes."""
    if not used:
        return b""
    if fmt == "ttl":
        text = serialize([_DUMMY], format=RdfFormat.TURTLE, prefixes=used)
    else:
        text = serialize([Quad(_DUMMY.subject, _DUMMY.predicate, _DUMMY.object, NamedNode("urn:cardf:g"))],
                         format=RdfFormat.TRIG, prefixes=used)
    return text[:text.index(b"<urn:cardf:")]


@dataclass
class Pieces:
    """One graph, serialized in the pieces that the whole files are made of."""

    graph: str
    nq: bytes  # the graph's lines of cardf.nq
    trig: bytes  # the graph's block of cardf.trig
    keys: list[str]  # its subjects (subject_key), in order
    nt: list[bytes]  # per subject: lines of cardf.nt
    ttl: list[bytes]  # per subject: block of cardf.ttl
    jsonld: list[str]  # per subject: node object of cardf.jsonld
    used: tuple[str, ...]  # prefix names the triples use
    graph_prefix: str | None  # prefix name the graph name uses
    triples: int


def pieces(triples: Iterable[Triple], graph: NamedNode, prefixes: dict[str, str], compactor: "_Compactor",
           full_headers: tuple[bytes, bytes]) -> Pieces:
    """Serialize one graph in pieces; `full_headers` are turtle_header(prefixes) for ttl and trig."""
    ts = sort_triples(triples)
    counts: list[int] = []
    keys: list[str] = []
    previous = None
    for t in ts:
        if t.subject != previous:
            previous = t.subject
            keys.append(subject_key(t.subject))
            counts.append(0)
        counts[-1] += 1
    nt_lines = serialize(ts, format=RdfFormat.N_TRIPLES).split(b"\n")
    nt, i = [], 0
    for n in counts:
        nt.append(b"\n".join(nt_lines[i:i + n]) + b"\n")
        i += n
    ttl_text = serialize(ts, format=RdfFormat.TURTLE, prefixes=prefixes)[len(full_headers[0]):] if ts else b""
    ttl = _split_blocks(ttl_text, b"")
    quads = [Quad(t.subject, t.predicate, t.object, graph) for t in ts]
    nq = write_quads(quads, "nq", prefixes) if quads else b""
    trig = serialize(quads, format=RdfFormat.TRIG, prefixes=prefixes)[len(full_headers[1]):] if quads else b""
    used = _used_prefixes(ts, prefixes)
    graph_used = _used_prefixes((), prefixes, graphs=[graph])
    if len(ttl) != len(keys) or len(nt) != len(keys):
        raise AssertionError(f"pieces of {graph.value} do not line up")
    return Pieces(graph.value, nq, trig, keys, nt, ttl, jsonld_nodes(ts, compactor), tuple(used),
                  next(iter(graph_used), None), len(ts))


def _split_blocks(text: bytes, indent: bytes) -> list[bytes]:
    """Turtle subject blocks: a block starts at a line that does not start with a tab."""
    blocks: list[bytes] = []
    start = 0
    pos = 0
    n = len(text)
    while pos < n:
        end = text.find(b"\n", pos)
        end = n if end == -1 else end + 1
        if pos > start and text[pos:pos + 1] != b"\t":
            blocks.append(text[start:pos])
            start = pos
        pos = end
    if start < n:
        blocks.append(text[start:n])
    return blocks
