"""pySHACL's verdict on the suspects: its own code gives each result, its message and every field.

The engine finds suspects with SPARQL; here pySHACL judges them on the few triples around
them, so that a finding is exactly what a full pySHACL run would report. This is the one
module that calls into pySHACL's internals (`Shape.focus_nodes`, `SPARQLBasedConstraint`,
`Validator.create_validation_report`, `DataGraph`); pyproject.toml pins pySHACL exactly, and
tests/test_shacl_judge.py fails loudly when a new release changes what is used here.
"""

from __future__ import annotations

import rdflib
from pyoxigraph import Literal

from .literals import rdflib_term
from .originals import Originals
from .report import SH

# Options of the reference run (reference.validate); the suspects are judged with the same ones.
PYSHACL_OPTIONS = dict(inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
                       meta_shacl=False, iterate_rules=False)


class only_foci:
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


def judge(tiny: rdflib.Graph, shapes: rdflib.Graph, foci: dict) -> rdflib.Graph:
    """pySHACL's verdict on the suspects, each validated by its own shape within the triples around it.

    pySHACL runs exactly as in the reference, except that a shape with targets is handed its
    suspects as focus nodes instead of finding its targets (the suspects are some of them).
    """
    import pyshacl

    with only_foci(foci):
        _, graph, _ = pyshacl.validate(tiny, shacl_graph=shapes, **PYSHACL_OPTIONS)
    return graph


def whole(data: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    """pySHACL over all of the data: for shapes outside the compiled subset."""
    import pyshacl

    _, graph, _ = pyshacl.validate(data, shacl_graph=shapes, **PYSHACL_OPTIONS)
    return graph


def sparql_results(rows_by_check, tiny: rdflib.Graph, originals: Originals, full_plan) -> list:
    """pySHACL's result triples for SHACL-SPARQL solutions, through its own SPARQLBasedConstraint.

    `full_plan` compiles pySHACL's objects for the checks when the plan came from the cache.
    """
    from pyshacl.graph_abstraction import DataGraph

    datagraph = DataGraph.from_rdflib(tiny)
    results = []
    for check, by_focus in rows_by_check:
        if check.component is None:
            full_plan()
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
                var_dict = {k: _restore(v, originals, near) for k, v in bound.items()}
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


def results_report(shapes_graph, results: list) -> rdflib.Graph:
    """A validation report graph holding SHACL-SPARQL results, made by pySHACL's own report writer."""
    from pyshacl.validator import Validator

    return Validator.create_validation_report(shapes_graph, not results, results)[0]


def _restore(term, originals: Originals, near):
    if isinstance(term, Literal):
        term = originals.forms.original(term, near)
    return rdflib_term(term)


def merge_reports(graphs: list[rdflib.Graph]) -> rdflib.Graph:
    """One validation report holding the results of several."""
    merged = rdflib.Graph(bind_namespaces="core")
    merged.bind("sh", SH)
    report = rdflib.BNode()
    merged.add((report, rdflib.RDF.type, SH.ValidationReport))
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
    merged.add((report, SH.conforms, rdflib.Literal(merged.value(report, SH.result) is None)))
    return merged
