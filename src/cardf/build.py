"""The pipeline: sources → RDF → validation → every output format, written all-or-nothing.

Outputs are written into a fresh folder beside the target and swapped in only once all of
them are complete, so an interrupted or failed build leaves the previous `dist/` as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad, Triple

from . import export
from .errors import CardfError, ExternalError, NotConforming, Problem, UsageError
from .iris import Minter
from .mapping import Mapped, map_corpus
from .ontology import build_context, load_ontology_quads
from .rdfio import read_quads
from .sources import Corpus, load_corpus, load_vocabulary
from .store import write_store
from .validate import Report, load_shapes, validate

REPORT_FILE = "report.json"
STORE_DIR = "store"
STEM = "cardf"


@dataclass
class Settings:
    data: Path
    out: Path
    ontology: Path
    shapes: Path
    base: str
    formats: tuple[str, ...] = export.FORMATS
    store: bool = True


@dataclass
class Built:
    corpus: Corpus
    mapped: Mapped
    ontology: list[Triple]
    quads: list[Quad]
    report: Report
    minter: Minter
    files: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


def shape_files(shapes: Path) -> list[Path]:
    return sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]


def assemble(mapped: Mapped, ontology: list[Triple], minter: Minter) -> list[Quad]:
    """All quads: one graph per article, one for the entities, one for the ontology."""
    quads = [Quad(t.subject, t.predicate, t.object, mapped.entities_graph) for t in mapped.entities]
    for a in mapped.articles:
        quads += [Quad(t.subject, t.predicate, t.object, a.graph) for t in a.triples]
    graph = minter.ontology_graph()
    quads += [Quad(t.subject, t.predicate, t.object, graph) for t in ontology]
    return export.sort_quads(quads)


def prepare(settings: Settings, inference: str = "none") -> Built:
    """Read, map and validate; nothing is written."""
    minter = Minter(settings.base)
    ontology = load_ontology_quads(settings.ontology)
    vocab = load_vocabulary(settings.ontology)
    corpus = load_corpus(settings.data, vocab)
    mapped = map_corpus(corpus, minter)
    data = list(mapped.entities) + [t for a in mapped.articles for t in a.triples]
    report = validate(data, load_shapes(shape_files(settings.shapes)), ontology, mapped.origins, inference)
    quads = assemble(mapped, ontology, minter)
    return Built(corpus, mapped, ontology, quads, report, minter)


def run(settings: Settings) -> Built:
    built = prepare(settings)
    if not built.report.conforms:
        exc = NotConforming(f"the data does not conform to the shapes: {built.report.violations} violation(s); "
                            f"nothing was written to {settings.out}")
        exc.report, exc.prefixes = built.report, built.minter.prefixes()
        raise exc
    write_outputs(built, settings)
    return built


def write_outputs(built: Built, settings: Settings) -> None:
    out = settings.out
    _check_target(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror}", out)]) from None
    try:
        _write_all(built, settings, staging)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}", out)]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _check_target(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier build: `--out .` must not wipe a project."""
    if out.exists() and not out.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder", out)])
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_FILE).is_file():
        raise UsageError(problems=[Problem(f"is not empty and holds no {REPORT_FILE} from an earlier build; "
                                           "cardf replaces its output folder whole, so choose an empty or new one",
                                           out)])


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_all(built: Built, settings: Settings, folder: Path) -> None:
    prefixes = built.minter.prefixes()
    quads = built.quads
    union = export.sort_triples(q.triple for q in quads)
    files: dict[str, bytes] = {}
    for fmt in settings.formats:
        name = f"{STEM}.{fmt}"
        if fmt in ("trig", "nq"):
            files[name] = export.write_quads(quads, fmt, prefixes)
        elif fmt == "jsonld":
            files[name] = export.write_jsonld(union, build_context(built.ontology, built.minter))
        else:
            files[name] = export.write_triples(union, fmt, prefixes)
    files["ontology.ttl"] = export.write_triples(export.sort_triples(built.ontology), "ttl", prefixes)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if settings.store:
        write_store(folder / STORE_DIR, quads)
    built.summary = summarize(built, files, settings)
    (folder / REPORT_FILE).write_text(json.dumps(built.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def summarize(built: Built, files: dict[str, bytes], settings: Settings) -> dict:
    per_graph = Counter(q.graph_name.value for q in built.quads)
    records = Counter(r.kind.name for r in built.corpus.records())
    report = built.report
    return {
        "articles": [a.slug for a in built.corpus.articles],
        "records": dict(sorted(records.items())),
        "triples": {"total": len({q.triple for q in built.quads}), "quads": len(built.quads),
                    "graphs": dict(sorted(per_graph.items()))},
        "validation": {"conforms": report.conforms, "violations": report.violations,
                       "warnings": report.count("Warning"), "infos": report.count("Info")},
        "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())},
        "store": STORE_DIR if settings.store else None,
    }


def validate_files(files: list[Path], settings: Settings, input_format: str | None, with_ontology: bool,
                   inference: str) -> tuple[Report, dict[str, str]]:
    """`cardf validate`: the project's sources when no files are given, else the given RDF files.

    For files, the project's sources (when they load) still tell which YAML line produced a
    resource, so a report on `dist/cardf.ttl` points back at `facts.yaml`.
    """
    minter = Minter(settings.base)
    if not files:
        built = prepare(settings, inference)
        return built.report, minter.prefixes()
    shapes = load_shapes(shape_files(settings.shapes))
    data: list[Triple] = []
    for path in files:
        data += [q.triple for q in read_quads(path, input_format)]
    ontology = load_ontology_quads(settings.ontology) if with_ontology else []
    origins = {}
    if settings.data.is_dir():
        try:
            corpus = load_corpus(settings.data, load_vocabulary(settings.ontology))
            origins = map_corpus(corpus, minter).origins
        except CardfError:
            origins = {}
    return validate(data, shapes, ontology, origins, inference), minter.prefixes()
