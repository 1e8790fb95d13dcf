"""An article read, checked and mapped: the one thing a reader produces and the cache keeps.

An artifact holds what the rest of the build needs of its article — its graph in blocks, what
it defines and cites, where each resource came from in the YAML, its literal forms — and the
fingerprint of the files it was made from, so that a later build knows whether to make it again.
Its blocks live in memory, in a worker's spill files, or in the previous build's output files;
all three are read the same way (`Blocks`).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..export.blocks import GraphBlocks
from ..shacl.literals import LiteralForms
from ..sources.model import positional

ARTICLE_FILES = ("article.txt", "facts.yaml")
UNION_KINDS = ("nt", "ttl", "jsonld")  # blocks per subject
GRAPH_KINDS = ("nq", "trig")  # blocks per graph


class Blocks(Protocol):
    """A graph's blocks, wherever they are kept."""

    graph: str
    keys: list[str]
    used: frozenset[str]
    graph_prefix: str | None
    triples: int

    def blob(self, kind: str) -> bytes:
        """The graph's block of cardf.nq or cardf.trig."""

    def piece(self, kind: str, j: int) -> bytes:
        """Subject j's block of cardf.nt, cardf.ttl or cardf.jsonld."""


class MemoryBlocks:
    """Blocks held in memory."""

    def __init__(self, blocks: GraphBlocks):
        self.b = blocks
        self.graph, self.keys, self.used = blocks.graph, blocks.keys, blocks.used
        self.graph_prefix, self.triples = blocks.graph_prefix, blocks.triples
        self._graph_blocks = {"nq": blocks.nq, "trig": blocks.trig}
        self._subject_blocks = {"nt": blocks.nt, "ttl": blocks.ttl, "jsonld": blocks.jsonld}

    def blob(self, kind: str) -> bytes:
        return self._graph_blocks[kind]

    def piece(self, kind: str, j: int) -> bytes:
        return self._subject_blocks[kind][j]


class SpillFiles:
    """Append-only files, one per kind of block, where a worker puts the blocks it makes.

    Keeping blocks on disk rather than sending them back keeps the build's memory to a fraction
    of the output's size; the files are mapped when the outputs are put together.
    """

    def __init__(self, folder: Path, tag: str):
        self.folder, self.tag = folder, tag
        self.files = {k: open(folder / f"blocks-{tag}.{k}", "wb") for k in UNION_KINDS + GRAPH_KINDS}
        self.size = dict.fromkeys(self.files, 0)

    def _put(self, kind: str, data: bytes) -> int:
        at = self.size[kind]
        self.files[kind].write(data)
        self.size[kind] += len(data)
        return at

    def store(self, blocks: GraphBlocks) -> "SpilledBlocks":
        graph_blocks = {k: (self._put(k, b), len(b)) for k, b in (("nq", blocks.nq), ("trig", blocks.trig))}
        offsets = {}
        for kind, parts in (("nt", blocks.nt), ("ttl", blocks.ttl), ("jsonld", blocks.jsonld)):
            at = self._put(kind, b"".join(parts))
            starts = [at]
            for part in parts:
                at += len(part)
                starts.append(at)
            offsets[kind] = starts
        return SpilledBlocks(self.tag, blocks.graph, blocks.keys, blocks.used, blocks.graph_prefix, blocks.triples,
                             graph_blocks, offsets)

    def close(self) -> None:
        for f in self.files.values():
            f.close()


class MappedFiles:
    """Files mapped for reading, unmapped kind by kind once their output is written."""

    def __init__(self, path_of):
        import mmap

        self._mmap = mmap
        self.path_of = path_of  # (tag, kind) → path
        self.maps: dict[tuple[str, str], object] = {}

    def get(self, tag: str, kind: str):
        key = (tag, kind)
        if key not in self.maps:
            with open(self.path_of(tag, kind), "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.maps[key] = self._mmap.mmap(f.fileno(), 0, access=self._mmap.ACCESS_READ) if size else b""
        return self.maps[key]

    def release(self, kind: str) -> None:
        """Unmap one kind (mapped pages count as the build's memory)."""
        for key in [k for k in self.maps if k[1] == kind]:
            m = self.maps.pop(key)
            if not isinstance(m, bytes):
                m.close()

    def close(self) -> None:
        for kind in {k for _, k in self.maps}:
            self.release(kind)


@dataclass
class SpilledBlocks:
    """A graph's blocks in a worker's spill files: offsets, read through MappedFiles."""

    tag: str
    graph: str
    keys: list[str]
    used: frozenset[str]
    graph_prefix: str | None
    triples: int
    graph_blocks: dict  # nq, trig → (offset, length)
    offsets: dict  # nt, ttl, jsonld → offsets of its subjects' blocks (one more than subjects)
    files: MappedFiles | None = None

    def blob(self, kind: str) -> bytes:
        at, n = self.graph_blocks[kind]
        return bytes(self.files.get(self.tag, kind)[at:at + n]) if n else b""

    def piece(self, kind: str, j: int) -> bytes:
        offsets = self.offsets[kind]
        return self.files.get(self.tag, kind)[offsets[j]:offsets[j + 1]]


@dataclass(frozen=True)
class Fingerprint:
    """An article's files as a build saw them: size and time of each (None when too fresh to trust), and a digest."""

    stat: tuple | None
    digest: str

    __reduce__ = positional


def article_stat(folder: Path, now: float | None = None) -> tuple | None:
    """Size and modification time of an article's files; None when one is missing or was written too
    recently to tell a later change in the same clock tick (then its bytes are compared)."""
    out = []
    now = time.time() if now is None else now
    base = os.fspath(folder)  # strings, not Paths: a rebuild asks this of every article
    for name in ARTICLE_FILES:
        try:
            st = os.stat(f"{base}/{name}")
        except OSError:
            return None
        if now - st.st_mtime_ns / 1e9 < 2.0:
            return None
        out.append((st.st_size, st.st_mtime_ns))
    return tuple(out)


def fingerprint(folder: Path) -> Fingerprint:
    """A file whose stat changed but whose bytes did not is unchanged: the digest decides."""
    stat = article_stat(folder)
    h = hashlib.sha256()
    for name in ARTICLE_FILES:
        try:
            data = (folder / name).read_bytes()
        except OSError:
            data = b"\0missing"
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return Fingerprint(stat, h.hexdigest())


@dataclass
class Artifact:
    """One article as the build needs it, and as the cache keeps it."""

    slug: str
    fingerprint: Fingerprint
    defines: list[tuple[str, str]]  # (id, kind name) of its records
    cites: dict[str, str]  # id → kind name of every id it refers to (defined elsewhere or not)
    records: Counter  # records per kind
    blocks: Blocks
    shared: bytes = b""  # N-Triples lines of what it says of periods and relationships (the shared graph)
    origins: dict | None = None  # resource IRI → Origin; None: kept in the cache (see previous.LazyOrigins)
    forms: LiteralForms | None = None  # None: merged into the previous build's index
    predicates: frozenset[str] = field(default_factory=frozenset)
    reported: tuple = ()  # mapping.Reported: the values it gives for records other articles define
    signatures: tuple = ()  # identity.Signature of its records, for the identity check

    __reduce__ = positional

    @property
    def graph(self) -> str:
        return self.blocks.graph
