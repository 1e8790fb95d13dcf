"""Query parameters: values as the user writes them (`state:russia`, `2025-11-11`, `"Москва"@ru`) made RDF terms.

Parameters are bound as RDF terms, never pasted into the query text, so no value can change
what a query means (see cardf.query for the two ways of binding). A bare id as written in
the YAML (`vladimir-putin`) is kept as an `IdRef` until the data it is asked of says which
record it names (`Target.resolve`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from . import sparqltext
from .errors import InputError, Problem, UsageError
from .iris import XSD
from .querylib import Query

_XSD_STRING = XSD + "string"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class IdRef:
    """A bare id such as `vladimir-putin`: the record of that id, if the data has exactly one; else the string."""

    id: str


def where_brace(text: str) -> int | None:
    try:
        return sparqltext.where_brace(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# ----------------------------------------------------------------------------- RDF terms

_PN_PREFIX = r"(?:[A-Za-z][\w.-]*)?"
_PNAME = re.compile(rf"^({_PN_PREFIX}):((?:[\w.:%-]|\\[-_~.!$&'()*+,;=/?#@%])*)$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_LITERAL = re.compile(r"""^(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')(?:@([^\s^]+)|\^\^(\S+))?$""", re.S)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SHAPES = [  # a bare value that looks like one of these becomes a typed literal
    (re.compile(r"^[+-]?\d+$"), "integer"),
    (re.compile(r"^[+-]?\d*\.\d+$"), "decimal"),
    (re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$"), "double"),
    (re.compile(r"^-?\d{4,}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^-?\d{4,}-\d{2}$"), "gYearMonth"),
    (re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$"), "dateTime"),
    (re.compile(r"^(?:true|false)$"), "boolean"),
]


def _unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        s = m.group(0)
        if s[1] in "uU":
            return chr(int(s[2:], 16))
        if s[1] in _ECHAR:
            return _ECHAR[s[1]]
        raise ValueError(f"unknown escape `{s}`")
    return re.sub(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", one, body, flags=re.S)


def _iri(value: str, prefixes: dict[str, str]) -> NamedNode:
    if value.startswith("<") and value.endswith(">"):
        try:
            return NamedNode(value[1:-1])
        except ValueError as exc:
            raise ValueError(f"{value} is not an IRI: {exc}") from None
    m = _PNAME.match(value)
    if not m or m.group(1) not in prefixes:
        prefix = value.split(":", 1)[0]
        raise ValueError(f"unknown prefix `{prefix}:`; write the IRI in full as <…>")
    return NamedNode(prefixes[m.group(1)] + re.sub(r"\\(.)", r"\1", m.group(2)))


def parse_term(value: str, prefixes: dict[str, str]) -> Term:
    """A parameter value written the way SPARQL writes terms; anything else is a plain string.

    `<https://…>` and `state:russia` are IRIs, `"Москва"@ru` a language-tagged string,
    `"4.1"^^xsd:decimal` a typed literal, `2025-11-11` a date, `2025-11` a year and month,
    `42` an integer, `4.1` a decimal, `true` a boolean. Quote a value to keep it a string;
    whatever is none of these (including text that merely starts with a quote) is a plain
    string. Raises ValueError with a reason.
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return _iri(text, prefixes)
    m = _LITERAL.match(text)
    if m:
        body = _unescape(m.group(1) if m.group(1) is not None else m.group(2))
        if m.group(3):
            if not _LANG.match(m.group(3)):
                raise ValueError(f"`{m.group(3)}` is not a language tag such as ru or en")
            return Literal(body, language=m.group(3).lower())
        if m.group(4):
            return Literal(body, datatype=_iri(m.group(4), prefixes))
        return Literal(body)
    if text.startswith("_:"):
        raise ValueError("a blank node cannot be a parameter: it names nothing outside its own graph")
    for shape, datatype in _SHAPES:
        if shape.match(text):
            return Literal(text, datatype=NamedNode(XSD + datatype))
    if _PNAME.match(text):
        return _iri(text, prefixes)
    return Literal(value)


def sparql_term(term: Term) -> str:
    """A term as SPARQL text, escaped so that it can only ever be that one term."""
    if isinstance(term, NamedNode):
        NamedNode(term.value)  # pyoxigraph refuses IRIs with spaces, <, >, ", {, }, |, ^, ` or \
        return f"<{term.value}>"
    if isinstance(term, Literal):
        body = (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            if not _LANG.match(term.language):
                raise ValueError(f"invalid language tag {term.language!r}")
            return f'"{body}"@{term.language}'
        if term.datatype.value == _XSD_STRING:
            return f'"{body}"'
        return f'"{body}"^^{sparql_term(term.datatype)}'
    raise ValueError(f"cannot bind {term!r} as a parameter")


def bind_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with a VALUES block for the bindings first in its outermost WHERE group."""
    if not bindings:
        return text
    at = where_brace(text)
    if at is None:
        raise UsageError("the query has no WHERE group to bind parameters in")
    names = " ".join(f"?{n}" for n in bindings)
    row = " ".join(sparql_term(t) for t in bindings.values())
    return f"{text[:at + 1]} VALUES ({names}) {{ ({row}) }}{text[at + 1:]}"


def bindings_for(query: Query, given: list[str]) -> dict[str, Term | IdRef]:
    """The header's defaults, overridden by `--param name=value`, as RDF terms (a bare id: an IdRef)."""
    prefixes = query.prefixes()
    out: dict[str, Term] = {}
    for p in query.params.values():
        try:
            out[p.name] = parse_term(p.default, prefixes)
        except ValueError as exc:
            raise InputError(problems=[Problem(f"default of parameter `{p.name}`: {exc}", query.origin, p.line,
                                               field="header")]) from None
    for item in given:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.match(r"^[A-Za-z_]\w*$", name):
            raise UsageError(f"--param {item!r}: write --param name=value")
        if name not in query.params and not sparqltext.has_variable(query.text, name):
            known = ", ".join(query.params) or "none"
            raise UsageError(f"--param {name}: the query has no variable ?{name} (its parameters: {known})")
        try:
            term = parse_term(value, prefixes)
        except ValueError as exc:
            raise UsageError(f"--param {name}={value}: {exc}") from None
        plain = isinstance(term, Literal) and not term.language and term.datatype.value == _XSD_STRING
        out[name] = IdRef(value.strip()) if plain and _ID.match(value.strip()) else term
    return out

