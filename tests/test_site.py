"""`cardf site`: the files it writes, read back — every record's alternates against the build, the same bytes
twice, disputes from a graph of the many-sources model, and the errors a user meets."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

import cardf.site
import cardf.site.model
from cardf.iris import DEFAULT_BASE, OA, ONT, RDF, RDFS
from cardf.store import write_store
from conftest import DATA, SEED, run, site_args

ID = DEFAULT_BASE + "id/"
# A page's own description: its triples and those of the parts it cites (evidence spans with their selectors,
# participations); an evidence span's page, the span with its selectors.
RECORD = f"""PREFIX cardf: <{ONT}> PREFIX oa: <{OA}>
SELECT DISTINCT ?s ?p ?o WHERE {{
  VALUES ?record {{ <{{record}}> }}
  {{ ?record ?p ?o BIND(?record AS ?s) }}
  UNION {{ ?record cardf:evidence|cardf:hasParticipation|oa:hasSelector ?s . ?s ?p ?o }}
  UNION {{ ?record cardf:evidence/oa:hasSelector ?s . ?s ?p ?o }}
}}"""


def files_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def record_pages(site: Path) -> list[Path]:
    """Every page of a resource: the folder of its IRI, or for an evidence span the file `id/span/<span>.html`."""
    return sorted([*(site / "id").glob("*/*/index.html"), *(site / "id" / "span").glob("*.html")])


def iri_of(site: Path, page: Path) -> str:
    path = page.parent if page.name == "index.html" else page.with_suffix("")
    return DEFAULT_BASE + str(path.relative_to(site))


def test_every_minted_iri_has_a_page_but_a_spans_selectors_which_lead_to_their_spans_page(dist, site):
    store = Store.read_only(str(dist / "store"))
    minted = {s.value for s, in store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                            f"FILTER(STRSTARTS(STR(?s), '{ID}')) }}")}
    selectors = {(s.value, o.value) for s, o in store.query(
        f"SELECT DISTINCT ?span ?selector WHERE {{ GRAPH ?g {{ ?span <{OA}hasSelector> ?selector }} }}")}
    pages = {iri_of(site, p) for p in record_pages(site)}
    assert pages == minted - {selector for _, selector in selectors}
    assert {selector.rsplit("-", 1)[0] == span for span, selector in selectors} == {True}  # …-position, …-quote
    assert {span for span, _ in selectors} <= pages
    assert len([p for p in pages if not re.match(f"{ID}(span|participation)/", p)]) == 206
    assert len([p for p in pages if p.startswith(f"{ID}span/")]) == 167
    assert len([p for p in pages if p.startswith(f"{ID}participation/")]) == 34
    assert [p for p in (site / "id" / "span").iterdir() if p.is_dir()] == []  # a span's page is a file


def test_a_spans_page_sends_the_reader_to_its_words_and_names_its_records(site):
    page = site / "id" / "span" / "visit-putin-tajikistan-2025-10-1.html"
    html = page.read_text(encoding="utf-8")
    target = f"../../id/article/{SEED}/index.html#s-visit-putin-tajikistan-2025-10-1"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
    assert f'<a href="{target}">read it there</a>' in html
    assert '<a href="../../id/event/visit-putin-tajikistan-2025-10/index.html">' in html
    assert '<link rel="alternate" type="text/turtle" href="visit-putin-tajikistan-2025-10-1.ttl">' in html
    assert (page.parent / "visit-putin-tajikistan-2025-10-1.ttl").is_file()
    assert "characters 238–396" in html
    article = (site / "id" / "article" / SEED / "index.html").read_text(encoding="utf-8")
    assert 'id="s-visit-putin-tajikistan-2025-10-1"' in article


def test_a_participations_page_names_who_took_part_in_what(site):
    pages = sorted((site / "id" / "participation").glob("*/index.html"))
    assert pages
    html = next(p for p in pages if "visit-putin-tajikistan-2025-10" in str(p)).read_text(encoding="utf-8")
    assert '<a href="../../../id/person/vladimir-putin/index.html">' in html
    assert '<a href="../../../id/event/visit-putin-tajikistan-2025-10/index.html">' in html


def test_every_alternate_holds_that_records_triples_in_the_build(dist, site):
    store = Store.read_only(str(dist / "store"))
    pages = record_pages(site)
    assert pages
    for page in pages:
        iri = iri_of(site, page)
        html = page.read_text(encoding="utf-8")
        ttl = re.search(r'<link rel="alternate" type="text/turtle" href="([^"]+)">', html).group(1)
        jsonld = re.search(r'<link rel="alternate" type="application/ld\+json" href="([^"]+)">', html).group(1)
        expected = {(s, p, o) for s, p, o in store.query(RECORD.replace("{record}", iri),
                                                         use_default_graph_as_union=True)}
        as_turtle = {(t.subject, t.predicate, t.object) for t in
                     parse((page.parent / ttl).read_bytes(), format=RdfFormat.TURTLE)}
        as_jsonld = {(t.subject, t.predicate, t.object) for t in
                     parse((page.parent / jsonld).read_bytes(), format=RdfFormat.JSON_LD)}
        assert as_turtle == expected, iri
        assert as_jsonld == expected, iri


def test_the_same_build_gives_the_same_bytes(dist, site, tmp_path):
    again = tmp_path / "again"
    result = run(*site_args(dist, again))
    assert result.exit_code == 0, result.output
    assert files_of(again) == files_of(site)


def test_pages_written_by_worker_processes_are_the_same_bytes(dist, site, tmp_path, monkeypatch):
    """A big site's pages are written by forked workers and its store read by helper processes: the bytes and
    the folder's marker are those of one process."""
    monkeypatch.setattr(cardf.site, "PARALLEL_MIN", 0)
    monkeypatch.setattr(cardf.site, "WORKERS", 2)
    monkeypatch.setattr(cardf.site.model, "PARALLEL_READ_BYTES", 0)
    again = tmp_path / "again"
    result = run(*site_args(dist, again))
    assert result.exit_code == 0, result.output
    assert files_of(again) == files_of(site)
    marker = json.loads((again / ".cardf-build").read_text(encoding="utf-8"))
    assert set(marker["files"]) == {str(p.relative_to(again)) for p in again.rglob("*")
                                    if p.is_file() and p.name != ".cardf-build"}
    assert set(marker["folders"]) == {str(p.relative_to(again)) for p in again.rglob("*") if p.is_dir()}
    result = run(*site_args(dist, again))  # and the marker lets cardf replace it
    assert result.exit_code == 0, result.output


def test_the_seed_site_is_small_and_loads_nothing_from_elsewhere(site):
    files = [p for p in site.rglob("*") if p.is_file()]
    served = [p for p in files if p.name != ".cardf-build"]  # cardf's marker is not served (as bench/site.py counts)
    assert sum(p.stat().st_size for p in served) < 5_000_000
    for p in files:
        if p.suffix in (".html", ".css", ".js"):
            text = p.read_text(encoding="utf-8")
            loads = re.findall(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="(https?:)?//', text)
            assert loads == [], p
            assert "@import" not in text and "url(http" not in text, p


def test_says_what_it_wrote(dist, tmp_path):
    result = run(*site_args(dist, tmp_path / "s"))
    assert result.exit_code == 0
    files = [p for p in (tmp_path / "s").rglob("*") if p.is_file() and p.name != ".cardf-build"]
    size = sum(p.stat().st_size for p in files)
    assert result.output == (f"Wrote {len(files)} files ({size / 1e6:.1f} MB) to {tmp_path / 's'}/: 1 article(s) "
                             f"with 167 evidence spans, 206 record and entity pages, 201 pages of evidence spans "
                             "and participations.\n")


def test_a_folder_without_a_build(tmp_path):
    result = run(*site_args(tmp_path / "nothing", tmp_path / "s"))
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path / 'nothing' / 'store'}: no store here; run `cardf build` first, "
                             "or pass --store DIR (the store/ of a build)\n")
    assert not (tmp_path / "s").exists()


def test_an_article_text_that_changed_since_the_build(dist, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    text = data / "articles" / SEED / "article.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Так, в ходе", "Итак, в ходе"), encoding="utf-8")
    result = run(*site_args(dist, tmp_path / "s", data))
    assert result.exit_code == 2
    assert result.output == (f"Error: {text}: the text differs from the build (the evidence "
                             "visit-putin-tajikistan-2025-10-1 at 238–396 is not there); run `cardf build` again\n")
    text.write_text("Так, " + text.read_text(encoding="utf-8").replace("Итак, в ходе", "Так, в ходе"), encoding="utf-8")
    result = run(*site_args(dist, tmp_path / "s", data))
    assert result.exit_code == 2


def test_a_folder_that_is_not_a_site_of_cardf_is_left_alone(dist, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run(*site_args(dist, out))
    assert result.exit_code == 2
    assert "notes.txt" in result.output and "cardf" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


# ----------------------------------------------------------------------------- the many-sources model

def multi_source_build(tmp_path: Path) -> tuple[Path, Path]:
    """A store in the form of issue 13: a visit defined in article A, reported by B with another date."""
    text_a, text_b = "Визит состоялся 25 ноября.", "Визит прошёл 26 ноября."
    g_a = NamedNode(DEFAULT_BASE + "graph/article/article-a")
    g_b = NamedNode(DEFAULT_BASE + "graph/article/article-b")
    agreement = NamedNode(DEFAULT_BASE + "graph/agreement")
    visit, prop = NamedNode(ID + "event/visit-x"), NamedNode(ONT + "startDate")
    art_a, art_b = NamedNode(ID + "article/article-a"), NamedNode(ID + "article/article-b")
    claim_a = NamedNode(ID + "claim/visit-x--start--article-a")
    claim_b = NamedNode(ID + "claim/visit-x--start--article-b")
    dis = NamedNode(ID + "disagreement/visit-x--start")
    date = NamedNode("http://www.w3.org/2001/XMLSchema#date")
    quads = []

    def q(s, p, o, g):
        quads.append(Quad(s, NamedNode(p) if isinstance(p, str) else p, o, g))

    def span(name, article, text, graph, record):
        node = NamedNode(ID + f"span/{name}")
        pos, quote = NamedNode(node.value + "-position"), NamedNode(node.value + "-quote")
        q(record, ONT + "evidence", node, graph)
        q(node, RDF + "type", NamedNode(ONT + "Evidence"), graph)
        q(node, OA + "hasSource", article, graph)
        q(node, OA + "hasSelector", pos, graph)
        q(node, OA + "hasSelector", quote, graph)
        q(pos, OA + "start", Literal("0", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")),
          graph)
        q(pos, OA + "end", Literal(str(len(text)), datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#nonNegativeInteger")), graph)
        q(quote, OA + "exact", Literal(text), graph)

    for art, g, text in ((art_a, g_a, text_a), (art_b, g_b, text_b)):
        q(art, RDF + "type", NamedNode(ONT + "Article"), g)
        q(art, ONT + "textLength", Literal(str(len(text)), datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), g)
        q(visit, ONT + "reportedIn", art, g)
    q(visit, RDF + "type", NamedNode(ONT + "Event"), g_a)
    q(visit, RDFS + "label", Literal("The visit", language="en"), g_a)
    q(visit, prop, Literal("2025-11-25", datatype=date), g_a)
    span("visit-x-1", art_a, text_a, g_a, visit)
    span("visit-x--article-b-1", art_b, text_b, g_b, visit)
    for claim, art, value, g in ((claim_a, art_a, "2025-11-25", agreement), (claim_b, art_b, "2025-11-26", g_b)):
        q(claim, RDF + "type", NamedNode(ONT + "Claim"), g)
        q(claim, ONT + "claimAbout", visit, g)
        q(claim, ONT + "claimProperty", prop, g)
        q(claim, ONT + "claimValue", Literal(value, datatype=date), g)
        q(claim, ONT + "accordingTo", art, g)
    q(claim_a, ONT + "evidence", NamedNode(ID + "span/visit-x-1"), agreement)  # as build.agreement words it
    q(claim_b, ONT + "evidence", NamedNode(ID + "span/visit-x--article-b-1"), g_b)
    q(dis, RDF + "type", NamedNode(ONT + "Disagreement"), agreement)
    q(dis, ONT + "disagreementAbout", visit, agreement)
    q(dis, ONT + "disputedProperty", prop, agreement)
    q(dis, ONT + "hasClaim", claim_a, agreement)
    q(dis, ONT + "hasClaim", claim_b, agreement)
    q(visit, ONT + "hasDisagreement", dis, agreement)
    dist = tmp_path / "dist"
    dist.mkdir()
    write_store(dist / "store", quads)
    data = tmp_path / "data"
    for slug, text in (("article-a", text_a), ("article-b", text_b)):
        (data / "articles" / slug).mkdir(parents=True)
        (data / "articles" / slug / "article.txt").write_text(text, encoding="utf-8")
    return dist, data


def test_a_value_the_sources_dispute_is_flagged_with_every_sources_value(tmp_path):
    dist, data = multi_source_build(tmp_path)
    result = run(*site_args(dist, tmp_path / "site", data))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "id" / "event" / "visit-x" / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="disputed"><th>(.*?)</th><td>(.*?)</td></tr>', page).groups()
    assert "startDate" in row[0]  # this store has no ontology graph to name it
    assert re.findall(r"<li>(\S+) <span class=\"muted\">according to</span> <a href=\"[^\"]+\">(?:<span[^>]*>)?"
                      r"([\w-]+)", row[1]) == [("2025-11-25", "article"), ("2025-11-26", "article")]
    # each source's value with its own words, linked to them in that source's reader
    assert re.findall(r'<span class="said" lang="ru"><a href="([^"]+)">«([^»]+)»</a>', row[1]) == [
        ("../../../id/article/article-a/index.html#s-visit-x-1", "Визит состоялся 25 ноября."),
        ("../../../id/article/article-b/index.html#s-visit-x--article-b-1", "Визит прошёл 26 ноября.")]
    # the record's evidence in both articles, each linking into its own reader
    assert re.findall(r'href="(\.\./\.\./\.\./id/article/[\w-]+/index\.html#s-[\w-]+)">read it', page) == [
        "../../../id/article/article-a/index.html#s-visit-x-1",
        "../../../id/article/article-b/index.html#s-visit-x--article-b-1"]
    claim = (tmp_path / "site" / "id" / "claim" / "visit-x--start--article-b" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<p><span class="kind"[^>]*>claim</span>.*?<span class="flag">disputed</span></p>', claim)
    reader = (tmp_path / "site" / "id" / "article" / "article-b" / "index.html").read_text(encoding="utf-8")
    data_b = json.loads(re.search(r'id="reader-data">(.*?)</script>', reader).group(1).replace("<\\/", "</"))
    # the visit, and the claim of article B about it: both disputed
    assert sorted((r["kind"], r["disputed"]) for r in data_b["records"]) == [("claim", 1), ("event", 1)]
    assert re.search(r'<mark class="ev k-(event|claim) [^"]*disp"', reader)
