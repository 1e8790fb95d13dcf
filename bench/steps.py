"""One measured step of the benchmark, in a process of its own (so that its memory is its own).

    python bench/steps.py STEP '{"json": "arguments"}'

`bench/run.py` starts these and samples their memory; each prints one line of JSON, its last
line on stdout: the seconds of the measured work (set-up such as reading the input the step
works on is not counted) and whatever else the step found. A step that is bounded prints
`{"ready": true}` first, when the bounded work starts.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
SHAPES = ROOT / "shapes"
QUERIES = ROOT / "queries"
BASE = "https://w3id.org/cardf/"
FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")
OUTPUTS = ["cardf.jsonld", "cardf.nq", "cardf.nt", "cardf.trig", "cardf.ttl", "ontology.ttl", "report.json"]


def clock() -> float:
    return time.perf_counter()


def settings(data: str, out: str):
    from cardf.build import Settings

    return Settings(data=Path(data), out=Path(out), ontology=ONTOLOGY, shapes=SHAPES, base=BASE)


def merged_triples(dist: str) -> list:
    """The merged graph of a build: every triple of cardf.nq, once."""
    from pyoxigraph import RdfFormat, parse

    return list(dict.fromkeys(q.triple for q in parse(path=str(Path(dist) / "cardf.nq"), format=RdfFormat.N_QUADS)))


def finding_rows(report) -> list:
    return sorted({(f.severity, f.focus, f.path or "", f.value or "", f.constraint, f.message, f.shape)
                   for f in report.findings})


# ----------------------------------------------------------------------------- cardf

def step_build(data: str, out: str) -> dict:
    """A clean build: sources → validated → every format and the store."""
    from cardf import build

    shutil.rmtree(out, ignore_errors=True)
    started = clock()
    built = build.run(settings(data, out))
    seconds = clock() - started
    return {"seconds": seconds, "triples": built.summary["triples"]["total"],
            "articles": len(built.summary["articles"]), "timings": built.timings}


def step_rebuild(data: str, out: str, article: str | None = None, revision: int = 0) -> dict:
    """Build again from the previous build in `out`, after `article` changed (or nothing did)."""
    from cardf import build

    if article is not None:
        facts = Path(data) / "articles" / article / "facts.yaml"
        text = facts.read_text(encoding="utf-8")
        lines = text.split("\n")
        for i, line in enumerate(lines):  # the article's English title
            if line.startswith("    en: ") and lines[i - 1].startswith("    ru: ") and lines[i - 2] == "  title:":
                title = line.split(" (revision ")[0].rstrip('"')
                lines[i] = f'{title} (revision {revision})"' if revision else f'{title}"'
                break
        else:
            raise SystemExit(f"no title in {facts}")
        facts.write_text("\n".join(lines), encoding="utf-8")
    started = clock()
    built = build.run(settings(data, out))
    seconds = clock() - started
    timings = built.timings
    return {"seconds": seconds, "incremental": bool(timings.get("incremental")),
            "unchanged": bool(timings.get("unchanged")), "timings": timings}


def step_same_as_clean(data: str, out: str, clean: str) -> dict:
    """Is the build in `out` (made from the previous one) the bytes of a clean build? Not timed."""
    from pyoxigraph import Store

    from cardf import build

    shutil.rmtree(clean, ignore_errors=True)
    build.run(settings(data, clean))
    differ = [name for name in OUTPUTS if (Path(out) / name).read_bytes() != (Path(clean) / name).read_bytes()]
    sizes = [len(Store.read_only(str(Path(folder) / "store"))) for folder in (out, clean)]
    shutil.rmtree(clean, ignore_errors=True)
    return {"seconds": 0.0, "identical": not differ and sizes[0] == sizes[1], "differ": differ,
            "store_quads": sizes}


def step_validate(dist: str, findings: str) -> dict:
    """The fast engine alone, on the merged graph of a build (as `cardf validate` runs it)."""
    from cardf import shacl
    from cardf.build import shape_files
    from cardf.ontology import load_ontology_quads
    from cardf.shacl import load_shapes

    data = merged_triples(dist)
    shapes = load_shapes(shape_files(SHAPES))
    ontology = load_ontology_quads(ONTOLOGY)
    gc.collect()
    started = clock()
    report = shacl.validate(data, shapes, ontology)
    seconds = clock() - started
    rows = finding_rows(report)
    Path(findings).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return {"seconds": seconds, "findings": len(rows), "conforms": report.conforms}


def step_export(dist: str) -> dict:
    """cardf's writers over the whole merged data: the canonical order once, then each format."""
    from cardf import export
    from cardf.iris import Minter
    from cardf.ontology import build_context, load_ontology_quads
    from pyoxigraph import RdfFormat, parse

    quads = list(parse(path=str(Path(dist) / "cardf.nq"), format=RdfFormat.N_QUADS))
    minter = Minter(BASE)
    prefixes = minter.prefixes()
    context = build_context(load_ontology_quads(ONTOLOGY), minter)
    gc.collect()
    gc.disable()
    seconds, same = {}, {}

    def write(fmt: str, make) -> None:
        started = clock()
        data = make()
        seconds[fmt] = clock() - started
        same[fmt] = data == (Path(dist) / f"cardf.{fmt}").read_bytes()

    started = clock()
    union = export.sort_triples(q.triple for q in quads)
    seconds["order triples"] = clock() - started
    write("ttl", lambda: export.write_triples(union, "ttl", prefixes))
    write("nt", lambda: export.write_triples(union, "nt", prefixes))
    write("jsonld", lambda: export.write_jsonld(union, context))
    del union
    started = clock()
    ordered = export.sort_quads(quads)
    seconds["order quads"] = clock() - started
    del quads
    write("trig", lambda: export.write_quads(ordered, "trig", prefixes))
    write("nq", lambda: export.write_quads(ordered, "nq", prefixes))
    return {"seconds": seconds, "same_as_build": same}


def step_store(dist: str, path: str) -> dict:
    """`cardf load`: a build's cardf.nq into a fresh embedded store (the store parses the file itself)."""
    from cardf import store

    shutil.rmtree(path, ignore_errors=True)
    started = clock()
    result = store.load_files(Path(path), store.input_files([], Path(dist)))
    seconds = clock() - started
    shutil.rmtree(path, ignore_errors=True)
    return {"seconds": seconds, "triples": getattr(result, "triples", None)}


def step_validate_command(data: str, out: str, use_build: bool) -> dict:
    """`cardf validate` on the project's data, as the command runs it (set-up and imports not counted).

    With `use_build`, the build in `out` is of the same sources, and validate reads it; without, the
    sources are read again (with the build's reader and the compiled shapes of its cache).
    """
    from cardf.build import check
    from cardf.build.previous import compiled_plan
    from cardf.build.project import Project

    gc.collect()
    started = clock()
    chosen = settings(data, out)
    if use_build:
        report, _ = check.validate_files([], chosen, None, True, "none")
    else:
        report = check.validate_sources(Project(chosen), compiled_plan(chosen))
    seconds = clock() - started
    with check.current_build(Project(chosen)) as found:  # not timed: did it read the build?
        read_build = use_build and found is not None
    return {"seconds": seconds, "findings": len(report.findings), "conforms": report.conforms,
            "read_build": read_build}


def step_queries(dist: str, names: list[str], runs: int = 3) -> dict:
    """Named queries over the build's store, one after the other: a line when each starts and ends."""
    from cardf.query import LocalTarget

    target = LocalTarget.open(Path(dist) / "store")
    for name in names:
        print(json.dumps({"start": name}), flush=True)
        print(json.dumps({"query": name, **_one_query(target, name, runs)}), flush=True)
    return {"seconds": 0.0}


def _one_query(target, name: str, runs: int) -> dict:
    """The query with its parameters bound to the most referenced resource of the default's kind."""
    from cardf.query import bindings_for, find_query, parse_term

    query = find_query(name, QUERIES)
    given = []
    for param in query.params.values():
        term = parse_term(param.default, query.prefixes())
        value = term.value if hasattr(term, "value") else str(term)
        if not _occurs(target, value):
            value = _most_referenced(target, value) or value
        given.append(f"{param.name}=<{value}>")
    bindings = bindings_for(query, given)
    times = []
    for _ in range(runs):  # rows are read as they come, so the time includes reading them all
        started = time.perf_counter()
        answer = target.run(query, bindings)
        rows, triples = list(answer.rows), list(answer.triples)
        times.append(time.perf_counter() - started)
    size = answer.boolean if answer.form == "ASK" else len(rows) or len(triples)
    return {"seconds": statistics.median(times), "runs": times, "answer": size, "bound": given}


def _occurs(target, iri: str) -> bool:
    return bool(target.store.query(f"ASK {{ ?s ?p <{iri}> }}", use_default_graph_as_union=True))


def _most_referenced(target, iri: str) -> str | None:
    """The IRI in the same namespace as `iri` that is the object of the most triples."""
    cut = max(iri.rfind("/"), iri.rfind("#"))
    namespace = iri[:cut + 1]
    text = (f'SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{namespace}")) }} '
            "GROUP BY ?o ORDER BY DESC(?n) STR(?o) LIMIT 1")
    for row in target.store.query(text, use_default_graph_as_union=True):
        return row[0].value
    return None


# ----------------------------------------------------------------------------- start-up, as a user sees it

def _wall(argv: list[str], env: dict, before=None) -> tuple[float, float]:
    """Seconds from starting a command to its end, as a shell would time it (its output discarded), and the
    CPU seconds it used (user + system, its children included): on a busy machine the second varies less."""
    import resource

    if before is not None:
        before()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = clock()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, check=False)
    seconds = clock() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def step_startup(work: str, runs: int = 10, cold_runs: int = 3) -> dict:
    """Whole commands in fresh processes, start-up included: the project's data/ (the seed) built into a clean
    folder (with the compiled shapes in the cache, and with an empty cache), built again with nothing changed,
    `cardf --version`, `cardf query overview`, beside `python -c pass` and the `oxigraph` CLI asking the same
    store the same query. The commands take turns, run after run, so that a busy machine slows them alike.

    Python writes its bytecode as a user's install has it (PYTHONDONTWRITEBYTECODE is dropped), and every
    command runs once before the timed runs; the plan cache is a folder of this step's own.
    """
    folder = Path(work)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data, out = folder / "data", folder / "out"
    shutil.copytree(ROOT / "data", data)
    bin_dir = Path(sys.executable).parent
    cardf = [str(bin_dir / "cardf")] if (bin_dir / "cardf").exists() else [sys.executable, "-m", "cardf"]
    oxigraph = shutil.which("oxigraph", path=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CARDF_CACHE_DIR"] = str(folder / "cache")
    build = cardf + ["build", "--data", str(data), "--out", str(out), "--quiet"]
    store = str(out / "store")
    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "cardf --version": (cardf + ["--version"], None),
        "seed: clean build": (build, lambda: shutil.rmtree(out, ignore_errors=True)),
        "seed: rebuild, nothing changed": (build, None),
        "cardf query overview": (cardf + ["query", "overview", "--store", store, "--format", "csv"], None),
    }
    if oxigraph:
        commands["oxigraph query overview"] = ([oxigraph, "query", "--location", store, "--query-file",
                                                str(QUERIES / "overview.rq"), "--results-format", "csv"], None)
    old = time.time() - 3600  # files written just now could not be told from a change in the same clock tick
    for p in data.rglob("*"):
        os.utime(p, (old, old))
    for argv, before in commands.values():  # bytecode written, plan cache filled, a first build to rebuild
        _wall(argv, env, before)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}

    def timed(name: str, argv: list[str], env: dict, before) -> None:
        seconds, used = _wall(argv, env, before)
        times.setdefault(name, []).append(seconds)
        cpu.setdefault(name, []).append(used)

    for _ in range(runs):
        for name, (argv, before) in commands.items():
            timed(name, argv, env, before)
    for i in range(cold_runs):
        empty = dict(env, CARDF_CACHE_DIR=str(folder / f"cold-cache-{i}"))
        timed("seed: clean build, empty plan cache", build, empty, lambda: shutil.rmtree(out, ignore_errors=True))
    articles = len([p for p in (data / "articles").iterdir() if p.is_dir()])
    shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": {name: statistics.median(t) for name, t in times.items()}, "runs": times,
            "cpu": {name: statistics.median(t) for name, t in cpu.items()}, "articles": articles,
            "oxigraph": oxigraph is not None}


# ----------------------------------------------------------------------------- baselines

def step_pyshacl(dist: str, findings: str) -> dict:
    """Plain pySHACL (cardf's options) over the merged graph, already in rdflib; the bound starts at "ready"."""
    from cardf.build import shape_files
    from cardf.ontology import load_ontology_quads
    from cardf.shacl.reference import load_shapes, pyshacl_report, to_rdflib
    from cardf.shacl.report import Report, findings_from

    shapes = load_shapes(shape_files(SHAPES))
    graph = to_rdflib(merged_triples(dist) + load_ontology_quads(ONTOLOGY))
    gc.collect()
    print(json.dumps({"ready": True}), flush=True)
    started = clock()
    report_graph = pyshacl_report(graph, shapes)
    seconds = clock() - started
    found = findings_from(report_graph, graph, shapes, {})
    rows = finding_rows(Report(True, found, None))
    fast = [tuple(r) for r in json.loads(Path(findings).read_text(encoding="utf-8"))] \
        if Path(findings).is_file() else None
    return {"seconds": seconds, "findings": len(rows), "same_as_fast": None if fast is None else rows == fast}


def step_rdflib(dist: str) -> dict:
    """rdflib: parse the build's Turtle, serialize it again as Turtle and as N-Triples."""
    import rdflib

    text = (Path(dist) / "cardf.ttl").read_bytes()
    print(json.dumps({"ready": True}), flush=True)
    seconds = {}
    started = clock()
    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    seconds["parse ttl"] = clock() - started
    print(json.dumps({"partial": seconds}), flush=True)
    for fmt, name in (("nt", "nt"), ("ttl", "turtle")):
        started = clock()
        graph.serialize(format=name, encoding="utf-8")
        seconds[f"serialize {fmt}"] = clock() - started
        print(json.dumps({"partial": seconds}), flush=True)
    return {"seconds": seconds, "triples": len(graph)}


def step_oxigraph(dist: str, path: str) -> dict:
    """pyoxigraph: parse the build's N-Quads (and Turtle), serialize them to each format, bulk-load a store."""
    from pyoxigraph import RdfFormat, Store, parse, serialize

    seconds = {}
    started = clock()
    quads = list(parse(path=str(Path(dist) / "cardf.nq"), format=RdfFormat.N_QUADS))
    seconds["parse nq"] = clock() - started
    started = clock()
    triples = list(parse(path=str(Path(dist) / "cardf.ttl"), format=RdfFormat.TURTLE))
    seconds["parse ttl"] = clock() - started
    union = list(dict.fromkeys(q.triple for q in quads))
    formats = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
               "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS}
    for fmt, rdf_format in formats.items():
        started = clock()
        serialize(union if fmt in ("ttl", "nt") else quads, format=rdf_format)
        seconds[f"serialize {fmt}"] = clock() - started
    shutil.rmtree(path, ignore_errors=True)
    started = clock()
    store = Store(path)
    store.bulk_load(path=str(Path(dist) / "cardf.nq"), format=RdfFormat.N_QUADS)
    store.flush()
    seconds["bulk load store"] = clock() - started
    del store
    shutil.rmtree(path, ignore_errors=True)
    return {"seconds": seconds, "quads": len(quads), "triples": len(triples)}


STEPS = {name[5:]: fn for name, fn in globals().items() if name.startswith("step_")}


def main(argv: list[str]) -> None:
    name, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    sys.setrecursionlimit(10000)
    result = STEPS[name](**args)
    result["pid"] = os.getpid()
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
