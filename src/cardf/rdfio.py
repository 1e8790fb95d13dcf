"""Reading RDF files safely: format from the extension, located syntax errors, nothing fetched or blown up.

Every command that takes RDF from the user (validate, query --data, load, diff, stats, the
ontology tools) reads it here, so the rules are the same everywhere: pyoxigraph parses (fast,
and it never loads a remote JSON-LD context), and a failure names file, line, column.

Before pyoxigraph sees a file, the whole file is checked for what would make a small file cost
gigabytes or hours to read, because pyoxigraph guards against none of it:

- RDF/XML entity declarations (`<!ENTITY …>`): pyoxigraph expands internal entities, so a
  1 KB "billion laughs" takes all memory. Any declaration is refused, wherever it stands (the
  XML parser under pyoxigraph honours a DOCTYPE even inside the root element). External
  entities are refused by the same rule.
- Deep nesting: the JSON-LD parser crashes the process (a stack overflow) a few thousand
  levels down and needs memory in the square of the depth; the RDF/XML parser needs time in
  the square of the depth; the Turtle family (N-Triples and N-Quads too) crashes some twenty
  thousand RDF 1.2 triple terms (`<<( … )>>`) down. All are refused past `MAX_NESTING` levels.
  Blank node property lists and collections nest a million levels deep in linear time and
  need no limit.
- JSON-LD contexts applied over and over: every embedded context, and every use of a term
  with a scoped context, copies the active context, so a file of a few hundred kilobytes can
  keep the parser busy for hours. The work is estimated from the file and refused above
  `CONTEXT_WORK`.

The checks read the file in chunks, in bounded memory, at a fraction of the parser's time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from xml.parsers import expat

from pyoxigraph import QueryResultsFormat, Quad, RdfFormat, parse

from . import formats
from .errors import InputError, Problem

FORMATS = {f.name: f.rdf for f in formats.RDF_FORMATS}
EXTENSIONS = {e: f.name for f in formats.RDF_FORMATS for e in f.extensions}
FORMAT_NAMES = sorted(FORMATS)
SNIFF_BYTES = 4096
CHUNK_BYTES = 1 << 22
MAX_NESTING = 256  # levels of XML elements or JSON arrays and objects
CONTEXT_WORK = 25_000_000  # about two seconds of pyoxigraph's JSON-LD context processing
STDIN = Path("-")
STDIN_NAME = "<stdin>"

Source = Callable[[], Iterator[bytes]]  # the text again from its start, in chunks, each time it is called


def is_stdin(path: Path | str) -> bool:
    return str(path) == "-"


def format_of(path: Path, override: str | None = None) -> str:
    """The canonical name of the RDF syntax to read `path` in: `override` (any spelling), else its extension."""
    shown = STDIN_NAME if is_stdin(path) else path
    if override:
        found = formats.rdf_format(override)
        if found is None:
            raise InputError(problems=[Problem(f"unknown format `{override}`; expected one of: "
                                               f"{', '.join(FORMAT_NAMES)} (or ttl, nt, nq, a media type)", shown)])
        return found.name
    if is_stdin(path):
        return sniff(stdin_copy().read_bytes()[:SNIFF_BYTES])
    found = formats.of_extension(path.suffix)
    if found is None:
        raise InputError(problems=[Problem(
            f"cannot tell the RDF format from the extension `{path.suffix or '(none)'}`; use one of "
            f"{', '.join(sorted(EXTENSIONS))} or pass --input-format ({', '.join(FORMAT_NAMES)})", path)])
    return found.name


_NQUAD = re.compile(rb"""^(?:<[^>]*>|_:\S+)\s+<[^>]*>\s+(?:<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@\S+|\^\^<[^>]*>)?)"""
                    rb"""\s+(?:<[^>]*>|_:\S+)\s*\.\s*(?:\#.*)?$""")


def sniff(head: bytes) -> str:
    """The RDF syntax of text with no name to tell it by (standard input): JSON-LD, RDF/XML, N-Quads, else TriG.

    TriG reads Turtle and N-Triples too (their triples land in the default graph, as they would).
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "jsonld"
    if text.startswith((b"<?xml", b"<rdf:", b"<!")):
        return "rdfxml"
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(b"#"):
            return "nquads" if _NQUAD.match(line) else "trig"
    return "trig"


_STDIN_COPY: list[tuple[object, Path]] = []  # (the stream, its copy): one read per standard input


def stdin_copy() -> Path:
    """Standard input, read once into a private temporary file (removed at exit), so it can be read again.

    Keyed by the stream itself, so that a program (or a test) that runs several commands in one
    process, each with its own standard input, reads each one.
    """
    import sys

    if _STDIN_COPY and _STDIN_COPY[-1][0] is sys.stdin:
        return _STDIN_COPY[-1][1]
    import atexit
    import os
    import tempfile

    handle, name = tempfile.mkstemp(prefix="cardf-stdin-")
    with os.fdopen(handle, "wb") as fh:
        stream = getattr(sys.stdin, "buffer", None)
        fh.write(stream.read() if stream is not None else sys.stdin.read().encode("utf-8"))
    atexit.register(lambda: Path(name).unlink(missing_ok=True))
    _STDIN_COPY[:] = [(sys.stdin, Path(name))]
    return Path(name)


def _located(path: Path | str, message: str) -> Problem:
    """pyoxigraph reports 'Parser error at line L column C: why (file, line L)'; lift L and C out."""
    m = re.search(r"line (\d+) column (\d+)", message)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    why = message.split(": ", 1)[1] if ": " in message else message
    why = re.sub(r"\s*\([^()]*, line \d+\)$", "", why)
    return Problem(f"RDF syntax error: {why}", path, line, col)


@dataclass(frozen=True)
class RdfFile:
    """A file found safe to parse (see the module's docstring): where it is, how to show it, how to read it."""

    path: Path  # the file itself, or the private copy of standard input
    shown: Path | str  # the name in messages
    format: str  # canonical format name
    base_iri: str

    @property
    def rdf_format(self) -> RdfFormat:
        return FORMATS[self.format]

    def error(self, exc: Exception) -> InputError:
        """The message for the parser's error on this file: at its line and column when the parser says them."""
        if isinstance(exc, SyntaxError):
            return InputError(problems=[_located(self.shown, str(exc))])
        return InputError(problems=[Problem(f"cannot be read as {self.format}: {exc}", self.shown)])


def checked_file(path: Path, fmt: str | None = None, base_iri: str | None = None) -> RdfFile:
    """One RDF file (`-`: standard input), checked for everything but its syntax, ready for a parser."""
    name = format_of(path, fmt)
    shown: Path | str = path
    if is_stdin(path):
        path, shown = stdin_copy(), STDIN_NAME
        base_iri = base_iri or Path.cwd().as_uri() + "/"
    if not path.is_file():
        raise InputError(problems=[Problem("file not found" if not path.exists() else "is not a file", path)])
    _check_file(path, name, shown)
    return RdfFile(path, shown, name, base_iri or path.resolve().as_uri())


def read_quads(path: Path, fmt: str | None = None, base_iri: str | None = None) -> list[Quad]:
    """Parse one RDF file (`-`: standard input) into quads (triples land in the default graph)."""
    return parsed_quads(checked_file(path, fmt, base_iri))


def parsed_quads(file: RdfFile) -> list[Quad]:
    try:
        return list(parse(path=str(file.path), format=file.rdf_format, base_iri=file.base_iri))
    except (SyntaxError, ValueError, OSError) as exc:
        raise file.error(exc) from None


def hazard(data: bytes, fmt: RdfFormat | QueryResultsFormat) -> str | None:
    """Why `data` (RDF or SPARQL results from elsewhere, e.g. a server's answer) must not be parsed, or None."""
    check = _CHECKS.get(fmt)
    found = check(lambda: iter([data])) if check else None
    if found is None:
        return None
    why, where = found
    if isinstance(where, int):
        where = _position(iter([data]), where)
    return why + (f" (line {where[0]}, column {where[1]})" if where else "")


# ----------------------------------------------------------------------------- checks before parsing

class _Refused(Exception):
    def __init__(self, why: str, where: tuple[int, int] | int | None = None):
        super().__init__(why)
        self.why, self.where = why, where


ENTITY_MESSAGE = ("declares an XML entity (<!ENTITY …>); cardf never expands or fetches XML entities, which can "
                  "blow a few lines up to gigabytes: write the values out in full")


def _check_file(path: Path, fmt: str, shown: Path | str | None = None) -> None:
    """Refuse what would otherwise be fetched, expanded or take the parser without bound."""
    path_shown = path if shown is None else shown
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path_shown)]) from None
    if b"\x00" in head:
        raise InputError(problems=[Problem("is a binary file, not RDF text", path_shown)])
    check = _CHECKS[FORMATS[fmt]]
    try:
        found = check(lambda: _chunks(path))
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path_shown)]) from None
    if found is not None:
        why, where = found
        if isinstance(where, int):
            where = _position(_chunks(path), where)
        line, column = where if where else (None, None)
        raise InputError(problems=[Problem(why, path_shown, line, column)])


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            yield chunk


def _position(chunks: Iterable[bytes], offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of a byte offset."""
    line, last_line, seen = 1, b"", 0
    for chunk in chunks:
        piece = chunk[:max(0, offset - seen)]
        newlines = piece.count(b"\n")
        line += newlines
        last_line = piece[piece.rfind(b"\n") + 1:] if newlines else last_line + piece
        seen += len(chunk)
        if seen >= offset:
            break
    return line, len(last_line.decode("utf-8", "replace")) + 1


# ----------------------------------------------------------------------------- RDF/XML

_ENTITY = re.compile(rb"<!entity", re.IGNORECASE)


def _xml_hazard(source: Source) -> tuple[str, tuple[int, int] | int | None] | None:
    """Entity declarations anywhere, and elements nested too deep, found by a streaming XML parser (expat).

    The text scan for `<!ENTITY` comes first and covers what expat would not see as a
    declaration but pyoxigraph's parser might (one inside a comment of the DTD, one after the
    root element has started). A file expat cannot read is refused with expat's located
    reason, since past that point its depth count would mean nothing.
    """
    parser = expat.ParserCreate()
    depth = 0

    def start(name, attributes):
        nonlocal depth
        depth += 1
        if depth > MAX_NESTING:
            raise _Refused(f"nests XML elements more than {MAX_NESTING} levels deep, which cardf does not read "
                           "(the RDF/XML parser's time grows with the square of the depth)",
                           (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))

    def end(name):
        nonlocal depth
        depth -= 1

    def entity(*args):
        raise _Refused(ENTITY_MESSAGE, (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))

    parser.StartElementHandler, parser.EndElementHandler, parser.EntityDeclHandler = start, end, entity
    seen, tail = 0, b""
    try:
        for chunk in source():
            found = _ENTITY.search(tail + chunk)
            if found:
                return ENTITY_MESSAGE, seen - len(tail) + found.start()
            seen += len(chunk)
            tail = chunk[-7:]
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as exc:
        return exc.why, exc.where
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
            return None  # no element at all: pyoxigraph reads that as an empty graph
        return f"RDF syntax error: {expat.ErrorString(exc.code)}", (exc.lineno, exc.offset + 1)
    return None


# ----------------------------------------------------------------------------- JSON-LD

_STRING = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_BARE = re.compile(_STRING)
_BRACKET = re.compile(_STRING + rb"|[\[\]{}]")
_TOKEN = re.compile(_STRING + rb"|[\[\]{}:,]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_REMOTE_CONTEXT = re.compile(rb'"@context"\s*:\s*(\[[^\]]*)?"https?://')
SCOPED_COPY, SCOPED_TERM = 10, 20  # the cost of one use of a scoped context, against one embedded context


def _segments(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """The text in pieces that end at a line break, with their offsets.

    JSON strings cannot hold a raw line break (the parser stops at one), so every piece
    starts outside a string, and a string is never cut in two.
    """
    offset, rest = 0, b""
    for chunk in chunks:
        rest += chunk
        cut = rest.rfind(b"\n") + 1
        if cut:
            yield offset, rest[:cut]
            offset, rest = offset + cut, rest[cut:]
    if rest:
        yield offset, rest


def _jsonld_hazard(source: Source) -> tuple[str, int | None] | None:
    """Remote contexts, nesting too deep, and contexts that would be applied too often.

    The first pass runs at the speed of C (strings blanked out by one regex substitution,
    depth by an accumulated sum over the brackets); the context estimate, which needs a
    token-by-token walk, runs only for the rare file with more than one @context.
    """
    depth = contexts = 0
    for offset, text in _segments(source()):
        if _REMOTE_CONTEXT.search(text):
            return ("uses a remote JSON-LD @context; cardf never fetches remote contexts (they can change or leak "
                    "what you read). Inline the context in the file and try again"), None
        bare = _BARE.sub(b"", text)
        brackets = bare.translate(None, _NOT_BRACKETS)
        if brackets and max(accumulate(map(_STEP.__getitem__, brackets), initial=depth)) > MAX_NESTING:
            return (f"nests JSON more than {MAX_NESTING} levels deep, which cardf does not read (the parser "
                    "crashes a few thousand levels down)"), offset + _too_deep(text, depth)
        depth += brackets.count(b"[") + brackets.count(b"{") - brackets.count(b"]") - brackets.count(b"}")
        contexts += text.count(b'"@context"')  # or a string that holds it: then the walk below counts
    return _context_work(source) if contexts > 1 else None


def _too_deep(text: bytes, depth: int) -> int:
    """Where in `text` the nesting first goes past the limit."""
    for m in _BRACKET.finditer(text):
        if m.end() - m.start() == 1:
            depth += _STEP[text[m.start()]]
            if depth > MAX_NESTING:
                return m.start()
    return 0


def _context_work(source: Source) -> tuple[str, None] | None:
    """Estimate what applying the file's contexts costs, in units of one term copied once.

    Every context outside a context (embedded in a node) copies the active context once;
    every use of a term with a scoped context (as a key, or as a type) copies it again and
    processes the scoped context. The number of terms is bounded by the keys inside
    contexts, and the uses of a scoped term by the occurrences of its name.
    """
    terms = embedded = 0
    scoped: dict[bytes, int] = {}
    stack: list[tuple[bool, bytes | None]] = []  # per open array or object: a context's root?, its key
    open_contexts: list[bytes | None] = []  # per open context: the term it is scoped to (None: embedded)
    pending = after_colon = False
    key = last = None
    for _, text in _segments(source()):
        for m in _TOKEN.finditer(text):
            token = m.group()
            if token == b":":
                key = last
                if open_contexts:
                    terms += 1
                    if open_contexts[-1] is not None:
                        scoped[open_contexts[-1]] += 1
                pending, after_colon = key == b'"@context"', True
                continue
            if token in (b"[", b"{"):
                term = None
                if pending:
                    if open_contexts:
                        term = (stack[-1][1] if stack else None) or b'""'
                        scoped.setdefault(term, 0)
                    else:
                        embedded += 1
                    open_contexts.append(term)
                stack.append((pending, key if after_colon else None))
            elif token in (b"]", b"}") and stack:
                if stack.pop()[0]:
                    open_contexts.pop()
            elif token[0] == ord('"'):
                last = token
            pending = after_colon = False
    uses = dict.fromkeys(scoped, 0)
    if scoped:
        name = re.compile(b"|".join(re.escape(term) for term in sorted(scoped, key=len, reverse=True)))
        for _, text in _segments(source()):
            for found in name.findall(text):
                uses[found] += 1
    work = embedded * terms + sum(uses[t] * (SCOPED_COPY * terms + SCOPED_TERM * scoped[t]) for t in scoped)
    if work <= CONTEXT_WORK:
        return None
    applied = embedded + sum(uses.values())
    return (f"would apply its JSON-LD contexts ({terms:,} term definitions) {applied:,} times, more work than cardf "
            "takes on for one file (contexts in many nodes, or scoped contexts used often, can keep the parser busy "
            "for hours); expand the JSON-LD or convert it to N-Quads first"), None


# ----------------------------------------------------------------------------- the Turtle family

_TURTLE_SKIP = re.compile(rb"""
    \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
  | "(?:[^"\\\n\r]|\\.)*" | '(?:[^'\\\n\r]|\\.)*'
  | <[^<>"{}|^`\\\x00-\x20]*> | \#[^\n\r]*
""", re.VERBOSE)
_TRIPLE_TERM = re.compile(rb"<<|>>")


def _turtle_hazard(source: Source) -> tuple[str, int] | None:
    """RDF 1.2 triple terms (`<< … >>`, `<<( … )>>`) nested too deep.

    Most files hold no `<<` at all, and then a count settles it; otherwise the strings,
    IRIs and comments (where `<<` and `>>` mean nothing) are blanked out in place and the
    nesting counted.
    """
    opens, tail = 0, b""
    for chunk in source():
        opens += (tail + chunk).count(b"<<")
        tail = chunk[-1:]
    if opens <= MAX_NESTING:
        return None
    bare = _TURTLE_SKIP.sub(lambda m: b" " * len(m.group()), b"".join(source()))
    depth = 0
    for m in _TRIPLE_TERM.finditer(bare):
        depth += 1 if m.group() == b"<<" else -1
        if depth > MAX_NESTING:
            return (f"nests RDF triple terms (<< … >>) more than {MAX_NESTING} levels deep, which cardf does not "
                    "read (the parser crashes some thousands of levels down)"), m.start()
    return None


def _json_results_hazard(source: Source) -> tuple[str, int] | None:
    """SPARQL JSON results: only the nesting (of triple terms) matters."""
    found = _jsonld_hazard(source)
    return found if found and found[0].startswith("nests") else None


_CHECKS = {
    RdfFormat.RDF_XML: _xml_hazard, RdfFormat.JSON_LD: _jsonld_hazard,
    RdfFormat.TURTLE: _turtle_hazard, RdfFormat.TRIG: _turtle_hazard, RdfFormat.N_TRIPLES: _turtle_hazard,
    RdfFormat.N_QUADS: _turtle_hazard, RdfFormat.N3: _turtle_hazard,
    QueryResultsFormat.XML: _xml_hazard, QueryResultsFormat.JSON: _json_results_hazard,
    QueryResultsFormat.TSV: _turtle_hazard, QueryResultsFormat.CSV: lambda source: None,
}
