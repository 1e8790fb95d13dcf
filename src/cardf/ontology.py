"""The ontology as data: reading `ontology/*.ttl` and deriving the JSON-LD context from it.

The context is generated rather than written by hand so that a property's JSON-LD
coercion always matches its declared kind and range in the ontology.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad, Triple

from .errors import InputError, Problem
from .iris import ONT, OWL, RDF, RDFS, XSD, Minter
from .rdfio import read_quads

CONTEXT_FILE = "context.jsonld"
_TYPED_RANGES = {XSD + n for n in ("decimal", "integer", "anyURI", "dateTime", "nonNegativeInteger")}


def ontology_files(ontology_dir: Path) -> list[Path]:
    files = sorted(ontology_dir.glob("*.ttl"))
    if not files:
        raise InputError(problems=[Problem("no ontology files (*.ttl) found", ontology_dir)])
    return files


def load_ontology_quads(ontology_dir: Path) -> list[Triple]:
    """All triples of the ontology folder, deduplicated and in a stable order."""
    dataset = Dataset()
    for path in ontology_files(ontology_dir):
        for q in read_quads(path, "turtle", base_iri=ONT):
            dataset.add(Quad(q.subject, q.predicate, q.object))
    # owl:unionOf lists are blank nodes; canonical labels keep every output byte-identical
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted({q.triple for q in dataset}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def build_context(ontology: list[Triple], minter: Minter) -> dict:
    """A JSON-LD context: prefixes, one term per cardf class and property, common reused terms."""
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    for t in ontology:
        s = t.subject.value if isinstance(t.subject, NamedNode) else None
        if s is None or not s.startswith(ONT):
            continue
        if t.predicate.value == RDF + "type":
            kinds.setdefault(s, set()).add(t.object.value)
        elif t.predicate.value == RDFS + "range" and isinstance(t.object, NamedNode):
            ranges.setdefault(s, set()).add(t.object.value)
    ctx: dict[str, object] = {"id": "@id", "type": "@type"}
    ctx.update(minter.prefixes())
    terms: dict[str, object] = {
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "note": {"@id": "rdfs:comment", "@container": "@language"},
        "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
        "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
        "hasSource": {"@id": "oa:hasSource", "@type": "@id"},
        "hasSelector": {"@id": "oa:hasSelector", "@type": "@id"},
        "exact": {"@id": "oa:exact"},
        "prefix": {"@id": "oa:prefix"},
        "suffix": {"@id": "oa:suffix"},
        "start": {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"},
        "end": {"@id": "oa:end", "@type": "xsd:nonNegativeInteger"},
        "TextQuoteSelector": "oa:TextQuoteSelector",
        "TextPositionSelector": "oa:TextPositionSelector",
    }
    for iri in sorted(kinds):
        local = iri[len(ONT):]
        k = kinds[iri]
        if OWL + "Class" in k:
            terms[local] = f"cardf:{local}"
        elif OWL + "ObjectProperty" in k:
            terms[local] = {"@id": f"cardf:{local}", "@type": "@id"}
        elif OWL + "DatatypeProperty" in k:
            r = ranges.get(iri, set())
            if len(r) == 1 and next(iter(r)) in _TYPED_RANGES:
                terms[local] = {"@id": f"cardf:{local}", "@type": "xsd:" + next(iter(r))[len(XSD):]}
            elif r == {RDF + "langString"}:
                terms[local] = {"@id": f"cardf:{local}", "@container": "@language"}
            else:
                terms[local] = {"@id": f"cardf:{local}"}
        elif RDF + "Property" in k or OWL + "AnnotationProperty" in k:
            terms[local] = {"@id": f"cardf:{local}"}
    clash = set(terms) & set(ctx)
    if clash:
        raise InputError(problems=[Problem(f"ontology terms clash with prefixes in the JSON-LD context: "
                                           f"{', '.join(sorted(clash))}")])
    ctx.update(dict(sorted(terms.items())))
    return {"@context": ctx}


def context_text(context: dict) -> str:
    return json.dumps(context, ensure_ascii=False, indent=2) + "\n"
