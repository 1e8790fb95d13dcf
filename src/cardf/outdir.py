"""The build's output folder: prove it is cardf's, lock it, stage the new build beside it, swap, recover.

The promise: cardf replaces or deletes only a folder it can prove it wrote. Every build leaves a
marker, `.cardf-build`, listing each file it wrote with its size and SHA-256 (and each store
folder, whose database files change as Oxigraph opens them). Before replacing a folder, cardf
checks it against its marker: a folder without one is replaced only when empty; a file the
marker does not list, a listed file whose bytes changed, a link or a marker cardf did not write
all stop the build with exit 2, naming the file, and nothing is touched.

The new build is written into `.<out>.new-*` beside the output and swapped in by one atomic
exchange of the two folders (Linux `renameat2(RENAME_EXCHANGE)`), so at every instant the output
path is the old build or the new one, and stays an ordinary folder. Where the exchange is not
available the swap is two renames (out → `.<out>.old-*`, new → out), and the next build puts
the old one back if a crash fell between them. A lock (`flock` on `.<out>.lock` beside the
output) keeps two builds of one folder from interleaving; the second stops at once (exit 3,
naming the first one's process). Staging, old and scratch folders a killed build left behind
are removed by the next build, when their marker proves that cardf made them. Ctrl-C and
SIGTERM clean up and say truly what the output folder holds.

Public surface: `claimed`, `replace`, `Scratch`, `Interrupted`, `interruption`, `exchange`,
`owns`, `checkpoint` (a no-op where tests pause a build, see tests/outdir_harness.py), `MARKER` and
`Listing` (from outmarker, which owns the marker).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ExternalError, Problem, UsageError
from .outmarker import (COMPLETE, MARKER, SCRATCH, STAGING, Listing, list_written, read_marker, sha256, walk,
                        write_marker)

# The files of a folder listed by name only, not by bytes, because they are specific to the folder
# they sit in: an Oxigraph (RocksDB) store, and cardf's cache (keyed to this folder's path and files).
STORE_FILE = re.compile(r"(\d+\.(sst|log|blob)|CURRENT|IDENTITY|LOCK|LOG|LOG\.old\.\d+|MANIFEST-\d+|OPTIONS-\d+"
                        r"|[\w.-]+\.dbtmp|[\w-]+\.pickle(\.tmp)?)")
OWN = "cardf replaces only an empty folder or a build of its own"
CURRENT = "is the current folder (or holds it); cardf replaces its output folder whole, so choose a new or empty folder"
YOURS = "cardf will not replace {out} while it holds anything it did not write: move that file out and build again"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a build, with a true sentence about what the output folder holds."""

    def __init__(self, signum: int, message: str | None = None):
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.message = message or f"{_word(signum)}; nothing was changed."


def interruption(exc: KeyboardInterrupt) -> tuple[str, int]:
    """The sentence and exit code for an interruption, true to what this process did to output folders."""
    if isinstance(exc, Interrupted):
        return exc.message, exc.exit_code
    if _replaced:
        return f"Interrupted; {_replaced[-1]} already holds the new build.", 128 + signal.SIGINT
    return "Interrupted; nothing was changed.", 128 + signal.SIGINT


def checkpoint(step: str) -> None:
    """A named step of the swap ("writing", "staged", "swapped", "between-renames"). Does nothing:
    tests/outdir_harness.py replaces it to pause a real build here and kill it."""


def owns(out: Path, path: str | os.PathLike) -> bool:
    """Whether `path` is the output folder, inside it, or one of its staging, old or scratch folders."""
    target = _Target(out)
    p = Path(os.path.abspath(path))
    return any(q == target.path or (q.parent == target.parent and q.name.startswith(f".{target.name}."))
               for q in (p, *p.parents))


# ----------------------------------------------------------------------------- where the output goes

class _Target:
    """The output folder as given (for messages) and as an absolute path (for work)."""

    def __init__(self, out: Path):
        self.shown = out
        self.path = Path(os.path.abspath(out))
        self.parent, self.name = self.path.parent, self.path.name
        self.lock = self.parent / f".{self.name}.lock"

    def show(self, relative: str = "") -> str:
        return str(self.shown / relative) if relative else str(self.shown)

    def siblings(self, kind: str) -> list[Path]:
        prefix = f".{self.name}.{kind}-"
        try:
            names = os.listdir(self.parent)
        except OSError:
            return []
        return [self.parent / n for n in sorted(names) if n.startswith(prefix)]


def _cannot_create(target: _Target, exc: OSError) -> ExternalError:
    return ExternalError(problems=[Problem(f"cannot create the output folder: {exc.strerror or exc}", target.shown)])


# ----------------------------------------------------------------------------- proving a folder is cardf's

def _prove(target: _Target) -> Listing | None:
    """The listing of the build at the output path; None when there is nothing there (or an empty folder).

    Raises UsageError, naming the folder or the file, for anything cardf cannot prove it wrote.
    """
    try:
        st = os.lstat(target.path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot_read(target, exc) from None
    if stat.S_ISLNK(st.st_mode):
        link = os.readlink(target.path)
        raise UsageError(problems=[Problem(f"is a symbolic link (to {link}); cardf replaces its output folder "
                                           "whole and never through a link, so give the folder itself", target.shown)])
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(problems=[Problem("exists and is not a folder", target.shown)])
    cwd = Path(os.path.abspath(os.getcwd()))
    real = Path(os.path.realpath(target.path))
    if real == Path(os.path.realpath(cwd)) or real in Path(os.path.realpath(cwd)).parents:
        raise UsageError(problems=[Problem(CURRENT, target.shown)])
    try:
        names = sorted(os.listdir(target.path))
    except OSError as exc:
        raise _cannot_read(target, exc) from None
    if not names:
        return None
    listing = read_marker(target.path)
    if MARKER not in names:
        more = f" and {len(names) - 1} more" if len(names) > 1 else ""
        raise UsageError(problems=[Problem(
            f"is not a build of cardf's (it has no {MARKER} marker) and is not empty: it holds "
            f"{target.show(names[0])}{more}; {OWN}, so choose another --out or empty {target.show()} yourself",
            target.shown)])
    if listing is None or listing.state != COMPLETE:
        what = "is not a marker cardf wrote" if listing is None else "marks a build cardf had not finished"
        raise UsageError(problems=[Problem(
            f"{what}; {OWN}, so choose another --out or empty {target.show()} yourself", target.show(MARKER))])
    stamp = os.lstat(target.path / MARKER).st_mtime_ns
    try:
        for rel, st in walk(target.path, set(listing.stores)):
            kind = stat.S_IFMT(st.st_mode)
            if rel in listing.stores and kind == stat.S_IFDIR:
                _prove_store(target, rel)
            elif not ((rel in listing.folders and kind == stat.S_IFDIR)
                      or (rel in listing.files and kind == stat.S_IFREG)):
                raise _foreign(target, rel, "was not written by cardf build")
            elif kind == stat.S_IFREG:
                size, digest = listing.files[rel]
                touched = max(st.st_mtime_ns, st.st_ctime_ns) >= stamp  # written (or copied) after the marker
                if st.st_size != size or (touched and sha256(target.path / rel) != digest):
                    raise _foreign(target, rel, "changed since cardf build wrote it")
    except OSError as exc:
        raise _cannot_read(target, exc) from None
    return listing


def _prove_store(target: _Target, rel: str) -> None:
    with os.scandir(target.path / rel) as entries:
        for e in sorted(entries, key=lambda e: e.name):
            if not (e.is_file(follow_symlinks=False) and STORE_FILE.fullmatch(e.name)):
                raise _foreign(target, f"{rel}/{e.name}", "was not written by cardf build (it is not a file of "
                                                          "the Oxigraph store)")


def _foreign(target: _Target, rel: str, why: str) -> UsageError:
    return UsageError(problems=[Problem(f"{why}; {YOURS.format(out=target.show())}", target.show(rel))])


def _cannot_read(target: _Target, exc: OSError) -> ExternalError:
    return ExternalError(problems=[Problem(f"cannot read the output folder: {exc.strerror or exc}", target.shown)])


# ----------------------------------------------------------------------------- the lock

_claims: dict[Path, _Claim] = {}
_replaced: list[str] = []  # output folders this process replaced (for a true message on Ctrl-C)


class _Claim:
    def __init__(self, target: _Target, fd: int):
        self.target, self.fd = target, fd
        self.previous_term = None


def _close_inherited() -> None:
    """A forked worker must not keep the build's lock alive after the build is gone."""
    for claim in list(_claims.values()):
        try:
            os.close(claim.fd)
        except OSError:
            pass
    _claims.clear()


os.register_at_fork(after_in_child=_close_inherited)


def _lock(target: _Target) -> int:
    import fcntl

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_create(target, exc) from None
    while True:
        try:
            fd = os.open(target.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise _cannot_create(target, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise _cannot_create(target, exc) from None
            who = f"another cardf build (process {holder})" if holder.isdigit() else "another cardf build"
            raise ExternalError(problems=[Problem(f"{who} is writing this output folder; wait for it to finish "
                                                  "and build again", target.shown)]) from None
        try:  # the file we locked may have been removed by the build that held it: lock the one that is there
            mine = os.fstat(fd)
            same = os.path.samestat(mine, os.stat(target.lock, follow_symlinks=False))
            if same:
                if not stat.S_ISREG(mine.st_mode):
                    raise OSError(errno.EINVAL, "is not a lock file cardf made", str(target.lock))
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                return fd
        except FileNotFoundError:
            pass
        except OSError as exc:
            os.close(fd)
            raise _cannot_create(target, exc) from None
        os.close(fd)


def _unlock(claim: _Claim) -> None:
    try:
        os.unlink(claim.target.lock)
    except OSError:
        pass
    os.close(claim.fd)


@contextmanager
def claimed(out: Path) -> Iterator[None]:
    """Hold the output folder for one build: lock it, recover what a killed build left, prove it is cardf's.

    Re-entrant within a process. While held, SIGTERM stops the build as Ctrl-C does (raising
    Interrupted) so that the build cleans up after itself.
    """
    target = _Target(out)
    if target.path == target.parent:  # the root of the file system
        raise UsageError(problems=[Problem(CURRENT, target.shown)])
    if target.path in _claims:
        yield
        return
    claim = _Claim(target, _lock(target))
    _claims[target.path] = claim
    main = threading.current_thread() is threading.main_thread()
    if main:
        claim.previous_term = _handle(signal.SIGTERM, _on_terminate)
    replaced_before = len(_replaced)
    try:
        _recover(target)
        _prove(target)
        yield
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        if len(_replaced) > replaced_before:
            raise Interrupted(signum, f"{_word(signum)}; {target.show()} already holds the new build.") from None
        raise
    finally:
        if main:
            _handle(signal.SIGTERM, claim.previous_term)
        del _claims[target.path]
        _unlock(claim)


def _on_terminate(signum, frame):
    raise Interrupted(signum)


def _handle(sig: int, handler):
    """signal.signal, where None (a handler not set from Python) stands for the default."""
    previous = signal.signal(sig, signal.SIG_DFL if handler is None else handler)
    return previous


def _word(signum: int) -> str:
    return "Terminated" if signum == signal.SIGTERM else "Interrupted"


# ----------------------------------------------------------------------------- staging and the swap

def replace(out: Path, write: Callable[[Path], dict[str, str] | Listing | None], stores: tuple[str, ...] = ()) -> None:
    """Run `write` on a new folder beside `out`, then put it in place of `out` in one step.

    `write` may return {relative path: SHA-256} of files it already hashed, to spare hashing them
    again for the marker, or the complete `Listing` of what it wrote (every file with its size and
    hash, every folder), to spare walking the folder too (a site of 300,000 files). `stores` names
    the folders that hold an Oxigraph store. On any failure, or Ctrl-C, `out` is left exactly as it was.
    """
    with claimed(out):  # which has proved that `out` is cardf's to replace
        target = _Target(out)
        staging = _new_folder(target, "new", STAGING)
        try:
            checkpoint("writing")
            try:
                known = write(staging) or {}
                write_marker(staging, known if isinstance(known, Listing) else list_written(staging, known, stores))
            except OSError as exc:
                raise ExternalError(problems=[Problem(f"cannot write the build output: {exc.strerror or exc}",
                                                      target.shown)]) from None
            checkpoint("staged")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        with _signals_held() as caught:
            before = len(_replaced)
            try:
                old = _prove(target)  # again: a file may have come in while the build ran
                _swap(target, staging, old)
            except BaseException as exc:
                if len(_replaced) == before:  # the swap did not happen: the staging folder is still the new build
                    shutil.rmtree(staging, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise ExternalError(problems=[Problem(f"cannot put the new build in place: "
                                                          f"{exc.strerror or exc}", target.shown)]) from None
                raise
        if caught:
            raise Interrupted(caught[0], f"{_word(caught[0])}; {target.show()} already holds the new build.")


def _new_folder(target: _Target, kind: str, state: str) -> Path:
    """A fresh folder `.<out>.<kind>-XXXX` beside the output, marked as cardf's from its first moment."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-", dir=target.parent))
    except OSError as exc:
        raise _cannot_create(target, exc) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o777 & ~umask)  # as mkdir would make it: the build is for others to read too
        write_marker(path, Listing(state))
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise _cannot_create(target, exc) from None
    return path


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE).

    Raises OSError with EINVAL, ENOSYS or EOPNOTSUPP where the system or file system cannot.
    """
    function = _renameat2()
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    import ctypes

    if function(-100, os.fsencode(a), -100, os.fsencode(b), 2) != 0:  # AT_FDCWD, RENAME_EXCHANGE
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


_renameat2_function: list = []


def _renameat2():
    if not _renameat2_function:
        function = None
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            function = libc.renameat2
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            function.restype = ctypes.c_int
        except (OSError, AttributeError):
            function = None
        _renameat2_function.append(function)
    return _renameat2_function[0]


UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP)


def _swap(target: _Target, staging: Path, old: Listing | None) -> None:
    """Put `staging` at the output path; the old build (if any) is removed afterwards."""
    if old is None:  # nothing there, or an empty folder, which a rename replaces in one step
        os.rename(staging, target.path)
        _replaced.append(target.show())
        return
    try:
        exchange(staging, target.path)
    except OSError as exc:
        if exc.errno not in UNSUPPORTED:
            raise
        away = target.parent / staging.name.replace(f".{target.name}.new-", f".{target.name}.old-", 1)
        os.rename(target.path, away)
        try:
            checkpoint("between-renames")
            os.rename(staging, target.path)
        except BaseException:
            os.rename(away, target.path)
            raise
        _replaced.append(target.show())
        _discard(away, old)
        return
    _replaced.append(target.show())
    checkpoint("swapped")
    _discard(staging, old)  # the old build, now at the staging path


def _discard(path: Path, old: Listing) -> None:
    """Remove the old build once the new one is in place; what cannot be removed now, the next build removes."""
    try:
        _remove_build(path, old)
    except OSError:
        pass


@contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Ctrl-C and SIGTERM wait until the swap is over (they are noted, then answered)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = _handle(sig, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            _handle(sig, handler)


# ----------------------------------------------------------------------------- removing and recovering

def _remove_build(path: Path, listing: Listing) -> bool:
    """Delete what the marker lists (and the files of its stores), never anything else; True when all gone."""
    for rel in sorted(listing.files, reverse=True):
        p = path / rel
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                os.unlink(p)
        except FileNotFoundError:
            pass
    for rel in listing.stores:
        try:
            with os.scandir(path / rel) as entries:
                for e in list(entries):
                    if e.is_file(follow_symlinks=False) and STORE_FILE.fullmatch(e.name):
                        os.unlink(e.path)
            os.rmdir(path / rel)
        except FileNotFoundError:
            pass
        except OSError:
            return False
    for rel in sorted(listing.folders, key=lambda r: r.count("/"), reverse=True):
        try:
            os.rmdir(path / rel)
        except FileNotFoundError:
            pass
        except OSError:
            return False
    if any(n != MARKER for n in os.listdir(path)):
        return False  # something of someone else's came in: it stays, and so does the marker
    os.unlink(path / MARKER)
    os.rmdir(path)
    return True


def _recover(target: _Target) -> None:
    """Clean up after a build that was killed: put back an old build a crash left out of place, then
    remove the staging, old and scratch folders that cardf can prove it made (the lock is ours,
    so no live build is using them). Anything unproven is left alone."""
    leftovers = target.siblings("new") + target.siblings("old") + target.siblings("pieces")
    if not leftovers:
        return
    if not os.path.lexists(target.path):
        for path in target.siblings("old"):
            listing = _leftover(path)
            if listing is not None and listing.state == COMPLETE and _complete(path, listing):
                os.rename(path, target.path)
                leftovers.remove(path)
                break
    for path in leftovers:
        listing = _leftover(path)
        if listing is None:
            continue
        try:
            if listing.state == COMPLETE:
                _remove_build(path, listing)
            else:
                shutil.rmtree(path)
        except OSError:
            pass


def _leftover(path: Path) -> Listing | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return None
    return read_marker(path)


def _complete(path: Path, listing: Listing) -> bool:
    try:
        return all(os.lstat(path / rel).st_size == size for rel, (size, _) in listing.files.items()) and \
            all((path / rel).is_dir() for rel in listing.stores + listing.folders)
    except OSError:
        return False


# ----------------------------------------------------------------------------- scratch space

class Scratch:
    """A scratch folder beside the output (same disk, not memory), made only when the build needs it."""

    def __init__(self, out: Path):
        self.out, self.path = out, None

    def __call__(self) -> Path:
        if self.path is None:
            self.path = _new_folder(_Target(self.out), "pieces", SCRATCH)
        return self.path

    def remove(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
