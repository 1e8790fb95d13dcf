"""The compiled shapes kept in the user's cache: a build from it writes what a fresh compile writes, and a cache
that is missing, damaged, foreign or unwritable only means compiling again.

Every test here has a cache folder of its own (CARDF_CACHE_DIR in its tmp_path), empty at the start.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import DATA, ONTOLOGY, SHAPES
from test_build import generate, outputs

from cardf import build
from cardf.errors import NotConforming
from cardf.shacl import cached
from cardf.shacl.cached import LazyPlan, cache_dir, compiled, plan_key
from cardf.shacl.compile import Plan

SHAPE_FILES = sorted(SHAPES.glob("*.ttl"))


def settings(data: Path, out: Path, shapes: Path = SHAPES) -> build.Settings:
    return build.Settings(data=data, out=out, ontology=ONTOLOGY, shapes=shapes, base="https://w3id.org/cardf/")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CARDF_CACHE_DIR", str(folder))
    return folder


def plan_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("plan-*.pickle")) if folder.is_dir() else []


def findings(report) -> list[dict]:
    return [f.__dict__ for f in report.findings]


def test_the_cache_folder_is_chosen_as_xdg_says(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDF_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("CARDF_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "cardf"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the spec: a relative path is ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "cardf"


def test_a_build_from_the_cached_plan_writes_the_bytes_of_a_fresh_compile(tmp_path, cache):
    first = build.run(settings(DATA, tmp_path / "first"))  # compiles, and keeps the plan
    (kept,) = plan_files(cache)
    assert isinstance(compiled(SHAPE_FILES), LazyPlan)
    written = kept.stat().st_mtime_ns
    second = build.run(settings(DATA, tmp_path / "second"))  # another output folder: the same plan
    assert kept.stat().st_mtime_ns == written  # nothing new to keep: the data's queries were kept the first time
    reference = build.run(settings(DATA, tmp_path / "reference"), workers=1, cache=False)
    assert outputs(tmp_path / "second") == outputs(tmp_path / "first") == outputs(tmp_path / "reference")
    assert findings(second.report) == findings(first.report) == findings(reference.report)
    assert first.report.findings  # the seed has warnings: the cached plan's judging ran
    assert not (tmp_path / "first" / ".cache" / "plan.pickle").exists()


def test_data_of_another_profile_is_validated_from_the_cache_without_parsing_a_query(tmp_path, cache, monkeypatch):
    """Faults of every kind (SHACL-SPARQL ones too) on a cache the seed filled: pySHACL's objects are
    compiled again for them, from the queries the cache already read."""
    build.run(settings(DATA, tmp_path / "seed"))
    data = generate(tmp_path / "data", 24, seed=11, errors=0.5)
    with pytest.raises(NotConforming) as fresh:
        build.run(settings(data, tmp_path / "fresh"), cache=False)

    def no_parsing(text):
        raise AssertionError("a query was parsed again")

    monkeypatch.setattr("rdflib.plugins.sparql.parser.parseQuery", no_parsing)
    with pytest.raises(NotConforming) as restored:
        build.run(settings(data, tmp_path / "restored"))
    assert findings(restored.value.report) == findings(fresh.value.report)
    assert any(f.constraint == "SPARQLConstraintComponent" for f in restored.value.report.findings)


def test_a_damaged_cache_file_is_compiled_again_and_replaced(tmp_path, cache):
    build.run(settings(DATA, tmp_path / "first"))
    (kept,) = plan_files(cache)
    kept.write_bytes(pickle.dumps(("not", "a plan"))[:-3])  # cut short
    again = build.run(settings(DATA, tmp_path / "again"))
    assert outputs(tmp_path / "again") == outputs(tmp_path / "first")
    assert again.report.findings
    assert isinstance(compiled(SHAPE_FILES), LazyPlan)  # replaced by a good one
    kept.write_bytes(pickle.dumps((plan_key(SHAPE_FILES), {"units": "wrong"})))  # whole, but not a plan
    assert isinstance(compiled(SHAPE_FILES), Plan)


def test_a_cache_file_others_could_write_is_not_read(tmp_path, cache):
    build.run(settings(DATA, tmp_path / "first"))
    (kept,) = plan_files(cache)
    kept.chmod(0o666)
    assert isinstance(compiled(SHAPE_FILES), Plan)
    kept.chmod(0o600)
    assert isinstance(compiled(SHAPE_FILES), LazyPlan)


def test_an_unwritable_cache_folder_does_not_fail_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("CARDF_CACHE_DIR", str(blocker / "cache"))  # cannot be made, whoever runs the test
    built = build.run(settings(DATA, tmp_path / "out"))
    reference = build.run(settings(DATA, tmp_path / "reference"), workers=1, cache=False)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "reference")
    assert findings(built.report) == findings(reference.report)
    assert blocker.read_text() == "not a folder\n"


def test_changed_shapes_are_compiled_again(tmp_path, cache):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for path in SHAPE_FILES:
        (shapes / path.name).write_bytes(path.read_bytes())
    build.run(settings(DATA, tmp_path / "first", shapes))
    own = sorted(shapes.glob("*.ttl"))
    assert isinstance(compiled(own), LazyPlan)
    own[0].write_text(own[0].read_text() + "\n# changed\n")
    assert isinstance(compiled(own), Plan)
    build.run(settings(DATA, tmp_path / "second", shapes))
    assert len(plan_files(cache)) == 2  # one per version of the shapes


def test_old_plans_are_pruned(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(cached, "KEPT_PLANS", 2)
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for path in SHAPE_FILES:
        (shapes / path.name).write_bytes(path.read_bytes())
    own = sorted(shapes.glob("*.ttl"))
    for version in range(3):
        own[0].write_text(own[0].read_text() + f"\n# version {version}\n")
        cached.keep(compiled(own))
    assert len(plan_files(cache)) == 2
    assert isinstance(compiled(own), LazyPlan)  # the newest is kept

