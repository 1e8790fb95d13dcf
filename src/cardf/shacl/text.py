"""Validation reports as people and programs read them: text lines, JSON, the SHACL report graph."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .report import Finding, Report

if TYPE_CHECKING:
    import rdflib

SHAPES_NS = "https://w3id.org/cardf/shapes#"
SEVERITY_PLURAL = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}


def relative(path: str | None) -> str | None:
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
    return f"{relative(f.file)}:{f.line}:{f.column}: "


SUMMARY_LISTED = 3  # results of one warning shape listed in full before the rest are summarised


def text_report(report: Report, prefixes: dict[str, str], warnings: str = "all") -> str:
    """Grouped by severity, then shape; one line per result: where, what, which value, what to do.

    With `warnings="summary"`, a warning or info shape with more than SUMMARY_LISTED results
    shows its first and a count of the rest (violations are always listed whole); with
    `warnings="none"`, only violations are listed. The closing count is always complete.
    """
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
    sizes: dict[tuple[str, str], int] = {}
    for f in report.findings:
        sizes[(f.severity, f.shape)] = sizes.get((f.severity, f.shape), 0) + 1
    listed = 0
    for f in report.findings:
        if f.severity != "Violation" and warnings == "none":
            continue
        summarised = (f.severity != "Violation" and warnings == "summary"
                      and sizes[(f.severity, f.shape)] > SUMMARY_LISTED)
        if (f.severity, f.shape) != group:
            if group is not None and listed < 0:
                lines.append(f"  … and {-listed} more like it (--warnings all lists them)")
            group, listed = (f.severity, f.shape), 0
            lines.append(f"{f.severity}: {' '.join(short(part) for part in f.shape.split(' '))}"
                         + (f" ({sizes[group]} results)" if summarised else ""))
        if summarised and listed >= 1 or listed < 0:
            listed = min(listed, 0) - 1
            continue
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
            listed += 1
    if listed < 0:
        lines.append(f"  … and {-listed} more like it (--warnings all lists them)")
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
        item["file"] = relative(f.file)
        item["source"] = _where(f)[:-2] or None
        results.append(item)
    doc = {"conforms": report.shacl_conforms,  # as sh:conforms: false with any result (the exit code differs)
           "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
           "results": results}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def turtle_report(report: Report) -> str:
    """The standard SHACL validation report graph (sh:ValidationReport), as Turtle."""
    import rdflib

    from .report import SH

    graph = report.report_graph if report.report_graph is not None else _empty_report()
    graph.bind("sh", SH)
    graph.bind("cardf-shapes", rdflib.Namespace(SHAPES_NS))
    graph.bind("cardf", rdflib.Namespace("https://w3id.org/cardf/ontology#"))
    return graph.serialize(format="turtle")


def _empty_report() -> rdflib.Graph:
    import rdflib

    from .report import SH

    graph = rdflib.Graph()
    node = rdflib.BNode()
    graph.add((node, rdflib.RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, rdflib.Literal(True)))
    return graph
