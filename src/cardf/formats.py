"""Every format name cardf knows, in one table: RDF syntaxes, SPARQL results, tables and plain JSON.

Like rdflib's plugin table, one registry maps every way a user may name a format — its name,
its short name, a file extension, a media type (`turtle`, `ttl`, `.ttl`, `text/turtle`) — to
one entry. Every command reads format names through `lookup`, so `--input-format ttl`,
`--format text/turtle` and `cardf.ttl` mean the same thing everywhere, and adding a format
means adding a line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat


@dataclass(frozen=True)
class Format:
    name: str  # the canonical name: turtle, ntriples, …, csv, table
    short: str  # what cardf writes in file names and option values: ttl, nt, …
    media_types: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    rdf: RdfFormat | None = None  # pyoxigraph's parser and writer, for an RDF syntax
    quads: bool = False  # keeps named graphs

    def names(self) -> tuple[str, ...]:
        """Every spelling that means this format, in the order help texts show them."""
        return tuple(dict.fromkeys((self.short, self.name, *self.aliases, *self.media_types)))


RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "ttl", ("text/turtle", "application/x-turtle"), (".ttl", ".turtle"), rdf=RdfFormat.TURTLE),
    Format("ntriples", "nt", ("application/n-triples",), (".nt", ".ntriples"), ("n-triples",),
           rdf=RdfFormat.N_TRIPLES),
    Format("nquads", "nq", ("application/n-quads",), (".nq", ".nquads"), ("n-quads",), rdf=RdfFormat.N_QUADS,
           quads=True),
    Format("trig", "trig", ("application/trig",), (".trig",), rdf=RdfFormat.TRIG, quads=True),
    Format("jsonld", "jsonld", ("application/ld+json",), (".jsonld", ".json-ld", ".json"), ("json-ld",),
           rdf=RdfFormat.JSON_LD, quads=True),
    Format("rdfxml", "rdf", ("application/rdf+xml",), (".rdf", ".owl", ".xml"), ("xml", "rdf/xml"),
           rdf=RdfFormat.RDF_XML),
    Format("n3", "n3", ("text/n3",), (".n3",), rdf=RdfFormat.N3),
)

OTHER_FORMATS: tuple[Format, ...] = (
    Format("table", "table", (), (), ("text/plain",)),
    Format("text", "text", (), (".txt",)),
    Format("markdown", "markdown", ("text/markdown",), (".md",), ("md",)),
    Format("csv", "csv", ("text/csv",), (".csv",)),
    Format("tsv", "tsv", ("text/tab-separated-values",), (".tsv",)),
    Format("json", "json", ("application/sparql-results+json", "application/json"), ()),
    Format("records", "records", (), ()),
    Format("ndjson", "ndjson", ("application/x-ndjson", "application/jsonl"), (".jsonl", ".ndjson"),
           ("jsonl", "json-lines")),
    Format("statements", "statements", (), ()),
)

ALL: tuple[Format, ...] = RDF_FORMATS + OTHER_FORMATS
_BY_SPELLING: dict[str, Format] = {}
for _f in ALL:
    for _spelling in _f.names() + _f.extensions:
        _BY_SPELLING.setdefault(_spelling.lower(), _f)


def lookup(spelling: str) -> Format | None:
    """The format a name, short name, alias, extension or media type stands for (any case), or None."""
    text = spelling.strip().lower()
    return _BY_SPELLING.get(text) or _BY_SPELLING.get(text.split(";", 1)[0].strip())


def rdf_format(spelling: str) -> Format | None:
    """The RDF syntax a spelling names, or None (also for non-RDF formats)."""
    found = lookup(spelling)
    return found if found is not None and found.rdf is not None else None


def of_extension(suffix: str) -> Format | None:
    """The RDF syntax a file extension (`.ttl`) says, or None."""
    found = _BY_SPELLING.get(suffix.lower()) if suffix.startswith(".") else None
    return found if found is not None and found.rdf is not None else None


def pick(spelling: str, choices: tuple[str, ...]) -> str | None:
    """The one of `choices` (short or canonical names) that `spelling` means, or None."""
    if spelling in choices:
        return spelling
    found = lookup(spelling)
    if found is None:
        return None
    for choice in choices:
        if lookup(choice) is found:
            return choice
    return None


RDF_EXTENSIONS = tuple(e for f in RDF_FORMATS for e in f.extensions)
RDF_NAMES = tuple(f.name for f in RDF_FORMATS)
