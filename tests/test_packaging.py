"""The wheel, as a user gets it: its files, its license, and `cardf init demo && cd demo && cardf build` outside the
checkout.

The wheel is built by pip from this checkout and installed with `--no-deps` into a fresh
virtual environment in a temporary folder; that environment borrows the test environment's
installed dependencies through a .pth file (cardf itself comes from the wheel, which stands
first on the path), so that nothing is fetched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (found,) = folder.glob("cardf-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; its bin/ folder."""
    env = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    done = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env / "bin"


def test_the_wheel_carries_the_license_the_data_and_the_starter_corpus(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "cardf-0.1.0.dist-info/licenses/LICENSE" in names
    for needed in ("cardf/_data/ontology/cardf.ttl", "cardf/_data/queries/visits.rq",
                   "cardf/_data/starter/entities.yaml", "cardf/_data/starter/articles/mini-article/facts.yaml"):
        assert needed in names
    metadata = zipfile.ZipFile(wheel).read("cardf-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata or "License: Apache-2.0" in metadata
    assert "Project-URL: Homepage" in metadata


def test_init_then_build_works_outside_the_checkout(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    init = subprocess.run([installed / "cardf", "init", "demo"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert init.returncode == 0, init.stderr
    demo = tmp_path / "demo"
    build = subprocess.run([installed / "cardf", "build", "-q"], cwd=demo, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    assert sorted(p.name for p in (demo / "out").iterdir() if not p.name.startswith(".")) == [
        "cardf.jsonld", "cardf.nq", "cardf.nt", "cardf.trig", "cardf.ttl", "ontology.ttl", "report.json", "store"]
    where = subprocess.run([installed / "python", "-c", "import cardf; print(cardf.__file__)"], cwd=demo,
                           capture_output=True, text=True, env=env, check=True).stdout
    assert str(ROOT) not in where  # the wheel's cardf, not the checkout's
    api = subprocess.run([installed / "python", "-c",
                          "import cardf; rows = cardf.open('out').query('visits', lang='ru'); "
                          "print(rows[0]['visitor_label'])"], cwd=demo, capture_output=True, text=True, env=env)
    assert (api.returncode, api.stdout) == (0, "Касым-Жомарт Токаев\n"), api.stderr
