"""The embedded store: an on-disk Oxigraph database that `cardf build` fills and `cardf query` reads."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Quad, Store

from .errors import ExternalError, Problem


def write_store(path: Path, quads: list[Quad]) -> int:
    """Create a fresh store at `path` holding exactly `quads`, named graphs kept."""
    try:
        store = Store(str(path))
        store.bulk_extend(quads)
        store.flush()
        count = len(store)
        del store
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot write the embedded store: {exc}", path)]) from None
    return count
