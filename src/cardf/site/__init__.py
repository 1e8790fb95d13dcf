"""`cardf site`: a static site people read, written from a build — offline, deterministic, at the IRIs' paths.

    site/index.html                       the ways in
    site/id/article/<slug>/index.html     the article reader: its text with every evidence span highlighted
    site/id/<kind>/<slug>/index.html      a page for every record and entity (kind: event, person, state, …)
    site/id/<kind>/<slug>.ttl, .jsonld    its own triples, linked from the page as rel="alternate"
    site/id/<kind>/index.html             every resource of a kind
    site/timeline/, network/, figures/    the pictures
    site/search/                          search over labels in both languages (a static index)
    site/sparql/                          a query page for the endpoint `cardf serve` runs beside the site
    site/ontology/                        the ontology's documentation and its class diagram
    site/assets/                          the one stylesheet and the one script

Everything is read from the build's store with SPARQL (`model`); only the article texts come
from the sources, checked against the build. The same build gives the same bytes: every list
is sorted, and nothing records a time. The site loads nothing from the network and links
relatively, so it works from file:// and from any static host. The folder is replaced as a
build's is (`outdir.replace`): only if it is empty or a site cardf wrote.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from .. import docs, export, outdir
from ..errors import InputError, Problem
from ..iris import Minter
from ..ontology import load_ontology_quads
from ..querylib import library
from ..store import holding
from .assets import CSS, JS
from .model import Model, read
from .pages import Alternates, kind_index, record_page
from .pictures import figures, network, timeline
from .portal import home, search_index, search_page, sparql_page
from .reader import reader

__all__ = ["Settings", "Summary", "build", "pages_of"]


@dataclass(frozen=True)
class Settings:
    store: Path  # a build's store (out/store): what the site shows
    data: Path  # the sources: the article texts
    out: Path
    base: str
    ontology: Path
    shapes: Path | None
    queries: Path


@dataclass
class Summary:
    files: int
    bytes: int
    pages: int
    articles: int
    spans: int


def build(settings: Settings) -> Summary:
    """Read the build, write the site into `settings.out` (replaced whole, and only if it is cardf's)."""
    store_path = settings.store
    if not (store_path / "CURRENT").is_file():
        raise InputError(problems=[Problem("no store here; run `cardf build` first, or pass --store DIR (the store/ "
                                           "of a build)", store_path)])
    with holding(store_path, writer=False):
        try:
            store = Store.read_only(str(store_path))
        except OSError as exc:
            raise InputError(problems=[Problem(f"cannot open the store: {exc}", store_path)]) from None
        model = read(store, settings.base, settings.data)
        del store
    summary = Summary(0, 0, len(model.pages), len(model.articles), len(model.spans))

    def write(folder: Path) -> dict[str, str]:
        hashes: dict[str, str] = {}
        made: set[str] = set()
        top = str(folder)
        for rel, data in files(model, settings):
            parent = os.path.dirname(rel)
            if parent not in made:
                os.makedirs(os.path.join(top, parent), exist_ok=True)
                made.add(parent)
            fd = os.open(os.path.join(top, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            hashes[rel] = hashlib.sha256(data).hexdigest()
            summary.files += 1
            summary.bytes += len(data)
        return hashes

    outdir.replace(settings.out, write)
    return summary


def pages_of(model: Model) -> dict[str, int]:
    return dict(sorted(Counter(page.split("/")[1] for page in model.pages.values()).items()))


def files(model: Model, settings: Settings) -> Iterator[tuple[str, bytes]]:
    """Every file of the site, (path under the site, bytes), in a fixed order."""
    prefixes = Minter(settings.base).prefixes()
    yield "assets/site.css", CSS.lstrip().encode("utf-8")
    yield "assets/site.js", JS.lstrip().encode("utf-8")
    yield "index.html", home(model, pages_of(model)).encode("utf-8")
    by_segment: dict[str, list[str]] = {}
    alternates = Alternates(prefixes)
    for iri, page in model.pages.items():
        by_segment.setdefault(page.split("/")[1], []).append(iri)
        article = model.articles.get(iri)
        extra = reader(model, article, prefixes) if article is not None else ""
        yield f"{page}/index.html", record_page(model, iri, prefixes, extra).encode("utf-8")
        turtle, jsonld = alternates(model, iri)
        yield f"{page}.ttl", turtle
        yield f"{page}.jsonld", jsonld
    for segment, members in sorted(by_segment.items()):
        yield f"id/{segment}/index.html", kind_index(model, segment, members).encode("utf-8")
    yield "timeline/index.html", timeline(model).encode("utf-8")
    yield "network/index.html", network(model).encode("utf-8")
    yield "figures/index.html", figures(model).encode("utf-8")
    yield "search/index.html", search_page(len(model.pages)).encode("utf-8")
    yield "search/index.js", search_index(model).encode("utf-8")
    yield "sparql/index.html", sparql_page(model, prefixes, library(settings.queries)).encode("utf-8")
    yield from ontology_files(settings, prefixes)


def ontology_files(settings: Settings, prefixes: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """The ontology's documentation (`cardf ontology docs`), with a way back to the site."""
    built = docs.build(settings.ontology, settings.shapes, None, settings.base)
    page = built.html.replace("<body>", '<body><p style="margin:0;padding:.4rem 2rem;background:#163a5c">'
                              '<a style="color:#fff" href="../index.html">← the cardf site</a></p>', 1)
    yield f"ontology/{docs.PAGE}", page.encode("utf-8")
    yield f"ontology/{docs.DIAGRAM_DOT}", built.dot.encode("utf-8")
    if built.svg:
        yield f"ontology/{docs.DIAGRAM_SVG}", built.svg.encode("utf-8")
    ontology = export.sort_triples(load_ontology_quads(settings.ontology))
    yield f"ontology/{docs.ONTOLOGY_TTL}", export.write_triples(ontology, "ttl", prefixes)
