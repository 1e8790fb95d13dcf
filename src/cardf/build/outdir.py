"""The output folder: written whole in a fresh folder beside it, and swapped in only when complete.

An interrupted or failed build leaves the previous output as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import ExternalError, Problem, UsageError

REPORT_FILE = "report.json"


def in_staging(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write` on a fresh folder beside `out`, then swap it in; on any failure leave `out` as it was."""
    check_target(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror}", out)]) from None
    try:
        write(staging)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}", out)]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_target(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier build: `--out .` must not wipe a project."""
    if out.exists() and not out.is_dir():
        raise UsageError(problems=[Problem("exists and is not a folder", out)])
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_FILE).is_file():
        raise UsageError(problems=[Problem(f"is not empty and holds no {REPORT_FILE} from an earlier build; "
                                           "cardf replaces its output folder whole, so choose an empty or new one",
                                           out)])


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class ScratchFolder:
    """A scratch folder beside the output (same disk, not memory), made only when workers need it."""

    def __init__(self, out: Path):
        self.out, self.path = out, None

    def __call__(self) -> Path:
        if self.path is None:
            parent = self.out.resolve().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                self.path = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.pieces-", dir=parent))
            except OSError as exc:
                raise ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror}",
                                                      self.out)]) from None
        return self.path

    def remove(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
