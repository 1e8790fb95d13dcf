"""Which article folders there are, and the symbolic links cardf will not follow.

cardf reads only what is inside the data folder: a symbolic link that leads out of it, that
loops or that leads nowhere, and a folder that cannot be read, are named as problems, never
followed or skipped in silence.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import Problem
from .model import ARTICLES_DIR


def article_folders(data_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The article folders under articles/, in order, and whatever there cannot be read."""
    adir = data_dir / ARTICLES_DIR
    problem = link_problem(adir, data_dir)
    if problem is not None:
        return [], [problem]
    try:
        with os.scandir(adir) as found:
            entries = sorted(found, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    except OSError as exc:
        return [], [Problem(f"cannot read this folder: {exc.strerror}", adir)]
    folders, problems = [], []
    for entry in entries:  # entry.path, a string, for the checks: a Path per check costs more than they do
        problem = link_problem(adir / entry.name, data_dir) if entry.is_symlink() else None
        if problem is not None:
            problems.append(problem)
        elif entry.is_dir():
            if os.access(entry.path, os.R_OK | os.X_OK):
                folders.append(adir / entry.name)
            else:
                problems.append(Problem("cannot read this folder: Permission denied", adir / entry.name))
    return folders, problems


def link_problem(path: Path, data_dir: Path) -> Problem | None:
    """What is wrong with `path` if it is a symbolic link that loops, leads nowhere or leads out of data_dir."""
    if not os.path.islink(path):
        return None
    try:
        real = Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem("is a symbolic link that loops (it never reaches a file or folder); remove it", path)
        return Problem(f"is a symbolic link to {os.readlink(path)}, which does not exist", path)
    root = Path(os.path.realpath(data_dir))
    if real != root and root not in real.parents:
        return Problem(f"is a symbolic link to {real}, outside the data folder; cardf reads only what is inside "
                       f"{data_dir}, so copy it in instead", path)
    return None
