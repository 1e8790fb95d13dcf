"""The data as given (not as Oxigraph stores it): what the pySHACL verdict on suspects reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyoxigraph import BlankNode, Literal, RdfFormat, Store, Triple, parse

from ..iris import RDF, RDFS
from .literals import LiteralForms

RDF_TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"


class Originals:
    """The data as given (not as Oxigraph stores it), for the pySHACL verdict on suspects."""

    forms: LiteralForms
    predicates: frozenset | None = None  # the predicate IRIs of the data, when known

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        """Triples with a node as subject or object, the rdf:type triples of their other ends, and
        every rdfs:subClassOf triple: all that a supported constraint looks at for a focus node.

        Triples into a node are kept along the `inverse` predicates only (None: all), except for
        the nodes in `traced`, whose every incoming triple is kept: the report follows them back
        to the record that has a YAML origin.
        """
        raise NotImplementedError

    def referrers(self, nodes: set) -> set:
        """The subjects of triples whose object is one of the nodes."""
        raise NotImplementedError

    def everything(self) -> Iterable[Triple]:
        raise NotImplementedError


class TripleOriginals(Originals):
    """Originals held as a list of triples (the `validate` entry point)."""

    def __init__(self, triples: list[Triple]):
        self.triples = triples
        self._index = None
        predicates = set()
        literals = []
        for t in triples:
            predicates.add(t.predicate.value)
            if isinstance(t.object, Literal):
                literals.append((t.predicate.value, t.object))
        self.predicates = frozenset(predicates)
        self.forms = LiteralForms.of(literals)

    def _build(self):
        by_subject: dict = {}
        by_object: dict = {}
        subclass = []
        for t in self.triples:
            by_subject.setdefault(t.subject, []).append(t)
            if not isinstance(t.object, Literal):
                by_object.setdefault(t.object, []).append(t)
            if t.predicate.value == SUBCLASS:
                subclass.append(t)
        self._index = by_subject, by_object, subclass

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        if self._index is None:
            self._build()
        by_subject, by_object, subclass = self._index
        return triples_around(nodes, by_subject.get, by_object.get, subclass, inverse, traced)

    def referrers(self, nodes: set) -> set:
        if self._index is None:
            self._build()
        return {t.subject for n in nodes for t in self._index[1].get(n, ())}

    def everything(self) -> Iterable[Triple]:
        return self.triples


def triples_around(nodes: set, outgoing: Callable, incoming: Callable, subclass: list[Triple],
                   inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
    out = list(subclass)
    neighbours = set()
    for n in nodes:
        for t in outgoing(n) or ():
            out.append(t)
            if not isinstance(t.object, Literal):
                neighbours.add(t.object)
        if not isinstance(n, Literal):
            every = inverse is None or n in traced
            for t in incoming(n) or ():
                if every or t.predicate.value in inverse:
                    out.append(t)
                    neighbours.add(t.subject)
    for n in neighbours - nodes:
        out += [t for t in outgoing(n) or () if t.predicate.value == RDF_TYPE]
    for n in set(traced) - nodes:
        out += incoming(n) or ()
    return out


class StoreOriginals(Originals):
    """The data of a build: its graphs as mapped (N-Quads per graph), with a store of their union to search.

    `owners` gives the graphs that hold triples of a subject, `nquads` a graph's N-Quads; the
    store (the union of the graphs) finds who points at a node.
    """

    def __init__(self, store: Store, owners: Callable[[object], Iterable[str]], nquads: Callable[[str], bytes],
                 graphs: list[str], forms: LiteralForms, predicates: Iterable[str]):
        self.store, self.owners, self.nquads, self.graphs = store, owners, nquads, graphs
        self.forms, self.predicates = forms, frozenset(predicates)
        self._parsed: dict[str, list[Triple]] = {}

    def _graph(self, name: str) -> list[Triple]:
        if name not in self._parsed:
            data = self.nquads(name)
            self._parsed[name] = [q.triple for q in parse(bytes(data), format=RdfFormat.N_QUADS)] if data else []
        return self._parsed[name]

    def _graphs_of(self, subjects) -> set[str]:
        return {g for s in subjects if not isinstance(s, Literal) for g in self.owners(s)}

    def referrers(self, nodes: set, predicates: frozenset | None = None) -> set:
        named = [n for n in nodes if not isinstance(n, (BlankNode, Literal))]
        if predicates is not None:
            if not predicates or not named:
                return set()
            only = "VALUES ?p { " + " ".join(f"<{p}>" for p in sorted(predicates)) + " } "
        else:
            only = ""
        found = set()
        for i in range(0, len(named), 1000):
            values = " ".join(str(n) for n in named[i:i + 1000])
            found.update(row[0] for row in self.store.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?n {{ {values} }} {only}?s ?p ?n }}",
                use_default_graph_as_union=True))
        return found

    def around(self, nodes: set, inverse: frozenset | None = None, traced: set = frozenset()) -> list[Triple]:
        every = set(traced) if inverse is not None else set(nodes) | set(traced)
        referrers = self.referrers(every) | self.referrers(set(nodes) - every, inverse)
        outgoing: dict = {}
        incoming: dict = {}
        seen: set[str] = set()

        def index(names):
            for name in sorted(set(names) - seen):
                seen.add(name)
                for t in self._graph(name):
                    outgoing.setdefault(t.subject, []).append(t)
                    if not isinstance(t.object, Literal):
                        incoming.setdefault(t.object, []).append(t)

        index(self._graphs_of(set(nodes) | referrers))
        neighbours = set(referrers)
        for n in nodes:
            neighbours.update(t.object for t in outgoing.get(n, ()) if not isinstance(t.object, Literal))
        index(self._graphs_of(neighbours))
        subjects = {row[0] for row in self.store.query(f"SELECT DISTINCT ?s WHERE {{ ?s <{SUBCLASS}> ?o }}",
                                                        use_default_graph_as_union=True)}
        index(self._graphs_of(subjects))
        subclass = [t for s in subjects for t in outgoing.get(s, ()) if t.predicate.value == SUBCLASS]
        return triples_around(nodes, outgoing.get, incoming.get, subclass, inverse, traced)

    def everything(self):
        for name in self.graphs:
            yield from self._graph(name)
