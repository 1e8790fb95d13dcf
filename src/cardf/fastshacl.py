"""Fast SHACL validation: the shapes compiled to SPARQL over pyoxigraph, judged by pySHACL's own code.

pySHACL walks every focus node in Python over an rdflib graph; at a million triples that
takes many minutes. Here each constraint becomes a SPARQL query over an Oxigraph store that
finds the *suspects*: focus nodes that may violate it. The queries over-approximate (a value
whose verdict depends on a subtlety of rdflib, such as an unusual lexical form, is always a
suspect), so no violation is ever missed. The suspects, with the triples around them taken
from the original data, then go through pySHACL itself, which gives the verdict, the
message and every other field of the result exactly as a full pySHACL run would. On good
data there are few suspects, so the slow part runs on a tiny graph.

SHACL-SPARQL constraints (`sh:sparql`) run once over the store with `$this` bound to all
focus nodes of the shape (a join placed at the start of the query's WHERE clause, which is
what pre-binding means for the queries SHACL allows), and their results are built with
pySHACL's result code, `{?var}` message substitution included.

Supported subset (anything else falls back to pySHACL for that shape, with a warning):
targets sh:targetClass (with rdfs:subClassOf*), sh:targetNode, sh:targetSubjectsOf,
sh:targetObjectsOf; paths that are an IRI or [ sh:inversePath IRI ]; sh:minCount
sh:maxCount sh:datatype sh:class sh:nodeKind sh:in sh:hasValue sh:pattern (+sh:flags)
sh:minInclusive sh:maxInclusive sh:minExclusive sh:maxExclusive sh:minLength sh:maxLength
sh:languageIn sh:uniqueLang sh:closed (+sh:ignoredProperties), sh:or of shapes with such
value constraints, sh:property one level deep, sh:sparql SELECT constraints without
MINUS, sub-queries, LIMIT/OFFSET, GRAPH or SERVICE, and with aggregates only when grouped
by `$this`; sh:severity, sh:message, sh:deactivated. Inference other than "none" is not
supported: `validate` then runs pySHACL.

Oxigraph keeps typed literals in canonical form ("4100000000.0"^^xsd:decimal is stored as
"4100000000"), where rdflib keeps the lexical form as written. The suspect queries allow for
that (a lexical check on a datatype whose data is not canonical always makes a suspect), and
literals in SHACL-SPARQL results are mapped back to the form the data has.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store, Triple, Variable

from .validate import SH, Finding, Report, findings_from, to_rdflib

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SHNS = str(SH)
RDF_TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"
_TYPE_PATH = f"<{RDF_TYPE}>/<{SUBCLASS}>*"
RESTRICT = "\x00R\x00"  # where a VALUES clause limits a query to some focus nodes (or nothing, for all)

# Options of the reference run (validate.validate); the suspects are judged with the same ones.
PYSHACL_OPTIONS = dict(inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
                       meta_shacl=False, iterate_rules=False)


class FallbackWarning(UserWarning):
    """A shape outside the compiled subset: pySHACL validates it over the whole graph (correct, slower)."""


# ----------------------------------------------------------------------------- literals

# Lexical forms that rdflib accepts for a datatype (a subset: a value outside it is a suspect).
_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
_DATE = r"[12][0-9]{3}-" + _DAY
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9])?"
_INT = r"[+-]?[0-9]+"
WELL_TYPED = {
    "integer": _INT, "decimal": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)",
    "int": r"[+-]?[0-9]{1,9}", "long": r"[+-]?[0-9]{1,18}", "short": r"[+-]?[0-9]{1,4}",
    "byte": r"[+-]?[0-9]{1,2}", "nonNegativeInteger": r"\+?[0-9]+", "positiveInteger": r"\+?0*[1-9][0-9]*",
    "nonPositiveInteger": r"-[0-9]+|[+-]?0+", "negativeInteger": r"-0*[1-9][0-9]*",
    "unsignedLong": r"\+?[0-9]{1,19}", "unsignedInt": r"\+?[0-9]{1,9}", "unsignedShort": r"\+?[0-9]{1,4}",
    "unsignedByte": r"\+?[0-9]{1,2}",
    "float": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    "double": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    "boolean": r"true|false|1|0", "date": _DATE, "time": _TIME, "dateTime": _DATE + "T" + _TIME,
    "hexBinary": r"(?:[0-9a-fA-F]{2})*",
}
# Datatypes for which any lexical form that Oxigraph accepts (and so canonicalizes) rdflib accepts
# too: a canonical form that is well typed proves the original well typed. For the others (dateTime,
# time) the proof needs the data's own lexical form, that is: data whose literals are canonical.
CANONICAL_SAFE = {"integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                  "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
                  "unsignedByte", "float", "double", "boolean", "date"}
# Lexical forms that rdflib prints (str()) unchanged: rdflib rewrites others when it reads them
# ("+5" becomes "5", a date loses its time zone), so a pattern or length test on them is left to pySHACL.
RDFLIB_STABLE = {XSD + "integer": r"0|-?[1-9][0-9]*", XSD + "decimal": r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?",
                 XSD + "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", XSD + "gYear": r".*", XSD + "gYearMonth": r".*",
                 XSD + "boolean": r"true|false", XSD + "anyURI": r".*"}
_RDFLIB_STABLE_RE = {k: re.compile(f"(?:{v})\\Z", re.S) for k, v in RDFLIB_STABLE.items()}
# Canonical forms, to tell whether the data's literals survive a round trip through Oxigraph.
_CANONICAL = {
    **{n: r"0|-?[1-9][0-9]*" for n in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                       "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                       "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")},
    "decimal": r"0|-?[1-9][0-9]*|-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "gYear": r"[0-9]{4}", "gYearMonth": r"[0-9]{4}-[0-9]{2}",
    "boolean": r"true|false",
    "dateTime": r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]*[1-9])?"
                r"(?:Z|\+(?:0[1-9]|1[0-3]):[0-5][0-9]|-(?:0[1-9]|1[0-3]):[0-5][0-9]|[+-](?:00:[0-5][1-9]|00:[1-5]0))?",
}
_CANONICAL_RE = {XSD + k: re.compile(f"(?:{v})\\Z") for k, v in _CANONICAL.items()}
_NEVER_CANONICALIZED = {XSD_STRING, LANG_STRING, XSD + "anyURI", XSD + "normalizedString", XSD + "token",
                        XSD + "language", XSD + "Name", XSD + "NCName", XSD + "NMTOKEN", XSD + "base64Binary"}
# Oxigraph stores these as xsd:integer ("5"^^xsd:nonNegativeInteger comes back as "5"^^xsd:integer).
DERIVED_INTEGERS = {XSD + n for n in ("int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                      "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                      "unsignedShort", "unsignedByte")}
XSD_INTEGER = XSD + "integer"


class LiteralForms:
    """Which of the data's literals Oxigraph stores in another form, and what the data has instead.

    Oxigraph keeps typed literals in canonical form: "4100000000.0"^^xsd:decimal is stored as
    "4100000000", and "5"^^xsd:nonNegativeInteger as "5"^^xsd:integer. `unfaithful` maps a
    predicate and a stored (lexical, datatype) to the data's literals, objects of that predicate,
    stored as it; `ambiguous` holds the keys whose stored form the data also has as such;
    `store_types` the datatypes of the stored forms; `rewritten` maps a datatype of the data to
    the datatypes Oxigraph stores it as.
    """

    def __init__(self):
        self.unfaithful: dict[tuple[str, str, str], list[Literal]] = {}
        self.ambiguous: set[tuple[str, str, str]] = set()
        self.store_types: set[str] = set()
        self.rewritten: dict[str, set[str]] = {}
        self._any: dict | None = None

    def key(self) -> tuple:
        return (frozenset(self.store_types), frozenset((k, frozenset(v)) for k, v in self.rewritten.items()))

    def _record(self, key: tuple[str, str, str], original: Literal) -> None:
        known = self.unfaithful.setdefault(key, [])
        if original not in known:
            known.append(original)
        self.store_types.add(key[2])
        if key[2] != original.datatype.value:
            self.rewritten.setdefault(original.datatype.value, set()).add(key[2])
        self._any = None

    def add(self, other: "LiteralForms") -> None:
        for key, originals in other.unfaithful.items():
            for o in originals:
                self._record(key, o)
        self.ambiguous |= other.ambiguous

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Literal]]) -> "LiteralForms":
        """From (predicate IRI, literal) pairs of the data."""
        forms = cls()
        doubtful: dict[tuple[str, Literal], None] = {}
        faithful: set[tuple[str, str, str]] = set()
        integer = _CANONICAL_RE[XSD_INTEGER]
        for predicate, lit in pairs:
            dt = lit.datatype.value
            if dt in _NEVER_CANONICALIZED or lit.language:
                continue
            if dt in DERIVED_INTEGERS:
                if integer.match(lit.value) and re.fullmatch(WELL_TYPED[dt[len(XSD):]], lit.value):
                    forms._record((predicate, lit.value, XSD_INTEGER), lit)
                else:
                    doubtful[(predicate, lit)] = None
                continue
            pattern = _CANONICAL_RE.get(dt)
            if pattern is not None and pattern.match(lit.value):
                faithful.add((predicate, lit.value, dt))
            else:
                doubtful[(predicate, lit)] = None
        if doubtful:
            store = Store()
            subject, graph = NamedNode("urn:cardf:x"), DefaultGraph()
            originals = list(doubtful)
            store.bulk_extend(Quad(subject, NamedNode(f"urn:cardf:{i}"), lit, graph)
                              for i, (_, lit) in enumerate(originals))
            for q in store.quads_for_pattern(subject, None, None, None):
                predicate, original = originals[int(q.predicate.value[len("urn:cardf:"):])]
                stored = (predicate, q.object.value, q.object.datatype.value)
                if stored[1:] != (original.value, original.datatype.value):
                    forms._record(stored, original)
                else:
                    faithful.add(stored)
        forms.ambiguous = faithful & set(forms.unfaithful)
        return forms

    def originals_of(self, lit: Literal, predicate: str | None = None) -> list[Literal]:
        """The literals of the data (objects of `predicate`, or of any) that the store may hold as `lit`."""
        if predicate is None:
            if self._any is None:
                self._any = {}
                for (p, lex, dt), found in self.unfaithful.items():
                    known = self._any.setdefault((lex, dt), [])
                    known += [o for o in found if o not in known]
                for (p, lex, dt) in self.ambiguous:
                    self._any.setdefault((lex, dt), [])
            found = self._any.get((lit.value, lit.datatype.value))
            if not found:
                return [lit]
            return found + [lit]  # without a predicate, the stored form itself may be data too
        key = (predicate, lit.value, lit.datatype.value)
        found = self.unfaithful.get(key)
        if not found:
            return [lit]
        return found + [lit] if key in self.ambiguous else found

    def original(self, lit: Literal, near: Iterable[Literal] = ()) -> Literal:
        """The data's own form of a literal read back from the store."""
        if lit.language or not self.unfaithful:
            return lit
        candidates = self.originals_of(lit)
        if len(candidates) > 1:
            near = set(near)
            for c in candidates:
                if c in near:
                    return c
        return candidates[0]


# ----------------------------------------------------------------------------- the original data

class Originals:
    """The data as given (not as Oxigraph stores it), for the pySHACL verdict on suspects."""

    forms: LiteralForms
    predicates: frozenset | None = None  # the predicate IRIs of the data, when known

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        """Triples with a node as subject or object, the rdf:type triples of their other ends, and
        every rdfs:subClassOf triple: all that a supported constraint looks at for a focus node.

        Triples into a node are kept along the `inverse` predicates only (None: all), except for
        the nodes in `traced`, whose every incoming triple is kept: the report follows them back
        to the record that has a YAML origin.
        """
        raise NotImplementedError

    def referrers(self, nodes: set) -> set:
        """The subjects of triples whose object is one of the nodes."""
        raise NotImplementedError

    def everything(self) -> Iterable[Triple]:
        raise NotImplementedError


class TripleOriginals(Originals):
    """Originals held as a list of triples (the `validate` entry point)."""

    def __init__(self, triples: list[Triple]):
        self.triples = triples
        self._index = None
        predicates = set()
        literals = []
        for t in triples:
            predicates.add(t.predicate.value)
            if isinstance(t.object, Literal):
                literals.append((t.predicate.value, t.object))
        self.predicates = frozenset(predicates)
        self.forms = LiteralForms.of(literals)

    def _build(self):
        by_subject: dict = {}
        by_object: dict = {}
        subclass = []
        for t in self.triples:
            by_subject.setdefault(t.subject, []).append(t)
            if not isinstance(t.object, Literal):
                by_object.setdefault(t.object, []).append(t)
            if t.predicate.value == SUBCLASS:
                subclass.append(t)
        self._index = by_subject, by_object, subclass

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        if self._index is None:
            self._build()
        by_subject, by_object, subclass = self._index
        return triples_around(nodes, by_subject.get, by_object.get, subclass, inverse, traced)

    def referrers(self, nodes: set) -> set:
        if self._index is None:
            self._build()
        return {t.subject for n in nodes for t in self._index[1].get(n, ())}

    def everything(self) -> Iterable[Triple]:
        return self.triples


class Classes:
    """The rdfs:subClassOf closure of the data, written into the queries as lists of classes.

    `?x rdf:type/rdfs:subClassOf* C` makes Oxigraph walk the class hierarchy for every node; a
    lookup of ?x's types against the (few) subclasses of C, computed once, is several times faster.
    """

    _MARK = re.compile("\x00([FK])([^\x00]*)\x00")

    def __init__(self, store: Store | None = None):
        supers: dict[str, set[str]] = {}
        if store is not None:
            for row in store.query(f"SELECT ?s ?o WHERE {{ ?s <{SUBCLASS}> ?o }}", use_default_graph_as_union=True):
                if isinstance(row[0], NamedNode) and isinstance(row[1], NamedNode):
                    supers.setdefault(row[1].value, set()).add(row[0].value)
        self.subs = supers
        self._closure: dict[str, tuple[str, ...]] = {}
        self._texts: dict[str, str] = {}
        self.key = frozenset((k, frozenset(v)) for k, v in supers.items())

    def closure(self, c: str) -> tuple[str, ...]:
        if c not in self._closure:
            seen, todo = {c}, [c]
            while todo:
                for s in self.subs.get(todo.pop(), ()):
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
            self._closure[c] = tuple(sorted(seen))
        return self._closure[c]

    def resolve(self, text: str) -> str:
        if text not in self._texts:
            def write(m):
                if m.group(1) == "F":
                    classes = " ".join(f"<{c}>" for c in self.closure(m.group(2)))
                    return f"VALUES ?cardf_tc {{ {classes} }} ?this <{RDF_TYPE}> ?cardf_tc ."
                var, c = m.group(2).split(" ", 1)
                classes = ", ".join(f"<{x}>" for x in self.closure(c))
                return f"{var} <{RDF_TYPE}> {var}_t FILTER ({var}_t IN ({classes}))"
            self._texts[text] = self._MARK.sub(write, text)
        return self._texts[text]


def focus_nodes_among(store: Store, focus: str, candidates: set) -> set:
    """Those of the candidates that are focus nodes (the group `focus` binds ?this to)."""
    found = set()
    candidates = [c for c in candidates if not isinstance(c, BlankNode)] + \
        [c for c in candidates if isinstance(c, BlankNode)]
    for i in range(0, len(candidates), 1000):
        chunk = candidates[i:i + 1000]
        named = [c for c in chunk if not isinstance(c, BlankNode)]
        if named:
            values = " ".join(str(c) for c in named)
            found.update(row[0] for row in store.query(
                f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} {focus} }}",
                use_default_graph_as_union=True))
        for c in chunk:  # a blank node cannot be written into a query: ask about it alone
            if isinstance(c, BlankNode):
                hits = store.query(f"ASK {{ {focus} }}", use_default_graph_as_union=True,
                                   substitutions={Variable("this"): c})
                if bool(hits):
                    found.add(c)
    return found


def triples_around(nodes: set, outgoing: Callable, incoming: Callable, subclass: list[Triple],
                   inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
    out = list(subclass)
    neighbours = set()
    for n in nodes:
        for t in outgoing(n) or ():
            out.append(t)
            if not isinstance(t.object, Literal):
                neighbours.add(t.object)
        if not isinstance(n, Literal):
            every = inverse is None or n in traced
            for t in incoming(n) or ():
                if every or t.predicate.value in inverse:
                    out.append(t)
                    neighbours.add(t.subject)
    for n in neighbours - nodes:
        out += [t for t in outgoing(n) or () if t.predicate.value == RDF_TYPE]
    for n in set(traced) - nodes:
        out += incoming(n) or ()
    return out


def inverse_predicates(shapes: rdflib.Graph) -> frozenset | None:
    """The predicates that the shapes follow backwards (sh:inversePath); None if a path is not an IRI."""
    found = set()
    for o in shapes.objects(None, SH.inversePath):
        if not isinstance(o, rdflib.URIRef):
            return None
        found.add(str(o))
    return frozenset(found)


# ----------------------------------------------------------------------------- SPARQL text

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def sparql_term(term) -> str | None:
    """An rdflib term as SPARQL text; None for a blank node, which SPARQL cannot name."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        text = f'"{_escape(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    return None


def translate_pattern(pattern: str, flags: str) -> str | None:
    """A Python regular expression as one that Oxigraph's REGEX reads the same way, or None.

    pySHACL matches sh:pattern with Python's `re.search`; only a subset where the two engines
    agree is translated (`$` becomes `\\n?$`, as Python's `$` also matches before a final newline,
    and `\\s` also takes in U+001C–U+001F, which Python counts as space). The rest is checked in
    Python.
    """
    if "m" in flags:
        return None
    out = []
    i, n, depth = 0, len(pattern), 0
    allowed_escapes = set(".^$*+?()[]{}|\\/-")
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            e = pattern[i + 1]
            if e in allowed_escapes:
                out.append("\\" + e)
            elif e == "d":
                out.append("\\d")
            elif e == "s":
                out.append("[\\s\u001c-\u001f]")
            elif e in "nt":
                out.append("\\" + e)
            else:
                return None
            i += 2
        elif c == "[":
            j, cls = i + 1, ["["]
            if j < n and pattern[j] == "^":
                cls.append("^")
                j += 1
            if j < n and pattern[j] == "]":
                return None
            while j < n and pattern[j] != "]":
                ch = pattern[j]
                if ch == "[" or pattern.startswith(("&&", "--", "~~"), j):
                    return None
                if ch == "\\":
                    if j + 1 >= n:
                        return None
                    e = pattern[j + 1]
                    if e in allowed_escapes:
                        cls.append("\\" + e)
                    elif e == "d":
                        cls.append("\\d")
                    elif e == "s":
                        cls.append("\\s\u001c-\u001f")
                    elif e in "nt":
                        cls.append("\\" + e)
                    else:
                        return None
                    j += 2
                    continue
                cls.append(ch)
                j += 1
            if j >= n:
                return None
            out.append("".join(cls) + "]")
            i = j + 1
        elif c == "(":
            if pattern.startswith("(?", i):
                if not pattern.startswith("(?:", i):
                    return None
                out.append("(?:")
                i += 3
            else:
                out.append("(")
                i += 1
            depth += 1
        elif c == ")":
            depth -= 1
            out.append(")")
            i += 1
        elif c == "{":
            m = re.match(r"\{[0-9]+(,[0-9]*)?\}", pattern[i:])
            if not m:
                return None
            out.append(m.group(0))
            i += len(m.group(0))
        elif c == "}":
            return None
        elif c == "$":
            if not (i == n - 1 or (pattern[i + 1] == "|" and depth == 0)):
                return None
            out.append("\\n?$")
            i += 1
        else:
            out.append(c)
            i += 1
    if depth != 0:
        return None
    return "".join(out)


# ----------------------------------------------------------------------------- the plan

@dataclass
class Probe:
    """A query for suspect focus nodes.

    Without `check`, every ?this it returns is a suspect. With `check`, it returns ?this ?v for
    values not yet known to be focus nodes' values; Python picks the suspect values, and the
    runner keeps those ?this that are focus nodes of the unit.
    """

    query: str
    check: Callable | None = None


@dataclass
class Profile:
    """What the data looks like, as far as the suspect queries care: literal forms, predicates used."""

    forms: LiteralForms
    predicates: frozenset | None = None

    def key(self) -> tuple:
        return (self.forms.key(), self.predicates)


@dataclass
class Unit:
    """One shape with targets, validated as pySHACL does: its own constraints and its property shapes."""

    shape: object  # rdflib node
    focus: str  # SPARQL group binding ?this to the focus nodes
    build: Callable  # Profile -> list[Probe]
    probes_for: dict = field(default_factory=dict)

    def probes(self, profile: Profile) -> list[Probe]:
        key = profile.key()
        if key not in self.probes_for:
            self.probes_for[key] = self.build(profile)
        return self.probes_for[key]


@dataclass
class SparqlCheck:
    """A SHACL-SPARQL constraint of one member shape, run once for all focus nodes of its unit."""

    unit: object
    member: object  # pySHACL Shape
    helper: object  # pySHACL SPARQLQueryHelper
    component: object  # pySHACL SPARQLBasedConstraint
    query: str
    projects_this: bool
    substitutions: dict
    edges: list | None = None  # its triple patterns, to find what a change can affect (see reach)
    index: int = 0  # its place in the plan's list


class Unsupported(Exception):
    pass


class NeedsFullRun(Exception):
    """A validation limited to some focus nodes would not give the full run's findings."""


_VALUE_PARAMS = {"datatype", "class", "nodeKind", "in", "pattern", "flags", "minLength", "maxLength", "languageIn",
                 "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or"}
_OTHER_PARAMS = {"minCount", "maxCount", "hasValue", "uniqueLang", "closed", "ignoredProperties", "sparql", "property"}
_NUMERIC = ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
            "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")


class Plan:
    """The shapes graph compiled: suspect queries per unit, SHACL-SPARQL checks, and shapes left to pySHACL."""

    def __init__(self, shapes: rdflib.Graph):
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
        from pyshacl.shapes_graph import ShapesGraph

        self.shapes = shapes
        self.sg = ShapesGraph(shapes)
        self.params = {p for p in ALL_CONSTRAINT_PARAMETERS if isinstance(p, rdflib.URIRef)}
        self.units: list[Unit] = []
        self.sparql: list[SparqlCheck] = []
        self.fallback: list[tuple[object, str]] = []
        self._copies: dict = {}
        self.backward: set[str] = set()  # predicates the shapes follow from object to subject
        self.inverse = inverse_predicates(shapes)
        self.everything_falls_back = self._uses_advanced_features()
        if self.everything_falls_back:
            return
        for shape in self.sg.shapes:
            if shape.deactivated or not self._has_targets(shape):
                continue
            try:
                unit, checks = self._compile_unit(shape)
            except Unsupported as why:
                self.fallback.append((shape.node, str(why)))
                continue
            self.units.append(unit)
            self.sparql += checks
        for i, check in enumerate(self.sparql):
            check.index = i
        for node, why in self.fallback:
            warnings.warn(FallbackWarning(f"shape {node} is validated by pySHACL: {why}"), stacklevel=2)

    # which shapes -----------------------------------------------------------------------------

    def _uses_advanced_features(self) -> bool:
        g = self.shapes
        if any(True for p in (SH.rule, SH.target, SH.expression, SH.js) for _ in g.subject_objects(p)):
            return True
        return any(True for c in (SH.SPARQLFunction, SH.ConstraintComponent, SH.SPARQLTargetType)
                   for _ in g.subjects(rdflib.RDF.type, c))

    @staticmethod
    def _has_targets(shape) -> bool:
        nodes, classes, implicit, objects_of, subjects_of = shape.target()
        return bool(list(nodes) or list(classes) or implicit or list(objects_of) or list(subjects_of))

    def _focus(self, shape) -> str:
        nodes, classes, implicit, objects_of, subjects_of = (list(x) for x in shape.target())
        parts = []
        if nodes:
            terms = [sparql_term(n) for n in nodes]
            if None in terms:
                raise Unsupported("a blank node in sh:targetNode")
            parts.append("VALUES ?this { " + " ".join(terms) + " }")
        for c in dict.fromkeys(classes + implicit):
            if not isinstance(c, rdflib.URIRef):
                raise Unsupported("a target class that is not an IRI")
            parts.append(f"\x00F{c}\x00")
        for p in subjects_of:
            parts.append(f"?this <{p}> ?cardf_fx .")
        for p in objects_of:
            parts.append(f"?cardf_fx <{p}> ?this .")
        return "{ " + " } UNION { ".join(parts) + " }"

    def _members(self, shape) -> list:
        members = [shape]
        for node in self.shapes.objects(shape.node, SH.property):
            if shape.is_property_shape:
                raise Unsupported("sh:property on a property shape")
            try:
                member = self.sg.lookup_shape_from_node(node)
            except KeyError:
                raise Unsupported(f"sh:property {node} is not a shape") from None
            if not member.is_property_shape:
                raise Unsupported(f"sh:property {node} is not a property shape")
            if list(self.shapes.objects(node, SH.property)):
                raise Unsupported("nested sh:property")
            if not member.deactivated:
                members.append(member)
        return members

    def _compile_unit(self, shape) -> tuple[Unit, list[SparqlCheck]]:
        focus = self._focus(shape)
        members = self._members(shape)
        self.backward.update(str(p) for p in shape.target_objects_of())
        for member in members:
            if member.is_property_shape and not isinstance(member.path(), rdflib.URIRef):
                self.backward.update(str(p) for p in self.shapes.objects(member.path(), SH.inversePath))
        for member in members:
            self._check_params(member)
            if member.find_custom_constraints():
                raise Unsupported("a custom constraint component")
        checks = []
        for member in members:
            if (member.node, SH.sparql, None) in self.shapes:
                checks += self._sparql_checks(shape, member, focus)

        def build(profile: Profile) -> list[Probe]:
            conditions: list[str] = []
            probes: list[Probe] = []
            for k, member in enumerate(members):
                self._member_probes(member, focus, profile, f"v{k}", conditions, probes)
            if conditions:
                expr = " || ".join(f"({c})" for c in conditions)
                probes.insert(0, Probe(f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE "
                                       f"{{ {RESTRICT} {focus} }} }} FILTER ({expr}) }}"))
            return probes

        build(Profile(LiteralForms()))  # compile once now, so that an unsupported shape is found up front
        return Unit(shape.node, focus, build), checks

    def _check_params(self, member) -> None:
        for p, _ in self.shapes.predicate_objects(member.node):
            if p not in self.params and p != SH.sparql:
                continue
            local = str(p)[len(SHNS):] if str(p).startswith(SHNS) else None
            if local not in _VALUE_PARAMS | _OTHER_PARAMS:
                raise Unsupported(f"{p} is not in the compiled subset")
        if member.is_property_shape:
            path = member.path()
            if not isinstance(path, rdflib.URIRef):
                inverse = list(self.shapes.objects(path, SH.inversePath))
                props = set(self.shapes.predicates(path, None))
                if not (len(inverse) == 1 and isinstance(inverse[0], rdflib.URIRef) and props == {SH.inversePath}):
                    raise Unsupported("a complex sh:path")

    # value patterns -------------------------------------------------------------------------------

    def _value_pattern(self, member, v: str) -> str | None:
        """The triple pattern binding the value variable from ?this; None for a node shape (value = ?this)."""
        if not member.is_property_shape:
            return None
        path = member.path()
        if isinstance(path, rdflib.URIRef):
            return f"?this <{path}> {v} ."
        inverse = next(self.shapes.objects(path, SH.inversePath))
        return f"{v} <{inverse}> ?this ."

    def _one(self, member, param):
        values = list(self.shapes.objects(member.node, param))
        if len(values) != 1:
            raise Unsupported(f"{param} must have exactly one value")
        return values[0]

    def _items(self, node) -> list:
        try:
            return list(self.shapes.items(node))
        except Exception:
            raise Unsupported("an ill-formed RDF list") from None

    def _member_probes(self, member, focus: str, profile: Profile, var: str, conditions: list[str],
                       probes: list[Probe]) -> None:
        """Add the conditions tested on each focus node, and the probes that need a query of their own.

        The conditions of all members of a unit are tested in one pass over its focus nodes, each
        an index lookup from ?this, which Oxigraph does far faster than a join from the values.
        """
        g, node = self.shapes, member.node
        v, w = f"?{var}", f"?{var}w"
        valuepat = self._value_pattern(member, v)
        bad, checks = self._value_checks(member, v if valuepat else "?this", profile)
        if bad:
            expr = " || ".join(f"({b})" for b in bad)
            conditions.append(f"EXISTS {{ {valuepat} FILTER ({expr}) }}" if valuepat else expr)
        focus_sub = f"{{ SELECT DISTINCT ?this WHERE {{ {RESTRICT} {focus} }} }}"
        for narrow, check in checks:
            if valuepat:
                probes.append(Probe(f"SELECT ?this ({v} AS ?v) WHERE {{ {RESTRICT} {valuepat} FILTER ({narrow}) }}",
                                    check))
            else:
                probes.append(Probe(f"SELECT ?this (?this AS ?v) WHERE {{ {focus_sub} "
                                    f"FILTER ({narrow.replace(v, '?this')}) }}", check))
        if list(g.objects(node, SH.minCount)):
            n = self._count(member, SH.minCount)
            if n == 1:
                conditions.append(f"NOT EXISTS {{ {valuepat} }}")
            elif n > 1:
                probes.append(Probe(f"SELECT ?this WHERE {{ {focus_sub} OPTIONAL {{ {valuepat} }} }} "
                                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {n})"))
        if list(g.objects(node, SH.maxCount)):
            n = self._count(member, SH.maxCount)
            if n == 0:
                conditions.append(f"EXISTS {{ {valuepat} }}")
            elif n == 1:
                other = self._value_pattern(member, w)
                conditions.append(f"EXISTS {{ {valuepat} {other} FILTER (!sameTerm({v}, {w})) }}")
            else:
                probes.append(Probe(f"SELECT ?this WHERE {{ {focus_sub} {valuepat} }} "
                                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {n})"))
        for value in g.objects(node, SH.hasValue):
            term = sparql_term(value)
            if term is None:
                raise Unsupported("a blank node in sh:hasValue")
            typed = isinstance(value, rdflib.Literal) and value.datatype is not None \
                and str(value.datatype) not in (XSD_STRING, LANG_STRING)
            if typed:  # its stored form need not be its rdflib form: every focus node is a suspect
                conditions.append("true")
            elif valuepat:
                conditions.append(f"NOT EXISTS {{ {valuepat} FILTER (sameTerm({v}, {term})) }}")
            else:
                conditions.append(f"!sameTerm(?this, {term})")
        unique = list(g.objects(node, SH.uniqueLang))
        if unique:
            if not member.is_property_shape:
                raise Unsupported("sh:uniqueLang on a node shape")
            if unique[0] == rdflib.Literal(True):
                other = self._value_pattern(member, w)
                conditions.append(f"EXISTS {{ {valuepat} {other} FILTER (!sameTerm({v}, {w}) && "
                                  f"LANG({v}) != \"\" && LCASE(LANG({v})) = LCASE(LANG({w}))) }}")
        closed = list(g.objects(node, SH.closed))
        if closed:
            self._closed(member, closed, valuepat, v, profile, conditions)

    def _count(self, member, param) -> int:
        value = self._one(member, param)
        if not (isinstance(value, rdflib.Literal) and isinstance(value.value, int) and value.value >= 0):
            raise Unsupported(f"{param} is not a non-negative integer")
        if not member.is_property_shape:
            raise Unsupported(f"{param} on a node shape")
        return int(value.value)

    def _closed(self, member, closed, valuepat, v, profile: Profile, conditions: list[str]) -> None:
        if len(closed) != 1 or not isinstance(closed[0], rdflib.Literal):
            raise Unsupported("sh:closed must be one boolean")
        if not bool(closed[0].value):
            return
        allowed = set()
        for lst in self.shapes.objects(member.node, SH.ignoredProperties):
            allowed.update(self._items(lst))
        for p_node in self.shapes.objects(member.node, SH.property):
            try:
                allowed.add(self.sg.lookup_shape_from_node(p_node).path())
            except KeyError:
                raise Unsupported(f"sh:property {p_node} is not a shape") from None
        allowed_iris = {str(a) for a in allowed if isinstance(a, rdflib.URIRef)}
        subject = v if valuepat else "?this"
        not_resource = f"!(?cardf_pp = <{RDF_TYPE}> && ?cardf_oo = <{RDFS}Resource>)"
        if profile.predicates is not None and not (profile.predicates - allowed_iris):
            return  # the data uses no predicate the shape does not allow
        # a look at the focus node's own few triples beats a lookup per predicate the shape forbids
        iris = sorted(f"<{a}>" for a in allowed_iris)
        keep = f"?cardf_pp NOT IN ({', '.join(iris)})" if iris else "true"
        test = f"{subject} ?cardf_pp ?cardf_oo FILTER ({keep} && {not_resource})"
        conditions.append(f"EXISTS {{ {valuepat or ''} {test} }}")

    def _value_checks(self, member, v: str, profile: Profile) -> tuple[list[str], list[tuple[str, Callable]]]:
        """SPARQL expressions true for every value that may fail a value constraint, and Python checks.

        A Python check comes with a SPARQL expression that narrows the values it looks at.
        """
        g, node = self.shapes, member.node
        forms = profile.forms
        bad: list[str] = []
        checks: list[tuple[str, Callable]] = []
        typed_suspect = self._typed_suspect(v, forms)
        path = member.path() if member.is_property_shape else None
        predicate = str(path) if isinstance(path, rdflib.URIRef) else None
        for rule in g.objects(node, SH.datatype):
            expr, check = self._datatype_bad(rule, v, forms, predicate)
            bad.append(expr)
            if check is not None:
                checks.append(check)
        for c in g.objects(node, SH["class"]):
            if not isinstance(c, rdflib.URIRef):
                raise Unsupported("sh:class that is not an IRI")
            bad.append(f"isLiteral({v}) || NOT EXISTS {{ \x00K{v} {c}\x00 }}")
        for kind in g.objects(node, SH.nodeKind):
            bad.append(self._nodekind_bad(kind, v))
        for lst in g.objects(node, SH["in"]):
            terms = [sparql_term(i) for i in self._items(lst)]
            if None in terms:
                raise Unsupported("a blank node in sh:in")
            same = " || ".join(f"sameTerm({v}, {t})" for t in terms) or "false"
            bad.append(f"!({same}) || (isLiteral({v}) && DATATYPE({v}) != <{XSD_STRING}> && "
                       f"DATATYPE({v}) != <{LANG_STRING}>)")
        patterns = list(g.objects(node, SH.pattern))
        if patterns:
            flags_found = list(g.objects(node, SH.flags))
            flags = str(flags_found[0]).lower() if flags_found else ""
            for p in patterns:
                if not isinstance(p, rdflib.Literal):
                    raise Unsupported("sh:pattern that is not a literal")
                translated = translate_pattern(str(p), flags)
                if translated is None:
                    checks.append(("true", _PatternCheck(str(p), flags, frozenset(forms.store_types))))
                else:
                    f = "i" if "i" in flags else ""
                    bad.append(f"isBlank({v}) || {typed_suspect} || "
                               f"!REGEX(STR({v}), \"{_escape(translated)}\", \"{f}\")")
        for param, op in ((SH.minLength, "<"), (SH.maxLength, ">")):
            if list(g.objects(node, param)):
                n = self._one(member, param)
                if not (isinstance(n, rdflib.Literal) and isinstance(n.value, int) and n.value >= 0):
                    raise Unsupported(f"{param} is not a non-negative integer")
                if param == SH.minLength and n.value == 0:
                    continue
                bad.append(f"isBlank({v}) || {typed_suspect} || STRLEN(STR({v})) {op} {int(n.value)}")
        for lst in g.objects(node, SH.languageIn):
            langs = []
            for item in self._items(lst):
                if not (isinstance(item, rdflib.Literal) and isinstance(item.value, str)):
                    raise Unsupported("sh:languageIn items must be strings")
                langs.append(str(item.value).lower())
            if "*" in langs:
                bad.append(f"!isLiteral({v}) || LANG({v}) = \"\"")
            else:
                listed = ", ".join(f'"{_escape(x)}"' for x in langs) or '""'
                bad.append(f"!isLiteral({v}) || LANG({v}) = \"\" || !(LCASE(LANG({v})) IN ({listed}) || "
                           f"LCASE(STRBEFORE(CONCAT(LANG({v}), \"-\"), \"-\")) IN ({listed}))")
        for param, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<="), (SH.minExclusive, ">"),
                          (SH.maxExclusive, "<")):
            for bound in g.objects(node, param):
                expr = self._range_ok(bound, op, v)
                if expr is None:
                    checks.append(("true", _RangeCheck(str(param)[len(SHNS):], bound)))
                else:
                    bad.append(f"!({expr})")
        for lst in g.objects(node, SH["or"]):
            bad.append(self._or_bad(lst, v, profile))
        return bad, checks

    @staticmethod
    def _typed_suspect(v: str, forms: LiteralForms) -> str:
        """True for a typed literal whose rdflib string form may differ from the stored lexical form."""
        stable = " || ".join(f"(DATATYPE({v}) = <{d}> && REGEX(STR({v}), \"^(?:{_escape(RDFLIB_STABLE[d])})$\", \"s\"))"
                             for d in sorted(RDFLIB_STABLE) if d not in forms.store_types)
        plain = f"DATATYPE({v}) = <{XSD_STRING}> || DATATYPE({v}) = <{LANG_STRING}>"
        return f"(isLiteral({v}) && !({plain}{' || ' + stable if stable else ''}))"

    def _datatype_bad(self, rule, v: str, forms: LiteralForms,
                      predicate: str | None) -> tuple[str, tuple[str, Callable] | None]:
        """(expression true for values that may fail sh:datatype, optional Python check for some values)."""
        if not isinstance(rule, rdflib.URIRef):
            raise Unsupported("sh:datatype that is not an IRI")
        dt = str(rule)
        if dt == XSD_STRING:
            return f"!(isLiteral({v}) && DATATYPE({v}) = <{XSD_STRING}>)", None
        if dt == LANG_STRING:
            return f"!(isLiteral({v}) && LANG({v}) != \"\")", None
        if dt == RDFS + "Literal":
            return f"!isLiteral({v})", None
        if dt == RDFS + "Datatype":
            return f"!(isLiteral({v}) && DATATYPE({v}) != <{XSD_STRING}> && DATATYPE({v}) != <{LANG_STRING}>)", None
        local = dt[len(XSD):] if dt.startswith(XSD) else None
        # values stored in a datatype that other datatypes of the data are rewritten to, or whose
        # stored form does not prove the original well typed, are checked against the data's forms
        doubtful = set().union(*forms.rewritten.values()) if forms.rewritten else set()
        if dt in forms.store_types and local not in CANONICAL_SAFE:
            doubtful.add(dt)
        if local in WELL_TYPED:
            ok = f"isLiteral({v}) && DATATYPE({v}) = <{dt}> && REGEX(STR({v}), \"^(?:{_escape(WELL_TYPED[local])})$\")"
        elif _rdflib_accepts_anything(dt):
            ok = f"isLiteral({v}) && DATATYPE({v}) = <{dt}>"
        else:
            ok = "false"
        if not doubtful:
            return f"!({ok})", None
        listed = ", ".join(f"<{d}>" for d in sorted(doubtful))
        narrow = f"isLiteral({v}) && DATATYPE({v}) IN ({listed})"
        return f"!({ok}) && !({narrow})", (narrow, _DatatypeCheck(dt, forms, predicate))

    @staticmethod
    def _nodekind_bad(kind, v: str) -> str:
        ok = {"IRI": f"isIRI({v})", "BlankNode": f"isBlank({v})", "Literal": f"isLiteral({v})",
              "BlankNodeOrIRI": f"!isLiteral({v})", "BlankNodeOrLiteral": f"!isIRI({v})",
              "IRIOrLiteral": f"!isBlank({v})"}
        local = str(kind)[len(SHNS):] if str(kind).startswith(SHNS) else None
        return f"!({ok[local]})" if local in ok else "true"

    @staticmethod
    def _range_ok(bound, op: str, v: str) -> str | None:
        """A SPARQL comparison that agrees with pySHACL's, for integers, decimals and plain dates; else None."""
        if not isinstance(bound, rdflib.Literal) or bound.datatype is None:
            return None
        bt = str(bound.datatype)
        local = bt[len(XSD):] if bt.startswith(XSD) else None
        if local in _NUMERIC and not bound.ill_typed and re.fullmatch(WELL_TYPED[local], str(bound)):
            well = " || ".join(f"(DATATYPE({v}) = <{XSD}{n}> && REGEX(STR({v}), \"^(?:{_escape(WELL_TYPED[n])})$\"))"
                               for n in _NUMERIC)
            return f"isLiteral({v}) && ({well}) && {v} {op} \"{bound}\"^^<{bt}>"
        if local == "date" and re.fullmatch(_DATE, str(bound)):
            return (f"isLiteral({v}) && DATATYPE({v}) = <{bt}> && REGEX(STR({v}), \"^{_escape(_DATE)}$\") && "
                    f"{v} {op} \"{bound}\"^^<{bt}>")
        return None

    def _or_bad(self, lst, v: str, profile: Profile) -> str:
        alternatives = []
        for alt in self._items(lst):
            try:
                shape = self.sg.lookup_shape_from_node(alt)
            except KeyError:
                raise Unsupported("sh:or member that is not a shape") from None
            if shape.is_property_shape or self._has_targets(shape):
                raise Unsupported("sh:or member with a path or targets")
            if shape.deactivated:
                return "false"
            for p, _ in self.shapes.predicate_objects(alt):
                if p in self.params or p == SH.sparql:
                    local = str(p)[len(SHNS):]
                    if local not in _VALUE_PARAMS or local == "or":
                        raise Unsupported(f"sh:or member with {p}")
            bad, checks = self._value_checks(shape, v, profile)
            # a value that a Python check would look at counts as failing this alternative
            alternatives.append(" || ".join([f"({b})" for b in bad] + [f"({narrow})" for narrow, _ in checks])
                                or "false")
        if not alternatives:
            return "true"
        return " && ".join(f"({a})" for a in alternatives)

    # SHACL-SPARQL ---------------------------------------------------------------------------------

    def _sparql_checks(self, unit_shape, member, focus: str) -> list[SparqlCheck]:
        from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
        from pyshacl.errors import ConstraintLoadError, ValidationFailure

        try:
            component = SPARQLBasedConstraint(member)
        except ConstraintLoadError as exc:
            raise Unsupported(f"sh:sparql: {exc}") from None
        checks = []
        for helper in sorted(component.sparql_constraints, key=lambda h: h.select_text):  # a set: fix the order
            if helper.deactivated:
                continue
            try:
                _, text = helper.pre_bind_variables(rdflib.URIRef("urn:cardf:this"))
            except (ValidationFailure, NotImplementedError, Exception) as exc:
                raise Unsupported(f"sh:sparql: {exc}") from None
            text = _sorted_prefixes(helper.apply_prefixes(text))
            projects_this = _check_sparql(text)
            query = _bind_this(_nest_exists(text), focus, projects_this)
            subs = {}
            if re.search(r"[\$\?]currentShape\b", text):
                if not isinstance(member.node, rdflib.URIRef):
                    raise Unsupported("$currentShape of a blank node shape")
                subs[Variable("currentShape")] = NamedNode(str(member.node))
            checks.append(SparqlCheck(unit_shape.node, member, helper, component, query, projects_this, subs,
                                      sparql_edges(text)))
        return checks

    # shapes graphs for the pySHACL runs -----------------------------------------------------------

    _TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

    def shapes_for(self, drop_targets: frozenset, keep_sparql: frozenset) -> rdflib.Graph:
        """A copy of the shapes graph without the targets of some shapes and without most SHACL-SPARQL."""
        key = (drop_targets, keep_sparql)
        if key not in self._copies:
            g = rdflib.Graph()
            for prefix, ns in self.shapes.namespaces():
                g.bind(prefix, ns, override=True)
            for s, p, o in self.shapes:
                if s in drop_targets and (p in self._TARGETS or (p == rdflib.RDF.type and o == rdflib.RDFS.Class)):
                    continue
                if p == SH.sparql and s not in keep_sparql:
                    continue
                g.add((s, p, o))
            self._copies[key] = g
        return self._copies[key]

    def judge_shapes(self, fallback: frozenset) -> rdflib.Graph:
        """For pySHACL's verdict on suspects: SHACL-SPARQL runs apart, fallback shapes run apart."""
        return self.shapes_for(fallback, frozenset())

    def fallback_shapes(self, fallback: frozenset) -> rdflib.Graph:
        """For the pySHACL run over the whole graph: only the fallback shapes keep their targets."""
        targeted = frozenset(s for p in self._TARGETS for s in self.shapes.subjects(p, None))
        targeted |= frozenset(s for s in self.shapes.subjects(rdflib.RDF.type, rdflib.RDFS.Class))
        members = set(fallback)
        for n in fallback:
            members.update(self.shapes.objects(n, SH.property))
        return self.shapes_for(targeted - fallback, frozenset(members))


    def snapshot(self) -> dict:
        """What a later run needs to query, without pySHACL: picklable, for a cache keyed by the shapes.

        The shapes graph and the judges' copy of it travel along (their blank nodes must stay
        the ones the results name), so that judging suspects needs no compiling either.
        """
        return {"units": [(u.shape, u.focus, dict(u.probes_for)) for u in self.units],
                "sparql": [(c.unit, c.query, c.projects_this, c.substitutions, c.edges) for c in self.sparql],
                "fallback": list(self.fallback), "everything": self.everything_falls_back,
                "backward": set(self.backward), "graphs": (self.shapes, self.judge_shapes(frozenset()))}


class LazyPlan:
    """A plan restored from a snapshot: queries at hand, pySHACL's objects compiled only when needed."""

    def __init__(self, snapshot: dict):
        self._full = None
        self.shapes, self._judge = snapshot["graphs"]
        self.inverse = inverse_predicates(self.shapes)
        self.units = [Unit(shape, focus, None, probes) for shape, focus, probes in snapshot["units"]]
        for u in self.units:
            u.build = self._builder(u)
        self.sparql = [SparqlCheck(unit, None, None, None, query, projects, subs, edges, i)
                       for i, (unit, query, projects, subs, edges) in enumerate(snapshot["sparql"])]
        self.fallback = snapshot["fallback"]
        self.everything_falls_back = snapshot["everything"]
        self.backward = snapshot["backward"]

    def full(self) -> Plan:
        if self._full is None:
            full = Plan(self.shapes)  # this graph: the blank nodes of the cached judges' copy
            units = {(str(u.shape), u.focus): u for u in full.units}
            checks = {(str(c.unit), c.query): c for c in full.sparql}
            for u in self.units:
                twin = units.get((str(u.shape), u.focus))
                if twin is None:
                    raise RuntimeError("the cached plan does not match the shapes")
                u.build = twin.build
            for c in self.sparql:
                twin = checks.get((str(c.unit), c.query))
                if twin is None:
                    raise RuntimeError("the cached plan does not match the shapes")
                c.member, c.helper, c.component = twin.member, twin.helper, twin.component
            self._full = full
        return self._full

    def _builder(self, unit: Unit) -> Callable:
        def build(profile):
            self.full()
            return unit.build(profile)
        return build

    def snapshot(self) -> dict:
        return {"units": [(u.shape, u.focus, dict(u.probes_for)) for u in self.units],
                "sparql": [(c.unit, c.query, c.projects_this, c.substitutions, c.edges) for c in self.sparql],
                "fallback": list(self.fallback), "everything": self.everything_falls_back,
                "backward": set(self.backward), "graphs": (self.shapes, self._judge)}

    def judge_shapes(self, fallback: frozenset) -> rdflib.Graph:
        return self._judge if not fallback else self.full().judge_shapes(fallback)

    def __getattr__(self, name):  # sg, fallback_shapes: from the compiled plan
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)


@dataclass(frozen=True)
class _PatternCheck:
    """pySHACL's sh:pattern test (Python's re.search) for a value as stored; doubtful forms are suspects."""

    pattern: str
    flags: str
    store_types: frozenset

    def __call__(self, value) -> bool:
        if isinstance(value, BlankNode):
            return True
        if isinstance(value, Literal) and not value.language and value.datatype.value != XSD_STRING:
            stable = _RDFLIB_STABLE_RE.get(value.datatype.value)
            if stable is None or value.datatype.value in self.store_types or not stable.match(value.value):
                return True
        f = (re.I if "i" in self.flags else 0) | (re.M if "m" in self.flags else 0)
        return re.search(self.pattern, value.value, f) is None


class _RangeCheck:
    """pySHACL's own comparison, on the value as stored (a comparison depends on the value only)."""

    def __init__(self, which: str, bound):
        self.which, self.bound = which, bound

    def __call__(self, value) -> bool:
        from pyshacl.rdfutil.compare import compare_literal

        if not isinstance(value, Literal):
            return True
        v = rdflib_term(value)
        if isinstance(v.value, str) != isinstance(self.bound.value, str):
            return True
        try:
            cmp = compare_literal(v, self.bound)
        except (TypeError, NotImplementedError):
            return True
        ok = {"minInclusive": cmp >= 0, "maxInclusive": cmp <= 0, "minExclusive": cmp > 0,
              "maxExclusive": cmp < 0}[self.which]
        return not ok


class _DatatypeCheck:
    """sh:datatype for a stored value that may stand for data literals of other forms: all must pass."""

    def __init__(self, datatype: str, forms: LiteralForms, predicate: str | None):
        self.datatype, self.forms, self.predicate = datatype, forms, predicate
        local = datatype[len(XSD):] if datatype.startswith(XSD) else None
        self.well = re.compile(f"(?:{WELL_TYPED[local]})\\Z") if local in WELL_TYPED else None
        self.anything = self.well is None and _rdflib_accepts_anything(datatype)

    def __call__(self, value) -> bool:
        for o in self.forms.originals_of(value, self.predicate):
            if o.datatype.value != self.datatype:
                return True
            if not (self.anything or (self.well is not None and self.well.match(o.value))):
                return True
        return False


_ACCEPTS_ANYTHING: dict[str, bool] = {}


def _rdflib_accepts_anything(dt: str) -> bool:
    """True when rdflib does not check lexical forms of this datatype and pySHACL adds no check of its own."""
    if dt not in _ACCEPTS_ANYTHING:
        checked = {XSD + n for n in ("string", "integer", "float", "decimal", "boolean", "date", "time", "dateTime")}
        import logging

        logger = logging.getLogger("rdflib.term")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            probe = rdflib.Literal("\u0000 not a value", datatype=rdflib.URIRef(dt))
            _ACCEPTS_ANYTHING[dt] = dt not in checked and not probe.ill_typed
        finally:
            logger.setLevel(level)
    return _ACCEPTS_ANYTHING[dt]


def _check_sparql(text: str) -> bool:
    """Refuse the SPARQL a join cannot bind like pre-binding does; return whether $this is projected."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        query = prepareQuery(text)
    except Exception as exc:
        raise Unsupported(f"sh:select does not parse: {exc}") from None
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        raise Unsupported("sh:select is not a SELECT query")
    if re.search(r"\bGRAPH\b|\bSERVICE\b|\bMINUS\b", _strip_strings(text), re.I):
        raise Unsupported("GRAPH, SERVICE or MINUS in sh:select")
    selects = len(re.findall(r"\bSELECT\b", _strip_strings(text), re.I))
    if selects != 1:
        raise Unsupported("a sub-query in sh:select")

    def walk(node, top=True):
        name = getattr(node, "name", None)
        if name in ("Slice",):
            raise Unsupported("LIMIT or OFFSET in sh:select")
        if name == "Group":
            grouped = node.get("expr") or []
            if not any(str(e) == "this" for e in grouped):
                raise Unsupported("aggregates not grouped by $this")
        if name == "AggregateJoin":
            group = node.get("p")
            if getattr(group, "name", None) != "Group":
                raise Unsupported("aggregates not grouped by $this")
        if hasattr(node, "items"):
            for _, child in node.items():
                walk(child, False)
        elif isinstance(node, list):
            for child in node:
                walk(child, False)

    walk(algebra)
    projected = [str(v) for v in (algebra.get("PV") or [])]
    star = re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", _strip_strings(text), re.I) is not None
    return star or "this" in projected


def _sorted_prefixes(text: str) -> str:
    """pySHACL writes the PREFIX lines in no fixed order: sort them, so that the text is the same every run."""
    lines = text.split("\n")
    head = sorted(line for line in lines if line.startswith("PREFIX "))
    return "\n".join(head + [line for line in lines if not line.startswith("PREFIX ")])


def _strip_strings(text: str) -> str:
    """The query text with string literals, IRIs and comments blanked, for keyword searches."""
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    text = re.sub(r"<[^<>\s{}|^`\"]*>", "<>", text)
    return re.sub(r"#[^\n]*", "", text)


def _bind_this(text: str, focus: str, projects_this: bool) -> str:
    """Open the WHERE clause with a sub-query binding ?this to the focus nodes; project ?this."""
    masked = _mask(text)
    select = re.search(r"\bSELECT\b", masked, re.I)
    depth, brace = 0, None
    for i in range(select.end(), len(masked)):
        c = masked[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            brace = i
            break
    if brace is None:
        raise Unsupported("no WHERE clause found")
    head, body = text[:brace + 1], text[brace + 1:]
    binding = f" {{ SELECT DISTINCT ?this WHERE {{ {RESTRICT} {focus} }} }}\n{_BGP_MARK}\n"
    if not projects_this:
        m = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", re.I).search(masked, select.start())
        head = head[:m.end()] + "?this " + head[m.end():]
    return head + binding + body


_BGP_MARK = "#cardf-bgp"


def _parse_bgp(body: str) -> list[list[str]] | None:
    """Triple patterns (subject, predicate, object tokens) of a text that holds nothing else."""
    tokens = _TRIPLE_TOKEN.findall(body.strip())
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", body):
        return None
    triples, current = [], []
    for tok in tokens:
        if tok in (".", ";", ","):
            if len(current) != 3:
                return None
            triples.append(current)
            current = [] if tok == "." else current[:1] if tok == ";" else current[:2]
        else:
            current.append(tok)
            if len(current) > 3:
                return None
    if current:
        if len(current) != 3:
            return None
        triples.append(current)
    return triples


class PredicateStats:
    """Triples and distinct objects per predicate, asked of the store when a join order needs them."""

    def __init__(self, store: Store):
        self.store = store
        self.known: dict[str, tuple[int, int]] = {}

    def fanout(self, predicate: str) -> float:
        """Triples per distinct object: how many subjects a lookup by object finds."""
        if predicate not in self.known:
            row = next(iter(self.store.query(
                f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?d) WHERE {{ ?s <{predicate}> ?o }}",
                use_default_graph_as_union=True)))
            self.known[predicate] = (int(row[0].value), max(1, int(row[1].value)))
        n, d = self.known[predicate]
        return n / d


def order_bgp(query: str, stats: PredicateStats) -> str:
    """Put the triple patterns that open the WHERE clause in an order that keeps joins small.

    Oxigraph orders a basic graph pattern by how many positions are bound, ties in text order;
    `?other cardf:footnoteNumber ?value` then comes before `?other cardf:reportedIn ?article`,
    and every source with footnote 1 meets every other. Here a pattern reached from a bound
    subject goes first, then the one whose bound object finds fewest subjects (from the data's
    statistics). The text is only reordered when it is plain triple patterns.
    """
    mark = query.find(_BGP_MARK)
    if mark < 0:
        return query
    start = mark + len(_BGP_MARK)
    masked = _mask(query)
    stop = re.search(r"[{}]|\b(FILTER|OPTIONAL|BIND|VALUES|UNION|GRAPH|SERVICE|MINUS|SELECT)\b", masked[start:], re.I)
    end = start + (stop.start() if stop else len(masked) - start)
    run = query[start:end]
    if "_:" in run or "[" in run or "(" in run:
        return query
    triples = _parse_bgp(run)
    if not triples or len(triples) < 3 or any(re.search(r"[/|*+?^!]", t[1]) or t[1][:1] in "?$" for t in triples):
        return query
    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", query, re.I))

    def iri(token: str) -> str | None:
        if token.startswith("<"):
            return token[1:-1]
        if token == "a":
            return RDF_TYPE
        prefix, colon, local = token.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else None

    def is_var(token: str) -> bool:
        return token[:1] in "?$"

    bound = {"?this", "$this"}
    order, rest = [], list(triples)
    while rest:
        best, best_cost = None, None
        for t in rest:
            s_bound = not is_var(t[0]) or t[0] in bound or t[0].replace("$", "?") in bound
            o_bound = not is_var(t[2]) or t[2] in bound or t[2].replace("$", "?") in bound
            if s_bound:
                cost = 0.0
            elif o_bound:
                p = iri(t[1])
                cost = stats.fanout(p) if p else 1e9
            else:
                cost = 1e12
            if best_cost is None or cost < best_cost:
                best, best_cost = t, cost
        order.append(best)
        rest.remove(best)
        for x in (best[0], best[2]):
            if is_var(x):
                bound.add(x)
                bound.add(x.replace("$", "?"))
    if order == triples:
        return query
    text = "\n" + " .\n".join(" ".join(t) for t in order) + " .\n"
    return query[:start] + text + query[end:]


def _nest_exists(text: str) -> str:
    """Rewrite EXISTS { a . b . c } as EXISTS { a FILTER EXISTS { b FILTER EXISTS { c } } }, from $this on.

    The same condition (a conjunction exists when each part exists given the ones before it),
    but Oxigraph plans a basic graph pattern inside EXISTS without knowing that $this is bound,
    and may start from `?q rdf:type oa:TextQuoteSelector`, every quote selector, for every focus
    node. Nested, each step starts from what is bound. Only groups of plain triple patterns are
    rewritten; anything else is left as written.
    """
    masked = _mask(text)
    opening = [m.end() - 1 for m in re.finditer(r"\bEXISTS\s*\{", masked, re.I)]
    edits = []
    for start in opening:
        depth, end = 0, None
        for i in range(start, len(masked)):
            if masked[i] == "{":
                depth += 1
            elif masked[i] == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end is None:
            continue
        nested = _nested_bgp(text[start + 1:end], masked[start + 1:end])
        if nested is not None:
            edits.append((start + 1, end, nested))
    for start, end, nested in sorted(edits, reverse=True):
        text = text[:start] + " " + nested + " " + text[end:]
    return text


_TRIPLE_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^\S+)?|<[^<>\s]*>|[;,]|\.(?=\s|$)|[^\s;,]+(?<!\.)')


def _nested_bgp(body: str, masked: str) -> str | None:
    if re.search(r"[{}()\[\]]|_:|\b(FILTER|OPTIONAL|BIND|VALUES|UNION|GRAPH|SERVICE|MINUS|SELECT|EXISTS)\b",
                 masked, re.I):
        return None
    triples = _parse_bgp(body)
    if triples is None:
        return None
    if len(triples) < 2:
        return None

    def variables(t):
        return {x[1:] for x in t if x[:1] in "?$"}

    bound = {"this"}
    order = []
    rest = list(triples)
    while rest:
        pick = next((t for t in rest if variables(t) & bound), None)
        if pick is None:
            return None
        order.append(pick)
        rest.remove(pick)
        bound |= variables(pick)
    text = " ".join(order[-1]) + " ."
    for t in reversed(order[:-1]):
        text = f"{' '.join(t)} . FILTER EXISTS {{ {text} }}"
    return text


def _mask(text: str) -> str:
    """Same length as `text`, with strings and comments replaced by spaces (positions kept)."""
    def blank(m):
        return " " * len(m.group(0))
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', blank, text)
    return re.sub(r"#[^\n]*", blank, text)


# ----------------------------------------------------------------------------- terms

def rdflib_term(term):
    """A pyoxigraph term as the rdflib term that parsing its N-Triples gives."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def ox_term(term):
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    return None


# ----------------------------------------------------------------------------- running

@dataclass
class Timings:
    probes: float = 0.0
    sparql: float = 0.0
    judge: float = 0.0
    suspects: int = 0


class FastValidator:
    """Validates the data in an Oxigraph store (the union of its graphs) against a compiled plan."""

    def __init__(self, shapes: rdflib.Graph | Plan):
        self.plan = shapes if isinstance(shapes, (Plan, LazyPlan)) else Plan(shapes)
        self.timings = Timings()

    def run(self, store: Store, originals: Originals, origins: dict | None = None, restrict: set | None = None,
            previous: list[Finding] | None = None) -> Report:
        """Validate the data in the store (the union of its graphs).

        With `restrict`, only those nodes are validated as focus nodes, and `previous` (the findings
        of an earlier run) stands for every other: after a change, `restrict` holds what `reach`
        and `core_reach` found. Raises NeedsFullRun when that cannot give the full run's findings.
        """
        import time

        plan = self.plan
        if plan.everything_falls_back:
            if restrict is not None:
                raise NeedsFullRun()
            warnings.warn(FallbackWarning("the shapes use SHACL Advanced Features (rules, custom targets or "
                                          "functions): pySHACL validates everything"), stacklevel=2)
            return self._reference(originals, origins)
        if restrict is not None and (plan.fallback or any(c.edges is None for c in plan.sparql)):
            raise NeedsFullRun()
        started = time.perf_counter()
        profile = Profile(originals.forms, originals.predicates)
        classes = Classes(store)
        only = ""
        if restrict is not None:
            only = "VALUES ?this { " + " ".join(str(n) for n in restrict if not isinstance(n, BlankNode)) + " }"

        def text(query: str) -> str:
            return classes.resolve(query).replace(RESTRICT, only)

        suspects: dict[object, set] = {}
        for unit in plan.units:
            found, candidates = set(), set()
            for probe in unit.probes(profile):
                rows = store.query(text(probe.query), use_default_graph_as_union=True)
                if probe.check is None:
                    found.update(row[0] for row in rows)
                else:
                    candidates.update(row[0] for row in rows if probe.check(row[1]))
            found |= focus_nodes_among(store, text(unit.focus), candidates - found)
            if found:
                suspects[unit.shape] = found
        self.timings.probes = time.perf_counter() - started
        started = time.perf_counter()
        stats = PredicateStats(store) if restrict is None else None
        rows_by_check = [(check, self._sparql_rows(store, check, text, stats)) for check in plan.sparql]
        self.timings.sparql = time.perf_counter() - started
        started = time.perf_counter()
        all_suspects = set().union(*suspects.values()) if suspects else set()
        fallback = {n for n, _ in plan.fallback}
        for unit in plan.units:  # a blank node cannot be found again in the tiny graph: validate such units whole
            if any(isinstance(f, BlankNode) for f in suspects.get(unit.shape, ())):
                fallback.add(unit.shape)
        fallback = frozenset(fallback)
        if restrict is not None and fallback:
            raise NeedsFullRun()
        all_suspects = {f for shape, found in suspects.items() if shape not in fallback for f in found}
        rows_by_check = [(c, rows) for c, rows in rows_by_check if rows and c.unit not in fallback]
        self.timings.suspects = len(all_suspects)
        result_foci = {f for _, rows in rows_by_check for f in rows}
        nodes = all_suspects | result_foci
        tiny = to_rdflib(originals.around(nodes, plan.inverse, self._traced(nodes, originals, origins))) \
            if nodes else rdflib.Graph()
        graphs = []
        if all_suspects:
            foci = {shape: {rdflib_term(f) for f in found} for shape, found in suspects.items() if shape not in fallback}
            graphs.append(self._judge(tiny, foci, fallback))
        sparql_results = []
        if rows_by_check:
            sparql_results = self._sparql_results(rows_by_check, tiny, originals)
        data_for_labels = tiny
        if fallback:
            full = to_rdflib(list(originals.everything()))
            graphs.append(self._fallback(full, fallback))
            data_for_labels = full
        if sparql_results:
            from pyshacl.validator import Validator

            graphs.append(Validator.create_validation_report(plan.sg, not sparql_results, sparql_results)[0])
        report_graph = merge_reports(graphs)
        findings = findings_from(report_graph, data_for_labels, plan.shapes, origins or {}) if graphs else []
        self.timings.judge = time.perf_counter() - started
        if restrict is not None:
            again = {n.value for n in restrict if not isinstance(n, BlankNode)}
            findings = [f for f in previous or () if f.focus not in again] + findings
            report_graph = None  # only part of the results would be in it
        conforms = not any(f.severity == "Violation" for f in findings)
        if report_graph is not None:
            report_graph.set((next(report_graph.subjects(rdflib.RDF.type, SH.ValidationReport)), SH.conforms,
                              rdflib.Literal(conforms)))
        return Report(conforms, sorted(findings, key=Finding.key), report_graph)

    def affected(self, store: Store, delta: list[Triple]) -> set | None:
        """The focus nodes to validate again after the triples in `delta` were added or removed (None: all)."""
        if self.plan.fallback or self.plan.everything_falls_back:
            return None
        found = core_reach(store, delta, self.plan.backward)
        for check in self.plan.sparql:
            if check.edges is None:
                return None
            reached = reach(store, check.edges, delta)
            if reached is None:
                return None
            found |= reached
        return found

    # the parts --------------------------------------------------------------------------------------

    @staticmethod
    def _traced(nodes: set, originals: Originals, origins) -> set:
        """The nodes whose incoming triples the report follows back to a YAML origin (validate._Tracer):
        those without an origin of their own, and their referrers without one."""
        from .validate import _Tracer

        traced: set = set()
        if not origins:
            return traced
        frontier = {n for n in nodes if isinstance(n, NamedNode) and origins.get(n.value) is None}
        for hop in range(_Tracer.HOPS):
            traced |= frontier
            if hop + 1 == _Tracer.HOPS or not frontier:
                break
            frontier = {r for r in originals.referrers(frontier) if isinstance(r, NamedNode)
                        and origins.get(r.value) is None} - traced
        return traced

    def _judge(self, tiny: rdflib.Graph, foci: dict, fallback: frozenset) -> rdflib.Graph:
        """pySHACL's verdict on the suspects, each validated by its own shape within the triples around it.

        pySHACL runs exactly as in the reference, except that a shape with targets is handed its
        suspects as focus nodes instead of finding its targets (the suspects are some of them).
        """
        import pyshacl

        with _only_foci(foci):
            _, graph, _ = pyshacl.validate(tiny, shacl_graph=self.plan.judge_shapes(fallback), **PYSHACL_OPTIONS)
        return graph

    def _fallback(self, full: rdflib.Graph, fallback: frozenset) -> rdflib.Graph:
        import pyshacl

        _, graph, _ = pyshacl.validate(full, shacl_graph=self.plan.fallback_shapes(fallback), **PYSHACL_OPTIONS)
        return graph

    def _reference(self, originals: Originals, origins) -> Report:
        import pyshacl

        data = to_rdflib(list(originals.everything()))
        _, graph, _ = pyshacl.validate(data, shacl_graph=self.plan.shapes, **PYSHACL_OPTIONS)
        findings = findings_from(graph, data, self.plan.shapes, origins or {})
        conforms = not any(f.severity == "Violation" for f in findings)
        return Report(conforms, sorted(findings, key=Finding.key), graph)

    @staticmethod
    def _sparql_rows(store: Store, check: SparqlCheck, text: Callable, stats: PredicateStats | None) -> dict:
        """Solutions of a SHACL-SPARQL constraint, grouped by focus node, as pySHACL collects them."""
        query = text(check.query)
        if stats is not None:
            query = order_bgp(query, stats)
        solutions = store.query(query, use_default_graph_as_union=True, substitutions=check.substitutions)
        names = [v.value for v in solutions.variables]
        by_focus: dict = {}
        for row in solutions:
            bound = {name: row[i] for i, name in enumerate(names) if row[i] is not None}
            this = bound.get("this")
            if this is None:
                continue
            if not check.projects_this:
                del bound["this"]
            by_focus.setdefault(this, []).append(bound)
        return by_focus

    def _sparql_results(self, rows_by_check, tiny: rdflib.Graph, originals: Originals) -> list:
        """pySHACL's result triples for SHACL-SPARQL solutions, through its own SPARQLBasedConstraint."""
        from pyshacl.graph_abstraction import DataGraph

        datagraph = DataGraph.from_rdflib(tiny)
        results = []
        for check, by_focus in rows_by_check:
            if check.component is None:
                self.plan.full()
            component, helper = check.component, check.helper
            extra = helper.messages or None
            kwargs = {"source_constraint": helper.node, "extra_messages": extra}
            for focus, rows in by_focus.items():
                f = rdflib_term(focus)
                near = [t.object for t in originals.around({focus}, frozenset()) if isinstance(t.object, Literal)] \
                    if originals.forms.unfaithful else ()
                violations = []
                seen_failure = False
                for bound in rows:
                    var_dict = {k: self._restore(v, originals, near) for k, v in bound.items()}
                    if "failure" in var_dict:
                        var_dict.pop("failure")
                        if seen_failure:
                            continue
                        violations.append((True, var_dict))
                        seen_failure = True
                        continue
                    p = var_dict.pop("path", None)
                    v = var_dict.pop("value", None)
                    t = var_dict.pop("this", None)
                    if p is None and v is None and t is None:
                        continue
                    if (t, p, v, var_dict) in violations:
                        continue
                    violations.append((t, p, v, var_dict))
                result_val = None if check.member.is_property_shape else f
                for item in violations:
                    if item[0] is True:
                        results.append(component.make_v_result(datagraph, f, value_node=result_val,
                                                               bound_vars=item[1], **kwargs))
                        continue
                    t, p, v, var_dict = item
                    if v is None:
                        v = result_val
                    results.append(component.make_v_result(datagraph, t or f, value_node=v, result_path=p,
                                                           bound_vars=(t, p, v, var_dict), **kwargs))
        return results

    @staticmethod
    def _restore(term, originals: Originals, near):
        if isinstance(term, Literal):
            term = originals.forms.original(term, near)
        return rdflib_term(term)


class _only_foci:
    """Within the block, pySHACL's shapes find as focus nodes only the suspects they are given.

    (pySHACL's own `focus_nodes` option does not do: it also filters the value nodes that sh:or
    and sh:node hand to their member shapes, which then pass unchecked.)
    """

    def __init__(self, foci: dict):
        self.foci = foci

    def __enter__(self):
        from pyshacl.shape import Shape

        foci = self.foci
        self.original = Shape.focus_nodes

        def focus_nodes(shape, data_graph, debug=False):
            return set(foci.get(shape.node, ()))

        Shape.focus_nodes = focus_nodes
        return self

    def __exit__(self, *exc):
        from pyshacl.shape import Shape

        Shape.focus_nodes = self.original


def merge_reports(graphs: list[rdflib.Graph]) -> rdflib.Graph:
    """One validation report holding the results of several."""
    merged = rdflib.Graph(bind_namespaces="core")
    merged.bind("sh", SH)
    report = rdflib.BNode()
    merged.add((report, rdflib.RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, rdflib.Literal(True)))
    for g in graphs:
        for prefix, ns in g.namespaces():
            merged.bind(prefix, ns, override=False)
        reports = set(g.subjects(rdflib.RDF.type, SH.ValidationReport))
        for s, p, o in g:
            if s in reports:
                if p == SH.result:
                    merged.add((report, SH.result, o))
                continue
            merged.add((s, p, o))
    return merged


# ----------------------------------------------------------------------------- entry points

_PLANS: dict[int, tuple[rdflib.Graph, Plan]] = {}


def plan_for(shapes: rdflib.Graph) -> Plan:
    """The compiled plan of a shapes graph, compiled once per graph object."""
    cached = _PLANS.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        cached = (shapes, Plan(shapes))
        _PLANS[id(shapes)] = cached
    return cached[1]


def validate(data: list[Triple], shapes: rdflib.Graph, ontology: list[Triple] | None = None,
             origins: dict | None = None, inference: str = "none") -> Report:
    """Same contract as `validate.validate`, with the same findings, computed on Oxigraph.

    With inference other than "none" the shapes would see entailed triples that the store does
    not hold, so pySHACL does the work then.
    """
    if inference != "none":
        from .validate import validate as reference

        return reference(data, shapes, ontology, origins, inference)
    triples = list(data) + list(ontology or [])
    store = Store()
    graph = DefaultGraph()
    store.bulk_extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return FastValidator(plan_for(shapes)).run(store, TripleOriginals(triples), origins)


# ----------------------------------------------------------------------------- after a change: what to look at again

def sparql_edges(text: str) -> list | None:
    """The triple patterns of a SPARQL query as edges (end, alternatives, end) of an undirected graph.

    An end is ("v", name) or ("c", SPARQL term); alternatives is "any" (a variable predicate) or a
    tuple of (IRI, inverse, repeated). Variables local to an EXISTS block are renamed apart. None for
    a query this cannot describe (sub-queries, MINUS, GRAPH, SERVICE, VALUES).
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(text)
    except Exception:
        return None
    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", text, re.I))
    edges: list = []
    fresh = [0]

    def term(x, rename):
        if isinstance(x, rdflib.Variable):
            return ("v", rename.get(str(x), str(x)))
        if isinstance(x, CompValue) and x.name == "pname":
            return ("c", f"<{prefixes[x.prefix] + (x.localname or '')}>")
        if isinstance(x, rdflib.URIRef):
            return ("c", f"<{x}>")
        if isinstance(x, rdflib.Literal):
            return ("c", sparql_term(x))
        raise Unsupported("a blank node or collection in a pattern")

    def iri(x) -> str:
        if isinstance(x, CompValue) and x.name == "pname":
            return prefixes[x.prefix] + (x.localname or "")
        if isinstance(x, rdflib.URIRef):
            return str(x)
        raise Unsupported("a path step that is not an IRI")

    def path_edges(a, p, b):
        """Edges for a predicate or property path from a to b."""
        if isinstance(p, rdflib.Variable):
            edges.append((a, "any", b))
            return
        if isinstance(p, (rdflib.URIRef,)) or (isinstance(p, CompValue) and p.name == "pname"):
            edges.append((a, ((iri(p), False, False),), b))
            return
        if p.name == "PathAlternative":
            if all(len(seq.part) == 1 and _simple_elt(seq.part[0]) for seq in p.part):
                edges.append((a, tuple(_path_elt(seq.part[0], iri) for seq in p.part), b))
                return
            for seq in p.part:  # like a UNION: each alternative's chain of edges (a superset is safe)
                ends = [a] + [("v", f"_seq{fresh[0]}_{i}") for i in range(len(seq.part) - 1)] + [b]
                fresh[0] += 1
                for i, elt in enumerate(seq.part):
                    if _simple_elt(elt):
                        edges.append((ends[i], (_path_elt(elt, iri),), ends[i + 1]))
                    elif elt.name == "PathElt" and "mod" not in elt and \
                            getattr(elt.part, "name", None) == "PathAlternative":
                        path_edges(ends[i], elt.part, ends[i + 1])  # a group: (p|q/r)
                    else:
                        raise Unsupported("a repeated or inverse group in a path")
            return
        raise Unsupported(f"path {p.name}")

    def triples_of(block, rename):
        for flat in block.triples:
            for i in range(0, len(flat), 3):
                s, p, o = flat[i:i + 3]
                path_edges(term(s, rename), p, term(o, rename))

    def names(group) -> set:
        """Variables of a group's patterns and BINDs, inner groups included, EXISTS blocks excluded."""
        found = set()
        for part in group.part:
            if part.name == "TriplesBlock":
                for flat in part.triples:
                    found |= {str(x) for x in flat if isinstance(x, rdflib.Variable)}
            elif part.name == "OptionalGraphPattern":
                found |= names(part.graph)
            elif part.name == "GroupOrUnionGraphPattern":
                for g in part.graph:
                    found |= names(g)
            elif part.name == "Bind":
                found.add(str(part.var))
        return found

    def group(g, rename, outer):
        here = outer | {rename.get(n, n) for n in names(g)}
        for part in g.part:
            name = part.name
            if name == "TriplesBlock":
                triples_of(part, rename)
            elif name == "OptionalGraphPattern":
                group(part.graph, rename, here)
            elif name == "GroupOrUnionGraphPattern":
                for sub in part.graph:
                    group(sub, rename, here)
            elif name in ("Filter", "Bind"):
                expression(part.expr, rename, here)
            else:
                raise Unsupported(f"{name} in sh:select")

    def expression(e, rename, here):
        if isinstance(e, CompValue):
            if e.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                local = {n for n in names(e.graph) if rename.get(n, n) not in here}
                inner = dict(rename)
                for n in local:
                    inner[n] = f"{n}_x{fresh[0]}"
                fresh[0] += 1
                group(e.graph, inner, here)
                return
            for value in e.values():
                expression(value, rename, here)
        elif isinstance(e, (list, tuple)) or type(e).__name__ == "ParseResults":
            for value in e:
                expression(value, rename, here)

    try:
        where = tree[1].where
        group(where, {}, set())
    except (Unsupported, KeyError, AttributeError, TypeError):
        return None
    return edges


def _simple_elt(elt) -> bool:
    """A path element that is one IRI, maybe inverse (^p), maybe repeated (p*, p+, p?)."""
    if elt.name == "PathEltOrInverse":
        elt = elt.part
    part = getattr(elt, "part", None)
    return getattr(elt, "name", None) == "PathElt" and getattr(part, "name", None) not in ("PathAlternative",
                                                                                          "PathNegatedPropertySet")


def _path_elt(elt, iri):
    inverse = elt.name == "PathEltOrInverse"
    if inverse:
        elt = elt.part
    if getattr(elt, "name", None) != "PathElt":
        raise Unsupported("a path element")
    part = elt.part
    if getattr(part, "name", None) == "PathAlternative":
        raise Unsupported("a nested path")
    if getattr(part, "name", None) == "PathNegatedPropertySet":
        raise Unsupported("a negated property set")
    return (iri(part), inverse, "mod" in elt)


def reach(store: Store, edges: list, delta: list[Triple], limit: int = 200_000) -> set | None:
    """Nodes that may stand for $this in a match of `edges` that uses a triple of `delta`.

    A match of a query is connected: from any triple it uses there is a chain of its patterns
    back to $this, each matched by a triple of the data. This follows such chains backwards from
    the changed triples through the store, pattern by pattern, never using a pattern twice in one
    chain; what it finds at $this is a superset of the focus nodes whose result can have changed.
    None when the search grows past `limit` states (then everything is checked again).
    """
    touching: dict[str, list[int]] = {}
    for i, (a, _, b) in enumerate(edges):
        for end in (a, b):
            if end[0] == "v":
                touching.setdefault(end[1], []).append(i)
    found: set = set()
    seen: set = set()
    pending: dict[tuple, set] = {}  # (variable, used edges) → nodes

    def add(node, var, mask):
        if isinstance(node, BlankNode):
            return
        key = (node, var, mask)
        if key in seen:
            return
        seen.add(key)
        if var == "this":
            found.add(node)
        pending.setdefault((var, mask), set()).add(node)

    def matches(spec, predicate: str):
        if spec == "any":
            return [(False, False)]
        return [(inverse, repeated) for p, inverse, repeated in spec if p == predicate]

    for i, (a, spec, b) in enumerate(edges):
        bit = 1 << i
        for t in delta:
            for inverse, repeated in matches(spec, t.predicate.value):
                start, end = (t.object, t.subject) if inverse else (t.subject, t.object)
                ends = [(a, start, True), (b, end, False)]
                for (kind, name), node, backward in ends:
                    if kind != "v":
                        continue
                    nodes = {node}
                    if repeated:  # the changed triple may be a link inside a chain of this path
                        nodes |= _step(store, {node}, spec, backward)
                    for n in nodes:
                        add(n, name, bit)
    while pending:
        (var, mask), nodes = pending.popitem()
        for i in touching.get(var, ()):
            bit = 1 << i
            if mask & bit:
                continue
            a, spec, b = edges[i]
            if a == ("v", var) and b[0] == "v":
                for m in _step(store, nodes, spec, False):
                    add(m, b[1], mask | bit)
            if b == ("v", var) and a[0] == "v":
                for m in _step(store, nodes, spec, True):
                    add(m, a[1], mask | bit)
        if len(seen) > limit:
            return None
    return found


def _step(store: Store, nodes: set, spec, backward: bool) -> set:
    """Nodes one edge away (along `spec`, from the a end to the b end, or back)."""
    out = set()
    if spec == "any":
        pattern = "?m ?cardf_p ?n" if backward else "?n ?cardf_p ?m"
    else:
        steps = "|".join(("^" if inverse else "") + f"<{p}>" for p, inverse, _ in spec)
        if any(repeated for _, _, repeated in spec):
            steps = f"({steps})*"
        pattern = f"?m {steps} ?n" if backward else f"?n {steps} ?m"
    named = [n for n in nodes if not isinstance(n, BlankNode)]
    for i in range(0, len(named), 2000):
        values = " ".join(str(n) for n in named[i:i + 2000])
        for row in store.query(f"SELECT DISTINCT ?m WHERE {{ VALUES ?n {{ {values} }} {pattern} }}",
                               use_default_graph_as_union=True):
            out.add(row[0])
    return out


def core_reach(store: Store, delta: list[Triple], backward: set[str]) -> set:
    """Focus nodes whose core constraints can see a change.

    The subject of a changed triple; its object when the shapes look at the predicate backwards
    (`backward`: inverse paths, sh:targetObjectsOf); and, around a node whose types changed, the
    nodes that point at it (sh:class looks at a value's types) and, backwards, those it points at.
    """
    found = set()
    retyped = set()
    for t in delta:
        found.add(t.subject)
        if t.predicate.value in backward:
            found.add(t.object)
        if t.predicate.value == RDF_TYPE:
            retyped.add(t.subject)
    if retyped:
        found |= _step(store, retyped, "any", True)
        if backward:
            spec = tuple((p, False, False) for p in sorted(backward))
            found |= _step(store, retyped, spec, False)
    return {n for n in found if not isinstance(n, BlankNode)}
