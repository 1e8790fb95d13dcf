"""`cardf ontology report`: quality checks over the ontology, the shapes, the queries and the data.

Each check is a SPARQL SELECT in `cardf/checks/*.rq` whose leading comment block is its header:

    # id: label-en
    # level: error                      (error, warning or info)
    # requires: reasoning               (optional: shapes, data, reasoning)
    # description: Every cardf class and property has an rdfs:label in English.

and which returns one row per finding: `?focus` (the term at fault), `?message`, and optionally
`?where` (file:line). Checks run on pyoxigraph over one dataset whose graphs are:

    chk:ontology   every ontology/*.ttl (also the default graph, for short user queries)
    chk:shapes     the SHACL shapes
    chk:data       the data: the sources mapped to RDF, a build's cardf.nq or RDF files
    chk:usage      one record per use of a cardf term: chk:term, chk:scope (ontology, shapes,
                   data, queries), chk:file, chk:line and, in the ontology, chk:by (the term using it)
    chk:reasoned   the OWL RL closure (owlrl) of the ontology plus one prototype individual per
                   cardf class (chk:prototypeOf), with owlrl's inconsistency messages

Terms used in queries are found by scanning the query text (comments and strings skipped), so
a query that does not run still has its terms checked. A profile (YAML) turns checks off,
changes their level or adds the user's own `.rq` checks.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize

from . import sparqltext
from .errors import InputError, Problem
from .iris import ONT, OWL, RDF, RDFS, SH, VOCAB, XSD, Minter
from .rdfio import read_quads
from .render import curies_in, markdown, table, tsv_text

CHECK = "https://w3id.org/cardf/check#"
GRAPHS = {name: NamedNode(CHECK + name) for name in ("ontology", "shapes", "data", "usage", "reasoned")}
PROTOTYPE = "https://w3id.org/cardf/check/prototype/"
LEVELS = ("error", "warning", "info")
REQUIREMENTS = ("shapes", "data", "reasoning")
FORMATS = ("table", "tsv", "json", "markdown")
OFF = "off"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADER = re.compile(r"^#\s*([a-z-]+)\s*:\s*(.*?)\s*$")
_TERM_SPACES = (ONT, VOCAB)
ERR = "http://www.daml.org/2002/03/agents/agent-ont#"


def prefixes() -> dict[str, str]:
    """Prefixes for check queries (they may omit these declarations) and for compact output."""
    out = Minter().prefixes()
    out.update({"chk": CHECK, "sh": SH, "err": ERR, "dc": "http://purl.org/dc/elements/1.1/",
                "vann": "http://purl.org/vocab/vann/"})
    return out


# ----------------------------------------------------------------------------- checks and profiles

@dataclass(frozen=True)
class Check:
    id: str
    level: str
    description: str
    text: str
    origin: str  # "cardf" for the built-in checks, else the file
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    check: str
    level: str
    focus: str
    message: str
    where: str = ""


@dataclass
class Report:
    checks: list[Check]
    findings: list[Finding]
    skipped: dict[str, str] = field(default_factory=dict)  # check id -> why
    seconds: float = 0.0

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at `fail_on` or worse (error < warning < info in order of weight)."""
        worst = LEVELS.index(fail_on)
        return any(LEVELS.index(f.level) <= worst for f in self.findings)


def parse_check(text: str, origin: str) -> Check:
    """A check from its `.rq` text; the header must name id, level and description."""
    header: dict[str, str] = {}
    for number, line in sparqltext.header_lines(text):
        m = _HEADER.match(line.strip())
        if m:
            key = m.group(1)
            if key not in ("id", "level", "description", "requires"):
                raise InputError(problems=[Problem(
                    f"unknown header key `{key}`{_suggest(key, ('id', 'level', 'description', 'requires'))}; "
                    "a check's header has id, level, description and optionally requires", origin, number)])
            header[key] = m.group(2)
    missing = [k for k in ("id", "level", "description") if not header.get(k)]
    if missing:
        raise InputError(problems=[Problem(
            f"the check's header lacks {', '.join(missing)}; start the file with comment lines such as "
            "`# id: my-check`, `# level: warning`, `# description: …`", origin, 1)])
    if not _ID.match(header["id"]):
        raise InputError(problems=[Problem(f"check id `{header['id']}` is not lower-case words joined by '-'",
                                           origin, 1)])
    level = header["level"].lower()
    if level not in LEVELS:
        raise InputError(problems=[Problem(f"level `{header['level']}` is not one of {', '.join(LEVELS)}", origin)])
    requires = tuple(r.strip() for r in header.get("requires", "").split(",") if r.strip())
    for r in requires:
        if r not in REQUIREMENTS:
            raise InputError(problems=[Problem(f"requires `{r}` is not one of {', '.join(REQUIREMENTS)}", origin)])
    return Check(header["id"], level, header["description"], text, origin, requires)


def builtin_checks() -> list[Check]:
    folder = resources.files("cardf").joinpath("checks")
    found = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".rq")), key=lambda e: e.name)
    return sorted((parse_check(entry.read_text(encoding="utf-8"), "cardf") for entry in found), key=lambda c: c.id)


@dataclass
class Profile:
    levels: dict[str, str] = field(default_factory=dict)  # id -> level or "off"
    added: list[Check] = field(default_factory=list)
    fail_on: str | None = None


PROFILE_KEYS = ("checks", "add", "fail-on")


def load_profile(path: Path) -> Profile:
    """A YAML profile:

        checks:                 # turn a check off, or change its level
          similar-label: off
          alignment: warning
        add:                    # the user's own checks, relative to this file
          - checks/no-draft-terms.rq
        fail-on: warning        # optional; --fail-on wins
    """
    from .yamlfile import MappingNode, ScalarNode, SequenceNode, read_yaml, where

    root = read_yaml(path)
    if not isinstance(root, MappingNode):
        raise InputError(problems=[where(path, root, None, "a profile is a mapping with checks:, add: and fail-on:")])
    profile = Profile()
    problems: list[Problem] = []
    for key_node, value in root.value:
        key = key_node.value
        if key not in PROFILE_KEYS:
            problems.append(where(path, key_node, key, f"unknown key{_suggest(key, PROFILE_KEYS)}; "
                                                       f"expected {', '.join(PROFILE_KEYS)}"))
        elif key == "checks":
            if not isinstance(value, MappingNode):
                problems.append(where(path, value, key, "expected a mapping of check id to off, error, warning or info"))
                continue
            for id_node, level_node in value.value:
                level = str(level_node.value).lower() if isinstance(level_node, ScalarNode) else ""
                if level in ("false", "no"):  # YAML 1.1 reads a bare `off` as false
                    level = OFF
                if level not in LEVELS + (OFF,):
                    problems.append(where(path, level_node, f"checks.{id_node.value}",
                                          f"expected off, error, warning or info, not `{level_node.value}`"))
                    continue
                profile.levels[id_node.value] = level
        elif key == "add":
            if not isinstance(value, SequenceNode):
                problems.append(where(path, value, key, "expected a list of .rq files"))
                continue
            for item in value.value:
                target = (path.parent / str(item.value)) if isinstance(item, ScalarNode) else None
                if target is None or not target.is_file():
                    problems.append(where(path, item, key, f"check file `{getattr(item, 'value', item)}` not found "
                                                           f"(paths are relative to {path.parent or '.'})"))
                    continue
                profile.added.append(parse_check(target.read_text(encoding="utf-8"), str(target)))
        elif key == "fail-on":
            level = str(value.value).lower() if isinstance(value, ScalarNode) else ""
            if level not in ("error", "warning"):
                problems.append(where(path, value, key, "expected error or warning"))
            else:
                profile.fail_on = level
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the profile" if len(problems) > 1 else None, problems)
    return profile


def select_checks(profile: Profile | None, origin: Path | None = None) -> list[Check]:
    """The built-in checks with the profile applied: levels changed, some off, the user's added."""
    checks = builtin_checks()
    if profile is None:
        return checks
    ids = [c.id for c in checks]
    for added in profile.added:
        if added.id in ids:
            raise InputError(problems=[Problem(f"check id `{added.id}` is already taken by a built-in check; "
                                               "give your check another id", added.origin)])
        ids.append(added.id)
    unknown = [i for i in profile.levels if i not in ids]
    if unknown:
        raise InputError(problems=[Problem(f"checks: no check `{i}`{_suggest(i, ids)}", origin) for i in unknown])
    out = []
    for check in checks + profile.added:
        level = profile.levels.get(check.id, check.level)
        if level != OFF:
            out.append(Check(check.id, level, check.description, check.text, check.origin, check.requires))
    return out


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


# ----------------------------------------------------------------------------- the dataset the checks see

@dataclass
class Sources:
    ontology: Path
    shapes: Path | None = None
    queries: Path | None = None
    data: Path | None = None
    base: str | None = None


def is_term(iri: str) -> bool:
    """An IRI in the cardf ontology or vocabulary namespaces that names a term (not a namespace itself)."""
    return iri.startswith(_TERM_SPACES) and not iri.endswith(("/", "#"))


def _terms(*terms) -> list[str]:
    return [t.value for t in terms if isinstance(t, NamedNode) and is_term(t.value)]


def _local(iri: str) -> str:
    return iri[len(ONT):] if iri.startswith(ONT) else iri.rsplit("/", 1)[-1]


_NAME = re.compile(r"(?<![\w.:-])(?:[A-Za-z][\w.-]*)?:([\w-](?:[\w.-]*[\w-])?)|<([^<>\s]*)>")


def _line_finder(text: str):
    """Where a term first appears in a Turtle file: as a prefixed name or a full IRI (one scan per file)."""
    first: dict[str, int] = {}
    line, last = 1, 0
    for m in _NAME.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        first.setdefault(m.group(1) if m.group(1) is not None else "<" + m.group(2), line)

    def line_of(iri: str) -> int | None:
        return first.get("<" + iri) or first.get(_local(iri))
    return line_of


class _Usage:
    """Collects chk:usage records, one per (term, scope, file, line, by)."""

    def __init__(self):
        self.seen: set[tuple] = set()
        self.quads: list[Quad] = []
        self.g = GRAPHS["usage"]

    def add(self, term: str, scope: str, file: str | None = None, line: int | None = None,
            by: NamedNode | None = None) -> None:
        key = (term, scope, file, line, by.value if by is not None else None)
        if key in self.seen:
            return
        self.seen.add(key)
        node = BlankNode()
        self.quads.append(Quad(node, NamedNode(CHECK + "term"), NamedNode(term), self.g))
        self.quads.append(Quad(node, NamedNode(CHECK + "scope"), Literal(scope), self.g))
        if file is not None:
            self.quads.append(Quad(node, NamedNode(CHECK + "file"), Literal(file), self.g))
        if line is not None:
            self.quads.append(Quad(node, NamedNode(CHECK + "line"), Literal(str(line), datatype=NamedNode(XSD + "integer")),
                                   self.g))
        if by is not None:
            self.quads.append(Quad(node, NamedNode(CHECK + "by"), by, self.g))


def _rdf_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.ttl"))
    return [path]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_rdf_with_usage(files: list[Path], scope: str, graph: NamedNode, usage: _Usage,
                         base_iri: str | None = None) -> list[Quad]:
    out = []
    for path in files:
        quads = read_quads(path, base_iri=base_iri)
        line_of = _line_finder(path.read_text(encoding="utf-8", errors="replace"))
        shown = _display(path)
        for q in quads:
            out.append(Quad(q.subject, q.predicate, q.object, graph))
            by = q.subject if isinstance(q.subject, NamedNode) else None
            for term in _terms(q.subject, q.predicate, q.object):
                usage.add(term, scope, shown, line_of(term), by if scope == "ontology" else None)
    return out


def query_terms(text: str) -> list[tuple[str, int]]:
    """Every IRI a SPARQL text names, with its line: full IRIs and prefixed names, not in comments or strings."""
    return sparqltext.iris_in(text)


def _query_usage(folder: Path, usage: _Usage) -> None:
    files = sorted(folder.rglob("*.rq")) if folder.is_dir() else [folder]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(problems=[Problem(f"cannot be read: {exc}", path)]) from None
        shown = _display(path)
        for iri, line in query_terms(text):
            if is_term(iri):
                usage.add(iri, "queries", shown, line)


def read_data(path: Path, ontology_dir: Path, base: str | None = None) -> list[Quad]:
    """The data as quads: a sources folder (entities.yaml) mapped to RDF, a build folder's cardf.nq, or RDF files."""
    if path.is_dir() and (path / "entities.yaml").is_file():
        from .mapping import map_corpus
        from .sources import load_corpus, load_vocabulary

        minter = Minter(base) if base else Minter()
        mapped = map_corpus(load_corpus(path, load_vocabulary(ontology_dir)), minter)
        quads = [Quad(t.subject, t.predicate, t.object, mapped.entities_graph) for t in mapped.entities]
        quads += [Quad(t.subject, t.predicate, t.object, mapped.shared_graph) for t in mapped.shared]
        for a in mapped.articles:
            quads += [Quad(t.subject, t.predicate, t.object, a.graph) for t in a.triples]
        return quads
    if path.is_dir() and (path / "cardf.nq").is_file():
        return read_quads(path / "cardf.nq")
    if path.is_dir():
        raise InputError(problems=[Problem("is neither a data folder (with entities.yaml) nor a build folder "
                                           "(with cardf.nq)", path)])
    return read_quads(path)


_RDFS_AXIOMS = {RDFS + n for n in ("subClassOf", "subPropertyOf", "domain", "range")}


def reason(ontology: list[Quad]) -> list[Quad]:
    """The OWL RL closure (owlrl) of the ontology plus one prototype individual per cardf class.

    OWL RL reasons about individuals, not classes, so a class is tested by asserting one
    individual of it: if the closure types that individual owl:Nothing, or owlrl reports an
    inconsistency naming it, no individual can belong to the class.
    """
    import owlrl
    import rdflib

    classes = sorted({q.subject.value for q in ontology if q.predicate.value == RDF + "type"
                      and q.object.value == OWL + "Class" and isinstance(q.subject, NamedNode)
                      and q.subject.value.startswith(ONT)})
    extra = []
    for iri in classes:
        proto = NamedNode(f"{PROTOTYPE}{_local(iri)}#it")
        extra.append(Quad(proto, NamedNode(RDF + "type"), NamedNode(iri)))
        extra.append(Quad(proto, NamedNode(CHECK + "prototypeOf"), NamedNode(iri)))
    # labels, definitions and mappings carry no OWL semantics; leaving them out halves the work
    triples = [Quad(q.subject, q.predicate, q.object) for q in ontology
               if q.predicate.value.startswith((RDF, OWL)) or q.predicate.value in _RDFS_AXIOMS] + extra
    graph = rdflib.Graph()
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    kept = rdflib.Graph()  # owlrl's closure is generalized RDF (literal subjects); keep plain RDF
    for s, p, o in graph:
        if not isinstance(s, rdflib.Literal) and isinstance(p, rdflib.URIRef):
            kept.add((s, p, o))
    data = kept.serialize(format="nt", encoding="utf-8")
    return [Quad(t.subject, t.predicate, t.object, GRAPHS["reasoned"]) for t in parse(data, format=RdfFormat.N_TRIPLES)]


def build_dataset(sources: Sources, checks: list[Check]) -> tuple[Store, dict[str, str]]:
    """The store the checks run on, and which requirements could not be met (requirement -> why)."""
    from .ontology import ontology_files

    store = Store()
    usage = _Usage()
    missing: dict[str, str] = {}
    ontology = _read_rdf_with_usage(ontology_files(sources.ontology), "ontology", GRAPHS["ontology"], usage,
                                    base_iri=ONT)
    quads = list(ontology)
    if sources.shapes is not None:
        quads += _read_rdf_with_usage(_rdf_files(sources.shapes), "shapes", GRAPHS["shapes"], usage)
    else:
        missing["shapes"] = "no shapes given"
    if sources.queries is not None:
        _query_usage(sources.queries, usage)
    if sources.data is not None:
        shown = _display(sources.data)
        for q in read_data(sources.data, sources.ontology, sources.base):
            quads.append(Quad(q.subject, q.predicate, q.object, GRAPHS["data"]))
            for term in _terms(q.predicate, q.object) if q.predicate.value == RDF + "type" else _terms(q.predicate):
                usage.add(term, "data", shown)
            if q.predicate.value != RDF + "type":
                for term in _terms(q.object):
                    usage.add(term, "data", shown)
    else:
        missing["data"] = "no data given"
    if any("reasoning" in c.requires for c in checks):
        quads += reason(ontology)
    store.bulk_extend(quads + usage.quads)
    return store, missing


# ----------------------------------------------------------------------------- running

def run_checks(checks: list[Check], store: Store, missing: dict[str, str]) -> Report:
    started = time.perf_counter()
    report = Report(checks=list(checks), findings=[])
    prefix_map = prefixes()
    for check in checks:
        unmet = [r for r in check.requires if r in missing]
        if unmet:
            report.skipped[check.id] = "; ".join(missing[r] for r in unmet)
            continue
        try:
            rows = store.query(check.text, default_graph=GRAPHS["ontology"], prefixes=prefix_map)
        except SyntaxError as exc:
            raise InputError(problems=[Problem(f"check `{check.id}` is not valid SPARQL: {exc}", check.origin)]) \
                from None
        variables = [v.value for v in getattr(rows, "variables", [])]
        if "focus" not in variables or "message" not in variables:
            raise InputError(problems=[Problem(f"check `{check.id}` must be a SELECT returning ?focus and ?message",
                                               check.origin)])
        for row in rows:
            focus, message = row["focus"], row["message"]
            where = row["where"] if "where" in variables else None
            report.findings.append(Finding(check.id, check.level, _term_text(focus) if focus is not None else "",
                                           message.value if message is not None else check.description,
                                           where.value if where is not None else ""))
    report.findings = sorted(set(report.findings), key=lambda f: (LEVELS.index(f.level), f.check, f.focus, f.where,
                                                                   f.message))
    report.seconds = time.perf_counter() - started
    return report


def _term_text(term) -> str:
    return term.value if isinstance(term, (NamedNode, Literal)) else f"_:{term.value}"


def report(sources: Sources, profile: Profile | None = None, profile_path: Path | None = None) -> Report:
    """Build the dataset and run every selected check on it."""
    started = time.perf_counter()
    checks = select_checks(profile, profile_path)
    store, missing = build_dataset(sources, checks)
    result = run_checks(checks, store, missing)
    result.seconds = time.perf_counter() - started
    return result


# ----------------------------------------------------------------------------- output

def compact(text: str, prefix_map: dict[str, str] | None = None) -> str:
    """IRIs in a text written as prefixed names where a known prefix fits."""
    return curies_in(text, prefix_map or prefixes())


def rows_of(result: Report) -> list[list[str]]:
    return [[f.level, f.check, compact(f.focus), compact(f.message), f.where] for f in result.findings]


HEADERS = ["level", "check", "focus", "message", "where"]


def render(result: Report, fmt: str, headers: bool = True) -> str:
    if fmt == "json":
        return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
    rows = rows_of(result)
    if fmt == "tsv":
        return tsv_text(HEADERS, rows, headers)
    names = HEADERS
    if not any(r[-1] for r in rows):  # no finding has a place: leave the empty column out
        names, rows = HEADERS[:-1], [r[:-1] for r in rows]
    if fmt == "markdown":
        return markdown(names, rows, headers=headers)
    return table(names, rows, headers=headers) if rows else ""


def render_checks(checks: list[Check], fmt: str, headers: bool = True) -> str:
    """`--list-checks`: id, level, what it needs and what it checks."""
    if fmt == "json":
        return json.dumps([{"id": c.id, "level": c.level, "requires": list(c.requires), "origin": c.origin,
                            "description": c.description} for c in checks], ensure_ascii=False, indent=2) + "\n"
    rows = [[c.id, c.level, ",".join(c.requires), c.description] for c in checks]
    names = ["id", "level", "requires", "description"]
    if fmt == "tsv":
        return tsv_text(names, rows, headers)
    if fmt == "markdown":
        return markdown(names, rows, headers=headers)
    return table(names, rows, headers=headers, rule=False)


def to_json(result: Report) -> dict:
    per_check: dict[str, int] = {}
    for f in result.findings:
        per_check[f.check] = per_check.get(f.check, 0) + 1
    return {
        "summary": {"errors": result.count("error"), "warnings": result.count("warning"),
                    "infos": result.count("info"), "checks": len(result.checks), "skipped": len(result.skipped)},
        "checks": [{"id": c.id, "level": c.level, "description": c.description, "origin": c.origin,
                    "status": "skipped" if c.id in result.skipped else "ran",
                    **({"skipped": result.skipped[c.id]} if c.id in result.skipped else {}),
                    "findings": per_check.get(c.id, 0)} for c in result.checks],
        "findings": [{"level": f.level, "check": f.check, "focus": f.focus, "message": f.message,
                      **({"where": f.where} if f.where else {})} for f in result.findings],
    }


def summary_line(result: Report) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"
    ran = len(result.checks) - len(result.skipped)
    text = (f"{n(result.count('error'), 'error')}, {n(result.count('warning'), 'warning')}, "
            f"{n(result.count('info'), 'info')} from {n(ran, 'check')}")
    if result.skipped:
        text += f" ({len(result.skipped)} skipped: " + "; ".join(f"{k}: {v}" for k, v in sorted(result.skipped.items())) + ")"
    return text + f" in {result.seconds:.2f} s."


__all__ = ["Check", "Finding", "Profile", "Report", "Sources", "builtin_checks", "load_profile", "report", "render",
           "render_checks", "select_checks", "summary_line", "query_terms"]
