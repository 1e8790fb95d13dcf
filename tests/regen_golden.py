"""Regenerate the golden answers of the named queries — only when asked:

    .venv/bin/python -m tests.regen_golden          # from the repository root

Builds two corpora into a temporary folder — the seed article alone (from `data/`, by its slug)
and the multi-source fixture (tests/fixtures/multi/: three reports of one visit) — runs the named
queries on each build's embedded store, and writes `tests/golden/<corpus>/NAME.tsv` (SELECT, W3C
TSV with the header first and the rows sorted), `NAME.nt` (CONSTRUCT and DESCRIBE, sorted
N-Triples) or `NAME.txt` (ASK). The tests never write these files; read the diff against the
articles before committing it, because a golden file is a claim about what they say.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner

from cardf.cli import main
from cardf.query import library

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden" / "queries"  # the seed's
GOLDEN_MULTI = Path(__file__).resolve().parent / "golden" / "multi"
SEED = "interaffairs-2025-12-04-russia-central-asia"
FORMAT = {"SELECT": "tsv", "ASK": "txt", "CONSTRUCT": "nt", "DESCRIBE": "nt"}
# The queries asked of the multi-source fixture, with the parameters that name its records.
MULTI = {
    "visits": [], "timeline": [], "disputed": [], "coverage": [], "corroborated": [], "conflicting-claims": [],
    "figures-about-country": [],
    "sources-of": ["--param", "record=event:visit-putin-kyrgyzstan"],
    "evidence-for": ["--param", "record=event:visit-putin-kyrgyzstan"],
}


def golden_path(name: str, form: str, folder: Path = GOLDEN) -> Path:
    return folder / f"{name}.{FORMAT[form]}"


def cli_format(form: str) -> str:
    return {"tsv": "tsv", "nt": "nt", "txt": "tsv"}[FORMAT[form]]


def normalized(output: str, form: str) -> str:
    """Sorted lines (a SELECT's header stays first), so that ties in ORDER BY never show as changes."""
    lines = output.splitlines()
    if form == "SELECT":
        return "\n".join(lines[:1] + sorted(lines[1:])) + "\n"
    return "\n".join(sorted(lines)) + "\n"


def answer(name: str, form: str, target: list[str], params: list[str] = ()) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", name, "--queries", str(QUERIES), "--quiet", *target, *params,
                                       "--format", cli_format(form)], catch_exceptions=False)
    return result.exit_code, result.stdout


def seed_alone(folder: Path, name: str = "seed-data") -> Path:
    """data/ with the seed article only: what the seed's goldens are about, whatever else data/ holds."""
    data = folder / name
    (data / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "articles" / SEED, data / "articles" / SEED)
    registry = (ROOT / "data" / "entities.yaml").read_text(encoding="utf-8")
    facts = (data / "articles" / SEED / "facts.yaml").read_text(encoding="utf-8")
    (data / "entities.yaml").write_text(seed_registry(registry, facts), encoding="utf-8")
    return data


def seed_registry(registry: str, facts: str) -> str:
    """entities.yaml without the entities the seed does not reach (a user's additions for other articles).

    An entity's block is its `  - id:` line up to the next entry or section, blank lines included,
    so that taking out what a user added, anywhere, gives back the registry the goldens were made from.
    """
    data = yaml.safe_load(registry) or {}
    entities = {e["id"]: e for section in data.values() if isinstance(section, list)
                for e in section if isinstance(e, dict) and "id" in e}
    reached, todo = set(), [s for s in _strings(yaml.safe_load(facts)) if s in entities]
    while todo:
        rid = todo.pop()
        if rid not in reached:
            reached.add(rid)
            todo += [s for k, v in entities[rid].items() if k != "id" for s in _strings(v) if s in entities]
    kept, skipping = [], False
    for line in registry.splitlines(keepends=True):
        if line.startswith("  - id: "):
            skipping = line[len("  - id: "):].split("#")[0].strip() not in reached
        elif line.strip() and not line.startswith((" ", "\t")):
            skipping = False  # a section header or a comment at the margin
        if not skipping:
            kept.append(line)
    return "".join(kept)


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def build(data: Path, out: Path) -> int:
    built = CliRunner().invoke(main, ["build", "--data", str(data), "--ontology", str(ROOT / "ontology"),
                                      "--shapes", str(ROOT / "shapes"), "--out", str(out), "--quiet"],
                               catch_exceptions=False)
    if built.exit_code != 0:
        print(built.output, file=sys.stderr)
    return built.exit_code


def regen(store: Path, folder: Path, names: dict[str, list[str]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    queries = library(QUERIES)
    wanted = set()
    for name, params in names.items():
        query = queries[name]
        code, text = answer(name, query.form, ["--store", str(store)], params)
        if query.form != "ASK" and code != 0:
            print(f"{name}: exit {code}", file=sys.stderr)
            return 1
        path = golden_path(name, query.form, folder)
        wanted.add(path)
        new = normalized(text, query.form)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if new != old:
            path.write_text(new, encoding="utf-8")
            print(f"{'updated' if old is not None else 'created'} {path.relative_to(ROOT)}")
    for stale in sorted(set(folder.iterdir()) - wanted):
        stale.unlink()
        print(f"removed {stale.relative_to(ROOT)}")
    return 0


def main_regen() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        seed_out, multi_out = Path(tmp) / "seed", Path(tmp) / "multi"
        code = build(seed_alone(Path(tmp)), seed_out) or build(FIXTURES / "multi", multi_out)
        if code:
            return code
        return regen(seed_out / "store", GOLDEN, {name: [] for name in library(QUERIES)}) or \
            regen(multi_out / "store", GOLDEN_MULTI, MULTI)


if __name__ == "__main__":
    sys.exit(main_regen())
