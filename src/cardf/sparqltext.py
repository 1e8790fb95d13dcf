"""SPARQL text as cardf reads it: its tokens, its prefixes, its form and dataset, and what it must not do.

One module for every place that reads SPARQL text (query, quality, the validator), so that
strings, comments and IRIs are told apart in one way only. The text is cut into tokens by
the terminals of the SPARQL 1.1 grammar, left to right, the way a parser's lexer cuts it: a
`#` inside an IRI, a string or a prefixed name's escape (`ex:a\\#`) is part of that token and
never starts a comment. Searching the text with a regular expression that skips "opaque"
spans is not the same thing (it can start a comment in the middle of a token), and is not
done here.

Whether a query calls a SERVICE is decided by two readings, either of which is enough to
refuse it: rdflib's SPARQL parser (a parse tree with a ServiceGraphPattern) and the tokens,
read both as written and with `\\u` escapes expanded (SPARQL 1.1 allows them anywhere; rdflib
expands them, Oxigraph only in strings and IRIs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_PN_CHARS_BASE = r"[^\W\d_]"
_PN_CHARS_U = r"[^\W\d]"
_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_PN_PREFIX = rf"{_PN_CHARS_BASE}(?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:{_PN_CHARS_U}|:|[0-9]|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?"

_TOKEN = re.compile(rf"""
    (?P<space>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
             |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<bnode>_:[\w\-.]*[\w\-])
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.\d*[eE][+-]?\d+|\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[\s\S])
""", re.X)

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATES = ("LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, iri, string, var, pname, bnode, lang, number, word, punct
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def keyword(self) -> str:
        """The word in upper case ('' for anything that is not a bare word)."""
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str, code_only: bool = True) -> list[Token]:
    """The text's tokens in order; without whitespace and comments unless `code_only` is False."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if code_only and kind in ("space", "comment"):
            continue
        out.append(Token(kind, m.group(0), m.start()))
    return out


def masked(text: str, iris: bool = True) -> str:
    """The text with comments, strings (and IRIs) blanked out: same length, newlines kept.

    For keyword and brace searches that must not be misled by what a string or IRI says.
    """
    blank = ("comment", "string", "iri") if iris else ("comment", "string")
    parts = []
    for t in tokens(text, code_only=False):
        parts.append(re.sub(r"[^\n]", " ", t.text) if t.kind in blank else t.text)
    return "".join(parts)


def expand_escapes(text: str) -> str:
    """`\\uXXXX` and `\\UXXXXXXXX` written as the characters they stand for (SPARQL 1.1, 19.2)."""
    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)
    return _UNICODE_ESCAPE.sub(one, text)


# ----------------------------------------------------------------------------- the prologue

@dataclass
class Prologue:
    base: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    end: int = 0  # index of the first token after the prologue


def prologue(toks: list[Token]) -> Prologue:
    """BASE and PREFIX declarations at the start of a query or update."""
    out = Prologue()
    i = 0
    while i < len(toks):
        word = toks[i].keyword()
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            out.base = _resolve(toks[i + 1].text[1:-1], out.base)
            i += 2
        elif (word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname"
              and toks[i + 1].text.endswith(":") and toks[i + 2].kind == "iri"):
            out.prefixes[toks[i + 1].text[:-1]] = _resolve(toks[i + 2].text[1:-1], out.base)
            i += 3
        else:
            break
    out.end = i
    return out


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) else iri


def declared_prefixes(text: str) -> dict[str, str]:
    """The prefixes the text declares itself (PREFIX lines of its prologue), by name."""
    return prologue(tokens(text)).prefixes


def add_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """The text with a PREFIX line for each of `prefixes` that it uses without declaring it."""
    declared = declared_prefixes(text)
    used = {t.text.split(":", 1)[0] for t in tokens(text) if t.kind == "pname"}
    lines = [f"PREFIX {name}: <{ns}>" for name, ns in prefixes.items() if name not in declared and name in used]
    return "\n".join(lines + [text]) if lines else text


def iri_of(token: Token, prefixes: dict[str, str], base: str | None = None) -> str | None:
    """The IRI an `<iri>` or `prefix:local` token names; None for an undeclared prefix or another token."""
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def iris_in(text: str, prefixes: dict[str, str] | None = None) -> list[tuple[str, int]]:
    """Every IRI the text names (full IRIs and prefixed names with a declared prefix), with its line."""
    toks = tokens(text)
    known = {**(prefixes or {}), **prologue(toks).prefixes}
    out = []
    for t in toks:
        if t.kind == "pname":
            prefix, _, local = t.text.partition(":")
            local = local.rstrip(".")
            if not local or prefix not in known:
                continue
            iri = known[prefix] + re.sub(r"\\(.)", r"\1", local)
        elif t.kind == "iri":
            iri = t.text[1:-1]
        else:
            continue
        out.append((iri, text.count("\n", 0, t.start) + 1))
    return out


# ----------------------------------------------------------------------------- what kind of text this is

def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK; '' when the text has none of them."""
    for t in tokens(text):
        if t.keyword() in FORMS:
            return t.keyword()
    return ""


def update_operation(text: str) -> str:
    """The update operation the text starts with (INSERT, LOAD, DROP, …), or '' for anything else."""
    toks = tokens(text)
    after = prologue(toks).end
    word = toks[after].keyword() if after < len(toks) else ""
    return word if word in UPDATES else ""


def has_variable(text: str, name: str) -> bool:
    return any(t.kind == "var" and t.text[1:] == name for t in tokens(text))


def outer_variables(text: str) -> set[str]:
    """The variables the query uses outside its sub-SELECTs (where a VALUES block in its WHERE group reaches)."""
    toks = tokens(text)
    opened: list[bool] = []  # per open brace: does it open a sub-SELECT?
    inside = 0
    found = set()
    for i, t in enumerate(toks):
        if t.kind == "punct" and t.text == "{":
            sub = i + 1 < len(toks) and toks[i + 1].keyword() == "SELECT"
            opened.append(sub)
            inside += sub
        elif t.kind == "punct" and t.text == "}":
            if opened:
                inside -= opened.pop()
        elif t.kind == "var" and not inside:
            found.add(t.text[1:])
    return found


def where_brace(text: str) -> int | None:
    """Index of the `{` that opens the query's outermost WHERE group, or None when there is none.

    Raises ValueError for the short form `CONSTRUCT WHERE { … }`, whose group is also its template.
    """
    toks = tokens(text)
    form_at = next((i for i, t in enumerate(toks) if t.keyword() in FORMS), None)
    if form_at is None:
        return None
    form = toks[form_at].keyword()
    depth = parens = 0
    saw_where = False
    for i in range(form_at + 1, len(toks)):
        t = toks[i]
        if t.text == "(" and t.kind == "punct":
            parens += 1
        elif t.text == ")" and t.kind == "punct":
            parens -= 1
        elif t.text == "{" and t.kind == "punct":
            if depth == 0 and parens == 0 and (saw_where or form != "CONSTRUCT"):
                return t.start
            depth += 1
        elif t.text == "}" and t.kind == "punct":
            depth -= 1
        elif t.keyword() == "WHERE" and depth == 0 and parens == 0:
            if form == "CONSTRUCT" and i == form_at + 1:
                raise ValueError("parameters cannot be bound in the short form `CONSTRUCT WHERE { … }`; "
                                 "write `CONSTRUCT { … } WHERE { … }`")
            saw_where = True
    return None


def has_dataset(text: str) -> bool:
    """True when the query names its graphs with FROM or FROM NAMED.

    FROM stands only in a query's dataset clause (a sub-query has none), so the tokens tell.
    """
    return any(t.keyword() == "FROM" for t in tokens(text))


# ----------------------------------------------------------------------------- SERVICE

def calls_service(text: str, parse: bool = True) -> bool:
    """True when the query may call a remote SERVICE, by the tokens or (unless `parse` is False) the parse tree.

    The tokens take linear time; rdflib's parser (pyparsing) takes tenths of a second on an
    ordinary query and can take far longer on a contrived one, so a caller with a deadline
    may read the tokens first and the parse tree where the deadline applies.
    """
    for version in dict.fromkeys((text, expand_escapes(text))):
        if any(t.keyword() == "SERVICE" for t in tokens(version)):
            return True
    return parse and not surely_no_service(text) and parsed_service(text) is True


def surely_no_service(text: str) -> bool:
    """True when no parser can read a SERVICE keyword in the text: the word is nowhere in it, in any case.

    Keywords match without regard to case (pyparsing compares `slice.upper()`, and `ı` or `ſ`
    upper-case to I and S), and `\\u` escapes may spell them; upper-casing the whole text, as
    written and with escapes expanded, finds every such spelling and more. Then rdflib's parse
    (and its 0.45 s import) is not needed: every query the library ships passes this test.
    """
    return all("SERVICE" not in version.upper() for version in (text, expand_escapes(text)))


def parsed_service(text: str) -> bool | None:
    """Whether rdflib's SPARQL parser finds a SERVICE graph pattern; None when it cannot read the query."""
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        tree = parseQuery(text)
    except Exception:  # noqa: BLE001 — pyparsing's errors, recursion limits, bad escapes: no reading
        return None
    return _has_service(tree)


def _has_service(node) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    pending = [node]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            pending.extend(node)
    return False
