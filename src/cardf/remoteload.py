"""Loading graphs into a remote triple store, through `remote.Endpoint`, so that a load can be repeated safely.

Two protocols, both with replace semantics:

- the SPARQL 1.1 Graph Store HTTP Protocol: one `PUT` per graph, which the store applies
  as one replacement (Oxigraph, Fuseki, GraphDB, Virtuoso all support it);
- SPARQL 1.1 Update, for stores without it: `DROP SILENT GRAPH` then `INSERT DATA` in
  batches. A graph that fits in one batch is replaced by one request (atomic wherever a
  request is a transaction); a bigger one is not, and readers may see it half-filled.

A request that may have been applied already is retried only when applying it twice does
no harm: a PUT, the first request of a graph (it drops the graph), an INSERT DATA without blank
nodes. An INSERT DATA with blank nodes makes new nodes each time, so when its answer is lost
the graph is replaced again from its first request instead. Triple counts per named graph are
read back after an update load, and the summary says whether they match.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import NamedTuple

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, Triple, serialize

from . import remote
from .errors import ExternalError
from .remote import Endpoint, RequestFailed
from .store import GraphData, LoadFailed, LoadInterrupted, LoadResult, Progress, total_triples

BATCH = 5000  # triples per SPARQL Update request
COUNT_GRAPHS = 200  # named graphs per query when the counts are read back


class CountsDiffer(ExternalError):
    """After a load, the store holds other numbers of triples than were sent."""

    def __init__(self, target: str, differ: list[tuple[str, int, int]]):
        super().__init__(f"{target}: after the load, {len(differ)} graph(s) hold other numbers of triples than "
                         "cardf sent (a request applied twice, or partly?); load again")
        self.differ = differ

    def lines(self, limit: int = 50) -> list[str]:
        shown = [f"{label}: the store holds {held:,}, cardf sent {sent:,}" for label, held, sent in self.differ[:5]]
        more = [f"… and {len(self.differ) - 5} more"] if len(self.differ) > 5 else []
        return [str(self), *shown, *more]

def graph_url(endpoint: str, graph: GraphData) -> str:
    """The Graph Store Protocol's indirect identification: ?graph=IRI, or ?default."""
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    base = endpoint.rstrip("?&") if endpoint.endswith(("?", "&")) else endpoint
    if isinstance(graph.name, DefaultGraph):
        return f"{base}{sep}default"
    return f"{base}{sep}graph={urllib.parse.quote(graph.name.value, safe='')}"


def load_graph_store(endpoint: Endpoint, graphs: list[GraphData], progress: Progress | None = None) -> LoadResult:
    """PUT each graph (as Turtle, written as N-Triples, which every Turtle parser reads)."""

    def put(g: GraphData, done: Callable[[int], None]) -> None:
        body = serialize(g.triples, format=RdfFormat.N_TRIPLES) or b""
        endpoint.send("PUT", graph_url(endpoint.url, g), body, "text/turtle; charset=utf-8")
        done(len(g.triples))

    return _load_each(endpoint, graphs, put, progress)


def load_update(endpoint: Endpoint, graphs: list[GraphData], batch: int = BATCH,
                progress: Progress | None = None, query_url: str | None = None) -> LoadResult:
    """DROP SILENT then INSERT DATA per graph, `batch` triples per request; then the counts read back.

    When the answer to a request that must not be repeated is lost, the graph is replaced
    again from its first request (which drops it), up to `endpoint.retries` times.
    """

    def replace(g: GraphData, done: Callable[[int], None]) -> None:
        requests = list(update_requests(g, batch))
        restarts = i = sent = reported = 0
        while i < len(requests):
            update = requests[i]
            try:
                endpoint.post_form({"update": update.text}, repeatable=update.repeatable, want_body=False)
            except RequestFailed as exc:
                if exc.applied is not None or update.repeatable or restarts >= endpoint.retries:
                    raise
                restarts += 1
                time.sleep(min(remote.MAX_WAIT, remote.BACKOFF * 2 ** (restarts - 1)))  # one knob for every retry
                i = sent = 0
                continue
            i, sent = i + 1, sent + update.triples
            if sent > reported:
                done(sent - reported)
                reported = sent

    result = _load_each(endpoint, graphs, replace, progress)
    checked = check_counts(endpoint.sibling(query_url or query_url_of(endpoint.url)), graphs)
    return LoadResult(result.target, result.graphs, result.triples, result.seconds, checked)


class Update(NamedTuple):
    text: str
    triples: int
    repeatable: bool  # applying it twice leaves the store as applying it once


def update_requests(graph: GraphData, batch: int = BATCH) -> Iterator[Update]:
    """The SPARQL Update requests that replace one graph.

    The first request drops the graph and inserts the first batch, so a graph that fits in
    one batch is replaced by one request, and repeating the first request starts the graph
    afresh. Triples that share a blank node travel in the same request, since a blank node
    label means a new node in every request; for the same reason a later request with blank
    nodes must not be repeated.
    """
    default = isinstance(graph.name, DefaultGraph)
    drop = "DROP SILENT DEFAULT" if default else f"DROP SILENT GRAPH <{graph.name.value}>"
    chunks = batches(graph.triples, batch)
    if not chunks:
        yield Update(drop, 0, True)
        return
    for i, chunk in enumerate(chunks):
        lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
        insert = (f"INSERT DATA {{\n{lines}\n}}" if default
                  else f"INSERT DATA {{ GRAPH <{graph.name.value}> {{\n{lines}\n}} }}")
        blank = any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in chunk)
        yield Update(f"{drop} ;\n{insert}" if i == 0 else insert, len(chunk), i == 0 or not blank)


def batches(triples: list[Triple], size: int) -> list[list[Triple]]:
    """Consecutive batches of about `size` triples that never split a blank node's triples."""
    if not any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples):
        return [triples[i:i + size] for i in range(0, len(triples), size)]
    parent: dict[BlankNode, BlankNode] = {}

    def root(node: BlankNode) -> BlankNode:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        nodes = [x for x in (t.subject, t.object) if isinstance(x, BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
        for node in nodes:
            root(node)
    units: dict[object, list[Triple]] = {}
    for i, t in enumerate(triples):
        node = t.subject if isinstance(t.subject, BlankNode) else t.object
        key = root(node) if isinstance(node, BlankNode) else i
        units.setdefault(key, []).append(t)
    out: list[list[Triple]] = [[]]
    for unit in units.values():
        if out[-1] and len(out[-1]) + len(unit) > size:
            out.append([])
        out[-1].extend(unit)
    return out if out[0] else []


def _load_each(endpoint: Endpoint, graphs: list[GraphData], replace, progress: Progress | None) -> LoadResult:
    started = time.perf_counter()
    loaded: list[GraphData] = []
    sent = 0

    def done(count: int) -> None:
        nonlocal sent
        sent += count
        if progress and count:
            progress(count)

    for i, g in enumerate(graphs):
        before = sent
        try:
            replace(g, done)
        except RequestFailed as exc:
            state = "partial" if sent > before else ("unknown" if exc.applied is None else "failed")
            raise LoadFailed(str(exc), loaded, graphs[i:], state) from None
        except KeyboardInterrupt:
            state = "partial" if sent > before else "unknown"
            raise LoadInterrupted(f"{endpoint.display}: interrupted", loaded, graphs[i:], state) from None
        loaded.append(g)
    return LoadResult(endpoint.display, len(graphs), total_triples(graphs), time.perf_counter() - started)


# ----------------------------------------------------------------------------- reading the counts back

def query_url_of(update_url: str) -> str:
    """Where the store answers queries: Oxigraph and Fuseki put them beside /update at /query; else the same URL."""
    parts = urllib.parse.urlsplit(update_url)
    if parts.path.endswith("/update"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[:-len("update")] + "query"))
    return update_url


def check_counts(endpoint: Endpoint, graphs: list[GraphData]) -> str:
    """Count the triples of each named graph in the store; raise CountsDiffer unless they are what was sent.

    Returns the sentence the summary ends with: what was counted, or why nothing was.
    """
    named = [g for g in graphs if isinstance(g.name, NamedNode)]
    if not named:
        return "not counted back (a store may show all its graphs in the default graph)"
    held: dict[str, int] = {}
    try:
        for i in range(0, len(named), COUNT_GRAPHS):
            values = " ".join(f"<{g.name.value}>" for g in named[i:i + COUNT_GRAPHS])
            answer = endpoint.post_form({"query": f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                                                  "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                                        "application/sparql-results+json")
            for row in json.loads(answer.body)["results"]["bindings"]:
                held[row["g"]["value"]] = int(row["n"]["value"])
    except RequestFailed as exc:
        return f"not counted back ({exc.status and f'HTTP {exc.status}' or 'no answer'} from {endpoint.display})"
    except (ValueError, KeyError, TypeError):
        return f"not counted back ({endpoint.display} did not answer in SPARQL JSON)"
    differ = [(g.label, held.get(g.name.value, 0), len(g.triples)) for g in named
              if held.get(g.name.value, 0) != len(g.triples)]
    if differ:
        raise CountsDiffer(endpoint.display, differ)
    extra = " (the default graph is not counted)" if len(named) < len(graphs) else ""
    return f"counted back at {endpoint.display}: the same in every named graph{extra}"
