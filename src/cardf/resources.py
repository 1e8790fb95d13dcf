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
