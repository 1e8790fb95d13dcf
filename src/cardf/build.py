"""The pipeline: sources → RDF → validation → every output format, written all-or-nothing.

Outputs are written into a fresh folder beside the target and swapped in only once all of
them are complete, so an interrupted or failed build leaves the previous `dist/` as it was.

Built for ten thousand articles. Each article is read, mapped and serialized on its own, by
two worker processes when there are many: an article's graph depends only on that article
and on which kind of record every id names, so the workers read first, swap the ids they
found, then map. Every output file is put together from per-graph and per-subject pieces cut
from pyoxigraph's output (see export.pieces), so the bytes are those of the straightforward
path (`run_reference`), which tests compare. The pieces are then bulk-loaded into the store,
and the store is validated with the fast validator (fastshacl), which gives pySHACL's findings.

A later build of the same output folder reuses the previous one (see `cache.py`): an article whose
files did not change is not read again; its pieces are copied from the previous output files.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from . import export
from .errors import CardfError, ExternalError, NotConforming, Problem, UsageError
from .iris import Minter
from .mapping import Mapped, map_corpus
from .ontology import build_context, load_ontology_quads
from .rdfio import read_quads
from .reading import ArticleResult, MemoryPieces, Progress, Project, Sources, parse_nq, read_sources, shared_pieces
from .sources import Corpus, load_corpus, load_vocabulary
from .store import write_store
from .validate import Report, load_shapes, validate

REPORT_FILE = "report.json"
STORE_DIR = "store"
STEM = "cardf"
NQ_TMP = ".cardf.nq.tmp"
NT_TMP = ".cardf.nt.tmp"
STORE_SLICE = 32 << 20  # bytes of N-Quads per bulk load


@dataclass
class Settings:
    data: Path
    out: Path
    ontology: Path
    shapes: Path
    base: str
    formats: tuple[str, ...] = export.FORMATS
    store: bool = True


@dataclass
class Built:
    corpus: Corpus | None
    mapped: Mapped | None
    ontology: list[Triple]
    quads: list[Quad] | None
    report: Report
    minter: Minter
    files: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def shape_files(shapes: Path) -> list[Path]:
    return sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]


# ----------------------------------------------------------------------------- the reference path

def assemble(mapped: Mapped, ontology: list[Triple], minter: Minter) -> list[Quad]:
    """All quads: one graph per article, one for the entities, one shared, one for the ontology."""
    quads = [Quad(t.subject, t.predicate, t.object, mapped.entities_graph) for t in mapped.entities]
    quads += [Quad(t.subject, t.predicate, t.object, mapped.shared_graph) for t in mapped.shared]
    for a in mapped.articles:
        quads += [Quad(t.subject, t.predicate, t.object, a.graph) for t in a.triples]
    graph = minter.ontology_graph()
    quads += [Quad(t.subject, t.predicate, t.object, graph) for t in ontology]
    return export.sort_quads(quads)


def prepare(settings: Settings, inference: str = "none") -> Built:
    """Read, map and validate with pySHACL, in one process and in memory; nothing is written."""
    minter = Minter(settings.base)
    ontology = load_ontology_quads(settings.ontology)
    vocab = load_vocabulary(settings.ontology)
    corpus = load_corpus(settings.data, vocab)
    mapped = map_corpus(corpus, minter)
    data = list(mapped.entities) + list(mapped.shared) + [t for a in mapped.articles for t in a.triples]
    report = validate(data, load_shapes(shape_files(settings.shapes)), ontology, mapped.origins, inference)
    quads = assemble(mapped, ontology, minter)
    return Built(corpus, mapped, ontology, quads, report, minter)


def run_reference(settings: Settings) -> Built:
    """The straightforward build (rdflib and pySHACL, one process): the bytes the fast path must give."""
    built = prepare(settings)
    if not built.report.conforms:
        raise _not_conforming(built.report, built.minter, settings)
    write_outputs(built, settings)
    return built


def write_outputs(built: Built, settings: Settings) -> None:
    def write_all(folder: Path) -> None:
        prefixes = built.minter.prefixes()
        quads = built.quads
        union = export.sort_triples(q.triple for q in quads)
        files: dict[str, bytes] = {}
        for fmt in settings.formats:
            name = f"{STEM}.{fmt}"
            if fmt in ("trig", "nq"):
                files[name] = export.write_quads(quads, fmt, prefixes)
            elif fmt == "jsonld":
                files[name] = export.write_jsonld(union, build_context(built.ontology, built.minter))
            else:
                files[name] = export.write_triples(union, fmt, prefixes)
        files["ontology.ttl"] = export.write_triples(export.sort_triples(built.ontology), "ttl", prefixes)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        if settings.store:
            write_store(folder / STORE_DIR, quads)
        built.summary = summarize(built, files, settings)
        _write_report(folder, built.summary)

    _in_staging(settings.out, write_all)


def summarize(built: Built, files: dict[str, bytes], settings: Settings) -> dict:
    per_graph = Counter(q.graph_name.value for q in built.quads)
    records = Counter(r.kind.name for r in built.corpus.records())
    return _summary([a.slug for a in built.corpus.articles], records, len({q.triple for q in built.quads}),
                    len(built.quads), per_graph, built.report,
                    {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()}, settings)


def _summary(slugs, records, total, quads, per_graph, report, files: dict[str, tuple[int, str]], settings) -> dict:
    return {
        "articles": list(slugs),
        "records": dict(sorted(records.items())),
        "triples": {"total": total, "quads": quads, "graphs": dict(sorted(per_graph.items()))},
        "validation": {"conforms": report.conforms, "violations": report.violations,
                       "warnings": report.count("Warning"), "infos": report.count("Info")},
        "files": {name: {"bytes": size, "sha256": digest} for name, (size, digest) in sorted(files.items())},
        "store": STORE_DIR if settings.store else None,
    }


def _write_report(folder: Path, summary: dict) -> None:
    (folder / REPORT_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _not_conforming(report: Report, minter: Minter, settings: Settings) -> NotConforming:
    exc = NotConforming(f"the data does not conform to the shapes: {report.violations} violation(s); "
                        f"nothing was written to {settings.out}")
    exc.report, exc.prefixes = report, minter.prefixes()
    return exc


# ----------------------------------------------------------------------------- all-or-nothing output

def _in_staging(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write` on a fresh folder beside `out`, then swap it in; on any failure leave `out` as it was."""
    _check_target(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror}", out)]) from None
    try:
        write(staging)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}", out)]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _check_target(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier build: `--out .` must not wipe a project."""
    if out.exists() and not out.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder", out)])
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_FILE).is_file():
        raise UsageError(problems=[Problem(f"is not empty and holds no {REPORT_FILE} from an earlier build; "
                                           "cardf replaces its output folder whole, so choose an empty or new one",
                                           out)])


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------------- the fast path

def run(settings: Settings, progress: Progress | None = None) -> Built:
    """Build: read and map the articles (in parallel), validate, write every format and the store.

    Gives the bytes of `run_reference` and pySHACL's verdict, in a fraction of the time; reuses
    the previous build of the same output folder for articles that did not change.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the build makes millions of small objects and frees few: collection would only cost
    try:
        return _build(settings, progress)
    except OSError as exc:  # anything the output stage did not already turn into a message
        raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}",
                                              settings.out)]) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def validate_files(files: list[Path], settings: Settings, input_format: str | None, with_ontology: bool,
                   inference: str, engine: str = "fast") -> tuple[Report, dict[str, str]]:
    """`cardf validate`: the project's sources when no files are given, else the given RDF files.

    For files, the project's sources (when they load) still tell which YAML line produced a
    resource, so a report on `dist/cardf.ttl` points back at `facts.yaml`. The fast engine
    (fastshacl) gives pySHACL's findings; `engine="pyshacl"` runs pySHACL itself.
    """
    from . import fastshacl

    check = validate if engine == "pyshacl" else fastshacl.validate
    minter = Minter(settings.base)
    shapes = load_shapes(shape_files(settings.shapes))
    ontology = load_ontology_quads(settings.ontology)
    if not files:
        project = Project(settings)
        sources = read_sources(project, None)
        data = list(sources.entities) + sources.shared() + \
            [t for r in sources.results for t in parse_nq(r.pieces.blob("nq"))]
        return check(data, shapes, ontology, sources.origins(), inference), minter.prefixes()
    data: list[Triple] = []
    for path in files:
        data += [q.triple for q in read_quads(path, input_format)]
    origins = {}
    if settings.data.is_dir():
        try:
            corpus = load_corpus(settings.data, load_vocabulary(settings.ontology))
            origins = map_corpus(corpus, minter).origins
        except CardfError:
            origins = {}
    return check(data, shapes, ontology if with_ontology else [], origins, inference), minter.prefixes()


# ----------------------------------------------------------------------------- putting the files together

@dataclass
class Layout:
    """Every graph's pieces, and the union's subjects in order: the plan of every output file."""

    graphs: list[export.Pieces]  # sorted by graph name, as sort_quads orders them
    subjects: list[tuple[int, int]]  # per subject of the union, in order: (graph, position) of its piece
    merged: dict[int, tuple[bytes, bytes, str]]  # subject → its nt, ttl, jsonld pieces when graphs differ
    used: set[str]  # prefixes the triples use
    used_trig: set[str]  # … and the graph names
    total: int  # distinct triples of the union

    def owners(self) -> dict[str, list[str]]:
        """Subject key → the graphs that hold triples of it."""
        found: dict[str, list[str]] = {}
        for p in self.graphs:
            for key in p.keys:
                found.setdefault(key, []).append(p.graph)
        return found

    def union_pieces(self, kind: str):
        """The pieces of cardf.nt, cardf.ttl or cardf.jsonld, in order."""
        index = {"nt": 0, "ttl": 1, "jsonld": 2}[kind]
        graphs = self.graphs
        for i, (g, j) in enumerate(self.subjects):
            merged = self.merged.get(i)
            if merged is not None:
                yield merged[index]
            else:
                yield graphs[g].piece(kind, j)


def layout(project: Project, graphs: list) -> Layout:
    graphs = sorted(graphs, key=lambda p: p.graph)
    entries = [(key, g, j) for g, p in enumerate(graphs) for j, key in enumerate(p.keys)]
    entries.sort()
    subjects: list[tuple[int, int]] = []
    merged: dict[int, tuple[bytes, bytes, str]] = {}
    total = 0
    i, n = 0, len(entries)
    while i < n:
        key, g, j = entries[i]
        k = i + 1
        while k < n and entries[k][0] == key:
            k += 1
        nt = graphs[g].piece("nt", j)
        if k - i > 1 and any(graphs[g2].piece("nt", j2) != nt for _, g2, j2 in entries[i + 1:k]):
            triples = set()
            for _, g2, j2 in entries[i:k]:
                triples.update(t for t in parse(bytes(graphs[g2].piece("nt", j2)), format=RdfFormat.N_TRIPLES))
            one = project.pieces(triples, NamedNode("urn:cardf:merged"))
            merged[len(subjects)] = (one.nt[0], one.ttl[0], one.jsonld[0].encode("utf-8"))
            nt = one.nt[0]
        total += nt.count(b"\n")
        subjects.append((g, j))
        i = k
    used = set().union(*(p.used for p in graphs)) if graphs else set()
    used_trig = used | {p.graph_prefix for p in graphs if p.graph_prefix}
    return Layout(graphs, subjects, merged, used, used_trig, total)


class FileWriter:
    """Writes a file from pieces in large chunks, and its size and SHA-256 as it goes."""

    CHUNK = 1 << 22

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.buffer: list[bytes] = []
        self.buffered = 0

    def add(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= self.CHUNK:
            self.flush()

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


def write_file(path: Path, pieces, starts: list | None = None) -> tuple[int, str]:
    """Write the pieces; with `starts`, note where each piece starts in the file."""
    writer = FileWriter(path)
    try:
        if starts is None:
            for piece in pieces:
                writer.add(piece)
        else:
            for piece in pieces:
                starts.append(writer.size + writer.buffered)
                writer.add(piece)
    except BaseException:
        writer.file.close()
        raise
    return writer.close()


def file_pieces(fmt: str, project: Project, lay: Layout):
    """The pieces of one output file, in order (bytes)."""
    prefixes = project.prefixes
    if fmt == "nq":
        return (p.blob("nq") for p in lay.graphs)
    if fmt == "trig":
        header = export.turtle_header({k: prefixes[k] for k in sorted(lay.used_trig)}, "trig")
        return _chain([header], (p.blob("trig") for p in lay.graphs))
    if fmt == "ttl":
        header = export.turtle_header({k: prefixes[k] for k in sorted(lay.used)}, "ttl")
        return _chain([header], lay.union_pieces("ttl"))
    if fmt == "nt":
        return lay.union_pieces("nt")
    if fmt == "jsonld":
        head, tail = export.jsonld_frame(project.context)

        def text():
            yield head.encode("utf-8")
            first = True
            for node in lay.union_pieces("jsonld"):
                if not first:
                    yield b",\n"
                yield node
                first = False
            yield tail.encode("utf-8")
        return text()
    raise ValueError(fmt)


def _chain(*parts):
    for part in parts:
        yield from part


# ----------------------------------------------------------------------------- the original data, for validation

class BuildOriginals:
    """The graphs as mapped (not as Oxigraph stores them): the fast validator's verdict reads these.

    `owners` gives the graphs holding triples of a subject (by export.subject_key), `nquads`
    a graph's N-Quads; the store (the union of the graphs) finds who points at a node.
    """

    def __init__(self, store: Store, owners: Callable[[str], list[str]], nquads: Callable[[str], bytes],
                 graphs: list[str], forms, predicates):
        self.store, self.owners, self.nquads, self.graphs = store, owners, nquads, graphs
        self.forms, self.predicates = forms, frozenset(predicates)
        self._parsed: dict[str, list[Triple]] = {}

    def _graph(self, name: str) -> list[Triple]:
        if name not in self._parsed:
            self._parsed[name] = parse_nq(self.nquads(name))
        return self._parsed[name]

    def _graphs_of(self, subjects) -> set[str]:
        return {g for s in subjects if not isinstance(s, Literal) for g in self.owners(export.subject_key(s))}

    def referrers(self, nodes: set, predicates: frozenset | None = None) -> set:
        named = [n for n in nodes if not isinstance(n, (BlankNode, Literal))]
        if predicates is not None:
            if not predicates or not named:
                return set()
            only = "VALUES ?p { " + " ".join(f"<{p}>" for p in sorted(predicates)) + " } "
        else:
            only = ""
        found = set()
        for i in range(0, len(named), 1000):
            values = " ".join(str(n) for n in named[i:i + 1000])
            found.update(row[0] for row in self.store.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?n {{ {values} }} {only}?s ?p ?n }}",
                use_default_graph_as_union=True))
        return found

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        from .fastshacl import SUBCLASS, triples_around

        every = set(traced) if inverse is not None else set(nodes) | set(traced)
        referrers = self.referrers(every) | self.referrers(set(nodes) - every, inverse)
        outgoing: dict = {}
        incoming: dict = {}
        seen: set[str] = set()

        def index(names):
            for name in sorted(set(names) - seen):
                seen.add(name)
                for t in self._graph(name):
                    outgoing.setdefault(t.subject, []).append(t)
                    if not isinstance(t.object, Literal):
                        incoming.setdefault(t.object, []).append(t)

        index(self._graphs_of(set(nodes) | referrers))
        neighbours = set(referrers)
        for n in nodes:
            neighbours.update(t.object for t in outgoing.get(n, ()) if not isinstance(t.object, Literal))
        index(self._graphs_of(neighbours))
        subjects = {row[0] for row in self.store.query(f"SELECT DISTINCT ?s WHERE {{ ?s <{SUBCLASS}> ?o }}",
                                                        use_default_graph_as_union=True)}
        index(self._graphs_of(subjects))
        subclass = [t for s in subjects for t in outgoing.get(s, ()) if t.predicate.value == SUBCLASS]
        return triples_around(nodes, outgoing.get, incoming.get, subclass, inverse, traced)

    def everything(self):
        for name in self.graphs:
            yield from self._graph(name)


def literal_forms(results: list[ArticleResult], extra: list[Triple]):
    from .fastshacl import LiteralForms

    forms = LiteralForms.of((t.predicate.value, t.object) for t in extra if isinstance(t.object, Literal))
    for r in results:
        forms.add(r.forms)
    return forms


# ----------------------------------------------------------------------------- the build

def _build(settings: Settings, progress: Progress | None) -> Built:
    from .cache import CACHE_MIN, compiled_plan, find_changes, incremental, input_key, load_index, save_index, save_plan

    timings: dict[str, float] = {}
    started = time.perf_counter()
    project = Project(settings)
    if export.prefixes_nest(project.prefixes):  # pieces would be abbreviated differently: the slow path
        return run_reference(settings)
    timings["setup"] = time.perf_counter() - started

    index = load_index(settings)
    if index is not None and index.key == input_key(settings):
        change = find_changes(settings, index)
        if change is not None and not (change.changed or change.removed):
            report = Report(not any(f.severity == "Violation" for f in index.findings), list(index.findings))
            timings["unchanged"] = True
            return Built(None, None, project.ontology, None, report, project.minter, summary=index.summary,
                         timings=timings)
        if change is not None:
            built = incremental(settings, progress, project, compiled_plan(settings), change, timings)
            if built is not None:
                timings["incremental"] = True
                return built

    started = time.perf_counter()
    spill = SpillFolder(settings.out)
    sources = None
    try:
        sources = read_sources(project, progress, spill=spill)
        timings["read and map"] = time.perf_counter() - started
        plan = compiled_plan(settings)  # after reading: a mistake in the sources is said without compiling shapes
        started = time.perf_counter()
        minter = project.minter
        entities_pieces = MemoryPieces(project.pieces(sources.entities, minter.entities_graph()))
        ontology_pieces = MemoryPieces(project.pieces(project.ontology, minter.ontology_graph()))
        shared = shared_pieces(project, (r.shared for r in sources.results))
        lay = layout(project, [entities_pieces, ontology_pieces] + shared + [r.pieces for r in sources.results])
        timings["layout"] = time.perf_counter() - started
        state: dict = {}
        release = sources.files.release if sources.files is not None else (lambda kind: None)

        def write(folder: Path) -> None:
            state.update(_write_build(folder, settings, project, plan, sources, lay, timings, release))
            if tuple(settings.formats) == export.FORMATS and settings.store and len(sources.results) >= CACHE_MIN:
                started = time.perf_counter()
                save_index(folder, settings, lay, sources.results, state, state["report"])
                save_plan(folder, plan)
                timings["cache"] = time.perf_counter() - started

        _in_staging(settings.out, write)
    finally:
        if sources is not None and sources.files is not None:
            sources.files.close()
        spill.remove()
    return Built(None, None, project.ontology, None, state["report"], minter, summary=state["summary"],
                 timings=timings)


class SpillFolder:
    """A scratch folder beside the output (same disk, not memory), made only when workers need it."""

    def __init__(self, out: Path):
        self.out, self.path = out, None

    def __call__(self) -> Path:
        if self.path is None:
            parent = self.out.resolve().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                self.path = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.pieces-", dir=parent))
            except OSError as exc:
                raise ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror}",
                                                      self.out)]) from None
        return self.path

    def remove(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _load_store(path: Path, nquads: Path, failure: list) -> None:
    """Bulk-load N-Quads into a new on-disk store, in slices (the bulk loader's memory grows with its input)."""
    try:
        store = Store(str(path))
        with open(nquads, "rb") as f:
            rest = b""
            while True:
                block = f.read(STORE_SLICE)
                if not block:
                    break
                block = rest + block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                if cut:
                    store.bulk_load(block[:cut], format=RdfFormat.N_QUADS)
            if rest:
                store.bulk_load(rest, format=RdfFormat.N_QUADS)
        store.flush()
        del store
    except BaseException as exc:  # handed to the main thread
        failure.append(exc)


def _write_build(folder: Path, settings: Settings, project: Project, plan, sources: Sources, lay: Layout,
                 timings: dict, release) -> dict:
    """Write every output into `folder`, validating on the way; raise NotConforming before the rest."""
    import threading

    from .fastshacl import FastValidator

    files: dict[str, tuple[int, str]] = {}
    t0 = time.perf_counter()
    nt_path = folder / (f"{STEM}.nt" if "nt" in settings.formats else NT_TMP)
    starts: dict[str, list] = {fmt: [] for fmt in export.FORMATS}
    files_nt = write_file(nt_path, file_pieces("nt", project, lay), starts["nt"])
    release("nt")
    if "nt" in settings.formats:
        files[f"{STEM}.nt"] = files_nt
    union = Store()  # the merged graph, as pySHACL sees it: in memory, one default graph
    union.bulk_load(path=str(nt_path), format=RdfFormat.N_TRIPLES)
    if "nt" not in settings.formats:
        nt_path.unlink()
    timings["union store"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    nq_path = folder / (f"{STEM}.nq" if "nq" in settings.formats else NQ_TMP)
    files_nq = write_file(nq_path, file_pieces("nq", project, lay), starts["nq"])
    release("nq")
    if "nq" in settings.formats:
        files[f"{STEM}.nq"] = files_nq
    failure: list = []
    loader = None
    if settings.store:  # while the store fills (outside Python's lock), the data is validated
        loader = threading.Thread(target=_load_store, args=(folder / STORE_DIR, nq_path, failure), daemon=True)
        loader.start()
    timings["nq"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    try:
        by_graph = {p.graph: p for p in lay.graphs}
        owners = lay.owners()
        originals = BuildOriginals(union, lambda key: owners.get(key, ()), lambda name: by_graph[name].blob("nq"),
                                   [p.graph for p in lay.graphs],
                                   literal_forms(sources.results, sources.entities + project.ontology),
                                   set().union(*(r.predicates for r in sources.results))
                                   | {t.predicate.value for t in sources.entities + project.ontology})
        validator = FastValidator(plan)
        report = validator.run(union, originals, sources.origins())
        del union, originals
        timings["validate"] = time.perf_counter() - t0
        timings["validate parts"] = vars(validator.timings)
    finally:
        if loader is not None:
            t1 = time.perf_counter()
            loader.join()
            timings["store (after validation)"] = time.perf_counter() - t1
    if failure:
        raise failure[0]
    if "nq" not in settings.formats:
        nq_path.unlink()
    if not report.conforms:
        raise _not_conforming(report, project.minter, settings)

    t0 = time.perf_counter()
    for fmt in settings.formats:
        if fmt not in ("nq", "nt"):
            files[f"{STEM}.{fmt}"] = write_file(folder / f"{STEM}.{fmt}", file_pieces(fmt, project, lay),
                                                starts[fmt])
            release(fmt)
    ontology_ttl = export.write_triples(export.sort_triples(project.ontology), "ttl", project.prefixes)
    (folder / "ontology.ttl").write_bytes(ontology_ttl)
    files["ontology.ttl"] = (len(ontology_ttl), hashlib.sha256(ontology_ttl).hexdigest())
    records = Counter(r.kind.name for r in sources.entity_records)
    for r in sources.results:
        records.update(r.records)
    per_graph = {p.graph: p.triples for p in lay.graphs if p.triples}
    summary = _summary([r.slug for r in sources.results], records, lay.total, sum(per_graph.values()),
                       per_graph, report, files, settings)
    _write_report(folder, summary)
    timings["write"] = time.perf_counter() - t0
    return {"report": report, "summary": summary, "starts": starts,
            "sizes": {fmt: files.get(f"{STEM}.{fmt}", (0, ""))[0] for fmt in export.FORMATS}}
