"""`cardf serve`: the built store behind a local, read-only SPARQL endpoint with a query page.

cardf runs no HTTP server of its own: it launches `oxigraph serve-read-only` (the PyPI
package `oxigraph`, a dependency) on the store and stays in the foreground as its parent,
so that Ctrl-C (or SIGTERM) stops the server cleanly and never leaves it running behind.
On Linux the server is also told to die with cardf (PR_SET_PDEATHSIG), for the signals
cardf cannot catch (SIGKILL). While it serves, it holds a shared lock on the store folder,
so that `cardf load --store` refuses to write under it (see `store.lock_store`).
"""

from __future__ import annotations

import collections
import ctypes
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ExternalError, InputError, Problem
from .store import lock_store, unlock_store

STARTUP_SECONDS = 20.0
STOP_SECONDS = 5.0
POLL_SECONDS = 0.05
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True)
class Served:
    url: str  # the query page
    query_url: str  # the SPARQL 1.1 Protocol endpoint
    pid: int


def find_server() -> str:
    """The `oxigraph` binary of this environment (beside the Python running cardf), else on PATH."""
    here = Path(sys.executable).parent
    for name in ("oxigraph", "oxigraph.exe"):
        if (here / name).is_file():
            return str(here / name)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ExternalError("the Oxigraph server is not installed in this environment; run: pip install oxigraph")


def check_store(store: Path) -> None:
    if not store.is_dir() or not (store / "CURRENT").is_file():
        why = "no store here" if not store.exists() else "is not an Oxigraph store"
        raise InputError(problems=[Problem(f"{why}; run `cardf build` first, or pass --store DIR", store)])


def _bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_port(host: str, port: int) -> None:
    """Fail early, with a plain message, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ExternalError(f"--host: cannot resolve {host!r}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no conflict
        try:
            probe.bind(address)
        except OSError as exc:
            raise _bind_error(host, port, exc.errno) from None


def _bind_error(host: str, port: int, code: int | None) -> ExternalError:
    where = _bind_address(host, port)
    if code == errno.EADDRINUSE:
        return ExternalError(f"{where}: the port is already in use; stop what uses it or pass --port with a free one")
    if code == errno.EACCES:
        return ExternalError(f"{where}: not allowed to listen on this port; pass --port above 1023")
    if code == errno.EADDRNOTAVAIL:
        return ExternalError(f"{where}: this machine has no such address; pass --host 127.0.0.1")
    return ExternalError(f"{where}: cannot listen here ({errno.errorcode.get(code or 0, code)})")


def _accepting(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class _Output:
    """Collects the server's messages; after startup, passes them on to `echo`."""

    def __init__(self, stream, echo: Callable[[str], None]):
        self.lines: collections.deque[str] = collections.deque(maxlen=200)
        self.echo = echo
        self.forward = False
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            if self.forward and line and not line.startswith("Listening for requests"):
                self.echo(line)

    def error(self, any_line: bool = False) -> str:
        """The server's own one-line reason, without the Rust backtrace that follows it."""
        for line in self.lines:
            if line.startswith("Error:"):
                return line[len("Error:"):].strip()
        return next((line for line in self.lines if line.strip()), "") if any_line else ""


class _Stop(Exception):
    pass


def serve(store: Path, host: str = "127.0.0.1", port: int = 7878, union: bool = True, timeout: int | None = None,
          on_ready: Callable[[Served], None] | None = None, echo: Callable[[str], None] = print,
          allow_service: bool = False, site: Path | None = None, cors: bool = False) -> int:
    """Run the read-only server until Ctrl-C, SIGTERM or SIGHUP, then stop it and return 0.

    Unless SERVICE calls are allowed with neither a site nor CORS asked for, the Oxigraph server
    listens on a private port and cardf's front (serveguard) on the address asked for: it serves
    the site at `/`, adds CORS headers, and refuses SERVICE calls unless they are allowed.
    """
    check_store(store)
    binary = find_server()
    check_port(host, port)
    guard = None
    front = not allow_service or site is not None or cors
    server_host, server_port = ("127.0.0.1", _private_port()) if front else (host, port)
    command = [binary, "serve-read-only", "--location", str(store), "--bind", _bind_address(server_host, server_port)]
    if union:
        command.append("--union-default-graph")
    if timeout:
        command += ["--timeout-s", str(timeout)]
    lock = lock_store(store, writer=False)  # released below; the server inherits it
    previous = _trap_stop_signals()
    process = None
    try:
        try:
            # Its own session: the terminal's Ctrl-C reaches cardf only, and cardf decides how the server stops.
            # The server inherits the store's lock, and holds it for as long as it lives.
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       pass_fds=(lock,) if lock is not None else (), preexec_fn=die_with_parent())
        except OSError as exc:
            raise ExternalError(f"cannot start the Oxigraph server {binary}: {exc.strerror or exc}") from None
        output = _Output(process.stdout, echo)
        _wait_until_ready(process, output, server_host, server_port)
        if front:
            guard = _guard(host, port, server_port, site, cors, not allow_service)
        web = f"http://{_bind_address(host, port)}/"
        if on_ready:
            on_ready(Served(web, web + "query", process.pid))
        output.forward = True
        code = process.wait()
        output.thread.join(timeout=1.0)
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise ExternalError(f"the Oxigraph server stopped by itself ({how})"
                            + (f": {output.error()}" if output.error() else ""))
    except (KeyboardInterrupt, _Stop):
        return _stop(process) if process is not None else 0
    finally:
        if guard is not None:
            guard.close()
        if process is not None and process.poll() is None:
            _stop(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        unlock_store(lock)


def _private_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _guard(host: str, port: int, server_port: int, site: Path | None, cors: bool, refuse_service: bool):
    from .serveguard import ServiceGuard

    try:
        guard = ServiceGuard(host, port, server_port, site, cors, refuse_service)
    except OSError as exc:
        raise _bind_error(host, port, exc.errno) from None
    guard.start()
    return guard


def _trap_stop_signals() -> dict:
    """SIGTERM and SIGHUP stop the server the way Ctrl-C does, instead of orphaning it."""

    def on_stop(signum, frame):
        raise _Stop()

    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                previous[sig] = signal.signal(sig, on_stop)
            except ValueError:  # not the main thread: leave signals alone
                pass
    return previous


def _wait_until_ready(process: subprocess.Popen, output: _Output, host: str, port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.thread.join(timeout=1.0)
            why = output.error(any_line=True)
            if "Address already in use" in why:
                raise _bind_error(host, port, errno.EADDRINUSE)
            raise ExternalError(f"the Oxigraph server did not start: {why or f'exit status {process.returncode}'}")
        if _accepting(host, port):
            return
        time.sleep(POLL_SECONDS)
    raise ExternalError(f"the Oxigraph server did not answer on {_bind_address(host, port)} "
                        f"within {STARTUP_SECONDS:g} s")


def _stop(process: subprocess.Popen) -> int:
    """Forward Ctrl-C as SIGINT, then SIGTERM, then SIGKILL.

    When cardf was started with SIGINT ignored (`nohup`, a background job of a script), the
    server inherited that, so SIGTERM goes first.
    """
    first = [] if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else [lambda: process.send_signal(signal.SIGINT)]
    for send in (*first, process.terminate, process.kill):
        if process.poll() is not None:
            break
        send()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
    process.wait()
    return 0


def die_with_parent(parent: int | None = None) -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child get SIGKILL when its parent dies, on Linux; None elsewhere.

    Without it, a SIGKILL of cardf (which no handler can catch) leaves the server running,
    bound to the port and holding the store. `parent` is the pid the child must still have
    once the request is made; if the parent died before, the child ends itself.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid() if parent is None else parent
    libc = ctypes.CDLL(None, use_errno=True)

    def arm() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return arm
