"""Reading RDF files safely: format from the extension, located syntax errors, nothing fetched.

Every command that takes RDF from the user (validate, query --data, load, diff) reads it
here, so the rules are the same everywhere: pyoxigraph parses (fast, and it never loads a
remote JSON-LD context or an external XML entity), and a failure names file, line, column.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse

from .errors import InputError, Problem

FORMATS = {
    "turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML, "n3": RdfFormat.N3,
}
EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".ntriples": "ntriples", ".nq": "nquads",
    ".nquads": "nquads", ".trig": "trig", ".jsonld": "jsonld", ".json-ld": "jsonld", ".json": "jsonld",
    ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml", ".n3": "n3",
}
FORMAT_NAMES = sorted(FORMATS)
SNIFF_BYTES = 4096


def format_of(path: Path, override: str | None = None) -> str:
    if override:
        if override not in FORMATS:
            raise InputError(problems=[Problem(f"unknown format `{override}`; expected one of: "
                                               f"{', '.join(FORMAT_NAMES)}", path)])
        return override
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        raise InputError(problems=[Problem(
            f"cannot tell the RDF format from the extension `{path.suffix or '(none)'}`; use one of "
            f"{', '.join(sorted(EXTENSIONS))} or pass --input-format ({', '.join(FORMAT_NAMES)})", path)])
    return name


def _located(path: Path, message: str) -> Problem:
    """pyoxigraph reports 'Parser error at line L column C: why (file, line L)'; lift L and C out."""
    m = re.search(r"line (\d+) column (\d+)", message)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    why = message.split(": ", 1)[1] if ": " in message else message
    why = re.sub(r"\s*\([^()]*, line \d+\)$", "", why)
    return Problem(f"RDF syntax error: {why}", path, line, col)


def _sniff(path: Path, fmt: str) -> None:
    """Refuse what would otherwise be fetched or expanded: remote contexts and XML entities."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path)]) from None
    if b"\x00" in head:
        raise InputError(problems=[Problem("is a binary file, not RDF text", path)])
    if fmt == "rdfxml" and re.search(rb"<!ENTITY[^>]*(SYSTEM|PUBLIC)", head):
        raise InputError(problems=[Problem(
            "declares an external XML entity; cardf never resolves external entities, so the file is refused", path)])
    if fmt == "jsonld":
        text = path.read_bytes() if path.stat().st_size < 50_000_000 else head
        if re.search(rb'"@context"\s*:\s*(\[[^\]]*)?"https?://', text):
            raise InputError(problems=[Problem(
                "uses a remote JSON-LD @context; cardf never fetches remote contexts (they can change or leak "
                "what you read). Inline the context in the file and try again", path)])


def read_quads(path: Path, fmt: str | None = None, base_iri: str | None = None) -> list[Quad]:
    """Parse one RDF file into quads (triples land in the default graph)."""
    name = format_of(path, fmt)
    if not path.is_file():
        raise InputError(problems=[Problem("file not found" if not path.exists() else "is not a file", path)])
    _sniff(path, name)
    try:
        return list(parse(path=str(path), format=FORMATS[name], base_iri=base_iri or path.resolve().as_uri()))
    except SyntaxError as exc:
        raise InputError(problems=[_located(path, str(exc))]) from None
    except (ValueError, OSError) as exc:
        raise InputError(problems=[Problem(f"cannot be read as {name}: {exc}", path)]) from None
