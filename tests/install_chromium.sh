#!/bin/sh
# The browser tests' one system dependency: Debian's Chromium, installed when it is missing, so that
# `make test` stays the one command on a fresh machine. Playwright (a test dependency from PyPI) drives it;
# Playwright's own browser download is not used. On failure it says why on stderr and exits 1; the browser
# tests then fail with that sentence (tests/test_site_browser.py runs this script again and shows it).
set -eu
command -v chromium >/dev/null 2>&1 && exit 0
fail() {
    echo "install_chromium.sh: $1" >&2
    echo "install_chromium.sh: the browser tests need a \`chromium\` on PATH (Debian: apt-get install chromium)." >&2
    exit 1
}
command -v apt-get >/dev/null 2>&1 ||
    fail "no apt-get here (not Debian or Ubuntu): install Chromium with this system's package manager"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: run \`apt-get install chromium\` as root"
    SUDO="sudo"
    [ -t 0 ] || SUDO="sudo -n"  # no terminal to ask for a password on: fail at once instead of waiting
fi
echo "Installing Debian's chromium for the browser tests (apt-get update, then apt-get install chromium) …" >&2
# env: sudo drops the environment, and apt must not stop to ask questions
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    fail "apt-get update failed (no network, or not allowed to run it as root)"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    fail "apt-get install chromium failed (on Ubuntu the package is a snap: snap install chromium)"
command -v chromium >/dev/null 2>&1 || fail "apt-get installed chromium, but no \`chromium\` is on PATH"
