"""The previous build, kept in the user's cache: what the next build can reuse.

One folder per output folder (`builds/<digest of its path>/` in the cache of cardf.shacl.cached,
beside the compiled shapes) holds the build's index (`index.pickle`): every artifact it was made
of — less its blocks, which are in the output files themselves, at the byte ranges the index
records — its layout and its findings. It is kept out of the output folder, whose bytes are the
same for the same inputs: the index holds the output files' stat, which differ from build to
build. A build writes the next index beside the current one and swaps it in once its outputs are.
The artifacts' origins are kept apart (`origins.pickle`, read only for a finding that needs one).

A build compares the articles' files with the fingerprints in the index: the articles that did
not change are taken from the index, their blocks copied from the previous output files; the
others are read again. When nothing reusable is there, the previous build is `empty()`, and a
build from it is a clean build: the same code, with everything new.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import outdir
from ..export import FORMATS
from ..shacl.literals import LiteralForms
from ..sources.model import positional
from .artifact import Artifact, Fingerprint, article_stat, fingerprint
from .layout import PreviousLayout
from .project import Settings

CACHE_VERSION = 8
INDEX_FILE = "index.pickle"
ORIGINS_FILE = "origins.pickle"
OVERLAY_FILE = "origins-overlay.pickle"  # articles re-read since the last clean build
STAMP_FILE = "unchanged.pickle"  # what telling "nothing changed" needs: small at any corpus size
INCREMENTAL_MAX = 0.05  # above this share of changed articles, a clean build is as quick
STEM = "cardf"


BUILDS_KEPT = 8  # the caches of the output folders built most recently


def cache_folder(out: Path) -> Path | None:
    """The cache of the build in `out`; None when the user has no cache folder (every build is then clean)."""
    from ..usercache import cache_dir

    root = cache_dir()
    if root is None:
        return None
    return root / "builds" / hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24]


def _staging(final: Path) -> Path:
    return final.with_name(final.name + ".new")


def promote(out: Path) -> None:
    """After the outputs were swapped in: the index written beside the previous one takes its place."""
    final = cache_folder(out)
    if final is None or not _staging(final).is_dir():
        return
    try:
        shutil.rmtree(final, ignore_errors=True)
        os.replace(_staging(final), final)
        builds = sorted((p for p in final.parent.iterdir() if p.is_dir() and not p.name.endswith(".new")),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in builds[BUILDS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        shutil.rmtree(final, ignore_errors=True)


def discard(out: Path) -> None:
    """A build that did not swap its outputs in leaves no index behind."""
    final = cache_folder(out)
    if final is not None:
        shutil.rmtree(_staging(final), ignore_errors=True)


# ----------------------------------------------------------------------------- the compiled shapes

def compiled_plan(settings: Settings, use_cache: bool = True):
    """The compiled shapes: from the user's cache when these shapes were compiled before (see shacl.cached)."""
    from ..shacl.cached import compiled

    return compiled(settings.shape_files(), use_cache)


def save_plan(plan) -> None:
    """Keep the compiled shapes in the user's cache, for every later build with these shapes."""
    from ..shacl.cached import keep

    keep(plan)


# ----------------------------------------------------------------------------- the index

def input_key(settings: Settings) -> str:
    """Everything besides the articles that the outputs depend on: settings, cardf, registry, ontology, shapes."""
    from .. import __version__
    from ..ontology import ontology_files

    h = hashlib.sha256()
    h.update(repr((CACHE_VERSION, __version__, settings.base, tuple(settings.formats), settings.store,
                   str(settings.data), str(settings.data.resolve()), str(settings.out.resolve()))).encode())
    paths = [settings.data / "entities.yaml"] + ontology_files(settings.ontology) + settings.shape_files()
    for path in paths:
        h.update(str(path).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing")
    return h.hexdigest()


@dataclass(frozen=True)
class GraphEntry:
    """A graph of the previous build: its name and what its blocks need besides their bytes."""

    graph: str
    used: frozenset[str]
    graph_prefix: str | None
    triples: int

    __reduce__ = positional


@dataclass
class Index:
    """The previous build: its artifacts (blocks in the output files), layout, findings and report."""

    key: str
    outputs: dict  # file name → (size, mtime_ns, inode), to tell that nobody changed the files
    artifacts: dict[str, Artifact]  # slug → artifact whose blocks are a GraphEntry
    graphs: list[GraphEntry]  # in file order
    spans: dict  # format → (begins, ends): byte range of each subject (nt, ttl, jsonld) or graph (nq, trig)
    keys: list[str]  # the union's subjects in order
    owners: list[tuple[int, ...]]  # per subject: indexes into `graphs`
    merged: set[int]
    findings: list
    summary: dict
    forms: LiteralForms
    predicates: frozenset[str]
    computed: dict = field(default_factory=dict)  # computed graph (shared, agreement) → digest of its triples
    nt_lines: object = None  # array: each subject's line count in cardf.nt
    version: int = CACHE_VERSION

    # Each artifact is pickled on its own and keeps its bytes: a build that changed one article
    # writes the others' bytes again instead of pickling ten thousand artifacts anew.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["artifacts"] = {slug: _artifact_bytes(a) for slug, a in self.artifacts.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        state["artifacts"] = {slug: _artifact_of(blob) for slug, blob in state["artifacts"].items()}
        self.__dict__.update(state)


def _artifact_bytes(artifact: Artifact) -> bytes:
    blob = artifact.__dict__.get("_pickled")
    return blob if blob is not None else pickle.dumps(artifact, protocol=pickle.HIGHEST_PROTOCOL)


def _artifact_of(blob: bytes) -> Artifact:
    artifact = pickle.loads(blob)
    artifact._pickled = blob
    return artifact


def _stat_outputs(out: Path) -> dict:
    found = {}
    for path in sorted(out.iterdir()):
        if path.is_file() and path.name != outdir.MARKER:  # the marker is written after the index
            st = path.stat()
            found[path.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def _dump(path: Path, value) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load_index(settings: Settings) -> Index | None:
    try:
        with open(cache_folder(settings.out) / INDEX_FILE, "rb") as f:
            index = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(index, Index) or index.version != CACHE_VERSION or index.key != input_key(settings):
        return None
    try:
        if _stat_outputs(settings.out) != index.outputs or not (settings.out / "store").is_dir():
            return None
    except OSError:
        return None
    return index


@dataclass
class Stamp:
    """What a build was made of, as far as telling that nothing changed needs, and what it then reports.

    Kept apart from the index, which grows with the corpus (tens of megabytes at 10,000 articles):
    a rebuild with nothing changed reads this, the settings' files and the articles' stat, no more.
    """

    key: str
    outputs: dict
    stats: dict[str, tuple | None]  # slug → article_stat when the build read it
    findings: list
    summary: dict
    version: int = CACHE_VERSION

    @classmethod
    def of(cls, index: Index) -> Stamp:
        return cls(index.key, index.outputs, {slug: a.fingerprint.stat for slug, a in index.artifacts.items()},
                   index.findings, index.summary)


def unchanged(settings: Settings, folders: list[Path]) -> Stamp | None:
    """The previous build when provably nothing it was made of changed (by stat alone); None when unsure."""
    if tuple(settings.formats) != FORMATS or not settings.store:
        return None
    folder = cache_folder(settings.out)
    stamp = _read_pickle(folder / STAMP_FILE, None) if folder is not None else None
    if not isinstance(stamp, Stamp) or stamp.version != CACHE_VERSION or len(stamp.stats) != len(folders):
        return None
    now = time.time()
    for folder in folders:
        known = stamp.stats.get(folder.name)
        if known is None or article_stat(folder, now) != known:
            return None
    try:
        if stamp.key != input_key(settings) or _stat_outputs(settings.out) != stamp.outputs \
                or not (settings.out / "store").is_dir():
            return None
    except OSError:
        return None
    return stamp


def restamp(previous: Previous) -> None:
    """After a rebuild that found nothing changed the slow way (files touched, or read too soon after they
    were written), record the articles' stat as they are now, so that the next one is told by stat alone."""
    try:
        _dump(cache_folder(previous.out) / STAMP_FILE, Stamp.of(previous.index))
    except (OSError, TypeError, pickle.PicklingError):  # TypeError: no cache folder
        pass


# ----------------------------------------------------------------------------- the previous build as a whole

class GraphSpan:
    """A graph's blocks as they sit in the previous build's cardf.nq and cardf.trig."""

    def __init__(self, entry: GraphEntry, g: int, previous: "Previous"):
        self.graph, self.used, self.graph_prefix, self.triples = entry.graph, entry.used, entry.graph_prefix, \
            entry.triples
        self.keys: list[str] = []  # its subjects stand in the previous union as they were
        self.g, self.previous = g, previous

    def blob(self, kind: str) -> bytes:
        return self.previous.graph_blob(kind, self.g)

    def piece(self, kind: str, j: int) -> bytes:
        raise LookupError("an unchanged graph's subjects are kept whole from the previous union file")


@dataclass
class Change:
    """What differs from the previous build."""

    fresh: list[Path]  # articles to read (new or changed)
    kept: dict[str, Artifact]  # slug → artifact taken from the previous build
    removed: list[str]  # slugs that went away


@dataclass
class Previous:
    """The previous build of the output folder, as far as it can be reused."""

    index: Index | None = None
    out: Path | None = None
    maps: dict = field(default_factory=dict)

    @classmethod
    def empty(cls) -> "Previous":
        return cls()

    @classmethod
    def of(cls, settings: Settings) -> "Previous":
        """The previous build, or the empty one when it cannot be reused (other settings, files touched)."""
        if tuple(settings.formats) != FORMATS or not settings.store or not settings.out.is_dir():
            return cls.empty()
        index = _load_index(settings)
        return cls(index, settings.out) if index is not None else cls.empty()

    @property
    def is_empty(self) -> bool:
        return self.index is None

    def change(self, folders: list[Path]) -> Change | None:
        """Which articles to read again; None when a clean build is the better course."""
        if self.index is None:
            return Change(list(folders), {}, [])
        now = time.time()
        fresh, kept = [], {}
        for folder in folders:
            artifact = self.index.artifacts.get(folder.name)
            if artifact is None:
                fresh.append(folder)
                continue
            stat = article_stat(folder, now)
            if stat is None or stat != artifact.fingerprint.stat:
                found = fingerprint(folder)
                if found.digest != artifact.fingerprint.digest:
                    fresh.append(folder)
                    continue
                artifact.fingerprint = Fingerprint(stat, found.digest)
                artifact.__dict__.pop("_pickled", None)
            kept[folder.name] = artifact
        present = {f.name for f in folders}
        removed = [slug for slug in self.index.artifacts if slug not in present]
        if len(fresh) + len(removed) > max(1, INCREMENTAL_MAX * len(folders)):
            return None
        return Change(fresh, kept, removed)

    # its files ----------------------------------------------------------------------------------

    def _map(self, fmt: str):
        if fmt not in self.maps:
            import mmap

            with open(self.out / f"{STEM}.{fmt}", "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.maps[fmt] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return self.maps[fmt]

    def graph_blob(self, kind: str, g: int) -> bytes:
        begins, ends = self.index.spans[kind]
        return self._map(kind)[begins[g]:ends[g]]

    def union_run(self, kind: str, first: int, last: int) -> tuple[memoryview, list[int], list[int]]:
        """Items first..last of a previous file (subjects of a union file, graphs of cardf.nq or .trig), as one
        run: its bytes and each item's range."""
        begins, ends = self.index.spans[kind]
        data = self._map(kind)
        view = memoryview(data) if data else memoryview(b"")
        return view[begins[first]:ends[last]], begins[first:last + 1], ends[first:last + 1]

    def nt_lines(self, first: int, last: int):
        """The line counts of subjects first..last of the previous cardf.nt."""
        return self.index.nt_lines[first:last + 1]

    def graph_spans(self) -> dict[str, GraphSpan]:
        return {e.graph: GraphSpan(e, g, self) for g, e in enumerate(self.index.graphs)} if self.index else {}

    def layout(self) -> PreviousLayout:
        if self.index is None:
            return PreviousLayout()
        index = self.index
        names = [e.graph for e in index.graphs]
        by_name = {name: g for g, name in enumerate(names)}
        return PreviousLayout(index.keys, index.owners, set(index.merged), names,
                              lambda i: self.union_run("nt", i, i)[0],
                              lambda name: self.graph_blob("nq", by_name[name]))

    def close(self) -> None:
        for m in self.maps.values():
            if not isinstance(m, bytes):
                m.close()
        self.maps.clear()

    def origins(self, known: dict, fresh: set[str]) -> "LazyOrigins":
        slug_of_graph = {a.graph: slug for slug, a in self.index.artifacts.items() if slug not in fresh} \
            if self.index else {}
        return LazyOrigins(known, slug_of_graph, self.out)


class LazyOrigins:
    """Where resources came from: the fresh ones', and the kept articles' read from the cache when asked."""

    def __init__(self, known: dict, slug_of_graph: dict[str, str], out: Path | None):
        self.known, self.slug_of_graph, self.out = known, slug_of_graph, out
        self.owners_of: Callable[[str], tuple] = lambda key: ()
        self._packed = None
        self._overlay = None
        self._loaded: dict[str, dict] = {}

    def get(self, iri: str | tuple[str, str], default=None):
        found = self.known.get(iri)
        if found is not None or self.out is None:
            return found if found is not None else default
        subject = iri[0] if isinstance(iri, tuple) else iri  # a resource, or (resource, predicate) for a field
        slug = next((self.slug_of_graph[g] for g in self.owners_of("0" + subject) if g in self.slug_of_graph), None)
        if slug is None:
            return default
        if slug not in self._loaded:
            folder = cache_folder(self.out)
            if self._overlay is None:
                self._overlay = _read_pickle(folder / OVERLAY_FILE, {})
            if slug in self._overlay:
                packed = self._overlay[slug]
            else:
                if self._packed is None:
                    self._packed = _read_pickle(folder / ORIGINS_FILE, {})
                packed = self._packed.get(slug)
            self._loaded[slug] = pickle.loads(packed) if packed else {}
        return self._loaded[slug].get(iri, default)

    def __bool__(self) -> bool:
        return True


def _read_pickle(path: Path, default):
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return default


def save(folder: Path, settings: Settings, previous: Previous, index: Index, fresh: list[Artifact],
         removed: list[str]) -> None:
    """Record the build beside the previous one (before the swap: see promote); a failure only costs the next build
    its head start."""
    final = cache_folder(settings.out)
    if final is None:
        return
    cache = _staging(final)
    try:
        shutil.rmtree(cache, ignore_errors=True)
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        cache.mkdir(mode=0o700)
        if previous.is_empty:
            _dump(cache / ORIGINS_FILE, {a.slug: pickle.dumps(a.origins, protocol=pickle.HIGHEST_PROTOCOL)
                                          for a in fresh})
            (cache / OVERLAY_FILE).unlink(missing_ok=True)
        else:
            before = cache_folder(previous.out)
            try:
                os.link(before / ORIGINS_FILE, cache / ORIGINS_FILE)
            except OSError:
                shutil.copyfile(before / ORIGINS_FILE, cache / ORIGINS_FILE)
            overlay = _read_pickle(before / OVERLAY_FILE, {})
            for slug in removed:
                overlay[slug] = None
            for a in fresh:
                overlay[a.slug] = pickle.dumps(a.origins, protocol=pickle.HIGHEST_PROTOCOL)
            _dump(cache / OVERLAY_FILE, overlay)
        index.outputs = _stat_outputs(folder)
        _dump(cache / INDEX_FILE, index)
        _dump(cache / STAMP_FILE, Stamp.of(index))
    except (OSError, pickle.PicklingError):
        shutil.rmtree(cache, ignore_errors=True)
