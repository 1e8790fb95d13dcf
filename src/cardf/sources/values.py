"""Values of the source format read from YAML nodes, by field type, every problem collected with its place.

One reader per field type of schema.py (the table `_READERS` at the end); each gives the
value the mapper expects, or reports what is wrong and gives None, so that the loader goes
on and lists every problem in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Literal

from ..errors import Problem
from ..iris import is_slug
from ..schema import EVIDENCE_FIELDS, PARTICIPANT_FIELDS, PERIOD_FIELDS, Field
from ..yamlfile import MappingNode, Node, ScalarNode, SequenceNode, kind_of, mapping_items, shown, where
from .model import Fields, Origin, Participant, PartialDate, Period, Quote

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


class ValueReader:
    """Converts nodes to values by field type, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, vocab: dict[str, set[str]], problems: list[Problem]):
        self.path = path
        self.vocab = vocab
        self.problems = problems

    def bad(self, node: Node | None, field: str, message: str) -> None:
        self.problems.append(where(self.path, node, field, message))

    def origin(self, node: Node) -> Origin:
        return Origin(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def fields(self, node: Node, spec: tuple[Field, ...], context: str) -> Fields | None:
        """Read a mapping against a field spec; None if it is not a mapping."""
        if not isinstance(node, MappingNode):
            self.bad(node, context, f"expected a mapping of fields, found {kind_of(node)}")
            return None
        names = [f.name for f in spec]
        by_name = {f.name: f for f in spec}
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        misspelt: set[str] = set()
        for key, key_node, value_node in mapping_items(self.path, node, self.problems, context):
            label = f"{context}.{shown(key)}" if context else shown(key)
            f = by_name.get(key)
            if f is None:
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else f"; expected one of: {', '.join(names)}"
                self.bad(key_node, label, f"unknown field{hint}")
                if close:  # the field is there, misspelt: do not also call it missing
                    misspelt.add(close[0])
                continue
            if is_null(value_node):
                if f.required:
                    self.bad(value_node, label, "is required but empty")
                continue
            value = self.value(value_node, f, label)
            if value is not None:
                values[key] = value
                origins[key] = self.origin(value_node)
        for f in spec:
            if f.required and f.name not in values and f.name not in misspelt and not any(
                    p.field == f"{context}.{f.name}" for p in self.problems):
                self.bad(node, context, f"missing required field `{f.name}`")
        return Fields(values, origins, frozenset(misspelt))

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
        return _READERS[t](self, node, f, label)

    # one reader per field type -------------------------------------------------------

    def _scalar(self, node: Node, label: str, expected: str) -> ScalarNode | None:
        if not isinstance(node, ScalarNode):
            self.bad(node, label, f"expected {expected}, found {kind_of(node)}")
            return None
        return node

    def read_id(self, node, f, label):
        node = self._scalar(node, label, "an id")
        if node is None:
            return None
        if not is_slug(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not a valid id; use lowercase letters, digits and "
                                  "single hyphens, e.g. `putin-visit-tajikistan`")
            return None
        return node.value


    def read_str(self, node, f, label):
        node = self._scalar(node, label, "a string")
        return node.value if node is not None else None

    def read_en(self, node, f, label):
        node = self._scalar(node, label, "a string")
        return node.value if node is not None and self._readable(node, f, label) else None

    def read_qid(self, node, f, label):
        node = self._scalar(node, label, "a Wikidata id")
        if node is None:
            return None
        if not _WIKIDATA.fullmatch(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not a Wikidata item id and cannot end an IRI; expected "
                                  "Q and digits, such as Q159 (the id in the item's address, "
                                  "https://www.wikidata.org/wiki/Q159)")
            return None
        return node.value

    def read_language(self, node, f, label):
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

    def read_text(self, node, f, label):
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

    def read_date(self, node, f, label):
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

    def read_datetime(self, node, f, label):
        """A full xsd:dateTime (seconds and offset: an instant), or a date alone when the source gives no time."""
        node = self._scalar(node, label, "a date and time")
        if node is None:
            return None
        text = node.value.strip()
        m = _DATETIME.fullmatch(text)
        if m is None:
            day = _DATE.fullmatch(text)
            if day and day.group(3):
                return self.read_date(node, f, label)
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

    def read_decimal(self, node, f, label):
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

    def read_integer(self, node, f, label):
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

    def read_concept(self, node, f, label):
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

    def read_currency(self, node, f, label):
        return self.read_str(node, f, label)

    def read_url(self, node, f, label):
        node = self._scalar(node, label, "a URL")
        if node is None:
            return None
        if not _URL.fullmatch(node.value):
            self.bad(node, label, f"`{shown(node.value)}` is not an http(s) URL")
            return None
        return node.value

    def read_period(self, node, f, label):
        if isinstance(node, ScalarNode):
            d = self.read_date(node, f, label)
            return Period(d, d) if d else None
        got = self.fields(node, PERIOD_FIELDS, label)
        if got is None or len(got.values) < 2:
            return None
        return Period(got.values["start"], got.values["end"])

    def read_evidence(self, node, f, label):
        if isinstance(node, ScalarNode):
            text = self.read_str(node, f, label)
            return [Quote(text, None, self.origin(node), label)] if text else None
        got = self.fields(node, EVIDENCE_FIELDS, label)
        if got is None or "text" not in got.values:
            return None
        return [Quote(got.values["text"], got.values.get("occurrence"), self.origin(node), label)]

    def read_participants(self, node, f, label):
        if not isinstance(node, SequenceNode):
            self.bad(node, label, f"expected a list of {{agent: …, role: …}}, found {kind_of(node)}")
            return None
        out = []
        for i, item in enumerate(node.value):
            got = self.fields(item, PARTICIPANT_FIELDS, f"{label}[{i}]")
            if got is not None:
                out.append(Participant(got.values, got.origins))
        return out or None


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


_READERS = {
    "id": ValueReader.read_id, "ref": ValueReader.read_id, "str": ValueReader.read_str, "en": ValueReader.read_en,
    "qid": ValueReader.read_qid, "language": ValueReader.read_language, "text": ValueReader.read_text,
    "date": ValueReader.read_date, "datetime": ValueReader.read_datetime, "decimal": ValueReader.read_decimal,
    "integer": ValueReader.read_integer, "concept": ValueReader.read_concept, "currency": ValueReader.read_currency,
    "url": ValueReader.read_url, "period": ValueReader.read_period, "evidence": ValueReader.read_evidence,
    "participants": ValueReader.read_participants,
}
