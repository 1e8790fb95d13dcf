"""SPARQL text for the compiled shapes: terms, patterns, and rewrites that help Oxigraph plan."""

from __future__ import annotations

import re

import rdflib
from pyoxigraph import Store

from ..iris import RDF, XSD

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RESTRICT = "\x00R\x00"  # where a VALUES clause limits a query to some focus nodes (or nothing, for all)


class Unsupported(Exception):
    """A shape or query outside the compiled subset."""


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def sparql_term(term) -> str | None:
    """An rdflib term as SPARQL text; None for a blank node, which SPARQL cannot name."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        text = f'"{escape(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    return None


_PLAIN_ESCAPES = frozenset(".^$*+?()[]{}|\\/-nt")


def _escape(e: str, in_class: bool) -> str | None:
    """`\\e` as Oxigraph should read it, inside a character class or not; None when the engines may differ."""
    if e in _PLAIN_ESCAPES:
        return "\\" + e
    if e == "d":
        return "\\d"
    if e == "s":  # Python's \s also takes in U+001C–U+001F
        return "\\s\u001c-\u001f" if in_class else "[\\s\u001c-\u001f]"
    return None


def translate_pattern(pattern: str, flags: str) -> str | None:
    """A Python regular expression as one that Oxigraph's REGEX reads the same way, or None.

    pySHACL matches sh:pattern with Python's `re.search`; only a subset where the two engines
    agree is translated (`$` becomes `\\n?$`, as Python's `$` also matches before a final newline,
    and `\\s` also takes in U+001C–U+001F, which Python counts as space). The rest is checked in
    Python.
    """
    if "m" in flags:
        return None
    out = []
    i, n, depth = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            escaped = _escape(pattern[i + 1], in_class=False)
            if escaped is None:
                return None
            out.append(escaped)
            i += 2
        elif c == "[":
            j, cls = i + 1, ["["]
            if j < n and pattern[j] == "^":
                cls.append("^")
                j += 1
            if j < n and pattern[j] == "]":
                return None
            while j < n and pattern[j] != "]":
                ch = pattern[j]
                if ch == "[" or pattern.startswith(("&&", "--", "~~"), j):
                    return None
                if ch == "\\":
                    if j + 1 >= n:
                        return None
                    escaped = _escape(pattern[j + 1], in_class=True)
                    if escaped is None:
                        return None
                    cls.append(escaped)
                    j += 2
                    continue
                cls.append(ch)
                j += 1
            if j >= n:
                return None
            out.append("".join(cls) + "]")
            i = j + 1
        elif c == "(":
            if pattern.startswith("(?", i):
                if not pattern.startswith("(?:", i):
                    return None
                out.append("(?:")
                i += 3
            else:
                out.append("(")
                i += 1
            depth += 1
        elif c == ")":
            depth -= 1
            out.append(")")
            i += 1
        elif c == "{":
            m = re.match(r"\{[0-9]+(,[0-9]*)?\}", pattern[i:])
            if not m:
                return None
            out.append(m.group(0))
            i += len(m.group(0))
        elif c == "}":
            return None
        elif c == "$":
            if not (i == n - 1 or (pattern[i + 1] == "|" and depth == 0)):
                return None
            out.append("\\n?$")
            i += 1
        else:
            out.append(c)
            i += 1
    if depth != 0:
        return None
    return "".join(out)


def parse_select(text: str):
    """rdflib's parse tree of an sh:select query (pyparsing: slow, so each query is parsed once)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)
    except Exception as exc:
        raise Unsupported(f"sh:select does not parse: {exc}") from None


def check_select(text: str, tree=None) -> bool:
    """Refuse the SPARQL a join cannot bind like pre-binding does; return whether $this is projected.

    `tree` is the query's parse tree (parse_select), which this translates in place: read it
    for anything else first.
    """
    from rdflib.plugins.sparql.algebra import translateQuery

    if tree is None:
        tree = parse_select(text)
    try:
        algebra = translateQuery(tree).algebra
    except Exception as exc:  # noqa: BLE001 — whatever rdflib cannot translate is outside the subset
        raise Unsupported(f"sh:select does not parse: {exc}") from None
    if algebra.name != "SelectQuery":
        raise Unsupported("sh:select is not a SELECT query")
    if re.search(r"\bGRAPH\b|\bSERVICE\b|\bMINUS\b", strip_strings(text), re.I):
        raise Unsupported("GRAPH, SERVICE or MINUS in sh:select")
    selects = len(re.findall(r"\bSELECT\b", strip_strings(text), re.I))
    if selects != 1:
        raise Unsupported("a sub-query in sh:select")

    def walk(node, top=True):
        name = getattr(node, "name", None)
        if name in ("Slice",):
            raise Unsupported("LIMIT or OFFSET in sh:select")
        if name == "Group":
            grouped = node.get("expr") or []
            if not any(str(e) == "this" for e in grouped):
                raise Unsupported("aggregates not grouped by $this")
        if name == "AggregateJoin":
            group = node.get("p")
            if getattr(group, "name", None) != "Group":
                raise Unsupported("aggregates not grouped by $this")
        if hasattr(node, "items"):
            for _, child in node.items():
                walk(child, False)
        elif isinstance(node, list):
            for child in node:
                walk(child, False)

    walk(algebra)
    projected = [str(v) for v in (algebra.get("PV") or [])]
    star = re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", strip_strings(text), re.I) is not None
    return star or "this" in projected


def sorted_prefixes(text: str) -> str:
    """pySHACL writes the PREFIX lines in no fixed order: sort them, so that the text is the same every run."""
    lines = text.split("\n")
    head = sorted(line for line in lines if line.startswith("PREFIX "))
    return "\n".join(head + [line for line in lines if not line.startswith("PREFIX ")])


def strip_strings(text: str) -> str:
    """The query text with string literals, IRIs and comments blanked, for keyword searches."""
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    text = re.sub(r"<[^<>\s{}|^`\"]*>", "<>", text)
    return re.sub(r"#[^\n]*", "", text)


def bind_this(text: str, focus: str, projects_this: bool) -> str:
    """Open the WHERE clause with a sub-query binding ?this to the focus nodes; project ?this."""
    masked = mask(text)
    select = re.search(r"\bSELECT\b", masked, re.I)
    depth, brace = 0, None
    for i in range(select.end(), len(masked)):
        c = masked[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            brace = i
            break
    if brace is None:
        raise Unsupported("no WHERE clause found")
    head, body = text[:brace + 1], text[brace + 1:]
    binding = f" {{ SELECT DISTINCT ?this WHERE {{ {RESTRICT} {focus} }} }}\n{BGP_MARK}\n"
    if not projects_this:
        m = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", re.I).search(masked, select.start())
        head = head[:m.end()] + "?this " + head[m.end():]
    return head + binding + body


BGP_MARK = "#cardf-bgp"


def parse_bgp(body: str) -> list[list[str]] | None:
    """Triple patterns (subject, predicate, object tokens) of a text that holds nothing else."""
    tokens = _TRIPLE_TOKEN.findall(body.strip())
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", body):
        return None
    triples, current = [], []
    for tok in tokens:
        if tok in (".", ";", ","):
            if len(current) != 3:
                return None
            triples.append(current)
            current = [] if tok == "." else current[:1] if tok == ";" else current[:2]
        else:
            current.append(tok)
            if len(current) > 3:
                return None
    if current:
        if len(current) != 3:
            return None
        triples.append(current)
    return triples


class PredicateStats:
    """Triples and distinct objects per predicate, asked of the store when a join order needs them."""

    def __init__(self, store: Store):
        self.store = store
        self.known: dict[str, tuple[int, int]] = {}

    def fanout(self, predicate: str) -> float:
        """Triples per distinct object: how many subjects a lookup by object finds."""
        if predicate not in self.known:
            row = next(iter(self.store.query(
                f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?d) WHERE {{ ?s <{predicate}> ?o }}",
                use_default_graph_as_union=True)))
            self.known[predicate] = (int(row[0].value), max(1, int(row[1].value)))
        n, d = self.known[predicate]
        return n / d


def order_bgp(query: str, stats: PredicateStats) -> str:
    """Put the triple patterns that open the WHERE clause in an order that keeps joins small.

    Oxigraph orders a basic graph pattern by how many positions are bound, ties in text order;
    `?other cardf:footnoteNumber ?value` then comes before `?other cardf:reportedIn ?article`,
    and every source with footnote 1 meets every other. Here a pattern reached from a bound
    subject goes first, then the one whose bound object finds fewest subjects (from the data's
    statistics). The text is only reordered when it is plain triple patterns.
    """
    mark = query.find(BGP_MARK)
    if mark < 0:
        return query
    start = mark + len(BGP_MARK)
    masked = mask(query)
    stop = re.search(r"[{}]|\b(FILTER|OPTIONAL|BIND|VALUES|UNION|GRAPH|SERVICE|MINUS|SELECT)\b", masked[start:], re.I)
    end = start + (stop.start() if stop else len(masked) - start)
    run = query[start:end]
    if "_:" in run or "[" in run or "(" in run:
        return query
    triples = parse_bgp(run)
    if not triples or len(triples) < 3 or any(re.search(r"[/|*+?^!]", t[1]) or t[1][:1] in "?$" for t in triples):
        return query
    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", query, re.I))

    def iri(token: str) -> str | None:
        if token.startswith("<"):
            return token[1:-1]
        if token == "a":
            return RDF_TYPE
        prefix, colon, local = token.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else None

    def is_var(token: str) -> bool:
        return token[:1] in "?$"

    bound = {"?this", "$this"}
    order, rest = [], list(triples)
    while rest:
        best, best_cost = None, None
        for t in rest:
            s_bound = not is_var(t[0]) or t[0] in bound or t[0].replace("$", "?") in bound
            o_bound = not is_var(t[2]) or t[2] in bound or t[2].replace("$", "?") in bound
            if s_bound:
                cost = 0.0
            elif o_bound:
                p = iri(t[1])
                cost = stats.fanout(p) if p else 1e9
            else:
                cost = 1e12
            if best_cost is None or cost < best_cost:
                best, best_cost = t, cost
        order.append(best)
        rest.remove(best)
        for x in (best[0], best[2]):
            if is_var(x):
                bound.add(x)
                bound.add(x.replace("$", "?"))
    if order == triples:
        return query
    text = "\n" + " .\n".join(" ".join(t) for t in order) + " .\n"
    return query[:start] + text + query[end:]


def nest_exists(text: str) -> str:
    """Rewrite EXISTS { a . b . c } as EXISTS { a FILTER EXISTS { b FILTER EXISTS { c } } }, from $this on.

    The same condition (a conjunction exists when each part exists given the ones before it),
    but Oxigraph plans a basic graph pattern inside EXISTS without knowing that $this is bound,
    and may start from `?q rdf:type oa:TextQuoteSelector`, every quote selector, for every focus
    node. Nested, each step starts from what is bound. Only groups of plain triple patterns are
    rewritten; anything else is left as written.
    """
    masked = mask(text)
    opening = [m.end() - 1 for m in re.finditer(r"\bEXISTS\s*\{", masked, re.I)]
    edits = []
    for start in opening:
        depth, end = 0, None
        for i in range(start, len(masked)):
            if masked[i] == "{":
                depth += 1
            elif masked[i] == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end is None:
            continue
        nested = _nested_bgp(text[start + 1:end], masked[start + 1:end])
        if nested is not None:
            edits.append((start + 1, end, nested))
    for start, end, nested in sorted(edits, reverse=True):
        text = text[:start] + " " + nested + " " + text[end:]
    return text


_TRIPLE_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^\S+)?|<[^<>\s]*>|[;,]|\.(?=\s|$)|[^\s;,]+(?<!\.)')


def _nested_bgp(body: str, masked: str) -> str | None:
    if re.search(r"[{}()\[\]]|_:|\b(FILTER|OPTIONAL|BIND|VALUES|UNION|GRAPH|SERVICE|MINUS|SELECT|EXISTS)\b",
                 masked, re.I):
        return None
    triples = parse_bgp(body)
    if triples is None:
        return None
    if len(triples) < 2:
        return None

    def variables(t):
        return {x[1:] for x in t if x[:1] in "?$"}

    bound = {"this"}
    order = []
    rest = list(triples)
    while rest:
        pick = next((t for t in rest if variables(t) & bound), None)
        if pick is None:
            return None
        order.append(pick)
        rest.remove(pick)
        bound |= variables(pick)
    text = " ".join(order[-1]) + " ."
    for t in reversed(order[:-1]):
        text = f"{' '.join(t)} . FILTER EXISTS {{ {text} }}"
    return text


def mask(text: str) -> str:
    """Same length as `text`, with strings and comments replaced by spaces (positions kept)."""
    def blank(m):
        return " " * len(m.group(0))
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', blank, text)
    return re.sub(r"#[^\n]*", blank, text)
