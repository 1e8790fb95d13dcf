"""`cardf stats`: what a build holds, as a VoID description (Turtle) and as a table people can read.

Counts come from SPARQL aggregates on an in-memory pyoxigraph store filled from the build's
cardf.nq (or any RDF files). The description uses VoID for the dataset, its classes and
properties, its named graphs (subsets, named with the SPARQL Service Description's sd:name)
and its links to Wikidata (one void:Linkset per link predicate). Every node has an IRI
(fragments of the dataset's IRI), so the Turtle has no blank nodes and is byte-stable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store, Triple

from .errors import InputError, Problem
from .iris import DCTERMS, RDF, VOID, WD, XSD, Minter
from .rdfio import is_stdin, read_quads
from .resources import OUT_DIR, old_build_hint
from .render import curie, curies_in, markdown, table

SD = "http://www.w3.org/ns/sparql-service-description#"
FOAF_HOMEPAGE = "http://xmlns.com/foaf/0.1/homepage"
WIKIDATA_HOME = "https://www.wikidata.org/"
BUILD_FILE = "cardf.nq"
EXAMPLES = 3
FORMATS = ("table", "markdown", "json", "turtle")


@dataclass
class GraphStats:
    name: str
    triples: int
    entities: int


@dataclass
class Stats:
    dataset: str
    uri_space: str
    triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # class -> instances
    properties: dict[str, int] = field(default_factory=dict)  # property -> triples
    graphs: list[GraphStats] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)  # link predicate -> triples to Wikidata
    linked_entities: int = 0
    vocabularies: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    endpoint: str | None = None
    source: str = ""


def read_input(paths: list[Path], input_format: str | None = None) -> list[Quad]:
    """A build folder (its cardf.nq keeps the named graphs) or RDF files."""
    quads: list[Quad] = []
    for path in paths:
        if is_stdin(path):
            quads += read_quads(path, input_format)
        elif path.is_dir():
            nq = path / BUILD_FILE
            if not nq.is_file():
                raise InputError(problems=[Problem(f"holds no {BUILD_FILE}; run `cardf build --out {path}` first, "
                                                   "or name RDF files", path)])
            quads += read_quads(nq)
        elif not path.exists():
            raise InputError(problems=[Problem("not found" + ("; run `cardf build` first" + old_build_hint(path)
                                                              if path == OUT_DIR else ""), path)])
        else:
            quads += read_quads(path, input_format)
    return quads


def _one(store: Store, query: str, **kw) -> int:
    for row in store.query(query, **kw):
        return int(row[0].value)
    return 0


def collect(quads: list[Quad], base: str, endpoint: str | None = None, source: str = "") -> Stats:
    minter = Minter(base)
    store = Store()
    store.bulk_extend(quads)
    space = minter.id
    union = {"use_default_graph_as_union": True}
    stats = Stats(dataset=base + "dataset", uri_space=space, endpoint=endpoint, source=source)
    stats.triples = _one(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", **union)
    entity = f'isIRI(?s) && STRSTARTS(STR(?s), "{space}")'
    stats.entities = _one(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER({entity}) }}", **union)
    stats.subjects = _one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }", **union)
    stats.objects = _one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }", **union)
    for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c", **union):
        stats.classes[row["c"].value] = int(row["n"].value)
    for row in store.query("SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } } GROUP BY ?p",
                           **union):
        stats.properties[row["p"].value] = int(row["n"].value)
    for row in store.query(f"SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT IF({entity}, ?s, ?none)) AS ?e) "
                           "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        stats.graphs.append(GraphStats(row["g"].value, int(row["n"].value), int(row["e"].value)))
    default = _one(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    if default:
        stats.graphs.append(GraphStats("", default, _one(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) "
                                                                f"{{ ?s ?p ?o FILTER({entity}) }}")))
    stats.graphs.sort(key=lambda g: g.name)
    for row in store.query(f'SELECT ?p (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{ ?s ?p ?o '
                           f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WD}")) }} }} GROUP BY ?p', **union):
        stats.links[row["p"].value] = int(row["n"].value)
    stats.linked_entities = _one(store, f'SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o '
                                        f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WD}")) }}', **union)
    stats.examples = [row["s"].value for row in store.query(
        f"SELECT DISTINCT ?s {{ ?s ?p ?o FILTER({entity}) }} ORDER BY ?s LIMIT {EXAMPLES}", **union)]
    namespaces = set()
    known = sorted(minter.prefixes().values(), key=len, reverse=True)
    for iri in list(stats.properties) + list(stats.classes):
        ns = next((k for k in known if iri.startswith(k) and not k.startswith(space)), None)
        if ns is None:
            m = re.match(r"^(.*[#/])[^#/]+$", iri)
            ns = m.group(1) if m else None
        if ns:
            namespaces.add(ns)
    stats.vocabularies = sorted(namespaces)
    return stats


def _fragment(kind: str, iri: str, prefixes: dict[str, str]) -> str:
    short = curie(iri, prefixes)
    if short:
        return f"{kind}-{short.replace(':', '-', 1)}"
    return f"{kind}-" + re.sub(r"[^\w.-]+", "-", re.sub(r"^https?://", "", iri)).strip("-")


def void_triples(stats: Stats, prefixes: dict[str, str]) -> list[Triple]:
    d = NamedNode(stats.dataset)
    out: list[Triple] = []

    def add(s, p: str, o) -> None:
        out.append(Triple(s, NamedNode(p), o))

    def count(n: int) -> Literal:
        return Literal(str(n), datatype=NamedNode(XSD + "integer"))

    def part(fragment: str) -> NamedNode:
        return NamedNode(f"{stats.dataset}#{fragment}")

    add(d, RDF + "type", NamedNode(VOID + "Dataset"))
    add(d, DCTERMS + "title", Literal("cardf: diplomacy in news articles, as linked data", language="en"))
    add(d, DCTERMS + "description", Literal("Records of what news articles say about diplomacy, each with the "
                                            "words of the article that state it, under the cardf ontology.",
                                            language="en"))
    add(d, VOID + "triples", count(stats.triples))
    add(d, VOID + "entities", count(stats.entities))
    add(d, VOID + "distinctSubjects", count(stats.subjects))
    add(d, VOID + "distinctObjects", count(stats.objects))
    add(d, VOID + "classes", count(len(stats.classes)))
    add(d, VOID + "properties", count(len(stats.properties)))
    add(d, VOID + "uriSpace", Literal(stats.uri_space))
    for ns in stats.vocabularies:
        add(d, VOID + "vocabulary", NamedNode(ns))
    for iri in stats.examples:
        add(d, VOID + "exampleResource", NamedNode(iri))
    if stats.endpoint:
        add(d, VOID + "sparqlEndpoint", NamedNode(stats.endpoint))
    for cls, n in stats.classes.items():
        node = part(_fragment("class", cls, prefixes))
        add(d, VOID + "classPartition", node)
        add(node, VOID + "class", NamedNode(cls))
        add(node, VOID + "entities", count(n))
    for prop, n in stats.properties.items():
        node = part(_fragment("property", prop, prefixes))
        add(d, VOID + "propertyPartition", node)
        add(node, VOID + "property", NamedNode(prop))
        add(node, VOID + "triples", count(n))
    for g in stats.graphs:
        node = part(_fragment("graph", g.name, prefixes) if g.name else "graph-default")
        add(d, VOID + "subset", node)
        add(node, RDF + "type", NamedNode(VOID + "Dataset"))
        if g.name:
            add(node, SD + "name", NamedNode(g.name))
        add(node, VOID + "triples", count(g.triples))
        add(node, VOID + "entities", count(g.entities))
    if stats.links:
        wikidata = part("wikidata")
        add(wikidata, RDF + "type", NamedNode(VOID + "Dataset"))
        add(wikidata, DCTERMS + "title", Literal("Wikidata", language="en"))
        add(wikidata, FOAF_HOMEPAGE, NamedNode(WIKIDATA_HOME))
        add(wikidata, VOID + "uriSpace", Literal(WD))
        for prop, n in stats.links.items():
            node = part(_fragment("links-wikidata", prop, prefixes))
            add(d, VOID + "subset", node)
            add(node, RDF + "type", NamedNode(VOID + "Linkset"))
            add(node, VOID + "linkPredicate", NamedNode(prop))
            add(node, VOID + "subjectsTarget", d)
            add(node, VOID + "objectsTarget", wikidata)
            add(node, VOID + "triples", count(n))
    return out


def void_turtle(stats: Stats, base: str) -> bytes:
    from . import export

    prefixes = dict(Minter(base).prefixes())
    prefixes.update({"void": VOID, "sd": SD, "foaf": "http://xmlns.com/foaf/0.1/", "dataset": stats.dataset + "#"})
    return export.write_triples(export.sort_triples(void_triples(stats, Minter(base).prefixes())), "ttl", prefixes)


def to_json(stats: Stats) -> dict:
    return {
        "dataset": stats.dataset, "source": stats.source, "triples": stats.triples, "entities": stats.entities,
        "distinct_subjects": stats.subjects, "distinct_objects": stats.objects,
        "sparql_endpoint": stats.endpoint,
        "graphs": [{"graph": g.name or None, "triples": g.triples, "entities": g.entities} for g in stats.graphs],
        "classes": dict(sorted(stats.classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "properties": dict(sorted(stats.properties.items(), key=lambda kv: (-kv[1], kv[0]))),
        "wikidata_links": {"entities": stats.linked_entities, "by_predicate": dict(sorted(stats.links.items()))},
        "vocabularies": stats.vocabularies,
    }


def _table(headers: list[str], rows: list[list[str]], fmt: str, right: set[int]) -> str:
    if fmt == "markdown":
        return markdown(headers, rows, right=right)
    return table(headers, rows, right=right)


def render_summary(stats: Stats, base: str, fmt: str = "table") -> str:
    prefixes = Minter(base).prefixes()

    def c(iri: str) -> str:
        return curies_in(iri, prefixes)

    heading = (lambda text: f"## {text}\n\n") if fmt == "markdown" else (lambda text: f"{text}\n")
    overview = [["triples", f"{stats.triples:,}"], ["entities (in " + stats.uri_space + ")", f"{stats.entities:,}"],
                ["distinct subjects", f"{stats.subjects:,}"], ["distinct objects", f"{stats.objects:,}"],
                ["classes", f"{len(stats.classes):,}"], ["properties", f"{len(stats.properties):,}"],
                ["named graphs", f"{sum(1 for g in stats.graphs if g.name):,}"],
                ["entities linked to Wikidata", f"{stats.linked_entities:,}"],
                ["links to Wikidata", f"{sum(stats.links.values()):,}"]]
    if stats.endpoint:
        overview.append(["SPARQL endpoint", stats.endpoint])
    parts = [heading(f"Dataset {stats.dataset}" + (f" ({stats.source})" if stats.source else "")),
             _table(["measure", "value"], overview, fmt, {1}),
             "\n" + heading("Named graphs"),
             _table(["graph", "triples", "entities"],
                    [[c(g.name) if g.name else "(default graph)", f"{g.triples:,}", f"{g.entities:,}"]
                     for g in stats.graphs], fmt, {1, 2}),
             "\n" + heading("Classes"),
             _table(["class", "instances"], [[c(k), f"{v:,}"] for k, v in
                                             sorted(stats.classes.items(), key=lambda kv: (-kv[1], kv[0]))], fmt, {1}),
             "\n" + heading("Properties"),
             _table(["property", "triples"], [[c(k), f"{v:,}"] for k, v in
                                              sorted(stats.properties.items(), key=lambda kv: (-kv[1], kv[0]))],
                    fmt, {1})]
    if stats.links:
        parts += ["\n" + heading("Links to Wikidata"),
                  _table(["predicate", "links"], [[c(k), f"{v:,}"] for k, v in sorted(stats.links.items())], fmt, {1})]
    return "".join(parts)


def render(stats: Stats, base: str, fmt: str) -> str:
    if fmt == "turtle":
        return void_turtle(stats, base).decode("utf-8")
    if fmt == "json":
        return json.dumps(to_json(stats), ensure_ascii=False, indent=2) + "\n"
    return render_summary(stats, base, fmt)
