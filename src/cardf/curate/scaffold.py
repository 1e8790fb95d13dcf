"""`cardf new`: a new article folder with its text as the loader expects it and a `facts.yaml` to fill in.

The text is stored as UTF-8 in NFC with `\\n` line ends, because evidence offsets count its
characters: a quote copied from the stored text then matches it exactly. The skeleton is
written from the source format's own description (schema.py), so it names every section.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem, UsageError
from ..iris import is_slug
from ..schema import RECORD_KINDS
from ..sources import ARTICLE_TEXT, ARTICLES_DIR, FACTS_FILE

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass
class NewArticle:
    slug: str
    text_source: Path | None  # None: standard input
    title: str | None = None
    title_en: str | None = None
    published: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    language: str = "ru"
    changes: list[str] = field(default_factory=list)


def read_source_text(path: Path | None) -> bytes:
    try:
        return sys.stdin.buffer.read() if path is None else path.read_bytes()
    except FileNotFoundError:
        raise InputError(problems=[Problem("file not found", path)]) from None
    except IsADirectoryError:
        raise InputError(problems=[Problem("is a directory, expected the article's text", path)]) from None
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path)]) from None


def normalize_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text as the loader expects it, and what had to change to get there."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(problems=[Problem(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); "
                                           "save the file as UTF-8", name, line, col)]) from None
    changes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        changes.append("removed the byte order mark")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("turned CRLF/CR line ends into LF")
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        changes.append("composed decomposed letters (NFC)")
        text = nfc
    if not text.strip():
        raise InputError(problems=[Problem("is empty; expected the article's text", name)])
    if not text.endswith("\n"):
        text += "\n"
    return text, changes


def check_options(new: NewArticle) -> None:
    if not is_slug(new.slug):
        raise UsageError(f"`{new.slug}` is not a valid slug; use lowercase letters, digits and single hyphens, "
                         "e.g. `tass-2025-11-12-putin-tokayev`")
    if new.published is not None and not (_DATE.match(new.published) or _DATETIME.match(new.published)):
        raise UsageError(f"--published: `{new.published}` is neither a date (2025-12-04) nor a date and time with "
                         "its offset (2025-12-04T13:01:00+03:00)")
    if new.url is not None and not _URL.match(new.url):
        raise UsageError(f"--url: `{new.url}` is not an http(s) URL")
    if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", new.language):
        raise UsageError(f"--language: `{new.language}` is not a language tag such as `ru` or `en`")
    for option, value in (("--publisher", new.publisher), ("--author", new.author)):
        if value is not None and not is_slug(value):
            raise UsageError(f"{option}: `{value}` is not an id of entities.yaml")


def check_entities(new: NewArticle, entity_kinds: dict[str, str]) -> None:
    """The publisher and author, when given, are defined in entities.yaml as the right kind."""
    import difflib

    for option, value, kind in (("--publisher", new.publisher, "organizations"), ("--author", new.author, "persons")):
        if value is None:
            continue
        if entity_kinds.get(value) != kind:
            same = [i for i, k in entity_kinds.items() if k == kind]
            close = difflib.get_close_matches(value, same, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else \
                f"; add it to entities.yaml under `{kind}` first"
            what = "is not defined" if value not in entity_kinds else f"is one of the {entity_kinds[value]}"
            raise UsageError(f"{option}: `{value}` {what} in entities.yaml (expected one of the {kind}){hint}")


def _q(value: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def skeleton(new: NewArticle) -> str:
    """facts.yaml with the article record filled in and every section named in comments."""
    s = new.slug
    todo = "  # required: fill in"
    lines = [
        f"# Facts stated by the article in {ARTICLE_TEXT} beside this file.",
        "#",
        "# Every record quotes the exact words of the article as `evidence`; `cardf locate "
        f"{s} \"words\"` finds them",
        "# and prints the evidence to paste. Codes (`type:`, `indicator:`, `qualifiers:` …) are listed by",
        "# `cardf codes`; people, states, places and organizations are ids of entities.yaml.",
        f"# `cardf draft {s}` proposes records in facts.draft.yaml (never read by the build);",
        f"# `cardf draft {s} --accept ID…` moves the ones you keep into this file.",
        "",
        "article:",
        f"  slug: {s}",
        "  title: {ru: " + (_q(new.title) if new.title else '""') + ", en: "
        + (_q(new.title_en) if new.title_en else '""') + "}" + ("" if new.title and new.title_en else todo),
        f"  publisher: {new.publisher or ''}" + ("" if new.publisher else "  # required: an organization id"),
        f"  published: {new.published or ''}" + ("" if new.published else "  # required: 2025-12-04 or "
                                                                         "2025-12-04T13:01:00+03:00"),
        f"  language: {new.language}",
    ]
    if new.url:
        lines.append(f"  url: {new.url}")
    lines.append(f"  author: {new.author}" if new.author else "  # author: a person id of entities.yaml")
    lines += ["  # genre: analysis  (cardf codes article-genre)", "  # about: [state ids the article is about]", "",
              "# Sections, each a list of records (see the README's record reference for every field):"]
    for kind in RECORD_KINDS:
        lines.append(f"#   {kind.name + ':':<16} {kind.doc}")
    return "\n".join(lines) + "\n"


def create(data_dir: Path, new: NewArticle, text: str) -> Path:
    """Write the folder; refuse when it exists, and leave nothing half-written."""
    import os
    import tempfile

    articles = data_dir / ARTICLES_DIR
    folder = articles / new.slug
    if folder.exists():
        raise UsageError(f"{folder} already exists; cardf new never overwrites an article (choose another slug)")
    articles.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{new.slug}.new-", dir=articles))
    try:
        (staging / ARTICLE_TEXT).write_bytes(text.encode("utf-8"))
        (staging / FACTS_FILE).write_bytes(skeleton(new).encode("utf-8"))
        os.chmod(staging, 0o755)
        os.rename(staging, folder)  # fails if the folder appeared meanwhile: never overwrite
    except OSError as exc:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        from ..errors import ExternalError

        raise ExternalError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", folder)]) from None
    return folder
