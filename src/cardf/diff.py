"""`cardf diff OLD NEW`: what changed between two builds or two RDF files, grouped by subject.

Blank nodes have no names to compare, so both sides are first canonicalized (RDFC-1.0, by
pyoxigraph). RDFC-1.0 numbers blank nodes c14n0, c14n1, … in the order of their hashes, so
adding one blank node anywhere can renumber all the others, and a plain comparison of the
canonical forms would report every blank node as changed. Each blank node is therefore named
by a hash of its own neighbourhood instead (the quads it occurs in, itself written `_:a` and
other blank nodes `_:z`, as RDFC-1.0's first-degree hash does); where two blank nodes share
that hash, the hashes of their neighbours are folded in, a few rounds, and what still ties is
numbered in canonical order. A blank node then keeps its name when its own statements do not
change, and two isomorphic inputs always compare equal.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, DefaultGraph, Literal, NamedNode, Quad

from .errors import InputError, Problem
from .iris import DCTERMS, ONT, RDF, RDFS, SKOS, Minter
from .rdfio import is_stdin, read_quads

BUILD_FILE = "cardf.nq"
FORMATS = ("text", "turtle", "json")
LABELS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title", ONT + "title")
REFINE_ROUNDS = 4


@dataclass
class Side:
    path: Path
    quads: list[Quad]
    named_graphs: bool


Tree = object  # a term, ("list", (Tree, …)) or ("node", ((predicate, Tree), …))


@dataclass(frozen=True)
class Statement:
    """One triple, or one triple whose object is a blank-node tree written inline (a union, a list)."""

    graph: str  # "" for the default graph
    subject: NamedNode | BlankNode
    predicate: NamedNode
    object: Tree

    def key(self) -> tuple:
        return (self.graph, _key(self.subject), self.predicate.value, tree_text(self.object, {}))


@dataclass
class Change:
    graph: str
    subject: NamedNode | BlankNode
    removed: list[Statement] = field(default_factory=list)
    added: list[Statement] = field(default_factory=list)


@dataclass
class Diff:
    old: Side
    new: Side
    removed: list[Statement]
    added: list[Statement]
    by_graph: bool
    labels: dict[str, str]

    @property
    def equal(self) -> bool:
        return not self.removed and not self.added

    def changes(self) -> list[Change]:
        groups: dict[tuple, Change] = {}
        for bucket, statements in (("removed", self.removed), ("added", self.added)):
            for s in statements:
                change = groups.setdefault((s.graph, _key(s.subject)), Change(s.graph, s.subject))
                getattr(change, bucket).append(s)
        return [groups[k] for k in sorted(groups)]


def _key(term) -> tuple:
    if isinstance(term, NamedNode):
        return (0, term.value, "")
    if isinstance(term, BlankNode):
        return (1, term.value, "")
    return (2, term.value, f"{term.language or ''}{term.datatype.value}")


def load(path: Path, input_format: str | None = None) -> Side:
    """A build folder (its cardf.nq) or an RDF file (`-`: standard input)."""
    if is_stdin(path):
        quads = read_quads(path, input_format)
        return Side(path, quads, any(not isinstance(q.graph_name, DefaultGraph) for q in quads))
    if not path.exists():
        raise InputError(problems=[Problem("not found", path)])
    if path.is_dir():
        nq = path / BUILD_FILE
        if not nq.is_file():
            raise InputError(problems=[Problem(f"is a folder without {BUILD_FILE}; give a build folder "
                                               "(`cardf build --out …`) or an RDF file", path)])
        quads = read_quads(nq)
    else:
        quads = read_quads(path, input_format)
    named = any(not isinstance(q.graph_name, DefaultGraph) for q in quads)
    return Side(path, quads, named)


def stable_blank_nodes(quads: list[Quad]) -> list[Quad]:
    """The quads with every blank node named by its neighbourhood (see the module docstring)."""
    plain, blank = _stable(quads)
    return plain + blank


def _stable(quads: list[Quad]) -> tuple[list[Quad], list[Quad]]:
    """(the quads without blank nodes, the others with their blank nodes renamed)."""
    plain, blank = [], []
    for q in quads:
        (blank if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)
         or isinstance(q.graph_name, BlankNode) else plain).append(q)
    if not blank:
        return plain, []
    # RDFC-1.0 looks only at the quads that mention a blank node, so only they are canonicalized
    dataset = Dataset(blank)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    canonical = list(dataset)
    mentions: dict[BlankNode, list[Quad]] = defaultdict(list)
    for q in canonical:
        for t in {q.subject, q.object, q.graph_name}:
            if isinstance(t, BlankNode):
                mentions[t].append(q)

    def term_text(term, me, colour=None) -> str:
        if isinstance(term, BlankNode):
            if term == me:
                return "_:a"
            return f"_:{colour[term]}" if colour else "_:z"
        if isinstance(term, DefaultGraph):
            return ""
        return str(term)

    def digest(lines: list[str]) -> str:
        return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()

    colour = {b: digest([" ".join(term_text(t, b) for t in (q.subject, q.predicate, q.object, q.graph_name))
                         for q in qs]) for b, qs in mentions.items()}
    name: dict[BlankNode, str] = {}
    for _ in range(REFINE_ROUNDS + 1):
        counts: dict[str, int] = defaultdict(int)
        for b in colour:
            if b not in name:
                counts[colour[b]] += 1
        for b, c in colour.items():
            if b not in name and counts[c] == 1:
                name[b] = c
        if len(name) == len(colour):
            break
        colour = {b: (c if b in name else digest([c] + [" ".join(term_text(t, b, colour) for t in
                                                                   (q.subject, q.predicate, q.object, q.graph_name))
                                                          for q in mentions[b]]))
                  for b, c in colour.items()}
    ties: dict[str, list[BlankNode]] = defaultdict(list)
    for b in sorted(colour, key=lambda b: b.value):
        if b not in name:
            ties[colour[b]].append(b)
    for c, members in ties.items():
        for i, b in enumerate(members):
            name[b] = f"{c}{i}"
    relabel = {b: BlankNode("b" + n[:16] + (n[64:] if len(n) > 64 else "")) for b, n in name.items()}

    def r(t):
        return relabel.get(t, t) if isinstance(t, BlankNode) else t
    return plain, [Quad(r(q.subject), q.predicate, r(q.object), r(q.graph_name)) for q in canonical]


def statements(quads: list[Quad]) -> set:
    """The quads as statements: a blank node that one statement alone points at is written inside it.

    So a changed `rdfs:domain [ owl:unionOf ( … ) ]` shows as one removed and one added
    statement of the property, not as a dozen list cells. Blank nodes referred to more than
    once (or only from a cycle) stay subjects of their own, under their stable names. Quads
    without blank nodes stay quads (hashed natively, which keeps big builds fast); `as_statement`
    turns the few that differ into statements.
    """
    plain, blank = _stable(quads)
    out: dict[tuple, list] = defaultdict(list)
    refs: dict[tuple, int] = defaultdict(int)
    for q in blank:
        g = q.graph_name.value if isinstance(q.graph_name, NamedNode) else ""
        out[(g, q.subject)].append((q.predicate, q.object))
        if isinstance(q.object, BlankNode):
            refs[(g, q.object)] += 1
    candidates = {k for k, n in refs.items() if n == 1 and k in out}
    inline: set[tuple] = set()
    roots = sorted((k for k in out if k not in candidates), key=lambda k: (k[0], _key(k[1])))
    while True:
        stack = list(roots)
        while stack:
            g, s = stack.pop()
            for _, o in out[(g, s)]:
                k = (g, o)
                if k in candidates and k not in inline:
                    inline.add(k)
                    stack.append(k)
        rest = sorted(candidates - inline, key=lambda k: (k[0], _key(k[1])))
        if not rest:
            break
        candidates.discard(rest[0])  # only a cycle reaches it: let it be a subject of its own
        roots = [rest[0]]

    def tree(g: str, o) -> Tree:
        if not isinstance(o, BlankNode) or (g, o) not in inline:
            return o
        items = _as_list(out, inline, g, o)
        if items is not None:
            return ("list", tuple(tree(g, i) for i in items))
        return ("node", tuple(sorted(((p, tree(g, v)) for p, v in out[(g, o)]),
                                     key=lambda pv: (pv[0].value, tree_text(pv[1], {})))))

    result: set = set(plain)
    for (g, s), pairs in out.items():
        if (g, s) in inline:
            continue
        for p, o in pairs:
            result.add(Statement(g, s, p, tree(g, o)))
    return result


def as_statement(item) -> Statement:
    if isinstance(item, Statement):
        return item
    g = item.graph_name.value if isinstance(item.graph_name, NamedNode) else ""
    return Statement(g, item.subject, item.predicate, item.object)


def _as_list(out, inline, g: str, node) -> list | None:
    """The members of a well-formed RDF list whose cells are all inline, else None."""
    items, seen = [], set()
    while node != NamedNode(RDF + "nil"):
        pairs = out.get((g, node), [])
        firsts = [o for p, o in pairs if p.value == RDF + "first"]
        rests = [o for p, o in pairs if p.value == RDF + "rest"]
        if (len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1 or node in seen
                or (g, node) not in inline):
            return None
        seen.add(node)
        items.append(firsts[0])
        node = rests[0]
    return items


def tree_text(t: Tree, prefixes: dict[str, str]) -> str:
    """Turtle for a term or an inline tree: `( a b )` for lists, `[ p o ; … ]` for other blank nodes."""
    if isinstance(t, tuple):
        if t[0] == "list":
            return "( " + " ".join(tree_text(i, prefixes) for i in t[1]) + " )"
        inner = " ; ".join(f"{'a' if p.value == RDF + 'type' else _term(p, prefixes)} {tree_text(v, prefixes)}"
                           for p, v in t[1])
        return f"[ {inner} ]"
    return _term(t, prefixes)


def compare(old: Side, new: Side) -> Diff:
    """By graph when both sides have named graphs; otherwise the triples, with graph names set aside."""
    by_graph = old.named_graphs and new.named_graphs

    def side(s: Side) -> set:
        if by_graph or not s.named_graphs:
            return statements(s.quads)
        return statements([Quad(q.subject, q.predicate, q.object) for q in s.quads])
    a, b = side(old), side(new)
    removed = sorted((as_statement(s) for s in a - b), key=Statement.key)
    added = sorted((as_statement(s) for s in b - a), key=Statement.key)
    labels = _labels(old.quads) | _labels(new.quads)
    return Diff(old, new, removed, added, by_graph, labels)


def _labels(quads: list[Quad]) -> dict[str, str]:
    """One label per IRI: English first, then Russian, then any; the smallest text when there are several."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for q in quads:
        if q.predicate.value in LABELS and isinstance(q.object, Literal) and isinstance(q.subject, NamedNode):
            lang = q.object.language or ""
            current = found[q.subject.value].get(lang)
            if current is None or q.object.value < current:
                found[q.subject.value][lang] = q.object.value
    out = {}
    for iri, by_lang in found.items():
        for lang in ("en", "ru", "", *sorted(by_lang)):
            if lang in by_lang:
                out[iri] = by_lang[lang]
                break
    return out


# ----------------------------------------------------------------------------- output

def _prefixes(base: str | None) -> dict[str, str]:
    out = Minter(base).prefixes() if base else Minter().prefixes()
    out["graph"] = (base or "https://w3id.org/cardf/") + "graph/"
    return out


_SAFE_LOCAL = re.compile(r"^[A-Za-z_](?:[\w.-]*[\w-])?$")


def _term(term, prefixes: dict[str, str]) -> str:
    """Turtle for one term: a prefixed name where one fits, else the full form."""
    if isinstance(term, NamedNode):
        return _iri(term.value, prefixes)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    text = str(term)
    if not term.language and "^^<" in text:
        lexical = text[:text.rindex("^^<")]
        return f"{lexical}^^{_iri(term.datatype.value, prefixes)}"
    return text


def _iri(iri: str, prefixes: dict[str, str]) -> str:
    for name, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and _SAFE_LOCAL.match(iri[len(ns):]):
            return f"{name}:{iri[len(ns):]}"
    return f"<{iri}>"


def render_text(diff: Diff, base: str | None = None) -> str:
    prefixes = _prefixes(base)
    lines = []
    for change in diff.changes():
        head = _term(change.subject, prefixes)
        label = diff.labels.get(change.subject.value) if isinstance(change.subject, NamedNode) else None
        if label:
            head += f"  «{label}»"
        if change.graph:
            head += f"  in {_iri(change.graph, prefixes)}"
        lines.append(head)
        rows = [("-", s) for s in change.removed] + [("+", s) for s in change.added]
        rows.sort(key=lambda r: (r[1].predicate.value, tree_text(r[1].object, {}), r[0] == "+"))
        for mark, s in rows:
            line = f"  {mark} {_term(s.predicate, prefixes)} {tree_text(s.object, prefixes)}"
            if isinstance(s.object, NamedNode) and s.object.value in diff.labels:
                line += f"  «{diff.labels[s.object.value]}»"
            lines.append(line)
        lines.append("")
    return "\n".join(lines)


def _turtle_block(statements: list[Statement], prefixes: dict[str, str]) -> str:
    lines = []
    for subject in sorted({s.subject for s in statements}, key=_key):
        mine = [s for s in statements if s.subject == subject]
        parts = [f"{_term(s.predicate, prefixes)} {tree_text(s.object, prefixes)}" for s in mine]
        lines.append(f"{_term(subject, prefixes)}\n    " + " ;\n    ".join(parts) + " .")
    return "\n".join(lines) + "\n"


def render_turtle(diff: Diff, base: str | None = None) -> str:
    """Turtle: the prefixes, then one section per graph and direction, headed by a comment naming both.

    Read as a whole it is one valid Turtle document (the union of both directions); the
    comments say which statements went and which came. Use --format json to process a diff.
    """
    prefixes = _prefixes(base)
    used = set()
    for s in diff.removed + diff.added:
        used.update(re.findall(r"(?<![\w<\"])([A-Za-z][\w.-]*):", _term(s.subject, prefixes) + " "
                               + _term(s.predicate, prefixes) + " " + tree_text(s.object, prefixes)))
    out = [f"# cardf diff {diff.old.path} -> {diff.new.path}: {len(diff.removed)} removed, {len(diff.added)} added\n"]
    out += [f"@prefix {name}: <{prefixes[name]}> .\n" for name in sorted(used) if name in prefixes]
    for word, statements in (("removed from", diff.removed), ("added to", diff.added)):
        graphs: dict[str, list] = defaultdict(list)
        for s in statements:
            graphs[s.graph].append(s)
        for g in sorted(graphs):
            where = f"graph <{g}>" if g else "the default graph" if diff.by_graph else "the data"
            out.append(f"\n# {word} {where}\n")
            out.append(_turtle_block(graphs[g], prefixes))
    return "".join(out)


def to_json(diff: Diff, base: str | None = None) -> dict:
    full: dict[str, str] = {}
    return {
        "equal": diff.equal, "old": str(diff.old.path), "new": str(diff.new.path),
        "compared": "quads" if diff.by_graph else "triples",
        "removed": len(diff.removed), "added": len(diff.added),
        "subjects": [{
            "subject": c.subject.value if isinstance(c.subject, NamedNode) else f"_:{c.subject.value}",
            "label": diff.labels.get(c.subject.value) if isinstance(c.subject, NamedNode) else None,
            "graph": c.graph or None,
            "removed": [{"predicate": s.predicate.value, "object": tree_text(s.object, full)} for s in c.removed],
            "added": [{"predicate": s.predicate.value, "object": tree_text(s.object, full)} for s in c.added],
        } for c in diff.changes()],
    }


def render(diff: Diff, fmt: str, base: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(to_json(diff, base), ensure_ascii=False, indent=2) + "\n"
    if fmt == "turtle":
        return render_turtle(diff, base) if not diff.equal else ""
    return render_text(diff, base)


def summary(diff: Diff) -> str:
    if diff.equal:
        what = "graphs and statements" if diff.by_graph else "statements"
        return f"Equal: the same {what} on both sides ({len(diff.old.quads)} quads)."
    subjects = len(diff.changes())
    note = "" if diff.by_graph or not (diff.old.named_graphs or diff.new.named_graphs) else \
        " (graph names set aside: one side has no named graphs)"
    return (f"Different: {len(diff.removed)} statement{'s' if len(diff.removed) != 1 else ''} removed, "
            f"{len(diff.added)} added, in {subjects} subject{'s' if subjects != 1 else ''}{note}.")
