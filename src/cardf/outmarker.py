"""The marker `.cardf-build` that every build leaves in its folder: what cardf wrote there, and proof of it.

A marker lists each file the build wrote with its size and SHA-256, each folder, and each
store folder (whose database files change as Oxigraph opens them); it carries a checksum of
its own, so a marker made by hand or cut short is not taken for one. outdir reads it before it
replaces or removes anything, and writes it into every folder it makes (a staging folder, a
scratch folder, a complete build).
"""

from __future__ import annotations

import errno
import hashlib
import json
import json.encoder
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".cardf-build"
FORMAT = "cardf-build"
VERSION = 1
COMPLETE, STAGING, SCRATCH = "complete", "staging", "scratch"


@dataclass
class Listing:
    """What a marker says: the state of the folder and, for a complete build, what cardf wrote in it."""

    state: str
    files: dict[str, tuple[int, str]] = field(default_factory=dict)  # relative path → (size, sha256)
    folders: list[str] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)


def checksum(body: dict) -> str:
    """The marker's own checksum: a marker made by hand or cut short does not pass."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def marker_text(body: dict) -> str:
    """json.dumps(body and its checksum, sort_keys=True, ensure_ascii=False, indent=1), newline-ended; the files'
    listing written here, since json's indenting encoder is pure Python (seconds for a site of 300,000 files)."""
    doc = {**body, "check": checksum(body)}
    items = []
    for key in sorted(doc):
        value = doc[key]
        text = _files_text(value) if key == "files" else None
        if text is None:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).replace("\n", "\n ")
        items.append(f" {_string(key)}: {text}")
    return "{\n" + ",\n".join(items) + "\n}\n"


_string = json.encoder.encode_basestring  # json.dumps's own, for str with ensure_ascii=False


def _files_text(files) -> str | None:
    """The listing {path: [size, sha256]} as json.dumps indents it one level down; None for anything else."""
    if not isinstance(files, dict) or not files:
        return None
    lines = []
    for path in sorted(files):
        entry = files[path]
        if not (isinstance(path, str) and isinstance(entry, list) and len(entry) == 2 and type(entry[0]) is int
                and isinstance(entry[1], str)):
            return None
        lines.append(f"  {_string(path)}: [\n   {entry[0]},\n   {_string(entry[1])}\n  ]")
    return "{\n" + ",\n".join(lines) + "\n }"


def write_marker(folder: Path, listing: Listing) -> None:
    body = {"format": FORMAT, "version": VERSION, "state": listing.state}
    if listing.state == COMPLETE:
        body.update(files={k: list(v) for k, v in sorted(listing.files.items())}, folders=sorted(listing.folders),
                    stores=sorted(listing.stores))
    tmp = folder / (MARKER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(marker_text(body))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / MARKER)


def read_marker(folder: Path) -> Listing | None:
    """The marker's listing; None when it is missing, unreadable or not one cardf wrote."""
    try:
        st = os.lstat(folder / MARKER)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 64 << 20:
            return None
        doc = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        check = doc.pop("check")
        if checksum(doc) != check:
            return None
        if doc["format"] != FORMAT or doc["version"] != VERSION or doc["state"] not in (COMPLETE, STAGING, SCRATCH):
            return None
        if doc["state"] != COMPLETE:
            return Listing(doc["state"])
        files = {str(k): (int(v[0]), str(v[1])) for k, v in doc["files"].items()}
        folders, stores = [str(x) for x in doc["folders"]], [str(x) for x in doc["stores"]]
        if any(not safe_relative(p) for p in list(files) + folders + stores):
            return None
        return Listing(COMPLETE, files, folders, stores)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, UnicodeDecodeError):
        return None


def safe_relative(p: str) -> bool:
    parts = p.split("/")
    return bool(p) and not p.startswith("/") and all(x not in ("", ".", "..") for x in parts)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def list_written(folder: Path, known: dict[str, str], stores: tuple[str, ...]) -> Listing:
    """The listing of a folder cardf has just written (a staging folder): every file, hashed unless known."""
    listing = Listing(COMPLETE)
    for rel, st in walk(folder, set(stores)):
        if stat.S_ISDIR(st.st_mode):
            (listing.stores if rel in stores else listing.folders).append(rel)
        elif stat.S_ISREG(st.st_mode):
            listing.files[rel] = (st.st_size, known.get(rel) or sha256(folder / rel))
        else:
            raise OSError(errno.EINVAL, "the build wrote something that is neither a file nor a folder",
                          str(folder / rel))
    return listing


def walk(folder: Path, stores: set[str], rel: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, lstat) of everything below `folder` but its marker; never follows a link; the
    contents of store folders are not listed."""
    with os.scandir(folder / rel if rel else folder) as entries:
        found = sorted((e.name, e.stat(follow_symlinks=False)) for e in entries)
    for name, st in found:
        path = f"{rel}/{name}" if rel else name
        if path == MARKER:
            continue
        yield path, st
        if stat.S_ISDIR(st.st_mode) and path not in stores:
            yield from walk(folder, stores, path)
