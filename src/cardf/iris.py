"""Namespaces, prefixes and IRI minting: the one place where cardf decides what things are called."""

from __future__ import annotations

import re

from pyoxigraph import NamedNode

ONTOLOGY_IRI = "https://w3id.org/cardf/ontology"
ONT = ONTOLOGY_IRI + "#"
VOCAB = "https://w3id.org/cardf/vocab/"
DEFAULT_BASE = "https://w3id.org/cardf/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
VOID = "http://rdfs.org/ns/void#"

# IRI path segments of resources under {base}id/ — one prefix each so that every IRI abbreviates.
SEGMENTS = (
    "article", "claim", "commitment", "decision", "disagreement", "document", "document-set", "event", "figure",
    "interval", "office", "opinion", "organization", "participation", "person", "place", "quote",
    "relationship", "relationship-status", "source", "span", "state", "statement",
)

# Controlled vocabularies (SKOS concept schemes) under VOCAB/<scheme>/<code>.
SCHEMES = (
    "article-genre", "commitment-status", "commitment-type", "decision-type", "document-level",
    "document-type", "event-type", "figure-indicator", "figure-qualifier", "figure-unit",
    "organization-type", "participant-role", "place-type", "quote-medium", "relationship-level",
    "statement-mode", "status-kind",
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BASE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+/$")


def is_slug(value: str) -> bool:
    return bool(_SLUG.fullmatch(value))  # match() would let a final line break through into an IRI


def valid_base(base: str) -> bool:
    return bool(_BASE.match(base))


def ont(local: str) -> NamedNode:
    return NamedNode(ONT + local)


def concept(scheme: str, code: str) -> NamedNode:
    return NamedNode(f"{VOCAB}{scheme}/{code}")


def wikidata(qid: str) -> NamedNode:
    return NamedNode(WD + qid)


class Minter:
    """Mints resource and graph IRIs under one base, so `--base` moves every resource at once."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = base
        self.id = base + "id/"

    def resource(self, segment: str, slug: str) -> NamedNode:
        return NamedNode(f"{self.id}{segment}/{slug}")

    def article_graph(self, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/article/{slug}")

    def entities_graph(self) -> NamedNode:
        return NamedNode(f"{self.base}graph/entities")

    def agreement_graph(self) -> NamedNode:
        """What the build finds by putting reports of one record side by side: disagreements, and their claims."""
        return NamedNode(f"{self.base}graph/agreement")

    def shared_graph(self) -> NamedNode:
        """Periods and relationships, which many articles name: described once, here."""
        return NamedNode(f"{self.base}graph/shared")

    @staticmethod
    def ontology_graph() -> NamedNode:
        return NamedNode(ONTOLOGY_IRI)

    def prefixes(self) -> dict[str, str]:
        """Prefixes for Turtle, TriG and the JSON-LD context, in a stable order."""
        out = {
            "cardf": ONT,
            "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS, "oa": OA,
            "prov": PROV, "dcterms": DCTERMS, "schema": SCHEMA, "sem": SEM, "time": TIME,
            "org": ORG, "foaf": FOAF, "wd": WD,
        }
        for scheme in SCHEMES:
            out[scheme] = f"{VOCAB}{scheme}/"
        for seg in SEGMENTS:
            out[seg] = f"{self.id}{seg}/"
        out["article-graph"] = f"{self.base}graph/article/"
        return out
