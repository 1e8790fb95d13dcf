"""`cardf draft`: proposed records for an article, for a person to accept, correct or drop.

The drafter reads the article's words only (natasha for Russian morphology and names; rules for
dates, figures, quotations and event words) and writes `facts.draft.yaml` beside `facts.yaml`.
The build never reads the draft. Every proposal carries its evidence, located in the article,
and a confidence; what the drafter guessed is said in the record's `note`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ...textmatch import yaml_quote
from .entities import Registry
from .records import Draft, Ids, Proposal, event, figure, quote, statement
from .writer import SECTION_ORDER, render

__all__ = ["DRAFT_FILE", "SECTION_ORDER", "Draft", "Proposal", "draft_text", "render", "units_from_vocabulary",
           "taken_ids", "article_meta", "already_curated"]

DRAFT_FILE = "facts.draft.yaml"


def _published(value) -> dt.date | None:
    if value is None:
        return None
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def units_from_vocabulary(ontology_dir: Path) -> dict[str, str]:
    """Lemma of a counted noun → figure-unit code, from the units' Russian labels (документ → document)."""
    from ..codes import load_schemes
    from .nlp import normal_forms

    out = {}
    scheme = load_schemes(ontology_dir).get("figure-unit")
    for concept in scheme.concepts if scheme else []:
        label = concept.label.get("ru")
        if label and " " not in label and concept.code != "percent":
            for form in normal_forms(label):
                out[form] = concept.code
    return out


def draft_text(text: str, registry: Registry, units: dict[str, str], published=None, taken: set[str] = frozenset(),
               slug: str = "draft", author: str | None = None) -> Draft:
    """Analyse the text and propose records; `taken` ids are not reused."""
    from .entities import link, unmatched_names
    from .events import find_events
    from .nlp import analyse
    from .numbers import find_dates, find_figures
    from .speech import find_quotations, find_statements

    analysis = analyse(text)
    mentions = link(analysis, registry)
    dates = find_dates(text, _published(published))
    figures = find_figures(analysis, units, dates)
    quotations = find_quotations(analysis, mentions, registry)
    statements = find_statements(analysis, mentions, registry, quotations)
    events = find_events(analysis, mentions, registry, dates)
    draft = Draft(slug, mentions, unmatched_names(analysis, mentions), dates)
    ids = Ids(taken)
    draft.proposals += [event(e, registry, text, ids) for e in events]
    draft.proposals += [figure(f, analysis, dates, registry, mentions, quotations, text, ids, author)
                        for f in figures]
    draft.proposals += [quote(q, registry, text, ids) for q in quotations]
    draft.proposals += [statement(s, text, ids) for s in statements]
    return draft


# ----------------------------------------------------------------------------- from data/ to the draft

_ID_LINE = re.compile(r"^\s*-?\s*id:\s*([a-z0-9-]+)\s*$", re.M)


def taken_ids(data_dir: Path) -> set[str]:
    """Every id already written in entities.yaml and the facts.yaml files (read as text: a broken file still counts)."""
    from ...sources import ARTICLES_DIR, ENTITIES_FILE, FACTS_FILE

    ids: set[str] = set()
    paths = [data_dir / ENTITIES_FILE] + sorted((data_dir / ARTICLES_DIR).glob(f"*/{FACTS_FILE}"))
    for path in paths:
        try:
            ids |= set(_ID_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return ids


def article_meta(facts_text: str) -> tuple[str | None, str | None]:
    """published and author of a facts.yaml's article section, read from its lines."""
    published = re.search(r"^\s+published:\s*['\"]?(\d{4}-\d{2}-\d{2})", facts_text, re.M)
    author = re.search(r"^\s+author:\s*([a-z0-9-]+)\s*$", facts_text, re.M)
    return (published.group(1) if published else None), (author.group(1) if author else None)


def already_curated(proposals: list[Proposal], facts_text: str) -> tuple[list[Proposal], int]:
    """Proposals whose quoted words facts.yaml already holds are left out (drafting again adds only what is new)."""
    quoted = set(re.findall(r'"((?:[^"\\]|\\.)*)"', facts_text))
    kept = []
    for p in proposals:
        words = dict(p.fields).get("text") or next(
            (e if isinstance(e, str) else e.get("text") for e in dict(p.fields).get("evidence", [])), None)
        if words is not None and yaml_quote(words)[1:-1] in quoted:
            continue
        kept.append(p)
    return kept, len(proposals) - len(kept)
