"""The cache of the previous build: the compiled shapes, and an index of every piece of the outputs.

With it a build reads, maps and validates only the articles whose files changed (and whatever
the change can reach), and splices their pieces into the previous output files; the result is
byte for byte a clean build's, which tests compare.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, Triple, parse

from . import export, outdir
from .build import (
    STEM,
    STORE_DIR,
    BuildOriginals,
    Built,
    FileWriter,
    Layout,
    Settings,
    _not_conforming,
    _summary,
    _write_report,
    literal_forms,
    shape_files,
)
from .errors import CardfError, InputError
from .mapping import map_corpus
from .reading import (
    WORKERS,
    ArticleResult,
    MemoryPieces,
    Progress,
    Project,
    Reader,
    article_fingerprint,
    article_folders,
    article_stat,
    parse_nq,
    shared_pieces,
)
from .sources import Corpus, load_corpus
from .validate import Report, load_shapes

PLAN_FILE = "plan.pickle"


def _plan_key(settings: Settings) -> str:
    from importlib.metadata import version

    from . import __version__, fastshacl

    h = hashlib.sha256(repr((CACHE_VERSION, __version__, version("pyshacl"), version("rdflib"))).encode())
    h.update(Path(fastshacl.__file__).read_bytes())
    for path in shape_files(settings.shapes):
        h.update(str(path).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def compiled_plan(settings: Settings):
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


def save_plan(out: Path, plan) -> None:
    if getattr(plan, "cache_key", None) is None:
        return
    try:
        folder = cache_folder(out)
        folder.mkdir(parents=True, exist_ok=True)
        _dump(folder / PLAN_FILE, (plan.cache_key, plan.snapshot()))
    except (OSError, TypeError, AttributeError):
        pass


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
        if path.is_file() and path.name != outdir.MARKER:  # the marker is written after the index
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
    try:
        folders = article_folders(settings.data)
    except InputError:  # a full build reports it, with every other problem
        return None
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


def incremental(settings: Settings, progress: Progress | None, project: Project, plan, change: Change,
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
        save_plan(folder, plan)
        timings["cache"] = time.perf_counter() - started
        return {name: f["sha256"] for name, f in state["summary"]["files"].items()}  # already hashed

    outdir.replace(settings.out, write, (STORE_DIR,))
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
    from array import array
    from concurrent.futures import ThreadPoolExecutor

    from .fastshacl import FastValidator, NeedsFullRun

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
            originals = BuildOriginals(union, lambda key: owners_of.get(key, ()),
                                       lambda name: by_graph[name].blob("nq"), graphs, forms, predicates)
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
