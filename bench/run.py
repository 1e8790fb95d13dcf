"""The cardf benchmark: build, validate, export, load and query generated corpora, beside the baselines.

    python bench/run.py                          # 100, 1,000 and 10,000 articles, 3 runs each
    python bench/run.py --sizes 100 --runs 1     # the smoke check CI runs
    make bench

For each size it generates a corpus (bench/generate.py, seed 1) and measures, each step in a
process of its own so that its peak memory (PSS of the process and its workers, sampled every
0.1 s) is its own:

  cardf      the full build (sources → validated → Turtle, N-Triples, JSON-LD, TriG, N-Quads and
             the store); a rebuild when nothing changed and after one article changed (checked
             byte for byte against a clean build); the fast validation alone on the merged graph;
             each export format with cardf's writers; `cardf load` into a fresh store; each named
             query in queries/ (parameters bound to the most referenced resource of their kind)
  baselines  pySHACL over the merged graph (its findings compared with the fast engine's);
             rdflib parsing and serializing the Turtle; pyoxigraph parsing the N-Quads and Turtle,
             serializing each format and bulk-loading a store: the practical floor for Python

Before the sizes, whole commands are timed as a user runs them, start-up included (bench/steps.py
step_startup): the project's data/ (the seed) built into a clean folder — with the compiled shapes
already in the cache, and with an empty one —, built again with nothing changed, `cardf --version` and
`cardf query overview`, beside `python -c pass` and the `oxigraph` CLI (when installed) asking the same
store the same query. `python bench/run.py --startup-only` runs just these.

Times are the median of --runs runs of the measured work (not counting Python's start-up or
reading the step's input); pySHACL and rdflib run once, bounded by --bound seconds (reported as
"> bound"), named queries by --query-bound. It prints a table with the ratios to the baselines
and writes it as JSON and Markdown to --results (bench/results/<date>-<machine>.{json,md}).
This is a benchmark that prints figures, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STEPS = HERE / "steps.py"
GENERATE = HERE / "generate.py"
QUERIES = ROOT / "queries"
FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")
SEED = 1

BUILD = "full build"
UNCHANGED = "rebuild, nothing changed"
CHANGED = "rebuild, one article changed"
VALIDATE = "validation (fast engine)"
ORDER = "export: canonical order (sort)"
STORE = "store: cardf load"
PYSHACL = "baseline: pySHACL"
BUILD_VALIDATION = "full build: its validation step"
BUILD_READ_VALIDATE = "full build: read and map + validation"
VALIDATE_BUILT = "cardf validate, the build in out/ current"
VALIDATE_SOURCES = "cardf validate, sources read again"
LOAD_COMMAND = "command: cardf load (peak RSS)"
OX_LOAD_COMMAND = "command: oxigraph load (peak RSS)"
JENA = "command: Jena shacl validate (peak RSS)"
OX_FLOOR = "baseline: pyoxigraph parse + serialize"
OX_PARSE = "baseline: pyoxigraph parse nq"


# ----------------------------------------------------------------------------- running a step

def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def tree_memory(pid: int) -> int:
    """Bytes of memory of a process and its children: PSS (shared pages counted once), else RSS."""
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            try:
                with open(f"/proc/{p}/statm") as f:
                    total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
    return total


class StepFailed(RuntimeError):
    pass


def run_step(name: str, args: dict, bound: float | None = None, on_line=None) -> dict:
    """Run `bench/steps.py name args`; its last line of JSON, with the peak memory added.

    With a bound, the step is stopped that many seconds after it says it is ready (or after
    it starts a new query), and the result says {"bounded": true}.
    """
    proc = subprocess.Popen([sys.executable, str(STEPS), name, json.dumps(args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    lines: queue.Queue = queue.Queue()
    peak = [0]
    done = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_memory(proc.pid))
            done.wait(0.1)

    errors: list[str] = []
    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True).start()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    last, started, bounded = None, None, False
    while True:
        timeout = None if bound is None or started is None else max(0.0, started + bound - time.monotonic())
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            bounded = True
            os.killpg(proc.pid, signal.SIGKILL)  # the step's own process group: it and its workers
            break
        if line is None:
            break
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("ready") or "start" in message:
            started = time.monotonic()
        if on_line is not None:
            on_line(message)
        last = message
    proc.wait()
    done.set()
    sampler.join()
    if bounded:
        return {"bounded": True, "last": last, "peak": peak[0]}
    if proc.returncode != 0 or last is None:
        raise StepFailed(f"step {name} failed ({proc.returncode}): {''.join(errors)[-2000:]}")
    last["peak"] = peak[0]
    return last


def run_command(argv: list[str], stdout=None) -> dict:
    """Run a command as a user would; its wall time and peak RSS (the process and the children it waited for)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=stdout if stdout is not None else subprocess.DEVNULL, stderr=err,
                                cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise StepFailed(f"{' '.join(argv)} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
    return {"seconds": seconds, "peak": usage.ru_maxrss * 1024}


def tool(name: str) -> str | None:
    """A command on PATH, or beside this Python (a virtual environment's bin/)."""
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def merged_shapes(path: Path) -> Path:
    """The shapes folder as one N-Triples file, for tools that take one shapes file."""
    from pyoxigraph import RdfFormat, parse, serialize

    triples = [t for f in sorted((ROOT / "shapes").glob("*.ttl")) for t in parse(path=str(f), format=RdfFormat.TURTLE)]
    path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES))
    return path


def shacl_results(report: Path) -> int:
    from pyoxigraph import NamedNode, RdfFormat, parse

    result = NamedNode("http://www.w3.org/ns/shacl#result")
    return sum(1 for t in parse(path=str(report), format=RdfFormat.TURTLE) if t.predicate == result)


# ----------------------------------------------------------------------------- the rows

class Rows:
    """Per size: name → {"seconds": median, "runs": [...], "peak": bytes, "bounded": bool, ...}."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    def add(self, name: str, seconds, peak: int | None = None, **extra) -> None:
        row = self.rows.setdefault(name, {"runs": [], "peak": 0})
        if seconds is not None:
            row["runs"].append(seconds)
        if peak:
            row["peak"] = max(row["peak"], peak)
        row.update(extra)
        row["seconds"] = statistics.median(row["runs"]) if row["runs"] else None

    def bounded(self, name: str, bound: float, peak: int | None = None, **extra) -> None:
        self.add(name, None, peak, bounded=True, bound=bound, **extra)


GROUPS = ("rebuild", "validate", "export", "store", "jena", "queries", "oxigraph", "rdflib", "pyshacl")


def measure_size(articles: int, runs: int, bound: float, query_bound: float, work: Path, log,
                 only: set[str] | None = None) -> dict:
    def want(group: str) -> bool:
        return only is None or group in only

    folder = work / f"corpus-{articles}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data, dist = folder / "data", folder / "out"
    subprocess.run([sys.executable, str(GENERATE), "--articles", str(articles), "--out", str(data),
                    "--seed", str(SEED)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    rows = Rows()
    checks: dict = {}
    load = [os.getloadavg()[0]]

    def note(name: str) -> None:
        row = rows.rows[name]
        log(f"  {name:<44} {fmt_seconds(row)}  {fmt_memory(row.get('peak'))}")

    for _ in range(runs):
        r = run_step("build", {"data": str(data), "out": str(dist)})
        rows.add(BUILD, r["seconds"], r["peak"], breakdown=r["timings"])
        rows.rows[BUILD].setdefault("runs_breakdown", []).append(r["timings"])
    info = {"articles": r["articles"], "triples": r["triples"]}
    note(BUILD)
    if want("rebuild"):
        for _ in range(runs):
            r = run_step("rebuild", {"data": str(data), "out": str(dist)})
            rows.add(UNCHANGED, r["seconds"], r["peak"], from_cache=r["unchanged"])
        note(UNCHANGED)
        article = sorted(p.name for p in (data / "articles").iterdir())[articles // 2]
        for i in range(runs):
            r = run_step("rebuild", {"data": str(data), "out": str(dist), "article": article, "revision": i + 1})
            rows.add(CHANGED, r["seconds"], r["peak"], incremental=r["incremental"], breakdown=r["timings"])
        note(CHANGED)
        same = run_step("same_as_clean", {"data": str(data), "out": str(dist), "clean": str(folder / "clean")})
        checks["rebuild is the bytes of a clean build"] = same["identical"]
        checks["rebuild was incremental"] = rows.rows[CHANGED]["incremental"]

    findings = folder / "fast-findings.json"
    if want("validate"):
        for _ in range(runs):
            r = run_step("validate", {"dist": str(dist), "findings": str(findings)})
            rows.add(VALIDATE, r["seconds"], r["peak"], findings=r["findings"])
        note(VALIDATE)
        validate_commands(rows, runs, data, dist, checks, note)
    if want("export"):
        for _ in range(runs):
            r = run_step("export", {"dist": str(dist)})
            rows.add(ORDER, r["seconds"]["order triples"] + r["seconds"]["order quads"], r["peak"])
            for fmt in FORMATS:
                rows.add(f"export: {fmt}", r["seconds"][fmt], r["peak"])
            checks["exports are the build's bytes"] = all(r["same_as_build"].values())
        note(ORDER)
        for fmt in FORMATS:
            note(f"export: {fmt}")
    if want("store"):
        for _ in range(runs):
            r = run_step("store", {"dist": str(dist), "path": str(folder / "store")})
            rows.add(STORE, r["seconds"], r["peak"])
        note(STORE)
        load_commands(rows, runs, dist, folder, log, note)
    if want("jena"):
        jena_shacl(rows, dist, folder, log, note)

    names = sorted(p.stem for p in QUERIES.glob("*.rq")) if want("queries") else []
    while names:
        def on_line(message):
            if "query" in message:
                rows.add(f"query: {message['query']}", message["seconds"], None, answer=message["answer"],
                         bound_to=message["bound"])
                names.remove(message["query"])
                note(f"query: {message['query']}")
        r = run_step("queries", {"dist": str(dist), "names": list(names), "runs": runs}, bound=query_bound,
                     on_line=on_line)
        if r.get("bounded"):
            stuck = r["last"]["start"]
            rows.bounded(f"query: {stuck}", query_bound)
            names.remove(stuck)
            note(f"query: {stuck}")

    if want("oxigraph"):
        for _ in range(runs):
            r = run_step("oxigraph", {"dist": str(dist), "path": str(folder / "ox-store")})
            for key, seconds in r["seconds"].items():
                rows.add(f"baseline: pyoxigraph {key}", seconds, r["peak"])
            floor = r["seconds"]["parse nq"] + sum(r["seconds"][f"serialize {fmt}"] for fmt in FORMATS)
            rows.add(OX_FLOOR, floor, r["peak"])
        note(OX_FLOOR)

    if want("rdflib"):
        r = run_step("rdflib", {"dist": str(dist)}, bound=bound)
        partial = r["last"].get("partial", {}) if r.get("bounded") else r["seconds"]
        for key in ("parse ttl", "serialize nt", "serialize ttl"):
            if key in partial:
                rows.add(f"baseline: rdflib {key}", partial[key], r["peak"])
            else:
                rows.bounded(f"baseline: rdflib {key}", bound, r["peak"])
            note(f"baseline: rdflib {key}")

    if want("pyshacl"):
        r = run_step("pyshacl", {"dist": str(dist), "findings": str(findings)}, bound=bound)
        if r.get("bounded"):
            rows.bounded(PYSHACL, bound, r["peak"])
        else:
            rows.add(PYSHACL, r["seconds"], r["peak"], findings=r["findings"])
            checks["fast findings are pySHACL's"] = r["same_as_fast"]
        note(PYSHACL)
    load.append(os.getloadavg()[0])
    shutil.rmtree(folder, ignore_errors=True)
    return {**info, "rows": rows.rows, "checks": checks, "load_average": load}


STARTUP_ROWS = ["python -c pass", "oxigraph query overview", "cardf --version", "cardf query overview",
                "seed: clean build", "seed: clean build, empty plan cache", "seed: rebuild, nothing changed"]


def measure_startup(runs: int, work: Path, log) -> dict:
    """Whole commands, start-up included, on the seed (see bench/steps.py step_startup)."""
    r = run_step("startup", {"work": str(work / "startup"), "runs": runs, "cold_runs": max(1, min(3, runs))})
    rows = Rows()
    for name, times in r["runs"].items():
        for seconds in times:
            rows.add(name, seconds, cpu=r["cpu"][name])
    if not r["oxigraph"]:
        log("  (the oxigraph command is not installed: `pip install oxigraph` for its figure)")
    log(f"  the project's data/: {r['articles']} article(s)")
    for name in STARTUP_ROWS:
        if name in rows.rows:
            log(f"  {name:<44} {fmt_seconds(rows.rows[name])}  (CPU {fmt_seconds({'seconds': r['cpu'][name]})})")
    return {"articles": r["articles"], "rows": rows.rows, "oxigraph": r["oxigraph"], "runs": runs}


def startup_targets(startup: dict) -> list[dict]:
    rows = startup["rows"]

    def s(name: str) -> float | None:
        return rows[name]["seconds"] if name in rows else None

    out = [{"target": "seed build into a clean folder under 1.0 s", "measured": f"{s('seed: clean build'):.2f} s",
            "met": s("seed: clean build") < 1.0},
           {"target": "rebuild with nothing changed under 0.3 s",
            "measured": f"{s('seed: rebuild, nothing changed'):.2f} s", "met": s("seed: rebuild, nothing changed") < 0.3}]
    floor = s("oxigraph query overview")
    for name in ("cardf --version", "cardf query overview"):
        target = f"{name} within 2× of python -c pass + the oxigraph CLI's query"
        if floor is None:
            out.append({"target": target, "measured": "oxigraph CLI not installed", "met": None})
            continue
        base = s("python -c pass") + floor
        out.append({"target": target, "measured": f"{s(name) * 1000:.0f} ms = {s(name) / base:.1f}× of "
                                                  f"{base * 1000:.0f} ms", "met": s(name) <= 2 * base})
    return out


def startup_markdown(startup: dict) -> list[str]:
    rows = startup["rows"]
    lines = ["## Start-up and the seed (whole commands, start-up included)", "",
             f"The project's data/ ({startup['articles']} article(s)); median of {startup['runs']} runs, the commands "
             "taking turns" + ("" if startup["oxigraph"] else "; the oxigraph CLI is not installed") + ". CPU: user + "
             "system seconds of the process and its children (less sensitive to a busy machine than the wall time).",
             "", "| command | wall | CPU |", "|---|---|---|"]
    lines += [f"| {name} | {fmt_seconds(rows[name])} | {fmt_seconds({'seconds': rows[name].get('cpu')})} |"
              for name in STARTUP_ROWS if name in rows]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for t in startup_targets(startup):
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no' if t['met'] is False else '—'} |")
    return lines + [""]


def validate_commands(rows: Rows, runs: int, data: Path, dist: Path, checks: dict, note) -> None:
    """`cardf validate` on the corpus: with the build in out/ current, and reading the sources again;
    beside the validation step of the full build (its own timing, from the build's breakdown)."""
    for r in rows.rows[BUILD]["runs_breakdown"]:  # parts of the build: no memory of their own
        rows.add(BUILD_VALIDATION, r.get("validate"))
        rows.add(BUILD_READ_VALIDATE, r.get("read and map", 0) + r.get("validate", 0))
    note(BUILD_VALIDATION)
    note(BUILD_READ_VALIDATE)
    for name, use_build in ((VALIDATE_BUILT, True), (VALIDATE_SOURCES, False)):
        for _ in range(runs):
            r = run_step("validate_command", {"data": str(data), "out": str(dist), "use_build": use_build})
            rows.add(name, r["seconds"], r["peak"], findings=r["findings"])
            if use_build:
                checks["cardf validate read the current build"] = r["read_build"]
        note(name)


def load_commands(rows: Rows, runs: int, dist: Path, folder: Path, log, note) -> None:
    """`cardf load` and `oxigraph load` as commands, on the same file, into a fresh store each."""
    oxigraph = tool("oxigraph")
    target = folder / "command-store"
    for _ in range(runs):
        shutil.rmtree(target, ignore_errors=True)
        r = run_command([sys.executable, "-m", "cardf", "load", "--out", str(dist), "--store", str(target), "-q"])
        rows.add(LOAD_COMMAND, r["seconds"], r["peak"])
        if oxigraph is not None:
            shutil.rmtree(target, ignore_errors=True)
            r = run_command([oxigraph, "load", "--location", str(target), "--file", str(dist / "cardf.nq")])
            rows.add(OX_LOAD_COMMAND, r["seconds"], r["peak"])
    shutil.rmtree(target, ignore_errors=True)
    note(LOAD_COMMAND)
    if oxigraph is None:
        log("  oxigraph load: skipped, no `oxigraph` command (pip install oxigraph)")
    else:
        note(OX_LOAD_COMMAND)


def jena_shacl(rows: Rows, dist: Path, folder: Path, log, note) -> None:
    """Apache Jena's `shacl validate` on the same shapes and the build's union (JVM start-up included)."""
    shacl = tool("shacl")
    if shacl is None:
        log("  Jena SHACL: skipped, no `shacl` command (Apache Jena's bin/ on PATH)")
        return
    shapes = merged_shapes(folder / "shapes.nt")
    report = folder / "jena-report.ttl"
    with open(report, "wb") as out:
        r = run_command([shacl, "validate", "--shapes", str(shapes), "--data", str(dist / "cardf.nt")], stdout=out)
    rows.add(JENA, r["seconds"], r["peak"], results=shacl_results(report))
    note(JENA)


# ----------------------------------------------------------------------------- ratios and targets

RATIOS = [  # (row, baseline row, what the ratio says)
    (BUILD, OX_FLOOR, "of pyoxigraph parse + serialize"),
    (PYSHACL, VALIDATE, "slower than the fast validation"),
    (STORE, "baseline: pyoxigraph bulk load store", "of pyoxigraph bulk load"),
    (VALIDATE_BUILT, BUILD_VALIDATION, "of the build's validation step"),
    (VALIDATE_SOURCES, BUILD_READ_VALIDATE, "of the build's reading and validation"),
    (LOAD_COMMAND, OX_LOAD_COMMAND, "of oxigraph load"),
    (JENA, VALIDATE_BUILT, "of cardf validate (build current)"),
    ("baseline: rdflib parse ttl", "baseline: pyoxigraph parse ttl", "slower than pyoxigraph"),
    ("baseline: rdflib serialize ttl", "baseline: pyoxigraph serialize ttl", "slower than pyoxigraph"),
    ("baseline: rdflib serialize nt", "baseline: pyoxigraph serialize nt", "slower than pyoxigraph"),
] + [(f"export: {fmt}", f"baseline: pyoxigraph serialize {fmt}", "of pyoxigraph serialize") for fmt in FORMATS]


def ratio(rows: dict, name: str, base: str) -> tuple[float | None, bool]:
    """rows[name] ÷ rows[base], and whether it is a lower bound (name was stopped at its bound)."""
    a, b = rows.get(name), rows.get(base)
    if not a or not b or not b.get("seconds"):
        return None, False
    if a.get("bounded"):
        return a["bound"] / b["seconds"], True
    if a.get("seconds") is None:
        return None, False
    return a["seconds"] / b["seconds"], False


def targets(result: dict) -> list[dict]:
    sizes = result["sizes"]
    if not sizes:
        return []
    big = sizes[-1]
    rows = big["rows"]
    out = []

    def add(target: str, measured: str, met: bool | None) -> None:
        out.append({"target": target, "measured": measured, "met": met})

    try:  # a run with --only lacks some rows: their targets are left out
        _build_targets(sizes, big, rows, add)
    except (KeyError, TypeError):
        pass
    _command_targets(rows, add)
    return out


def _command_targets(rows: dict, add) -> None:
    """cardf validate and cardf load beside the build's validation step and oxigraph load (issue 19)."""
    for name, base, what in ((VALIDATE_BUILT, BUILD_VALIDATION, "the build's validation step"),
                             (VALIDATE_SOURCES, BUILD_VALIDATION, "the build's validation step"),
                             (VALIDATE_SOURCES, BUILD_READ_VALIDATE, "the build's reading and validation")):
        r, _ = ratio(rows, name, base)
        if r is not None:
            add(f"{name}: within 1.2× of {what}", f"{r:.2f}×", r <= 1.2)
    peaks = [rows[n]["peak"] for n in (VALIDATE_BUILT, VALIDATE_SOURCES) if rows.get(n, {}).get("peak")]
    if peaks:
        add("cardf validate: peak memory under 1.5 GB", fmt_memory(max(peaks)), max(peaks) < 1.5 * 2**30)
    r, _ = ratio(rows, LOAD_COMMAND, OX_LOAD_COMMAND)
    if r is not None:
        mine, theirs = rows[LOAD_COMMAND]["peak"], rows[OX_LOAD_COMMAND]["peak"]
        add("cardf load: within 1.1× of oxigraph load", f"{r:.2f}×", r <= 1.1)
        add("cardf load: peak memory no higher than oxigraph load's",
            f"{fmt_memory(mine)} vs {fmt_memory(theirs)}", mine <= theirs)


def _build_targets(sizes: list, big: dict, rows: dict, add) -> None:
    build = rows[BUILD]["seconds"]
    add(f"full build of {big['articles']:,} articles in 60 s or less", f"{build:.1f} s", build <= 60)
    r, _ = ratio(rows, BUILD, OX_FLOOR)
    add("full build within 10× of pyoxigraph parse + serialize", f"{r:.1f}×", r <= 10)
    same = [s["checks"].get("fast findings are pySHACL's") for s in sizes]
    compared = [s["articles"] for s, v in zip(sizes, same) if v is not None]
    add("validation gives exactly pySHACL's findings",
        f"identical at {', '.join(f'{n:,}' for n in compared)} articles" if compared and all(v for v in same
                                                                                             if v is not None)
        else f"differs: {same}", bool(compared) and all(v for v in same if v is not None))
    r, lower = ratio(rows, PYSHACL, VALIDATE)
    add("validation at least 50× faster than pySHACL", f"{'> ' if lower else ''}{r:.0f}×", r >= 50)
    changed = rows[CHANGED]["seconds"]
    add("rebuild after one article changed under 3 s", f"{changed:.2f} s", changed < 3)
    identical = all(s["checks"].get("rebuild is the bytes of a clean build") for s in sizes)
    add("rebuild byte-identical to a clean build", "yes" if identical else "no", identical)
    peak = max(row.get("peak") or 0 for name, row in rows.items() if not name.startswith("baseline"))
    add("peak memory under 2 GB", f"{peak / 2**30:.2f} GB (full build {rows[BUILD]['peak'] / 2**30:.2f} GB)",
        peak < 2 * 2**30)
    if len(sizes) > 1:
        small = sizes[-2]
        grow = rows[BUILD]["peak"] / small["rows"][BUILD]["peak"]
        corpus = big["triples"] / small["triples"]
        add("memory grows no faster than the corpus",
            f"×{grow:.1f} memory for ×{corpus:.1f} triples ({small['articles']:,} → {big['articles']:,} articles)",
            grow <= corpus)
    queries = {n[7:]: row for n, row in rows.items() if n.startswith("query: ")}
    slow = {n: row for n, row in queries.items() if row.get("bounded") or row["seconds"] >= 1}
    worst = max((row["seconds"] for row in queries.values() if not row.get("bounded")), default=0)
    add("each named query under 1 s",
        f"slowest {worst:.2f} s" if not slow else
        f"{len(queries) - len(slow)} of {len(queries)} under 1 s; slow: " +
        ", ".join(f"{n} ({fmt_seconds(row)})" for n, row in sorted(slow.items())), not slow)


# ----------------------------------------------------------------------------- output

def fmt_seconds(row: dict | None) -> str:
    if not row:
        return "—"
    if row.get("bounded"):
        return f"> {row['bound']:.0f} s"
    s = row.get("seconds")
    if s is None:
        return "—"
    if s < 0.01:
        return f"{s * 1000:.1f} ms"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    return f"{s:.1f} s" if s < 100 else f"{s:.0f} s"


def fmt_memory(peak: int | None) -> str:
    if not peak:
        return ""
    return f"{peak / 2**20:.0f} MB" if peak < 2**30 else f"{peak / 2**30:.2f} GB"


def fmt_ratio(value: float | None, lower: bool) -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}×" if value >= 10 else f"{value:.1f}×"
    return ("> " if lower else "") + text


def markdown(result: dict) -> str:
    sizes = result["sizes"]
    m = result["machine"]
    lines = [f"# cardf benchmark, {result['date']}", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']:.0f} GB RAM; {m['system']}; "
             f"Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".", ""]
    if result.get("startup"):
        lines += startup_markdown(result["startup"])
    if not sizes:
        return "\n".join(lines)
    lines += [f"Median of {result['runs']} run(s); baselines that can take minutes (pySHACL, rdflib) once, "
              f"bounded at {result['bound']:.0f} s; named queries bounded at {result['query_bound']:.0f} s. "
              "Memory: peak PSS of the step's process and its workers. Load average during the runs: " +
              ", ".join(f"{s['load_average'][0]:.1f}–{s['load_average'][1]:.1f}" for s in sizes) + ".", ""]
    head = "| step | " + " | ".join(f"{s['articles']:,} articles ({s['triples']:,} triples)" for s in sizes) + \
           f" | ratio at {sizes[-1]['articles']:,} |"
    lines += ["## Timings (peak memory)", "", head, "|---" * (len(sizes) + 2) + "|"]
    ratios = {name: (base, what) for name, base, what in RATIOS}
    names = list(dict.fromkeys(n for s in sizes for n in s["rows"]))
    names = [n for n in names if not n.startswith("query: ")] + [n for n in names if n.startswith("query: ")]
    for name in names:
        cells = []
        for s in sizes:
            row = s["rows"].get(name)
            memory = fmt_memory(row.get("peak")) if row and not name.startswith("query: ") else ""
            cells.append(fmt_seconds(row) + (f" ({memory})" if memory else ""))
        r = ""
        if name in ratios:
            value, lower = ratio(sizes[-1]["rows"], name, ratios[name][0])
            r = f"{fmt_ratio(value, lower)} {ratios[name][1]}" if value is not None else ""
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {r} |")
    lines += ["", "## Checks", ""]
    for s in sizes:
        lines.append(f"- {s['articles']:,} articles: " + "; ".join(
            f"{k}: {'yes' if v else 'no' if v is not None else '—'}" for k, v in s["checks"].items()))
    lines += ["", f"## Targets at {sizes[-1]['articles']:,} articles", "", "| target | measured | met |",
              "|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    lines += ["", "## Where the full build's time goes", "", "| part | " +
              " | ".join(f"{s['articles']:,}" for s in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    parts = list(dict.fromkeys(k for s in sizes for k, v in s["rows"][BUILD]["breakdown"].items()
                               if isinstance(v, (int, float)) and not isinstance(v, bool)))
    for part in parts:
        lines.append(f"| {part} | " + " | ".join(
            fmt_seconds({"seconds": s["rows"][BUILD]["breakdown"].get(part)}) for s in sizes) + " |")
    return "\n".join(lines) + "\n"


SUMMARY_ROWS = [  # (label, row names: the first one found in a size is shown)
    ("full build (all formats and the store)", [BUILD]),
    ("rebuild after one article changed", [CHANGED]),
    ("validation, fast engine", [VALIDATE]),
    ("validation, plain pySHACL", [PYSHACL]),
    ("export: Turtle", ["export: ttl"]),
    ("export: JSON-LD", ["export: jsonld"]),
    ("load into the embedded store", [STORE]),
    ("pyoxigraph parse + serialize (the floor)", [OX_FLOOR]),
    ("rdflib parse of the Turtle", ["baseline: rdflib parse ttl"]),
]


def summary(result: dict) -> str:
    """The README's Performance tables: the main rows per size, then the targets."""
    sizes = result["sizes"]
    m = result["machine"]
    lines = [f"Measured {result['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']:.0f} GB RAM), "
             f"median of {result['runs']} runs; pySHACL and rdflib once, stopped at {result['bound']:.0f} s.", "",
             "| | " + " | ".join(f"{s['articles']:,} articles" for s in sizes) + " |",
             "|---" * (len(sizes) + 1) + "|",
             "| triples | " + " | ".join(f"{s['triples']:,}" for s in sizes) + " |"]
    for label, names in SUMMARY_ROWS:
        cells = []
        for s in sizes:
            row = next((s["rows"][n] for n in names if n in s["rows"]), None)
            cells.append(fmt_seconds(row))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for s in sizes:
        queries = [row for n, row in s["rows"].items() if n.startswith("query: ")]
        cells.append(fmt_seconds(max(queries, key=lambda r: (bool(r.get("bounded")), r.get("seconds") or 0)))
                     if queries else "—")
    lines.append("| slowest of the named queries | " + " | ".join(cells) + " |")
    peaks = [max((row.get("peak") or 0) for n, row in s["rows"].items() if not n.startswith("baseline"))
             for s in sizes]
    lines.append("| peak memory of any cardf step | " + " | ".join(fmt_memory(p) for p in peaks) + " |")
    lines += ["", f"| target at {sizes[-1]['articles']:,} articles | measured | met |", "|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "system": platform.platform(),
            "python": platform.python_version(),
            "packages": {p: version(p) for p in ("cardf", "pyoxigraph", "rdflib", "pyshacl")}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="articles per corpus, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per step (the median is reported)")
    parser.add_argument("--bound", type=float, default=1800, help="seconds before pySHACL or rdflib is stopped")
    parser.add_argument("--query-bound", type=float, default=30, help="seconds before a named query is stopped")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder [default: a temporary one]")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="where the JSON and Markdown go")
    parser.add_argument("--machine", default=None, help="machine name in the file names [default: cores-RAM]")
    parser.add_argument("--startup-runs", type=int, default=10, help="runs of each whole command timed on the seed")
    parser.add_argument("--startup-only", action="store_true", help="time the whole commands on the seed, no more")
    parser.add_argument("--only", default=None, metavar="GROUPS",
                        help="measure only these groups besides the build, comma-separated: " + ", ".join(GROUPS))
    args = parser.parse_args(argv)
    sizes = [] if args.startup_only else [int(s) for s in args.sizes.split(",") if s.strip()]
    only = {g.strip() for g in args.only.split(",") if g.strip()} if args.only else None
    if only is not None and only - set(GROUPS):
        parser.error(f"--only: unknown group(s) {', '.join(sorted(only - set(GROUPS)))}; choose from {', '.join(GROUPS)}")
    info = machine()
    name = args.machine or f"{info['cores']}core-{round(info['memory_gb'])}gb"
    today = dt.date.today().isoformat()
    result = {"date": today, "machine": info, "runs": args.runs, "bound": args.bound,
              "query_bound": args.query_bound, "sizes": []}
    work = args.work or Path(tempfile.mkdtemp(prefix="cardf-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    args.results.mkdir(parents=True, exist_ok=True)
    stem = args.results / f"{today}-{name}{'-startup' if args.startup_only else ''}"

    def write() -> str:  # after each size, so that a run cut short keeps the sizes it finished
        result["targets"] = targets(result)
        if result.get("startup"):
            result["startup"]["targets"] = startup_targets(result["startup"])
        text = markdown(result)
        stem.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n",
                                             encoding="utf-8")
        stem.with_suffix(".md").write_text(text, encoding="utf-8")
        return text

    text = ""
    try:
        log("start-up and the seed:")
        result["startup"] = measure_startup(args.startup_runs, work, log)
        text = write()
        for articles in sizes:
            log(f"{articles:,} articles:")
            result["sizes"].append(measure_size(articles, args.runs, args.bound, args.query_bound, work, log,
                                                only))
            text = write()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    log(f"wrote {stem}.json and {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
