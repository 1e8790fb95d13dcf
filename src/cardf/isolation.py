"""Limits a query worker process puts on itself before it reads any data (Linux; elsewhere nothing).

* `cut_network`: the process moves into a network namespace of its own, which holds only a
  loopback interface that is down. Oxigraph's SERVICE client then cannot reach any server,
  whatever the query says: a defence behind cardf's refusal of SERVICE (sparqltext), for the
  day a query slips past it. Needs root or unprivileged user namespaces; where the system
  allows neither, the refusal stands alone.
* `die_with_parent`: the kernel kills the worker when cardf dies, even by SIGKILL, so a
  runaway query is never left running behind.

Both must run while the process has a single thread, before pyoxigraph is imported.
"""

from __future__ import annotations

import ctypes
import signal
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def cut_network() -> bool:
    """Leave the machine's network for an empty namespace; True when done."""
    libc = _libc()
    if libc is None:
        return False
    return libc.unshare(CLONE_NEWNET) == 0 or libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def die_with_parent() -> bool:
    libc = _libc()
    return libc is not None and libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
