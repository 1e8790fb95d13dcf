"""Articles read, checked and mapped into artifacts: in two worker processes when there are many.

An article's graph depends only on that article and on which kind of record every id names,
so reading goes in two phases: each article is read and checked on its own (phase one: which
ids it defines), then, with every id of the corpus known, its references are checked and it is
mapped and written in blocks (phase two). With many articles each worker keeps the articles
it read for phase two, and puts their blocks in spill files instead of sending them back.

Any problem in the sources makes the loader read the whole corpus again, so that the error
lists every problem exactly as `sources.load_corpus` words and orders them.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from pyoxigraph import Literal, RdfFormat, Triple, parse

from ..errors import CardfError
from ..export import sort_triples
from ..mapping import map_article, map_corpus
from ..schema import ALL_KINDS
from ..shacl.literals import LiteralForms
from ..sources import Corpus, Record, load_corpus, read_article, resolve_articles
from ..sources import article_folders as list_article_folders
from .identity import signatures
from .artifact import Artifact, MappedFiles, MemoryBlocks, SpillFiles, fingerprint
from .project import Project

PARALLEL_MIN = 200  # below this many articles, worker processes cost more than they save
WORKERS = 2

Progress = Callable[[int, int], None]  # (articles done, articles in all)


@dataclass
class Registry:
    """entities.yaml read and mapped: its records and its graph's triples, with their origins."""

    records: list[Record]
    triples: list[Triple]
    origins: dict

    @property
    def kinds(self) -> dict[str, str]:
        return {r.id: r.kind.name for r in self.records}


def read_registry(project: Project) -> Registry:
    """The entities; raise the loader's full report of problems when the sources have any."""
    try:
        corpus = load_corpus(project.settings.data, project.vocab, only=set(), listed=True)
    except CardfError:
        raise SourcesHaveProblems() from None
    mapped = map_corpus(Corpus(list(corpus.entities), []), project.minter)
    return Registry(list(corpus.entities), mapped.entities, mapped.origins)


class SourcesHaveProblems(Exception):
    """Some source has a problem: `report_problems` lists every one, in order."""


def report_problems(project: Project) -> None:
    load_corpus(project.settings.data, project.vocab)  # raises the InputError that lists every problem
    raise AssertionError("the sources have problems that the loader does not see")


def article_folders(data: Path) -> list[Path]:
    """The article folders, in slug order; SourcesHaveProblems when one cannot be read or leads out of `data`."""
    folders, problems = list_article_folders(data)
    if problems:
        raise SourcesHaveProblems()
    return folders


class _Known:
    """Every id of the corpus as `sources` expects `defined` to be: id → a record of its kind."""

    def __init__(self, kind_of: dict[str, str], own: dict[str, Record]):
        self.kind_of, self.own = kind_of, own  # every id's kind; the article's own records
        self.used: dict[str, str] = {}

    def get(self, key, default=None):
        if key not in self.kind_of:
            return default
        self.used[key] = self.kind_of[key]
        if key in self.own:
            return self.own[key]
        return SimpleNamespace(id=key, kind=ALL_KINDS[self.kind_of[key]], origin=None, article=None)

    def __getitem__(self, key):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        return key in self.kind_of

    def items(self):
        """Every id and a record of its kind, for suggestions (not counted as cited)."""
        for key, kind in self.kind_of.items():
            yield key, self.own.get(key) or SimpleNamespace(id=key, kind=ALL_KINDS[kind], origin=None, article=None)

    def __iter__(self):
        return iter(self.kind_of)

    def __len__(self) -> int:
        return len(self.kind_of)


class _Segments(dict):
    """id → IRI segment, looked up from the kinds (mapping only asks for the ids an article cites)."""

    def __init__(self, kind_of):
        super().__init__()
        self.kind_of = kind_of

    def __missing__(self, key):
        value = ALL_KINDS[self.kind_of[key]].segment
        self[key] = value
        return value


class Reader:
    """Reads, checks and maps articles; one lives in each worker process (or in the build's own)."""

    def __init__(self, project: Project, entities: dict[str, Record], spill: SpillFiles | None = None):
        self.project = project
        self.entities = entities
        self.articles: dict[str, object] = {}
        self.fingerprints: dict = {}
        self.spill = spill

    def read(self, folder: Path) -> tuple[str, list[tuple[str, str]], int]:
        """Phase one: the records an article defines (id, kind), and how many problems it has."""
        article, problems = read_article(folder, self.project.vocab, dict(self.entities))
        if article is not None:
            self.articles[folder.name] = article
            self.fingerprints[folder.name] = fingerprint(folder)
        defines = [(r.id, r.kind.name) for r in article.defined] if article is not None else []
        return folder.name, defines, len(problems) + (article is None)

    def map(self, slug: str, kind_of: dict[str, str]) -> Artifact | None:
        """Phase two, with every id of the corpus known: check references, map, write blocks. None on problems."""
        article = self.articles.pop(slug)
        known = _Known(kind_of, {r.id: r for r in article.defined})
        if resolve_articles([article], known, self.project.vocab):
            return None
        origins: dict = {}
        graph = map_article(article, self.project.minter, _Segments(kind_of), origins)
        made = self.project.writer.graph(sort_triples(graph.triples), graph.graph)
        blocks = self.spill.store(made) if self.spill is not None else MemoryBlocks(made)
        everything = graph.triples + graph.shared
        forms = LiteralForms.of((t.predicate.value, t.object) for t in everything if isinstance(t.object, Literal))
        return Artifact(slug, self.fingerprints.pop(slug), [(r.id, r.kind.name) for r in article.defined],
                        dict(known.used), Counter(r.kind.name for r in article.defined), blocks,
                        nt_lines(graph.shared), origins, forms, frozenset(t.predicate.value for t in everything),
                        tuple(graph.reported), signatures(article))


def read_articles(project: Project, entities: dict[str, Record], folders: list[Path], known: dict[str, str],
                  progress: Progress | None = None, spill: Callable[[], Path] | None = None,
                  workers: int = WORKERS) -> tuple[list[Artifact], MappedFiles | None]:
    """Artifacts of the articles in `folders`, in slug order; `known` holds the kinds of every other id.

    Raises SourcesHaveProblems when an article has a problem or defines an id twice.
    """
    total = len(folders)
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(min(done[0], 2 * total) // 2, total)

    if workers > 1 and len(folders) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 and spill is not None:
        folder = spill()
        artifacts = _read_parallel(project, entities, folders, known, advance, folder, workers)
        files = MappedFiles(lambda tag, kind: folder / f"blocks-{tag}.{kind}")
        for a in artifacts:
            a.blocks.files = files
        return artifacts, files
    return _read_serial(project, entities, folders, known, advance), None


def _kinds(known: dict[str, str], reads) -> dict[str, str]:
    kind_of = dict(known)
    for _, defines, problems in reads:
        if problems:
            raise SourcesHaveProblems()
        for rid, kind in defines:
            if rid in kind_of:
                raise SourcesHaveProblems()  # defined twice
            kind_of[rid] = kind
    return kind_of


def _read_serial(project, entities, folders, known, advance) -> list[Artifact]:
    reader = Reader(project, entities)
    reads = []
    for folder in folders:
        reads.append(reader.read(folder))
        advance(1)
    kind_of = _kinds(known, reads)
    artifacts = []
    for slug, _, _ in reads:
        artifact = reader.map(slug, kind_of)
        if artifact is None:
            raise SourcesHaveProblems()
        artifacts.append(artifact)
        advance(1)
    return artifacts


def _worker(conn, project: Project, entities: dict, spill_folder: Path, tag: str) -> None:
    """A worker process: read the folders it is sent, then map them once it is told every id."""
    gc.disable()
    spill = SpillFiles(spill_folder, tag)
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


def _read_parallel(project, entities, folders, known, advance, spill: Path, workers: int) -> list[Artifact]:
    import multiprocessing
    from multiprocessing.connection import wait

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows, macOS by default): start fresh interpreters
        ctx = multiprocessing.get_context("spawn")
    chunks = [folders[k::workers] for k in range(workers)]
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
        pending = set(range(workers))
        while pending:
            for conn in wait([conns[i] for i in pending]):
                i = conns.index(conn)
                message = conn.recv()
                if message[0] == "progress":
                    advance(message[1])
                else:
                    reads_by[i] = message[1]
                    pending.discard(i)
        reads = [r for i in range(workers) for r in reads_by[i]]
        kind_of = _kinds(known, reads)
        for i, conn in enumerate(conns):
            conn.send(("map", kind_of, [slug for slug, _, _ in reads_by[i]]))
        artifacts: list[Artifact] = []
        pending = set(range(workers))
        failed = False
        while pending:
            for conn in wait([conns[i] for i in pending]):
                i = conns.index(conn)
                message = conn.recv()
                if message[0] == "mapped":
                    for artifact in message[1]:
                        if artifact is None:
                            failed = True
                        else:
                            artifacts.append(artifact)
                    advance(len(message[1]))
                else:
                    pending.discard(i)
        if failed:
            raise SourcesHaveProblems()
        artifacts.sort(key=lambda a: a.slug)
        return artifacts
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
    """The shared graph from the articles' N-Triples lines (see nt_lines)."""
    lines: set[bytes] = set()
    for block in blocks:
        lines.update(block.splitlines(keepends=True))
    return list(parse(b"".join(sorted(lines)), format=RdfFormat.N_TRIPLES)) if lines else []
