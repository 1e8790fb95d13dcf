"""What the loader hands on: records that remember where each value was written.

Plain, typed data: the mapper (mapping.py) turns these into RDF, and every problem found
later — by the loader, the mapper or the shapes — can name the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..schema import Field, Kind

ENTITIES_FILE = "entities.yaml"
ARTICLES_DIR = "articles"
ARTICLE_TEXT = "article.txt"
FACTS_FILE = "facts.yaml"


def positional(self):
    """`__reduce__` for the small records a build caches by the ten thousand: pickled as the class and its
    fields in order, they load about ten times quicker than as a dataclass's state."""
    return type(self), tuple(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Origin:
    """Where a value was written: file, 1-based line and column."""

    path: Path
    line: int
    column: int

    __reduce__ = positional

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as the text: xsd:date, xsd:gYearMonth or xsd:gYear."""

    lexical: str
    datatype: str  # "date" | "gYearMonth" | "gYear"

    def key(self) -> tuple:
        """A sortable (year, month, day) lower bound."""
        parts = [int(p) for p in self.lexical.split("-")]
        return tuple(parts + [0] * (3 - len(parts)))


@dataclass(frozen=True)
class Period:
    start: PartialDate
    end: PartialDate

    @property
    def slug(self) -> str:
        if self.start == self.end:
            return self.start.lexical
        return f"{self.start.lexical}--{self.end.lexical}"


@dataclass(frozen=True)
class Quote:
    """Evidence as written in facts.yaml: words of the article, which occurrence, where, and the field's path."""

    text: str
    occurrence: int | None
    origin: Origin
    label: str


@dataclass
class Span:
    """One evidence quote located in the article text (Python code-point offsets)."""

    text: str
    start: int
    end: int
    origin: Origin


@dataclass
class Fields:
    """A mapping of fields read against a spec: the values, where each was written, and the keys misspelt."""

    values: dict[str, Any]
    origins: dict[str, Origin]
    misspelt: frozenset[str] = frozenset()


@dataclass
class Participant:
    """One `participants:` entry of an event: agent, role, office, represents."""

    values: dict[str, Any]
    origins: dict[str, Origin]


@dataclass(frozen=True)
class ClaimTarget:
    """What a claim is about, once resolved: the claimed field of the record, and its value read as that field."""

    field: Field
    value: Any


@dataclass
class Record:
    """One record of entities.yaml or facts.yaml.

    A record *reports* (`report: ID`) when it is an article's account of a record defined in
    another article: its values are that article's claims about the record, not the record's own.
    """

    kind: Kind
    id: str
    values: dict[str, Any]
    origin: Origin
    field_origins: dict[str, Origin] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    article: str | None = None  # the slug of the article that states it; None for entities
    label: str = ""  # its place in the file, e.g. events[2], used to name its fields in messages
    misspelt: frozenset[str] = frozenset()
    participants: list[Participant] = field(default_factory=list)
    claim: ClaimTarget | None = None  # for claims: the field and value, once the claimed record is known
    value_form: tuple[str, str | None] | None = None  # for claims: the YAML tag and style of `value:`
    reports: bool = False


@dataclass
class Article:
    slug: str
    folder: Path
    text: str
    meta: dict[str, Any]
    meta_origin: Origin
    field_origins: dict[str, Origin]
    disclaimer: list[Span]
    records: list[Record]

    @property
    def facts_path(self) -> Path:
        return self.folder / FACTS_FILE

    @property
    def defined(self) -> list[Record]:
        """The records this article defines (not those it reports)."""
        return [r for r in self.records if not r.reports]


@dataclass
class Corpus:
    entities: list[Record]
    articles: list[Article]

    def records(self):
        yield from self.entities
        for article in self.articles:
            yield from article.records
