"""`cardf serve --site`: the site at / beside the SPARQL endpoint, an IRI's path answered by content negotiation
as the README's w3id.org rules answer it, and --cors — over real HTTP, with the real Oxigraph server behind."""

from __future__ import annotations

import http.client
import json

import pytest
from pyoxigraph import RdfFormat, parse

from cardf.iris import DEFAULT_BASE
from test_cli_serve import start_serve, stop_serve as stop

PUTIN = "/id/person/vladimir-putin"
SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"




@pytest.fixture(scope="module")
def front(dist, site):
    serving = start_serve(dist / "store", "--site", str(site), "--cors")
    try:
        yield serving
    finally:
        stop(serving)


def ask(serving, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_the_site_is_at_the_root_and_a_folder_is_its_index(front, site):
    status, headers, body = ask(front, "/")
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert body == (site / "index.html").read_bytes()
    status, _, body = ask(front, PUTIN + "/")
    assert status == 200 and body == (site / PUTIN.lstrip("/") / "index.html").read_bytes()


@pytest.mark.parametrize(("accept", "location"), [
    ("text/turtle", PUTIN + ".ttl"),
    ("application/ld+json", PUTIN + ".jsonld"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", PUTIN + "/"),
    ("", PUTIN + "/"),
])
def test_an_iris_path_is_answered_by_content_negotiation(front, accept, location):
    status, headers, _ = ask(front, PUTIN, headers={"Accept": accept} if accept else {})
    assert (status, headers["location"]) == (303, location)


def test_a_span_leads_to_the_reader_and_its_selectors_to_the_span(front):
    span = "/id/span/visit-putin-tajikistan-2025-10-1"
    assert ask(front, span, headers={"Accept": "text/turtle"})[1]["location"] == span + ".ttl"
    assert ask(front, span, headers={"Accept": "application/ld+json"})[1]["location"] == span + ".jsonld"
    status, headers, _ = ask(front, span, headers={"Accept": "text/html"})
    assert (status, headers["location"]) == (303, span + ".html")  # a span's page is a file, not a folder
    status, _, body = ask(front, span + ".html")
    assert status == 200 and b'http-equiv="refresh"' in body and b"#s-visit-putin-tajikistan-2025-10-1" in body
    assert ask(front, span + "/")[0] == 404
    for part in ("position", "quote"):
        status, headers, _ = ask(front, f"{span}-{part}", headers={"Accept": "text/turtle"})
        assert (status, headers["location"]) == (303, span)
    status, _, body = ask(front, span + ".ttl")
    subjects = {t.subject.value for t in parse(body, format=RdfFormat.TURTLE)}
    assert subjects == {DEFAULT_BASE + span.lstrip("/") + suffix for suffix in ("", "-position", "-quote")}


def test_the_turtle_and_json_ld_it_leads_to_describe_that_iri(front):
    status, headers, body = ask(front, PUTIN + ".ttl")
    assert (status, headers["content-type"]) == (200, "text/turtle; charset=utf-8")
    subjects = {t.subject.value for t in parse(body, format=RdfFormat.TURTLE)}
    assert DEFAULT_BASE + PUTIN.lstrip("/") in subjects
    status, headers, body = ask(front, PUTIN + ".jsonld")
    assert (status, headers["content-type"]) == (200, "application/ld+json")
    assert any(DEFAULT_BASE + PUTIN.lstrip("/") in t.subject.value for t in parse(body, format=RdfFormat.JSON_LD))


@pytest.mark.parametrize("path", ["/id/person/nobody", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/.cardf-build", "/id/person/vladimir-putin.ttl/x"])
def test_what_is_not_in_the_site_is_not_found(front, path):
    status, _, body = ask(front, path)
    assert status == 404 and b"root:" not in body


def test_sparql_is_where_oxigraph_serves_it_and_service_calls_are_still_refused(front):
    assert front.count() > 1000
    status, _, _ = ask(front, "/query", "POST", {"Content-Type": "application/sparql-query"}, SERVICE.encode())
    assert status == 403
    status, _, _ = ask(front, "/update", "POST", {"Content-Type": "application/sparql-update"},
                       b"INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    assert status == 403


def test_cors_lets_a_page_from_elsewhere_query_and_read(front):
    status, headers, _ = ask(front, "/query", "OPTIONS", {"Origin": "http://example.org",
                                                         "Access-Control-Request-Method": "POST"})
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    status, headers, body = ask(front, "/query", "POST", {"Content-Type": "application/sparql-query",
                                                          "Accept": "application/sparql-results+json",
                                                          "Origin": "http://example.org"},
                                b"ASK { ?s ?p ?o }")
    assert (status, headers["access-control-allow-origin"], json.loads(body)["boolean"]) == (200, "*", True)
    status, headers, _ = ask(front, PUTIN + ".ttl", headers={"Origin": "http://example.org"})
    assert (status, headers["access-control-allow-origin"]) == (200, "*")


def test_without_cors_no_origin_is_allowed(dist, site):
    serving = start_serve(dist / "store", "--site", str(site))
    try:
        status, headers, _ = ask(serving, PUTIN + "/", headers={"Origin": "http://example.org"})
        assert status == 200 and "access-control-allow-origin" not in headers
    finally:
        stop(serving)
