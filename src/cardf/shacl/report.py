"""What validation found, as plain findings that name the YAML line that produced each problem.

Validation runs pySHACL (SHACL Core and SHACL-SPARQL) over the data together with the
ontology. Each result becomes a plain `Finding` that names the shape, the focus node (with
its label), the property and the offending value, and — when the data came from cardf's own
sources — the file, line and column of the YAML that produced it: the field itself where the
result names one, otherwise the record. Resources that no YAML record made directly (the
selectors of an evidence span, a period, a relationship) are traced back to the record that
points at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib

    from ..sources import Origin

SHACL = "http://www.w3.org/ns/shacl#"
HOPS = 2  # how far the report follows a node without an origin back to one that has
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
    constraint: str  # the constraint component without its namespace, e.g. MinCountConstraintComponent
    source: str | None = None  # file:line:column of the YAML that produced the focus node (or the field)
    file: str | None = None
    line: int | None = None
    column: int | None = None
    value_is_literal: bool = False

    def __reduce__(self):  # a rebuild's index holds thousands: positional fields load ten times quicker
        return type(self), tuple(getattr(self, name) for name in self.__dataclass_fields__)

    def key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 3), self.shape, self.file or "~", self.line or 0, self.column or 0,
                self.focus, self.path or "", self.value or "", self.message, self.constraint)


def settle_conforms(graph: rdflib.Graph) -> rdflib.Graph:
    """Set the report's sh:conforms as SHACL defines it: false when it holds any result, of any severity.

    cardf runs pySHACL with allow_warnings (so that a warning inside sh:node or sh:or is judged as
    pySHACL judges it by default), which makes pySHACL write `sh:conforms true` beside warnings;
    the specification (section 3.6.1), Jena and pySHACL's defaults say false. Only the report graph
    says so: cardf's exit code still fails on violations alone (`--fail-on` chooses).
    """
    import rdflib

    for report in graph.subjects(rdflib.RDF.type, SH.ValidationReport):
        graph.set((report, SH.conforms, rdflib.Literal(graph.value(report, SH.result) is None)))
    return graph


@dataclass
class Report:
    conforms: bool  # no violations: what decides cardf's exit code (warnings and infos do not)
    findings: list[Finding] = field(default_factory=list)
    report_graph: rdflib.Graph | None = None

    def count(self, severity: str) -> int:
        """Problems of this severity: a value that breaks two constraints of one shape counts once."""
        return len({(f.shape, f.focus, f.path, f.value, f.message) for f in self.findings if f.severity == severity})

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def shacl_conforms(self) -> bool:
        """What SHACL's sh:conforms says of these findings: true only when there is none, warnings included."""
        return not self.findings


def __getattr__(name: str):
    """SH, rdflib's namespace of SHACL, made when first asked for: plain findings need no rdflib (a rebuild
    with nothing changed reads them without importing it)."""
    if name == "SH":
        import rdflib

        globals()["SH"] = rdflib.Namespace(SHACL)
        return globals()["SH"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def findings_from(report: rdflib.Graph, data: rdflib.Graph, shapes: rdflib.Graph, origins) -> list[Finding]:
    import rdflib

    SH = __getattr__("SH")
    tracer = Tracer(data, origins)
    out = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        origin = tracer.origin(focus, path if isinstance(path, rdflib.URIRef) else None)
        out.append(Finding(
            severity=severity, focus=_term_text(focus) or "(blank node)", focus_label=_label(data, focus),
            path=_path_text(report, path),
            value=_term_text(value), message=str(message) if message else "",
            shape=_shape_name(shapes, report.value(result, SH.sourceShape)),
            constraint=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            source=str(origin) if origin else None,
            file=str(origin.path) if origin else None,
            line=origin.line if origin else None,
            column=origin.column if origin else None,
            value_is_literal=isinstance(value, rdflib.Literal)))
    return out


def _term_text(term) -> str | None:
    import rdflib

    if term is None or isinstance(term, rdflib.BNode):
        return None
    return str(term)


def _path_text(report: rdflib.Graph, path) -> str | None:
    """An IRI path as is; an inverse path as ^IRI (the only complex path the cardf shapes use)."""
    import rdflib

    SH = __getattr__("SH")
    if isinstance(path, rdflib.BNode):
        inverse = report.value(path, SH.inversePath)
        return f"^{inverse}" if isinstance(inverse, rdflib.URIRef) else "(complex path)"
    return _term_text(path)


def _label(data: rdflib.Graph, focus) -> str | None:
    """The English label (or title) of the focus node, else any label, else none."""
    import rdflib

    if focus is None:
        return None
    for prop in (rdflib.RDFS.label, rdflib.URIRef("https://w3id.org/cardf/ontology#title")):
        labels = {lbl.language: str(lbl) for lbl in data.objects(focus, prop) if isinstance(lbl, rdflib.Literal)}
        if labels:
            return labels.get("en") or labels.get(None) or labels[sorted(labels, key=str)[0]]
    return None


def _shape_name(shapes: rdflib.Graph, shape) -> str:
    """A readable name: the shape's IRI, or for a blank property shape its parent and path."""
    import rdflib

    SH = __getattr__("SH")
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    if parent is not None:
        return f"{parent} {path}" if isinstance(path, rdflib.URIRef) else str(parent)
    return "(anonymous shape)"


class Tracer:
    """Finds the YAML that produced a focus node, down to the field when the result names one."""

    HOPS = HOPS

    def __init__(self, data: rdflib.Graph, origins: dict):
        self.data = data
        self.origins = origins  # resource IRI → Origin, and (resource IRI, predicate IRI) → Origin of the field

    def origin(self, focus, path: rdflib.URIRef | None) -> Origin | None:
        import rdflib

        if not self.origins or not isinstance(focus, rdflib.URIRef):
            return None
        node, via = focus, path
        for _ in range(self.HOPS + 1):
            found = self.origins.get(str(node))
            if found is not None:
                return (self.origins.get((str(node), str(via))) or found) if via is not None else found
            referrer = self._referrer(node)
            if referrer is None:
                return None
            node, via = referrer
        return None

    def _referrer(self, node) -> tuple[rdflib.URIRef, rdflib.URIRef] | None:
        """The first (in IRI order) resource that points at `node`, preferring ones with an origin."""
        import rdflib

        refs = sorted(((s, p) for s, p in self.data.subject_predicates(node) if isinstance(s, rdflib.URIRef)),
                      key=lambda sp: (self.origins.get(str(sp[0])) is None, str(sp[0]), str(sp[1])))
        return refs[0] if refs else None
