"""Stage 3 — check the graph against the SHACL shapes and report what to fix, and where.

Validation runs pySHACL (SHACL Core and SHACL-SPARQL) over the data together with the
ontology, so shapes may rely on class and concept declarations. Each result is turned into
a plain `Finding`, which carries the source file and line that produced the focus node when
the data came from cardf's own sources.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import Quad, RdfFormat, Triple, serialize

from .errors import InputError, Problem
from .sources import Origin

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str
    source: str | None = None  # file:line:column of the YAML that produced the focus node

    def key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 3), self.shape, self.focus, self.path or "", self.value or "",
                self.message)


@dataclass
class Report:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    report_graph: rdflib.Graph | None = None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")


def to_rdflib(triples: list[Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    if triples:
        graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def load_shapes(shapes: list[Path]) -> rdflib.Graph:
    from .rdfio import read_quads

    triples = []
    for path in shapes:
        triples += [Triple(q.subject, q.predicate, q.object) for q in read_quads(path)]
    if not triples:
        raise InputError(problems=[Problem("no shapes found", shapes[0] if shapes else None)])
    return to_rdflib(triples)


def validate(data: list[Triple], shapes: rdflib.Graph, ontology: list[Triple] | None = None,
             origins: dict[str, Origin] | None = None, inference: str = "none") -> Report:
    """Validate `data` (+ `ontology`, visible to the shapes but never a focus of its own) against `shapes`."""
    import pyshacl

    data_graph = to_rdflib(list(data) + list(ontology or []))
    conforms, report_graph, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference=inference, advanced=True, allow_warnings=True,
        abort_on_first=False, meta_shacl=False, iterate_rules=False)
    findings = findings_from(report_graph, data_graph, shapes, origins or {})
    conforms = not any(f.severity == "Violation" for f in findings)
    return Report(conforms, sorted(findings, key=Finding.key), report_graph)


def _short(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        return str(term)
    if isinstance(term, rdflib.BNode):
        return None
    return str(term)


def findings_from(report: rdflib.Graph, data: rdflib.Graph, shapes: rdflib.Graph, origins) -> list[Finding]:
    out = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        source_shape = report.value(result, SH.sourceShape)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        label = data.value(focus, rdflib.RDFS.label) if focus is not None else None
        labels = {lbl.language: str(lbl) for lbl in data.objects(focus, rdflib.RDFS.label)} if focus is not None else {}
        label = labels.get("en") or labels.get(None) or (str(label) if label else None)
        shape_name = _shape_name(shapes, source_shape)
        origin = origins.get(str(focus)) if focus is not None else None
        out.append(Finding(
            severity=severity, focus=str(focus), focus_label=label,
            path=_short(path) if not isinstance(path, rdflib.BNode) else "(complex path)",
            value=_short(report.value(result, SH.value)), message=str(message) if message else "",
            shape=shape_name, constraint=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            source=str(origin) if origin else None))
    return out


def _shape_name(shapes: rdflib.Graph, shape) -> str:
    """A readable name: the shape's IRI, or for a blank property shape its parent and path."""
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    if parent is not None:
        return f"{parent} {path}" if path is not None else str(parent)
    return "(anonymous shape)"


# ----------------------------------------------------------------------------- reports

def text_report(report: Report, prefixes: dict[str, str]) -> str:
    def short(iri: str | None) -> str:
        if iri is None:
            return "-"
        for name, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and "/" not in iri[len(ns):]:
                return f"{name}:{iri[len(ns):]}"
        return iri

    lines = []
    current = None
    for f in report.findings:
        group = (f.severity, f.shape)
        if group != current:
            current = group
            lines.append(f"{f.severity} — {short(f.shape)}")
        focus = f"{f.focus_label} ({short(f.focus)})" if f.focus_label else short(f.focus)
        value = f" value {f.value!r}" if f.value is not None else ""
        where = f"{f.source}: " if f.source else ""
        lines.append(f"  {where}{focus} {short(f.path)}{value}: {f.message}")
    summary = (f"{'conforms' if report.conforms else 'does not conform'}: {report.violations} violation(s), "
               f"{report.count('Warning')} warning(s), {report.count('Info')} info(s)")
    return "\n".join(lines + [summary]) + "\n"


def json_report(report: Report) -> str:
    doc = {"conforms": report.conforms,
           "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
           "results": [asdict(f) for f in report.findings]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def turtle_report(report: Report) -> str:
    graph = report.report_graph or rdflib.Graph()
    graph.bind("sh", SH)
    return graph.serialize(format="turtle")


def quads_union(quads: list[Quad]) -> list[Triple]:
    return [q.triple for q in quads]
