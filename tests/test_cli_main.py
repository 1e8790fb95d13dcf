"""The `cardf` group: every command found where it says, and a family's imports paid only when it runs.

What a command imports is checked in a fresh interpreter (sys.modules), never by timing it.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from conftest import DATA, project_args, run

from cardf.cli import FAMILIES, main

HEAVY = ("rdflib", "pyshacl", "yaml")


def modules_after(args: list[str]) -> tuple[str, list[str]]:
    """What `cardf ARGS` printed, and the modules it imported (run in a fresh interpreter)."""
    code = (
        "import json, sys\n"
        "from cardf.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_every_command_is_where_the_group_looks_for_it():
    found = {}
    for family in set(FAMILIES.values()):
        for command in importlib.import_module(f"cardf.cli.{family}").commands:
            found[command.name] = family
    assert found == FAMILIES
    ctx = main.make_context("cardf", [], resilient_parsing=True)
    assert main.list_commands(ctx) == sorted(FAMILIES)
    assert all(main.get_command(ctx, name).name == name for name in FAMILIES)
    assert main.get_command(ctx, "nonesuch") is None


def test_an_unknown_command_is_told_as_before():
    result = run("biuld")
    assert result.exit_code == 2
    assert "No such command 'biuld'" in result.stderr


def test_version_imports_no_command_and_no_rdf_library():
    printed, modules = modules_after(["--version"])
    assert printed == "cardf, version 0.1.0\n"
    assert [m for m in modules if m.split(".")[0] in HEAVY + ("pyoxigraph",)] == []
    assert [m for m in modules if m.startswith("cardf.cli.")] == []


def test_query_needs_neither_rdflib_nor_pyshacl(dist):
    printed, modules = modules_after(["query", "overview", "--store", str(dist / "store"), "--format", "csv"])
    assert printed.startswith("kind,records\n") and "#Evidence,167" in printed
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []
    assert "cardf.cli.build" not in modules and "cardf.build" not in modules


def test_a_rebuild_with_nothing_changed_imports_no_rdf_library(tmp_path):
    import os
    import shutil
    import time

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    old = time.time() - 3600  # files written just now could not be told from a change in the same clock tick
    for p in data.rglob("*"):
        os.utime(p, (old, old))
    args = ["build", *project_args(data), "--out", str(tmp_path / "out")]
    assert run(*args).exit_code == 0
    printed, modules = modules_after(args + ["--json"])
    assert json.loads(printed)["articles"] == sorted(p.name for p in (data / "articles").iterdir())
    assert [m for m in modules if m.split(".")[0] in ("rdflib", "pyshacl")] == []
