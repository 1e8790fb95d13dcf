"""After a change: which focus nodes a changed triple can reach, so that only those are validated again."""

from __future__ import annotations

import re

import rdflib
from pyoxigraph import BlankNode, Store, Triple

from .sparql import RDF_TYPE, Unsupported, sparql_term


def sparql_edges(text: str, tree=None) -> list | None:
    """The triple patterns of a SPARQL query as edges (end, alternatives, end) of an undirected graph.

    An end is ("v", name) or ("c", SPARQL term); alternatives is "any" (a variable predicate) or a
    tuple of (IRI, inverse, repeated). Variables local to an EXISTS block are renamed apart. None for
    a query this cannot describe (sub-queries, MINUS, GRAPH, SERVICE, VALUES). `tree`, when given, is
    the query's parse tree, untranslated (it is only read).
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    if tree is None:
        try:
            tree = parseQuery(text)
        except Exception:
            return None
    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", text, re.I))
    edges: list = []
    fresh = [0]

    def term(x, rename):
        if isinstance(x, rdflib.Variable):
            return ("v", rename.get(str(x), str(x)))
        if isinstance(x, CompValue) and x.name == "pname":
            return ("c", f"<{prefixes[x.prefix] + (x.localname or '')}>")
        if isinstance(x, rdflib.URIRef):
            return ("c", f"<{x}>")
        if isinstance(x, rdflib.Literal):
            return ("c", sparql_term(x))
        raise Unsupported("a blank node or collection in a pattern")

    def iri(x) -> str:
        if isinstance(x, CompValue) and x.name == "pname":
            return prefixes[x.prefix] + (x.localname or "")
        if isinstance(x, rdflib.URIRef):
            return str(x)
        raise Unsupported("a path step that is not an IRI")

    def path_edges(a, p, b):
        """Edges for a predicate or property path from a to b."""
        if isinstance(p, rdflib.Variable):
            edges.append((a, "any", b))
            return
        if isinstance(p, (rdflib.URIRef,)) or (isinstance(p, CompValue) and p.name == "pname"):
            edges.append((a, ((iri(p), False, False),), b))
            return
        if p.name == "PathAlternative":
            if all(len(seq.part) == 1 and _simple_elt(seq.part[0]) for seq in p.part):
                edges.append((a, tuple(_path_elt(seq.part[0], iri) for seq in p.part), b))
                return
            for seq in p.part:  # like a UNION: each alternative's chain of edges (a superset is safe)
                ends = [a] + [("v", f"_seq{fresh[0]}_{i}") for i in range(len(seq.part) - 1)] + [b]
                fresh[0] += 1
                for i, elt in enumerate(seq.part):
                    if _simple_elt(elt):
                        edges.append((ends[i], (_path_elt(elt, iri),), ends[i + 1]))
                    elif elt.name == "PathElt" and "mod" not in elt and \
                            getattr(elt.part, "name", None) == "PathAlternative":
                        path_edges(ends[i], elt.part, ends[i + 1])  # a group: (p|q/r)
                    else:
                        raise Unsupported("a repeated or inverse group in a path")
            return
        raise Unsupported(f"path {p.name}")

    def triples_of(block, rename):
        for flat in block.triples:
            for i in range(0, len(flat), 3):
                s, p, o = flat[i:i + 3]
                path_edges(term(s, rename), p, term(o, rename))

    def names(group) -> set:
        """Variables of a group's patterns and BINDs, inner groups included, EXISTS blocks excluded."""
        found = set()
        for part in group.part:
            if part.name == "TriplesBlock":
                for flat in part.triples:
                    found |= {str(x) for x in flat if isinstance(x, rdflib.Variable)}
            elif part.name == "OptionalGraphPattern":
                found |= names(part.graph)
            elif part.name == "GroupOrUnionGraphPattern":
                for g in part.graph:
                    found |= names(g)
            elif part.name == "Bind":
                found.add(str(part.var))
        return found

    def group(g, rename, outer):
        here = outer | {rename.get(n, n) for n in names(g)}
        for part in g.part:
            name = part.name
            if name == "TriplesBlock":
                triples_of(part, rename)
            elif name == "OptionalGraphPattern":
                group(part.graph, rename, here)
            elif name == "GroupOrUnionGraphPattern":
                for sub in part.graph:
                    group(sub, rename, here)
            elif name in ("Filter", "Bind"):
                expression(part.expr, rename, here)
            else:
                raise Unsupported(f"{name} in sh:select")

    def expression(e, rename, here):
        if isinstance(e, CompValue):
            if e.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                local = {n for n in names(e.graph) if rename.get(n, n) not in here}
                inner = dict(rename)
                for n in local:
                    inner[n] = f"{n}_x{fresh[0]}"
                fresh[0] += 1
                group(e.graph, inner, here)
                return
            for value in e.values():
                expression(value, rename, here)
        elif isinstance(e, (list, tuple)) or type(e).__name__ == "ParseResults":
            for value in e:
                expression(value, rename, here)

    try:
        where = tree[1].where
        group(where, {}, set())
    except (Unsupported, KeyError, AttributeError, TypeError):
        return None
    return edges


def _simple_elt(elt) -> bool:
    """A path element that is one IRI, maybe inverse (^p), maybe repeated (p*, p+, p?)."""
    if elt.name == "PathEltOrInverse":
        elt = elt.part
    part = getattr(elt, "part", None)
    return getattr(elt, "name", None) == "PathElt" and getattr(part, "name", None) not in ("PathAlternative",
                                                                                          "PathNegatedPropertySet")


def _path_elt(elt, iri):
    inverse = elt.name == "PathEltOrInverse"
    if inverse:
        elt = elt.part
    if getattr(elt, "name", None) != "PathElt":
        raise Unsupported("a path element")
    part = elt.part
    if getattr(part, "name", None) == "PathAlternative":
        raise Unsupported("a nested path")
    if getattr(part, "name", None) == "PathNegatedPropertySet":
        raise Unsupported("a negated property set")
    return (iri(part), inverse, "mod" in elt)


def reach(store: Store, edges: list, delta: list[Triple], limit: int = 200_000) -> set | None:
    """Nodes that may stand for $this in a match of `edges` that uses a triple of `delta`.

    A match of a query is connected: from any triple it uses there is a chain of its patterns
    back to $this, each matched by a triple of the data. This follows such chains backwards from
    the changed triples through the store, pattern by pattern, never using a pattern twice in one
    chain; what it finds at $this is a superset of the focus nodes whose result can have changed.
    None when the search grows past `limit` states (then everything is checked again).
    """
    touching: dict[str, list[int]] = {}
    for i, (a, _, b) in enumerate(edges):
        for end in (a, b):
            if end[0] == "v":
                touching.setdefault(end[1], []).append(i)
    found: set = set()
    seen: set = set()
    pending: dict[tuple, set] = {}  # (variable, used edges) → nodes

    def add(node, var, mask):
        if isinstance(node, BlankNode):
            return
        key = (node, var, mask)
        if key in seen:
            return
        seen.add(key)
        if var == "this":
            found.add(node)
        pending.setdefault((var, mask), set()).add(node)

    def matches(spec, predicate: str):
        if spec == "any":
            return [(False, False)]
        return [(inverse, repeated) for p, inverse, repeated in spec if p == predicate]

    for i, (a, spec, b) in enumerate(edges):
        bit = 1 << i
        for t in delta:
            for inverse, repeated in matches(spec, t.predicate.value):
                start, end = (t.object, t.subject) if inverse else (t.subject, t.object)
                ends = [(a, start, True), (b, end, False)]
                for (kind, name), node, backward in ends:
                    if kind != "v":
                        continue
                    nodes = {node}
                    if repeated:  # the changed triple may be a link inside a chain of this path
                        nodes |= _step(store, {node}, spec, backward)
                    for n in nodes:
                        add(n, name, bit)
    while pending:
        (var, mask), nodes = pending.popitem()
        for i in touching.get(var, ()):
            bit = 1 << i
            if mask & bit:
                continue
            a, spec, b = edges[i]
            if a == ("v", var) and b[0] == "v":
                for m in _step(store, nodes, spec, False):
                    add(m, b[1], mask | bit)
            if b == ("v", var) and a[0] == "v":
                for m in _step(store, nodes, spec, True):
                    add(m, a[1], mask | bit)
        if len(seen) > limit:
            return None
    return found


def _step(store: Store, nodes: set, spec, backward: bool) -> set:
    """Nodes one edge away (along `spec`, from the a end to the b end, or back)."""
    out = set()
    if spec == "any":
        pattern = "?m ?cardf_p ?n" if backward else "?n ?cardf_p ?m"
    else:
        steps = "|".join(("^" if inverse else "") + f"<{p}>" for p, inverse, _ in spec)
        if any(repeated for _, _, repeated in spec):
            steps = f"({steps})*"
        pattern = f"?m {steps} ?n" if backward else f"?n {steps} ?m"
    named = [n for n in nodes if not isinstance(n, BlankNode)]
    for i in range(0, len(named), 2000):
        values = " ".join(str(n) for n in named[i:i + 2000])
        for row in store.query(f"SELECT DISTINCT ?m WHERE {{ VALUES ?n {{ {values} }} {pattern} }}",
                               use_default_graph_as_union=True):
            out.add(row[0])
    return out


def core_reach(store: Store, delta: list[Triple], backward: set[str]) -> set:
    """Focus nodes whose core constraints can see a change.

    The subject of a changed triple; its object when the shapes look at the predicate backwards
    (`backward`: inverse paths, sh:targetObjectsOf); and, around a node whose types changed, the
    nodes that point at it (sh:class looks at a value's types) and, backwards, those it points at.
    """
    found = set()
    retyped = set()
    for t in delta:
        found.add(t.subject)
        if t.predicate.value in backward:
            found.add(t.object)
        if t.predicate.value == RDF_TYPE:
            retyped.add(t.subject)
    if retyped:
        found |= _step(store, retyped, "any", True)
        if backward:
            spec = tuple((p, False, False) for p in sorted(backward))
            found |= _step(store, retyped, spec, False)
    return {n for n in found if not isinstance(n, BlankNode)}
