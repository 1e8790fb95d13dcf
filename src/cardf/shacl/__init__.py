"""Validation against the SHACL shapes: pySHACL's findings, at the speed of SPARQL on Oxigraph.

Read in this order (each module imports only from those above it):

- `report`     — what validation finds: plain `Finding`s that name the YAML line of each problem;
- `reference`  — pySHACL itself, with the options cardf always uses (the reference, and `--engine pyshacl`);
- `literals`   — lexical forms: which rdflib accepts, and which Oxigraph stores differently;
- `sparql`     — the text of the compiled queries, and rewrites that help Oxigraph plan them;
- `checks`     — the few value checks done in Python;
- `reach`      — after a change, which focus nodes a changed triple can reach;
- `compile`    — the shapes compiled: per shape, SPARQL probes for suspect focus nodes, SHACL-SPARQL checks;
- `cached`     — a compiled plan restored from the build's cache;
- `originals`  — the data as given, which the verdict reads (Oxigraph stores some literals otherwise);
- `judge`      — pySHACL's verdict on the suspects (the one module using pySHACL's internals);
- `engine`     — the fast validator: probes, SHACL-SPARQL, judging, and validating again after a change;
- `text`       — the report as text, JSON or the SHACL report graph;
- `vocabulary` — the generated `sh:in` code lists (shapes/cardf-vocabularies.ttl).
"""

_FROM = {"FastValidator": "engine", "NeedsFullRun": "engine", "plan_for": "engine", "validate": "engine",
         "load_shapes": "reference", "to_rdflib": "reference", "validate_with_pyshacl": "reference",
         "Finding": "report", "Report": "report"}
_NAMED = {"validate_with_pyshacl": "validate"}

__all__ = ["FastValidator", "Finding", "NeedsFullRun", "Report", "load_shapes", "plan_for", "to_rdflib", "validate",
           "validate_with_pyshacl"]


def __getattr__(name: str):
    """The names above, each module imported when first used: plain findings (a rebuild with nothing
    changed, `cardf build --help`) need neither rdflib nor pySHACL."""
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), _NAMED.get(name, name))
    globals()[name] = value
    return value
