"""Reading and mapping articles for the build: in worker processes when there are many.

An article's graph depends only on that article and on which kind of record every id names,
so the workers read first, swap the ids they found, then map. Each article's graph is
serialized once, in pieces per subject (export.pieces), which the build splices into files.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from . import export
from .errors import CardfError, InputError
from .iris import Minter
from .mapping import map_corpus
from .ontology import build_context, load_ontology_quads
from .sources import Corpus, load_corpus, load_vocabulary
from .sources import article_folders as list_article_folders

if TYPE_CHECKING:
    from .build import Settings

PARALLEL_MIN = 200  # below this many articles, worker processes cost more than they save
WORKERS = 2

Progress = Callable[[int, int], None]  # (articles done, articles in all)

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
    """The article folders, as load_corpus lists them; InputError when one cannot be read."""
    folders, problems = list_article_folders(data)
    if problems:
        raise InputError(problems=problems)
    return folders


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
        try:
            folders = article_folders(settings.data)
        except InputError:
            raise _Fallback() from None
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
