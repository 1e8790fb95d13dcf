"""Evidence: each quote found in the article's text, by its exact words and, when they repeat, which occurrence."""

from __future__ import annotations

from ..errors import Problem
from ..textmatch import absence_hint
from .model import ARTICLE_TEXT, Article, Quote, Record, Span


def locate(text: str, quote: str, occurrence: int | None) -> tuple[int | None, str | None]:
    """Find the quote in the article; return (start, None) or (None, why-not)."""
    starts = []
    i = text.find(quote)
    while i != -1:
        starts.append(i)
        i = text.find(quote, i + 1)
    if not starts:
        return None, absence_hint(text, quote, ARTICLE_TEXT)
    if occurrence is None:
        if len(starts) > 1:
            return None, (f"occurs {len(starts)} times in the article; add `occurrence: N` (1 to {len(starts)}) "
                          "or quote more words")
        return starts[0], None
    if not 1 <= occurrence <= len(starts):
        return None, f"occurrence {occurrence} asked, but the words occur {len(starts)} time(s)"
    return starts[occurrence - 1], None


def spans(article: Article, quotes: list[Quote], problems: list[Problem]) -> list[Span]:
    found = []
    for q in quotes:
        start, why = locate(article.text, q.text, q.occurrence)
        if start is None:
            problems.append(Problem(why, q.origin.path, q.origin.line, q.origin.column, q.label))
            continue
        found.append(Span(q.text, start, start + len(q.text), q.origin))
    return found


def attach(article: Article, record: Record, problems: list[Problem]) -> None:
    """Locate a record's evidence (a quotation's own words count as its evidence)."""
    quotes = list(record.values.get("evidence") or [])
    if record.kind.name == "quotes" and "text" in record.values:
        if not any(q.text == record.values["text"] for q in quotes):
            quotes.insert(0, Quote(record.values["text"], None, record.field_origins["text"], f"{record.label}.text"))
    required = record.kind.evidence_required or record.reports
    if not quotes and required and "evidence" not in record.misspelt:
        what = "the words of the article that report it" if record.reports else "the words of the article that state it"
        problems.append(Problem(f"has no `evidence`: quote {what}", record.origin.path, record.origin.line,
                                record.origin.column, f"{record.label}.evidence"))
        return
    record.spans = spans(article, quotes, problems)
