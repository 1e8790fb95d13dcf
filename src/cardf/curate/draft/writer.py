"""Writing facts.draft.yaml: the records as facts.yaml writes them, and the sections a person checks."""

from __future__ import annotations

import re
from decimal import Decimal

from ...textmatch import yaml_quote
from .entities import Mention
from .records import Draft, Proposal, slug_of

SECTION_ORDER = ("events", "figures", "quotes", "statements")


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return value
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value) and not re.fullmatch(r"\d+", value):
        return value
    return yaml_quote(str(value))


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def proposal_yaml(p: Proposal) -> list[str]:
    """The record as facts.yaml lines (two-space list indent, as the seed writes them)."""
    lines = [f"  - id: {p.id}", f"    # confidence: {p.confidence:.2f}" + (f" — {p.why}" if p.why else "")]
    for name, value in p.fields:
        if name in ("evidence", "participants") and isinstance(value, list):
            lines.append(f"    {name}:")
            lines += [f"      - {_flow(v)}" for v in value]
        else:
            lines.append(f"    {name}: {_flow(value)}")
    return lines


def render(draft: Draft, text: str) -> str:
    from ...textmatch import line_col

    def at(offset: int) -> str:
        line, col = line_col(text, offset)
        return f"{line}:{col}"

    out = [f"# Draft facts for {draft.slug}, proposed by `cardf draft` from article.txt. The build never",
           "# reads this file. Check each record against the text; keep it with",
           f"# `cardf draft {draft.slug} --accept ID…` (it moves into facts.yaml), or copy it by hand.",
           "# `# confidence:` is the drafter's own estimate, 0 to 1; `note:` says what it guessed.",
           "# Sections `mentions`, `new_entities` and `dates` are for checking and are never accepted.",
           ""]
    out.append("mentions:  # names of entities.yaml found in the text (line:column)")
    seen: dict[str, list[Mention]] = {}
    for m in draft.mentions:
        seen.setdefault(m.entity, []).append(m)
    for entity, ms in seen.items():
        first = ms[0]
        out.append(f"  - {{entity: {entity}, text: {yaml_quote(first.text)}, at: \"{at(first.start)}\", "
                   f"times: {len(ms)}, confidence: {max(m.confidence for m in ms):.2f}, how: {yaml_quote(first.how)}}}")
    if not seen:
        out[-1] = "mentions: []"
    out.append("")
    out.append("new_entities:  # names the text gives that match nothing in entities.yaml; add those that matter")
    proposed = {}
    for n in draft.new_entities:
        proposed.setdefault((n.kind, n.normal), n)
    for (kind, normal), n in proposed.items():
        out.append(f"  - {{kind: {kind}, id: {slug_of(normal)}, label: {{ru: {yaml_quote(normal)}}}, "
                   f"text: {yaml_quote(n.text)}, at: \"{at(n.start)}\"}}")
    if not proposed:
        out[-1] = "new_entities: []"
    out.append("")
    out.append("dates:  # dates and periods as facts.yaml writes them")
    for d in draft.dates:
        value = d.value_start if d.value_start == d.value_end else f"{d.value_start}/{d.value_end}"
        note = f", note: {yaml_quote(d.note)}" if d.note else ""
        out.append(f"  - {{text: {yaml_quote(d.text)}, value: \"{value}\", at: \"{at(d.start)}\"{note}}}")
    if not draft.dates:
        out[-1] = "dates: []"
    for section in SECTION_ORDER:
        records = [p for p in draft.proposals if p.section == section]
        out += ["", f"{section}:" if records else f"{section}: []"]
        for p in records:
            out += proposal_yaml(p) + [""]
        if records:
            out.pop()
    return "\n".join(out) + "\n"
