"""Talking to a remote triple store over HTTP, with nothing but the standard library.

`Endpoint` is the one HTTP client of cardf: `cardf load` sends graphs through it and
`cardf query --endpoint` asks its questions through it (see `query.EndpointTarget`).

Loading uses two protocols, both with replace semantics so that a load can be repeated safely:

- the SPARQL 1.1 Graph Store HTTP Protocol: one `PUT` per graph, which the store applies
  as one replacement (Oxigraph, Fuseki, GraphDB, Virtuoso all support it);
- SPARQL 1.1 Update, for stores without it: `DROP SILENT GRAPH` then `INSERT DATA` in
  batches. A graph that fits in one batch is replaced by one request (atomic wherever a
  request is a transaction); a bigger one is not, and readers may see it half-filled.

Credentials come from the environment only (CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN)
and are scrubbed from every message this module writes, including what a server sends
back, because servers sometimes echo request headers in their error pages.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from pyoxigraph import BlankNode, DefaultGraph, RdfFormat, Triple, serialize

from . import __version__
from .errors import ExternalError, UsageError
from .store import GraphData, LoadFailed, LoadInterrupted, LoadResult, Progress, total_triples

ENV_USER = "CARDF_USER"
ENV_PASSWORD = "CARDF_PASSWORD"
ENV_TOKEN = "CARDF_TOKEN"

TIMEOUT = 60.0  # seconds to wait for each answer
RETRIES = 3  # extra attempts after a transient failure
BACKOFF = 0.5  # seconds before the first retry; doubled each time
MAX_WAIT = 30.0  # the longest pause between attempts, even when the server's Retry-After asks for more
BATCH = 5000  # triples per SPARQL Update request
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
DETAIL_CHARS = 200


# ----------------------------------------------------------------------------- credentials

@dataclass(frozen=True)
class Credentials:
    """Who we are to the store; never printed (repr hides the values)."""

    scheme: str  # basic, digest or bearer
    user: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    def header(self) -> str | None:
        """The preemptive Authorization header; digest waits for the server's challenge."""
        if self.scheme == "bearer":
            return f"Bearer {self.secret}"
        if self.scheme == "basic":
            return "Basic " + base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")
        return None

    def secrets(self) -> list[str]:
        values = [self.secret, self.header() or ""]
        if self.scheme != "bearer":
            values += [base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")]
            if len(self.user) >= 3:  # a one-letter user name would blank out half of every message
                values.append(self.user)
        return sorted((v for v in values if v), key=len, reverse=True)


def credentials_from_env(environ: Mapping[str, str] | None = None, auth: str = "basic") -> Credentials | None:
    """CARDF_TOKEN for a bearer token, or CARDF_USER and CARDF_PASSWORD for basic/digest."""
    env = os.environ if environ is None else environ
    token, user, password = env.get(ENV_TOKEN), env.get(ENV_USER), env.get(ENV_PASSWORD)
    if token and (user or password):
        raise UsageError(f"both {ENV_TOKEN} and {ENV_USER}/{ENV_PASSWORD} are set; set only one kind of credentials")
    for name, value in ((ENV_TOKEN, token), (ENV_USER, user), (ENV_PASSWORD, password)):
        if value and not (value.isprintable() and (value.isascii() or name != ENV_TOKEN)):
            kind = "printable ASCII" if name == ENV_TOKEN else "printable characters"
            raise UsageError(f"{name} must hold {kind} only (no line breaks or control characters)")
    if token:
        if auth == "digest":
            raise UsageError(f"--auth digest needs {ENV_USER} and {ENV_PASSWORD}, not {ENV_TOKEN}")
        return Credentials("bearer", secret=token)
    if user and password is None:
        raise UsageError(f"{ENV_USER} is set but {ENV_PASSWORD} is not; set both")
    if password and not user:
        raise UsageError(f"{ENV_PASSWORD} is set but {ENV_USER} is not; set both")
    if user:
        return Credentials(auth, user=user, secret=password or "")
    return None


# ----------------------------------------------------------------------------- errors

class RequestFailed(ExternalError):
    """One request that failed for good (after retries where that made sense)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class TimedOut(RequestFailed):
    """No answer came within the endpoint's timeout."""


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
    """One HTTP endpoint of a store, with credentials, timeouts, retries and scrubbed errors."""

    def __init__(self, url: str, option: str, credentials: Credentials | None = None,
                 timeout: float | None = TIMEOUT, retries: int = RETRIES):
        self.url = check_url(url, option)
        self.display = display_url(url)
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        parts = urllib.parse.urlsplit(url)
        handlers: list = [_NoRedirect()]
        if _is_loopback(parts.hostname or ""):
            handlers.append(urllib.request.ProxyHandler({}))  # a proxy cannot reach this machine's loopback
        if credentials and credentials.scheme == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user, credentials.secret)
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        self._opener = urllib.request.build_opener(*handlers)

    def scrub(self, text: str) -> str:
        if self.credentials:
            for secret in self.credentials.secrets():
                text = text.replace(secret, "***")
        return text

    def fail(self, why: str, status: int | None = None) -> RequestFailed:
        return RequestFailed(self.scrub(f"{self.display}: {why}"), status)

    def send(self, method: str, url: str, body: bytes, content_type: str) -> int:
        """Send one request; retry transient failures with backoff; return the 2xx status."""
        return self.request(method, url, body, content_type).status

    def post_form(self, fields: Mapping[str, str], accept: str | None = None) -> Response:
        """POST URL-encoded fields (`query=` or `update=`) to the endpoint's own URL.

        The URL-encoded form is the one every store takes (GraphDB and Virtuoso document only this one).
        """
        body = urllib.parse.urlencode(fields).encode("ascii")
        return self.request("POST", self.url, body, "application/x-www-form-urlencoded", accept)

    def request(self, method: str, url: str, body: bytes, content_type: str, accept: str | None = None) -> Response:
        """Send one request, retrying transient failures with backoff; return the 2xx answer."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, body, content_type, accept)
            except _Transient as exc:
                if attempt > self.retries:
                    tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                    raise self.fail(exc.why + tries, exc.status) from None
                time.sleep(min(MAX_WAIT, exc.wait if exc.wait is not None else BACKOFF * 2 ** (attempt - 1)))

    def _once(self, method: str, url: str, body: bytes, content_type: str, accept: str | None) -> Response:
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Content-Type", content_type)
        req.add_header("User-Agent", f"cardf/{__version__}")
        if accept:
            req.add_header("Accept", accept)
        header = self.credentials.header() if self.credentials else None
        if header:
            req.add_unredirected_header("Authorization", header)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.headers.get_content_type(), resp.read())
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except urllib.error.URLError as exc:
            raise self._network_error(exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:  # raised while reading the answer
            raise self._network_error(exc) from None
        except ValueError:  # urllib's digest handler meeting a challenge it does not know
            if self.credentials and self.credentials.scheme == "digest":
                raise self.fail("HTTP 401 Unauthorized (the endpoint does not offer digest authentication)", 401) \
                    from None
            raise self.fail("the request could not be sent (a header value was refused)") from None

    def _http_error(self, exc: urllib.error.HTTPError) -> Exception:
        status = exc.code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = exc.reason or ""
        try:
            body = exc.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            body = b""
        headers = exc.headers or {}
        why = f"HTTP {status} {phrase}".rstrip()
        detail = _detail(body, headers.get("Content-Type", ""))
        if 300 <= status < 400 and headers.get("Location"):
            target = display_url(urllib.parse.urljoin(exc.filename or "", headers["Location"]))
            detail = f"redirects to {target}; pass that URL"
        elif status == 401:
            detail = (f"check {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}" if self.credentials else
                      f"the endpoint wants credentials: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}") \
                     + (f"; the server says: {detail}" if detail else "")
        if detail:
            why += f" ({detail})"
        if status in TRANSIENT_STATUS:
            return _Transient(why, status, _retry_after(headers.get("Retry-After")))
        return self.fail(why, status)

    def _network_error(self, reason) -> Exception:
        if isinstance(reason, ConnectionRefusedError):
            return self.fail("connection refused (is the server running, and is this the right port?)")
        if isinstance(reason, (TimeoutError, socket.timeout)):
            within = f" within {self.timeout:g} s" if self.timeout is not None else ""
            return TimedOut(self.scrub(f"{self.display}: no answer{within} (a big graph may need a longer --timeout)"))
        if isinstance(reason, socket.gaierror):
            return self.fail("cannot resolve the host name")
        if isinstance(reason, ssl.SSLError):
            return self.fail(f"TLS error: {getattr(reason, 'reason', None) or reason}")
        if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                               http.client.RemoteDisconnected, http.client.IncompleteRead)):
            return _Transient("the connection was closed before an answer came")
        if isinstance(reason, http.client.HTTPException):
            return self.fail(f"not an HTTP answer ({type(reason).__name__}); is this the right URL and scheme?")
        if isinstance(reason, OSError):
            return self.fail(reason.strerror or str(reason))
        return self.fail(str(reason))


class _Transient(Exception):
    def __init__(self, why: str, status: int | None = None, wait: float | None = None):
        super().__init__(why)
        self.why, self.status, self.wait = why, status, wait


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _detail(body: bytes, content_type: str) -> str:
    """The first words of a server's plain-text explanation; HTML error pages are left out."""
    text = body.decode("utf-8", "replace").strip()
    if not text or "html" in content_type.lower() or text.startswith("<"):
        return ""
    text = " ".join(text.split())
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
                progress: Progress | None = None) -> LoadResult:
    """DROP SILENT then INSERT DATA per graph, `batch` triples per request."""

    def replace(g: GraphData, done: Callable[[int], None]) -> None:
        for text, count in update_requests(g, batch):
            endpoint.post_form({"update": text})
            done(count)

    return _load_each(endpoint, graphs, replace, progress)


def update_requests(graph: GraphData, batch: int = BATCH) -> Iterator[tuple[str, int]]:
    """The SPARQL Update requests that replace one graph, with the number of triples each inserts.

    The first request drops the graph and inserts the first batch, so a graph that fits in
    one batch is replaced by one request. Triples that share a blank node travel in the same
    request, since a blank node label means a new node in every request.
    """
    default = isinstance(graph.name, DefaultGraph)
    drop = "DROP SILENT DEFAULT" if default else f"DROP SILENT GRAPH <{graph.name.value}>"
    chunks = batches(graph.triples, batch)
    if not chunks:
        yield drop, 0
        return
    for i, chunk in enumerate(chunks):
        lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
        insert = (f"INSERT DATA {{\n{lines}\n}}" if default
                  else f"INSERT DATA {{ GRAPH <{graph.name.value}> {{\n{lines}\n}} }}")
        yield (f"{drop} ;\n{insert}" if i == 0 else insert), len(chunk)


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
            raise LoadFailed(str(exc), loaded, graphs[i:], partial=sent > before) from None
        except KeyboardInterrupt:
            raise LoadInterrupted(f"{endpoint.display}: interrupted", loaded, graphs[i:], partial=True) from None
        loaded.append(g)
    return LoadResult(endpoint.display, len(graphs), total_triples(graphs), time.perf_counter() - started)
