"""Literal forms: which lexical forms rdflib accepts, and which Oxigraph stores differently.

Oxigraph keeps typed literals in canonical form ("4100000000.0"^^xsd:decimal is stored as
"4100000000"), where rdflib keeps the lexical form as written. The suspect queries allow for
that, and literals read back from the store are mapped to the form the data has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

from ..iris import RDF, XSD

XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"

# Lexical forms that rdflib accepts for a datatype (a subset: a value outside it is a suspect).
_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
DATE = r"[12][0-9]{3}-" + _DAY
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
    "boolean": r"true|false|1|0", "date": DATE, "time": _TIME, "dateTime": DATE + "T" + _TIME,
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
RDFLIB_STABLE_RE = {k: re.compile(f"(?:{v})\\Z", re.S) for k, v in RDFLIB_STABLE.items()}
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
CANONICAL_RE = {XSD + k: re.compile(f"(?:{v})\\Z") for k, v in _CANONICAL.items()}
NEVER_CANONICALIZED = {XSD_STRING, LANG_STRING, XSD + "anyURI", XSD + "normalizedString", XSD + "token",
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
        integer = CANONICAL_RE[XSD_INTEGER]
        for predicate, lit in pairs:
            dt = lit.datatype.value
            if dt in NEVER_CANONICALIZED or lit.language:
                continue
            if dt in DERIVED_INTEGERS:
                if integer.match(lit.value) and re.fullmatch(WELL_TYPED[dt[len(XSD):]], lit.value):
                    forms._record((predicate, lit.value, XSD_INTEGER), lit)
                else:
                    doubtful[(predicate, lit)] = None
                continue
            pattern = CANONICAL_RE.get(dt)
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


def rdflib_term(term):
    """A pyoxigraph term as the rdflib term that parsing its N-Triples gives."""
    import rdflib  # here: the forms themselves (a build's cache holds them) need no rdflib

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
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    return None


_ACCEPTS_ANYTHING: dict[str, bool] = {}


def rdflib_accepts_anything(dt: str) -> bool:
    """True when rdflib does not check lexical forms of this datatype and pySHACL adds no check of its own."""
    if dt not in _ACCEPTS_ANYTHING:
        checked = {XSD + n for n in ("string", "integer", "float", "decimal", "boolean", "date", "time", "dateTime")}
        import logging

        import rdflib

        logger = logging.getLogger("rdflib.term")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            probe = rdflib.Literal("\u0000 not a value", datatype=rdflib.URIRef(dt))
            _ACCEPTS_ANYTHING[dt] = dt not in checked and not probe.ill_typed
        finally:
            logger.setLevel(level)
    return _ACCEPTS_ANYTHING[dt]
