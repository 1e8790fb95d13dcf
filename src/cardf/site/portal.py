"""The ways in: the home page, the search over labels in both languages, and the SPARQL query page.

The search index is a script (`search/index.js`, `window.CARDF_INDEX = […]`) rather than JSON,
because a page opened from file:// may load a script beside it but not fetch a file. The query
page knows the project's prefixes and named queries, and sends its query to the endpoint that
`cardf serve` runs beside the site (`../query`), or to any endpoint typed in (`cardf serve --cors`
lets a page from elsewhere ask).
"""

from __future__ import annotations

import json

from ..querylib import Query
from .assets import SPARQL_JS
from .markup import Linker, esc, kind_badge, plain, shell, slug_words
from .model import Model


def home(model: Model, counts: dict[str, int]) -> str:
    linker = Linker.at(model, "")
    articles = []
    for article in model.articles.values():
        date = model.first(article.iri, "https://w3id.org/cardf/ontology#published")
        articles.append(f'<a href="{esc(linker.href(article.iri) or "#")}"><strong>'
                        f'{linker.label(article.iri)}</strong><br><span class="muted">'
                        f'{esc(date.value[:10]) if date is not None else ""} · {len(article.spans)} evidence spans'
                        f'</span></a>')
    kinds = "".join(f'<a href="id/{esc(segment)}/index.html">{kind_badge(segment)} {n}</a>'
                    for segment, n in sorted(counts.items()))
    body = ("<h1>cardf: what the articles say, and the words that say it</h1>"
            "<p>Every record on this site cites the exact words of an article that state it. Open an article to "
            "read it with its evidence highlighted; every record and entity has a page at the path of its IRI, "
            "with its Turtle and JSON-LD beside it.</p>"
            f'<h2>Articles</h2><div class="cards">{"".join(articles)}</div>'
            f'<h2>Records and entities</h2><div class="cards">{kinds}</div>'
            '<h2>Pictures and tools</h2><div class="cards">'
            '<a href="timeline/index.html"><strong>Timeline</strong><br><span class="muted">events by date, '
            'sub-events nested</span></a>'
            '<a href="network/index.html"><strong>Who met whom</strong><br><span class="muted">people joined by '
            'the events they attended</span></a>'
            '<a href="figures/index.html"><strong>Figures per country</strong><br><span class="muted">money, '
            'counts and shares by state</span></a>'
            '<a href="search/index.html"><strong>Search</strong><br><span class="muted">labels in English and '
            'Russian</span></a>'
            '<a href="ontology/index.html"><strong>The ontology</strong><br><span class="muted">classes, '
            'properties, vocabularies, the class diagram</span></a>'
            '<a href="sparql/index.html"><strong>SPARQL</strong><br><span class="muted">ask the store directly '
            '(with <code>cardf serve</code>)</span></a></div>'
            "<footer>Written by <code>cardf site</code> from the build's store. This site loads nothing from the "
            "network.</footer>")
    return shell("", "cardf", body)


def search_index(model: Model) -> str:
    rows = []
    for iri, page in model.pages.items():
        labels = model.labels(iri)
        rows.append([page, page.split("/")[1].replace("-", " "), plain({k: v for k, v in labels.items() if k != "ru"},
                                                                       slug_words(iri)), labels.get("ru", "")])
    return "window.CARDF_INDEX = " + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n"


def search_page(total: int) -> str:
    body = (f'<div class="search"><h1>Search</h1><p class="muted">{total} records and entities, by their labels in '
            'English and Russian (every word must occur; ё and е are the same).</p>'
            '<p><input id="q" type="search" placeholder="Путин, summit, Казахстан …" autofocus '
            'aria-label="Search labels"></p><p id="count" class="muted"></p><ol id="hits" class="plain"></ol>'
            '</div><script>window.CARDF_ROOT = "../";</script><script src="index.js"></script>')
    return shell("../", "Search — cardf", body)


def sparql_page(model: Model, prefixes: dict[str, str], queries: dict[str, Query]) -> str:
    data = {"base": model.base, "prefixes": prefixes,
            "queries": {name: {"title": q.title, "description": q.description, "text": q.text,
                               "params": [[p.name, p.default, p.doc] for p in q.params.values()]}
                        for name, q in sorted(queries.items())}}
    options = "".join(f'<option value="{esc(name)}">{esc(name)}{" — " + esc(q.title) if q.title else ""}</option>'
                      for name, q in sorted(queries.items()))
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    body = ('<div class="sparql"><h1>SPARQL</h1><p class="muted">The project\'s prefixes are declared for you; '
            f'pick one of the {len(queries)} named queries (its parameters, as `cardf query --param` takes them, are bound '
            'with VALUES when filled in) or write your own. It runs on the endpoint that '
            '<code>cardf serve</code> runs beside this site.</p>'
            f'<div class="bar"><label>Named query <select id="named"><option value="">—</option>{options}</select>'
            '</label><label>Endpoint <input id="endpoint" type="url"></label>'
            '<button type="button" id="run">Run</button></div><p id="about" class="muted"></p>'
            '<div id="params" class="bar"></div>'
            '<textarea id="query" spellcheck="false" aria-label="SPARQL query"></textarea>'
            '<div id="results"></div></div>'
            f'<script type="application/json" id="sparql-data">{payload}</script><script>{SPARQL_JS}</script>')
    return shell("../", "SPARQL — cardf", body)

