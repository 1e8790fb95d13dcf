"""The named-query library: `.rq` files whose leading comment block is their header.

    # title: Quotes by a person
    # description: Every direct quotation of one speaker, with its occasion and date.
    # param: speaker = person:vladimir-putin — the person quoted
    # example: cardf query quotes-by-person --param speaker=person:sadyr-japarov

A `Query` is the text, where it came from (named in error messages) and what its header says;
the header's parameters are bound by cardf.params, and the query is run by cardf.query.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import render, sparqltext
from .errors import InputError, Problem, UsageError
from .iris import Minter

SUFFIX = ".rq"


# ----------------------------------------------------------------------------- the query library

@dataclass(frozen=True)
class Param:
    name: str
    default: str  # the default as written in the header; parsed with the query's prefixes when bound
    doc: str = ""
    line: int | None = None


@dataclass
class Query:
    """One question: its text, where it came from, and what its header says."""

    text: str
    origin: str  # a path, `-e` or `<stdin>`: named in error messages
    name: str = ""
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    example: str = ""

    @property
    def form(self) -> str:
        return sparqltext.query_form(self.text)

    def prefixes(self) -> dict[str, str]:
        """The project's prefixes, overridden by the ones the query declares itself."""
        return {**Minter().prefixes(), **sparqltext.declared_prefixes(self.text)}


_HEADER_LINE = re.compile(r"#\s*([A-Za-z]+)\s*:\s?(.*)$")
_PARAM = re.compile(r"\??([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(<[^>]*>|\"(?:[^\"\\]|\\.)*\"(?:@[A-Za-z0-9-]+|\^\^\S+)?"
                    r"|'(?:[^'\\]|\\.)*'(?:@[A-Za-z0-9-]+|\^\^\S+)?|\S+)\s*(?:(?:—|--|-|:)\s*)?(.*)$")
HEADER_KEYS = ("title", "description", "param", "example")


def parse_query(text: str, origin: str, name: str = "") -> Query:
    """Read the header: the comment lines before the first line of SPARQL."""
    q = Query(text=text, origin=origin, name=name)
    last = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER_LINE.match(stripped)
        key = m.group(1).lower() if m else None
        if key in HEADER_KEYS:
            value = m.group(2).strip()
            if key == "param":
                p = _PARAM.match(value)
                if not p:
                    raise InputError(problems=[Problem("a parameter is written `param: name = default — what it is`",
                                                       origin, number, field="header")])
                if p.group(1) in q.params:
                    raise InputError(problems=[Problem(f"parameter `{p.group(1)}` is declared twice", origin, number,
                                                       field="header")])
                q.params[p.group(1)] = Param(p.group(1), p.group(2), p.group(3).strip(), number)
                last = ("param", p.group(1))
            else:
                setattr(q, key, value)
                last = (key, None)
        elif last and stripped.lstrip("#").strip() and line.startswith("#  "):
            more = stripped.lstrip("#").strip()  # an indented comment line continues the previous entry
            if last[0] == "param":
                p = q.params[last[1]]
                q.params[last[1]] = Param(p.name, p.default, f"{p.doc} {more}".strip(), p.line)
            else:
                setattr(q, last[0], f"{getattr(q, last[0])} {more}".strip())
        else:
            last = None
    return q


def load_query_file(path: Path, name: str = "") -> Query:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(problems=[Problem("file not found", path)]) from None
    except UnicodeDecodeError:
        raise InputError(problems=[Problem("is not UTF-8 text", path)]) from None
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path)]) from None
    return parse_query(text, str(path), name or path.stem)


def library(folder: Path) -> dict[str, Query]:
    """Every named query in the folder, by name (the file name without `.rq`)."""
    if not folder.is_dir():
        raise UsageError(problems=[Problem("no folder of named queries here; pass --queries DIR", folder)])
    return {p.stem: load_query_file(p) for p in sorted(folder.glob(f"*{SUFFIX}"))}


def find_query(name: str, folder: Path) -> Query:
    path = folder / f"{name}{SUFFIX}"
    if path.is_file():
        return load_query_file(path, name)
    names = sorted(p.stem for p in folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name in n and n not in close][:3 - len(close)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"no query named `{name}` in {folder}{hint} (`cardf query --list` shows them all)")


def resolve(source: str | None, expression: str | None, stdin_text: str | None, folder: Path) -> Query:
    """The query to run: `-e TEXT`, a FILE.rq, a library NAME, or the text on stdin (`-` or nothing)."""
    if expression is not None:
        if source is not None:
            raise UsageError("give either a query NAME or FILE or -e QUERY, not both")
        return parse_query(expression, "-e")
    if source is not None and source != "-":
        if source.endswith((SUFFIX, ".sparql")) or "/" in source or os.sep in source:
            return load_query_file(Path(source))
        return find_query(source, folder)
    if stdin_text is None or not stdin_text.strip():
        raise UsageError("no query given: name one from the library (`cardf query --list`), give a FILE.rq, "
                         "-e 'SELECT …', or pipe a query on stdin")
    return parse_query(stdin_text, "<stdin>")



# ----------------------------------------------------------------------------- listing

def listing_rows(queries: dict[str, Query]) -> list[dict]:
    return [{"name": name, "title": q.title, "description": q.description,
             "parameters": [{"name": p.name, "default": p.default, "description": p.doc} for p in q.params.values()],
             "example": q.example} for name, q in queries.items()]


def render_listing(queries: dict[str, Query], fmt: str, headers: bool = True) -> bytes:
    rows = listing_rows(queries)
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header = ["name", "title", "parameters", "description"]
    cells = [[r["name"], r["title"], ", ".join(f"{p['name']}={p['default']}" for p in r["parameters"]),
              r["description"]] for r in rows]
    if fmt == "markdown":
        cells = [[f"`{c[0]}`", c[1], ", ".join(f"`{p}`" for p in c[2].split(", ")) if c[2] else "", c[3]]
                 for c in cells]
        return render.markdown(header, cells, headers=headers).encode("utf-8")
    if fmt == "csv":
        return render.csv_text(header, cells, headers).encode("utf-8")
    if fmt == "tsv":
        return render.tsv_text(header, cells, headers).encode("utf-8")
    return render.table(header[:3], [c[:3] for c in cells], headers=headers).encode("utf-8")

