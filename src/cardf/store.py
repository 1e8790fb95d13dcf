"""Stores: the embedded Oxigraph database that `cardf build` fills, and what `cardf load` sends anywhere.

A load is planned as a list of graphs, each replaced whole in the target store, so that
loading the same data twice leaves the store as loading it once, and a changed article
replaces just its own graph. The same plan feeds the embedded store here and the remote
stores in `remote.py`.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on this system: stores go unguarded
    fcntl = None

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Triple

from .errors import ExternalError, InputError, Problem, UsageError
from .rdfio import RdfFile, checked_file, parsed_quads
from .resources import old_build_hint

# What `cardf load` reads from a build folder when no files are named: the first one present.
BUILD_FILES = ("cardf.nq", "cardf.trig")

Progress = Callable[[int], None]
LIST_LIMIT = 5  # graphs named in a message before "… and N more"
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class GraphData:
    """One graph to put into a store, replacing whatever the store holds under that name."""

    name: NamedNode | DefaultGraph
    triples: list[Triple]

    @property
    def label(self) -> str:
        return "the default graph" if isinstance(self.name, DefaultGraph) else f"<{self.name.value}>"


@dataclass(frozen=True)
class LoadResult:
    target: str
    graphs: int
    triples: int
    seconds: float
    checked: str | None = None  # how the store's triple counts were read back, or why they were not

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float(self.triples)

    def summary(self) -> str:
        checked = f"; {self.checked}" if self.checked else ""
        return (f"Loaded {self.triples:,} triples in {self.graphs:,} graph(s) into {self.target} "
                f"in {self.seconds:.2f} s ({self.rate:,.0f} triples/s){checked}.")


class LoadFailed(ExternalError):
    """A load that stopped part-way: says which graphs made it, which did not, and the one in between.

    `state` is what became of the first pending graph: "failed" (the store says it applied
    nothing), "partial" (some of its requests were applied) or "unknown" (its answer was lost,
    so it may or may not have been applied). "nothing was loaded" is said only when that is known.
    """

    event = "the failure"
    STATES = {"partial": "partly loaded: {} (load again)",
              "unknown": "perhaps loaded: {} (its answer was lost; load again)"}

    def __init__(self, message: str, loaded: list[GraphData], pending: list[GraphData], state: str = "failed"):
        super().__init__(message)
        self.loaded, self.pending, self.state = list(loaded), list(pending), state

    def lines(self, limit: int = 50) -> list[str]:
        head = str(self)
        if not self.loaded and self.state == "failed":
            return [f"{head}; nothing was loaded"]
        total = len(self.loaded) + len(self.pending)
        first, rest = self.pending[0], self.pending[1:]
        lines = [f"{head}; {len(self.loaded)} of {total} graph(s) were loaded before {self.event}",
                 f"loaded: {_names(self.loaded)}" if self.loaded else "loaded: none"]
        if self.state == "failed":
            return lines + [f"not loaded: {first.label} (failed){', ' + _names(rest) if rest else ''}"]
        return lines + [self.STATES[self.state].format(first.label)] + ([f"not loaded: {_names(rest)}"] if rest else [])


class LoadInterrupted(LoadFailed):
    """Ctrl-C during a load: exit 130 like any interrupted command, but say where the load stopped."""

    exit_code = EXIT_INTERRUPTED
    event = "the interruption"


def _names(graphs: list[GraphData], limit: int = LIST_LIMIT) -> str:
    shown = ", ".join(g.label for g in graphs[:limit])
    return shown + (f", … and {len(graphs) - limit} more" if len(graphs) > limit else "")


def write_store(path: Path, quads: list[Quad]) -> int:
    """Create a fresh store at `path` holding exactly `quads`, named graphs kept."""
    try:
        store = Store(str(path))
        store.bulk_extend(quads)
        store.flush()
        count = len(store)
        del store
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot write the embedded store: {exc}", path)]) from None
    return count


def build_file(dist: Path) -> Path:
    """The build output that keeps the named graphs, or a clear error when there is none."""
    for name in BUILD_FILES:
        if (dist / name).is_file():
            return dist / name
    raise InputError(problems=[Problem(
        f"no build output here ({' or '.join(BUILD_FILES)}); run `cardf build` first, or name the files to load"
        + old_build_hint(dist),
        dist)])


def input_files(files: list[Path], dist: Path, input_format: str | None = None) -> list[RdfFile]:
    """The named files, or the build in `dist` when no files are named, checked and ready for a parser."""
    if not files:
        return [checked_file(build_file(dist))]
    return [checked_file(path, input_format) for path in files]


def read_inputs(files: list[Path], dist: Path, input_format: str | None = None) -> list[Quad]:
    """The quads of the named files, or of the build in `dist` when no files are named."""
    return [q for file in input_files(files, dist, input_format) for q in parsed_quads(file)]


def plan(quads: list[Quad], graph: str | None = None, default_graph: bool = False) -> list[GraphData]:
    """Split quads into the graphs to replace.

    Without options every named graph is loaded under its own name, and triples from
    triple-only formats (Turtle, N-Triples) go to the default graph. `graph` loads one
    graph: the input's named graph of that name plus any default-graph triples, under
    that name. `default_graph` loads the union of everything into the default graph.
    """
    if graph is not None and default_graph:
        raise UsageError("--graph and --default-graph do not go together; choose one")
    if default_graph:
        return [GraphData(DefaultGraph(), _unique(q.triple for q in quads))]
    if graph is not None:
        try:
            target = NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph: {graph!r} is not an absolute IRI") from None
        chosen = _unique(q.triple for q in quads if q.graph_name == target or isinstance(q.graph_name, DefaultGraph))
        if not chosen:
            names = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, NamedNode)})
            hint = f"; the input has {len(names)} named graph(s), e.g. <{names[0]}>" if names else ""
            raise UsageError(f"--graph: the input holds no triples for <{graph}>{hint}")
        return [GraphData(target, chosen)]
    by_graph: dict[NamedNode | DefaultGraph, list[Triple]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name, []).append(q.triple)
    ordered = sorted(by_graph, key=lambda g: (isinstance(g, NamedNode), getattr(g, "value", "")))
    return [GraphData(g, _unique(by_graph[g])) for g in ordered]


def _unique(triples) -> list[Triple]:
    return list(dict.fromkeys(triples))


def total_triples(graphs: list[GraphData]) -> int:
    return sum(len(g.triples) for g in graphs)


IN_USE = "the store is in use by another process (`cardf serve`?); stop it, then load again"
BEING_WRITTEN = "the store is being written by another process (`cardf load`?); serve it once that is done"


def lock_store(path: Path, writer: bool) -> int | None:
    """Lock the store folder for writing (exclusive) or serving (shared); the descriptor, to pass on or unlock.

    Oxigraph locks a store only against other writers: a load into a store that
    `oxigraph serve-read-only` has open succeeds, and the server goes on answering from what
    it read at its start. This lock, on the folder itself (nothing is written into the
    store), closes that gap. The descriptor can be handed to a child process (the server),
    which then holds the lock as long as it lives. None where there are no such locks.
    """
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot open the store: {exc.strerror}", path)]) from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if writer else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ExternalError(problems=[Problem(IN_USE if writer else BEING_WRITTEN, path)]) from None
    except OSError:  # a file system without locks: go on unguarded, as before
        pass
    return fd


def unlock_store(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


@contextmanager
def holding(path: Path, writer: bool) -> Iterator[int | None]:
    """`lock_store` for the length of a `with` block."""
    fd = lock_store(path, writer)
    try:
        yield fd
    finally:
        unlock_store(fd)


def load_store(path: Path, graphs: list[GraphData], progress: Progress | None = None) -> LoadResult:
    """Replace each graph in the embedded store at `path` (created when missing).

    An empty store is filled by Oxigraph's bulk loader (about twice as fast, not
    transactional: rerun the load after a failure). Otherwise each graph is cleared, then
    filled in one transaction; a failure between the two leaves that graph empty until the
    load is run again. A store that another process has open is refused (exit 3).
    """
    if path.exists() and not path.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder; --store needs a store folder", path)])
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot create the store: {exc.strerror}", path)]) from None
    with holding(path, writer=True):
        return _load_store(path, graphs, progress)


def _open_for_writing(path: Path) -> Store:
    try:
        return Store(str(path))
    except OSError as exc:
        why = IN_USE if "lock" in str(exc).lower() else f"cannot open the store: {exc}"
        raise ExternalError(problems=[Problem(why, path)]) from None


def _load_store(path: Path, graphs: list[GraphData], progress: Progress | None) -> LoadResult:
    started = time.perf_counter()
    store = _open_for_writing(path)
    loaded: list[GraphData] = []

    def quads(g: GraphData):
        yield from (Quad(t.subject, t.predicate, t.object, g.name) for t in g.triples)
        loaded.append(g)
        if progress:
            progress(len(g.triples))

    try:
        if next(iter(store), None) is None:
            store.bulk_extend(q for g in graphs for q in quads(g))
        else:
            for g in graphs:
                store.clear_graph(g.name)
                store.extend(quads(g))
        store.flush()
    except OSError as exc:
        pending = graphs[len(loaded):]
        raise LoadFailed(f"{path}: cannot write the store: {exc}", loaded, pending, "partial") from None
    except KeyboardInterrupt:
        raise LoadInterrupted(f"{path}: interrupted", loaded, graphs[len(loaded):], "partial") from None
    finally:
        del store
    return LoadResult(str(path), len(graphs), total_triples(graphs), time.perf_counter() - started)


LINE_FORMATS = ("ntriples", "nquads")  # one statement a line: the progress bar counts lines as they are read


def statements(files: list[RdfFile]) -> int:
    """About how many statements the files hold (lines of N-Triples and N-Quads; others are not counted)."""
    total = 0
    for file in files:
        if file.format in LINE_FORMATS:
            with open(file.path, "rb") as f:
                while block := f.read(1 << 24):
                    total += block.count(b"\n")
    return total


def load_files(path: Path, files: list[RdfFile], progress: Progress | None = None) -> LoadResult | None:
    """Load the files into an empty embedded store by the store's own parser and bulk loader, as `oxigraph load` does.

    Every graph in the files is new to an empty store, so there is nothing to replace, and the
    files need not become Python objects first (twice the time, and more memory). Returns None,
    having changed nothing, when the store already holds data: then `load_store` replaces graph by
    graph. A file the parser rejects is reported as `read_quads` words it (file:line:column) and
    the store is left empty (removed, if this load created it).
    """
    if path.exists() and not path.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder; --store needs a store folder", path)])
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot create the store: {exc.strerror}", path)]) from None
    done = False
    try:
        with holding(path, writer=True):
            result = _load_files(path, files, progress)
        done = True
        return result
    finally:
        if created and not done:
            import shutil

            shutil.rmtree(path, ignore_errors=True)


def _load_files(path: Path, files: list[RdfFile], progress: Progress | None) -> LoadResult | None:
    started = time.perf_counter()
    store = _open_for_writing(path)
    try:
        if next(iter(store), None) is not None:
            return None
        for file in files:
            try:
                _bulk_load(store, file, progress)
            except (SyntaxError, ValueError) as exc:
                store.clear()
                store.flush()
                parsed_quads(file)  # the message the other path gives, when its parser says more
                raise file.error(exc) from None
            except OSError as exc:
                store.clear()
                raise ExternalError(problems=[Problem(f"cannot write the store: {exc}", path)]) from None
            except KeyboardInterrupt:
                store.clear()
                store.flush()
                raise LoadInterrupted(f"{path}: interrupted", [], []) from None
        store.flush()
        triples = len(store)
        graphs = sum(1 for _ in store.named_graphs()) + \
            (next(store.quads_for_pattern(None, None, None, DefaultGraph()), None) is not None)
    finally:
        del store
    return LoadResult(str(path), graphs, triples, time.perf_counter() - started)


def _bulk_load(store: Store, file: RdfFile, progress: Progress | None) -> None:
    """One call of the bulk loader per file: it renames blank nodes per call, so a file cut in slices would
    make one blank node of each slice."""
    if progress is None or file.format not in LINE_FORMATS:
        store.bulk_load(path=str(file.path), format=file.rdf_format, base_iri=file.base_iri)
        return
    with open(file.path, "rb", buffering=0) as f:
        store.bulk_load(_CountingReader(f, progress), format=file.rdf_format, base_iri=file.base_iri)


class _CountingReader(io.RawIOBase):
    """A file that tells the progress bar how many lines have been read so far."""

    def __init__(self, raw, progress: Progress):
        super().__init__()
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.progress(memoryview(buffer)[:n].tobytes().count(b"\n"))
        return n
