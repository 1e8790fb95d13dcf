"""Talking to a remote triple store over HTTP, with nothing but the standard library.

`Endpoint` is the one HTTP client of cardf: `cardf load` sends graphs through it and
`cardf query --endpoint` asks its questions through it (see `query.EndpointTarget`).

Loading uses two protocols, both with replace semantics so that a load can be repeated safely:

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

The timeout is a deadline for the whole request, from connecting to the last byte of the
answer: a server that drips its answer a byte at a time cannot hold a load past it.

Credentials come from the environment only (CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN) and
are masked (see `scrub.py`) in every message this module writes, including what a server
sends back, because servers sometimes echo request headers in their error pages.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import NamedTuple

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, Triple, serialize

from . import __version__
from .credentials import ENV_PASSWORD, ENV_TOKEN, ENV_USER, Credentials, credentials_from_env  # noqa: F401 (callers use remote.*)
from .errors import ExternalError, UsageError
from .store import GraphData, LoadFailed, LoadInterrupted, LoadResult, Progress, total_triples

TIMEOUT = 60.0  # seconds one request may take, from connecting to the end of its answer
RETRIES = 3  # extra attempts after a transient failure
BACKOFF = 0.5  # seconds before the first retry; doubled each time
MAX_WAIT = 30.0  # the longest pause between attempts, even when the server's Retry-After asks for more
BATCH = 5000  # triples per SPARQL Update request
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
GATEWAY_STATUS = frozenset({502, 504})  # answered by a proxy: the store may have applied the request
DETAIL_CHARS = 200
ANSWER_BYTES = 64 * 1024  # of an error page, or of the answer to a load, which says nothing we need
COUNT_GRAPHS = 200  # named graphs per query when the counts are read back


# ----------------------------------------------------------------------------- errors

class RequestFailed(ExternalError):
    """One request that failed for good (after retries where that made sense).

    `applied` says what the server did with it: False when it certainly did nothing (the
    connection was refused, or it answered an error), None when nobody can tell (the answer
    was lost after the request went out).
    """

    def __init__(self, message: str, status: int | None = None, applied: bool | None = False):
        super().__init__(message)
        self.status, self.applied = status, applied


class TimedOut(RequestFailed):
    """The request did not finish within the endpoint's timeout."""


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


@dataclass(frozen=True)
class Response:
    """A successful answer: its status, media type (without parameters) and body."""

    status: int
    content_type: str
    body: bytes


# ----------------------------------------------------------------------------- the HTTP client

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected PUT or POST would lose its body or its credentials: report it instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Deadline:
    """The end of one request's time: when it passes, every socket of the request is shut down.

    A socket timeout limits each read, so a server sending a byte now and then would never
    trip it; shutting the socket down from a timer ends the request wherever it is blocked.
    """

    def __init__(self, seconds: float | None):
        self.expired = self.sent = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire) if seconds else None
        if self._timer:
            self._timer.daemon = True
            self._timer.start()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        if self._timer:
            self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain call, also under a TLS socket
    except OSError:
        pass


def _watched(base: type[http.client.HTTPConnection], handler: _Watching):
    """A connection class whose sockets the handler's current deadline can shut down."""

    class Watched(base):
        def connect(self):
            deadline = handler.deadline
            create = self._create_connection

            def create_and_track(*args, **kwargs):
                sock = create(*args, **kwargs)
                if deadline:
                    deadline.track(sock)
                return sock

            self._create_connection = create_and_track
            super().connect()
            if deadline:
                deadline.track(self.sock)

        def send(self, data):
            if handler.deadline:
                handler.deadline.sent = True
            super().send(data)

    return Watched


class _Watching:
    deadline: _Deadline | None = None


class _HTTP(_Watching, urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_watched(http.client.HTTPConnection, self), req)


class _HTTPS(_Watching, urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_watched(http.client.HTTPSConnection, self), req, context=self._context)


def display_url(url: str) -> str:
    """The endpoint as messages show it: no user info, no query string (either may hold secrets)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return urllib.parse.urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def check_url(url: str, option: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UsageError(f"{option}: not a valid URL") from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{option}: the URL holds credentials; put them in {ENV_USER} and {ENV_PASSWORD} "
                         f"(or {ENV_TOKEN}) instead, so that they stay out of shell history and process lists")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option}: expected an http:// or https:// URL, got {url!r}")
    if parts.fragment:
        raise UsageError(f"{option}: the URL must not have a #fragment")
    return url


def in_clear(url: str, credentials: Credentials | None) -> bool:
    """True when credentials would travel in clear text to another machine."""
    parts = urllib.parse.urlsplit(url)
    return bool(credentials) and parts.scheme == "http" and not _is_loopback(parts.hostname or "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint:
    """One HTTP endpoint of a store, with credentials, a deadline per request, retries and masked errors."""

    def __init__(self, url: str, option: str, credentials: Credentials | None = None,
                 timeout: float | None = TIMEOUT, retries: int = RETRIES):
        self.url = check_url(url, option)
        self.option = option
        self.credentials = credentials
        self._scrubber = credentials.scrubber() if credentials else None
        self.display = self.scrub(display_url(url))
        self.timeout = timeout
        self.retries = retries
        parts = urllib.parse.urlsplit(url)
        self._watching = [_HTTP(), _HTTPS()]
        handlers: list = [_NoRedirect(), *self._watching]
        if _is_loopback(parts.hostname or ""):
            handlers.append(urllib.request.ProxyHandler({}))  # a proxy cannot reach this machine's loopback
        if credentials and credentials.scheme == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user, credentials.secret)
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        self._opener = urllib.request.build_opener(*handlers)

    def sibling(self, url: str) -> Endpoint:
        """Another endpoint of the same store, with the same credentials, timeout and retries."""
        return Endpoint(url, self.option, self.credentials, self.timeout, self.retries)

    def scrub(self, text: str) -> str:
        """cardf's own message: every credential masked, in any spelling."""
        return self._scrubber.message(text) if self._scrubber else text

    def said(self, text: str) -> str:
        """What the server wrote (or made an error say): no part of a credential left."""
        return self._scrubber.said(text) if self._scrubber else text

    def fail(self, why: str, status: int | None = None, applied: bool | None = False) -> RequestFailed:
        return RequestFailed(self.scrub(f"{self.display}: {why}"), status, applied)

    def send(self, method: str, url: str, body: bytes, content_type: str) -> int:
        """Send one request that may be repeated (a PUT); return the 2xx status. The answer's body is not needed."""
        return self.request(method, url, body, content_type, want_body=False).status

    def post_form(self, fields: Mapping[str, str], accept: str | None = None, repeatable: bool = True,
                  want_body: bool = True) -> Response:
        """POST URL-encoded fields (`query=` or `update=`) to the endpoint's own URL.

        The URL-encoded form is the one every store takes (GraphDB and Virtuoso document only this one).
        """
        body = urllib.parse.urlencode(fields).encode("ascii")
        return self.request("POST", self.url, body, "application/x-www-form-urlencoded", accept,
                            repeatable=repeatable, want_body=want_body)

    def request(self, method: str, url: str, body: bytes, content_type: str, accept: str | None = None,
                repeatable: bool = True, want_body: bool = True) -> Response:
        """Send one request, retrying transient failures with backoff; return the 2xx answer.

        A request that is not `repeatable` is not sent again once it may have been applied:
        the failure says `applied=None`, and the caller decides.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, body, content_type, accept, want_body)
            except _Transient as exc:
                if attempt > self.retries or (not repeatable and exc.applied is None):
                    tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                    raise self.fail(exc.why + tries, exc.status, exc.applied) from None
                time.sleep(min(MAX_WAIT, exc.wait if exc.wait is not None else BACKOFF * 2 ** (attempt - 1)))

    def _once(self, method: str, url: str, body: bytes, content_type: str, accept: str | None,
              want_body: bool) -> Response:
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Content-Type", content_type)
        req.add_header("User-Agent", f"cardf/{__version__}")
        if accept:
            req.add_header("Accept", accept)
        header = self.credentials.header() if self.credentials else None
        if header:
            req.add_unredirected_header("Authorization", header)
        deadline = _Deadline(self.timeout)
        for handler in self._watching:
            handler.deadline = deadline
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status, kind = resp.status, resp.headers.get_content_type()
                try:
                    return Response(status, kind, resp.read() if want_body else resp.read(ANSWER_BYTES))
                except (OSError, http.client.HTTPException) as exc:
                    if not want_body:  # the status is the server's word on the request: it was applied
                        return Response(status, kind, b"")
                    raise self._network_error(exc, deadline, f"the answer broke off after HTTP {status}") from None
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, deadline) from None
        except urllib.error.URLError as exc:
            raise self._network_error(exc.reason, deadline) from None
        except (OSError, http.client.HTTPException) as exc:  # raised while reading the answer
            raise self._network_error(exc, deadline) from None
        except ValueError:  # urllib's digest handler meeting a challenge it does not know
            if self.credentials and self.credentials.scheme == "digest":
                raise self.fail("HTTP 401 Unauthorized (the endpoint does not offer digest authentication)", 401) \
                    from None
            raise self.fail("the request could not be sent (a header value was refused)") from None
        finally:
            deadline.cancel()

    def _http_error(self, exc: urllib.error.HTTPError, deadline: _Deadline) -> Exception:
        status = exc.code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = self.said(str(exc.reason or ""))
        try:
            body = exc.read(ANSWER_BYTES)
        except (OSError, http.client.HTTPException):
            body = b""
        headers = exc.headers or {}
        why = f"HTTP {status} {phrase}".rstrip()
        detail = _detail(body, headers.get("Content-Type", ""), self.said)
        if 300 <= status < 400 and headers.get("Location"):
            target = display_url(urllib.parse.urljoin(exc.filename or "", headers["Location"]))
            detail = f"redirects to {self.said(target)}; pass that URL"
        elif status == 401:
            detail = (f"check {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}" if self.credentials else
                      f"the endpoint wants credentials: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}") \
                     + (f"; the server says: {detail}" if detail else "")
        if detail:
            why += f" ({detail})"
        applied = None if status in GATEWAY_STATUS else False  # a gateway cannot know what the store did
        if deadline.expired:
            return self._timed_out(deadline)
        if status in TRANSIENT_STATUS:
            return _Transient(why, status, _retry_after(headers.get("Retry-After")), applied)
        return self.fail(why, status, applied)

    def _timed_out(self, deadline: _Deadline) -> TimedOut:
        within = f" within {self.timeout:g} s" if self.timeout is not None else ""
        return TimedOut(self.scrub(f"{self.display}: no answer{within} (a big graph may need a longer --timeout)"),
                        applied=None if deadline.sent else False)

    def _network_error(self, reason, deadline: _Deadline, broke: str | None = None) -> Exception:
        if deadline.expired or isinstance(reason, (TimeoutError, socket.timeout)):
            return self._timed_out(deadline)
        unknown = None if deadline.sent else False
        if broke:
            return _Transient(broke, applied=unknown)
        if isinstance(reason, ConnectionRefusedError):
            return self.fail("connection refused (is the server running, and is this the right port?)")
        if isinstance(reason, socket.gaierror):
            return self.fail("cannot resolve the host name")
        if isinstance(reason, ssl.SSLError):
            return self.fail(f"TLS error: {self.said(str(getattr(reason, 'reason', None) or reason))}",
                             applied=unknown)
        if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                               http.client.RemoteDisconnected, http.client.IncompleteRead)):
            return _Transient("the connection was closed before an answer came", applied=unknown)
        if isinstance(reason, http.client.HTTPException):
            return self.fail(f"not an HTTP answer ({type(reason).__name__}); is this the right URL and scheme?",
                             applied=unknown)
        if isinstance(reason, OSError):
            return self.fail(self.said(reason.strerror or str(reason)), applied=unknown)
        return self.fail(self.said(str(reason)), applied=unknown)


class _Transient(Exception):
    def __init__(self, why: str, status: int | None = None, wait: float | None = None,
                 applied: bool | None = False):
        super().__init__(why)
        self.why, self.status, self.wait, self.applied = why, status, wait, applied


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _detail(body: bytes, content_type: str, said: Callable[[str], str]) -> str:
    """The first words of a server's plain-text explanation; HTML error pages are left out.

    Credentials are masked in the text as the server sent it, before its spaces are
    collapsed and it is cut: a cut could leave a decodable prefix of a secret, and
    collapsing could hide a secret that holds two spaces in a row.
    """
    text = said(body.decode("utf-8", "replace")).strip()
    if not text or "html" in content_type.lower() or text.startswith("<"):
        return ""
    text = said(" ".join(text.split()))
    return text[:DETAIL_CHARS] + ("…" if len(text) > DETAIL_CHARS else "")


# ----------------------------------------------------------------------------- loading

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
                time.sleep(min(MAX_WAIT, BACKOFF * 2 ** (restarts - 1)))
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
