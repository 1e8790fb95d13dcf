"""`cardf site`: a static site people read, written from a build — offline, deterministic, at the IRIs' paths.

    site/index.html                       the ways in
    site/id/article/<slug>/index.html     the article reader: its text with every evidence span highlighted
    site/id/<kind>/<slug>/index.html      a page for every record and entity (kind: event, person, state, …)
                                          and participation
    site/id/span/<slug>.html              an evidence span's page, sending on to the reader (a file: no folder)
    site/id/<kind>/<slug>.ttl, .jsonld    its own triples, linked from the page as rel="alternate"
    site/id/<kind>/index.html             every resource of a kind
    site/timeline/, network/, figures/    the pictures
    site/search/                          search over labels in both languages (a static index)
    site/sparql/                          a query page for the endpoint `cardf serve` runs beside the site
    site/ontology/                        the ontology's documentation and its class diagram
    site/assets/                          the one stylesheet and the one script

Everything is read from the build's store (`model`); only the article texts come from the
sources, checked against the build. The same build gives the same bytes: every list
is sorted, and nothing records a time. The site loads nothing from the network and links
relatively, so it works from file:// and from any static host. The folder is replaced as a
build's is (`outdir.replace`): only if it is empty or a site cardf wrote.

Speed (a 10,000-article site has about 110,000 pages and 320,000 files): the store is read by
helper processes (`model.StoreReading`), each subject's Turtle and JSON-LD is made once for a
record and its parts, and above `PARALLEL_MIN` pages the pages are written by forked workers
while this process writes the rest; the writer lists what it wrote for the folder's marker.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import docs, export, outdir
from ..errors import CardfError, InputError, Problem
from ..iris import Minter
from ..ontology import load_ontology_quads
from ..outmarker import COMPLETE, Listing
from ..querylib import library
from ..store import holding
from .assets import CSS, JS
from .model import Model, read
from .pages import Alternates, kind_index, record_page, span_page
from .pictures import figures, network, timeline
from .portal import home, search_index, search_page, sparql_page
from .reader import reader

__all__ = ["PARALLEL_MIN", "WORKERS", "Settings", "Summary", "build", "pages_of"]


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
    pages: int  # records and entities
    articles: int
    spans: int
    parts: int  # pages of evidence spans and participations


def build(settings: Settings) -> Summary:
    """Read the build, write the site into `settings.out` (replaced whole, and only if it is cardf's)."""
    store_path = settings.store
    if not (store_path / "CURRENT").is_file():
        raise InputError(problems=[Problem("no store here; run `cardf build` first, or pass --store DIR (the store/ "
                                           "of a build)", store_path)])
    collecting = gc.isenabled()
    gc.disable()  # millions of objects that live as long as the model: collecting them only costs time
    try:
        with holding(store_path, writer=False):
            model = read(store_path, settings.base, settings.data)
        return write_site(model, settings)
    finally:
        if collecting:
            gc.enable()


def write_site(model: Model, settings: Settings) -> Summary:
    """Write the site of a model into `settings.out`, through outdir (replaced whole, or left as it was)."""
    summary = Summary(0, 0, len(model.pages), len(model.articles), len(model.spans), len(model.parts))

    def write(folder: Path) -> Listing:
        writer = Writer(folder)
        prefixes = Minter(settings.base).prefixes()
        groups = page_groups(model)
        for name in sorted({model.folder(iri).rsplit("/", 1)[0] for group in groups for iri in group}):
            os.makedirs(folder / name, exist_ok=True)
        if len(model.pages) + len(model.parts) >= PARALLEL_MIN and WORKERS > 1:
            with pages_in_workers(folder, model, prefixes, groups, WORKERS) as collect:
                writer.write_all(site_files(model, settings, prefixes))
                take_pages(writer, Alternates(prefixes))  # then the pages the workers have not taken yet
                for listed, made, size in collect():
                    writer.add(listed, made, size)
        else:
            writer.write_all(page_files(model, prefixes, groups, Alternates(prefixes)))
            writer.write_all(site_files(model, settings, prefixes))
        summary.files, summary.bytes = len(writer.listed), writer.bytes
        return writer.listing()

    outdir.replace(settings.out, write)
    return summary


# Below this many pages the site is written in one process; above, the pages are shared among worker
# processes, one per core (a 10,000-article site has about 100,000 pages and 300,000 files).
PARALLEL_MIN = 3000
WORKERS = min(os.cpu_count() or 1, 4)


class Writer:
    """Writes files under one folder, and lists what it wrote (each file's size and SHA-256, each folder) for the
    folder's marker, so that nobody walks three hundred thousand files again to list them."""

    def __init__(self, top: Path):
        self.top = str(top)
        self.made: set[str] = set()  # the folders of the files written
        self.listed: dict[str, tuple[int, str]] = {}
        self.bytes = 0

    def write_all(self, files: Iterable[tuple[str, bytes]]) -> None:
        top, made, listed = self.top, self.made, self.listed
        for rel, data in files:
            parent = os.path.dirname(rel)
            if parent not in made:
                try:
                    os.mkdir(os.path.join(top, parent))  # a page's folder, in a folder already made
                except FileExistsError:
                    pass
                except FileNotFoundError:
                    os.makedirs(os.path.join(top, parent), exist_ok=True)
                made.add(parent)
            fd = os.open(os.path.join(top, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            listed[rel] = (len(data), hashlib.sha256(data).hexdigest())
            self.bytes += len(data)

    def add(self, listed: dict[str, tuple[int, str]], made: set[str], size: int) -> None:
        self.listed.update(listed)
        self.made |= made
        self.bytes += size

    def listing(self) -> Listing:
        folders = set()
        for folder in self.made:
            while folder and folder not in folders:
                folders.add(folder)
                folder = os.path.dirname(folder)
        return Listing(COMPLETE, self.listed, sorted(folders))


_JOB: tuple | None = None  # what the worker processes inherit: (folder, model, prefixes, chunks, next chunk)


@contextmanager
def pages_in_workers(folder: Path, model: Model, prefixes: dict[str, str], groups: list[list[str]], workers: int):
    """Write the pages in worker processes (forked: they share the model), while this one writes the rest, then
    takes pages as they do (`take_pages`).

    Yields a function that waits for the workers and yields what each one wrote (files, folders, bytes). Every file's
    bytes depend only on the model, never on which process writes it, so the site is the same however many.
    The pages are dealt in chunks (of groups, see `page_groups`), taken in turn, so a worker slowed by other
    work on the machine takes fewer of them.
    """
    global _JOB
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    count = workers * 16
    _JOB = (folder, model, prefixes, [groups[k::count] for k in range(count)], ctx.Value("i", 0))
    gc.collect()
    gc.freeze()  # the model's objects stay on shared pages: the workers' collector leaves them alone
    conns, processes = [], []
    try:
        for _ in range(workers):
            receiver, sender = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_work, args=(sender,), daemon=True)
            process.start()
            sender.close()
            conns.append(receiver)
            processes.append(process)

        def collect() -> Iterator[tuple[dict[str, tuple[int, str]], set[str], int]]:
            for conn in conns:
                try:
                    outcome = conn.recv()
                except EOFError:
                    raise CardfError("a worker process of `cardf site` stopped unexpectedly") from None
                if outcome[0] == "error":
                    raise outcome[1]
                yield outcome[1:]

        yield collect
    finally:
        _JOB = None
        gc.unfreeze()
        for conn in conns:
            conn.close()
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()


def take_pages(writer: Writer, alternates: Alternates) -> None:
    """Take chunks of pages (of `_JOB`) until none is left, and write them."""
    _, model, prefixes, chunks, taken = _JOB
    while True:
        with taken.get_lock():
            k = taken.value
            taken.value += 1
        if k >= len(chunks):
            break
        writer.write_all(page_files(model, prefixes, chunks[k], alternates))


def _work(conn) -> None:
    """A worker process: take chunks of pages until none is left, write them, send back what it wrote."""
    gc.disable()
    writer = Writer(_JOB[0])
    try:
        take_pages(writer, Alternates(_JOB[2]))
        conn.send(("done", writer.listed, writer.made, writer.bytes))
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # noqa: BLE001 — handed to the parent, which raises it
        conn.send(("error", exc))
    finally:
        conn.close()


def pages_of(model: Model) -> dict[str, int]:
    return dict(sorted(Counter(page.split("/")[1] for page in model.pages.values()).items()))


def page_groups(model: Model) -> list[list[str]]:
    """Every page, a record or entity followed by the pages of its parts (its evidence spans and participations,
    whose triples its alternates hold too); then any part no record cites."""
    groups, grouped = [], set()
    for iri in model.pages:
        parts = [s for s in model.described(iri) if s in model.parts and s not in grouped]
        grouped.update(parts)
        groups.append([iri, *parts])
    groups += [[iri] for iri in model.parts if iri not in grouped]
    return groups


def page_files(model: Model, prefixes: dict[str, str], groups: Iterable[list[str]],
               alternates: Alternates) -> Iterator[tuple[str, bytes]]:
    """Each page's HTML and alternates: a record's or entity's (an article's with its reader), a span's, a
    participation's."""
    for group in groups:
        alternates.forget()
        for iri in group:
            if iri in model.spans:
                html = span_page(model, iri)
            else:
                article = model.articles.get(iri)
                html = record_page(model, iri, prefixes,
                                   reader(model, article, prefixes) if article is not None else "")
            path = model.folder(iri)
            yield model.page(iri), html.encode("utf-8")
            turtle, jsonld = alternates(model, iri)
            yield f"{path}.ttl", turtle
            yield f"{path}.jsonld", jsonld


def site_files(model: Model, settings: Settings, prefixes: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """Every file of the site but the pages, in a fixed order."""
    yield "assets/site.css", CSS.lstrip().encode("utf-8")
    yield "assets/site.js", JS.lstrip().encode("utf-8")
    yield "index.html", home(model, pages_of(model)).encode("utf-8")
    by_segment: dict[str, list[str]] = {}
    for iri, page in model.pages.items():
        by_segment.setdefault(page.split("/")[1], []).append(iri)
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
