#!/bin/sh
# The browser tests' one system dependency: Debian's Chromium, installed when it is missing, so that
# `make test` stays the one command on a fresh machine. Playwright (a test dependency from PyPI) drives it;
# Playwright's own browser download is not used.
set -eu
command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian's chromium for the browser tests …" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
