"""The pieces every page is made of: the shell, labels in two languages, links, values.

Every link is relative (`../../`), so the site works from a file:// folder and from any static
host under any path; a folder is always linked as its `index.html`, which file:// needs.
"""

from __future__ import annotations

import html

from pyoxigraph import Literal, NamedNode

from ..iris import ONT, VOCAB, WD, XSD
from .assets import KINDS, OTHER_COLOUR
from .model import Model, amount

NAV = (("index.html", "Home"), ("timeline/index.html", "Timeline"), ("network/index.html", "Who met whom"),
       ("figures/index.html", "Figures"), ("search/index.html", "Search"), ("ontology/index.html", "Ontology"),
       ("sparql/index.html", "SPARQL"))


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def shell(root: str, title: str, body: str, head: str = "", script: bool = True) -> str:
    """A whole page: its title, the bar with the language switch, the body, the one script."""
    nav = "".join(f'<a href="{root}{href}">{word}</a>' for href, word in NAV[1:])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{root}assets/site.css">{head}</head>\n<body>'
        f'<header class="top"><a class="home" href="{root}index.html">cardf</a><nav>{nav}</nav>'
        '<span class="langs" title="Labels in English or Russian">'
        '<button type="button" class="b-en" data-lang="en">EN</button> '
        '<button type="button" class="b-ru" data-lang="ru">RU</button></span></header>\n'
        f'<main>{body}</main>'
        + (f'<script src="{root}assets/site.js"></script>' if script else "")
        + "</body></html>\n"
    )


def pair(labels: dict[str, str], fallback: str = "") -> str:
    """A label in English and Russian; the switch shows one of them."""
    en = labels.get("en") or labels.get("")
    ru = labels.get("ru")
    if en and ru and en != ru:
        return f'<span class="l-en" lang="en">{esc(en)}</span><span class="l-ru" lang="ru">{esc(ru)}</span>'
    one = en or ru or next(iter(labels.values()), None) or fallback
    return esc(one)


def plain(labels: dict[str, str], fallback: str = "") -> str:
    return labels.get("en") or labels.get("") or labels.get("ru") or next(iter(labels.values()), None) or fallback


def kind_badge(segment: str) -> str:
    colour, word = KINDS.get(segment, (OTHER_COLOUR, segment.replace("-", " ")))
    return f'<span class="kind" style="background:{colour}">{esc(word)}</span>'


def slug_words(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


class Linker:
    """Links from one page (at `root` below the site) to every resource, concept and term."""

    def __init__(self, model: Model, root: str):
        self.model, self.root = model, root
        self.links: dict[str, str] = {}  # IRI → its link, written once: a site has a hundred thousand pages

    @classmethod
    def at(cls, model: Model, root: str) -> Linker:
        """The one linker of a model for pages at this depth, shared by them all."""
        found = model.linkers.get(root)
        if found is None:
            found = model.linkers[root] = cls(model, root)
        return found

    def href(self, iri: str) -> str | None:
        page = self.model.page(iri)
        if page is not None:
            return f"{self.root}{page}"
        if iri.startswith(ONT):
            return f"{self.root}ontology/index.html#{iri[len(ONT):]}"
        if iri.startswith(VOCAB):
            return f"{self.root}ontology/index.html#vocab-{iri[len(VOCAB):].replace('/', '-')}"
        return None

    def label(self, iri: str) -> str:
        return pair(self.model.labels(iri), slug_words(iri))

    def link(self, iri: str) -> str:
        found = self.links.get(iri)
        if found is None:
            found = self.links[iri] = self.new_link(iri)
        return found

    def new_link(self, iri: str) -> str:
        href = self.href(iri)
        if href is not None:
            return f'<a href="{esc(href)}">{self.label(iri)}</a>'
        if iri.startswith(WD):
            return f'<a href="{esc(iri)}" rel="external">Wikidata {esc(iri[len(WD):])}</a>'
        return f'<a href="{esc(iri)}" rel="external"><code>{esc(iri)}</code></a>'

    def value(self, term) -> str:
        if isinstance(term, NamedNode):
            return self.link(term.value)
        if isinstance(term, Literal):
            return literal(term)
        return f"<code>{esc(str(term))}</code>"


def literal(lit: Literal) -> str:
    text = lit.value
    dt = lit.datatype.value if lit.datatype is not None else ""
    if dt in (XSD + "decimal", XSD + "integer", XSD + "double", XSD + "nonNegativeInteger"):
        text = amount(text)
    out = esc(text)
    if lit.language:
        out = f'<span lang="{esc(lit.language)}">{out}</span><span class="lang">{esc(lit.language)}</span>'
    elif dt == XSD + "anyURI":
        out = f'<a href="{esc(lit.value)}" rel="external">{out}</a>'
    return out
