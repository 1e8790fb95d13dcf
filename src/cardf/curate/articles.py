"""Finding an article of `data/` by its slug, and reading its text, with the errors every curation command shares."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import InputError, Problem, UsageError
from ..sources import ARTICLE_TEXT, ARTICLES_DIR, FACTS_FILE
from ..yamlfile import read_text


def article_folder(data_dir: Path, slug: str) -> Path:
    """data/articles/SLUG, or a usage error that names the slugs there are (did you mean …?)."""
    articles = data_dir / ARTICLES_DIR
    folder = articles / slug
    if folder.is_dir():
        return folder
    if not data_dir.is_dir():
        raise InputError(problems=[Problem("data folder not found", data_dir)])
    slugs = sorted(p.name for p in articles.iterdir() if p.is_dir()) if articles.is_dir() else []
    close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else \
        (f"; the articles are: {', '.join(slugs[:10])}{' …' if len(slugs) > 10 else ''}" if slugs else
         "; create it with `cardf new`")
    raise UsageError(f"no article `{slug}` in {articles}{hint}")


def article_text(folder: Path) -> str:
    """The article's text exactly as stored (the loader's reading), or one clear error."""
    path = folder / ARTICLE_TEXT
    if not path.exists():
        raise InputError(problems=[Problem(f"article folder has no {ARTICLE_TEXT} (the text, verbatim)", folder)])
    return read_text(path)


def facts_path(folder: Path) -> Path:
    return folder / FACTS_FILE
