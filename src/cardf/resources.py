"""Where the project's folders are: the user's working directory first, then cardf's own copies.

Users run cardf inside a project laid out like this repository (data/, ontology/, shapes/,
queries/); outside one, commands fall back to the ontology, shapes and queries that ship
with cardf, so `cardf validate some.ttl` works anywhere.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    local = Path(name)
    if local.is_dir():
        return local
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    return local


DATA_DIR = Path("data")  # the sources, when --data does not say
OUT_DIR = Path("out")  # what `cardf build` writes, and what query, load, serve, stats… read, when --out does not say
OLD_OUT_DIR = Path("dist")  # the default before 0.2, which Python's own `python -m build` also writes to


def old_build_hint(path: Path) -> str:
    """A hint for a missing default build folder when the old default holds a build; else ''."""
    if path != OUT_DIR and path != OUT_DIR / "store":
        return ""
    if (OLD_OUT_DIR / "cardf.nq").is_file():
        option = f"--store {OLD_OUT_DIR / 'store'}" if path == OUT_DIR / "store" else f"--out {OLD_OUT_DIR}"
        return f" (a build from an older cardf is in {OLD_OUT_DIR}/: run `cardf build` again, or pass {option})"
    return ""
