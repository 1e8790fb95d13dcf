"""The few value checks done in Python, for values whose verdict SPARQL cannot give as rdflib would."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal

from .literals import RDFLIB_STABLE_RE, WELL_TYPED, XSD, XSD_STRING, LiteralForms, rdflib_accepts_anything, rdflib_term


@dataclass(frozen=True)
class PatternCheck:
    """pySHACL's sh:pattern test (Python's re.search) for a value as stored; doubtful forms are suspects."""

    pattern: str
    flags: str
    store_types: frozenset

    def __call__(self, value) -> bool:
        if isinstance(value, BlankNode):
            return True
        if isinstance(value, Literal) and not value.language and value.datatype.value != XSD_STRING:
            stable = RDFLIB_STABLE_RE.get(value.datatype.value)
            if stable is None or value.datatype.value in self.store_types or not stable.match(value.value):
                return True
        f = (re.I if "i" in self.flags else 0) | (re.M if "m" in self.flags else 0)
        return re.search(self.pattern, value.value, f) is None


class RangeCheck:
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


class DatatypeCheck:
    """sh:datatype for a stored value that may stand for data literals of other forms: all must pass."""

    def __init__(self, datatype: str, forms: LiteralForms, predicate: str | None):
        self.datatype, self.forms, self.predicate = datatype, forms, predicate
        local = datatype[len(XSD):] if datatype.startswith(XSD) else None
        self.well = re.compile(f"(?:{WELL_TYPED[local]})\\Z") if local in WELL_TYPED else None
        self.anything = self.well is None and rdflib_accepts_anything(datatype)

    def __call__(self, value) -> bool:
        for o in self.forms.originals_of(value, self.predicate):
            if o.datatype.value != self.datatype:
                return True
            if not (self.anything or (self.well is not None and self.well.match(o.value))):
                return True
        return False
