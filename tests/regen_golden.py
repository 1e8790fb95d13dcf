"""Regenerate the golden answers of the named queries — only when asked:

    .venv/bin/python -m tests.regen_golden          # from the repository root

Builds the project's data into a temporary folder, runs every query of `queries/` with its
default parameters on the embedded store, and writes `tests/golden/queries/NAME.tsv` (SELECT,
W3C TSV with the header first and the rows sorted), `NAME.nt` (CONSTRUCT and DESCRIBE, sorted
N-Triples) or `NAME.txt` (ASK). The tests never write these files; read the diff against the
article before committing it, because a golden file is a claim about what the article says.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from cardf.cli import main
from cardf.query import library

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
GOLDEN = Path(__file__).resolve().parent / "golden" / "queries"
FORMAT = {"SELECT": "tsv", "ASK": "txt", "CONSTRUCT": "nt", "DESCRIBE": "nt"}


def golden_path(name: str, form: str) -> Path:
    return GOLDEN / f"{name}.{FORMAT[form]}"


def cli_format(form: str) -> str:
    return {"tsv": "tsv", "nt": "nt", "txt": "tsv"}[FORMAT[form]]


def normalized(output: str, form: str) -> str:
    """Sorted lines (a SELECT's header stays first), so that ties in ORDER BY never show as changes."""
    lines = output.splitlines()
    if form == "SELECT":
        return "\n".join(lines[:1] + sorted(lines[1:])) + "\n"
    return "\n".join(sorted(lines)) + "\n"


def answer(name: str, form: str, target: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", name, "--queries", str(QUERIES), "--quiet", *target,
                                       "--format", cli_format(form)], catch_exceptions=False)
    return result.exit_code, result.stdout


def main_regen() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        built = CliRunner().invoke(main, ["build", "--data", str(ROOT / "data"), "--ontology", str(ROOT / "ontology"),
                                          "--shapes", str(ROOT / "shapes"), "--out", str(out), "--quiet"],
                                   catch_exceptions=False)
        if built.exit_code != 0:
            print(built.output, file=sys.stderr)
            return built.exit_code
        GOLDEN.mkdir(parents=True, exist_ok=True)
        wanted = set()
        for name, query in library(QUERIES).items():
            code, text = answer(name, query.form, ["--store", str(out / "store")])
            if query.form != "ASK" and code != 0:
                print(f"{name}: exit {code}", file=sys.stderr)
                return 1
            path = golden_path(name, query.form)
            wanted.add(path)
            new = normalized(text, query.form)
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if new != old:
                path.write_text(new, encoding="utf-8")
                print(f"{'updated' if old is not None else 'created'} {path.relative_to(ROOT)}")
        for stale in sorted(set(GOLDEN.iterdir()) - wanted):
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main_regen())
