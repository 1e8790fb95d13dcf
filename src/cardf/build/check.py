"""`cardf validate`: the project's sources, or any RDF files, against the shapes.

For files, the project's sources (when they load) still tell which YAML line produced a
resource, so a report on `out/cardf.ttl` points back at `facts.yaml`.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Triple

from ..errors import CardfError
from ..mapping import map_corpus
from ..rdfio import read_quads
from ..shacl import load_shapes, validate, validate_with_pyshacl
from ..shacl.report import Report
from ..sources import load_corpus
from .agreement import agreement_of
from .project import Project, Settings
from .reader import SourcesHaveProblems, article_folders, parse_nq, read_articles, read_registry, report_problems


def project_triples(project: Project) -> tuple[list[Triple], dict]:
    """Every triple of the project's sources (entities, articles, shared and agreement graphs), and their origins."""
    data, origins, _ = read_project(project)
    return data, origins


def read_project(project: Project) -> tuple[list[Triple], dict, list]:
    """… and the identity check's warnings."""
    from ..schema import ALL_KINDS
    from .identity import look_alikes
    from .reader import shared_triples

    try:
        registry = read_registry(project)
        artifacts, files = read_articles(project, {r.id: r for r in registry.records},
                                         article_folders(project.settings.data), registry.kinds)
    except SourcesHaveProblems:
        report_problems(project)
    data = list(registry.triples) + shared_triples(a.shared for a in artifacts)
    data += agreement_of(project, registry, artifacts, [a.blocks for a in artifacts])
    origins = dict(registry.origins)
    for a in artifacts:
        data += parse_nq(a.blocks.blob("nq"))
        origins.update(a.origins)
    kinds = {rid: kind for a in artifacts for rid, kind in a.defines}
    identity = look_alikes([s for a in artifacts for s in a.signatures],
                           lambda rid: project.minter.resource(ALL_KINDS[kinds[rid]].segment, rid).value)
    return data, origins, identity


def validate_files(files: list[Path], settings: Settings, input_format: str | None, with_ontology: bool,
                   inference: str, engine: str = "fast") -> tuple[Report, dict[str, str]]:
    """The project's sources when no files are given, else the given RDF files; `engine="pyshacl"` runs pySHACL."""
    check = validate_with_pyshacl if engine == "pyshacl" else validate
    project = Project(settings)
    shapes = load_shapes(settings.shape_files())
    if not files:
        from .assemble import with_identity

        data, origins, identity = read_project(project)
        return with_identity(check(data, shapes, project.ontology, origins, inference), identity), project.prefixes
    data: list[Triple] = []
    for path in files:
        data += [q.triple for q in read_quads(path, input_format)]
    origins = {}
    if settings.data.is_dir():
        try:
            origins = map_corpus(load_corpus(settings.data, project.vocab), project.minter).origins
        except CardfError:
            origins = {}
    return check(data, shapes, project.ontology if with_ontology else [], origins, inference), project.prefixes
