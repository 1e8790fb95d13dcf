"""The text of N-Triples, N-Quads, Turtle and TriG, a subject or a graph at a time.

A corpus is written in blocks — each subject's lines, each graph's block — made where the
article is mapped and kept from one build to the next, so that cardf's own layout of the
files is what this module writes, by construction: the files are the blocks joined. The
layout is pyoxigraph's (tests/test_export_turtle.py compares the two on every corpus and on
generated terms), so `cardf.ttl` reads exactly as pyoxigraph would write it whole; the text
of each term is pyoxigraph's own (`str()` of its terms), and prefixed names follow its rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from ..iris import RDF, XSD

RDF_TYPE = RDF + "type"
PLAIN_DATATYPES = {XSD + "string", RDF + "langString"}
_DUMMY = Triple(NamedNode("urn:cardf:s"), NamedNode("urn:cardf:p"), NamedNode("urn:cardf:o"))


def _bare(datatype: str, value: str) -> bool:
    """Turtle's short forms of booleans, integers, decimals and doubles (as pyoxigraph writes them)."""
    if datatype == XSD + "boolean":
        return value in ("true", "false")
    digits = value[1:] if value[:1] in "+-" else value
    if datatype == XSD + "integer":
        return digits.isascii() and digits.isdigit()
    if datatype == XSD + "decimal":
        whole, dot, fraction = digits.partition(".")
        return bool(dot) and (not whole or (whole.isascii() and whole.isdigit())) and \
            fraction.isascii() and fraction.isdigit()
    if datatype == XSD + "double":
        mantissa, e, exponent = digits.replace("E", "e").partition("e")
        if not e:
            return False
        exponent = exponent[1:] if exponent[:1] in "+-" else exponent
        whole, _, fraction = mantissa.partition(".")
        return (bool(whole) or bool(fraction)) and all(p == "" or (p.isascii() and p.isdigit())
                                                      for p in (whole, fraction)) and \
            exponent.isascii() and exponent.isdigit()
    return False


def _pn_chars_u(c: str) -> bool:
    o = ord(c)
    return ("A" <= c <= "Z" or "a" <= c <= "z" or c == "_" or 0xC0 <= o <= 0xD6 or 0xD8 <= o <= 0xF6
            or 0xF8 <= o <= 0x2FF or 0x370 <= o <= 0x37D or 0x37F <= o <= 0x1FFF or 0x200C <= o <= 0x200D
            or 0x2070 <= o <= 0x218F or 0x2C00 <= o <= 0x2FEF or 0x3001 <= o <= 0xD7FF or 0xF900 <= o <= 0xFDCF
            or 0xFDF0 <= o <= 0xFFFD or 0x10000 <= o <= 0xEFFFF)


def _pn_chars(c: str) -> bool:
    o = ord(c)
    return _pn_chars_u(c) or c == "-" or "0" <= c <= "9" or o == 0xB7 or 0x300 <= o <= 0x36F or 0x203F <= o <= 0x2040


_ESCAPABLE = frozenset("_~.-!$&'()*+,;=/?#@%")


_SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_:-])?\Z")


def local_name(value: str) -> str | None:
    """A prefixed name's local part, escaped as Turtle allows, or None when it cannot be written so."""
    if _SIMPLE_LOCAL.match(value):  # the common case: nothing to escape
        return value
    out = []
    last = len(value) - 1
    for i, c in enumerate(value):
        if i == 0:
            plain = _pn_chars_u(c) or c == ":" or "0" <= c <= "9"
        else:
            plain = _pn_chars(c) or c == ":" or (c == "." and i < last)
        if plain:
            out.append(c)
        elif c in _ESCAPABLE:
            out.append("\\" + c)
        else:
            return None
    return "".join(out) if out else None


class TermText:
    """Terms as Turtle writes them with these prefixes, and which prefixes a piece of data uses.

    pyoxigraph tries the namespaces longest first and takes the first whose local part can be
    written; `used` follows the longest namespace of every IRI (rdf:type and xsd datatypes
    included even where the text writes `a` or a bare number), which is the header cardf has
    always written.
    """

    def __init__(self, prefixes: dict[str, str]):
        self.ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.by_namespace = {ns: name for name, ns in reversed(self.ordered)}
        self.simple = all(ns.endswith(("/", "#")) for ns in self.by_namespace)
        self._text: dict[str, tuple[str, str | None]] = {}

    def _matches(self, iri: str):
        """(name, namespace) of the namespaces the IRI starts with, longest first."""
        if not self.simple:
            yield from ((name, ns) for name, ns in self.ordered if iri.startswith(ns))
            return
        end = len(iri)  # each candidate namespace ends at one of the IRI's '/' or '#'
        while True:
            cut = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
            if cut < 0:
                return
            name = self.by_namespace.get(iri[:cut + 1])
            if name is not None:
                yield name, iri[:cut + 1]
            end = cut

    def _lookup(self, iri: str) -> tuple[str, str | None]:
        found = self._text.get(iri)
        if found is None:
            text, longest = None, None
            for name, ns in self._matches(iri):
                if longest is None:
                    longest = name
                local = iri[len(ns):]
                escaped = local_name(local) if local else ""
                if escaped is not None:
                    text = f"{name}:{escaped}"
                    break
            found = (text or f"<{iri}>", longest)
            if len(self._text) < 2_000_000:
                self._text[iri] = found
        return found

    def iri(self, iri: str) -> str:
        return self._lookup(iri)[0]

    def prefix_of(self, iri: str) -> str | None:
        """The name of the longest namespace the IRI starts with."""
        return self._lookup(iri)[1]

    def node(self, term) -> str:
        return self._lookup(term.value)[0] if isinstance(term, NamedNode) else str(term)

    def object(self, term) -> str:
        if isinstance(term, Literal):
            datatype = term.datatype.value
            if datatype in PLAIN_DATATYPES:
                return str(term)
            if _bare(datatype, term.value):
                return term.value
            return f"{Literal(term.value)}^^{self.iri(datatype)}"
        return self.node(term)

    def predicate(self, iri: str) -> str:
        return "a" if iri == RDF_TYPE else self._lookup(iri)[0]

    def used(self, triples: Iterable[Triple], used: set[str]) -> None:
        """Add the prefixes these triples use to `used`."""
        for t in triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, NamedNode):
                    name = self._lookup(term.value)[1]
                elif isinstance(term, Literal):
                    name = self._lookup(term.datatype.value)[1]
                else:
                    continue
                if name is not None:
                    used.add(name)


def turtle_subject(triples: list[Triple], text: TermText) -> str:
    """One subject's block of a Turtle file: its triples, sorted by predicate and object, to ` .`."""
    out = [text.node(triples[0].subject)]
    predicate = None
    for t in triples:
        p = t.predicate.value
        if p == predicate:
            out.append(" , ")
        else:
            out.append(" " if predicate is None else " ;\n\t")
            out.append(text.predicate(p))
            out.append(" ")
            predicate = p
        out.append(text.object(t.object))
    out.append(" .\n")
    return "".join(out)


def trig_subject(block: str) -> str:
    """A Turtle subject block as it stands inside a TriG graph block: every line indented once more."""
    return "\t" + block[:-1].replace("\n", "\n\t") + "\n"


def trig_graph(graph: NamedNode, blocks: Iterable[str], text: TermText) -> str:
    """One graph's block of a TriG file, from its subjects' Turtle blocks."""
    body = "".join(trig_subject(b) for b in blocks)
    return f"{text.node(graph)} {{\n{body}}}\n" if body else ""


def nt_lines(triples: Iterable[Triple]) -> str:
    return "".join(f"{t} .\n" for t in triples)


def nq_lines(triples: Iterable[Triple], graph: NamedNode) -> str:
    g = str(graph)
    return "".join(f"{t} {g} .\n" for t in triples)


def header(used: dict[str, str], fmt: str = "ttl") -> bytes:
    """The @prefix lines of a Turtle or TriG file declaring these prefixes, as pyoxigraph orders them."""
    if not used:
        return b""
    if fmt == "ttl":
        text = serialize([_DUMMY], format=RdfFormat.TURTLE, prefixes=used)
    else:
        text = serialize([Quad(_DUMMY.subject, _DUMMY.predicate, _DUMMY.object, NamedNode("urn:cardf:g"))],
                         format=RdfFormat.TRIG, prefixes=used)
    return b"".join(line for line in text.splitlines(keepends=True) if line.startswith(b"@prefix "))

