"""The plan of every output file: the graphs in order, and the union's subjects in order with their blocks.

cardf.nq and cardf.trig are the graphs' blocks in graph order; cardf.nt, .ttl and .jsonld are
the union's subjects in subject order, each subject's block taken from the graph that holds it,
or — when several graphs say different things of one subject — made anew from the union of
their triples. A build starts from the previous build's layout (empty for a clean build), takes
out the graphs that changed or went, and puts in the new blocks.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import NamedTuple

from pyoxigraph import RdfFormat, parse

from ..export import sort_triples, subject_key
from ..export.blocks import BlockWriter
from .artifact import Blocks


@dataclass(frozen=True)
class Piece:
    """A subject's block taken from one graph's blocks (j-th subject of graph g)."""

    g: int
    j: int


class Kept(NamedTuple):
    """A subject's block kept from the previous build's union files (its i-th subject; a tuple: made by the
    hundred thousand)."""

    i: int


@dataclass(frozen=True)
class Merged:
    """A subject's blocks made from the union of what several graphs say of it."""

    nt: bytes
    ttl: bytes
    jsonld: bytes


@dataclass
class Layout:
    graphs: list[Blocks]  # sorted by graph name
    keys: list[str] = field(default_factory=list)  # the union's subjects (subject_key), in order
    sources: list = field(default_factory=list)  # per subject: Piece, Kept or Merged
    owners: list[tuple[int, ...]] = field(default_factory=list)  # per subject: the graphs holding it
    merged: set[int] = field(default_factory=set)  # subjects whose graphs say different things

    @property
    def total(self) -> int:
        return len(self.keys)

    def used(self) -> set[str]:
        """Prefixes the triples use (the Turtle header)."""
        return set().union(*(p.used for p in self.graphs)) if self.graphs else set()

    def used_with_graphs(self) -> set[str]:
        """… and the graph names (the TriG header)."""
        return self.used() | {p.graph_prefix for p in self.graphs if p.graph_prefix}


@dataclass
class PreviousLayout:
    """The previous build's union: subjects, their owners (positions in `names`) and which were merged."""

    keys: list[str] = field(default_factory=list)
    owners: list[tuple[int, ...]] = field(default_factory=list)
    merged: set[int] = field(default_factory=set)
    names: list[str] = field(default_factory=list)  # the previous graphs' names, in order
    nt_of: object = None  # i → the previous union file's N-Triples block of subject i
    graph_nq: object = None  # graph name → its previous N-Quads block
    by_subject: dict = field(default_factory=dict)  # graph name → subject key → its triples, as parsed


def plan(graphs: list[Blocks], replaced: set[str], previous: PreviousLayout, writer: BlockWriter) -> Layout:
    """The new layout: `graphs` (sorted by name) are this build's, `replaced` those whose blocks are new.

    A graph not in `replaced` is unchanged since the previous build, so its subjects stand in
    the previous union as they were; a previous owner that is not among `graphs` went away.
    Only the subjects of new, replaced or removed graphs are looked at one by one: the runs of
    subjects between them are copied whole, so one changed article costs little in a large corpus.
    """
    index = {p.graph: g for g, p in enumerate(graphs)}
    lay = Layout(graphs)
    fresh: dict[str, list[tuple[int, int]]] = {}
    for g, p in enumerate(graphs):
        if p.graph in replaced:
            for j, key in enumerate(p.keys):
                fresh.setdefault(key, []).append((g, j))
    keys, owners = previous.keys, previous.owners
    remap = [index[name] if name in index and name not in replaced else -1 for name in previous.names]
    gone = {g for g, r in enumerate(remap) if r < 0}
    shifted = any(r != g for g, r in enumerate(remap) if r >= 0)
    merged_before = sorted(previous.merged)

    def add(key, source, owned):
        if isinstance(source, Merged) or (isinstance(source, Kept) and source.i in previous.merged):
            lay.merged.add(len(lay.keys))
        lay.keys.append(key)
        lay.sources.append(source)
        lay.owners.append(tuple(sorted(owned)))

    def keep_run(a: int, b: int) -> None:
        """Previous subjects a..b-1, none new and none held by a graph that changed or went."""
        if a >= b:
            return
        base = len(lay.keys)
        lay.keys.extend(keys[a:b])
        lay.sources.extend(map(Kept, range(a, b)))
        lay.owners.extend((tuple(remap[g] for g in own) for own in owners[a:b]) if shifted else owners[a:b])
        for i in merged_before[bisect_left(merged_before, a):bisect_left(merged_before, b)]:
            lay.merged.add(base + i - a)

    def merged_or_one(found: list[tuple[int, int]], others: list[bytes]):
        blocks = [bytes(graphs[g].piece("nt", j)) for g, j in found] + others
        if len(set(blocks)) == 1 and found:
            return Piece(*found[0])
        return _merge(blocks, writer)

    # events in subject order: a new subject goes before the previous subject at its place
    events: list[tuple[int, int, str]] = []  # (previous position, 0 new / 1 previous, key)
    matched: set[int] = set()
    for key in fresh:
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            matched.add(i)
        else:
            events.append((i, 0, key))
    touched = {i for i, own in enumerate(owners) if not gone.isdisjoint(own)} if gone else set()
    events += [(i, 1, keys[i]) for i in matched | touched]
    events.sort()

    cursor = 0
    for i, is_previous, key in events:
        keep_run(cursor, i)
        cursor = i
        if not is_previous:
            add(key, merged_or_one(fresh[key], []), {g for g, _ in fresh[key]})
            continue
        cursor = i + 1
        found = fresh.get(key)
        staying = [previous.names[g] for g in owners[i] if remap[g] >= 0]
        if found is None:
            if not staying:
                continue
            if i in previous.merged and len(staying) < len(owners[i]):
                source = _merge(_subject_blocks(previous, staying, key), writer)
            else:
                source = Kept(i)
            add(key, source, {index[name] for name in staying})
            continue
        others = []
        if staying:
            others = _subject_blocks(previous, staying, key) if i in previous.merged else [bytes(previous.nt_of(i))]
        add(key, merged_or_one(found, others), {index[name] for name in staying} | {g for g, _ in found})
    keep_run(cursor, len(keys))
    return lay


def _merge(blocks: list[bytes], writer: BlockWriter) -> Merged:
    triples = set()
    for block in blocks:
        triples.update(parse(block, format=RdfFormat.N_TRIPLES))
    return Merged(*writer.subject(sort_triples(triples)))


def _subject_blocks(previous: PreviousLayout, owners: list[str], key: str) -> list[bytes]:
    """N-Triples of one subject in each of some graphs of the previous build.

    Each graph is parsed once per build (`previous.by_subject`): the merged subjects of one change
    mostly sit in the same large graphs (the entities, the agreement).
    """
    from pyoxigraph import serialize

    blocks = []
    for name in owners:
        subjects = previous.by_subject.get(name)
        if subjects is None:
            subjects = previous.by_subject[name] = {}
            for q in parse(bytes(previous.graph_nq(name)), format=RdfFormat.N_QUADS):
                subjects.setdefault(subject_key(q.subject), []).append(q.triple)
        blocks.append(serialize(sort_triples(subjects.get(key, [])), format=RdfFormat.N_TRIPLES))
    return blocks
