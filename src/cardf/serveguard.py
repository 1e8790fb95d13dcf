"""The address `cardf serve` listens on: every request passed to the Oxigraph server, except SERVICE calls.

`oxigraph serve-read-only` runs any SERVICE a query names: anyone who can reach the query
page could make the server fetch from another machine (and from the machine's own private
network). The server has no option to refuse them, so cardf stands in front of it: the
Oxigraph server listens on a private port of 127.0.0.1, and this small HTTP front listens
on the address the user chose. It reads every query a request could carry (the `query` of
the URL, a `application/sparql-query` body, the `query` of a form body; for any other body,
both readings) and refuses with 403 one that calls a SERVICE, judged by sparqltext as
`cardf query` judges it; everything else is passed on as it came and the answer streamed back.
`cardf serve --allow-service` runs without this check.

Without a site, Oxigraph's query page at `/` gets a line above it saying what cardf serves and how to
get the site. The same front serves the static site (`cardf site`) at `/`, and the SPARQL server where Oxigraph
serves it (`/query`, `/store`); an IRI's path without a suffix (`/id/event/x`) is answered as
w3id.org is told to answer it, by content negotiation: Turtle or JSON-LD when asked for, the page
otherwise (README: "Publishing the IRIs"). With `--cors` every answer allows any origin, so a
page from elsewhere may query the endpoint.
"""

from __future__ import annotations

import http.client
import http.server
import re
import socket
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import sparqltext

MAX_BODY = 64 * 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host", "content-length"}
SPARQL_PATHS = ("/query", "/update", "/store")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml", ".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json",
         ".json": "application/json", ".dot": "text/vnd.graphviz; charset=utf-8", ".png": "image/png"}
ALTERNATES = (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"))
SELECTOR = re.compile(r"id/span/([a-z0-9-]+)-(?:position|quote)\Z")  # described by their span (README)
# Above Oxigraph's query page at / when no site is served: what the endpoint is, and how to get the site.
NO_SITE = ('<div id="cardf" style="font:15px/1.5 system-ui,sans-serif;background:#163a5c;color:#fff;'
           'padding:.6rem 1.2rem"><strong>cardf serve</strong> — the build\'s store, read-only. SPARQL endpoint: '
           '<code>/query</code> (every graph at once); write a query below. To read the articles with their '
           'evidence highlighted and a page for every IRI, run <code>cardf site</code>, then <code>cardf serve</code> '
           'again (it serves <code>site/</code> at / when there is one, or the folder given by '
           '<code>--site DIR</code>).</div>').encode()
REFUSAL = ("cardf serve does not run SERVICE calls: this query asks another server for data. "
           "Start `cardf serve --allow-service` to allow them.\n")


def queries_in(path: str, content_type: str, body: bytes) -> list[str]:
    """Every text of a request that the SPARQL server could read as a query."""
    texts = parse_qs(urlsplit(path).query, keep_blank_values=True).get("query", [])
    if body:
        text = body.decode("utf-8", "replace")
        kind = content_type.split(";", 1)[0].strip().lower()
        form = parse_qs(text, keep_blank_values=True).get("query", [])
        if kind == "application/x-www-form-urlencoded":
            texts += form
        elif kind == "application/sparql-query":
            texts.append(text)
        else:  # the server refuses other types; read the body both ways all the same
            texts += form + [text]
    return texts


class ServiceGuard:
    """An HTTP front on (host, port) for the SPARQL server on 127.0.0.1:upstream, and for the site, if any."""

    def __init__(self, host: str, port: int, upstream: int, site: Path | None = None, cors: bool = False,
                 refuse_service: bool = True):
        class Handler(_Handler):
            upstream_port = upstream
            site_root = site.resolve() if site is not None else None
            allow_origin = cors
            refusing = refuse_service

            def log_message(self, format, *args):  # noqa: A002 — the server's log is Oxigraph's, not ours
                pass

        server_class = http.server.ThreadingHTTPServer
        if ":" in host:
            server_class = type("ThreadingHTTPServer6", (server_class,), {"address_family": socket.AF_INET6})
        self.server = server_class((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    upstream_port = 0
    site_root: Path | None = None
    allow_origin = False
    refusing = True

    def end_headers(self) -> None:
        if self.allow_origin:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if self.command == "OPTIONS" and self.allow_origin:
            self.send_response(204)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.site_root is not None and self.command in ("GET", "HEAD") and path not in SPARQL_PATHS:
            return self._static(path)
        return self._pass()

    def _negotiated(self, path: str, target: Path, page: str, status: int) -> tuple[int, str]:
        """Where an IRI's path sends its reader: the alternate the Accept header asks for when it exists, else the
        page (`page`, with `status`)."""
        accept = self.headers.get("accept", "")
        suffix = next((s for kind, s in ALTERNATES if kind in accept), None)
        if suffix is not None and target.with_name(target.name + suffix).is_file():
            return 303, path + suffix
        return status, page

    def _static(self, path: str) -> None:
        """A file of the site; a folder as its index.html; an IRI's path by content negotiation."""
        rel = unquote(path).lstrip("/")
        root = self.site_root
        target = (root / rel).resolve()
        if any(part.startswith(".") for part in Path(rel).parts) or not target.is_relative_to(root):
            return self._answer(404, "not found\n")
        if target.is_dir():
            if not path.endswith("/"):
                status = 303 if rel.startswith("id/") else 301
                return self._redirect(*self._negotiated(path, target, path + "/", status))
            target = target / "index.html"
        if not target.is_file():
            if rel.startswith("id/span/") and not path.endswith("/") and \
                    target.with_name(target.name + ".html").is_file():  # a span: a file, no folder
                return self._redirect(*self._negotiated(path, target, path + ".html", 303))
            selector = SELECTOR.match(rel)
            if selector and (root / "id" / "span" / f"{selector.group(1)}.html").is_file():  # a selector: its span
                return self._redirect(303, f"/id/span/{selector.group(1)}")
            return self._answer(404, "not found\n")
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def _pass(self) -> None:
        if "transfer-encoding" in self.headers:
            return self._answer(411, "send the request with a Content-Length\n")
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            return self._answer(400, "bad Content-Length\n")
        if length > MAX_BODY:
            return self._answer(413, "request too large\n")
        body = self.rfile.read(length) if length else b""
        queries = queries_in(self.path, self.headers.get("content-type", ""), body)
        if self.refusing and any(sparqltext.calls_service(q) for q in queries):
            return self._answer(403, REFUSAL)
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port)
        started = False
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body if length else None, headers=headers)
            answer = upstream.getresponse()
            started = True
            page = None
            if (self.site_root is None and self.command == "GET" and urlsplit(self.path).path == "/"
                    and answer.status == 200 and answer.getheader("content-type", "").startswith("text/html")):
                page = answer.read().replace(b"<body>", b"<body>" + NO_SITE, 1)  # Oxigraph's query page
            self.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() == "content-length" and page is not None:
                    value = str(len(page))
                if key.lower() not in HOP_BY_HOP or key.lower() == "content-length":
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            if page is not None:
                self.wfile.write(page)
            elif self.command != "HEAD":
                while chunk := answer.read(1 << 16):
                    self.wfile.write(chunk)
        except OSError:
            if not started:
                self._answer(502, "the Oxigraph server did not answer\n")
        finally:
            upstream.close()

    def _answer(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_QUERY = _route
