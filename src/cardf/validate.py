"""Stage 3 — check the graph against the SHACL shapes and report what to fix, and where.

Validation runs pySHACL (SHACL Core and SHACL-SPARQL) over the data together with the
ontology. Each result becomes a plain `Finding` that names the shape, the focus node (with
its label), the property and the offending value, and — when the data came from cardf's own
sources — the file, line and column of the YAML that produced it: the field itself where the
result names one, otherwise the record. Resources that no YAML record made directly (the
selectors of an evidence span, a period, a relationship) are traced back to the record that
points at them.

`python -m cardf.validate vocabulary-shapes` prints shapes/cardf-vocabularies.ttl, the
`sh:in` lists of the controlled vocabularies, from the ontology and the source format.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import rdflib
from pyoxigraph import Quad, RdfFormat, Triple, serialize

from .errors import InputError, Problem
from .sources import Origin

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPES_NS = "https://w3id.org/cardf/shapes#"
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
SEVERITY_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
VOCABULARY_SHAPES_FILE = "cardf-vocabularies.ttl"


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

    def key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 3), self.shape, self.file or "~", self.line or 0, self.column or 0,
                self.focus, self.path or "", self.value or "", self.message, self.constraint)


@dataclass
class Report:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    report_graph: rdflib.Graph | None = None

    def count(self, severity: str) -> int:
        """Problems of this severity: a value that breaks two constraints of one shape counts once."""
        return len({(f.shape, f.focus, f.path, f.value, f.message) for f in self.findings if f.severity == severity})

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
    """pySHACL's validation report graph, with the options cardf always uses.

    Shapes that pySHACL cannot use (a malformed constraint, a forbidden SPARQL form) are an
    input error, exit 2: pySHACL raises some of these and returns others in place of the report.
    """
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure

    _prepare_queries_once()
    try:
        _, report_graph, _ = pyshacl.validate(
            data_graph, shacl_graph=shapes, inference=inference, advanced=True, allow_warnings=True,
            abort_on_first=False, meta_shacl=False, iterate_rules=False)
    except (ConstraintLoadError, ShapeLoadError, ValidationFailure, ReportableRuntimeError) as exc:
        report_graph = exc
    if not isinstance(report_graph, rdflib.Graph):
        why = " ".join(str(getattr(report_graph, "message", None) or report_graph).split())
        raise InputError(problems=[Problem(f"the shapes cannot be used: {why}")])
    return report_graph


_QUERY_CACHE_LIMIT = 1024
_query_cache: dict = {}


def _prepare_queries_once() -> None:
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


# ----------------------------------------------------------------------------- findings

def findings_from(report: rdflib.Graph, data: rdflib.Graph, shapes: rdflib.Graph, origins) -> list[Finding]:
    tracer = _Tracer(data, origins)
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
    if term is None or isinstance(term, rdflib.BNode):
        return None
    return str(term)


def _path_text(report: rdflib.Graph, path) -> str | None:
    """An IRI path as is; an inverse path as ^IRI (the only complex path the cardf shapes use)."""
    if isinstance(path, rdflib.BNode):
        inverse = report.value(path, SH.inversePath)
        return f"^{inverse}" if isinstance(inverse, rdflib.URIRef) else "(complex path)"
    return _term_text(path)


def _label(data: rdflib.Graph, focus) -> str | None:
    """The English label (or title) of the focus node, else any label, else none."""
    if focus is None:
        return None
    for prop in (rdflib.RDFS.label, rdflib.URIRef("https://w3id.org/cardf/ontology#title")):
        labels = {lbl.language: str(lbl) for lbl in data.objects(focus, prop) if isinstance(lbl, rdflib.Literal)}
        if labels:
            return labels.get("en") or labels.get(None) or labels[sorted(labels, key=str)[0]]
    return None


def _shape_name(shapes: rdflib.Graph, shape) -> str:
    """A readable name: the shape's IRI, or for a blank property shape its parent and path."""
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    if parent is not None:
        return f"{parent} {path}" if isinstance(path, rdflib.URIRef) else str(parent)
    return "(anonymous shape)"


class _Tracer:
    """Finds the YAML that produced a focus node, down to the field when the result names one."""

    HOPS = 2

    def __init__(self, data: rdflib.Graph, origins: dict[str, Origin]):
        self.data = data
        self.origins = origins

    def origin(self, focus, path: rdflib.URIRef | None) -> Origin | None:
        if not self.origins or not isinstance(focus, rdflib.URIRef):
            return None
        node, via = focus, path
        for _ in range(self.HOPS + 1):
            found = self.origins.get(str(node))
            if found is not None:
                return _field_origin(found, str(via)) if via is not None else found
            referrer = self._referrer(node)
            if referrer is None:
                return None
            node, via = referrer
        return None

    def _referrer(self, node) -> tuple[rdflib.URIRef, rdflib.URIRef] | None:
        """The first (in IRI order) resource that points at `node`, preferring ones with an origin."""
        refs = sorted(((s, p) for s, p in self.data.subject_predicates(node) if isinstance(s, rdflib.URIRef)),
                      key=lambda sp: (str(sp[0]) not in self.origins, str(sp[0]), str(sp[1])))
        return refs[0] if refs else None


def _field_origin(record: Origin, predicate: str) -> Origin:
    """The origin of the field that holds `predicate` within the record written at `record`, else the record."""
    names = _fields_by_predicate().get(predicate)
    if not names:
        return record
    node = _mapping_at(Path(record.path), record.line, record.column)
    if node is None:
        return record
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) in names:
            return Origin(record.path, value_node.start_mark.line + 1, value_node.start_mark.column + 1)
    return record


@lru_cache(maxsize=1)
def _fields_by_predicate() -> dict[str, set[str]]:
    from .iris import ONT, RDFS, SKOS
    from .schema import ALL_KINDS, ARTICLE_FIELDS, PARTICIPANT_FIELDS

    special = {"label": RDFS + "label", "note": RDFS + "comment", "altLabel": SKOS + "altLabel"}
    out: dict[str, set[str]] = {}
    fields = [f for kind in ALL_KINDS.values() for f in kind.fields] + list(ARTICLE_FIELDS) + list(PARTICIPANT_FIELDS)
    for f in fields:
        if f.predicate is not None:
            out.setdefault(special.get(f.predicate, ONT + f.predicate), set()).add(f.name)
    for iri, name in ((SKOS + "exactMatch", "wikidata"), (ONT + "quoteText", "text"), (ONT + "statusOf", "parties"),
                      (ONT + "claimProperty", "field"), (ONT + "claimValue", "value"), (ONT + "evidence", "evidence")):
        out.setdefault(iri, set()).add(name)
    return out


def _mapping_at(path: Path, line: int, column: int):
    from .yamlfile import MappingNode, SequenceNode

    root = _yaml_nodes(str(path), _mtime(path))
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            if node.start_mark.line + 1 == line and node.start_mark.column + 1 == column:
                return node
            stack.extend(v for _, v in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=32)
def _yaml_nodes(path: str, mtime: float):
    from .yamlfile import read_yaml

    try:
        return read_yaml(Path(path))
    except InputError:
        return None


# ----------------------------------------------------------------------------- reports

def _relative(path: str | None) -> str | None:
    """A path relative to the current folder when it lies inside it, else as given."""
    if path is None:
        return None
    try:
        resolved = Path(path).resolve()
        return str(resolved.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


def _where(f: Finding) -> str:
    if f.file is None:
        return ""
    return f"{_relative(f.file)}:{f.line}:{f.column}: "


def text_report(report: Report, prefixes: dict[str, str]) -> str:
    """Grouped by severity, then shape; one line per result: where, what, which value, what to do."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    ordered.append(("cardf-shapes", SHAPES_NS))

    def short(iri: str | None) -> str:
        if iri is None:
            return "-"
        if iri.startswith("^"):
            return "^" + short(iri[1:])
        for name, ns in ordered:
            if iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]:
                return f"{name}:{iri[len(ns):]}"
        return f"<{iri}>" if "://" in iri else iri

    lines: list[str] = []
    seen: set[str] = set()
    group = None
    for f in report.findings:
        if (f.severity, f.shape) != group:
            group = (f.severity, f.shape)
            lines.append(f"{f.severity}: {' '.join(short(part) for part in f.shape.split(' '))}")
        focus = short(f.focus) + (f" ({f.focus_label})" if f.focus_label else "")
        path = f" {short(f.path)}" if f.path else ""
        if f.value is None:
            value = ""
        elif f.value_is_literal:
            value = f" value {_quote(f.value)}"
        else:
            value = f" value {short(f.value)}"
        line = f"  {_where(f)}{focus}{path}{value}: {f.message}"
        if line not in seen:  # one line per mistake, even when it breaks two constraints of one shape
            seen.add(line)
            lines.append(line)
    counts = ", ".join(f"{report.count(s)} {SEVERITY_PLURAL[s] if report.count(s) != 1 else s.lower()}"
                       for s in ("Violation", "Warning", "Info"))
    lines.append(f"{'Conforms' if report.conforms else 'Does not conform'}: {counts}.")
    return "\n".join(lines) + "\n"


def _quote(text: str, limit: int = 80) -> str:
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return repr(text)


def json_report(report: Report) -> str:
    results = []
    for f in report.findings:
        item = asdict(f)
        item.pop("value_is_literal")
        item["file"] = _relative(f.file)
        item["source"] = _where(f)[:-2] or None
        results.append(item)
    doc = {"conforms": report.conforms,
           "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
           "results": results}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def turtle_report(report: Report) -> str:
    """The standard SHACL validation report graph (sh:ValidationReport), as Turtle."""
    graph = report.report_graph if report.report_graph is not None else _empty_report()
    graph.bind("sh", SH)
    graph.bind("cardf-shapes", rdflib.Namespace(SHAPES_NS))
    graph.bind("cardf", rdflib.Namespace("https://w3id.org/cardf/ontology#"))
    return graph.serialize(format="turtle")


def _empty_report() -> rdflib.Graph:
    graph = rdflib.Graph()
    node = rdflib.BNode()
    graph.add((node, rdflib.RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, rdflib.Literal(True)))
    return graph


def quads_union(quads: list[Quad]) -> list[Triple]:
    return [q.triple for q in quads]


# ----------------------------------------------------------------------------- vocabulary shapes

def vocabulary_shapes(ontology: list[Triple]) -> str:
    """shapes/cardf-vocabularies.ttl: for every field whose values come from a vocabulary, an `sh:in` list.

    Generated from the concept schemes of the ontology and the fields of schema.py, so the
    shapes accept exactly the codes the loader accepts. A test fails when the file is stale.
    """
    from .iris import SKOS, VOCAB
    from .schema import ARTICLE_FIELDS, ENTITY_KINDS, PARTICIPANT_FIELDS, RECORD_KINDS

    codes: dict[str, set[str]] = {}
    for t in ontology:
        if t.predicate.value == SKOS + "inScheme" and t.subject.value.startswith(VOCAB):
            scheme, _, code = t.subject.value[len(VOCAB):].rpartition("/")
            codes.setdefault(scheme, set()).add(code)
    uses: dict[tuple[str, str], tuple[str, set[str]]] = {}
    spec = [(k.cls, f) for k in ENTITY_KINDS + RECORD_KINDS for f in k.fields]
    spec += [("Article", f) for f in ARTICLE_FIELDS] + [("Participation", f) for f in PARTICIPANT_FIELDS]
    for cls, f in spec:
        if f.type in ("concept", "concepts") and f.scheme:
            uses.setdefault((cls, f.predicate), (f.scheme, set()))[1].add(f.name)
    out = [
        "# cardf — SHACL shapes, part 2: the codes of the controlled vocabularies.",
        "#",
        "# GENERATED — do not edit. Regenerate after changing ontology/vocabularies.ttl or the",
        "# concept fields of src/cardf/schema.py:",
        "#     python -m cardf.validate vocabulary-shapes > shapes/cardf-vocabularies.ttl",
        "# Each property shape lists, with sh:in, the concepts of one scheme and is attached to the",
        "# node shape of its class in cardf-shapes.ttl.",
        "",
        "@prefix cardf:        <https://w3id.org/cardf/ontology#> .",
        "@prefix cardf-shapes: <https://w3id.org/cardf/shapes#> .",
        "@prefix sh:           <http://www.w3.org/ns/shacl#> .",
    ]
    for scheme in sorted({s for s, _ in uses.values()}):
        out.append(f"@prefix {scheme + ':':<19} <{VOCAB}{scheme}/> .")
    for (cls, predicate), (scheme, names) in sorted(uses.items()):
        if predicate is None:
            continue
        known = sorted(codes.get(scheme, set()))
        shape = f"cardf-shapes:{cls}-{predicate}-code"
        field_names = " / ".join(f"`{n}:`" for n in sorted(names))
        listing = ", ".join(known)
        out += [
            "",
            f"cardf-shapes:{cls} sh:property {shape} .",
            "",
            shape,
            "    a sh:PropertyShape ;",
            f"    sh:path cardf:{predicate} ;",
            "    sh:in ( " + " ".join(f"{scheme}:{c}" for c in known) + " ) ;",
            f"    sh:message \"{field_names} takes a code of the {scheme} vocabulary: {listing}.\" .",
        ]
    return "\n".join(out) + "\n"


def _main(argv: list[str]) -> int:
    if argv[:1] != ["vocabulary-shapes"] or len(argv) > 2:
        print("usage: python -m cardf.validate vocabulary-shapes [ONTOLOGY_DIR]", file=sys.stderr)
        return 2
    from .ontology import load_ontology_quads
    from .resources import resource_dir

    folder = Path(argv[1]) if len(argv) > 1 else resource_dir("ontology")
    sys.stdout.write(vocabulary_shapes(load_ontology_quads(folder)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
