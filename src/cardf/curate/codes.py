"""The code lists a curator writes in `facts.yaml` (`type: state-visit`), read from the SKOS vocabularies.

A field such as `events.type` takes a code from one concept scheme; the codes, their Russian
and English labels and their definitions live in `ontology/vocabularies.ttl`. `cardf codes`
prints them so that nobody has to read Turtle to curate.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..iris import SKOS, VOCAB
from ..schema import ALL_KINDS, ARTICLE_FIELDS, PARTICIPANT_FIELDS

FORMATS = ("table", "json", "markdown")
_RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


@dataclass
class Concept:
    code: str
    label: dict[str, str] = field(default_factory=dict)  # language → preferred label
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    definition: dict[str, str] = field(default_factory=dict)
    broader: str | None = None


@dataclass
class Scheme:
    name: str
    label: dict[str, str] = field(default_factory=dict)
    definition: dict[str, str] = field(default_factory=dict)
    used_by: list[str] = field(default_factory=list)  # the fields that take its codes, e.g. events.type
    concepts: list[Concept] = field(default_factory=list)


def _fields_by_scheme() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for kind in ALL_KINDS.values():
        for f in kind.fields:
            if f.scheme:
                used.setdefault(f.scheme, []).append(f"{kind.name}.{f.name}")
    for prefix, fields in (("article", ARTICLE_FIELDS), ("participants", PARTICIPANT_FIELDS)):
        for f in fields:
            if f.scheme:
                used.setdefault(f.scheme, []).append(f"{prefix}.{f.name}")
    return used


def load_schemes(ontology_dir: Path) -> dict[str, Scheme]:
    """Every concept scheme of the ontology folder with its concepts, in code order."""
    from ..ontology import load_ontology_quads

    by_iri: dict[str, dict[str, list]] = {}
    for t in load_ontology_quads(ontology_dir):
        if t.subject.value.startswith(VOCAB):
            by_iri.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)

    def texts(props, predicate) -> dict[str, str]:
        return {o.language or "": o.value for o in sorted(props.get(SKOS + predicate, []), key=str)}

    used = _fields_by_scheme()
    schemes: dict[str, Scheme] = {}
    for iri, props in by_iri.items():
        if any(o.value == SKOS + "ConceptScheme" for o in props.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                                                        [])):
            name = iri[len(VOCAB):]
            schemes[name] = Scheme(name, texts(props, "prefLabel"), texts(props, "definition"), used.get(name, []))
    for iri, props in sorted(by_iri.items()):
        scheme_iri = next((o.value for o in props.get(SKOS + "inScheme", [])), None)
        if scheme_iri is None or scheme_iri[len(VOCAB):] not in schemes:
            continue
        alt: dict[str, list[str]] = {}
        for o in sorted(props.get(SKOS + "altLabel", []), key=str):
            alt.setdefault(o.language or "", []).append(o.value)
        broader = next((o.value.rpartition("/")[2] for o in props.get(SKOS + "broader", [])), None)
        concept = Concept(iri.rpartition("/")[2], texts(props, "prefLabel"), alt, texts(props, "definition"), broader)
        schemes[scheme_iri[len(VOCAB):]].concepts.append(concept)
    return dict(sorted(schemes.items()))


def pick(schemes: dict[str, Scheme], name: str | None) -> list[Scheme]:
    """The scheme asked for (by name, or by a field that uses it, such as events.type), or all of them."""
    if name is None:
        return list(schemes.values())
    if name in schemes:
        return [schemes[name]]
    by_field = [s for s in schemes.values() if name in s.used_by]
    if by_field:
        return by_field
    choices = list(schemes) + [f for s in schemes.values() for f in s.used_by]
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(f'`{c}`' for c in close)}?" if close else \
        f"the vocabularies are: {', '.join(schemes)}"
    raise UsageError(f"no vocabulary named `{name}`; {hint}")


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def matches(concept: Concept, words: list[str]) -> bool:
    """Every word occurs in the code, a label or the definition (case and ё/е ignored)."""
    haystack = _fold(" ".join([concept.code, *concept.label.values(), *concept.definition.values(),
                               *(a for alts in concept.alt_labels.values() for a in alts)]))
    return all(_fold(w) in haystack for w in words)


def search(schemes: list[Scheme], words: list[str]) -> list[Scheme]:
    out = []
    for s in schemes:
        found = [c for c in s.concepts if matches(c, words)]
        if found:
            out.append(Scheme(s.name, s.label, s.definition, s.used_by, found))
    return out


def render(schemes: list[Scheme], fmt: str, overview: bool) -> str:
    """An overview of the schemes (no SCHEME, no search), or their codes."""
    from ..render import markdown, table

    if fmt == "json":
        return json.dumps([asdict(s) if not overview else {k: v for k, v in asdict(s).items() if k != "concepts"}
                           | {"codes": [c.code for c in s.concepts]} for s in schemes],
                          ensure_ascii=False, indent=2) + "\n"
    if overview:
        header = ["vocabulary", "codes", "used by", "en", "ru"]
        rows = [[s.name, str(len(s.concepts)), ", ".join(s.used_by), s.label.get("en", ""), s.label.get("ru", "")]
                for s in schemes]
        return table(header, rows) if fmt == "table" else markdown(header, rows)
    out = []
    for s in schemes:
        title = f"{s.name} — {s.label.get('en', '')} / {s.label.get('ru', '')}; used by {', '.join(s.used_by) or '—'}"
        rows = [[c.code, c.label.get("en", ""), c.label.get("ru", ""),
                 c.definition.get("en", c.definition.get("ru", ""))] for c in s.concepts]
        if fmt == "table":
            out.append(f"{title}\n\n" + table(["code", "en", "ru", "definition"], rows, limit=None))
        else:
            md_rows = [r[:3] + ([f"{r[3]} ({c.definition['ru']})" if "ru" in c.definition and "en" in c.definition
                                 else r[3]]) for r, c in zip(rows, s.concepts)]
            out.append(f"### `{s.name}` — {s.label.get('en', '')} / {s.label.get('ru', '')}\n\n"
                       f"Used by: {', '.join(f'`{u}`' for u in s.used_by) or '—'}\n\n"
                       + markdown(["code", "en", "ru", "definition"], md_rows))
    return "\n".join(out)
