"""The benchmark runs end to end at its smallest size (a smoke check: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_reports_every_row_at_the_smallest_size(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "100", "--runs", "1",
                           "--startup-runs", "1", "--work", str(tmp_path / "work"), "--results", str(results),
                           "--machine", "ci"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [json_file] = results.glob("*-ci.json")
    result = json.loads(json_file.read_text(encoding="utf-8"))
    [size] = result["sizes"]
    assert size["articles"] == 100 and size["triples"] > 5000
    rows = size["rows"]
    expected = ["full build", "rebuild, nothing changed", "rebuild, one article changed", "validation (fast engine)",
                "export: canonical order (sort)", "store: cardf load", "baseline: pySHACL",
                "baseline: pyoxigraph parse + serialize", "baseline: pyoxigraph parse nq",
                "baseline: pyoxigraph bulk load store", "baseline: rdflib parse ttl", "baseline: rdflib serialize ttl"]
    expected += [f"export: {fmt}" for fmt in ("ttl", "nt", "jsonld", "trig", "nq")]
    expected += [f"baseline: pyoxigraph serialize {fmt}" for fmt in ("ttl", "nt", "jsonld", "trig", "nq")]
    expected += [f"query: {p.stem}" for p in (ROOT / "queries").glob("*.rq")]
    expected += ["full build: its validation step", "full build: read and map + validation",
                 "cardf validate, the build in out/ current", "cardf validate, sources read again",
                 "command: cardf load (peak RSS)", "command: oxigraph load (peak RSS)"]
    missing = [name for name in expected if name not in rows]
    assert not missing
    for name in expected:
        row = rows[name]
        assert row.get("bounded") or row["seconds"] is not None, name
    assert rows["full build"]["peak"] > 0
    assert size["checks"]["rebuild is the bytes of a clean build"] is True
    assert size["checks"]["exports are the build's bytes"] is True
    assert size["checks"]["fast findings are pySHACL's"] is True
    assert size["checks"]["cardf validate read the current build"] is True
    assert rows["command: cardf load (peak RSS)"]["peak"] > 0 and rows["command: oxigraph load (peak RSS)"]["peak"] > 0
    assert rows["cardf validate, sources read again"]["findings"] == \
        rows["cardf validate, the build in out/ current"]["findings"] > 0
    if "command: Jena shacl validate (peak RSS)" in rows:  # where Jena is installed
        assert rows["command: Jena shacl validate (peak RSS)"]["results"] > 0
    else:
        assert "Jena SHACL: skipped" in done.stderr
    assert {t["target"] for t in result["targets"]} >= {"peak memory under 2 GB",
                                                        "rebuild after one article changed under 3 s",
                                                        "cardf load: within 1.1× of oxigraph load",
                                                        "cardf validate: peak memory under 1.5 GB"}
    markdown = json_file.with_suffix(".md").read_text(encoding="utf-8")
    assert "| full build |" in markdown and "## Targets at 100 articles" in markdown
    assert "## Targets" in done.stdout


def test_the_startup_figures_are_printed_beside_python_and_the_oxigraph_cli(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--startup-only", "--startup-runs", "2",
                           "--work", str(tmp_path / "work"), "--results", str(results), "--machine", "ci"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [json_file] = results.glob("*-ci-startup.json")
    result = json.loads(json_file.read_text(encoding="utf-8"))
    assert result["sizes"] == []
    startup = result["startup"]
    rows = startup["rows"]
    expected = {"python -c pass", "cardf --version", "cardf query overview", "seed: clean build",
                "seed: clean build, empty plan cache", "seed: rebuild, nothing changed"}
    if startup["oxigraph"]:  # the oxigraph package (a test dependency) installs the command
        expected.add("oxigraph query overview")
    assert set(rows) == expected
    assert all(len(rows[name]["runs"]) == 2 and rows[name]["seconds"] > 0
               for name in expected)
    assert len(startup["targets"]) == 4
    assert all(rows[name]["cpu"] > 0 for name in expected)
    assert "| seed: rebuild, nothing changed |" in done.stdout and "| target | measured | met |" in done.stdout


def test_only_measures_the_groups_asked_for_besides_the_build(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "20", "--runs", "1",
                           "--only", "store", "--startup-runs", "1", "--work", str(tmp_path / "work"), "--results", str(results),
                           "--machine", "ci"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [json_file] = results.glob("*-ci.json")
    rows = json.loads(json_file.read_text(encoding="utf-8"))["sizes"][0]["rows"]
    assert set(rows) == {"full build", "store: cardf load", "command: cardf load (peak RSS)",
                         "command: oxigraph load (peak RSS)"}
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--only", "stores"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--only: unknown group(s) stores" in bad.stderr


def test_the_site_benchmark_prints_and_writes_its_figures_at_a_small_size(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "site.py"), "--articles", "20", "--work",
                           str(tmp_path / "work"), "--results", str(results), "--machine", "ci"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "seed site under 5 MB: " in done.stdout and "20-article site in under 60 s: " in done.stdout
    [json_file] = results.glob("*-ci-20.json")
    seed, generated = json.loads(json_file.read_text(encoding="utf-8"))["rows"]
    assert generated["articles"] == 20 and generated["pages"] > 20 * 10
    assert 0 < seed["bytes"] and seed["files"] > seed["pages"] > 100
