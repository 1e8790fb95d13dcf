"""Output for people: aligned tables, Markdown tables, plain CSV/TSV, and IRIs as prefixed names.

One module for every command that prints a table (query, ontology report, stats), so that
they align, escape and abbreviate the same way.

Tables and Markdown are meant for a terminal or a document, so they are terminal-safe: a
control character in a value (an ANSI escape such as ESC, a carriage return, a bidi
override) is shown as `\\u001b` and never reaches the terminal raw. Machine formats (the W3C
SPARQL results formats that `cardf query` writes with pyoxigraph) keep the exact data.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import unicodedata

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")
_LOCAL = re.compile(r"[\w][\w.-]*")
_IRI_IN_TEXT = re.compile(r"(?:https?|urn):[^\s\"<>,;)]+[^\s\"<>,;).]")
MIN_COLUMN = 8  # narrowest a column is squeezed to when a table is fitted to the terminal
NARROWEST = 4  # … unless the table has so many columns that it cannot fit otherwise


def safe(text: str) -> str:
    """The text with every control character written as a visible `\\uXXXX` (tabs and line breaks too)."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def one_line(text: str) -> str:
    """A cell on one line: runs of whitespace that hold a tab or a line break become one space; controls visible."""
    if _LINE_BREAKS.search(text):
        text = " ".join(text.split())
    return safe(text)


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide East Asian characters take two, combining marks none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def clip(text: str, limit: int | None) -> str:
    """The text cut to `limit` columns, ending in `…` when cut."""
    if limit and width(text) > limit:
        while text and width(text) > limit - 1:
            text = text[:-1]
        text += "…"
    return text


# ----------------------------------------------------------------------------- IRIs

def curie(iri: str, prefixes: dict[str, str]) -> str | None:
    """`prefix:local` for the longest namespace that abbreviates the IRI to a valid local name; else None."""
    best = None
    for name, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(prefixes[best])):
            local = iri[len(ns):]
            if _LOCAL.fullmatch(local) and not local.endswith("."):
                best = name
    return f"{best}:{iri[len(prefixes[best]):]}" if best is not None else None


def short_iri(iri: str, prefixes: dict[str, str]) -> str:
    """The IRI as a prefixed name where one fits, else `<iri>`, the way SPARQL and Turtle write it."""
    return curie(iri, prefixes) or f"<{iri}>"


def curies_in(text: str, prefixes: dict[str, str]) -> str:
    """A free text (a message) with the IRIs in it written as prefixed names where one fits."""
    return _IRI_IN_TEXT.sub(lambda m: curie(m.group(0), prefixes) or m.group(0), text)


# ----------------------------------------------------------------------------- aligned tables

class Table:
    """An aligned plain-text table written in blocks, so that a long answer need not be held whole.

    The column widths are those of the first block (up to `first` rows), fitted to `fit`
    columns when given (a terminal's width); later rows keep those widths, and a longer cell
    of a later block is cut to its column on a terminal (`limit`) or overflows it when piped.
    """

    def __init__(self, header: list[str], *, headers: bool = True, limit: int | None = None, fit: int | None = None,
                 right: frozenset[int] | set[int] = frozenset(), rule: bool = True):
        self.header = [one_line(h) for h in header]
        self.headers, self.limit, self.fit, self.right, self.rule = headers, limit, fit, right, rule
        self.widths: list[int] | None = None

    def _cells(self, row: list[str]) -> list[str]:
        return [clip(one_line(c), self.limit) for c in row]

    def _line(self, cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, self.widths)):
            pad = " " * max(0, w - width(c))
            out.append(pad + c if i in self.right else c + pad)
        return "  ".join(out).rstrip()

    def block(self, rows: list[list[str]]) -> str:
        """The next rows as text; the first call also writes the header."""
        rows = [self._cells(r) for r in rows]
        out = []
        if self.widths is None:
            self.widths = [max([width(h) if self.headers else 0] + [width(r[i]) for r in rows])
                           for i, h in enumerate(self.header)]
            if self.fit:
                self._fit()
                rows = [[clip(c, w) for c, w in zip(r, self.widths)] for r in rows]
            if self.headers:
                out.append(self._line([clip(h, w) for h, w in zip(self.header, self.widths)]))
                if self.rule:
                    out.append(self._line(["-" * w for w in self.widths]))
        elif self.fit or self.limit:
            rows = [[clip(c, w) for c, w in zip(r, self.widths)] for r in rows]
        out += [self._line(r) for r in rows]
        return "".join(f"{x}\n" for x in out)

    def _fit(self) -> None:
        """Narrow the widest columns until the table fits the terminal: to MIN_COLUMN, then, for a table of
        many columns, to NARROWEST (three characters and `…`) rather than wrap every line."""
        widths = self.widths
        for floor in (MIN_COLUMN, NARROWEST):
            while sum(widths) + 2 * (len(widths) - 1) > self.fit:
                widest = max(range(len(widths)), key=lambda i: widths[i])
                if widths[widest] <= floor:
                    break
                widths[widest] -= 1


def terminal_width() -> int | None:
    """The terminal's width when standard output is one (COLUMNS wins, as everywhere), else None.

    Piped or redirected output is never cut: a script or a file gets every character.
    """
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def table(header: list[str], rows: list[list[str]], **options) -> str:
    """A whole aligned table (see Table for the options), fitted to the terminal unless `fit` says otherwise."""
    if "fit" not in options:
        options["fit"] = terminal_width()
    return Table(header, **options).block(rows)


# ----------------------------------------------------------------------------- Markdown, CSV, TSV

def markdown_cell(text: str) -> str:
    if _LINE_BREAKS.search(text):
        text = " ".join(text.split())
    return safe(text.replace("\\", "\\\\").replace("|", "\\|"))


class Markdown:
    """A GitHub-flavoured Markdown table written in blocks; `right` columns are aligned right."""

    def __init__(self, header: list[str], *, headers: bool = True, right: frozenset[int] | set[int] = frozenset()):
        self.header, self.headers, self.right = header, headers, right
        self.started = False

    def block(self, rows: list[list[str]]) -> str:
        out = []
        if not self.started and self.headers:
            out += ["| " + " | ".join(markdown_cell(h) for h in self.header) + " |",
                    "|" + "|".join(" ---: " if i in self.right else " --- " for i in range(len(self.header))) + "|"]
        self.started = True
        out += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
        return "".join(f"{x}\n" for x in out)


def markdown(header: list[str], rows: list[list[str]], **options) -> str:
    return Markdown(header, **options).block(rows)


def csv_text(header: list[str], rows: list[list[str]], headers: bool = True) -> str:
    """RFC 4180 CSV (CRLF line ends, quoted where needed); values exactly as given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if headers:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def tsv_text(header: list[str], rows: list[list[str]], headers: bool = True) -> str:
    """Tab-separated values (IANA text/tab-separated-values): a tab or line break inside a value becomes a space."""
    def clean(cell: str) -> str:
        return re.sub(r"[\t\n\r]", " ", cell)
    return "".join("\t".join(clean(c) for c in row) + "\n" for row in ([header] if headers else []) + rows)
