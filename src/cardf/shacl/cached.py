"""The compiled shapes restored from the build's cache: the queries at hand, pySHACL's objects only when needed.

Compiling the shapes takes about a second (pySHACL reads every SHACL-SPARQL query); a build
keeps the compiled plan in `out/.cache/plan.pickle` (see build.previous) and restores it here.
"""

from __future__ import annotations

from collections.abc import Callable

import rdflib

from .compile import Plan, SparqlCheck, Unit, inverse_predicates


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
