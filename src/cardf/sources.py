"""Stage 1 — read `data/`: the entities registry and one folder per article.

The loader checks structure (types, required fields, unknown keys, references, evidence
quotes) and hands the mapper plain records that remember where they were written. What
the data *means* (dates in order, percentages in range, currencies known) is left to the
SHACL shapes, which report back against the same file and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Literal
from yaml.error import Mark

from .textmatch import absence_hint
from .errors import InputError, Problem
from .schema import (
    ARTICLE_FIELDS, ENTITY_KINDS, EVIDENCE_FIELDS, PARTICIPANT_FIELDS, PERIOD_FIELDS,
    RECORD_KINDS, Field, Kind,
)
from .iris import is_slug
from .yamlfile import (MappingNode, Node, ScalarNode, SequenceNode, kind_of, mapping_items, read_text, read_yaml,
                       shown, where)

ENTITIES_FILE = "entities.yaml"
ARTICLES_DIR = "articles"
ARTICLE_TEXT = "article.txt"
FACTS_FILE = "facts.yaml"


@dataclass(frozen=True)
class Origin:
    """Where a value was written: file, 1-based line and column."""

    path: Path
    line: int
    column: int

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


@dataclass
class Span:
    """One evidence quote located in the article text (Python code-point offsets)."""

    text: str
    start: int
    end: int
    origin: Origin


@dataclass
class Record:
    kind: Kind
    id: str
    values: dict[str, Any]
    origin: Origin
    field_origins: dict[str, Origin] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    article: str | None = None  # the slug of the article that states it; None for entities


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


@dataclass
class Corpus:
    entities: list[Record]
    articles: list[Article]

    def records(self):
        yield from self.entities
        for article in self.articles:
            yield from article.records


# ----------------------------------------------------------------------------- values

# Every pattern is used with fullmatch and spells digits [0-9]: `\d` takes any script's digits, and
# `$` a final line break, which would pass into the RDF.
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
                       r"(Z|([+-])([0-9]{2}):([0-9]{2}))")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # the keys of a text: ru, en, ru-Latn
_WIKIDATA = re.compile(r"[A-Za-z0-9._~-]+")  # what can end an IRI; that it is Q and digits is the shapes' to say
_DIGITS = 28  # significant digits of a number: Python's decimal context keeps 28, and would round more
# Fields that name a thing: one line. Every descriptive text: no invisible characters (Unicode Cf —
# zero-width spaces and joiners, bidirectional controls, soft hyphens), which make equal-looking
# names differ and can reorder what a terminal shows. Evidence may hold them: it is the article's.
_NAMES = ("label", "alt_labels", "title")
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class _Reader:
    """Converts nodes to values by field type, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, vocab: dict[str, set[str]], problems: list[Problem]):
        self.path = path
        self.vocab = vocab
        self.problems = problems

    def bad(self, node: Node | None, field: str, message: str) -> None:
        self.problems.append(where(self.path, node, field, message))

    def origin(self, node: Node) -> Origin:
        return Origin(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def fields(self, node: Node, spec: tuple[Field, ...], context: str) -> tuple[dict, dict] | None:
        """Read a mapping against a field spec; returns (values, origins) or None if not a mapping."""
        if not isinstance(node, MappingNode):
            self.bad(node, context, f"expected a mapping of fields, found {kind_of(node)}")
            return None
        names = [f.name for f in spec]
        by_name = {f.name: f for f in spec}
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for key, key_node, value_node in mapping_items(self.path, node, self.problems, context):
            label = f"{context}.{shown(key)}" if context else shown(key)
            f = by_name.get(key)
            if f is None:
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else f"; expected one of: {', '.join(names)}"
                self.bad(key_node, label, f"unknown field{hint}")
                if close:  # the field is there, misspelt: do not also call it missing
                    values.setdefault("_misspelt", set()).add(close[0])
                continue
            if _is_null(value_node):
                if f.required:
                    self.bad(value_node, label, "is required but empty")
                continue
            value = self.value(value_node, f, label)
            if value is not None:
                values[key] = value
                origins[key] = self.origin(value_node)
        misspelt = values.pop("_misspelt", set())
        if misspelt:
            values["_misspelt"] = misspelt
        for f in spec:
            if f.required and f.name not in values and f.name not in misspelt and not any(
                    p.field == f"{context}.{f.name}" for p in self.problems):
                self.bad(node, context, f"missing required field `{f.name}`")
        return values, origins

    def value(self, node: Node, f: Field, label: str) -> Any:
        t = f.type
        if t in ("refs", "concepts", "texts") or (t == "evidence" and isinstance(node, SequenceNode)):
            single = {"refs": "ref", "concepts": "concept", "texts": "text", "evidence": "evidence"}[t]
            items = node.value if isinstance(node, SequenceNode) else [node]
            if t == "texts" and not isinstance(node, SequenceNode):
                self.bad(node, label, f"expected a list of {{ru: …, en: …}} mappings, found {kind_of(node)}")
                return None
            out = []
            for i, item in enumerate(items):
                v = self.value(item, Field(f.name, single, f.predicate, targets=f.targets, scheme=f.scheme),
                               f"{label}[{i}]" if isinstance(node, SequenceNode) else label)
                if v is not None:
                    out.extend(v if single == "evidence" else [v])
            return out or None
        reader = getattr(self, "_" + t)
        return reader(node, f, label)

    # one reader per field type -------------------------------------------------------

    def _scalar(self, node: Node, label: str, expected: str) -> ScalarNode | None:
        if not isinstance(node, ScalarNode):
            self.bad(node, label, f"expected {expected}, found {kind_of(node)}")
            return None
        return node

    def _id(self, node, f, label):
        node = self._scalar(node, label, "an id")
        if node is None:
            return None
        if not is_slug(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not a valid id; use lowercase letters, digits and "
                                  "single hyphens, e.g. `putin-visit-tajikistan`")
            return None
        return node.value

    _ref = _id

    def _str(self, node, f, label):
        node = self._scalar(node, label, "a string")
        return node.value if node is not None else None

    def _en(self, node, f, label):
        node = self._scalar(node, label, "a string")
        return node.value if node is not None and self._readable(node, f, label) else None

    def _qid(self, node, f, label):
        node = self._scalar(node, label, "a Wikidata id")
        if node is None:
            return None
        if not _WIKIDATA.fullmatch(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not a Wikidata item id and cannot end an IRI; expected "
                                  "Q and digits, such as Q159 (the id in the item's address, "
                                  "https://www.wikidata.org/wiki/Q159)")
            return None
        return node.value

    def _language(self, node, f, label):
        node = self._scalar(node, label, "a language tag")
        if node is None:
            return None
        try:  # any well-formed tag; which ones are right is the shapes' to say
            Literal("", language=node.value)
        except ValueError:
            self.bad(node, label, f"`{shown(node.value)}` is not a language tag; expected a BCP 47 tag such as "
                                  "`ru` or `en`")
            return None
        return node.value

    def _text(self, node, f, label):
        if isinstance(node, ScalarNode):
            self.bad(node, label, f"expected a mapping of language to text such as {{ru: …, en: …}}, "
                                  f"found {kind_of(node)}")
            return None
        if not isinstance(node, MappingNode):
            self.bad(node, label, f"expected {{ru: …, en: …}}, found {kind_of(node)}")
            return None
        out = {}
        for lang, key_node, value_node in mapping_items(self.path, node, self.problems, label):
            if not _LANGUAGE.fullmatch(lang):
                self.bad(key_node, f"{label}.{shown(lang)}", "is not a language tag such as `ru` or `en`")
                continue
            v = self._scalar(value_node, f"{label}.{lang}", "a string")
            if v is not None:
                if not v.value.strip():
                    self.bad(v, f"{label}.{lang}", "is empty")
                    continue
                if self._readable(v, f, f"{label}.{lang}"):
                    out[lang] = v.value
        return out or None

    def _readable(self, node: ScalarNode, f: Field, label: str) -> bool:
        """No invisible characters in descriptive text, and names on one line."""
        for char in node.value:
            if unicodedata.category(char) == "Cf":
                name = unicodedata.name(char, "").lower()
                self.bad(node, label, f"holds the invisible character U+{ord(char):04X}{f' ({name})' if name else ''}; "
                                      "descriptive text may not hold invisible characters (equal-looking texts "
                                      "would differ); delete it")
                return False
        if f.name in _NAMES and any(c in node.value for c in "\n\t\u2028\u2029"):
            self.bad(node, label, "holds a line break or tab; a name or title is one line")
            return False
        return True

    def _date(self, node, f, label):
        node = self._scalar(node, label, "a date")
        if node is None:
            return None
        m = _DATE.fullmatch(node.value.strip())
        if not m:
            self.bad(node, label, f"`{shown(node.value)}` is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY")
            return None
        year, month, day = m.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            self.bad(node, label, f"`{shown(node.value)}` is not a real date (there is no such day or month)")
            return None
        datatype = "date" if day else "gYearMonth" if month else "gYear"
        return PartialDate(node.value.strip(), datatype)

    def _datetime(self, node, f, label):
        """A full xsd:dateTime (seconds and offset: an instant), or a date alone when the source gives no time."""
        node = self._scalar(node, label, "a date and time")
        if node is None:
            return None
        text = node.value.strip()
        m = _DATETIME.fullmatch(text)
        if m is None:
            day = _DATE.fullmatch(text)
            if day and day.group(3):
                return self._date(node, f, label)
            self.bad(node, label, f"`{shown(node.value)}` is not a date and time cardf can read; write the date, time "
                                  "with seconds, and offset from UTC, e.g. 2025-12-04T13:01:00+03:00, or the date "
                                  "alone, e.g. 2025-12-04")
            return None
        year, month, day, hour, minute, second, _, zone, _, zone_hours, zone_minutes = m.groups()
        try:
            dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
            if zone != "Z" and (int(zone_minutes) > 59 or int(zone_hours) * 60 + int(zone_minutes) > 14 * 60):
                raise ValueError
        except ValueError:
            self.bad(node, label, f"`{shown(node.value)}` is not a real date and time (there is no such day, hour, "
                                  "minute or offset; offsets run from -14:00 to +14:00)")
            return None
        return text

    def _decimal(self, node, f, label):
        node = self._scalar(node, label, "a number")
        if node is None:
            return None
        if node.tag not in _NUMBER_TAGS or node.style is not None:
            self.bad(node, label, f"expected a number, found {kind_of(node)}; write numbers unquoted with a "
                                  "dot as decimal mark, e.g. 4.1 or 4100000000")
            return None
        try:
            value = Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.bad(node, label, f"`{shown(node.value)}` is not a finite decimal number")
            return None
        _, digits, exponent = value.as_tuple()
        significant = "".join(map(str, digits)).rstrip("0")
        if significant and (len(significant) > _DIGITS or not -_DIGITS <= exponent + len(digits) - 1 < _DIGITS):
            self.bad(node, label, f"`{shown(node.value)}` is beyond what cardf keeps exactly: at most {_DIGITS} "
                                  f"significant digits, between 1e-{_DIGITS} and 1e{_DIGITS}")
            return None
        return value

    def _integer(self, node, f, label):
        node = self._scalar(node, label, "a whole number")
        if node is None:
            return None
        if node.tag != "tag:yaml.org,2002:int" or node.style is not None:
            self.bad(node, label, f"expected a whole number, found {kind_of(node)}")
            return None
        try:
            return int(node.value.replace("_", ""))
        except ValueError:
            self.bad(node, label, f"`{shown(node.value)}` is not a whole number written in decimal digits")
            return None

    def _concept(self, node, f, label):
        node = self._scalar(node, label, "a code")
        if node is None:
            return None
        codes = self.vocab.get(f.scheme or "", set())
        if node.value not in codes:
            close = difflib.get_close_matches(node.value, sorted(codes), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(f'`{c}`' for c in close)}?" if close else \
                f"expected one of: {', '.join(sorted(codes))}"
            self.bad(node, label, f"`{shown(node.value)}` is not a code of the {f.scheme} vocabulary; {hint}")
            return None
        return node.value

    def _currency(self, node, f, label):
        return self._str(node, f, label)

    def _url(self, node, f, label):
        node = self._scalar(node, label, "a URL")
        if node is None:
            return None
        if not _URL.fullmatch(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not an http(s) URL")
            return None
        return node.value

    def _period(self, node, f, label):
        if isinstance(node, ScalarNode):
            d = self._date(node, f, label)
            return Period(d, d) if d else None
        got = self.fields(node, PERIOD_FIELDS, label)
        if got is None or len(got[0]) < 2:
            return None
        return Period(got[0]["start"], got[0]["end"])

    def _evidence(self, node, f, label):
        if isinstance(node, ScalarNode):
            text = self._str(node, f, label)
            return [(text, None, self.origin(node), label)] if text else None
        got = self.fields(node, EVIDENCE_FIELDS, label)
        if got is None or "text" not in got[0]:
            return None
        return [(got[0]["text"], got[0].get("occurrence"), self.origin(node), label)]

    def _participants(self, node, f, label):
        if not isinstance(node, SequenceNode):
            self.bad(node, label, f"expected a list of {{agent: …, role: …}}, found {kind_of(node)}")
            return None
        out = []
        for i, item in enumerate(node.value):
            got = self.fields(item, PARTICIPANT_FIELDS, f"{label}[{i}]")
            if got is not None:
                values, origins = got
                values["_origins"] = origins
                out.append(values)
        return out or None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


# ----------------------------------------------------------------------------- evidence

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


# ----------------------------------------------------------------------------- loading

def load_vocabulary(ontology_dir: Path) -> dict[str, set[str]]:
    """Codes of every SKOS scheme in the ontology folder, read from the concept IRIs."""
    from .ontology import load_ontology_quads
    from .iris import SKOS, VOCAB

    vocab: dict[str, set[str]] = {}
    in_scheme = SKOS + "inScheme"
    for q in load_ontology_quads(ontology_dir):
        if q.predicate.value == in_scheme and q.subject.value.startswith(VOCAB):
            scheme, _, code = q.subject.value[len(VOCAB):].rpartition("/")
            vocab.setdefault(scheme, set()).add(code)
    return vocab


def load_corpus(data_dir: Path, vocab: dict[str, set[str]], only: set[str] | None = None) -> Corpus:
    """Read and check the whole data folder; raise InputError listing every problem found."""
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise InputError(problems=[Problem("data folder not found", data_dir)])
    defined: dict[str, Record] = {}
    entities = _read_entities(data_dir / ENTITIES_FILE, vocab, problems, defined)
    articles = []
    adir = data_dir / ARTICLES_DIR
    folders, listing_problems = article_folders(data_dir)
    problems += listing_problems
    if not adir.is_dir() and not listing_problems:
        problems.append(Problem(f"no `{ARTICLES_DIR}/` folder; each article lives in {ARTICLES_DIR}/<slug>/", data_dir))
    else:
        for folder in folders:
            if only is not None and folder.name not in only:
                continue
            article = _read_article(folder, vocab, problems, defined)
            if article is not None:
                articles.append(article)
    corpus = Corpus(entities, articles)
    if entities is not None:  # without the registry every reference would fail: say only that
        _resolve(corpus, defined, vocab, problems)
    else:
        corpus.entities = []
    if problems:
        problems.sort(key=lambda p: (str(p.path), p.line or 0, p.column or 0))
        raise InputError(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the sources", problems)
    return corpus


def article_folders(data_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The article folders under articles/, in order, and whatever there cannot be read.

    cardf reads only what is inside the data folder: a symbolic link that leads out of it, that
    loops or that leads nowhere, and a folder that cannot be read, are named as problems, never
    followed or skipped in silence.
    """
    adir = data_dir / ARTICLES_DIR
    problem = _link_problem(adir, data_dir)
    if problem is not None:
        return [], [problem]
    try:
        with os.scandir(adir) as found:
            entries = sorted(found, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    except OSError as exc:
        return [], [Problem(f"cannot read this folder: {exc.strerror}", adir)]
    folders, problems = [], []
    for entry in entries:
        path = adir / entry.name
        problem = _link_problem(path, data_dir) if entry.is_symlink() else None
        if problem is not None:
            problems.append(problem)
        elif entry.is_dir():
            if os.access(path, os.R_OK | os.X_OK):
                folders.append(path)
            else:
                problems.append(Problem("cannot read this folder: Permission denied", path))
    return folders, problems


def _link_problem(path: Path, data_dir: Path) -> Problem | None:
    """What is wrong with `path` if it is a symbolic link that loops, leads nowhere or leads out of data_dir."""
    if not os.path.islink(path):
        return None
    try:
        real = Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem("is a symbolic link that loops (it never reaches a file or folder); remove it", path)
        return Problem(f"is a symbolic link to {os.readlink(path)}, which does not exist", path)
    root = Path(os.path.realpath(data_dir))
    if real != root and root not in real.parents:
        return Problem(f"is a symbolic link to {real}, outside the data folder; cardf reads only what is inside "
                       f"{data_dir}, so copy it in instead", path)
    return None


def read_article(folder: Path, vocab: dict[str, set[str]], defined: dict) -> tuple[Article | None, list[Problem]]:
    """One article folder read on its own, as load_corpus reads it (for builds that read articles apart).

    `defined` holds the records known so far (at least the entities'); the article's own are added.
    References are checked by resolve_articles, once every article is read.
    """
    problems: list[Problem] = []
    return _read_article(folder, vocab, problems, defined), problems


def resolve_articles(articles: list[Article], defined, vocab: dict[str, set[str]]) -> list[Problem]:
    """load_corpus's reference checks for some articles, against `defined` (every record of the corpus)."""
    problems: list[Problem] = []
    _resolve(Corpus([], articles), defined, vocab, problems)
    return problems


def _register(record: Record, defined: dict[str, Record], problems: list[Problem]) -> bool:
    first = defined.get(record.id)
    if first is not None:
        at = record.origin
        problems.append(Problem(f"id `{record.id}` is already defined at {first.origin}; ids are unique across "
                                f"{ENTITIES_FILE} and every {FACTS_FILE}: rename one of the two records, or keep one "
                                "definition and refer to it", at.path, at.line, at.column,
                                f"{record.values['_label']}.id" if "_label" in record.values else "id"))
        return False
    defined[record.id] = record
    return True


def _read_kind_lists(path: Path, root: Node, kinds: tuple[Kind, ...], reader: _Reader, defined, problems,
                     allowed_extra: tuple[str, ...] = (), article: str | None = None) -> tuple[list[Record], dict]:
    records: list[Record] = []
    extra: dict[str, Node] = {}
    if not isinstance(root, MappingNode):
        sections = ", ".join(list(allowed_extra) + [k.name for k in kinds])
        problems.append(where(path, root, None, f"expected a mapping with sections ({sections}), "
                                                f"found {kind_of(root)}"))
        return records, extra
    by_name = {k.name: k for k in kinds}
    names = list(allowed_extra) + [k.name for k in kinds]
    for key, key_node, value_node in mapping_items(path, root, problems, ""):
        if key in allowed_extra:
            extra[key] = value_node
            continue
        kind = by_name.get(key)
        if kind is None:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            hint = f"; did you mean `{close[0]}`?" if close else f"; expected one of: {', '.join(names)}"
            problems.append(where(path, key_node, key, f"unknown section{hint}"))
            continue
        if _is_null(value_node):
            continue
        if not isinstance(value_node, SequenceNode):
            problems.append(where(path, value_node, key, f"expected a list of records, found {kind_of(value_node)}"))
            continue
        for i, item in enumerate(value_node.value):
            got = reader.fields(item, kind.fields, f"{key}[{i}]")
            if got is None or "id" not in got[0]:
                continue
            values, origins = got
            if kind.name == "claims":  # read again as the claimed field's type, once that field is known
                values["_value_form"] = next(((v.tag, v.style) for k, v in item.value
                                              if isinstance(k, ScalarNode) and k.value == "value"), None)
            record = Record(kind, values["id"], values, reader.origin(item), origins, article=article)
            label = f"{key}[{i}]"
            record.values["_label"] = label
            if _register(record, defined, problems):
                records.append(record)
    return records, extra


def _read_entities(path: Path, vocab, problems, defined) -> list[Record] | None:
    problem = _link_problem(path, path.parent)
    if problem is not None:
        problems.append(problem)
        return None
    if not path.is_file():
        problems.append(Problem(f"missing {ENTITIES_FILE}: the registry of states, persons, offices, "
                                "organizations and places", path))
        return None
    try:
        root = read_yaml(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    records, _ = _read_kind_lists(path, root, ENTITY_KINDS, _Reader(path, vocab, problems), defined, problems)
    return records


def _read_article(folder: Path, vocab, problems, defined) -> Article | None:
    text_path, facts_path = folder / ARTICLE_TEXT, folder / FACTS_FILE
    if not is_slug(folder.name):
        problems.append(Problem("article folder name must be a slug (lowercase letters, digits, hyphens)", folder))
        return None
    links = [p for p in (_link_problem(path, folder.parent.parent) for path in (text_path, facts_path)) if p]
    if links:
        problems.extend(links)
        return None
    missing = [n for n, p in ((ARTICLE_TEXT, text_path), (FACTS_FILE, facts_path)) if not p.is_file()]
    if missing:
        problems.append(Problem(f"article folder has no {' and no '.join(missing)}; each article folder needs "
                                f"{ARTICLE_TEXT} (the text, verbatim) and {FACTS_FILE}", folder))
        return None
    try:
        text = read_text(text_path)
        root = read_yaml(facts_path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if not text.strip():
        problems.append(Problem(f"the article is empty; {ARTICLE_TEXT} holds the article's text, verbatim, which "
                                "every evidence quote is checked against", text_path))
    reader = _Reader(facts_path, vocab, problems)
    before = len(problems)
    records, extra = _read_kind_lists(facts_path, root, RECORD_KINDS, reader, defined, problems,
                                      allowed_extra=("article",), article=folder.name)
    meta_node = extra.get("article")
    if meta_node is None:
        if len(problems) == before and isinstance(root, MappingNode):
            problems.append(where(facts_path, root, "article", "missing the `article:` section (title, publisher, "
                                                               "published, language)"))
        return None
    got = reader.fields(meta_node, ARTICLE_FIELDS, "article")
    if got is None:
        return None
    meta, origins = got
    if "slug" in meta and meta["slug"] != folder.name:
        problems.append(where(facts_path, meta_node, "article.slug",
                              f"`{meta['slug']}` differs from the folder name `{folder.name}`"))
    article = Article(folder.name, folder, text, meta, reader.origin(meta_node), origins, [], records)
    if not text.strip():  # said once above, instead of once for every quote
        return article
    if "disclaimer" in meta:
        article.disclaimer = _spans(article, meta["disclaimer"], problems)
    for record in records:
        _attach_evidence(article, record, problems)
    return article


def _spans(article: Article, refs, problems) -> list[Span]:
    spans = []
    for text, occurrence, origin, label in refs:
        start, why = locate(article.text, text, occurrence)
        if start is None:
            problems.append(Problem(why, origin.path, origin.line, origin.column, label))
            continue
        spans.append(Span(text, start, start + len(text), origin))
    return spans


def _attach_evidence(article: Article, record: Record, problems) -> None:
    refs = list(record.values.get("evidence") or [])
    if record.kind.name == "quotes" and "text" in record.values:
        quote_origin = record.field_origins["text"]
        if not any(r[0] == record.values["text"] for r in refs):
            refs.insert(0, (record.values["text"], None, quote_origin, f"{record.values['_label']}.text"))
    if not refs and record.kind.evidence_required and "evidence" not in record.values.get("_misspelt", ()):
        problems.append(Problem("has no `evidence`: quote the words of the article that state it",
                                record.origin.path, record.origin.line, record.origin.column,
                                f"{record.values['_label']}.evidence"))
        return
    record.spans = _spans(article, refs, problems)


def _resolve(corpus: Corpus, defined: dict[str, Record], vocab, problems: list[Problem]) -> None:
    """Check that every reference names a defined id of an allowed kind."""
    for article in corpus.articles:
        _check_refs(article.meta, ARTICLE_FIELDS, article.field_origins, "article", defined, problems)
    for record in corpus.records():
        label = record.values["_label"]
        _check_refs(record.values, record.kind.fields, record.field_origins, label, defined, problems)
        for i, p in enumerate(record.values.get("participants") or []):
            _check_refs(p, PARTICIPANT_FIELDS, p["_origins"], f"{label}.participants[{i}]", defined, problems)
        if record.kind.name == "claims":
            _resolve_claim(record, defined, vocab, problems)


def _check_refs(values: dict, spec: tuple[Field, ...], origins: dict, label: str, defined, problems) -> None:
    for f in spec:
        if f.type not in ("ref", "refs") or f.name not in values:
            continue
        ids = values[f.name] if f.type == "refs" else [values[f.name]]
        origin = origins[f.name]
        for ref in ids:
            target = defined.get(ref)
            if target is None:
                close = difflib.get_close_matches(ref, list(defined), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
                problems.append(Problem(f"`{ref}` is not defined in {ENTITIES_FILE} or any {FACTS_FILE}{hint}",
                                        origin.path, origin.line, origin.column, f"{label}.{f.name}"))
            elif f.targets and target.kind.name not in f.targets:
                problems.append(Problem(
                    f"`{ref}` is one of the {target.kind.name} (defined at {target.origin}); expected one of the "
                    f"{' or '.join(f.targets)}", origin.path, origin.line, origin.column, f"{label}.{f.name}"))


def _resolve_claim(record: Record, defined, vocab, problems) -> None:
    values, label = record.values, record.values["_label"]
    target = defined.get(values.get("claim_about", ""))
    if target is None or "field" not in values or "value" not in values:
        return
    origin = record.field_origins["field"]
    f = target.kind.field(values["field"])
    if f is None or f.predicate is None or f.name in ("id", "note", "evidence", "sources"):
        usable = [x.name for x in target.kind.fields if x.predicate and x.name not in ("note", "sources")]
        problems.append(Problem(f"`{values['field']}` is not a field of {target.kind.name} that a claim can "
                                f"give; expected one of: {', '.join(usable)}",
                                origin.path, origin.line, origin.column, f"{label}.field"))
        return
    single = {"refs": "ref", "concepts": "concept", "texts": "text"}.get(f.type, f.type)
    vorigin = record.field_origins["value"]
    mark = Mark(str(vorigin.path), 0, vorigin.line - 1, vorigin.column - 1, None, None)
    tag, style = values.get("_value_form") or ("tag:yaml.org,2002:str", None)
    node = ScalarNode(tag, str(values["value"]), mark, mark, style)
    sub: list[Problem] = []
    reader = _Reader(record.origin.path, vocab, sub)
    converted = reader.value(node, Field(f.name, single, f.predicate, targets=f.targets, scheme=f.scheme), label)
    if single == "ref" and converted is not None and converted not in defined:
        sub.append(Problem(f"`{converted}` is not defined"))
    for p in sub:
        problems.append(Problem(f"as `{f.name}` of {target.kind.name}: {p.message}", vorigin.path, vorigin.line,
                                vorigin.column, f"{label}.value"))
    if not sub:
        values["_claim_field"] = f
        values["_claim_value"] = converted
