"""The data as given (not as Oxigraph stores it): what the pySHACL verdict on suspects reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyoxigraph import Literal, Triple

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
