"""The shapes compiled: per shape, SPARQL probes that find suspect focus nodes, and SHACL-SPARQL checks.

Supported subset (anything else falls back to pySHACL for that shape, with a warning):
targets sh:targetClass (with rdfs:subClassOf*), sh:targetNode, sh:targetSubjectsOf,
sh:targetObjectsOf; paths that are an IRI or [ sh:inversePath IRI ]; sh:minCount
sh:maxCount sh:datatype sh:class sh:nodeKind sh:in sh:hasValue sh:pattern (+sh:flags)
sh:minInclusive sh:maxInclusive sh:minExclusive sh:maxExclusive sh:minLength sh:maxLength
sh:languageIn sh:uniqueLang sh:closed (+sh:ignoredProperties), sh:or of shapes with such
value constraints, sh:property one level deep, sh:sparql SELECT constraints without
MINUS, sub-queries, LIMIT/OFFSET, GRAPH or SERVICE, and with aggregates only when grouped
by `$this`; sh:severity, sh:message, sh:deactivated. Inference other than "none" is not
supported: the validator then runs pySHACL.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import NamedNode, Variable

from ..iris import RDFS, XSD
from .checks import DatatypeCheck, PatternCheck, RangeCheck
from .literals import (
    CANONICAL_SAFE,
    DATE,
    LANG_STRING,
    RDFLIB_STABLE,
    WELL_TYPED,
    XSD_STRING,
    LiteralForms,
    rdflib_accepts_anything,
)
from .reach import sparql_edges
from .report import SH
from .sparql import (
    RDF_TYPE,
    RESTRICT,
    Unsupported,
    bind_this,
    check_select,
    escape,
    nest_exists,
    parse_select,
    sorted_prefixes,
    sparql_term,
    translate_pattern,
)

SHNS = str(SH)


class FallbackWarning(UserWarning):
    """A shape outside the compiled subset: pySHACL validates it over the whole graph (correct, slower)."""


def inverse_predicates(shapes: rdflib.Graph) -> frozenset | None:
    """The predicates that the shapes follow backwards (sh:inversePath); None if a path is not an IRI."""
    found = set()
    for o in shapes.objects(None, SH.inversePath):
        if not isinstance(o, rdflib.URIRef):
            return None
        found.add(str(o))
    return frozenset(found)


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




_VALUE_PARAMS = {"datatype", "class", "nodeKind", "in", "pattern", "flags", "minLength", "maxLength", "languageIn",
                 "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "or"}
_OTHER_PARAMS = {"minCount", "maxCount", "hasValue", "uniqueLang", "closed", "ignoredProperties", "sparql", "property"}
_NUMERIC = ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
            "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")



class Plan:
    """The shapes graph compiled: suspect queries per unit, SHACL-SPARQL checks, and shapes left to pySHACL."""

    def __init__(self, shapes: rdflib.Graph, parsed: dict | None = None):
        """`parsed`: what an earlier compile of these shapes read from each sh:select (see `parsed`)."""
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
        from pyshacl.shapes_graph import ShapesGraph

        self.shapes = shapes
        # sh:select text → (projects $this, edges): the two things parsing it tells, kept so that a
        # plan restored from a cache compiles again without parsing (rdflib's parser is most of the cost)
        self.parsed: dict[str, tuple[bool, list | None]] = dict(parsed or {})
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
                    checks.append(("true", PatternCheck(str(p), flags, frozenset(forms.store_types))))
                else:
                    f = "i" if "i" in flags else ""
                    bad.append(f"isBlank({v}) || {typed_suspect} || "
                               f"!REGEX(STR({v}), \"{escape(translated)}\", \"{f}\")")
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
                listed = ", ".join(f'"{escape(x)}"' for x in langs) or '""'
                bad.append(f"!isLiteral({v}) || LANG({v}) = \"\" || !(LCASE(LANG({v})) IN ({listed}) || "
                           f"LCASE(STRBEFORE(CONCAT(LANG({v}), \"-\"), \"-\")) IN ({listed}))")
        for param, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<="), (SH.minExclusive, ">"),
                          (SH.maxExclusive, "<")):
            for bound in g.objects(node, param):
                expr = self._range_ok(bound, op, v)
                if expr is None:
                    checks.append(("true", RangeCheck(str(param)[len(SHNS):], bound)))
                else:
                    bad.append(f"!({expr})")
        for lst in g.objects(node, SH["or"]):
            bad.append(self._or_bad(lst, v, profile))
        return bad, checks

    @staticmethod
    def _typed_suspect(v: str, forms: LiteralForms) -> str:
        """True for a typed literal whose rdflib string form may differ from the stored lexical form."""
        stable = " || ".join(f"(DATATYPE({v}) = <{d}> && REGEX(STR({v}), \"^(?:{escape(RDFLIB_STABLE[d])})$\", \"s\"))"
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
            ok = f"isLiteral({v}) && DATATYPE({v}) = <{dt}> && REGEX(STR({v}), \"^(?:{escape(WELL_TYPED[local])})$\")"
        elif rdflib_accepts_anything(dt):
            ok = f"isLiteral({v}) && DATATYPE({v}) = <{dt}>"
        else:
            ok = "false"
        if not doubtful:
            return f"!({ok})", None
        listed = ", ".join(f"<{d}>" for d in sorted(doubtful))
        narrow = f"isLiteral({v}) && DATATYPE({v}) IN ({listed})"
        return f"!({ok}) && !({narrow})", (narrow, DatatypeCheck(dt, forms, predicate))

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
            well = " || ".join(f"(DATATYPE({v}) = <{XSD}{n}> && REGEX(STR({v}), \"^(?:{escape(WELL_TYPED[n])})$\"))"
                               for n in _NUMERIC)
            return f"isLiteral({v}) && ({well}) && {v} {op} \"{bound}\"^^<{bt}>"
        if local == "date" and re.fullmatch(DATE, str(bound)):
            return (f"isLiteral({v}) && DATATYPE({v}) = <{bt}> && REGEX(STR({v}), \"^{escape(DATE)}$\") && "
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
            text = sorted_prefixes(helper.apply_prefixes(text))
            if text not in self.parsed:
                tree = parse_select(text)
                edges = sparql_edges(text, tree)  # before check_select, which translates the tree in place
                self.parsed[text] = (check_select(text, tree), edges)
            projects_this, edges = self.parsed[text]
            query = bind_this(nest_exists(text), focus, projects_this)
            subs = {}
            if re.search(r"[\$\?]currentShape\b", text):
                if not isinstance(member.node, rdflib.URIRef):
                    raise Unsupported("$currentShape of a blank node shape")
                subs[Variable("currentShape")] = NamedNode(str(member.node))
            checks.append(SparqlCheck(unit_shape.node, member, helper, component, query, projects_this, subs,
                                      edges))
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


    def full(self) -> "Plan":
        return self

    def snapshot(self) -> dict:
        """What a later run needs to query, without pySHACL: picklable, for a cache keyed by the shapes.

        The shapes graph and the judges' copy of it travel along (their blank nodes must stay
        the ones the results name), so that judging suspects needs no compiling either.
        """
        return {"units": [(u.shape, u.focus, dict(u.probes_for)) for u in self.units],
                "sparql": [(c.unit, c.query, c.projects_this, c.substitutions, c.edges) for c in self.sparql],
                "fallback": list(self.fallback), "everything": self.everything_falls_back,
                "backward": set(self.backward), "graphs": (self.shapes, self.judge_shapes(frozenset())),
                "parsed": dict(self.parsed)}
