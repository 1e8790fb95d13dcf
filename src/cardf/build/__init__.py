"""`cardf build`: the sources read into artifacts, put together into every output format, validated, all-or-nothing.

Read in this order:

- `project`  — the settings, and what every part of a build shares (names, ontology, writers);
- `artifact` — one article read, checked and mapped: the only thing a reader makes, and what the cache keeps;
- `reader`   — articles into artifacts, in two worker processes when there are many;
- `previous` — the previous build in the output folder (its index), and what changed; the compiled shapes;
- `layout`   — the order of the graphs and of the union's subjects, from the previous layout and the new blocks;
- `assemble` — the files, the store, validation and report.json, in a fresh folder;
- `cardf.outdir` (beside this package) proves the output folder is cardf's, locks it, and swaps the new
  build in only when everything is written.

There is one path. A clean build is a build from the empty previous build: every article is
read, every block is new, the store is bulk-loaded and every focus node validated. After a
change, only the articles whose files changed are read again; the other blocks are copied from
the previous output files and only what the change can reach is validated again. Both give the
same bytes (tests build both ways and compare). `run(settings, workers=1, cache=False)` is the
plainest build: one process, nothing reused, nothing kept.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from .. import outdir
from ..errors import ExternalError, InputError, Problem
from ..export import FORMATS, sort_triples
from ..iris import Minter
from ..schema import ALL_KINDS
from ..shacl import Report
from ..shacl.literals import LiteralForms
from .agreement import agreement_of
from .artifact import Artifact, MemoryBlocks
from .assemble import REPORT_FILE, STORE_DIR, Assembly, write_build
from .identity import look_alikes
from .layout import plan as plan_layout
from .previous import (GraphEntry, Index, Previous, compiled_plan, discard, input_key, promote, restamp, save,
                       save_plan, unchanged)
from .project import Project, Settings, shape_files
from .reader import (WORKERS, Progress, SourcesHaveProblems, article_folders, read_articles, read_registry,
                     report_problems, shared_triples)

__all__ = ["REPORT_FILE", "STORE_DIR", "Built", "Settings", "run", "shape_files"]


@dataclass
class Built:
    """What a build did: its validation report, report.json's summary, its prefixes, and where time went."""

    report: Report
    summary: dict
    prefixes: dict[str, str]
    timings: dict = field(default_factory=dict)


def run(settings: Settings, progress: Progress | None = None, *, workers: int = WORKERS,
        cache: bool = True) -> Built:
    """Build the outputs of `settings.data` into `settings.out`; reuse the previous build there when `cache`."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a build makes millions of small objects and frees few: collection would only cost
    try:
        with outdir.claimed(settings.out):
            return _run(settings, progress, workers, cache)
    except OSError as exc:  # anything no stage turned into a message: blame the output only when it is at fault
        if exc.filename is None or outdir.owns(settings.out, exc.filename):
            raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}",
                                                  settings.out)]) from None
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror or exc}", exc.filename)]) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def _run(settings: Settings, progress: Progress | None, workers: int, cache: bool) -> Built:
    timings: dict = {}
    started = time.perf_counter()
    try:
        folders = article_folders(settings.data)
    except SourcesHaveProblems:
        report_problems(Project(settings))
    stamp = unchanged(settings, folders) if cache else None
    if stamp is not None:  # told without reading the index, which grows with the corpus
        report = Report(not any(f.severity == "Violation" for f in stamp.findings), list(stamp.findings))
        return Built(report, stamp.summary, Minter(settings.base).prefixes(),
                     {"setup": time.perf_counter() - started, "unchanged": True})
    project = Project(settings)
    previous = Previous.of(settings) if cache else Previous.empty()
    change = previous.change(folders)
    if change is None:  # too much changed: a clean build is as quick
        previous = Previous.empty()
        change = previous.change(folders)
    timings["setup"] = time.perf_counter() - started
    if not previous.is_empty:
        timings["incremental"] = True
    if not previous.is_empty and not change.fresh and not change.removed:
        index = previous.index
        report = Report(not any(f.severity == "Violation" for f in index.findings), list(index.findings))
        timings["unchanged"] = True
        del timings["incremental"]
        restamp(previous)
        return Built(report, index.summary, project.prefixes, timings)

    started = time.perf_counter()
    scratch = outdir.Scratch(settings.out)
    files = plan = None
    try:
        try:
            registry = read_registry(project)
            entities = {r.id: r for r in registry.records}
            known = registry.kinds
            for artifact in change.kept.values():
                for rid, kind in artifact.defines:
                    if rid in known:
                        raise SourcesHaveProblems()
                    known[rid] = kind
            fresh_folders = list(change.fresh)
            for slug, artifact in list(change.kept.items()):  # an id it cites may now name another kind of record
                if any(known.get(rid) != kind for rid, kind in artifact.cites.items()):
                    del change.kept[slug]
                    for rid, _ in artifact.defines:
                        del known[rid]
                    fresh_folders.append(settings.data / "articles" / slug)
            fresh, files = read_articles(project, entities, sorted(fresh_folders, key=lambda f: f.name), known,
                                         progress, scratch, workers)
        except SourcesHaveProblems:
            report_problems(project)
        timings["read and map"] = time.perf_counter() - started
        plan = compiled_plan(settings, use_cache=cache)  # after the sources: a mistake there is told at once

        started = time.perf_counter()
        lay, job = _plan(project, plan, previous, registry, change.kept, fresh, timings)
        if files is not None:
            job.release = files.release
        timings["layout"] = time.perf_counter() - started
        state: dict = {}

        def write(folder: Path) -> None:
            written = write_build(folder, lay, job)
            state["written"] = written
            if tuple(settings.formats) == FORMATS and settings.store:
                started = time.perf_counter()
                save(folder, settings, previous, _index(settings, lay, job, written, change.kept, fresh), fresh,
                     [slug for slug in (previous.index.artifacts if previous.index else {})
                      if slug not in change.kept])
                timings["cache"] = time.perf_counter() - started
            return {name: f["sha256"] for name, f in written.summary["files"].items()}  # already hashed

        try:
            outdir.replace(settings.out, write, (STORE_DIR,))
        except BaseException:
            discard(settings.out)
            raise
        finally:
            if plan is not None:  # good for the next build whatever became of this one's data
                save_plan(plan)
    finally:
        if files is not None:
            files.close()
        previous.close()
        scratch.remove()
    promote(settings.out)  # the outputs are in: so is the index that describes them
    written = state["written"]
    return Built(written.report, written.summary, project.prefixes, timings)


def _computed(triples: list, name: NamedNode, spans: dict, replaced: set, digests: dict, previous: Previous,
              writer):
    """A graph the build computes (shared, agreement): the previous build's when its triples are the same, so
    that one changed article neither re-merges every subject it holds nor writes its blocks again; else new,
    marked replaced. Its triples' digest goes into the index for the next build."""
    digest = hashlib.sha256("\n".join(map(str, triples)).encode("utf-8")).hexdigest()
    digests[name.value] = digest
    old = spans.get(name.value)
    if old is not None and previous.index.computed.get(name.value) == digest:
        return old
    replaced.add(name.value)
    return MemoryBlocks(writer.graph(triples, name))


def _plan(project: Project, plan, previous: Previous, registry, kept: dict[str, Artifact], fresh: list[Artifact],
          timings: dict):
    """The graphs of this build, in order, which of them are new, and the layout of the union."""
    minter, writer = project.minter, project.writer
    spans = previous.graph_spans()
    graphs = [MemoryBlocks(writer.graph(sort_triples(registry.triples), minter.entities_graph())),
              MemoryBlocks(writer.graph(sort_triples(project.ontology), minter.ontology_graph()))]
    replaced = {a.graph for a in fresh}
    shared = shared_triples([a.shared for a in kept.values()] + [a.shared for a in fresh])
    digests: dict[str, str] = {}
    if shared:
        graphs.append(_computed(sort_triples(shared), minter.shared_graph(), spans, replaced, digests, previous,
                                writer))
    articles = [spans[a.graph] for a in kept.values()] + [a.blocks for a in fresh]
    agreed = agreement_of(project, registry, list(kept.values()) + fresh, articles)
    if agreed:
        graphs.append(_computed(sort_triples(agreed), minter.agreement_graph(), spans, replaced, digests, previous,
                                writer))
    graphs += articles
    graphs.sort(key=lambda p: p.graph)
    if previous.is_empty:
        replaced = {p.graph for p in graphs}
    replaced |= {name for name in (minter.shared_graph().value, minter.agreement_graph().value)
                 if name in spans and not any(p.graph == name for p in graphs)}  # gone
    present = {p.graph for p in graphs}
    removed = {name for name in spans if name not in present}
    lay = plan_layout(graphs, replaced, previous.layout(), writer)

    computed = registry.triples + project.ontology + agreed
    forms = LiteralForms.of((t.predicate.value, t.object) for t in computed if isinstance(t.object, Literal))
    predicates = {t.predicate.value for t in computed}
    for a in fresh:
        forms.add(a.forms)
        predicates |= a.predicates
    origins: dict = dict(registry.origins)
    for a in fresh:
        origins.update(a.origins)
    if not previous.is_empty:
        forms.add(previous.index.forms)  # an article gone may leave some forms behind: they only make more suspects
        predicates |= previous.index.predicates
        origins = previous.origins(origins, {a.slug for a in fresh})
    records = Counter(r.kind.name for r in registry.records)
    for a in list(kept.values()) + fresh:
        records.update(a.records)
    slugs = sorted(list(kept) + [a.slug for a in fresh])
    everything = list(kept.values()) + fresh
    kinds = {rid: kind for a in everything for rid, kind in a.defines}
    identity = look_alikes([s for a in everything for s in a.signatures],
                           lambda rid: minter.resource(ALL_KINDS[kinds[rid]].segment, rid).value)
    job = Assembly(project, plan, previous, replaced, removed, forms, frozenset(predicates), origins, records, slugs,
                   identity=identity, timings=timings, computed=digests)
    return lay, job


def _index(settings: Settings, lay, job: Assembly, written, kept: dict[str, Artifact],
           fresh: list[Artifact]) -> Index:
    artifacts = {}
    for a in sorted(list(kept.values()) + fresh, key=lambda a: a.slug):
        if a.slug in kept:  # as the previous index had it (so its pickled bytes are reused)
            artifacts[a.slug] = a
            continue
        entry = GraphEntry(a.graph, frozenset(a.blocks.used), a.blocks.graph_prefix, a.blocks.triples)
        artifacts[a.slug] = Artifact(a.slug, a.fingerprint, a.defines, a.cites, a.records, entry, a.shared,
                                     reported=a.reported, signatures=a.signatures)  # predicates: the index's
    shared: dict[frozenset, frozenset] = {}  # one object per set of prefixes: the index loads each set once
    graphs = [GraphEntry(p.graph, shared.setdefault(frozenset(p.used), frozenset(p.used)), p.graph_prefix, p.triples)
              for p in lay.graphs]
    return Index(input_key(settings), {}, artifacts, graphs, written.spans, list(lay.keys), list(lay.owners),
                 set(lay.merged), list(written.report.findings), written.summary, job.forms, job.predicates,
                 computed=job.computed, nt_lines=written.nt_lines)
