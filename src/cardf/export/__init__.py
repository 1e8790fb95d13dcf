"""Stage 4 — write the graphs in every standard format, byte for byte the same for the same input.

- the order: every writer sees triples sorted by subject (rdf:type first), then predicate and
  object; graphs by name (`sort_triples`, `sort_quads`, `subject_key`);
- `turtle`: the text of N-Triples, N-Quads, Turtle and TriG, a subject or a graph at a time;
- `jsonld`: cardf's own compacted JSON-LD, a node object per subject.

`write_triples`, `write_quads` and `write_jsonld` write a whole document at once, for the
commands that write small graphs (query results, the ontology, a diff); a build writes its
files from blocks (see cardf.build).
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, serialize

from ..iris import RDF
from .jsonld import write_jsonld
from .turtle import TermText

FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")
_OX = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS}
_TYPE = RDF + "type"

__all__ = ["FORMATS", "sort_quads", "sort_triples", "subject_key", "triple_key", "used_prefixes", "write_jsonld",
           "write_quads", "write_triples"]


def _term_key(term) -> tuple:
    if isinstance(term, NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, BlankNode):
        return (1, term.value, "", "")
    return (2, term.value, term.datatype.value, term.language or "")


def triple_key(t: Triple) -> tuple:
    """rdf:type first, then by predicate and object, so that every writer sees one fixed order."""
    return (_term_key(t.subject), t.predicate.value != _TYPE, t.predicate.value, _term_key(t.object))


def _after_subject(t) -> tuple:
    p = t.predicate.value
    return (p != _TYPE, p, _term_key(t.object))


def subject_key(term) -> str:
    """Sorts subjects as triple_key does: IRIs, then blank nodes, each by value."""
    return ("0" if isinstance(term, NamedNode) else "1") + term.value


def sort_triples(triples: Iterable[Triple]) -> list[Triple]:
    """In triple_key order: subjects sorted once, then each subject's triples (faster, less memory)."""
    return _by_subject(triples, attrgetter("subject"), _term_key)


def sort_quads(quads: Iterable[Quad]) -> list[Quad]:
    """By graph name, then in triple_key order."""
    return _by_subject(quads, attrgetter("graph_name", "subject"), lambda gs: (gs[0].value, _term_key(gs[1])))


def _by_subject(items: Iterable, group_of, group_order) -> list:
    """Distinct items grouped (by subject, or graph and subject), the groups sorted, then each group."""
    groups: dict = {}
    for x in set(items):
        groups.setdefault(group_of(x), []).append(x)
    out: list = []
    for key in sorted(groups, key=group_order):
        group = groups[key]
        if len(group) > 1:
            group.sort(key=_after_subject)
        out += group
    return out


def write_triples(triples: list[Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    if fmt == "jsonld":
        raise ValueError("use write_jsonld")
    used = used_prefixes(triples, prefixes) if fmt == "ttl" else None
    return serialize(triples, format=_OX[fmt], prefixes=used)


def write_quads(quads: list[Quad], fmt: str, prefixes: dict[str, str]) -> bytes:
    used = used_prefixes((q.triple for q in quads), prefixes, graphs=[q.graph_name for q in quads]) \
        if fmt == "trig" else None
    return serialize(quads, format=_OX[fmt], prefixes=used)


def used_prefixes(triples, prefixes: dict[str, str], graphs=()) -> dict[str, str]:
    """Only the prefixes the data needs, so files stay short and diffs stay quiet."""
    text = TermText(prefixes)
    names: set[str] = set()
    text.used(triples, names)
    for g in graphs:
        if isinstance(g, NamedNode) and text.prefix_of(g.value) is not None:
            names.add(text.prefix_of(g.value))
    return {name: prefixes[name] for name in sorted(names)}

