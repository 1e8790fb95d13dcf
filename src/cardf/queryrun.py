"""Running one question to the end: a local query in a worker process, an endpoint query here.

A local query (the embedded store, `--data` files) runs in a child process, because
pyoxigraph cannot interrupt a query it is evaluating and holds Python's attention while it
does: a query in this process could neither time out nor stop on Ctrl-C. The child cuts
itself off the network unless SERVICE calls are allowed (see isolation), reads the data,
runs the query and writes the answer (results.write_answer), sending the bytes back in
frames as it goes; this process passes them on to stdout at once. So:

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
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CardfError, ExternalError, InputError, UsageError
from .query import EndpointTarget, LocalTarget, Query, QueryTimeout, Term, check_query
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


@dataclass
class LocalJob:
    """A local query for the worker: where the data is, what to ask, what to bind, how to write the answer."""

    store: str | None
    files: list[str]
    input_format: str | None
    query: Query
    bindings: dict[str, Term]
    output: Output
    allow_service: bool = False
    checked: bool = False  # the parse tree already read for SERVICE (tests that reach past the refusal set it)


def execute(query: Query, bindings: dict[str, Term], output: Output, write: Callable[[bytes], None], *,
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
        answer = target.run(query, bindings)
        count = write_answer(answer, output, write, target.labels)
        return Outcome(answer.form, count, answer.boolean, time.perf_counter() - started)
    check_query(query, allow_service, parse=False)
    job = LocalJob(str(store) if not files else None, [str(f) for f in files], input_format, query, bindings, output,
                   allow_service)
    return run_local(job, write, timeout)


def run_local(job: LocalJob, write: Callable[[bytes], None], timeout: float | None = DEFAULT_TIMEOUT,
              network: bool | None = None) -> Outcome:
    """Run the job in a worker process and pass on what it writes, within the deadline.

    The worker has the network only when SERVICE calls are allowed (or `network` says so).
    """
    network = job.allow_service if network is None else network
    command = [sys.executable, "-c", "from cardf.queryrun import worker; worker()"]
    if not network:
        command.append("--offline")
    worker_process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      start_new_session=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        worker_process.stdin.write(pickle.dumps(job))
        worker_process.stdin.close()
        return _relay(worker_process, write, deadline, timeout)
    finally:
        if worker_process.poll() is None:
            worker_process.kill()
        worker_process.wait()
        for stream in (worker_process.stdout, worker_process.stderr):
            stream.close()


def _relay(process: subprocess.Popen, write: Callable[[bytes], None], deadline: float | None,
           timeout: float | None) -> Outcome:
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    selector.register(process.stderr, selectors.EVENT_READ)
    pending, errors, open_streams = b"", b"", 2
    while open_streams:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise QueryTimeout(timeout)
        for key, _ in selector.select(left):
            chunk = os.read(key.fileobj.fileno(), 1 << 16)
            if not chunk:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.fileobj is process.stderr:
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
    process.wait()
    raise ExternalError(f"the query worker failed: {errors.decode('utf-8', 'replace').strip()[-500:]}"
                        f"{'' if errors.strip() else f'exit status {process.returncode}'}")


def _finish(kind: bytes, body: bytes) -> Outcome:
    payload = pickle.loads(body)  # our own child process wrote it
    if kind == b"S":
        return payload
    cls_name, message, problems = payload
    if not cls_name:
        raise RuntimeError(f"in the query worker: {message}")
    cls = {c.__name__: c for c in (InputError, UsageError, ExternalError)}.get(cls_name, CardfError)
    raise cls(message, problems)


def worker() -> None:
    """The child's side: read the job on stdin, write frames on stdout."""
    from . import isolation

    isolation.die_with_parent()
    if "--offline" in sys.argv[1:]:
        isolation.cut_network()
    job: LocalJob = pickle.loads(sys.stdin.buffer.read())  # written by the parent cardf
    out = sys.stdout.buffer

    def frame(kind: bytes, body: bytes) -> None:
        out.write(_FRAME.pack(kind, len(body)) + body)
        out.flush()

    try:
        if not job.checked:
            check_query(job.query, job.allow_service)
        LocalTarget.empty().run(job.query, job.bindings)  # mistakes in the query first, whatever the target holds
        target = local_target(job)
        started = time.perf_counter()
        answer = target.run(job.query, job.bindings)
        count = write_answer(answer, job.output, lambda data: frame(b"D", data), target.labels)
        frame(b"S", pickle.dumps(Outcome(answer.form, count, answer.boolean, time.perf_counter() - started)))
    except CardfError as exc:
        frame(b"E", pickle.dumps((type(exc).__name__, str(exc), exc.problems)))
    except Exception as exc:  # a bug: reported by the parent as an internal error
        frame(b"E", pickle.dumps(("", f"{type(exc).__name__}: {exc}", [])))


def local_target(job: LocalJob) -> LocalTarget:
    if job.store is not None:
        return LocalTarget.open(Path(job.store))
    return LocalTarget.from_files([Path(f) for f in job.files], job.input_format)

