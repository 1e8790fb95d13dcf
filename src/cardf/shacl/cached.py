"""The compiled shapes, kept in the user's cache once per shapes version, and restored from it.

Compiling the shapes takes a second or more (pySHACL's objects, and rdflib's parser reading every
SHACL-SPARQL query). What it makes depends on the shapes files alone — and on cardf and the
libraries that compile them — never on the data or the output folder, so it is kept once per
shapes version in the user's cache folder (`$CARDF_CACHE_DIR`, else `$XDG_CACHE_HOME/cardf`,
else `~/.cache/cardf`), under a key made of all of that, for every build of every project that
uses those shapes. The cache only ever saves time: a missing, corrupt, foreign or unwritable
cache means compiling again, never a failed build.

A plan restored from the cache is a `LazyPlan`: the queries at hand, pySHACL's objects compiled
only when needed (data of another profile, a SHACL-SPARQL result to describe), and then without
parsing a query again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import rdflib

from .compile import FallbackWarning, Plan, SparqlCheck, Unit, inverse_predicates

from ..usercache import cache_dir  # noqa: F401 (cache_dir is part of this module's surface)
FORMAT = 1  # of the cached snapshot: raise it when its layout changes
KEPT_PLANS = 8  # plan files kept in the cache folder (other shapes, other versions): the newest
KEPT_PROFILES = 8  # per unit, the suspect queries of the last data profiles seen


_CODE: list[str] = []


def _code_digest() -> str:
    """cardf's version, the compiling code and the libraries it builds on: what a plan depends on besides shapes."""
    if not _CODE:
        from importlib.metadata import version

        from .. import __version__

        h = hashlib.sha256(repr((FORMAT, __version__, sys.version_info[:2], version("pyshacl"), version("rdflib"),
                                 version("pyoxigraph"))).encode())
        here = Path(__file__).parent
        for module in sorted(here.glob("*.py")) + [here.parent / "iris.py"]:
            h.update(module.name.encode() + b"\0" + module.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def plan_key(shape_files: list[Path]) -> str | None:
    """The key of the compiled shapes: each file's bytes and place (its base IRI), and the code; None if unreadable."""
    try:
        h = hashlib.sha256(_code_digest().encode())
        for path in shape_files:
            h.update(str(path.resolve()).encode() + b"\0" + path.read_bytes() + b"\0")
    except (OSError, ValueError):  # told properly when the shapes are read
        return None
    return h.hexdigest()


def _plan_file(folder: Path, key: str) -> Path:
    return folder / f"plan-{key[:40]}.pickle"


def compiled(shape_files: list[Path], use_cache: bool = True):
    """The compiled shapes: from the user's cache when these shapes were compiled before, else compiled now.

    The plan carries its key (`cache_key`, None when it must not be kept), for `keep`.
    """
    key = plan_key(shape_files) if use_cache else None
    folder = cache_dir() if key is not None else None
    if folder is not None:
        plan = _restore(_plan_file(folder, key), key)
        if plan is not None:
            return plan
    from .reference import load_shapes

    plan = Plan(load_shapes(shape_files))
    plan.cache_key = key
    plan.kept_profiles = -1  # never kept
    return plan


def _restore(path: Path, key: str) -> LazyPlan | None:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_uid != os.getuid() or st.st_mode & 0o022:  # a pickle only this user could have written
                return None
            cached_key, snapshot = pickle.load(f)
        if cached_key != key:
            return None
        plan = LazyPlan(snapshot)
    except Exception:  # noqa: BLE001 — a damaged cache file of any kind: compile again
        return None
    plan.cache_key = key
    return plan


def keep(plan) -> None:
    """Put the plan in the user's cache when it is new there or has compiled queries for a new data profile."""
    key = getattr(plan, "cache_key", None)
    folder = cache_dir() if key is not None else None
    if folder is None or _profiles(plan) == getattr(plan, "kept_profiles", None):
        return
    path = _plan_file(folder, key)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            pickle.dump((key, plan.snapshot()), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, even with builds running side by side
        plan.kept_profiles = _profiles(plan)
        _prune(folder, path)
    except Exception:  # noqa: BLE001, S110 — an unwritable or full cache only costs the next build its head start
        pass
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _profiles(plan) -> int:
    return sum(len(u.probes_for) for u in plan.units)


def _prune(folder: Path, kept: Path) -> None:
    """Keep the newest few plans (other shapes, other versions of cardf); the rest would only take room."""
    try:
        plans = sorted(((p.stat().st_mtime_ns, p) for p in folder.glob("plan-*.pickle") if p != kept), reverse=True)
    except OSError:
        return
    for _, p in plans[KEPT_PLANS - 1:]:
        with contextlib.suppress(OSError):
            p.unlink()


class LazyPlan:
    """A plan restored from a snapshot: queries at hand, pySHACL's objects compiled only when needed."""

    def __init__(self, snapshot: dict):
        self._full = None
        self.shapes, self._judge = snapshot["graphs"]
        self._parsed = snapshot["parsed"]
        self.inverse = inverse_predicates(self.shapes)
        self.units = [Unit(shape, focus, None, probes) for shape, focus, probes in snapshot["units"]]
        for u in self.units:
            u.build = self._builder(u)
        self.sparql = [SparqlCheck(unit, None, None, None, query, projects, subs, edges, i)
                       for i, (unit, query, projects, subs, edges) in enumerate(snapshot["sparql"])]
        self.fallback = snapshot["fallback"]
        self.everything_falls_back = snapshot["everything"]
        self.backward = snapshot["backward"]
        self.kept_profiles = _profiles(self)
        for node, why in self.fallback:  # as compiling them says
            warnings.warn(FallbackWarning(f"shape {node} is validated by pySHACL: {why}"), stacklevel=2)

    def full(self) -> Plan:
        if self._full is None:
            with warnings.catch_warnings():  # told when the plan was restored
                warnings.simplefilter("ignore", FallbackWarning)
                full = Plan(self.shapes, self._parsed)  # this graph: the blank nodes of the cached judges' copy
            units = {(str(u.shape), u.focus): u for u in full.units}
            checks = {(str(c.unit), c.query): c for c in full.sparql}
            for u in self.units:
                twin = units.get((str(u.shape), u.focus))
                if twin is None:
                    raise RuntimeError("the cached plan does not match the shapes")
                u.build = twin.build
            for c in self.sparql:
                twin = checks.get((str(c.unit), c.query))
                if twin is None:
                    raise RuntimeError("the cached plan does not match the shapes")
                c.member, c.helper, c.component = twin.member, twin.helper, twin.component
            self._full = full
        return self._full

    def _builder(self, unit: Unit) -> Callable:
        def build(profile):
            self.full()
            return unit.build(profile)
        return build

    def snapshot(self) -> dict:
        return {"units": [(u.shape, u.focus, dict(list(u.probes_for.items())[-KEPT_PROFILES:])) for u in self.units],
                "sparql": [(c.unit, c.query, c.projects_this, c.substitutions, c.edges) for c in self.sparql],
                "fallback": list(self.fallback), "everything": self.everything_falls_back,
                "backward": set(self.backward), "graphs": (self.shapes, self._judge), "parsed": dict(self._parsed)}

    def judge_shapes(self, fallback: frozenset) -> rdflib.Graph:
        return self._judge if not fallback else self.full().judge_shapes(fallback)

    def __getattr__(self, name):  # sg, fallback_shapes: from the compiled plan
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)
