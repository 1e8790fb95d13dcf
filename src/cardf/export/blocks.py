"""A graph written in blocks: per subject its N-Triples, Turtle and JSON-LD; per graph its N-Quads and TriG.

Every output file of a build is blocks joined: cardf.nt, .ttl and .jsonld are the subjects'
blocks in subject order (after the file's head), cardf.nq and .trig the graphs' blocks in
graph order. Blocks are made once, where an article is mapped, in one pass over its sorted
triples, and kept from one build to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from .jsonld import Compactor, jsonld_node, node_text
from .turtle import PLAIN_DATATYPES, RDF_TYPE, TermText, trig_subject


@dataclass
class GraphBlocks:
    """One graph, in the blocks that the output files are made of (UTF-8 bytes)."""

    graph: str
    keys: list[str]  # its subjects (export.subject_key), in order
    nt: list[bytes]  # per subject: its lines of cardf.nt
    ttl: list[bytes]  # per subject: its block of cardf.ttl
    jsonld: list[bytes]  # per subject: its node object in cardf.jsonld
    nq: bytes  # the graph's lines of cardf.nq
    trig: bytes  # the graph's block of cardf.trig
    used: frozenset[str]  # the prefix names its triples use (the Turtle header declares them)
    graph_prefix: str | None  # the prefix name its graph name uses (for the TriG header)
    triples: int


class BlockWriter:
    """Writes graphs in blocks with one project's prefixes and JSON-LD context (terms remembered)."""

    def __init__(self, prefixes: dict[str, str], context: dict):
        self.text = TermText(prefixes)
        self.compactor = Compactor(context)

    def graph(self, triples: list[Triple], graph: NamedNode) -> GraphBlocks:
        """`triples` sorted as export.sort_triples sorts them (distinct)."""
        keys, nt, ttl, jsonld, used = self._subjects(triples)
        g = str(graph)
        nq = "".join(f"{t} {g} .\n" for t in triples)
        body = "".join(trig_subject(b.decode("utf-8")) for b in ttl)
        trig = f"{self.text.node(graph)} {{\n{body}}}\n" if body else ""
        return GraphBlocks(graph.value, keys, nt, ttl, jsonld, nq.encode("utf-8"), trig.encode("utf-8"),
                           frozenset(used), self.text.prefix_of(graph.value), len(triples))

    def subject(self, triples: list[Triple]) -> tuple[bytes, bytes, bytes]:
        """The nt, ttl and jsonld blocks of one subject (sorted triples of that subject alone)."""
        _, nt, ttl, jsonld, _ = self._subjects(triples)
        return nt[0], ttl[0], jsonld[0]

    def _subjects(self, triples: list[Triple]):
        lookup = self.text._lookup
        literal_text = self.text.object
        compactor = self.compactor
        keys: list[str] = []
        nt: list[bytes] = []
        ttl: list[bytes] = []
        jsonld: list[bytes] = []
        used: set[str] = set()
        add = used.add
        subject = None
        lines: list[str] = []
        parts: list[str] = []
        props: dict = {}
        predicate = None

        def close():
            parts.append(" .\n")
            nt.append("".join(lines).encode("utf-8"))
            ttl.append("".join(parts).encode("utf-8"))
            jsonld.append(node_text(jsonld_node(compactor, subject, props)).encode("utf-8"))

        for t in triples:
            s = t.subject
            if s != subject:
                if subject is not None:
                    close()
                subject, lines, parts, props, predicate = s, [], [], {}, None
                if isinstance(s, NamedNode):
                    text, name = lookup(s.value)
                    if name is not None:
                        add(name)
                    keys.append("0" + s.value)
                else:
                    text = str(s)
                    keys.append("1" + s.value)
                parts.append(text)
            lines.append(f"{t} .\n")
            p = t.predicate.value
            o = t.object
            props.setdefault(p, []).append(o)
            if p == predicate:
                parts.append(" , ")
            else:
                text, name = lookup(p)
                if name is not None:
                    add(name)
                parts.append(" " if predicate is None else " ;\n\t")
                parts.append("a" if p == RDF_TYPE else text)
                parts.append(" ")
                predicate = p
            if isinstance(o, NamedNode):
                text, name = lookup(o.value)
                if name is not None:
                    add(name)
                parts.append(text)
            elif isinstance(o, Literal):
                datatype = o.datatype.value
                name = lookup(datatype)[1]
                if name is not None:
                    add(name)
                parts.append(str(o) if datatype in PLAIN_DATATYPES else literal_text(o))
            else:
                parts.append(str(o))
        if subject is not None:
            close()
        return keys, nt, ttl, jsonld, used
