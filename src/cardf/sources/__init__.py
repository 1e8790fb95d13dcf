"""Stage 1 — read `data/`: the entities registry and one folder per article.

The loader checks structure (types, required fields, unknown keys, references, evidence
quotes) and hands the mapper plain records that remember where they were written (`model`).
What the data *means* (dates in order, percentages in range, currencies known) is left to the
SHACL shapes, which report back against the same file and line.

Read in this order: `model` (the records), `values` (a value of each field type from YAML),
`folders` (which article folders, no links out), `evidence` (quotes found in the text),
`reading` (one file), `references` (ids, claims and reports, once every record is known).
The files are read in a fixed order — entities.yaml first, then the article folders by name —
so that a mistake is always reported at the same place.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from . import reading, references
from .evidence import locate
from .folders import article_folders
from .model import (ARTICLE_TEXT, ARTICLES_DIR, ENTITIES_FILE, FACTS_FILE, Article, ClaimTarget, Corpus, Origin,
                    Participant, PartialDate, Period, Quote, Record, Span)

__all__ = ["ARTICLES_DIR", "ARTICLE_TEXT", "ENTITIES_FILE", "FACTS_FILE", "Article", "ClaimTarget", "Corpus", "Origin",
           "Participant", "PartialDate", "Period", "Quote", "Record", "Span", "article_folders", "load_corpus",
           "load_vocabulary", "locate", "read_article", "resolve_articles"]


def load_vocabulary(ontology_dir: Path) -> dict[str, set[str]]:
    """Codes of every SKOS scheme in the ontology folder, read from the concept IRIs."""
    from ..iris import SKOS, VOCAB
    from ..ontology import load_ontology_quads

    vocab: dict[str, set[str]] = {}
    in_scheme = SKOS + "inScheme"
    for q in load_ontology_quads(ontology_dir):
        if q.predicate.value == in_scheme and q.subject.value.startswith(VOCAB):
            scheme, _, code = q.subject.value[len(VOCAB):].rpartition("/")
            vocab.setdefault(scheme, set()).add(code)
    return vocab


def load_corpus(data_dir: Path, vocab: dict[str, set[str]], only: set[str] | None = None, *,
                listed: bool = False) -> Corpus:
    """Read and check the whole data folder; raise InputError listing every problem found.

    `only`: the slugs of the articles to read; `listed`: the caller has listed the article folders
    and dealt with what cannot be read there (the build, which lists ten thousand of them once).
    """
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise InputError(problems=[Problem("data folder not found", data_dir)])
    defined: dict[str, Record] = {}
    entities = reading.read_entities(data_dir / ENTITIES_FILE, vocab, problems, defined)
    articles = []
    adir = data_dir / ARTICLES_DIR
    folders, listing_problems = ([], []) if listed and only is not None and not only else article_folders(data_dir)
    problems += listing_problems
    if not adir.is_dir() and not listing_problems:
        problems.append(Problem(f"no `{ARTICLES_DIR}/` folder; each article lives in {ARTICLES_DIR}/<slug>/", data_dir))
    else:
        for folder in folders:
            if only is not None and folder.name not in only:
                continue
            article = reading.read_article(folder, vocab, problems, defined)
            if article is not None:
                articles.append(article)
    corpus = Corpus(entities, articles)
    if entities is not None:  # without the registry every reference would fail: say only that
        references.resolve(corpus, defined, vocab, problems)
    else:
        corpus.entities = []
    if problems:
        problems.sort(key=lambda p: (str(p.path), p.line or 0, p.column or 0))
        raise InputError(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the sources", problems)
    return corpus


def read_article(folder: Path, vocab: dict[str, set[str]], defined: dict) -> tuple[Article | None, list[Problem]]:
    """One article folder read on its own, as load_corpus reads it (for builds that read articles apart).

    `defined` holds the records known so far (at least the entities'); the article's own are added.
    References are checked by resolve_articles, once every article is read.
    """
    problems: list[Problem] = []
    return reading.read_article(folder, vocab, problems, defined), problems


def resolve_articles(articles: list[Article], defined, vocab: dict[str, set[str]]) -> list[Problem]:
    """load_corpus's reference checks for some articles, against `defined` (every record of the corpus)."""
    problems: list[Problem] = []
    references.resolve(Corpus([], articles), defined, vocab, problems)
    return problems
