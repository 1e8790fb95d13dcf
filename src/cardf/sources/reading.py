"""Reading one file: entities.yaml, or an article's facts.yaml with its article.txt.

Every record is read against its kind's fields (schema.py) and registered under its id, so
that an id defined twice is found at once; the later definition is the one blamed. A record
written `report: ID` instead of `id: ID` is the article's account of a record defined in
another article: it defines nothing, and its values are that article's claims about the record.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

from ..errors import InputError, Problem
from ..iris import is_slug
from ..schema import ARTICLE_FIELDS, ENTITY_KINDS, RECORD_KINDS, Field, Kind
from ..yamlfile import MappingNode, Node, ScalarNode, SequenceNode, kind_of, mapping_items, read_text, read_yaml, where
from . import evidence
from .folders import link_problem
from .model import ARTICLE_TEXT, ENTITIES_FILE, FACTS_FILE, Article, Record
from .values import ValueReader, is_null

# Kinds an article may report (`report: ID`): facts that several sources state. Its own footnotes,
# claims and opinions, quotations and reported speech are each article's own records.
REPORTABLE = ("events", "documents", "document_sets", "decisions", "commitments", "figures")
NOT_IN_REPORTS = ("id", "label", "participants", "distinct_from")


def report_fields(kind: Kind) -> tuple[Field, ...]:
    """A report's fields: the id it reports, then the kind's fields, none required (evidence apart)."""
    return (Field("report", "ref", None, required=True, targets=(kind.name,),
                  doc="the id of a record defined in another article, which this article reports"),) + \
        tuple(replace(f, required=False) for f in kind.fields if f.name not in NOT_IN_REPORTS)


def register(record: Record, defined: dict[str, Record], problems: list[Problem]) -> bool:
    first = defined.get(record.id)
    if first is not None:
        at = record.origin
        problems.append(Problem(f"id `{record.id}` is already defined at {first.origin}; ids are unique across "
                                f"{ENTITIES_FILE} and every {FACTS_FILE}: rename one of the two records, or keep one "
                                "definition and refer to it", at.path, at.line, at.column,
                                f"{record.label}.id" if record.label else "id"))
        return False
    defined[record.id] = record
    return True


def kind_lists(path: Path, root: Node, kinds: tuple[Kind, ...], reader: ValueReader, defined, problems,
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
        if is_null(value_node):
            continue
        if not isinstance(value_node, SequenceNode):
            problems.append(where(path, value_node, key, f"expected a list of records, found {kind_of(value_node)}"))
            continue
        for i, item in enumerate(value_node.value):
            label = f"{key}[{i}]"
            if article is not None and _keys(item) & {"report"}:
                record = _report(path, item, kind, reader, label, article, problems)
                if record is not None:
                    records.append(record)
                continue
            got = reader.fields(item, kind.fields, label)
            if got is None or "id" not in got.values:
                continue
            form = None
            if kind.name == "claims":  # read again as the claimed field's type, once that field is known
                form = next(((v.tag, v.style) for k, v in item.value if isinstance(k, ScalarNode) and k.value == "value"),
                            None)
            participants = got.values.pop("participants", None) or []
            record = Record(kind, got.values["id"], got.values, reader.origin(item), got.origins, article=article,
                            label=label, misspelt=got.misspelt, participants=participants, value_form=form)
            if register(record, defined, problems):
                records.append(record)
    return records, extra


def _keys(node: Node) -> set[str]:
    if not isinstance(node, MappingNode):
        return set()
    return {k.value for k, _ in node.value if isinstance(k, ScalarNode)}


def _report(path: Path, item: Node, kind: Kind, reader: ValueReader, label: str, article: str,
            problems: list[Problem]) -> Record | None:
    """`report: ID`: this article's account of a record defined elsewhere."""
    if kind.name not in REPORTABLE:
        problems.append(where(path, item, f"{label}.report", f"{kind.name} cannot be reported: an article's "
                              f"{kind.name} are its own; reports are for {', '.join(REPORTABLE)}"))
        return None
    for key_node, _ in item.value:
        if isinstance(key_node, ScalarNode) and key_node.value in NOT_IN_REPORTS:
            problems.append(where(path, key_node, f"{label}.{key_node.value}",
                                  f"a report gives no `{key_node.value}`: "
                                  + ("it reports the record whose id is in `report:`" if key_node.value == "id" else
                                     "that is given once, where the record is defined")))
    kept = MappingNode(item.tag, [(k, v) for k, v in item.value
                                  if not (isinstance(k, ScalarNode) and k.value in NOT_IN_REPORTS)],
                       item.start_mark, item.end_mark, item.flow_style)
    got = reader.fields(kept, report_fields(kind), label)
    if got is None or "report" not in got.values:
        return None
    values = {k: v for k, v in got.values.items() if k != "report"}
    return Record(kind, got.values["report"], values, reader.origin(item),
                  {k: v for k, v in got.origins.items() if k != "report"} | {"report": got.origins["report"]},
                  article=article, label=label, misspelt=got.misspelt, reports=True)


def read_entities(path: Path, vocab, problems, defined) -> list[Record] | None:
    problem = link_problem(path, path.parent)
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
    records, _ = kind_lists(path, root, ENTITY_KINDS, ValueReader(path, vocab, problems), defined, problems)
    return records


def read_article(folder: Path, vocab, problems, defined) -> Article | None:
    text_path, facts_path = folder / ARTICLE_TEXT, folder / FACTS_FILE
    if not is_slug(folder.name):
        problems.append(Problem("article folder name must be a slug (lowercase letters, digits, hyphens)", folder))
        return None
    links = [p for p in (link_problem(path, folder.parent.parent) for path in (text_path, facts_path)) if p]
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
    reader = ValueReader(facts_path, vocab, problems)
    before = len(problems)
    records, extra = kind_lists(facts_path, root, RECORD_KINDS, reader, defined, problems,
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
    meta = got.values
    if "slug" in meta and meta["slug"] != folder.name:
        problems.append(where(facts_path, meta_node, "article.slug",
                              f"`{meta['slug']}` differs from the folder name `{folder.name}`"))
    article = Article(folder.name, folder, text, meta, reader.origin(meta_node), got.origins, [], records)
    if not text.strip():  # said once above, instead of once for every quote
        return article
    if "disclaimer" in meta:
        article.disclaimer = evidence.spans(article, meta["disclaimer"], problems)
    for record in records:
        evidence.attach(article, record, problems)
    return article
