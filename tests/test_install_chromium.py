"""tests/install_chromium.sh on machines it cannot install on: it says why and exits 1, never silently.

The machine is made with a PATH of scripted stand-ins (`id`, `apt-get`, `sudo`), since the test cannot make
this machine non-Debian or take its root away; the script itself runs as `make test` runs it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ROOT

SCRIPT = ROOT / "tests" / "install_chromium.sh"


def machine(tmp_path: Path, **tools: str) -> dict:
    """An environment whose PATH holds only these tools, each a shell script with this body."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in tools.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
    return {"PATH": str(bin_dir)}


def install(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60)


def test_a_machine_without_apt_is_told_what_to_do(tmp_path):
    done = install(machine(tmp_path, id="echo 0"))
    assert done.returncode == 1
    assert done.stderr == ("install_chromium.sh: no apt-get here (not Debian or Ubuntu): install Chromium with this "
                           "system's package manager\ninstall_chromium.sh: the browser tests need a `chromium` on "
                           "PATH (Debian: apt-get install chromium).\n")


def test_not_root_and_no_sudo(tmp_path):
    done = install(machine(tmp_path, id="echo 1000", **{"apt-get": "exit 0"}))
    assert done.returncode == 1
    assert done.stderr.startswith("install_chromium.sh: not root and no sudo: run `apt-get install chromium` as "
                                  "root\n")


def test_not_root_asks_sudo_without_waiting_for_a_password_and_updates_first(tmp_path):
    log = tmp_path / "calls"
    env = machine(tmp_path, id="echo 1000", sudo=f'echo "sudo $*" >> {log}; exit 1', **{"apt-get": "exit 0"})
    done = install(env)
    assert done.returncode == 1
    assert log.read_text() == "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq\n"
    assert "apt-get update failed" in done.stderr


def test_as_root_it_updates_then_installs_without_questions(tmp_path):
    log = tmp_path / "calls"
    env = machine(tmp_path, id="echo 0", env=f'echo "$*" >> {log}; exit 0', **{"apt-get": "exit 0"})
    done = install(env)
    assert log.read_text() == ("DEBIAN_FRONTEND=noninteractive apt-get update -qq\n"
                               "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium\n")
    assert done.returncode == 1  # the stand-in apt-get installed nothing: said, not ignored
    assert "apt-get installed chromium, but no `chromium` is on PATH" in done.stderr


def test_nothing_to_do_when_chromium_is_there(tmp_path):
    done = install(machine(tmp_path, chromium="exit 0", id="echo 1000"))
    assert (done.returncode, done.stderr) == (0, "")
