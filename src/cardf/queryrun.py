"""Running one question to the end: a local query in a worker process, an endpoint query here.

A local query (the embedded store, `--input` files) runs in a child process, because
pyoxigraph cannot interrupt a query it is evaluating and holds Python's attention while it
does: a query in this process could neither time out nor stop on Ctrl-C. The child is a
fork of this process, made after cardf's modules are imported, so it starts in about a
millisecond (a fresh interpreter took 0.4 s to import them again). It leaves this process's
session, cuts itself off the network unless SERVICE calls are allowed (see isolation), reads
the data, runs the query and writes the answer (results.write_answer), sending the bytes
back in frames through a pipe as it goes; this process passes them on to stdout at once. So:

* a deadline (`--timeout`, 60 s unless told otherwise) kills the child when it passes;
* Ctrl-C reaches this process only (the child has its own session) and kills the child;
* when the reader of stdout goes away (`| head`), the child is killed and cardf stops quietly;
* memory stays bounded by one block of rows on either side.

Rows already written when the deadline passes stay written; the error says the query timed out.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CardfError, ExternalError, InputError, UsageError
from .query import EndpointTarget, IdRef, LocalTarget, Query, QueryTimeout, Term, check_query, resolve_ids
from .rdfio import is_stdin, stdin_copy
from .results import Output, write_answer

DEFAULT_TIMEOUT = 60.0
_FRAME = struct.Struct(">cI")  # kind (D data, E error, S summary) and length


@dataclass
class Outcome:
    """How the question went: the query's form, the rows (or triples) written, ASK's answer, the time taken."""

    form: str
    count: int
    boolean: bool | None
    seconds: float
    notes: list[str] = field(default_factory=list)  # parameters that name nothing, ids read as strings


@dataclass
class LocalJob:
    """A local query for the worker: where the data is, what to ask, what to bind, how to write the answer."""

    store: str | None
    files: list[str]
    input_format: str | None
    query: Query
    bindings: dict[str, Term | IdRef]
    output: Output
    allow_service: bool = False
    checked: bool = False  # the parse tree already read for SERVICE (tests that reach past the refusal set it)


def execute(query: Query, bindings: dict[str, Term | IdRef], output: Output, write: Callable[[bytes], None], *,
            store: Path | None = None, files: tuple[Path, ...] = (), input_format: str | None = None,
            endpoint: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
            allow_service: bool = False) -> Outcome:
    """Ask one target and write its answer through `write` as it comes.

    Updates are refused everywhere. SERVICE is refused for local queries (an endpoint's SERVICE
    calls are the endpoint's business): by the tokens here, at once, and by the parse tree in
    the worker, where the deadline and Ctrl-C reach the parser too.
    """
    if endpoint:
        check_query(query, allow_service=True)
        target = EndpointTarget(endpoint, timeout)
        started = time.perf_counter()
        terms, notes = resolve_ids(target, bindings)
        answer = target.run(query, terms)
        count = write_answer(answer, output, write, lambda iris: target.labels(iris, output.lang))
        return Outcome(answer.form, count, answer.boolean, time.perf_counter() - started, notes)
    check_query(query, allow_service, parse=False)
    if any(is_stdin(f) for f in files):
        stdin_copy()  # read here, once: the worker reads the copy, and cardf removes it at exit
    job = LocalJob(str(store) if not files else None, [str(f) for f in files], input_format, query, bindings, output,
                   allow_service)
    return run_local(job, write, timeout)


def run_local(job: LocalJob, write: Callable[[bytes], None], timeout: float | None = DEFAULT_TIMEOUT,
              network: bool | None = None) -> Outcome:
    """Run the job in a worker process and pass on what it writes, within the deadline.

    The worker has the network only when SERVICE calls are allowed (or `network` says so).
    """
    network = job.allow_service if network is None else network
    frames_in, frames_out = os.pipe()
    errors_in, errors_out = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        code = 0
        try:
            os.close(frames_in)
            os.close(errors_in)
            os.dup2(errors_out, 2)
            os.setsid()  # Ctrl-C at the terminal reaches cardf, which then ends the worker
            code = worker(job, frames_out, network, parent)
        except BaseException:  # noqa: BLE001 — whatever happens, the worker must not run on as a copy of cardf
            code = 70
        finally:
            os._exit(code)
    os.close(frames_out)
    os.close(errors_out)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        return _relay(frames_in, errors_in, pid, write, deadline, timeout)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(frames_in)
        os.close(errors_in)


def _relay(frames: int, errors_fd: int, pid: int, write: Callable[[bytes], None], deadline: float | None,
           timeout: float | None) -> Outcome:
    selector = selectors.DefaultSelector()
    selector.register(frames, selectors.EVENT_READ)
    selector.register(errors_fd, selectors.EVENT_READ)
    pending, errors, open_streams = b"", b"", 2
    while open_streams:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise QueryTimeout(timeout)
        for key, _ in selector.select(left):
            chunk = os.read(key.fd, 1 << 16)
            if not chunk:
                selector.unregister(key.fd)
                open_streams -= 1
            elif key.fd == errors_fd:
                errors = (errors + chunk)[-4000:]
            else:
                pending += chunk
                while len(pending) >= _FRAME.size:
                    kind, size = _FRAME.unpack_from(pending)
                    if len(pending) < _FRAME.size + size:
                        break
                    body, pending = pending[_FRAME.size:_FRAME.size + size], pending[_FRAME.size + size:]
                    if kind == b"D":
                        write(body)
                    else:
                        return _finish(kind, body)
    _, status = os.waitpid(pid, 0)
    raise ExternalError(f"the query worker failed: {errors.decode('utf-8', 'replace').strip()[-500:]}"
                        f"{'' if errors.strip() else f'exit status {os.waitstatus_to_exitcode(status)}'}")


def _finish(kind: bytes, body: bytes) -> Outcome:
    payload = pickle.loads(body)  # our own child process wrote it
    if kind == b"S":
        return payload
    cls_name, message, problems = payload
    if not cls_name:
        raise RuntimeError(f"in the query worker: {message}")
    cls = {c.__name__: c for c in (InputError, UsageError, ExternalError)}.get(cls_name, CardfError)
    raise cls(message, problems)


def worker(job: LocalJob, frames: int, network: bool, parent: int) -> int:
    """The worker's side: limit itself, run the job, write frames to `frames`; its exit status."""
    from . import isolation

    isolation.die_with_parent()
    if os.getppid() != parent:  # cardf died before the line above could take effect
        return 1
    if not network:
        isolation.cut_network()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    def frame(kind: bytes, body: bytes) -> None:
        data = _FRAME.pack(kind, len(body)) + body
        while data:
            data = data[os.write(frames, data):]

    try:
        if not job.checked:
            check_query(job.query, job.allow_service)
        LocalTarget.empty().run(job.query, {k: v for k, v in job.bindings.items() if not isinstance(v, IdRef)})
        target = local_target(job)  # mistakes in the query are told above, whatever the target holds
        started = time.perf_counter()
        terms, notes = resolve_ids(target, job.bindings)
        answer = target.run(job.query, terms)
        count = write_answer(answer, job.output, lambda data: frame(b"D", data),
                             lambda iris: target.labels(iris, job.output.lang))
        frame(b"S", pickle.dumps(Outcome(answer.form, count, answer.boolean, time.perf_counter() - started, notes)))
    except CardfError as exc:
        frame(b"E", pickle.dumps((type(exc).__name__, str(exc), exc.problems)))
    except Exception as exc:  # a bug: reported by the parent as an internal error
        frame(b"E", pickle.dumps(("", f"{type(exc).__name__}: {exc}", [])))
    return 0


def local_target(job: LocalJob) -> LocalTarget:
    if job.store is not None:
        return LocalTarget.open(Path(job.store))
    return LocalTarget.from_files([Path(f) for f in job.files], job.input_format)

