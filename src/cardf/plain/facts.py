"""A built dataset as the plain exports read it: records by kind, their values, labels, evidence and disputes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from ..errors import InputError, Problem
from ..iris import DEFAULT_BASE, OA, ONT, RDF, RDFS, SKOS, Minter
from ..mapping import predicate
from ..rdfio import read_quads
from ..resources import old_build_hint
from ..schema import ALL_KINDS, Kind

TYPE = NamedNode(RDF + "type")
_LABELS = (NamedNode(RDFS + "label"), NamedNode(SKOS + "prefLabel"))


def open_build(folder: Path) -> Store:
    """The build in `folder`: its embedded store (read-only), else its cardf.nq read into memory."""
    if (folder / "store").is_dir():
        try:
            return Store.read_only(str(folder / "store"))
        except OSError:
            pass  # a store another process holds: the N-Quads say the same
    nq = folder / "cardf.nq"
    if not nq.is_file():
        raise InputError(problems=[Problem("no build here (no store/ or cardf.nq); run `cardf build` first"
                                           + old_build_hint(folder), folder)])
    store = Store()
    store.bulk_extend(read_quads(nq))
    return store


@dataclass(frozen=True)
class Span:
    article: str  # the article's slug
    quote: str
    start: int
    end: int


class Facts:
    """Reads a store the way the plain exports need it; labels and kinds are looked up once each."""

    def __init__(self, store: Store, lang: str = "en", base: str = DEFAULT_BASE):
        self.store, self.lang, self.minter = store, lang, Minter(base)
        self.kind_of_class = {ONT + k.cls: k for k in ALL_KINDS.values()}
        self.segments = {k.segment: k for k in ALL_KINDS.values()}
        self._labels: dict[str, str | None] = {}

    # ------------------------------------------------------------------- lookups

    def objects(self, subject, p: NamedNode, graph=None) -> list:
        """The distinct objects, sorted (IRIs by value, literals by language and value)."""
        found = {q.object for q in self.store.quads_for_pattern(subject, p, None, graph)}
        return sorted(found, key=lambda t: (not isinstance(t, NamedNode), getattr(t, "language", None) or "",
                                            t.value))

    def first(self, subject, p: NamedNode, graph=None):
        values = self.objects(subject, p, graph)
        return values[0] if values else None

    def subjects_of_kind(self, kind: Kind, graph=None) -> list[NamedNode]:
        return sorted({q.subject for q in self.store.quads_for_pattern(None, TYPE, NamedNode(ONT + kind.cls), graph)
                       if isinstance(q.subject, NamedNode)}, key=lambda s: s.value)

    def label(self, term) -> str | None:
        """The label in the chosen language, else English, else any; rdfs:label before skos:prefLabel."""
        if not isinstance(term, NamedNode):
            return None
        if term.value not in self._labels:
            best = None
            for rank_p, p in enumerate(_LABELS):
                for q in self.store.quads_for_pattern(term, p, None, None):
                    if isinstance(q.object, Literal):
                        lang = q.object.language or ""
                        rank = (0 if lang == self.lang else 1 if lang == "en" else 2, rank_p, q.object.value)
                        best = min(best, rank) if best else rank
            self._labels[term.value] = best[2] if best else None
        return self._labels[term.value]

    def text(self, values: list) -> str | None:
        """One string of a multilingual field, in the chosen language, else English, else any."""
        literals = [v for v in values if isinstance(v, Literal)]
        for lang in (self.lang, "en"):
            for v in literals:
                if v.language == lang:
                    return v.value
        return literals[0].value if literals else None

    def ref(self, term) -> dict | str | None:
        """An IRI as {id, kind, label} (a record or entity), {code, scheme, label} (a code), else its text."""
        if isinstance(term, NamedNode):
            segment, _, slug = term.value.removeprefix(self.minter.id).partition("/")
            if term.value.startswith(self.minter.id) and slug:
                return {"id": slug, "kind": segment, "label": self.label(term)}
            if "/vocab/" in term.value:
                scheme, _, code = term.value.rsplit("/vocab/", 1)[1].partition("/")
                return {"code": code, "scheme": scheme, "label": self.label(term)}
            return {"iri": term.value, "label": self.label(term)}
        if isinstance(term, BlankNode):
            return f"_:{term.value}"
        return None if term is None else term.value

    def slug(self, term) -> str:
        return term.value.rsplit("/", 1)[-1]

    def kind(self, record: NamedNode) -> Kind | None:
        segment = record.value.removeprefix(self.minter.id).split("/", 1)[0]
        return self.segments.get(segment) if record.value.startswith(self.minter.id) else None

    # ------------------------------------------------------------------- evidence and disputes

    def evidence(self, subject, graph=None) -> list[Span]:
        spans = []
        for node in self.objects(subject, NamedNode(ONT + "evidence"), graph):
            source = self.first(node, NamedNode(OA + "hasSource"))
            quote = start = end = None
            for selector in self.objects(node, NamedNode(OA + "hasSelector")):
                exact = self.first(selector, NamedNode(OA + "exact"))
                quote = exact.value if exact is not None else quote
                begin = self.first(selector, NamedNode(OA + "start"))
                if begin is not None:
                    start, end = int(begin.value), int(self.first(selector, NamedNode(OA + "end")).value)
            if quote is not None:
                spans.append(Span(self.slug(source) if source is not None else "", quote, start, end))
        return sorted(spans, key=lambda s: (s.article, s.start if s.start is not None else -1, s.quote))

    def disputed(self) -> set[tuple[str, str]]:
        """(record IRI, property IRI) pairs the sources disagree about."""
        pairs = set()
        for q in self.store.quads_for_pattern(None, NamedNode(ONT + "hasDisagreement"), None, None):
            for p in self.objects(q.object, NamedNode(ONT + "disputedProperty")):
                pairs.add((q.subject.value, p.value))
        for q in self.store.quads_for_pattern(None, NamedNode(ONT + "conflictsWith"), None, None):
            for claim in (q.subject, q.object):
                about = self.first(claim, NamedNode(ONT + "claimAbout"))
                prop = self.first(claim, NamedNode(ONT + "claimProperty"))
                if about is not None and prop is not None:
                    pairs.add((about.value, prop.value))
        return pairs

    def field_names(self, kind: Kind) -> dict[str, str]:
        """Predicate IRI → the YAML field that writes it, for one kind (and the fields mapping adds)."""
        names = {predicate(f).value: f.name for f in kind.fields if f.predicate is not None}
        names.setdefault(ONT + "participant", "participants")
        names.setdefault(ONT + "quoteText", "text")
        names.setdefault(ONT + "statusOf", "parties")
        return names
