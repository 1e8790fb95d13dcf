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

A later build of the same output folder reuses the previous one (see `cache`): an article whose
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

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from . import export
from .errors import CardfError, ExternalError, NotConforming, Problem, UsageError
from .iris import Minter
from .mapping import Mapped, map_corpus
from .ontology import build_context, load_ontology_quads
from .rdfio import read_quads
from .sources import Corpus, load_corpus, load_vocabulary
from .store import write_store
from .validate import Report, load_shapes, validate

REPORT_FILE = "report.json"
STORE_DIR = "store"
STEM = "cardf"
PARALLEL_MIN = 200  # below this many articles, worker processes cost more than they save
WORKERS = 2
NQ_TMP = ".cardf.nq.tmp"
NT_TMP = ".cardf.nt.tmp"
STORE_SLICE = 32 << 20  # bytes of N-Quads per bulk load

Progress = Callable[[int, int], None]  # (articles done, articles in all)


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


# ----------------------------------------------------------------------------- reading and mapping

class Project:
    """What every build of these settings shares: IRIs, prefixes, ontology, vocabularies, JSON-LD context."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.minter = Minter(settings.base)
        self.prefixes = self.minter.prefixes()
        self.ontology = load_ontology_quads(settings.ontology)
        self.vocab = load_vocabulary(settings.ontology)
        self.context = build_context(self.ontology, self.minter)
        self.headers = (export.turtle_header(self.prefixes, "ttl"), export.turtle_header(self.prefixes, "trig"))

    def compactor(self):
        if getattr(self, "_compactor", None) is None:
            self._compactor = export._Compactor(self.context)
        return self._compactor

    def pieces(self, triples, graph: NamedNode) -> export.Pieces:
        return export.pieces(triples, graph, self.prefixes, self.compactor(), self.headers)


class MemoryPieces:
    """A graph's pieces held in memory (export.Pieces), read as bytes."""

    def __init__(self, pieces: export.Pieces):
        self.p = pieces
        self.graph, self.keys, self.used = pieces.graph, pieces.keys, pieces.used
        self.graph_prefix, self.triples = pieces.graph_prefix, pieces.triples

    def blob(self, kind: str) -> bytes:
        return getattr(self.p, kind)

    def piece(self, kind: str, j: int) -> bytes:
        found = getattr(self.p, kind)[j]
        return found.encode("utf-8") if isinstance(found, str) else found


class Spill:
    """Append-only files, one per kind of piece, where a worker puts the pieces of the graphs it makes.

    Keeping pieces on disk rather than sending them back keeps the build's memory to a fraction
    of the output's size; the files are read back (mapped) when the outputs are put together.
    """

    KINDS = ("nq", "trig", "nt", "ttl", "jsonld")

    def __init__(self, folder: Path, tag: str):
        self.folder, self.tag = folder, tag
        self.files = {k: open(folder / f"pieces-{tag}.{k}", "wb") for k in self.KINDS}
        self.size = dict.fromkeys(self.KINDS, 0)

    def put(self, kind: str, data: bytes) -> tuple[int, int]:
        at = self.size[kind]
        self.files[kind].write(data)
        self.size[kind] += len(data)
        return at, len(data)

    def store(self, pieces: export.Pieces) -> "StoredPieces":
        nq, trig = self.put("nq", pieces.nq), self.put("trig", pieces.trig)
        runs = {}
        for kind in ("nt", "ttl", "jsonld"):
            parts = getattr(pieces, kind)
            if kind == "jsonld":
                parts = [x.encode("utf-8") for x in parts]
            start = self.size[kind]
            self.put(kind, b"".join(parts))
            offsets, at = [], start
            for x in parts:
                offsets.append(at)
                at += len(x)
            offsets.append(at)
            runs[kind] = offsets
        return StoredPieces(self.tag, pieces.graph, pieces.keys, pieces.used, pieces.graph_prefix, pieces.triples,
                            nq, trig, runs)

    def close(self) -> None:
        for f in self.files.values():
            f.close()


class PieceFiles:
    """The spill files of a build, mapped for reading."""

    def __init__(self, folder: Path):
        import mmap

        self.maps: dict[tuple[str, str], object] = {}
        self._mmap = mmap
        self.folder = folder

    def get(self, tag: str, kind: str):
        key = (tag, kind)
        if key not in self.maps:
            path = self.folder / f"pieces-{tag}.{kind}"
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.maps[key] = self._mmap.mmap(f.fileno(), 0, access=self._mmap.ACCESS_READ) if size else b""
        return self.maps[key]

    def release(self, kind: str) -> None:
        """Unmap one kind once its output is written (mapped pages count as the build's memory)."""
        for key in [k for k in self.maps if k[1] == kind]:
            m = self.maps.pop(key)
            if not isinstance(m, bytes):
                m.close()

    def close(self) -> None:
        for m in self.maps.values():
            if not isinstance(m, bytes):
                m.close()
        self.maps.clear()


@dataclass
class StoredPieces:
    """A graph's pieces in a worker's spill files: offsets and lengths, read through PieceFiles."""

    tag: str
    graph: str
    keys: list[str]
    used: tuple[str, ...]
    graph_prefix: str | None
    triples: int
    nq: tuple[int, int]
    trig: tuple[int, int]
    runs: dict  # kind → offsets of its subjects' pieces (one more than subjects)
    files: PieceFiles | None = None

    def blob(self, kind: str) -> bytes:
        at, n = getattr(self, kind)
        return bytes(self.files.get(self.tag, kind)[at:at + n]) if n else b""

    def piece(self, kind: str, j: int) -> bytes:
        offsets = self.runs[kind]
        return self.files.get(self.tag, kind)[offsets[j]:offsets[j + 1]]


@dataclass
class ArticleResult:
    """One article as the build needs it: the pieces of its graph, what it defines, where things came from."""

    slug: str
    pieces: object  # MemoryPieces or StoredPieces
    records: Counter
    origins: dict
    forms: object  # fastshacl.LiteralForms
    predicates: frozenset
    cited: dict  # id → kind name of every id the article refers to (defined elsewhere or not)
    defines: list  # (id, kind name) of its records
    fingerprint: tuple  # (stat, digest) of its two files, for the next build
    shared: bytes = b""  # N-Triples of what it says of periods and relationships (the shared graph)


ARTICLE_FILES = ("article.txt", "facts.yaml")


def article_stat(folder: Path, now: float | None = None) -> tuple | None:
    """Size and modification time of an article's files; None when one is missing or was written too
    recently to tell a later change in the same clock tick (then its bytes are compared)."""
    out = []
    now = time.time() if now is None else now
    for name in ARTICLE_FILES:
        try:
            st = os.stat(folder / name)
        except OSError:
            return None
        if now - st.st_mtime_ns / 1e9 < 2.0:
            return None
        out.append((st.st_size, st.st_mtime_ns))
    return tuple(out)


def article_fingerprint(folder: Path) -> tuple:
    """(stat, SHA-256 of the files' bytes): a file whose stat changed but whose bytes did not is unchanged."""
    stat = article_stat(folder)
    h = hashlib.sha256()
    for name in ARTICLE_FILES:
        try:
            data = (folder / name).read_bytes()
        except OSError:
            data = b"\0missing"
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return stat, h.hexdigest()


class _Known:
    """Every id of the corpus as `sources` expects `defined` to be: id → a record of its kind."""

    def __init__(self, kind_of: dict[str, str]):
        from types import SimpleNamespace

        from .schema import ALL_KINDS

        self.kind_of = kind_of
        self._make = lambda i: SimpleNamespace(id=i, kind=ALL_KINDS[kind_of[i]], origin=None)
        self.used: dict[str, str] = {}

    def get(self, key, default=None):
        if key not in self.kind_of:
            return default
        self.used[key] = self.kind_of[key]
        return self._make(key)

    def __getitem__(self, key):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        return key in self.kind_of

    def __iter__(self):
        return iter(self.kind_of)

    def __len__(self) -> int:
        return len(self.kind_of)


class Reader:
    """Reads, checks and maps articles; one lives in each worker process (or in the build's own)."""

    def __init__(self, project: Project, entities: dict, spill: Spill | None = None):
        self.project = project
        self.entities = entities  # id → entity record
        self.articles: dict[str, object] = {}
        self.fingerprints: dict[str, tuple] = {}
        self.spill = spill

    def read(self, folder: Path) -> tuple[str, list[tuple[str, str]], int]:
        """Phase one: the records an article defines (id, kind), and how many problems it has."""
        from .sources import read_article

        defined = dict(self.entities)
        article, problems = read_article(folder, self.project.vocab, defined)
        if article is not None:
            self.articles[folder.name] = article
            self.fingerprints[folder.name] = article_fingerprint(folder)
        defines = [(r.id, r.kind.name) for r in article.records] if article is not None else []
        return folder.name, defines, len(problems) + (article is None)

    def map(self, slug: str, kind_of: dict[str, str]) -> ArticleResult | None:
        """Phase two, with every id of the corpus known: check references, map, serialize. None on problems."""
        from .fastshacl import LiteralForms
        from .mapping import map_article
        from .schema import ALL_KINDS
        from .sources import resolve_articles

        article = self.articles.pop(slug)
        known = _Known(kind_of)
        if resolve_articles([article], known, self.project.vocab):
            return None
        segment_of = _Segments(kind_of, ALL_KINDS)
        origins: dict = {}
        graph = map_article(article, self.project.minter, segment_of, origins)
        made = self.project.pieces(graph.triples, graph.graph)
        pieces = self.spill.store(made) if self.spill is not None else MemoryPieces(made)
        everything = graph.triples + graph.shared
        forms = LiteralForms.of((t.predicate.value, t.object) for t in everything if isinstance(t.object, Literal))
        predicates = frozenset(t.predicate.value for t in everything)
        records = Counter(r.kind.name for r in article.records)
        defines = [(r.id, r.kind.name) for r in article.records]
        return ArticleResult(slug, pieces, records, origins, forms, predicates, dict(known.used), defines,
                             self.fingerprints.pop(slug), nt_lines(graph.shared))


class _Segments(dict):
    """id → IRI segment, looked up from the kinds (mapping only asks for the ids an article cites)."""

    def __init__(self, kind_of, kinds):
        super().__init__()
        self.kind_of, self.kinds = kind_of, kinds

    def __missing__(self, key):
        value = self.kinds[self.kind_of[key]].segment
        self[key] = value
        return value


def _worker(conn, project: Project, entities: dict, spill_folder: Path, tag: str) -> None:
    """A worker process: read the folders it is sent, then map them once it is told every id."""
    gc.disable()
    spill = Spill(spill_folder, tag)
    reader = Reader(project, entities, spill)
    try:
        while True:
            message = conn.recv()
            if message[0] == "read":
                out = []
                for folder in message[1]:
                    out.append(reader.read(folder))
                    if len(out) % 25 == 0:
                        conn.send(("progress", 25))
                conn.send(("progress", len(out) % 25))
                conn.send(("read", out))
            elif message[0] == "map":
                kind_of, slugs = message[1], message[2]
                batch = []
                for slug in slugs:
                    batch.append(reader.map(slug, kind_of))
                    if len(batch) == 50:
                        conn.send(("mapped", batch))
                        batch = []
                conn.send(("mapped", batch))
                spill.close()
                conn.send(("done",))
            else:
                return
    except (EOFError, KeyboardInterrupt):
        return


@dataclass
class Sources:
    """The corpus read and mapped: entities (triples), one result per article, in slug order."""

    entity_records: list
    entities: list[Triple]
    entity_origins: dict
    results: list[ArticleResult]
    files: object = None  # PieceFiles, when workers spilled the pieces

    def origins(self) -> dict:
        merged = dict(self.entity_origins)
        for r in self.results:
            merged.update(r.origins)
        return merged

    def shared(self) -> list[Triple]:
        return shared_triples(r.shared for r in self.results)


class _Fallback(Exception):
    """The sources have problems: the reference loader reports them (it lists every one, in order)."""


def article_folders(data: Path) -> list[Path]:
    """The article folders, as load_corpus lists them."""
    adir = data / "articles"
    if not adir.is_dir():
        return []
    with os.scandir(adir) as entries:
        names = sorted(e.name for e in entries if e.is_dir())
    return [adir / name for name in names]


def read_sources(project: Project, progress: Progress | None, folders: list[Path] | None = None,
                 kind_of_extra: dict[str, str] | None = None, spill: Callable[[], Path] | None = None) -> Sources:
    """Read and map the articles in `folders` (all of them by default), in parallel when they are many.

    Any problem in the sources makes the reference loader run, so that the error lists every
    problem exactly as `load_corpus` words and orders them.
    """
    settings = project.settings
    try:
        return _read_sources(project, progress, folders, kind_of_extra or {}, spill)
    except _Fallback:
        load_corpus(settings.data, project.vocab)  # raises the InputError that lists every problem
        raise AssertionError("the sources have problems that the reference loader does not see") from None


def _read_sources(project: Project, progress, folders, kind_of_extra, spill) -> Sources:
    settings = project.settings
    try:
        registry = load_corpus(settings.data, project.vocab, only=set())
    except CardfError:
        raise _Fallback() from None
    entity_records = list(registry.entities)
    entities = {r.id: r for r in entity_records}
    mapped = map_corpus(Corpus(entity_records, []), project.minter)
    if folders is None:
        folders = article_folders(settings.data)
    total = len(folders)
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(min(done[0], 2 * total) // 2, total)

    files = None
    if len(folders) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 and spill is not None:
        folder = spill()
        results = _read_parallel(project, entities, folders, kind_of_extra, advance, folder)
        files = PieceFiles(folder)
        for r in results:
            r.pieces.files = files
    else:
        results = _read_serial(project, entities, folders, kind_of_extra, advance)
    return Sources(entity_records, mapped.entities, mapped.origins, results, files)


def _kinds(entities: dict, reads, extra: dict[str, str]) -> dict[str, str]:
    kind_of = dict(extra)
    for r in entities.values():
        kind_of[r.id] = r.kind.name
    for _, defines, problems in reads:
        if problems:
            raise _Fallback()
        for rid, kind in defines:
            if rid in kind_of:
                raise _Fallback()  # defined twice
            kind_of[rid] = kind
    return kind_of


def _read_serial(project, entities, folders, extra, advance) -> list[ArticleResult]:
    reader = Reader(project, entities)
    reads = []
    for folder in folders:
        reads.append(reader.read(folder))
        advance(1)
    kind_of = _kinds(entities, reads, extra)
    results = []
    for slug, _, _ in reads:
        result = reader.map(slug, kind_of)
        if result is None:
            raise _Fallback()
        results.append(result)
        advance(1)
    return results


def _read_parallel(project, entities, folders, extra, advance, spill: Path) -> list[ArticleResult]:
    import multiprocessing
    from multiprocessing.connection import wait

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows, macOS by default): start fresh interpreters
        ctx = multiprocessing.get_context("spawn")
    chunks = [folders[k::WORKERS] for k in range(WORKERS)]
    conns, processes = [], []
    try:
        for k, chunk in enumerate(chunks):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=_worker, args=(child, project, entities, spill, str(k)), daemon=True)
            process.start()
            child.close()
            parent.send(("read", chunk))
            conns.append(parent)
            processes.append(process)
        reads_by = {}
        pending = set(range(WORKERS))
        while pending:
            for conn in wait([conns[i] for i in pending]):
                i = conns.index(conn)
                message = conn.recv()
                if message[0] == "progress":
                    advance(message[1])
                else:
                    reads_by[i] = message[1]
                    pending.discard(i)
        reads = [r for i in range(WORKERS) for r in reads_by[i]]
        kind_of = _kinds(entities, reads, extra)
        for i, conn in enumerate(conns):
            conn.send(("map", kind_of, [slug for slug, _, _ in reads_by[i]]))
        results: list[ArticleResult] = []
        pending = set(range(WORKERS))
        failed = False
        while pending:
            for conn in wait([conns[i] for i in pending]):
                i = conns.index(conn)
                message = conn.recv()
                if message[0] == "mapped":
                    for result in message[1]:
                        if result is None:
                            failed = True
                        else:
                            results.append(result)
                    advance(len(message[1]))
                else:
                    pending.discard(i)
        if failed:
            raise _Fallback()
        results.sort(key=lambda r: r.slug)
        return results
    except EOFError:
        raise CardfError("a worker process of the build stopped unexpectedly") from None
    finally:
        for conn in conns:
            try:
                conn.send(("stop",))
            except (OSError, ValueError):
                pass
            conn.close()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def parse_nq(data: bytes) -> list[Triple]:
    return [q.triple for q in parse(data, format=RdfFormat.N_QUADS)] if data else []


def nt_lines(triples: list[Triple]) -> bytes:
    """Triples as sorted, distinct N-Triples lines: small, picklable, and merged by set union."""
    return b"".join(sorted({f"{t} .\n".encode("utf-8") for t in triples}))


def shared_triples(blocks) -> list[Triple]:
    """The shared graph from the articles' N-Triples blocks (see nt_lines)."""
    lines: set[bytes] = set()
    for block in blocks:
        lines.update(block.splitlines(keepends=True))
    return list(parse(b"".join(sorted(lines)), format=RdfFormat.N_TRIPLES)) if lines else []


def shared_pieces(project: "Project", blocks) -> list["MemoryPieces"]:
    """The shared graph's pieces, or none when no article names a period or a relationship."""
    triples = shared_triples(blocks)
    return [MemoryPieces(project.pieces(triples, project.minter.shared_graph()))] if triples else []


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

PLAN_FILE = "plan.pickle"


def _plan_key(settings: Settings) -> str:
    from importlib.metadata import version

    from . import __version__, fastshacl

    h = hashlib.sha256(repr((CACHE_VERSION, __version__, version("pyshacl"), version("rdflib"))).encode())
    h.update(Path(fastshacl.__file__).read_bytes())
    for path in shape_files(settings.shapes):
        h.update(str(path).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _plan(settings: Settings):
    """The compiled shapes: from the cache when the shapes have not changed (compiling takes a second)."""
    import pickle

    from .fastshacl import LazyPlan, Plan

    def compile_plan():
        return Plan(load_shapes(shape_files(settings.shapes)))

    try:
        key = _plan_key(settings)
    except OSError:
        key = None
    try:
        with open(cache_folder(settings.out) / PLAN_FILE, "rb") as f:
            cached_key, snapshot = pickle.load(f)
        if key is not None and cached_key == key:
            plan = LazyPlan(snapshot)
            plan.cache_key = key
            return plan
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError,
            KeyError):
        pass
    plan = compile_plan()
    plan.cache_key = key
    return plan


def _save_plan(out: Path, plan) -> None:
    if getattr(plan, "cache_key", None) is None:
        return
    try:
        folder = cache_folder(out)
        folder.mkdir(parents=True, exist_ok=True)
        _dump(folder / PLAN_FILE, (plan.cache_key, plan.snapshot()))
    except (OSError, TypeError, AttributeError):
        pass


def _build(settings: Settings, progress: Progress | None) -> Built:

    timings: dict[str, float] = {}
    started = time.perf_counter()
    project = Project(settings)
    if export.prefixes_nest(project.prefixes):  # pieces would be abbreviated differently: the slow path
        return run_reference(settings)
    plan = _plan(settings)
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
            built = _incremental(settings, progress, project, plan, change, timings)
            if built is not None:
                timings["incremental"] = True
                return built

    started = time.perf_counter()
    spill = SpillFolder(settings.out)
    sources = None
    try:
        sources = read_sources(project, progress, spill=spill)
        timings["read and map"] = time.perf_counter() - started
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
                _save_plan(folder, plan)
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


# ----------------------------------------------------------------------------- the cache of the previous build

CACHE_VERSION = 2
INDEX_FILE = "index.pickle"
ORIGINS_FILE = "origins.pickle"
OVERLAY_FILE = "origins-overlay.pickle"  # articles re-read since the last full build
INCREMENTAL_MAX = 0.05  # above this share of changed articles a full build is as quick
CACHE_MIN = 20  # below this many articles a clean build takes well under a second: no cache, nothing hidden in dist


CACHE_DIR = ".cache"


def cache_folder(out: Path) -> Path:
    """Inside the output folder, so that it is swapped in with the outputs it describes, all at once."""
    return out / CACHE_DIR


def input_key(settings: Settings) -> str:
    """Everything besides the articles that the outputs depend on: settings, cardf, registry, ontology, shapes."""
    from . import __version__

    h = hashlib.sha256()
    h.update(repr((CACHE_VERSION, __version__, settings.base, tuple(settings.formats), settings.store,
                   str(settings.data), str(settings.data.resolve()), str(settings.out.resolve()))).encode())
    from .ontology import ontology_files

    paths = [settings.data / "entities.yaml"] + ontology_files(settings.ontology) + shape_files(settings.shapes)
    for path in paths:
        h.update(str(path).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing")
    return h.hexdigest()


@dataclass
class ArticleEntry:
    """What a build keeps of an article for the next one."""

    slug: str
    fingerprint: tuple
    defines: list
    cited: dict
    records: Counter
    graph: str
    used: tuple
    graph_prefix: str | None
    triples: int
    shared: bytes = b""  # ArticleResult.shared

    @classmethod
    def of(cls, r: ArticleResult) -> "ArticleEntry":
        p = r.pieces
        return cls(r.slug, r.fingerprint, r.defines, r.cited, r.records, p.graph, p.used, p.graph_prefix,
                   p.triples, r.shared)


@dataclass
class BuildIndex:
    """Where every piece of every graph and subject sits in the output files of the last build."""

    key: str
    outputs: dict  # file name → (size, mtime_ns, inode)
    articles: dict  # slug → ArticleEntry, in slug order
    graphs: list  # graph names in file order
    spans: dict  # format → (begins, ends): byte range of each subject (nt, ttl, jsonld) or graph (nq, trig)
    subjects: list  # subject keys in union order
    owners: list  # per subject: indexes of the graphs holding it
    merged: set  # subjects whose graphs disagreed (their piece was made from the union of theirs)
    findings: list  # the validation's findings
    summary: dict
    forms: object = None  # the articles' literal forms (fastshacl.LiteralForms), merged
    predicates: frozenset = frozenset()  # the articles' predicates
    version: int = CACHE_VERSION


def _stat_outputs(out: Path) -> dict:
    found = {}
    for path in sorted(out.iterdir()):
        if path.is_file():
            st = path.stat()
            found[path.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def save_index(out: Path, settings: Settings, lay: Layout, results: list[ArticleResult], written: dict,
               report: Report) -> None:
    """Record the build in `out` (before it is swapped in); a failure only costs the next build its head start."""
    import pickle
    from array import array

    folder = cache_folder(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        graph_index = {p.graph: i for i, p in enumerate(lay.graphs)}
        owners_of = lay.owners()
        subjects = [lay.graphs[g].keys[j] for g, j in lay.subjects]
        owners = [tuple(graph_index[name] for name in owners_of[key]) for key in subjects]
        articles = {r.slug: ArticleEntry.of(r) for r in results}
        spans = {}
        for fmt in export.FORMATS:
            starts = written["starts"][fmt] + [written["sizes"][fmt]]
            first, step = {"nt": (0, 1), "nq": (0, 1), "ttl": (1, 1), "trig": (1, 1), "jsonld": (1, 2)}[fmt]
            count = len(subjects) if fmt in ("nt", "ttl", "jsonld") else len(lay.graphs)
            spans[fmt] = (array("q", (starts[first + step * i] for i in range(count))),
                          array("q", (starts[first + step * i + 1] for i in range(count))))
        index = BuildIndex(input_key(settings), _stat_outputs(out), articles,
                           [p.graph for p in lay.graphs], spans, subjects, owners, set(lay.merged),
                           list(report.findings), written["summary"], literal_forms(results, []),
                           frozenset().union(*(r.predicates for r in results)))
        _dump(folder / INDEX_FILE, index)
        by_article = {}
        for r in results:
            by_article[r.slug] = pickle.dumps(r.origins, protocol=pickle.HIGHEST_PROTOCOL)
        _dump(folder / ORIGINS_FILE, by_article)
        (folder / OVERLAY_FILE).unlink(missing_ok=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _dump(path: Path, value) -> None:
    import pickle

    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def load_index(settings: Settings) -> BuildIndex | None:
    """The last build's index, if it describes the output folder as it is now."""
    import pickle

    path = cache_folder(settings.out) / INDEX_FILE
    try:
        with open(path, "rb") as f:
            index = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(index, BuildIndex) or index.version != CACHE_VERSION:
        return None
    if tuple(settings.formats) != export.FORMATS or not settings.store or not settings.out.is_dir():
        return None
    try:
        if _stat_outputs(settings.out) != index.outputs or not (settings.out / STORE_DIR).is_dir():
            return None
    except OSError:
        return None
    return index




class OldPieces:
    """A graph's pieces as they sit in the previous build's output files."""

    def __init__(self, graph: str, entry: ArticleEntry | None, old: "OldFiles", g: int):
        self.graph, self.old, self.g = graph, old, g
        if entry is not None:
            self.used, self.graph_prefix, self.triples = entry.used, entry.graph_prefix, entry.triples

    def blob(self, kind: str) -> bytes:
        return self.old.graph_blob(kind, self.g)


class OldFiles:
    """The previous build's output files, mapped, with the index that says where each piece is."""

    def __init__(self, out: Path, index: BuildIndex):
        import mmap

        self.index = index
        self.maps = {}
        for fmt in export.FORMATS:
            with open(out / f"{STEM}.{fmt}", "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.maps[fmt] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def graph_blob(self, kind: str, g: int) -> bytes:
        """nq or trig block of graph g."""
        begins, ends = self.index.spans[kind]
        return self.maps[kind][begins[g]:ends[g]]

    def subject_range(self, kind: str, i: int) -> tuple[int, int]:
        """Byte range of subject i's piece in cardf.nt, .ttl or .jsonld."""
        begins, ends = self.index.spans[kind]
        return begins[i], ends[i]

    def close(self) -> None:
        for m in self.maps.values():
            if not isinstance(m, bytes):
                m.close()


@dataclass
class Change:
    """What an incremental build has to do."""

    index: BuildIndex
    folders: list[Path]
    changed: list[Path]  # articles to read and map again (new ones too)
    removed: list[str]
    fingerprints: dict  # slug → refreshed fingerprint of an unchanged article


def find_changes(settings: Settings, index: BuildIndex) -> Change | None:
    """Which articles changed since the indexed build; None when a full build is the better course."""
    folders = article_folders(settings.data)
    now = time.time()
    changed, refreshed = [], {}
    for folder in folders:
        entry = index.articles.get(folder.name)
        if entry is None:
            changed.append(folder)
            continue
        stat = article_stat(folder, now)
        if stat is not None and stat == entry.fingerprint[0]:
            continue
        fingerprint = article_fingerprint(folder)
        if fingerprint[1] == entry.fingerprint[1]:
            refreshed[folder.name] = (stat, fingerprint[1])
        else:
            changed.append(folder)
    present = {f.name for f in folders}
    removed = [slug for slug in index.articles if slug not in present]
    if len(changed) + len(removed) > max(1, INCREMENTAL_MAX * len(folders)):
        return None
    return Change(index, folders, changed, removed, refreshed)


class SegmentWriter(FileWriter):
    """A FileWriter that copies runs of the previous file and notes where each piece now starts."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.starts: list[int] = []

    def position(self) -> int:
        return self.size + self.buffered

    def piece(self, data: bytes) -> None:
        self.starts.append(self.position())
        self.add(data)

    def run(self, data, relative_starts) -> None:
        """A run of consecutive pieces copied whole; `relative_starts` are their starts within it."""
        base = self.position()
        self.starts.extend(base + r for r in relative_starts)
        self.add(data)


def _overlay(folder: Path) -> dict:
    import pickle

    try:
        with open(folder / OVERLAY_FILE, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError):
        return {}


class LazyOrigins:
    """Where resources came from: the registry's, the re-read articles', and the others' from the cache."""

    def __init__(self, known: dict, slug_of: Callable[[str], str | None], folder: Path):
        self.known, self.slug_of, self.folder = known, slug_of, folder
        self._packed = None
        self._loaded: dict[str, dict] = {}
        self._overlay = None

    def get(self, iri, default=None):
        found = self.known.get(iri)
        if found is not None:
            return found
        slug = self.slug_of(iri)
        if slug is None:
            return default
        if slug not in self._loaded:
            import pickle

            if self._overlay is None:
                self._overlay = _overlay(self.folder)
            if slug in self._overlay:
                packed = self._overlay[slug]
            else:
                if self._packed is None:
                    with open(self.folder / ORIGINS_FILE, "rb") as f:
                        self._packed = pickle.load(f)
                packed = self._packed.get(slug)
            self._loaded[slug] = pickle.loads(packed) if packed else {}
        return self._loaded[slug].get(iri, default)


def _incremental(settings: Settings, progress: Progress | None, project: Project, plan, change: Change,
                 timings: dict) -> Built | None:
    """Rebuild from the previous build: re-read only the articles that changed, copy every other piece.

    None when something calls for a full build instead (a problem in the sources, say, which the
    full build reports in full).
    """
    index = change.index
    started = time.perf_counter()
    try:
        registry = load_corpus(settings.data, project.vocab, only=set())
    except CardfError:
        return None
    entity_records = list(registry.entities)
    entities = {r.id: r for r in entity_records}
    mapped = map_corpus(Corpus(entity_records, []), project.minter)
    redo = {f.name: f for f in change.changed}
    gone = set(change.removed) | set(redo)
    kind_of = {r.id: r.kind.name for r in entity_records}
    for slug, entry in index.articles.items():
        if slug in gone:
            continue
        for rid, kind in entry.defines:
            if rid in kind_of:
                return None
            kind_of[rid] = kind
    reader = Reader(project, entities)
    for folder in change.changed:
        slug, defines, problems = reader.read(folder)
        if problems:
            return None
        for rid, kind in defines:
            if rid in kind_of:
                return None
            kind_of[rid] = kind
    folders_by_slug = {f.name: f for f in change.folders}
    for slug, entry in index.articles.items():  # an id an article cites may now name another kind of record
        if slug not in gone and any(kind_of.get(rid) != kind for rid, kind in entry.cited.items()):
            slug, _, problems = reader.read(folders_by_slug[slug])
            if problems:
                return None
            redo[slug] = folders_by_slug[slug]
            gone.add(slug)
    results = []
    for i, slug in enumerate(sorted(redo)):
        result = reader.map(slug, kind_of)
        if result is None:
            return None
        results.append(result)
        if progress is not None:
            progress(i + 1, len(redo))
    timings["read and map"] = time.perf_counter() - started

    started = time.perf_counter()
    old = OldFiles(settings.out, index)
    try:
        built = _splice(settings, project, plan, change, index, old, mapped, entity_records, results, gone, timings)
    finally:
        old.close()
    return built


def _splice(settings, project, plan, change, index, old, mapped, entity_records, results, gone, timings) -> Built:
    started = time.perf_counter()
    minter = project.minter
    fresh = [MemoryPieces(project.pieces(mapped.entities, minter.entities_graph())),
             MemoryPieces(project.pieces(project.ontology, minter.ontology_graph()))]
    kept = [e.shared for slug, e in index.articles.items() if slug not in gone]
    shared = shared_pieces(project, kept + [r.shared for r in results])
    fresh += shared + [r.pieces for r in results]
    fresh_by_graph = {p.graph: p for p in fresh}
    gone_graphs = {index.articles[slug].graph for slug in gone if slug in index.articles}
    if not shared:  # no article names a period or a relationship any more
        gone_graphs.add(minter.shared_graph().value)
    graphs = sorted(({g for g in index.graphs if g not in gone_graphs} - set(fresh_by_graph)) | set(fresh_by_graph))
    old_graph_index = {g: i for i, g in enumerate(index.graphs)}
    new_graph_index = {g: i for i, g in enumerate(graphs)}
    entries = {slug: e for slug, e in index.articles.items() if slug not in gone}
    entry_of_graph = {e.graph: e for e in entries.values()}
    pieces_of = []
    for g in graphs:
        if g in fresh_by_graph:
            pieces_of.append(fresh_by_graph[g])
        else:
            pieces_of.append(OldPieces(g, entry_of_graph.get(g), old, old_graph_index[g]))
    out_graphs = {old_graph_index[g] for g in index.graphs if g in gone_graphs or g in fresh_by_graph}

    # the union's subjects: the old ones, less the graphs that went, with the new pieces merged in
    contributions: dict[str, list] = {}
    for p in fresh:
        if p.graph in old_graph_index and old_graph_index[p.graph] not in out_graphs:
            continue  # the registry and the ontology did not change: their subjects are in place
        for j, key in enumerate(p.keys):
            contributions.setdefault(key, []).append((p, j))
    order: list = []  # per subject: ("old", i) or ("new", nt, ttl, jsonld)
    keys: list[str] = []
    owners: list = []
    merged_now: set[int] = set()

    def add(key, item, own, merged=False):
        if merged:
            merged_now.add(len(order))
        order.append(item)
        keys.append(key)
        owners.append(tuple(sorted(own)))

    def new_item(found, extra=()):
        blocks = [bytes(p.piece("nt", j)) for p, j in found] + list(extra)
        if len(set(blocks)) == 1:
            p, j = found[0]
            return ("new", p.piece("nt", j), p.piece("ttl", j), p.piece("jsonld", j)), False
        return ("new",) + _merge_subject(project, blocks), True

    def add_new(key):
        found = contributions[key]
        item, merged = new_item(found)
        add(key, item, {new_graph_index[p.graph] for p, _ in found}, merged)

    new_keys = sorted(contributions)
    k = 0
    for i, key in enumerate(index.subjects):
        while k < len(new_keys) and new_keys[k] < key:
            add_new(new_keys[k])
            k += 1
        found = None
        if k < len(new_keys) and new_keys[k] == key:
            found = contributions[key]
            k += 1
        olds = [o for o in index.owners[i] if o not in out_graphs]
        old_owners = {new_graph_index[index.graphs[o]] for o in olds}
        if found is None:
            if not olds:
                continue
            if i in index.merged and len(olds) < len(index.owners[i]):
                add(key, ("new",) + _merge_subject(project, _old_subject_blocks(old, olds, key)), old_owners, True)
            else:
                add(key, ("old", i), old_owners, i in index.merged)
            continue
        extra = []
        if olds:
            extra = _old_subject_blocks(old, olds, key) if i in index.merged else \
                [bytes(old.maps["nt"][slice(*old.subject_range("nt", i))])]
        item, merged = new_item(found, extra)
        add(key, item, old_owners | {new_graph_index[p.graph] for p, _ in found}, merged)
    while k < len(new_keys):
        add_new(new_keys[k])
        k += 1

    used = set()
    used_trig = set()
    for p in fresh:
        used.update(p.used)
        if p.graph_prefix:
            used_trig.add(p.graph_prefix)
    for e in entries.values():
        if e.graph not in fresh_by_graph:
            used.update(e.used)
            if e.graph_prefix:
                used_trig.add(e.graph_prefix)
    used_trig |= used
    timings["layout"] = time.perf_counter() - started
    state: dict = {}

    def write(folder: Path) -> None:
        state.update(_write_spliced(folder, settings, project, plan, old, index, graphs, pieces_of, order, keys,
                                    owners, used, used_trig, timings, results, entries, entity_records, mapped,
                                    [r.pieces for r in results] + shared))
        started = time.perf_counter()
        _save_spliced(folder, settings, state, keys, owners, merged_now, graphs, entries, results, change)
        _save_plan(folder, plan)
        timings["cache"] = time.perf_counter() - started

    _in_staging(settings.out, write)
    return Built(None, None, project.ontology, None, state["report"], minter, summary=state["summary"],
                 timings=timings)


def _merge_subject(project: Project, blocks: list[bytes]) -> tuple[bytes, bytes, bytes]:
    """The pieces of a subject whose graphs say different things: made from the union of its triples."""
    triples = set()
    for block in blocks:
        triples.update(parse(block, format=RdfFormat.N_TRIPLES))
    one = project.pieces(triples, NamedNode("urn:cardf:merged"))
    return one.nt[0], one.ttl[0], one.jsonld[0].encode("utf-8")


def _old_subject_blocks(old: OldFiles, owners, key: str) -> list[bytes]:
    """N-Triples of one subject in each of some graphs of the previous build."""
    from pyoxigraph import serialize

    blocks = []
    for o in owners:
        triples = [q.triple for q in parse(bytes(old.graph_blob("nq", o)), format=RdfFormat.N_QUADS)
                   if export.subject_key(q.subject) == key]
        blocks.append(serialize(export.sort_triples(triples), format=RdfFormat.N_TRIPLES))
    return blocks


class SpanWriter(FileWriter):
    """A FileWriter that notes the byte range of each subject or graph it writes."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.begins: list[int] = []
        self.ends: list[int] = []

    def position(self) -> int:
        return self.size + self.buffered

    def item(self, data: bytes) -> None:
        self.begins.append(self.position())
        self.add(data)
        self.ends.append(self.position())

    def run(self, data, begins, ends, base: int) -> None:
        """Items copied as one run: `begins`/`ends` are their positions in the old file, the run starts at `base`.

        A long run goes from the old file's pages to the new file without a copy in Python (and
        without holding Python's lock), so that several files can be written at once.
        """
        shift = self.position() - base
        self.begins.extend(b + shift for b in begins)
        self.ends.extend(e + shift for e in ends)
        if len(data) < self.CHUNK:
            self.add(bytes(data))
            return
        self.flush()
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)


def _union_file(path: Path, kind: str, order: list, old: OldFiles, head: bytes = b"", tail: bytes = b"",
                separator: bytes = b""):
    """Write cardf.nt, .ttl or .jsonld from old runs and new pieces; return (size, sha256), begins, ends."""
    begins, ends = old.index.spans[kind]
    index = {"nt": 1, "ttl": 2, "jsonld": 3}[kind]
    data = memoryview(old.maps[kind]) if old.maps[kind] else b""
    w = SpanWriter(path)
    try:
        w.add(head)
        n, first = len(order), True
        i = 0
        while i < n:
            item = order[i]
            if not first and separator:
                w.add(separator)
            first = False
            if item[0] == "old":
                j = i
                while j + 1 < n and order[j + 1][0] == "old" and order[j + 1][1] == order[j][1] + 1:
                    j += 1
                a, b = item[1], order[j][1]
                w.run(data[begins[a]:ends[b]], begins[a:b + 1], ends[a:b + 1], begins[a])
                i = j + 1
            else:
                w.item(item[index])
                i += 1
        w.add(tail)
    except BaseException:
        w.file.close()
        raise
    return w.close(), w.begins, w.ends


def _graph_file(path: Path, kind: str, pieces_of: list, head: bytes = b""):
    w = SpanWriter(path)
    try:
        w.add(head)
        for p in pieces_of:
            w.item(p.blob(kind))
    except BaseException:
        w.file.close()
        raise
    return w.close(), w.begins, w.ends


def _write_spliced(folder, settings, project, plan, old, index, graphs, pieces_of, order, keys, owners, used,
                   used_trig, timings, results, entries, entity_records, mapped, replaced) -> dict:
    import threading
    from array import array

    from .fastshacl import FastValidator, NeedsFullRun

    from concurrent.futures import ThreadPoolExecutor

    prefixes = project.prefixes
    files: dict[str, tuple[int, str]] = {}
    spans: dict[str, tuple] = {}
    t0 = time.perf_counter()
    head, tail = export.jsonld_frame(project.context)
    jobs = {  # the files are written while the store is updated and the change validated
        "nt": (_union_file, folder / "cardf.nt", "nt", order, old),
        "nq": (_graph_file, folder / "cardf.nq", "nq", pieces_of),
        "ttl": (_union_file, folder / "cardf.ttl", "ttl", order, old,
                export.turtle_header({k: prefixes[k] for k in sorted(used)}, "ttl")),
        "jsonld": (_union_file, folder / "cardf.jsonld", "jsonld", order, old, head.encode("utf-8"),
                   tail.encode("utf-8"), b",\n"),
        "trig": (_graph_file, folder / "cardf.trig", "trig", pieces_of,
                 export.turtle_header({k: prefixes[k] for k in sorted(used_trig)}, "trig")),
    }
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures = {fmt: pool.submit(job[0], *job[1:]) for fmt, job in jobs.items()}

    def written(fmt):
        (files[f"cardf.{fmt}"], b, e) = futures[fmt].result()
        spans[fmt] = (array("q", b), array("q", e))

    try:
        t0 = time.perf_counter()
        store_path = folder / STORE_DIR
        _update_store(settings.out / STORE_DIR, store_path, index, graphs, pieces_of, replaced)
        timings["store"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        owners_of: dict[str, list[str]] = {}
        for key, own in zip(keys, owners):
            owners_of[key] = [graphs[g] for g in own]
        by_graph = dict(zip(graphs, pieces_of))
        forms = literal_forms(results, mapped.entities + project.ontology)
        forms.add(index.forms)  # an article gone may leave some forms behind: they only make more suspects
        predicates = {t.predicate.value for t in mapped.entities + project.ontology} | set(index.predicates)
        for r in results:
            predicates |= r.predicates
        slug_of_graph = {entry.graph: slug for slug, entry in entries.items()}
        known = dict(mapped.origins)
        for r in results:
            known.update(r.origins)

        def slug_of(iri: str):
            for g in owners_of.get("0" + iri, ()):
                if g in slug_of_graph:
                    return slug_of_graph[g]
            return None

        origins = LazyOrigins(known, slug_of, cache_folder(settings.out))
        validator = FastValidator(plan)
        report = None
        store = Store(str(store_path))
        try:
            delta = _delta(old, index, graphs, replaced)
            timings["delta"] = len(delta)
            affected = validator.affected(store, delta)
            timings["reach"] = time.perf_counter() - t0
            if affected is not None:
                originals = BuildOriginals(store, lambda key: owners_of.get(key, ()),
                                           lambda name: by_graph[name].blob("nq"), graphs, forms, predicates)
                try:
                    report = validator.run(store, originals, origins, restrict=affected, previous=index.findings)
                    timings["revalidated"] = len(affected)
                except NeedsFullRun:
                    report = None
        finally:
            del store
        if report is None:  # everything again, on the union of the graphs
            written("nt")
            union = Store()
            union.bulk_load(path=str(folder / "cardf.nt"), format=RdfFormat.N_TRIPLES)
            originals = BuildOriginals(union, lambda key: owners_of.get(key, ()), lambda name: by_graph[name].blob("nq"),
                                       graphs, forms, predicates)
            report = validator.run(union, originals, origins)
            del union
        timings["validate"] = time.perf_counter() - t0
        timings["validate parts"] = vars(validator.timings)
        if not report.conforms:
            raise _not_conforming(report, project.minter, settings)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise

    t0 = time.perf_counter()
    try:
        for fmt in jobs:
            written(fmt)
    finally:
        pool.shutdown(wait=True)
    timings["files (after validation)"] = time.perf_counter() - t0
    shutil.copyfile(settings.out / "ontology.ttl", folder / "ontology.ttl")
    ontology_ttl = (folder / "ontology.ttl").read_bytes()
    files["ontology.ttl"] = (len(ontology_ttl), hashlib.sha256(ontology_ttl).hexdigest())
    records = Counter(r.kind.name for r in entity_records)
    for entry in entries.values():
        records.update(entry.records)
    for r in results:
        records.update(r.records)
    per_graph = {g: p.triples for g, p in zip(graphs, pieces_of) if p.triples}
    kept = {item[1] for item in order if item[0] == "old"}
    begins, ends = index.spans["nt"]
    nt = old.maps["nt"]
    total = index.summary["triples"]["total"] + sum(item[1].count(b"\n") for item in order if item[0] == "new")
    total -= sum(nt[begins[i]:ends[i]].count(b"\n") for i in range(len(index.subjects)) if i not in kept)
    slugs = sorted(list(entries) + [r.slug for r in results])
    summary = _summary(slugs, records, total, sum(per_graph.values()), per_graph, report, files, settings)
    _write_report(folder, summary)
    timings["write"] = time.perf_counter() - t0
    return {"report": report, "summary": summary, "spans": spans}


def _delta(old: OldFiles, index: BuildIndex, graphs: list[str], replaced: list) -> list[Triple]:
    """The triples added or removed, graph by graph, between the previous build and this one."""
    now = {p.graph: set(parse_nq(bytes(p.blob("nq")))) for p in replaced}
    current = set(graphs)
    delta: set[Triple] = set()
    for g, name in enumerate(index.graphs):
        if name in now or name not in current:
            before = set(parse_nq(bytes(old.graph_blob("nq", g))))
            delta |= before ^ now.pop(name, set())
    for triples in now.values():
        delta |= triples
    return list(delta)


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 24)
            if not block:
                return n
            n += block.count(b"\n")


def _update_store(old_path: Path, new_path: Path, index: BuildIndex, graphs: list[str], pieces_of,
                  replaced: list) -> None:
    """The new store: the old one copied (hard links, when on the same disk), then the changed graphs replaced."""
    try:
        Store.read_only(str(old_path)).backup(str(new_path))
    except OSError:
        shutil.rmtree(new_path, ignore_errors=True)
        store = Store(str(new_path))
        store.bulk_load(b"".join(p.blob("nq") for p in pieces_of), format=RdfFormat.N_QUADS)
        store.flush()
        return
    store = Store(str(new_path))
    current = set(graphs)
    for g in index.graphs:
        if g not in current:
            store.remove_graph(NamedNode(g))
    for p in replaced:  # the changed articles' graphs and the shared graph
        graph = NamedNode(p.graph)
        store.clear_graph(graph)
        store.extend(q for q in parse(bytes(p.blob("nq")), format=RdfFormat.N_QUADS))
    store.flush()
    del store


def _save_spliced(out: Path, settings, state, keys, owners, merged_now, graphs, entries, results, change) -> None:
    old_index = change.index
    import pickle

    folder = cache_folder(out)
    before = cache_folder(settings.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.link(before / ORIGINS_FILE, folder / ORIGINS_FILE)
        except OSError:
            shutil.copyfile(before / ORIGINS_FILE, folder / ORIGINS_FILE)
        articles = {}
        fresh = {r.slug: r for r in results}
        for slug in sorted(list(entries) + list(fresh)):
            if slug in fresh:
                articles[slug] = ArticleEntry.of(fresh[slug])
            else:
                entry = entries[slug]
                if slug in change.fingerprints:
                    entry.fingerprint = change.fingerprints[slug]
                articles[slug] = entry
        forms = literal_forms(results, [])
        forms.add(old_index.forms)
        index = BuildIndex(input_key(settings), _stat_outputs(out), articles, graphs, state["spans"],
                           keys, owners, set(merged_now), list(state["report"].findings), state["summary"],
                           forms, old_index.predicates | frozenset().union(*(r.predicates for r in results)))
        overlay = _overlay(before)
        for slug in change.removed:
            overlay[slug] = None
        for r in results:
            overlay[r.slug] = pickle.dumps(r.origins, protocol=pickle.HIGHEST_PROTOCOL)
        _dump(folder / OVERLAY_FILE, overlay)
        _dump(folder / INDEX_FILE, index)
    except (OSError, pickle.UnpicklingError, EOFError):
        shutil.rmtree(folder, ignore_errors=True)
