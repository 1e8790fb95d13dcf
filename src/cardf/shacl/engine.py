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
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, Store, Triple, Variable

from .cached import LazyPlan
from .compile import FallbackWarning, Plan, Profile, SparqlCheck
from .judge import judge, merge_reports, results_report, whole
from .judge import sparql_results as judged_sparql
from .literals import rdflib_term
from .originals import SUBCLASS, Originals, TripleOriginals
from .reach import core_reach, reach
from .reference import to_rdflib
from .report import HOPS, Finding, Report, findings_from, settle_conforms
from .sparql import RDF_TYPE, RESTRICT, PredicateStats, order_bgp


class NeedsFullRun(Exception):
    """A validation limited to some focus nodes would not give the full run's findings."""


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
            return _reference(plan.shapes, originals, origins)
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
            foci = {shape: {rdflib_term(f) for f in found}
                    for shape, found in suspects.items() if shape not in fallback}
            graphs.append(judge(tiny, plan.judge_shapes(fallback), foci))
        sparql_found = []
        if rows_by_check:
            sparql_found = judged_sparql(rows_by_check, tiny, originals, plan.full)
        data_for_labels = tiny
        if fallback:
            full = to_rdflib(list(originals.everything()))
            graphs.append(whole(full, plan.fallback_shapes(fallback)))
            data_for_labels = full
        if sparql_found:
            graphs.append(results_report(plan.sg, sparql_found))
        report_graph = merge_reports(graphs)
        findings = findings_from(report_graph, data_for_labels, plan.shapes, origins or {}) if graphs else []
        self.timings.judge = time.perf_counter() - started
        if restrict is not None:
            again = {n.value for n in restrict if not isinstance(n, BlankNode)}
            findings = [f for f in previous or () if f.focus not in again] + findings
            report_graph = None  # only part of the results would be in it
        conforms = not any(f.severity == "Violation" for f in findings)
        if report_graph is not None:
            settle_conforms(report_graph)
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
        """The nodes whose incoming triples the report follows back to a YAML origin (report.Tracer):
        those without an origin of their own, and their referrers without one."""
        traced: set = set()
        if not origins:
            return traced
        frontier = {n for n in nodes if isinstance(n, NamedNode) and origins.get(n.value) is None}
        for hop in range(HOPS):
            traced |= frontier
            if hop + 1 == HOPS or not frontier:
                break
            frontier = {r for r in originals.referrers(frontier) if isinstance(r, NamedNode)
                        and origins.get(r.value) is None} - traced
        return traced

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

def _reference(shapes: rdflib.Graph, originals: Originals, origins) -> Report:
    data = to_rdflib(list(originals.everything()))
    graph = settle_conforms(whole(data, shapes))
    findings = findings_from(graph, data, shapes, origins or {})
    conforms = not any(f.severity == "Violation" for f in findings)
    return Report(conforms, sorted(findings, key=Finding.key), graph)


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
        from .reference import validate as reference

        return reference(data, shapes, ontology, origins, inference)
    triples = list(data) + list(ontology or [])
    store = Store()
    graph = DefaultGraph()
    store.bulk_extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return FastValidator(plan_for(shapes)).run(store, TripleOriginals(triples), origins)
