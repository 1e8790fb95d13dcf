"""Validation against the SHACL shapes: pySHACL's findings, at the speed of SPARQL on Oxigraph.

Read in this order:

- `report`     — what validation finds: plain `Finding`s that name the YAML line of each problem;
- `reference`  — pySHACL itself, with the options cardf always uses (the reference, and `--engine pyshacl`);
- `compile`    — the shapes compiled to SPARQL probes for suspect focus nodes (with `literals`,
                 `checks` and `sparql`, the text of those queries);
- `engine`     — the fast validator: runs the probes on a store, hands suspects to `judge`
                 (pySHACL's verdict on the triples around them), and after a change asks `reach`
                 which focus nodes can have changed;
- `text`       — the report as text, JSON or the SHACL report graph;
- `vocabulary` — the generated `sh:in` code lists (shapes/cardf-vocabularies.ttl).

The public surface is below; the modules import one another only downwards in that list.
"""

from .engine import FastValidator, NeedsFullRun, plan_for, validate
from .reference import load_shapes, to_rdflib
from .reference import validate as validate_with_pyshacl
from .report import Finding, Report

__all__ = ["Finding", "FastValidator", "NeedsFullRun", "Report", "load_shapes", "plan_for", "to_rdflib", "validate",
           "validate_with_pyshacl"]
