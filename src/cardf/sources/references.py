"""References checked once every record of the corpus is known: ids, claims, and reports of other articles' records."""

from __future__ import annotations

import difflib

from yaml.error import Mark

from ..errors import Problem
from ..schema import ARTICLE_FIELDS, PARTICIPANT_FIELDS, Field
from ..yamlfile import ScalarNode
from .model import ENTITIES_FILE, FACTS_FILE, ClaimTarget, Corpus, Record
from .values import ValueReader

# Fields a claim cannot give a value for: they name the record or say where it comes from.
NOT_CLAIMABLE = ("id", "note", "evidence", "sources")


def resolve(corpus: Corpus, defined: dict[str, Record], vocab, problems: list[Problem]) -> None:
    """Check that every reference names a defined id of an allowed kind."""
    for article in corpus.articles:
        check_refs(article.meta, ARTICLE_FIELDS, article.field_origins, "article", defined, problems)
    for record in corpus.records():
        if record.reports:
            _resolve_report(record, defined, problems)
        check_refs(record.values, record.kind.fields, record.field_origins, record.label, defined, problems)
        for i, p in enumerate(record.participants):
            check_refs(p.values, PARTICIPANT_FIELDS, p.origins, f"{record.label}.participants[{i}]", defined,
                       problems)
        if record.kind.name == "claims":
            _resolve_claim(record, defined, vocab, problems)


def _undefined(ref: str, defined) -> str:
    close = difflib.get_close_matches(ref, list(defined), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    return f"`{ref}` is not defined in {ENTITIES_FILE} or any {FACTS_FILE}{hint}"


def check_refs(values: dict, spec: tuple[Field, ...], origins: dict, label: str, defined, problems) -> None:
    for f in spec:
        if f.type not in ("ref", "refs") or f.name not in values:
            continue
        ids = values[f.name] if f.type == "refs" else [values[f.name]]
        origin = origins[f.name]
        for ref in ids:
            target = defined.get(ref)
            if target is None:
                problems.append(Problem(_undefined(ref, defined), origin.path, origin.line, origin.column,
                                        f"{label}.{f.name}"))
            elif f.targets and target.kind.name not in f.targets:
                problems.append(Problem(
                    f"`{ref}` is one of the {target.kind.name} (defined at {target.origin}); expected one of the "
                    f"{' or '.join(f.targets)}", origin.path, origin.line, origin.column, f"{label}.{f.name}"))


def _resolve_report(record: Record, defined, problems) -> None:
    """A report names a record of its section's kind, defined in another article."""
    origin = record.field_origins["report"]
    target = defined.get(record.id)
    where = (origin.path, origin.line, origin.column, f"{record.label}.report")
    if target is None or target.kind.name != record.kind.name and target.article is None:
        same = sorted(i for i, r in defined.items() if r.kind.name == record.kind.name)
        close = difflib.get_close_matches(record.id, same, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        problems.append(Problem(f"`{record.id}` is not the id of any of the {record.kind.name} in the articles; a "
                                f"report names a record that another article defines{hint}", *where))
    elif target.kind.name != record.kind.name:
        problems.append(Problem(f"`{record.id}` is one of the {target.kind.name} (defined at {target.origin}); a "
                                f"report in `{record.kind.name}:` reports one of the {record.kind.name}", *where))
    elif target.article == record.article:
        problems.append(Problem(f"`{record.id}` is defined in this article (at {target.origin}); an article reports "
                                "records that other articles define, and gives its own values in its own record",
                                *where))


def _resolve_claim(record: Record, defined, vocab, problems) -> None:
    values, label = record.values, record.label
    target = defined.get(values.get("claim_about", ""))
    if target is None or "field" not in values or "value" not in values:
        return
    origin = record.field_origins["field"]
    f = target.kind.field(values["field"])
    if f is None or f.predicate is None or f.name in NOT_CLAIMABLE:
        usable = [x.name for x in target.kind.fields if x.predicate and x.name not in ("note", "sources")]
        problems.append(Problem(f"`{values['field']}` is not a field of {target.kind.name} that a claim can "
                                f"give; expected one of: {', '.join(usable)}",
                                origin.path, origin.line, origin.column, f"{label}.field"))
        return
    single = {"refs": "ref", "concepts": "concept", "texts": "text"}.get(f.type, f.type)
    vorigin = record.field_origins["value"]
    mark = Mark(str(vorigin.path), 0, vorigin.line - 1, vorigin.column - 1, None, None)
    tag, style = record.value_form or ("tag:yaml.org,2002:str", None)
    node = ScalarNode(tag, str(values["value"]), mark, mark, style)
    sub: list[Problem] = []
    reader = ValueReader(record.origin.path, vocab, sub)
    converted = reader.value(node, Field(f.name, single, f.predicate, targets=f.targets, scheme=f.scheme), label)
    if single == "ref" and converted is not None and converted not in defined:
        sub.append(Problem(f"`{converted}` is not defined"))
    for p in sub:
        problems.append(Problem(f"as `{f.name}` of {target.kind.name}: {p.message}", vorigin.path, vorigin.line,
                                vorigin.column, f"{label}.value"))
    if not sub:
        record.claim = ClaimTarget(f, converted)
