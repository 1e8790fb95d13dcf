"""pySHACL itself, with the options cardf always uses: the reference the fast engine agrees with."""

from __future__ import annotations

from pathlib import Path

import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

from ..errors import InputError, Problem
from ..sources import Origin
from .report import SH, Finding, Report, findings_from, settle_conforms


def to_rdflib(triples: list[Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    if triples:
        graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def load_shapes(shapes: list[Path]) -> rdflib.Graph:
    from ..rdfio import read_quads

    triples = []
    for path in shapes:
        triples += [Triple(q.subject, q.predicate, q.object) for q in read_quads(path)]
    if not triples:
        raise InputError(problems=[Problem("no shapes found", shapes[0] if shapes else None)])
    return to_rdflib(triples)


def validate(data: list[Triple], shapes: rdflib.Graph, ontology: list[Triple] | None = None,
             origins: dict[str, Origin] | None = None, inference: str = "none") -> Report:
    """Validate `data` (+ `ontology`, visible to the shapes but never a focus of its own) against `shapes`.

    With inference, the triples the ontology's alignments entail use external vocabularies,
    which closed shapes would reject; closedness is a property of the data as written, so it
    is checked only without inference.
    """
    return validate_graph(to_rdflib(list(data) + list(ontology or [])), shapes, origins, inference)


def validate_graph(data_graph: rdflib.Graph, shapes: rdflib.Graph, origins: dict[str, Origin] | None = None,
                   inference: str = "none") -> Report:
    """`validate` for data that is already an rdflib graph (the graph is not changed)."""
    if inference != "none":
        shapes = _without_closed(shapes)
    report_graph = pyshacl_report(data_graph, shapes, inference)
    findings = findings_from(report_graph, data_graph, shapes, origins or {})
    conforms = not any(f.severity == "Violation" for f in findings)
    return Report(conforms, sorted(findings, key=Finding.key), report_graph)


def pyshacl_report(data_graph: rdflib.Graph, shapes: rdflib.Graph, inference: str = "none") -> rdflib.Graph:
    """pySHACL's validation report graph, with the options cardf always uses (sh:conforms as SHACL says).

    Shapes that pySHACL cannot use (a malformed constraint, a forbidden SPARQL form) are an
    input error, exit 2: pySHACL raises some of these and returns others in place of the report.
    """
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure

    prepare_queries_once()
    try:
        _, report_graph, _ = pyshacl.validate(
            data_graph, shacl_graph=shapes, inference=inference, advanced=True, allow_warnings=True,
            abort_on_first=False, meta_shacl=False, iterate_rules=False)
    except (ConstraintLoadError, ShapeLoadError, ValidationFailure, ReportableRuntimeError) as exc:
        report_graph = exc
    if not isinstance(report_graph, rdflib.Graph):
        why = " ".join(str(getattr(report_graph, "message", None) or report_graph).split())
        raise InputError(problems=[Problem(f"the shapes cannot be used: {why}")])
    return settle_conforms(report_graph)


_QUERY_CACHE_LIMIT = 1024
_query_cache: dict = {}


def prepare_queries_once() -> None:
    """Parse each SPARQL text once, as rdflib's prepared queries do.

    pySHACL hands rdflib the text of a SHACL-SPARQL constraint once per focus node, and rdflib
    parses it every time: on cardf's data that parsing took about nine tenths of validation.
    A prepared query is meant to be evaluated many times with different initial bindings, so
    reusing it changes nothing in the results.
    """
    from rdflib.plugins.sparql import processor

    if getattr(processor.SPARQLProcessor.query, "_cardf_prepared", False):
        return
    original = processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            prepared = _query_cache.get(key)
            if prepared is None:
                prepared = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
                if len(_query_cache) >= _QUERY_CACHE_LIMIT:
                    _query_cache.clear()
                _query_cache[key] = prepared
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query._cardf_prepared = True
    processor.SPARQLProcessor.query = query


def _without_closed(shapes: rdflib.Graph) -> rdflib.Graph:
    copy = rdflib.Graph()
    for triple in shapes:
        if triple[1] not in (SH.closed, SH.ignoredProperties):
            copy.add(triple)
    return copy
