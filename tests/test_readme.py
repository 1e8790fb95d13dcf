"""The README's reference sections match the code, and every command documents itself."""

from __future__ import annotations

import click

from cardf.cli import main

from conftest import ROOT
from regen_readme import _commands, render


def test_readme_generated_sections_are_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "README.md is stale: run `python tests/regen_readme.py`"


def test_every_command_has_help_and_a_runnable_example():
    missing = []
    for path, command in _commands(main, "cardf"):
        doc = command.help or ""
        if not command.short_help and not doc.strip():
            missing.append(f"{path}: no help text")
        if not isinstance(command, click.Group) and "Example" not in doc:
            missing.append(f"{path}: no example in its help")
    assert missing == []


def test_quick_start_is_the_two_make_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make build" in quick and "make test" in quick
    assert "make test" in (ROOT / ".ci" / "run").read_text()
