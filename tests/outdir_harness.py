"""Run `cardf` with a pause at one of the output swap's steps: for the fault-injection tests only.

    python tests/outdir_harness.py STEP FLAG [--no-exchange] build --out DIR …

At STEP (a name `cardf.outdir.checkpoint` is called with: writing, staged, swapped, between-renames) the
build writes its process id to FLAG and waits while FLAG exists, so that a test can kill it
right there, or remove FLAG to let it go on. `--no-exchange` makes the swap take the two-rename
path that systems without renameat2(RENAME_EXCHANGE) take. cardf itself has no such switch: the
pause is put in from outside, by replacing the no-op `outdir.checkpoint`.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

from cardf import outdir
from cardf.cli import main


def pause_at(step: str, flag: Path):
    def checkpoint(name: str) -> None:
        if name != step:
            return
        flag.write_text(str(os.getpid()))
        while flag.exists():
            time.sleep(0.01)

    return checkpoint


def no_exchange(a, b) -> None:
    raise OSError(errno.EINVAL, "not supported here (the test says so)")


if __name__ == "__main__":
    step, flag, *args = sys.argv[1:]
    outdir.checkpoint = pause_at(step, Path(flag))
    if args and args[0] == "--no-exchange":
        outdir.exchange = no_exchange
        args = args[1:]
    sys.argv = ["cardf", *args]
    main()
