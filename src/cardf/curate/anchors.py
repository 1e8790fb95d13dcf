"""`cardf anchors`: after article.txt is edited, find every evidence quote again, the way annotation tools
re-anchor highlights.

Where the old context comes from: the previous build (`out/cardf.nq`). Each evidence span there
is a W3C Web Annotation with a TextQuoteSelector (exact words, 32 characters of prefix and
suffix) and a TextPositionSelector (start, end) as they were when the build ran; facts.yaml
holds only the words and an occurrence number. So the build is the record of where each quote
was. Without a previous build the quotes are re-anchored by their words alone.

Each quote is looked for exactly; when the words occur more than once, or not at all, every
candidate (exact, then approximate within a quarter of the quote's length in edits) is scored
as Hypothesis's client scores them: 50 for the quote's similarity, 20 each for the prefix and
suffix, 2 for nearness to the old position. The best candidate is taken when it is clearly best
(score ≥ 0.75, ahead of the next by 0.05); otherwise a person decides.

With --fix, facts.yaml is edited line by line where the answer is unambiguous: the occurrence
number, or the quote's words when the article's words changed. Comments and layout stay.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ExternalError, InputError, Problem
from ..sources.model import Quote
from ..textmatch import approx_search, fold, line_col, occurrences, show, similarity, yaml_quote
from ..yamlfile import MappingNode, ScalarNode, SequenceNode, read_yaml

ONT = "https://w3id.org/cardf/ontology#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUOTE_WEIGHT, CONTEXT_WEIGHT, POSITION_WEIGHT = 50, 20, 2
ACCEPT, MARGIN = 0.75, 0.05


@dataclass
class OldSpan:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass
class Anchor:
    """One evidence quote of facts.yaml and what became of it."""

    label: str  # e.g. figures[3].evidence
    line: int
    column: int
    quote: str
    occurrence: int | None
    status: str = ""  # unchanged, moved, occurrence, changed, person, new
    detail: str = ""
    start: int | None = None
    new_quote: str | None = None
    new_occurrence: int | None = None
    fixed: bool = False


@dataclass
class ArticleAnchors:
    slug: str
    facts: Path
    anchors: list[Anchor] = field(default_factory=list)


def read_previous_build(dist: Path) -> dict[tuple[str, str], OldSpan] | None:
    """(article slug, span name such as figure-x-1) → the span as the previous build recorded it."""
    path = dist / "cardf.nq"
    if not path.is_file():
        return None
    import pyoxigraph as ox

    props: dict[str, dict[str, list]] = {}
    try:
        for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if q.predicate.value.startswith(OA) or q.predicate.value in (RDF_TYPE, ONT + "evidence"):
                props.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(q.object)
    except (SyntaxError, OSError) as exc:
        raise InputError(problems=[Problem(f"cannot be read as the previous build: {exc}", path)]) from None
    out = {}
    for span, p in props.items():
        if not any(o.value == ONT + "Evidence" for o in p.get(RDF_TYPE, [])) or OA + "hasSource" not in p:
            continue
        slug = p[OA + "hasSource"][0].value.rstrip("/").rpartition("/")[2]
        selectors = [props.get(s.value, {}) for s in p.get(OA + "hasSelector", [])]
        quote = next((s for s in selectors if OA + "exact" in s), None)
        position = next((s for s in selectors if OA + "start" in s), None)
        if quote is None or position is None:
            continue

        def first(d, key):
            return d[OA + key][0].value if OA + key in d else ""

        out[(slug, span.rpartition("/")[2])] = OldSpan(first(quote, "exact"), first(quote, "prefix"),
                                                       first(quote, "suffix"), int(first(position, "start")),
                                                       int(first(position, "end")))
    return out


def _refs(article) -> list[tuple[str, int, Quote]]:
    """(record id, span number, its Quote) in the order the loader numbers spans."""
    out = []
    for record in article.records:
        refs = list(record.values.get("evidence") or [])
        text = record.values.get("text") if record.kind.name == "quotes" else None
        if text is not None and not any(r.text == text for r in refs):
            refs.insert(0, Quote(text, None, record.field_origins["text"], f"{record.label}.text"))
        for i, ref in enumerate(refs, 1):
            out.append((record.id, i, ref))
    return out


def levenshtein(a: str, b: str) -> int:
    """Edits from a to b (the plain dynamic programme; used on a few candidates only)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _score(text: str, start: int, end: int, quote: str, old: OldSpan | None) -> float:
    a, b = fold(quote).text, fold(text[start:end]).text
    quote_score = 1.0 if a == b else max(0.0, 1 - levenshtein(a, b) / max(1, len(a)))
    if old is None:
        return quote_score
    prefix = similarity(text[max(0, start - len(old.prefix)):start], old.prefix) if old.prefix else 1.0
    suffix = similarity(text[end:end + len(old.suffix)], old.suffix) if old.suffix else 1.0
    position = 1 - abs(start - old.start) / max(1, len(text))
    total = QUOTE_WEIGHT + 2 * CONTEXT_WEIGHT + POSITION_WEIGHT
    return (QUOTE_WEIGHT * quote_score + CONTEXT_WEIGHT * (prefix + suffix) + POSITION_WEIGHT * position) / total


def _words(text: str, start: int, end: int) -> tuple[int, int]:
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _candidates(text: str, quote: str, old: OldSpan | None) -> set[tuple[int, int]]:
    """Where the quote may now be: exact and look-alike matches, approximate ones, and the stretch between
    its first and last words or between its old prefix and suffix (which catches words inserted inside)."""
    out = {(s, s + len(quote)) for s in occurrences(text, quote)}
    ftext, fquote = fold(text), fold(quote)
    n = len(fquote.text)
    if not n:
        return out
    for s in occurrences(ftext.text, fquote.text):
        out.add((ftext.starts[s], ftext.ends[s + n - 1]))
    for s, e, _ in approx_search(ftext.text, fquote.text, max(1, min(64, n // 4)), limit=10):
        out.add(_words(text, ftext.starts[s], ftext.ends[e - 1]))
    pairs = []
    if n >= 24:
        pairs.append((fquote.text[:12], fquote.text[-12:], 0, 0))
    if old is not None and len(old.prefix) >= 8 and len(old.suffix) >= 8:
        pairs.append((fold(old.prefix).text, fold(old.suffix).text, 1, 1))
    for head, tail, after_head, before_tail in pairs:
        for h in occurrences(ftext.text, head)[:5]:
            first = h + len(head) if after_head else h
            t = ftext.text.find(tail, first)
            if t == -1 or t - first > 2 * n:
                continue
            last = t if before_tail else t + len(tail)
            if last > first:
                out.add((ftext.starts[first], ftext.ends[last - 1]))
    return out


def anchor_one(text: str, a: Anchor, old: OldSpan | None) -> None:
    """Decide what became of one quote: its status, and the fix when there is one."""
    starts = occurrences(text, a.quote)
    wanted = a.occurrence or 1
    current = starts[wanted - 1] if 0 < wanted <= len(starts) and (a.occurrence or len(starts) == 1) else None
    scored = sorted(((_score(text, s, e, a.quote, old), s, e) for s, e in _candidates(text, a.quote, old)),
                    key=lambda x: (-x[0], x[1]))
    if current is not None and (old is None or not scored or scored[0][1] == current):
        a.start = current
        if old is None:
            a.status, a.detail = "new", "no previous span to compare with; found"
        elif current == old.start:
            a.status = "unchanged"
        else:
            a.status, a.detail = "moved", f"moved from character {old.start} to {current} (same words)"
        return
    if not scored:
        a.status = "person"
        a.detail = "not found, and no passage is close enough: the words were changed too much or removed"
        return
    best = scored[0]
    runner_up = next((x[0] for x in scored[1:] if not (x[1] < best[2] and best[1] < x[2]) or x[0] < best[0]), 0.0)
    if best[0] < ACCEPT or best[0] - runner_up < MARGIN:
        line, col = line_col(text, best[1])
        why = "several passages fit about as well" if best[0] >= ACCEPT else f"the best passage scores {best[0]:.2f}"
        a.status = "person"
        a.detail = f"{why}; the closest is at article.txt:{line}:{col}: {show(text[best[1]:best[2]])}"
        return
    a.start = best[1]
    words = text[best[1]:best[2]]
    occurrence = occurrences(text, words).index(best[1]) + 1
    repeated = len(occurrences(text, words)) > 1
    if words == a.quote:
        a.status = "occurrence"
        a.new_occurrence = occurrence
        a.detail = (f"the words now occur {len(starts)} times; by its context the quote is occurrence {occurrence}"
                    if a.occurrence is None else f"occurrence {a.occurrence} → {occurrence} (by its context)")
    else:
        from ..textmatch import describe

        a.status, a.new_quote = "changed", words
        a.new_occurrence = occurrence if repeated else None
        a.detail = "the words changed: " + "; ".join(describe(a.quote, words))


def check_article(folder: Path, vocab, old: dict | None) -> ArticleAnchors:
    from ..sources import FACTS_FILE, read_article
    from .articles import article_text

    text = article_text(folder)
    article, problems = read_article(folder, vocab, {})
    if article is None:
        raise InputError(problems=problems)
    result = ArticleAnchors(folder.name, folder / FACTS_FILE)
    for record_id, n, quote in _refs(article):
        a = Anchor(quote.label, quote.origin.line, quote.origin.column, quote.text, quote.occurrence)
        anchor_one(text, a, None if old is None else old.get((folder.name, f"{record_id}-{n}")))
        result.anchors.append(a)
    return result


# ----------------------------------------------------------------------------- --fix

def _scalars(root) -> dict[tuple[int, int], object]:
    """Every node of the file by its (line, column), 1-based."""
    out, stack = {}, [root]
    while stack:
        node = stack.pop()
        out[(node.start_mark.line + 1, node.start_mark.column + 1)] = node
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack += (k, v)
        elif isinstance(node, SequenceNode):
            stack += node.value
    return out


def fix(result: ArticleAnchors) -> None:
    """Edit facts.yaml in place for every anchor with an unambiguous fix; others stay for a person."""
    path = result.facts
    lines = path.read_text(encoding="utf-8").split("\n")
    nodes = _scalars(read_yaml(path))
    edits = []  # (line index, start column, end column, replacement)
    for a in result.anchors:
        if a.status not in ("occurrence", "changed"):
            continue
        node = nodes.get((a.line, a.column))
        words = a.new_quote if a.new_quote is not None else a.quote
        occurrence = a.new_occurrence
        if isinstance(node, ScalarNode) and node.start_mark.line == node.end_mark.line and node.style != "|":
            if a.label.endswith(".text") and occurrence is not None:
                continue  # a quotation's text takes no occurrence: add evidence by hand
            value = yaml_quote(words) if occurrence is None else \
                f"{{text: {yaml_quote(words)}, occurrence: {occurrence}}}"
            if a.label.endswith(".text"):
                value = yaml_quote(words)
            edits.append((node.start_mark.line, node.start_mark.column, node.end_mark.column, value, a))
        elif isinstance(node, MappingNode):
            items = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
            text_node, occ_node = items.get("text"), items.get("occurrence")
            if a.new_quote is not None and isinstance(text_node, ScalarNode) and \
                    text_node.start_mark.line == text_node.end_mark.line:
                edits.append((text_node.start_mark.line, text_node.start_mark.column, text_node.end_mark.column,
                              yaml_quote(words), a))
            if occ_node is not None and occurrence is not None and occ_node.start_mark.line == occ_node.end_mark.line:
                edits.append((occ_node.start_mark.line, occ_node.start_mark.column, occ_node.end_mark.column,
                              str(occurrence), a))
            elif occ_node is None and occurrence is not None:
                continue  # a block mapping without `occurrence:`: left for a person
    for line, start, end, value, a in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[line] = lines[line][:start] + value + lines[line][end:]
        a.fixed = True
    if not edits:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write("\n".join(lines).encode("utf-8"))
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", path)]) from None


def render(results: list[ArticleAnchors], fixing: bool, verbose: bool) -> tuple[str, bool]:
    """The report, and whether every quote is anchored (after fixing)."""
    out, clean = [], True
    for r in results:
        counts: dict[str, int] = {}
        for a in r.anchors:
            counts[a.status] = counts.get(a.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.append(f"{r.slug}: {len(r.anchors)} evidence quotes: {summary}")
        for a in r.anchors:
            if a.status in ("unchanged", "new", "moved") and not verbose:
                continue  # nothing to do: counted in the summary
            if a.status in ("unchanged", "new", "moved"):
                what = a.detail or a.status
            elif a.status == "person":
                what = f"for a person: {a.detail}"
                clean = False
            else:
                fix_text = (f"write {yaml_quote(a.new_quote)}" if a.new_quote is not None else "") + (
                    f"{' with ' if a.new_quote is not None else 'write '}occurrence: {a.new_occurrence}"
                    if a.new_occurrence is not None else "")
                state = "fixed" if a.fixed else ("could not be fixed in place; edit it by hand" if fixing
                                                 else "fix with --fix")
                what = f"{a.detail} → {fix_text} ({state})"
                clean = clean and a.fixed
            out.append(f"  {r.facts}:{a.line}:{a.column}: {a.label}: {what}")
    return "\n".join(out) + "\n", clean

