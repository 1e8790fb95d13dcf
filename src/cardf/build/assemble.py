"""The assembler: from the layout of a build to its files, its store and its validation, in one folder.

1. cardf.nt and cardf.nq are written first, from the blocks (cardf.nt always: validation reads it).
2. The store is made while the data is validated: a clean build bulk-loads cardf.nq into a new
   store; a build from a previous one copies its store and replaces the graphs that changed.
3. Validation: on a clean build (or when a change reaches too far) every focus node, on an
   in-memory store of the union; otherwise only the focus nodes the change can reach, on the
   new store, with the previous findings standing for the rest.
4. Data that does not conform stops here (NotConforming); otherwise cardf.ttl, .trig and .jsonld
   are written (while validating, when only a few graphs changed), then ontology.ttl and report.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, Triple, parse

from ..errors import NotConforming
from ..export import subject_key
from ..export.jsonld import jsonld_frame
from ..export.turtle import header
from ..shacl import Report
from ..shacl.literals import LiteralForms
from ..shacl.originals import StoreOriginals
from .identity import CONSTRAINT as IDENTITY
from .layout import Kept, Layout, Piece
from .previous import GraphSpan, Previous
from .project import Project, Settings

STEM = "cardf"
STORE_DIR = "store"
REPORT_FILE = "report.json"
NQ_TMP = ".cardf.nq.tmp"
NT_TMP = ".cardf.nt.tmp"
STORE_SLICE = 32 << 20  # bytes of N-Quads per bulk load


@dataclass
class Assembly:
    """Everything the assembler puts together, besides the layout."""

    project: Project
    plan: object  # the compiled shapes
    previous: Previous
    replaced: set[str]  # graphs whose blocks are new in this build
    removed: set[str]  # graphs of the previous build that are gone
    forms: LiteralForms
    predicates: frozenset[str]
    origins: object  # resource IRI → Origin (a dict, or previous.LazyOrigins)
    records: Counter
    slugs: list[str]
    identity: list = field(default_factory=list)  # the identity check's warnings (see identity.py)
    release: Callable[[str], None] = lambda kind: None  # the blocks of one kind are no longer needed
    timings: dict = field(default_factory=dict)
    computed: dict = field(default_factory=dict)  # computed graph → digest of its triples (for the index)


@dataclass
class Written:
    report: Report
    summary: dict
    spans: dict  # format → (begins, ends) of each subject or graph
    nt_lines: array  # lines (triples) of each subject's block in cardf.nt


class FileWriter:
    """Writes a file in large chunks, noting its size, SHA-256 and where each item starts and ends."""

    CHUNK = 1 << 22

    def __init__(self, path: Path, lines: bool = False):
        self.path = path
        self.lines = array("I") if lines else None  # each item's line count, when asked for
        self.file = open(path, "wb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.begins: list[int] = []
        self.ends: list[int] = []

    def position(self) -> int:
        return self.size + self.buffered

    def add(self, data) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= self.CHUNK:
            self.flush()

    def item(self, data) -> None:
        self.begins.append(self.position())
        self.add(data)
        self.ends.append(self.position())
        if self.lines is not None:
            self.lines.append(data.count(b"\n"))

    def run(self, data: memoryview, begins, ends, base: int, lines=None) -> None:
        """Items copied as one run from another file, where they started at `base` (`lines`: their line counts).

        A long run goes from the old file's pages to the new file without a copy in Python (and
        without holding Python's lock), so that several files can be written at once.
        """
        shift = self.position() - base
        self.begins.extend(b + shift for b in begins)
        self.ends.extend(e + shift for e in ends)
        if self.lines is not None:
            self.lines.extend(lines)
        if len(data) < self.CHUNK:
            self.add(bytes(data))
            return
        self.flush()
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)

    def flush(self) -> None:
        if self.buffer:
            data = b"".join(self.buffer)
            self.file.write(data)
            self.hash.update(data)
            self.size += len(data)
            self.buffer, self.buffered = [], 0

    def close(self) -> tuple[int, str]:
        self.flush()
        self.file.close()
        return self.size, self.hash.hexdigest()

    def abort(self) -> None:
        self.file.close()


def write_union(path: Path, kind: str, lay: Layout, previous: Previous, head: bytes = b"", tail: bytes = b"",
                separator: bytes = b""):
    """cardf.nt, .ttl or .jsonld: the subjects' blocks in order; returns (size, sha256), begins, ends and, for
    cardf.nt, each subject's line count (the build's triple count without reading the file again; else None)."""
    w = FileWriter(path, lines=kind == "nt")
    try:
        w.add(head)
        sources, graphs = lay.sources, lay.graphs
        n, i = len(sources), 0
        while i < n:
            if i and separator:
                w.add(separator)
            source = sources[i]
            if isinstance(source, Kept):  # a run of subjects that stand together in the previous file
                j = _run_end(sources, i, lambda s: s.i if isinstance(s, Kept) else None)
                data, begins, ends = previous.union_run(kind, source.i, sources[j].i)
                lines = previous.nt_lines(source.i, sources[j].i) if kind == "nt" else None
                w.run(data, begins, ends, begins[0], lines)
                i = j + 1
                continue
            if isinstance(source, Piece):
                w.item(graphs[source.g].piece(kind, source.j))
            else:
                w.item({"nt": source.nt, "ttl": source.ttl, "jsonld": source.jsonld}[kind])
            i += 1
        w.add(tail)
    except BaseException:
        w.abort()
        raise
    return w.close(), w.begins, w.ends, w.lines


def _run_end(items: list, i: int, place) -> int:
    """The last j from i on such that items i..j stand one after another in the previous file (`place`: an
    item's position there, None for a new one), so that they are copied as one run."""
    j, at, n = i, place(items[i]), len(items)
    while j + 1 < n:
        following = place(items[j + 1])
        if following is None or following != at + 1:
            break
        j, at = j + 1, following
    return j


def write_graphs(path: Path, kind: str, lay: Layout, head: bytes = b""):
    """cardf.nq or .trig: the graphs' blocks in order."""
    w = FileWriter(path)
    try:
        w.add(head)
        graphs, n, i = lay.graphs, len(lay.graphs), 0
        while i < n:
            p = graphs[i]
            if isinstance(p, GraphSpan):  # a run of graphs that stand together in the previous file
                j = _run_end(graphs, i, lambda q: q.g if isinstance(q, GraphSpan) else None)
                data, begins, ends = p.previous.union_run(kind, p.g, graphs[j].g)
                w.run(data, begins, ends, begins[0])
                i = j + 1
                continue
            w.item(p.blob(kind))
            i += 1
    except BaseException:
        w.abort()
        raise
    return w.close(), w.begins, w.ends


def _file_jobs(folder: Path, lay: Layout, job: Assembly) -> dict:
    prefixes = job.project.prefixes
    head, tail = jsonld_frame(job.project.context)
    return {
        "ttl": (write_union, folder / f"{STEM}.ttl", "ttl", lay, job.previous,
                header({k: prefixes[k] for k in sorted(lay.used())}, "ttl")),
        "jsonld": (write_union, folder / f"{STEM}.jsonld", "jsonld", lay, job.previous, head.encode("utf-8"),
                   tail.encode("utf-8"), b",\n"),
        "trig": (write_graphs, folder / f"{STEM}.trig", "trig", lay,
                 header({k: prefixes[k] for k in sorted(lay.used_with_graphs())}, "trig")),
    }


def write_build(folder: Path, lay: Layout, job: Assembly) -> Written:
    """Write every output of the build into `folder`; raise NotConforming before the last files."""
    settings, timings = job.project.settings, job.timings
    files: dict[str, tuple[int, str]] = {}
    spans: dict[str, tuple] = {}

    def done(fmt, result, keep: bool = True):
        (size_sha, begins, ends) = result[:3]
        if keep:
            files[f"{STEM}.{fmt}"] = size_sha
        spans[fmt] = (array("q", begins), array("q", ends))
        if pool is None:
            job.release(fmt)

    pool = None
    nt_path = folder / (f"{STEM}.nt" if "nt" in settings.formats else NT_TMP)
    nq_path = folder / (f"{STEM}.nq" if "nq" in settings.formats else NQ_TMP)
    few = not job.previous.is_empty  # few graphs changed: the files are mostly copied runs, written side by side
    jobs = {fmt: j for fmt, j in _file_jobs(folder, lay, job).items() if fmt in settings.formats}
    futures: dict = {}
    if few:  # cardf.nq and the other files while cardf.nt is written, the store updated and the change validated
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=2)
        futures["nq"] = pool.submit(write_graphs, nq_path, "nq", lay)
        futures.update({fmt: pool.submit(j[0], *j[1:]) for fmt, j in jobs.items()})
    nq_lock = threading.Lock()

    def graph_ends():
        """Where cardf.nq's graphs end, once it is written (a new store is loaded from it)."""
        with nq_lock:
            if "nq" not in spans:
                done("nq", futures["nq"].result() if few else write_graphs(nq_path, "nq", lay),
                     "nq" in settings.formats)
            return spans["nq"][1]

    try:
        t0 = time.perf_counter()
        nt = write_union(nt_path, "nt", lay, job.previous)
        done("nt", nt, "nt" in settings.formats)
        nt_lines = nt[3]
        total = sum(nt_lines)
        if not few:
            graph_ends()
        timings["nt and nq"] = time.perf_counter() - t0
        failure: list = []
        store_path = folder / STORE_DIR
        filler = None
        if settings.store:  # while the store fills (outside Python's lock), the data is validated
            filler = threading.Thread(target=_fill_store, args=(store_path, nq_path, graph_ends, lay, job, failure),
                                      daemon=True)
            filler.start()
        t0 = time.perf_counter()
        try:
            report = _validate(nt_path, store_path, lay, job, filler)
        finally:
            if filler is not None:
                filler.join()
        timings["validate"] = time.perf_counter() - t0
        report = with_identity(report, job.identity)
        if failure:
            raise failure[0]
        if not report.conforms:
            raise not_conforming(report, job.project, settings)
        t0 = time.perf_counter()
        graph_ends()
        for fmt, j in jobs.items():
            done(fmt, futures[fmt].result() if pool is not None else j[0](*j[1:]))
        timings["other files"] = time.perf_counter() - t0
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for path in (folder / NT_TMP, folder / NQ_TMP):
        path.unlink(missing_ok=True)

    ontology_ttl = _ontology_file(job)
    (folder / "ontology.ttl").write_bytes(ontology_ttl)
    files["ontology.ttl"] = (len(ontology_ttl), hashlib.sha256(ontology_ttl).hexdigest())
    per_graph = {p.graph: p.triples for p in lay.graphs if p.triples}
    summary = summarize(job.slugs, job.records, total, per_graph, report, files, settings)
    (folder / REPORT_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Written(report, summary, spans, nt_lines)


def _ontology_file(job: Assembly) -> bytes:
    from ..export import sort_triples, write_triples

    previous = job.previous
    if not previous.is_empty:  # the ontology did not change (the previous build's key says so)
        return (previous.out / "ontology.ttl").read_bytes()
    return write_triples(sort_triples(job.project.ontology), "ttl", job.project.prefixes)


def _fill_store(path: Path, nquads: Path, graph_ends: Callable, lay: Layout, job: Assembly, failure: list) -> None:
    """The build's store: the previous one with the changed graphs replaced, or a new one bulk-loaded."""
    try:
        if job.previous.is_empty or not _update_store(job.previous.out / STORE_DIR, path, lay, job):
            _load_store(path, nquads, graph_ends())
    except BaseException as exc:  # handed to the main thread
        failure.append(exc)


def _load_store(path: Path, nquads: Path, graph_ends) -> None:
    """Bulk-load N-Quads into a new on-disk store, in slices (the bulk loader's memory grows with its input).

    Each slice ends where a graph ends (`graph_ends`: the byte offsets where cardf.nq's graphs end):
    the loader names blank nodes afresh at each call, so a blank node whose statements were split
    between two slices would become two.
    """
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    store = Store(str(path))
    with open(nquads, "rb") as f:
        start, size = 0, os.fstat(f.fileno()).st_size
        while start < size:
            i = bisect_right(graph_ends, start + STORE_SLICE) - 1  # the last graph that ends within the slice
            stop = graph_ends[i] if i >= 0 and graph_ends[i] > start else \
                next((e for e in graph_ends[i + 1:] if e > start), size)  # one graph larger than a slice
            if stop == graph_ends[-1]:
                stop = size
            store.bulk_load(f.read(stop - start), format=RdfFormat.N_QUADS)
            start = stop
    store.optimize()  # one slice per file leaves overlapping files: compacted, queries read half as much
    store.flush()
    del store


def _update_store(old: Path, new: Path, lay: Layout, job: Assembly) -> bool:
    """The previous store copied (hard links on the same disk), the graphs that changed replaced; False if it cannot."""
    try:
        Store.read_only(str(old)).backup(str(new))
    except OSError:
        return False
    store = Store(str(new))
    for name in sorted(job.removed):
        store.remove_graph(NamedNode(name))
    for p in lay.graphs:
        if p.graph in job.replaced:
            graph = NamedNode(p.graph)
            store.clear_graph(graph)
            store.extend(parse(bytes(p.blob("nq")), format=RdfFormat.N_QUADS))
    store.flush()
    del store
    return True


def _validate(nt_path: Path, store_path: Path, lay: Layout, job: Assembly, filler) -> Report:
    """Only what the change can reach when there was a previous build, else (or when that cannot be told) all."""
    from ..shacl.engine import FastValidator, NeedsFullRun  # rdflib and pySHACL: not for a build with nothing to do

    validator = FastValidator(job.plan)
    graphs = [p.graph for p in lay.graphs]
    by_graph = {p.graph: p for p in lay.graphs}
    keys, owners = lay.keys, lay.owners  # in subject-key order: looked up, not put in a dict, for the few asked about

    def owner_names(key: str) -> list[str]:
        i = bisect_left(keys, key)
        return [graphs[g] for g in owners[i]] if i < len(keys) and keys[i] == key else []

    origins = job.origins
    if hasattr(origins, "owners_of"):
        origins.owners_of = owner_names

    def originals(store):
        return StoreOriginals(store, lambda term: owner_names(subject_key(term)),
                              lambda name: by_graph[name].blob("nq"), graphs, job.forms, job.predicates)

    if not job.previous.is_empty and filler is not None:
        filler.join()  # the restricted run reads the new store
        store = Store(str(store_path))
        try:
            delta = _delta(lay, job)
            affected = validator.affected(store, delta)
            job.timings["revalidated"] = None if affected is None else len(affected)
            if affected is not None:
                try:
                    return validator.run(store, originals(store), origins, restrict=affected,
                                         previous=[f for f in job.previous.index.findings
                                                   if f.constraint != IDENTITY])
                except NeedsFullRun:
                    pass
        finally:
            del store
    union = Store()  # the merged graph, as pySHACL sees it: in memory, one default graph
    union.bulk_load(path=str(nt_path), format=RdfFormat.N_TRIPLES)
    report = validator.run(union, originals(union), origins)
    job.timings["validate parts"] = vars(validator.timings)
    return report


def with_identity(report: Report, identity: list) -> Report:
    """The shapes' findings and the identity check's, in the report's order (warnings: conformance unchanged)."""
    if not identity:
        return report
    from ..shacl.report import Finding

    return Report(report.conforms, sorted(report.findings + identity, key=Finding.key), report.report_graph)


def _delta(lay: Layout, job: Assembly) -> list[Triple]:
    """The triples added or removed, graph by graph, between the previous build and this one."""
    def triples(data) -> set:
        return {q.triple for q in parse(bytes(data), format=RdfFormat.N_QUADS)} if data else set()

    before = job.previous.graph_spans()
    delta: set[Triple] = set()
    for p in lay.graphs:
        if p.graph in job.replaced:
            old = before.get(p.graph)
            delta |= triples(p.blob("nq")) ^ (triples(old.blob("nq")) if old is not None else set())
    for name in job.removed:
        delta |= triples(before[name].blob("nq"))
    return list(delta)


def summarize(slugs, records, total: int, per_graph: dict, report: Report, files: dict[str, tuple[int, str]],
              settings: Settings) -> dict:
    return {
        "articles": list(slugs),
        "records": dict(sorted(records.items())),
        "triples": {"total": total, "quads": sum(per_graph.values()), "graphs": dict(sorted(per_graph.items()))},
        "validation": {"conforms": report.conforms, "violations": report.violations,
                       "warnings": report.count("Warning"), "infos": report.count("Info")},
        "files": {name: {"bytes": size, "sha256": digest} for name, (size, digest) in sorted(files.items())},
        "store": STORE_DIR if settings.store else None,
    }


def not_conforming(report: Report, project: Project, settings: Settings) -> NotConforming:
    exc = NotConforming(f"the data does not conform to the shapes: {report.violations} violation(s); "
                        f"nothing was written to {settings.out}")
    exc.report, exc.prefixes = report, project.prefixes
    return exc

