"""Shared fixtures: the real project folders, a built `dist/`, and copies of the data to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cardf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
SHAPES = ROOT / "shapes"
QUERIES = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = "interaffairs-2025-12-04-russia-central-asia"


def run(*args: str, input: str | None = None):
    """Run the CLI as a user does, from the repository root, and return click's Result."""
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def project_args(data: Path = DATA) -> list[str]:
    return ["--data", str(data), "--ontology", str(ONTOLOGY), "--shapes", str(SHAPES)]


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """One real build of the project's data, shared by every test that only reads it."""
    out = tmp_path_factory.mktemp("build") / "dist"
    result = run("build", *project_args(), "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    for p in target.rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a copied source file, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")
