"""Talking to a remote triple store over HTTP, with nothing but the standard library.

`Endpoint` is the one HTTP client of cardf: `cardf load` sends graphs through it (see
remoteload, which owns the two loading protocols) and `cardf query --endpoint` asks its
questions through it (see `query.EndpointTarget`). A request is retried after a transient
failure only when the caller says that applying it twice does no harm.

The timeout is a deadline for the whole request, from connecting to the last byte of the
answer: a server that drips its answer a byte at a time cannot hold a load past it.

Credentials come from the environment only (CARDF_USER/CARDF_PASSWORD or CARDF_TOKEN) and
are masked (see `scrub.py`) in every message this module writes, including what a server
sends back, because servers sometimes echo request headers in their error pages.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from . import __version__
from .credentials import ENV_PASSWORD, ENV_TOKEN, ENV_USER, Credentials, credentials_from_env  # noqa: F401 (callers use remote.*)
from .errors import ExternalError, UsageError

TIMEOUT = 60.0  # seconds one request may take, from connecting to the end of its answer
RETRIES = 3  # extra attempts after a transient failure
BACKOFF = 0.5  # seconds before the first retry; doubled each time
MAX_WAIT = 30.0  # the longest pause between attempts, even when the server's Retry-After asks for more
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
GATEWAY_STATUS = frozenset({502, 504})  # answered by a proxy: the store may have applied the request
DETAIL_CHARS = 200
ANSWER_BYTES = 64 * 1024  # of an error page, or of the answer to a load, which says nothing we need


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
