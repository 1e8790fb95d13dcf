"""The class diagram: DOT from the ontology, drawn as SVG by graphviz-pure (or a system Graphviz)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from pyoxigraph import NamedNode

from ..errors import ExternalError, Problem
from ..iris import ONT, OWL, RDF, RDFS, XSD
from .graph import Graph, Namer, class_members

HUB_EDGES = 8  # a class that more object properties point at than this is named in the boxes, not drawn to
BUSY_DOMAIN = 4  # a property whose domain unites more classes than this is listed under the diagram, not drawn
RENDER_SECONDS = 60
# graphviz-pure measures text with its own estimate of Helvetica, narrower than the Arial, Liberation Sans or
# DejaVu Sans a browser draws with: boxes are laid out for LAYOUT_SIZE and the text drawn at DRAWN_SIZE, so the
# words stay inside their boxes whichever sans-serif font the reader has (tests/test_site_browser.py measures it).
LAYOUT_SIZE = 14
DRAWN_SIZE = 12
EDGE_SIZE = 11
FONTS = "Arial, 'Liberation Sans', Helvetica, 'DejaVu Sans', sans-serif"


def diagram_dot(g: Graph, namer: Namer, classes: list[str], props: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The class diagram as DOT, and the properties left out of it (their domain is too wide to draw)."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def esc(text: str) -> str:
        return html.escape(text, quote=True)

    attributes: dict[str, list[str]] = defaultdict(list)
    edges: list[tuple[str, str, str, str]] = []
    left_out: list[str] = []
    class_set = set(classes)
    for kind in (OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property"):
        for p in props.get(kind, []):
            domains = [m.value for d in g.objects(NamedNode(p), RDFS + "domain") for m in class_members(g, d)]
            ranges_nodes = g.objects(NamedNode(p), RDFS + "range")
            ranges = [m.value for r in ranges_nodes for m in class_members(g, r)]
            domains = [d for d in domains if d in class_set]
            name = p[len(ONT):]
            if not domains:
                continue
            if len(domains) > BUSY_DOMAIN:
                left_out.append(p)
                continue
            targets = [r for r in ranges if r in class_set]
            if kind == OWL + "ObjectProperty" and targets:
                for d in domains:
                    for r in targets:
                        edges.append((d, r, name, "property"))
            else:
                shown = ", ".join(namer.curie(r).split(":")[-1] if not r.startswith(XSD) else r[len(XSD):]
                                  for r in ranges) or "?"
                if ranges_nodes and not ranges and isinstance(ranges_nodes[0], NamedNode):
                    shown = namer.curie(ranges_nodes[0].value)
                for d in domains:
                    attributes[d].append(f"{name} : {shown}")
    inbound: dict[str, int] = defaultdict(int)
    for _, dst, _, _ in set(edges):
        inbound[dst] += 1
    hubs = {dst for dst, n in inbound.items() if n > HUB_EDGES}
    for src, dst, name, _ in sorted(set(edges)):
        if dst in hubs:  # a class that half the others point at: name it in their boxes instead of drawing
            attributes[src].append(f"{name} \u2192 {namer.label(dst, 'en') or dst[len(ONT):]}")
    edges = [e for e in edges if e[1] not in hubs]
    for c in classes:
        for sup in g.objects(NamedNode(c), RDFS + "subClassOf"):
            if isinstance(sup, NamedNode) and sup.value in class_set:
                edges.append((c, sup.value, "", "subclass"))
    lines = [
        "digraph cardf {",
        '  graph [rankdir=LR, fontname="Helvetica,Arial,sans-serif", nodesep=0.35, ranksep=0.9, '
        'bgcolor="transparent", tooltip="cardf class diagram"];',
        f'  node [shape=plain, fontname="Helvetica,Arial,sans-serif", fontsize={LAYOUT_SIZE}];',
        f'  edge [fontname="Helvetica,Arial,sans-serif", fontsize={EDGE_SIZE}, color="#5b6b7f", fontcolor="#33414f", '
        'arrowsize=0.7];',
    ]
    for c in classes:
        local = c[len(ONT):]
        label = namer.label(c, "en") or local
        rows = "".join(f'<tr><td align="left" port="a{i}">{esc(a)}</td></tr>'
                       for i, a in enumerate(sorted(attributes.get(c, []))))
        table = (f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="#8fa3b8">'
                 f'<tr><td bgcolor="#dce7f3"><b>{esc(label)}</b></td></tr>{rows}</table>')
        lines.append(f"  {q(local)} [label=<{table}>, URL={q('#' + local)}, tooltip={q(namer.curie(c))}];")
    for src, dst, name, kind in sorted(set(edges)):
        if kind == "subclass":
            lines.append(f"  {q(src[len(ONT):])} -> {q(dst[len(ONT):])} [arrowhead=empty, color=\"#1f4e79\", "
                         f"penwidth=1.4, tooltip={q('subclass of')}];")
        else:
            lines.append(f"  {q(src[len(ONT):])} -> {q(dst[len(ONT):])} [label={q(name)}, "
                         f"URL={q('#' + name)}, tooltip={q('cardf:' + name)}];")
    lines.append("}")
    return "\n".join(lines) + "\n", left_out


def find_renderer() -> tuple[str, list[str]] | None:
    """graphviz-pure (a PyPI dependency) beside this Python or on PATH, else a system Graphviz `dot`."""
    here = Path(sys.executable).parent
    for name in ("graphviz-pure", "graphviz-pure.exe"):
        if (here / name).is_file():
            return "graphviz-pure", [str(here / name)]
    found = shutil.which("graphviz-pure")
    if found:
        return "graphviz-pure", [found]
    found = shutil.which("dot")
    if found:
        return "Graphviz dot", [found]
    return None


def render_svg(dot: str, renderer: tuple[str, list[str]] | None) -> str | None:
    if renderer is None:
        return None
    try:
        done = subprocess.run(renderer[1] + ["-Tsvg"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=RENDER_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExternalError(problems=[Problem(f"{renderer[0]} could not draw the class diagram: {exc}")]) from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExternalError(problems=[Problem(f"{renderer[0]} could not draw the class diagram: "
                                              f"{why[-1] if why else 'exit ' + str(done.returncode)}")])
    return drawn_smaller(done.stdout.decode("utf-8"))


def drawn_smaller(svg: str) -> str:
    """The boxes' words at DRAWN_SIZE in a font list the browser has, inside boxes laid out for LAYOUT_SIZE."""
    svg = svg.replace(f'font-size="{LAYOUT_SIZE:.2f}"', f'font-size="{DRAWN_SIZE:.2f}"')
    return svg.replace('font-family="Helvetica,Arial,sans-serif"', f'font-family="{FONTS}"')


def inline_svg(svg: str) -> str:
    """The <svg> element alone (no XML prolog, DOCTYPE or comments), at its own size: the page scrolls it."""
    start = svg.find("<svg")
    body = re.sub(r"<!--.*?-->\s*", "", svg[start:], flags=re.S).strip()
    return body.replace("<svg ", '<svg role="img" aria-label="cardf class diagram" class="diagram" ', 1)

