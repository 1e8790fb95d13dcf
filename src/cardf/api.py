"""cardf's Python API: build, validate and ask questions from a notebook or a program.

    >>> import cardf
    >>> built = cardf.Project("data").build("out")      # or cardf.open("out") for a build already made
    >>> visits = built.query("visits", lang="ru")       # a list of plain dicts
    >>> visits.dataframe()                              # a pandas DataFrame, when pandas is installed

Small on purpose, in the spirit of pyoxigraph's and sqlite-utils' APIs: a few functions, a
`Project` (the sources) and a `Build` (what it became), plain rows. Everything else in the
package is internal and may change. Rows are dicts of JSON-ready values (an IRI as its text, numbers as numbers); a variable that
holds IRIs gets a `<name>_label` beside it, in the language asked for. The RDF itself is one
call away: `Build.store()` (pyoxigraph) and `Build.dataset()` (rdflib).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from .errors import CardfError, InputError, NotConforming, UsageError
from .iris import DEFAULT_BASE
from .resources import DATA_DIR, OUT_DIR, resource_dir

__all__ = ["Build", "CardfError", "InputError", "NotConforming", "Project", "Rows", "UsageError", "open", "validate"]


class Rows(list):
    """A query's answer: a list of dicts, one per row, with the query's columns in order."""

    def __init__(self, rows: list[dict], columns: list[str]):
        super().__init__(rows)
        self.columns = columns

    def dataframe(self):
        """The rows as a pandas DataFrame (pandas is optional: `pip install pandas`)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Rows.dataframe() needs pandas, which cardf does not install: pip install pandas") \
                from None
        return pandas.DataFrame(list(self), columns=self.columns)


class Build:
    """A build folder that `cardf build` (or `Project.build`) wrote."""

    def __init__(self, folder: Path | str = OUT_DIR, report=None, summary: dict | None = None,
                 base: str = DEFAULT_BASE):
        self.folder = Path(folder)
        self.report = report  # the validation report, when this Build came from cardf.build
        self.base = base
        self._summary = summary
        self._store = None

    def __repr__(self) -> str:
        return f"Build({str(self.folder)!r})"

    @property
    def summary(self) -> dict:
        """What report.json says: articles, records by kind, triples, validation counts, files."""
        if self._summary is None:
            path = self.folder / "report.json"
            if not path.is_file():
                raise InputError(f"{self.folder}: no report.json here; run `cardf build` first")
            self._summary = json.loads(path.read_text(encoding="utf-8"))
        return self._summary

    def store(self):
        """The built data as a pyoxigraph Store: the build's own store, opened read-only (else cardf.nq, in memory)."""
        if self._store is None:
            from .plain import open_build

            self._store = open_build(self.folder)
        return self._store

    def dataset(self):
        """The built data as an rdflib Dataset, one named graph per article (read from cardf.nq)."""
        import rdflib

        nq = self.folder / "cardf.nq"
        if not nq.is_file():
            raise InputError(f"{self.folder}: no cardf.nq here; build with the nq format")
        dataset = rdflib.Dataset()
        dataset.parse(nq, format="nquads")
        return dataset

    def query(self, query: str, params: dict | None = None, *, lang: str = "en", labels: bool = True,
              queries: Path | str | None = None):
        """Ask a named query (`"visits"`), a .rq file or SPARQL text; parameters as `--param` takes them.

        A parameter value may be written as on the command line (`"state:russia"`, `"russia"`,
        `"2025-11-11"`) or be a pyoxigraph term. SELECT gives Rows, ASK a bool, CONSTRUCT and
        DESCRIBE Rows of subject, predicate and object. Updates and SERVICE calls are refused.
        """
        from pyoxigraph import Literal, NamedNode

        from . import query as q
        from .results import iris_of, labelled_variables, plain_row

        folder = Path(queries) if queries is not None else resource_dir("queries")
        if any(c in query for c in " \n\t{"):
            question = q.parse_query(query, "query")
        else:
            question = q.resolve(query, None, None, folder)
        q.check_query(question)
        given, terms = [], {}
        for name, value in (params or {}).items():
            if isinstance(value, (NamedNode, Literal)):
                terms[name] = value
            else:
                given.append(f"{name}={value}")
        bindings = {**q.bindings_for(question, given), **terms}
        target = q.LocalTarget(self.store(), str(self.folder))
        bindings, notes = q.resolve_ids(target, bindings)
        for note in notes:
            warnings.warn(note, stacklevel=2)
        answer = target.run(question, bindings)
        if answer.form == "ASK":
            return bool(answer.boolean)
        if answer.form == "GRAPH":
            variables = ["subject", "predicate", "object"]
            rows = [(t.subject, t.predicate, t.object) for t in answer.triples]
        else:
            variables, rows = answer.variables, list(answer.rows)
        labelled = labelled_variables(variables, rows) if labels else []
        found = target.labels(iris_of(rows), lang) if labelled else {}
        prefixes = question.prefixes()
        columns = [c for v in variables for c in ((v, f"{v}_label") if v in labelled else (v,))]
        return Rows([plain_row(variables, row, labelled, found, prefixes) for row in rows], columns)

    def statements(self, lang: str = "en") -> list[dict]:
        """One dict per statement (see `cardf export --format statements`)."""
        from .plain import Facts, statements

        return list(statements(Facts(self.store(), lang, self.base)))

    def records(self, lang: str = "en") -> list[dict]:
        """The facts as nested dicts (see `cardf export --format records`)."""
        from .plain import Facts, records

        return list(records(Facts(self.store(), lang, self.base)))


class Project:
    """A cardf project: the sources in `data`, the ontology and shapes (cardf's own unless given), the base IRI."""

    def __init__(self, data: Path | str = DATA_DIR, *, ontology: Path | str | None = None,
                 shapes: Path | str | None = None, base: str = DEFAULT_BASE):
        from .iris import valid_base

        if not valid_base(base):
            raise UsageError(f"base must be an http(s) IRI ending in '/', got {base!r}")
        self.data, self.base = Path(data), base
        self.ontology = Path(ontology) if ontology is not None else resource_dir("ontology")
        self.shapes = Path(shapes) if shapes is not None else resource_dir("shapes")

    def __repr__(self) -> str:
        return f"Project({str(self.data)!r})"

    def _settings(self, out: Path, formats: tuple[str, ...] | None = None, store: bool = True):
        from .build import Settings
        from .export import FORMATS
        from .formats import pick

        chosen = tuple(FORMATS)
        if formats is not None:
            chosen = tuple(pick(f, FORMATS) or f for f in formats)
            unknown = [f for f in chosen if f not in FORMATS]
            if unknown:
                raise UsageError(f"unknown format {', '.join(unknown)}; expected some of {', '.join(FORMATS)}")
        return Settings(data=self.data, out=out, ontology=self.ontology, shapes=self.shapes, base=self.base,
                        formats=chosen, store=store)

    def build(self, out: Path | str = OUT_DIR, *, formats: tuple[str, ...] | None = None,
              store: bool = True) -> Build:
        """Build the sources into `out`, as `cardf build` does; raises NotConforming on violations."""
        from .build import run

        built = run(self._settings(Path(out), formats, store))
        return Build(out, built.report, built.summary, self.base)

    def validate(self, *files: Path | str, input_format: str | None = None, inference: str = "none"):
        """Validate RDF files (the sources when none are given); the report has .conforms and .findings."""
        from .build.check import validate_files
        from .formats import rdf_format

        fmt = None
        if input_format is not None:
            found = rdf_format(input_format)
            if found is None:
                raise UsageError(f"unknown format {input_format!r}")
            fmt = found.name
        report, _ = validate_files([Path(f) for f in files], self._settings(OUT_DIR), fmt, True, inference)
        return report


def open(out: Path | str = OUT_DIR, *, base: str = DEFAULT_BASE) -> Build:  # noqa: A001 — cardf.open, like io.open
    """A build folder written before."""
    folder = Path(out)
    if not folder.is_dir():
        from .resources import old_build_hint

        raise InputError(f"{folder}: no build here; run `cardf build` first{old_build_hint(folder)}")
    return Build(folder, base=base)


def validate(*files: Path | str, data: Path | str = DATA_DIR, input_format: str | None = None,
             inference: str = "none"):
    """Validate RDF files (the sources in `data` when none are given) against cardf's shapes: a Report."""
    return Project(data).validate(*files, input_format=input_format, inference=inference)
