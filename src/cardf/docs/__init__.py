"""`cardf ontology docs`: one static HTML page that teaches the ontology, with its class diagram.

The page is written here rather than by pyLODE. pyLODE 3.4.1, the newest release on PyPI,
fails on import when installed from its wheel (it reads a pyproject.toml that the wheel does
not ship: RDFLib/pyLODE#260, fixed upstream but unreleased); 3.2.1 runs but writes the
members of owl:unionOf domains in a different order on each run, runs the English and
Russian labels together in one heading ("StateГосударство"; RDFLib/pyLODE#18, #213), has no
place for SHACL shapes, example instances or a diagram, and caches pickles inside its own
installed package. cardf needs all of that, so the page is built from the ontology directly:
every list is sorted, so the same ontology gives the same bytes.

The class diagram is Graphviz DOT drawn as SVG by `graphviz-pure`, a PyPI package holding a
Rust port of Graphviz's `dot` (wheels for Linux, macOS and Windows), so `make` on a fresh
machine gets it without a system Graphviz. Where it is missing, a system `dot` is used; with
neither, the page says so and shows the DOT source, and the rest of the page is unchanged.
The SVG is inlined: the page loads nothing from anywhere (no scripts, fonts or styles from a
CDN), so it opens from disk with no network at all.

The package: graph (a triple index and naming), shapes (shape notes and examples), diagram
(DOT and SVG), page (the HTML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Triple

from ..errors import ExternalError, InputError, Problem, UsageError
from ..iris import SH, Minter
from ..rdfio import read_quads
from .diagram import diagram_dot, find_renderer, inline_svg, render_svg
from .page import DIAGRAM_DOT, DIAGRAM_SVG, ONTOLOGY_TTL, Page
from .shapes import collect_examples

__all__ = ["DIAGRAM_DOT", "DIAGRAM_SVG", "ONTOLOGY_TTL", "PAGE", "Docs", "build", "declared_prefixes", "write"]

PAGE = "index.html"
_PREFIX_DECL = re.compile(r"@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)


@dataclass
class Docs:
    html: str
    svg: str | None
    dot: str
    renderer: str | None
    notes: list[str] = field(default_factory=list)


def declared_prefixes(files: list[Path], base: str | None = None) -> dict[str, str]:
    """The prefixes the Turtle files declare, beside cardf's own (cardf's win on a clash)."""
    out: dict[str, str] = {}
    for path in files:
        for m in _PREFIX_DECL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if m.group(1):
                out.setdefault(m.group(1), m.group(2))
    out.update(Minter(base).prefixes() if base else Minter().prefixes())
    out.setdefault("sh", SH)
    return out


def build(ontology_dir: Path, shapes: Path | None = None, data: Path | None = None, base: str | None = None,
          renderer: tuple[str, list[str]] | None | bool = True) -> Docs:
    """The page, the diagram and its DOT source; `renderer=True` finds one, None draws no diagram."""
    from ..ontology import load_ontology_quads, ontology_files

    ontology = load_ontology_quads(ontology_dir)
    files = list(ontology_files(ontology_dir))
    shape_triples: list[Triple] = []
    if shapes is not None:
        shape_files = sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]
        if shapes.is_dir() and not shape_files:
            raise InputError(problems=[Problem("no shapes files (*.ttl) found", shapes)])
        for path in shape_files:
            shape_triples += [q.triple for q in read_quads(path)]
        files += shape_files
    examples = None
    if data is not None:
        from ..quality import read_data

        examples = collect_examples(read_data(data, ontology_dir, base), _shown(data))
    page = Page(ontology, declared_prefixes(files, base), shape_triples, examples)
    dot, left_out = diagram_dot(page.g, page.namer, page.classes, page.props)
    notes = []
    if renderer is True:
        renderer = find_renderer()
    if renderer is None:
        notes.append("no Graphviz renderer found (pip install graphviz-pure, or install Graphviz): the page shows "
                     "the diagram's DOT source instead of the drawing")
    svg = render_svg(dot, renderer) if renderer else None
    body = page.render(inline_svg(svg) if svg else "", left_out, renderer[0] if renderer else None, dot)
    return Docs(body, svg, dot, renderer[0] if renderer else None, notes)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def write(docs: Docs, out: Path, ontology_ttl: bytes) -> list[str]:
    """Write the page, the diagram (SVG and DOT) and the ontology as Turtle into `out`."""
    if out.exists() and not out.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder", out)])
    try:
        out.mkdir(parents=True, exist_ok=True)
        files = {PAGE: docs.html.encode("utf-8"), DIAGRAM_DOT: docs.dot.encode("utf-8"), ONTOLOGY_TTL: ontology_ttl}
        if docs.svg:
            files[DIAGRAM_SVG] = docs.svg.encode("utf-8")
        for name, data in files.items():
            (out / name).write_bytes(data)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot write the documentation: {exc.strerror or exc}", out)]) \
            from None
    return sorted(files)
