"""The site in a real browser: Debian's headless Chromium, driven by Playwright, reading the DOM as a person would.

Why Playwright: its PyPI wheel carries its own driver, it drives a Chromium installed elsewhere (Debian's, by
tests/install_chromium.sh) without downloading a browser of its own, and it gives the console, every request
and screenshots in one API. The pages are opened from file:// (as a reader opens a folder) and, for the query
page, through `cardf serve` with the real Oxigraph server. Screenshots at 1400 px are written to
build/screenshots/ for people to look at; they are not compared pixel by pixel.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pyoxigraph import Store

from cardf.iris import DEFAULT_BASE, OA, ONT
from conftest import ROOT, SEED
from test_cli_serve import start_serve, stop_serve

SHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
ARTICLE = f"id/article/{SEED}/index.html"
SPANS = f"""PREFIX oa: <{OA}> PREFIX cardf: <{ONT}>
SELECT DISTINCT ?span ?start ?end ?exact WHERE {{
  ?record cardf:evidence ?span . ?span oa:hasSource <{DEFAULT_BASE}id/article/{SEED}> ;
    oa:hasSelector ?p , ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }} ORDER BY ?span"""


def chromium_path() -> str:
    found = shutil.which("chromium")
    why = ""
    if found is None:  # the bootstrap `make test` runs; here too, for a bare `pytest`, and to say why it failed
        done = subprocess.run(["sh", str(ROOT / "tests" / "install_chromium.sh")], stderr=subprocess.PIPE,
                              text=True, check=False)
        why = done.stderr
        found = shutil.which("chromium")
    assert found, f"Debian's chromium is needed for the browser tests and could not be installed:\n{why}"
    return found


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Visit:
    """A page with every console message, page error and request it made recorded."""

    def __init__(self, browser, width: int = 1400):
        self.context = browser.new_context(viewport={"width": width, "height": 1000})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    v = Visit(browser)
    yield v
    v.close()


def url(site: Path, rel: str) -> str:
    path, _, anchor = rel.partition("#")
    return (site / path).as_uri() + (f"#{anchor}" if anchor else "")


def seed_spans(dist: Path) -> list[tuple[str, int, int, str]]:
    store = Store.read_only(str(dist / "store"))
    return [(s.value, int(a.value), int(b.value), e.value)
            for s, a, b, e in store.query(SPANS, use_default_graph_as_union=True)]


def test_every_evidence_span_is_highlighted_and_its_offsets_slice_back_to_its_words(dist, site, visit):
    spans = seed_spans(dist)
    assert len(spans) == 167
    visit.page.goto(url(site, ARTICLE))
    found = visit.page.evaluate("""(spans) => {
      const text = document.getElementById('text').textContent;
      const D = JSON.parse(document.getElementById('reader-data').textContent);
      const marks = [...document.querySelectorAll('#text mark')];
      return spans.map(([iri, start, end, exact]) => {
        const local = 's-' + iri.split('/').pop(), i = D.anchors[local];
        const covered = marks.filter(m => m.dataset.s.split(' ').map(Number).includes(i))
                             .map(m => m.textContent).join('');
        return [text.slice(start, end) === exact, covered === exact, !!document.getElementById(local),
                D.spans[i][0] === start && D.spans[i][1] === end];
      });
    }""", spans)
    assert found == [[True, True, True, True]] * len(spans)
    assert visit.problems == []


def test_clicking_words_shows_their_records_and_leads_to_the_visit_then_to_putin_and_back(site, visit):
    page = visit.page
    page.goto(url(site, ARTICLE))
    sentence = page.locator("#text mark", has_text="в ходе государственного визита Владимира Путина").first
    sentence.click()
    panel = page.locator("#panel")
    assert "records cite these words" in panel.inner_text() or "record cites these words" in panel.inner_text()
    visit_link = panel.locator("a[href$='id/event/visit-putin-tajikistan-2025-10/index.html']").first
    assert visit_link.inner_text() == "Vladimir Putin's state visit to Tajikistan"
    visit_link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Vladimir Putin's state visit to Tajikistan"
    page.locator("table.props a[href$='id/person/vladimir-putin/index.html']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Vladimir Putin"
    assert page.locator("a[rel=external][href='http://www.wikidata.org/entity/Q7747']").count() >= 1
    page.go_back()
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith(ARTICLE)
    assert visit.problems == []


def test_a_link_into_the_reader_lights_up_its_span(site, visit):
    page = visit.page
    page.goto(url(site, "id/event/visit-putin-kyrgyzstan-2025-11/index.html"))
    page.locator("a.read").first.click()
    page.wait_for_load_state()
    assert "#s-visit-putin-kyrgyzstan-2025-11-1" in page.url
    lit = page.locator("#text mark.target")
    assert lit.count() >= 1
    assert "".join(lit.all_text_contents()) == ("25 ноября состоялся двухдневный официальный визит российского "
                                                "президента Владимира Путина в Киргизию.")
    assert "Vladimir Putin's visit to Kyrgyzstan" in page.locator("#panel").inner_text()
    assert visit.problems == []


def test_the_timeline_lists_every_dated_event_in_order(dist, site, visit):
    store = Store.read_only(str(dist / "store"))
    dated = {e.value: d.value for e, d in store.query(
        f"SELECT ?e ?d WHERE {{ ?e a <{ONT}Event> ; <{ONT}startDate>|<{ONT}date> ?d }}",
        use_default_graph_as_union=True)}
    assert len(dated) == 6
    visit.page.goto(url(site, "timeline/index.html"))
    shown = visit.page.evaluate("""() => [...document.querySelectorAll('#timeline ol')].map(ol =>
        [...ol.children].filter(li => li.dataset.start).map(li => [li.dataset.iri, li.dataset.start]))""")
    assert {iri: start for level in shown for iri, start in level} == dated
    for level in shown:
        assert [start for _, start in level] == sorted(start for _, start in level)
    nested = visit.page.locator("li[data-iri$='visit-putin-tajikistan-2025-10'] "
                                "li[data-iri$='talks-putin-rahmon-2025-10']")
    assert nested.locator(".when.text").first.inner_text() == "during the visit of 8–10 October"
    assert visit.problems == []


def test_labels_switch_between_english_and_russian_and_stay_switched(site, visit):
    page = visit.page
    page.goto(url(site, "id/person/vladimir-putin/index.html"))
    assert page.locator("h1").inner_text() == "Vladimir Putin"
    page.locator("button[data-lang=ru]").click()
    assert page.locator("h1").inner_text() == "Владимир Путин"
    page.goto(url(site, "id/state/kazakhstan/index.html"))
    assert page.locator("h1").inner_text() == "Казахстан"
    page.locator("button[data-lang=en]").click()
    assert page.locator("h1").inner_text() == "Kazakhstan"


def test_search_finds_labels_in_both_languages(site, visit):
    page = visit.page
    page.goto(url(site, "search/index.html"))
    for words in ("Путин", "putin", "владимир путин", "Казахстан"):
        page.fill("#q", words)
        hits = page.locator("#hits a")
        hrefs = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
        wanted = "../id/person/vladimir-putin/index.html" if "ут" in words.lower() or "putin" in words \
            else "../id/state/kazakhstan/index.html"
        assert wanted in hrefs, words
    page.fill("#q", "no such thing at all")
    assert page.locator("#hits li").count() == 0 and page.locator("#count").inner_text() == "0 found"
    assert visit.problems == []


def test_an_evidence_spans_page_opens_the_reader_at_its_words(site, visit):
    page = visit.page
    page.goto(url(site, "id/span/visit-putin-kyrgyzstan-2025-11-1.html"))
    page.wait_for_url("**/index.html#s-visit-putin-kyrgyzstan-2025-11-1")
    page.wait_for_load_state()
    assert f"id/article/{SEED}/index.html#s-visit-putin-kyrgyzstan-2025-11-1" in page.url
    lit = page.locator("#text mark.target")
    assert "".join(lit.all_text_contents()) == ("25 ноября состоялся двухдневный официальный визит российского "
                                                "президента Владимира Путина в Киргизию.")
    assert "Vladimir Putin's visit to Kyrgyzstan" in page.locator("#panel").inner_text()
    assert visit.problems == []


def test_no_page_logs_an_error_or_asks_for_anything_outside_the_site(site, visit):
    root = site.as_uri() + "/"
    pages = ["index.html", ARTICLE, "id/event/visit-tokayev-russia-2025-11/index.html",
             "id/claim/claim-kyrgyzstan-visit-type-body/index.html", "id/event/index.html", "timeline/index.html",
             "network/index.html", "figures/index.html", "search/index.html", "ontology/index.html",
             "sparql/index.html", "id/participation/visit-putin-tajikistan-2025-10-1/index.html"]
    for rel in pages:
        visit.page.goto(url(site, rel))
        visit.page.wait_for_load_state("load")
    assert visit.problems == []
    outside = [u for u in visit.requests if not u.startswith(root) and not u.startswith("data:")]
    assert outside == []
    assert len(visit.requests) >= len(pages)


def test_the_class_diagram_keeps_every_word_inside_its_box(site, visit):
    visit.page.goto(url(site, "ontology/class-diagram.svg"))
    overflowing = visit.page.evaluate("""() => { const out = [];
      for (const g of document.querySelectorAll('g.node')) {
        const boxes = [...g.querySelectorAll('polygon')].map(p => p.getBBox());
        for (const t of g.querySelectorAll('text')) {
          const r = t.getBBox(), mid = r.y + r.height / 2;
          const box = boxes.filter(b => mid >= b.y && mid <= b.y + b.height).sort((a, b) => a.width - b.width)[0];
          if (!box || r.x < box.x - 0.5 || r.x + r.width > box.x + box.width + 0.5) out.push(t.textContent);
        }
      } return out; }""")
    assert overflowing == []
    texts = visit.page.locator("g.node text")
    assert texts.count() > 100
    size = float(texts.first.get_attribute("font-size"))
    assert size >= 12  # drawn at its own size: the page shows it full size, and links to this file


def test_the_query_page_runs_a_named_query_on_the_endpoint_cardf_serve_runs_beside_the_site(dist, site, browser):
    serving = start_serve(dist / "store", "--site", str(site))
    v = Visit(browser)
    try:
        page = v.page
        page.goto(f"{serving.url}/sparql/index.html")
        assert page.locator("#query").input_value().startswith("PREFIX ")
        page.select_option("#named", "event-participants")
        assert "SELECT" in page.locator("#query").input_value()
        param = page.locator('#params input[data-param="event"]')
        assert param.input_value() == "event:meeting-c5-plus-1-washington-2025-11-06"  # the query's default
        page.click("#run")
        page.wait_for_selector("#results table")
        events = page.locator("#results table tr td:first-child a")
        assert events.count() > 1  # one row per participant, of that event only
        assert set(events.all_inner_texts()) == {"event:meeting-c5-plus-1-washington-2025-11-06"}
        assert events.first.get_attribute("href") == "../id/event/meeting-c5-plus-1-washington-2025-11-06/index.html"
        param.fill("")  # unbound: every event's participants
        page.click("#run")
        page.wait_for_function("document.querySelectorAll('#results table tr').length > 1 && "
                               "new Set([...document.querySelectorAll('#results table tr td:first-child a')]"
                               ".map(a => a.textContent)).size > 1")
        page.goto(f"{serving.url}/")
        assert page.locator("h1").inner_text().startswith("cardf")
        assert v.problems == []
        assert [u for u in v.requests if not u.startswith(serving.url + "/")] == []
    finally:
        v.close()
        stop_serve(serving)


def test_screenshots_are_written_at_1400_pixels(site, visit):
    for name, rel in (("reader", ARTICLE), ("entity", "id/person/vladimir-putin/index.html"),
                      ("event", "id/event/visit-putin-kyrgyzstan-2025-11/index.html"),
                      ("timeline", "timeline/index.html"), ("network", "network/index.html"),
                      ("ontology", "ontology/index.html#diagram")):
        visit.page.goto(url(site, rel))
        if name == "reader":  # the text beside the panel, as a reader sees it after a click
            visit.page.locator("#text mark", has_text="в ходе государственного визита").first.click()
            visit.page.locator("h2", has_text="The article, with its evidence").scroll_into_view_if_needed()
        path = shot(name)
        visit.page.screenshot(path=str(path))
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == 1400


def shot(name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"
