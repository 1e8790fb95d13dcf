"""Where cardf keeps what it can compute again (the compiled shapes, each output folder's build cache).

Its own module so that a rebuild with nothing changed finds it without importing rdflib.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "CARDF_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where cardf keeps what it can compute again: $CARDF_CACHE_DIR, $XDG_CACHE_HOME/cardf, ~/.cache/cardf."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative path is to be ignored
        return Path(xdg) / "cardf"
    try:
        return Path.home() / ".cache" / "cardf"
    except (RuntimeError, KeyError, OSError):  # no home directory to speak of
        return None
