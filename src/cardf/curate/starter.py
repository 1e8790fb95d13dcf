"""`cardf init`: a starter project — the small example corpus — to build, query and change at once.

The corpus is the one the tests and the README use (tests/fixtures/mini in a checkout; the
wheel carries a copy). The ontology, shapes and named queries are not copied: cardf uses its
own until the project has folders of those names (see resources).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem, UsageError
from ..resources import OUT_DIR

_PACKAGE = Path(__file__).resolve().parent.parent
README = """# My cardf project

Made by `cardf init`: the sources of a small example corpus, ready to build.

    cardf build                 # data/ → out/ (RDF in five formats, a store, report.json)
    cardf query --list          # the named questions
    cardf query visits --lang ru
    cardf export --format statements > statements.csv

Add an article with `cardf new SLUG --text article.txt`, then `cardf draft SLUG`.
cardf uses its own ontology, shapes and named queries until this folder has `ontology/`,
`shapes/` or `queries/` of its own.
"""
GITIGNORE = f"/{OUT_DIR}/\n"


def starter_dir() -> Path:
    """The example corpus: the wheel's copy, else the checkout's test fixture."""
    for candidate in (_PACKAGE / "_data" / "starter", _PACKAGE.parent.parent / "tests" / "fixtures" / "mini"):
        if (candidate / "entities.yaml").is_file():
            return candidate
    raise InputError("cardf's starter corpus is missing from this installation; reinstall cardf")


def plan(folder: Path) -> dict[Path, bytes]:
    """Every file to write (relative to `folder`) and its bytes."""
    source = starter_dir()
    files = {Path("data") / p.relative_to(source): p.read_bytes()
             for p in sorted(source.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    files[Path("README.md")] = README.encode("utf-8")
    files[Path(".gitignore")] = GITIGNORE.encode("utf-8")
    return files


def create(folder: Path) -> list[str]:
    """Write the starter project into `folder` (made when missing); refuse to overwrite anything."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(problems=[Problem("is a file, not a folder", folder)])
    files = plan(folder)
    taken = [str(rel) for rel in files if (folder / rel).exists()]
    if (folder / "data").exists():
        taken.insert(0, "data/")
    if taken:
        raise UsageError(problems=[Problem(f"already holds {', '.join(sorted(set(taken))[:5])}; cardf init never "
                                           "overwrites: choose an empty or new folder", folder)])
    try:
        for rel, content in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(content)
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", folder)]) from None
    return ["data/", "README.md", ".gitignore"]
