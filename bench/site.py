"""The site's benchmark: how big the seed site is, and how long `cardf site` takes on a generated corpus.

    python bench/site.py                       # the seed site, then 1,000 generated articles
    python bench/site.py --articles 10000      # the issue's target: a 10,000-article site in under 60 s

Each size is generated (bench/generate.py, seed 1) and built (`cardf build`, not timed here: the main
benchmark measures it), then `cardf site` runs in a process of its own and is timed from its start to
its end, Python's start-up included. It prints the figures and writes them as JSON beside the main
benchmark's results (bench/results/site/<date>-<machine>.json). A benchmark that prints figures, not a
test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CARDF = [sys.executable, "-m", "cardf"]
TARGET_SECONDS = 60
TARGET_SEED_BYTES = 5_000_000


def cardf(*args, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run([*CARDF, *map(str, args), "--quiet"], check=True, cwd=cwd)
    return time.perf_counter() - started


def measure(data: Path, work: Path, name: str) -> dict:
    dist, site = work / f"{name}-dist", work / f"{name}-site"
    reuse = (dist / "store" / "CURRENT").is_file()  # --work DIR of an earlier run: its build is kept
    build = None if reuse else cardf("build", "--data", data, "--out", dist)
    old = work / f"{name}-site.old"
    if site.exists():  # from an earlier run: time writing a site, not replacing one, and remove the old one after
        shutil.rmtree(old, ignore_errors=True)  # the timing (ext4 without a journal makes new files slowly for a
        site.rename(old)  # minute or more after many were removed: it skips the numbers of recently freed inodes)
    seconds = cardf("site", "--data", data, "--store", dist / "store", "--out", site)
    shutil.rmtree(old, ignore_errors=True)
    files = [p for p in site.rglob("*") if p.is_file() and p.name != ".cardf-build"]
    pages = sum(1 for p in files if p.name == "index.html" or p.parent.name == "span" and p.suffix == ".html")
    articles = len(list((data / "articles").iterdir()))
    return {"name": name, "articles": articles, "build seconds": round(build, 2) if build is not None else None,
            "site seconds": round(seconds, 2),
            "files": len(files), "pages": pages, "bytes": sum(p.stat().st_size for p in files)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="size of the generated corpus")
    parser.add_argument("--work", type=Path, default=None,
                        help="scratch folder (default: a temporary one); a corpus and build already in it are kept, "
                             "so a second run times only `cardf site`")
    parser.add_argument("--results", type=Path, default=HERE / "results" / "site")
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    parser.add_argument("--machine", default=f"{os.cpu_count()}core-{round(memory_gb)}gb",
                        help="machine name in the file name [default: cores-RAM, as bench/run.py names it]")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cardf-site-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = [measure(ROOT / "data", work, "seed")]
        corpus = work / f"corpus-{args.articles}"
        if not (corpus / "articles").is_dir():
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--articles", str(args.articles), "--out",
                            str(corpus), "--seed", "1"], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        rows.append(measure(corpus, work, f"generated-{args.articles}"))
        report(rows, args)
    finally:  # after the figures: removing a site of a hundred thousand files takes minutes
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def report(rows: list[dict], args) -> None:
    print(f"{'corpus':<18} {'articles':>8} {'build s':>8} {'site s':>8} {'files':>8} {'pages':>8} {'MB':>7}")
    for r in rows:
        built = f"{r['build seconds']:>8.1f}" if r["build seconds"] is not None else f"{'kept':>8}"
        print(f"{r['name']:<18} {r['articles']:>8} {built} {r['site seconds']:>8.1f} "
              f"{r['files']:>8} {r['pages']:>8} {r['bytes'] / 1e6:>7.2f}")
    seed, big = rows
    print(f"seed site under 5 MB: {'yes' if seed['bytes'] < TARGET_SEED_BYTES else 'NO'} ({seed['bytes']:,} bytes)")
    load = os.getloadavg()  # the machine may be shared: the figures are read with this beside them
    print(f"{big['articles']:,}-article site in under {TARGET_SECONDS} s: "
          f"{'yes' if big['site seconds'] < TARGET_SECONDS else 'NO'} ({big['site seconds']:.1f} s; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} as it ended)")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{dt.date.today().isoformat()}-{args.machine}-{args.articles}.json"
    out.write_text(json.dumps({"date": dt.date.today().isoformat(), "machine": args.machine, "python":
                               platform.python_version(), "load average": [round(x, 2) for x in load],
                               "rows": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
