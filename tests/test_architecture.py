"""The shape of src/cardf that a newcomer relies on: no import cycles, no private names across modules,
small modules, and stages that only import downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "cardf"
MAX_LINES = 650  # "about 600": a module that grows past this is split by concern

# Stages, lowest first: a module may import from its own stage or a lower one, never a higher one.
STAGES = [
    {"errors", "iris", "resources", "formats", "rdfio", "yamlfile", "schema", "sparqltext", "render", "isolation",
     "textmatch", "scrub", "credentials", "usercache"},
    {"sources", "ontology"},
    {"mapping", "export"},
    {"shacl"},
    {"build", "outdir", "outmarker", "store", "remote", "remoteload", "querylib", "params", "query", "queryrun",
     "results", "quality", "stats", "diff", "docs", "serve", "serveguard", "site", "curate", "plain"},
    {"api", "cli", "__main__", "__init__"},
]


def modules() -> dict[str, Path]:
    """Dotted name (under cardf) → file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names imported from it, line) for every import of a cardf module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("cardf"):
                target = node.module[len("cardf."):] if node.module != "cardf" else ""
            else:
                continue
            names = [a.name for a in node.names]
            if not node.module and node.level:  # from . import x: each name is a module
                for n in names:
                    out.append((".".join(base + [n]) if target == "" else f"{target}.{n}", [], node.lineno))
                continue
            out.append((target, names, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("cardf."):
                    out.append((a.name[len("cardf."):], [], node.lineno))
    return out


def resolve(target: str, known: dict[str, Path]) -> str | None:
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def stage_of(name: str) -> int:
    top = name.split(".")[0]
    for i, members in enumerate(STAGES):
        if top in members:
            return i
    raise AssertionError(f"module cardf.{name} belongs to no stage: add it to STAGES in tests/test_architecture.py")


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, _, _ in imports(name, path):
            resolved = resolve(target, known)
            if resolved is not None and resolved != name:
                edges[name].add(resolved)
    return edges


def test_the_import_graph_has_no_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_module_imports_a_private_name_of_another():
    known = modules()
    found = []
    for name, path in known.items():
        for target, names, line in imports(name, path):
            if resolve(target, known) == name:
                continue
            found += [f"cardf.{name}:{line} imports {n} from cardf.{target}" for n in names
                      if n.startswith("_") and not n.startswith("__")]
    assert found == []


def test_stages_import_only_their_own_or_lower_stages():
    wrong = []
    for name, targets in graph().items():
        for target in targets:
            if stage_of(target) > stage_of(name) and name.split(".")[0] != target.split(".")[0]:
                wrong.append(f"cardf.{name} (stage {stage_of(name)}) imports cardf.{target} (stage {stage_of(target)})")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_small(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"cardf.{name} has {lines} lines: split it by concern"
