"""`cardf validate`: the project's sources, or any RDF files, against the shapes.

The sources are read as a build reads them (in two worker processes when there are many, the
blocks spilled to a temporary folder), their union bulk-loaded into an in-memory store, and
validated with the compiled shapes of the build's cache when it has them: the validation step of
`cardf build`, without writing anything.

For files, the project's sources (when they load) still tell which YAML line produced a
resource, so a report on `out/cardf.ttl` points back at `facts.yaml`: from the build's cache
in the output folder when it is of the same sources (each article's origins read only when a
finding needs them), else from the sources read in full.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, Quad, RdfFormat, Store, Triple, serialize

from ..errors import CardfError
from ..export import subject_key
from ..rdfio import read_quads
from ..shacl import FastValidator, load_shapes, validate, validate_with_pyshacl
from ..shacl.literals import LiteralForms
from ..shacl.originals import StoreOriginals
from ..shacl.report import Report
from .agreement import agreement_of
from .artifact import Artifact
from .project import Project, Settings
from .reader import (
    SourcesHaveProblems,
    article_folders,
    parse_nq,
    read_articles,
    read_registry,
    report_problems,
    shared_triples,
)


@dataclass
class Sources:
    """The project's sources read and mapped, graph by graph, as a build has them before it writes."""

    graphs: dict[str, bytes | None]  # graph name → its N-Quads (None: an article's, read from its blocks)
    computed: list[Triple]  # the graphs cardf computes: entities, ontology, shared, agreement
    data: list[Triple]  # the same, less the ontology
    artifacts: list[Artifact]
    origins: dict
    identity: list  # the identity check's warnings
    union_parts: list  # N-Triples of the union: bytes, or paths of spill files


@contextmanager
def read_sources(project: Project) -> Iterator[Sources]:
    """The sources through the build's reader (parallel when there are many articles); spill files removed after."""
    from ..schema import ALL_KINDS
    from .identity import look_alikes

    minter = project.minter
    with tempfile.TemporaryDirectory(prefix="cardf-validate-") as scratch:
        files = None
        try:
            try:
                registry = read_registry(project)
                artifacts, files = read_articles(project, {r.id: r for r in registry.records},
                                                 article_folders(project.settings.data), registry.kinds,
                                                 spill=lambda: Path(scratch))
            except SourcesHaveProblems:
                report_problems(project)
            shared = shared_triples(a.shared for a in artifacts)
            agreed = agreement_of(project, registry, artifacts, [a.blocks for a in artifacts])
            computed_graphs = [(minter.entities_graph(), registry.triples), (minter.ontology_graph(), project.ontology),
                               (minter.shared_graph(), shared), (minter.agreement_graph(), agreed)]
            graphs: dict[str, bytes | None] = {}
            for name, triples in computed_graphs:
                if triples:
                    graphs[name.value] = serialize([Quad(t.subject, t.predicate, t.object, name) for t in triples],
                                                   format=RdfFormat.N_QUADS)
            for a in artifacts:
                graphs[a.graph] = None
            computed = [t for _, triples in computed_graphs for t in triples]
            origins = dict(registry.origins)
            for a in artifacts:
                origins.update(a.origins)
            kinds = {rid: kind for a in artifacts for rid, kind in a.defines}
            identity = look_alikes([s for a in artifacts for s in a.signatures],
                                   lambda rid: minter.resource(ALL_KINDS[kinds[rid]].segment, rid).value)
            union: list = [serialize(computed, format=RdfFormat.N_TRIPLES)]
            if files is not None:  # the workers' spill files hold every article's N-Triples blocks
                union += sorted({files.path_of(a.blocks.tag, "nt") for a in artifacts})
            else:
                union += [a.blocks.piece("nt", j) for a in artifacts for j in range(len(a.blocks.keys))]
            data = list(registry.triples) + shared + agreed
            yield Sources(graphs, computed, data, artifacts, origins, identity, union)
        finally:
            if files is not None:
                files.close()


def project_triples(project: Project) -> tuple[list[Triple], dict]:
    """Every triple of the project's sources (entities, articles, shared and agreement graphs), and their origins."""
    data, origins, _ = read_project(project)
    return data, origins


def read_project(project: Project) -> tuple[list[Triple], dict, list]:
    """… and the identity check's warnings."""
    with read_sources(project) as sources:
        data = list(sources.data)
        for a in sources.artifacts:
            data += parse_nq(a.blocks.blob("nq"))
        return data, sources.origins, sources.identity


class _Chained(io.RawIOBase):
    """Several pieces (bytes, or files by path) read as one stream: one call of the bulk loader for all,
    so that a blank node label means one node throughout (the loader renames blank nodes per call)."""

    def __init__(self, parts: list):
        super().__init__()
        self.parts, self.current = list(reversed(parts)), None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self.current is None:
                if not self.parts:
                    return 0
                part = self.parts.pop()
                self.current = open(part, "rb") if isinstance(part, Path) else io.BytesIO(part)  # noqa: SIM115
            n = self.current.readinto(buffer)
            if n:
                return n
            self.current.close()
            self.current = None


def validate_sources(project: Project, plan) -> Report:
    """The project's sources validated as `cardf build` validates them, with nothing written."""
    from .assemble import with_identity

    with read_sources(project) as sources:
        store = Store()
        store.bulk_load(_Chained(sources.union_parts), format=RdfFormat.N_TRIPLES)
        owners: dict[str, list[str]] = {}
        by_graph = {a.graph: a for a in sources.artifacts}
        for name, blob in sources.graphs.items():
            if blob is not None:
                for key in dict.fromkeys(subject_key(q.subject) for q in parse_quads(blob)):
                    owners.setdefault(key, []).append(name)
            else:
                for key in by_graph[name].blocks.keys:
                    owners.setdefault(key, []).append(name)
        forms = LiteralForms.of((t.predicate.value, t.object) for t in sources.computed if isinstance(t.object, Literal))
        predicates = {t.predicate.value for t in sources.computed}
        for a in sources.artifacts:
            forms.add(a.forms)
            predicates |= a.predicates
        names = sorted(sources.graphs)

        def nquads(name: str) -> bytes:
            blob = sources.graphs[name]
            return blob if blob is not None else by_graph[name].blocks.blob("nq")

        originals = StoreOriginals(store, lambda term: owners.get(subject_key(term), ()), nquads, names, forms,
                                   predicates)
        report = FastValidator(plan).run(store, originals, sources.origins)
        return with_identity(report, sources.identity)


def parse_quads(blob: bytes):
    from pyoxigraph import parse

    return parse(blob, format=RdfFormat.N_QUADS) if blob else ()


def source_origins(project: Project) -> dict:
    """Where each resource of the sources came from; empty when the sources cannot be read."""
    with current_build(project) as found:
        if found is not None:
            return build_origins(*found)
    try:
        with read_sources(project) as sources:
            return sources.origins
    except CardfError:
        return {}


@contextmanager
def current_build(project: Project):
    """The build in the output folder with its entities, when it is of the sources as they are now (else None).

    A build keeps an index of what it was made of (see previous.py); when no article, setting,
    ontology or shapes file changed since, and nobody touched its files, its outputs are what
    reading the sources again would give.
    """
    from .previous import Previous

    settings = project.settings
    try:
        previous = Previous.of(settings)
    except (CardfError, OSError):
        previous = Previous.empty()
    try:
        found = None
        if not previous.is_empty:
            try:
                change = previous.change(article_folders(settings.data))
                if change is not None and not change.fresh and not change.removed:
                    found = (previous, read_registry(project))
            except (CardfError, SourcesHaveProblems, OSError):
                found = None
        yield found
    finally:
        previous.close()


def owner_names(index) -> dict[str, list[str]]:
    """Subject key → the names of the build's graphs that hold triples of that subject."""
    names = [g.graph for g in index.graphs]
    return {key: [names[g] for g in own] for key, own in zip(index.keys, index.owners)}


def build_origins(previous, registry, owners: dict | None = None):
    """The build's origins: the entities' at hand, each article's read from its cache when a finding needs it."""
    owners = owner_names(previous.index) if owners is None else owners
    origins = previous.origins(dict(registry.origins), set())
    origins.owners_of = lambda key: owners.get(key, ())
    return origins


def validate_build(previous, registry, plan) -> Report:
    """The build's own validation step again, on its outputs: the union from cardf.nt, each graph from cardf.nq."""
    from .assemble import with_identity
    from .identity import CONSTRAINT as IDENTITY

    index = previous.index
    store = Store()
    store.bulk_load(path=str(previous.out / "cardf.nt"), format=RdfFormat.N_TRIPLES)
    names = [g.graph for g in index.graphs]
    number = {name: g for g, name in enumerate(names)}
    owners = owner_names(index)
    originals = StoreOriginals(store, lambda term: owners.get(subject_key(term), ()),
                               lambda name: previous.graph_blob("nq", number[name]), names, index.forms,
                               index.predicates)
    report = FastValidator(plan).run(store, originals, build_origins(previous, registry, owners))
    return with_identity(report, [f for f in index.findings if f.constraint == IDENTITY])


def validate_files(files: list[Path], settings: Settings, input_format: str | None, with_ontology: bool,
                   inference: str, engine: str = "fast") -> tuple[Report, dict[str, str]]:
    """The project's sources when no files are given, else the given RDF files; `engine="pyshacl"` runs pySHACL."""
    from .previous import compiled_plan

    project = Project(settings)
    fast = engine == "fast" and inference == "none"
    if not files:
        if fast:
            plan = compiled_plan(settings)
            with current_build(project) as found:
                if found is not None:
                    return validate_build(*found, plan), project.prefixes
            return validate_sources(project, plan), project.prefixes
        from .assemble import with_identity

        check = validate_with_pyshacl if engine == "pyshacl" else validate
        shapes = load_shapes(settings.shape_files())
        data, origins, identity = read_project(project)
        return with_identity(check(data, shapes, project.ontology, origins, inference), identity), project.prefixes
    data: list[Triple] = []
    for path in files:
        data += [q.triple for q in read_quads(path, input_format)]
    origins = source_origins(project) if settings.data.is_dir() else {}
    ontology = project.ontology if with_ontology else []
    if fast:
        from ..shacl.originals import TripleOriginals

        triples = data + list(ontology)
        store = Store()
        store.bulk_extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
        report = FastValidator(compiled_plan(settings)).run(store, TripleOriginals(triples), origins)
        return report, project.prefixes
    check = validate_with_pyshacl if engine == "pyshacl" else validate
    return check(data, load_shapes(settings.shape_files()), ontology, origins, inference), project.prefixes
