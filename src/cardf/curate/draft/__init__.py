"""`cardf draft`: proposed records for an article, for a person to accept, correct or drop.

The drafter reads the article's words only (natasha for Russian morphology and names; rules for
dates, figures, quotations and event words) and writes `facts.draft.yaml` beside `facts.yaml`.
The build never reads the draft. Every proposal carries its evidence, located in the article,
and a confidence; what the drafter guessed is said in the record's `note`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..locate import occurrences, yaml_quote
from .entities import Mention, NewEntity, Registry
from .events import EventCandidate
from .numbers import DateMention, FigureMention
from .speech import Quotation, ReportedStatement

DRAFT_FILE = "facts.draft.yaml"


@dataclass
class Proposal:
    """One record as it would be written in facts.yaml: its section, fields in order, and how sure we are."""

    section: str
    id: str
    fields: list[tuple[str, object]]
    confidence: float
    why: str = ""


@dataclass
class Draft:
    slug: str
    mentions: list[Mention]
    new_entities: list[NewEntity]
    dates: list[DateMention]
    proposals: list[Proposal] = field(default_factory=list)


def _published(value) -> dt.date | None:
    if value is None:
        return None
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def units_from_vocabulary(ontology_dir: Path) -> dict[str, str]:
    """Lemma of a counted noun → figure-unit code, from the units' Russian labels (документ → document)."""
    from ..codes import load_schemes
    from .nlp import normal_forms

    out = {}
    scheme = load_schemes(ontology_dir).get("figure-unit")
    for concept in scheme.concepts if scheme else []:
        label = concept.label.get("ru")
        if label and " " not in label and concept.code != "percent":
            for form in normal_forms(label):
                out[form] = concept.code
    return out


def draft_text(text: str, registry: Registry, units: dict[str, str], published=None, taken: set[str] = frozenset(),
               slug: str = "draft", author: str | None = None) -> Draft:
    """Analyse the text and propose records; `taken` ids are not reused."""
    from .entities import link, unmatched_names
    from .events import find_events
    from .nlp import analyse
    from .numbers import find_dates, find_figures
    from .speech import find_quotations, find_statements

    analysis = analyse(text)
    mentions = link(analysis, registry)
    dates = find_dates(text, _published(published))
    figures = find_figures(analysis, units, dates)
    quotations = find_quotations(analysis, mentions, registry)
    statements = find_statements(analysis, mentions, registry, quotations)
    events = find_events(analysis, mentions, registry, dates)
    draft = Draft(slug, mentions, unmatched_names(analysis, mentions), dates)
    ids = _Ids(taken)
    draft.proposals += [_event(e, registry, text, ids) for e in events]
    draft.proposals += [_figure(f, analysis, dates, registry, mentions, quotations, text, ids, author)
                        for f in figures]
    draft.proposals += [_quote(q, registry, text, ids) for q in quotations]
    draft.proposals += [_statement(s, text, ids) for s in statements]
    return draft


class _Ids:
    def __init__(self, taken):
        self.taken = set(taken)

    def new(self, *parts: str) -> str:
        base = re.sub(r"-+", "-", "-".join(p for p in parts if p)).strip("-")[:80].strip("-")
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _evidence(text: str, words: str, start: int):
    starts = occurrences(text, words)
    return {"text": words, "occurrence": starts.index(start) + 1} if len(starts) > 1 else words


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the last , ; : or sentence start to the next one."""
    left = start
    while left > 0 and text[left - 1] not in "\n.;:!?" and not (text[left - 1] == "," and not
                                                                  text[left - 2:left - 1].isdigit()):
        left -= 1
    right = end
    while right < len(text) and text[right] not in "\n;:!?" and not (
            text[right] == "," and not text[right + 1:right + 2].isdigit()) and not (
            text[right] == "." and (right + 1 >= len(text) or text[right + 1] in " \n") and not
            re.search(r"(млрд|млн|тыс|долл|руб|г)$", text[max(0, right - 5):right])):
        right += 1
    return left + len(text[left:start]) - len(text[left:start].lstrip()), right


_INDICATORS = (
    ("платеж", "percent", "payment-share-national-currencies"),
    ("товарооборот", "percent", "trade-turnover-growth"),
    ("товарооборот", None, "trade-turnover"),
    ("инвестиц", "year", "investment-annual"),
    ("инвестиц", None, "investment-accumulated"),
    ("вложени", None, "investment-accumulated"),
    ("проект", None, "project-value"),
    ("соглашени", None, "deal-value"),
    ("покупк", None, "deal-value"),
    ("приобретени", None, "deal-value"),
)
_COUNT_INDICATORS = {"document": "document-count", "region": "region-count", "school": "school-count"}


def _indicator(f: FigureMention, sentence: str, clause: str, period: DateMention | None) -> tuple[str | None, float]:
    if f.unit in _COUNT_INDICATORS:
        return _COUNT_INDICATORS[f.unit], 0.9
    for where, confidence in ((clause.lower(), 0.8), (sentence.lower(), 0.6)):
        for stem, need, code in _INDICATORS:
            if stem not in where:
                continue
            if need == "percent" and f.unit != "percent":
                continue
            if need == "year" and (period is None or len(period.value_start) != 4):
                continue
            if need is None and f.unit == "percent" and code != "payment-share-national-currencies":
                continue
            return code, confidence
    return None, 0.0


def _figure(f: FigureMention, analysis, dates, registry: Registry, mentions, quotations, text, ids: _Ids,
            author: str | None) -> Proposal:
    sentence = analysis.sentence_of(f.start)
    s_text = text[sentence.start:sentence.end]
    c_start, c_end = _clause(text, f.start, f.end)
    clause = text[c_start:c_end]
    period = next((d for d in dates if sentence.start <= d.start < sentence.end and c_start <= d.start < c_end), None)
    indicator, sure = _indicator(f, s_text, clause, period)
    notes = list(f.notes)
    if indicator is None:
        indicator = "deal-value" if f.currency else "document-count"
        notes.append("Indicator guessed with nothing to go on: choose one with `cardf codes figure-indicator`.")
        sure = 0.3
    fields: list[tuple[str, object]] = [("indicator", indicator), ("value", f.value)]
    if f.currency:
        fields.append(("currency", f.currency))
    if f.unit:
        fields.append(("unit", f.unit))
    if period is not None:
        fields.append(("period", period.value_start if period.value_start == period.value_end else
                       {"start": period.value_start, "end": period.value_end}))
        if period.note:
            notes.append(period.note)
    if f.qualifiers:
        fields.append(("qualifiers", f.qualifiers))
    about = []
    for m in mentions:
        if sentence.start <= m.start < sentence.end and m.kind == "states" and m.entity not in about:
            about.append(m.entity)
    if about:
        fields.append(("about", about))
    quote = next((q for q in quotations if q.start <= f.start < q.end), None)
    if quote is not None and len(quote.speakers) == 1:
        fields.append(("stated_by", quote.speakers[0]))
    elif author:
        fields.append(("stated_by", author))
        notes.append("Stated in the author's voice (no quotation around it).")
    fields.append(("evidence", [_evidence(text, clause.strip(), c_start)]))
    if notes:
        fields.append(("note", " ".join(notes)))
    key = f.currency.lower() if f.currency else (f.unit or "")
    return Proposal("figures", ids.new("figure", indicator, key), fields, round(min(f.confidence, sure or 1), 2),
                    f"«{f.text}»")


def _en(registry: Registry, ids) -> str:
    return ", ".join(registry.by_id[i].label("en") for i in ids if i in registry.by_id)


def _ru(registry: Registry, ids) -> str:
    return ", ".join(registry.by_id[i].label("ru") for i in ids if i in registry.by_id)


_TYPE_LABELS = {"state-visit": ("Государственный визит", "State visit"),
                "official-visit": ("Официальный визит", "Official visit"),
                "working-visit": ("Рабочий визит", "Working visit"), "visit": ("Визит", "Visit"),
                "talks": ("Переговоры", "Talks"), "meeting": ("Встреча", "Meeting"), "summit": ("Саммит", "Summit"),
                "session": ("Заседание", "Session"), "assembly-session": ("Сессия", "Session"),
                "signing-ceremony": ("Подписание документов", "Signing of documents"),
                "welcome-ceremony": ("Церемония официальной встречи", "Official welcome ceremony"),
                "ceremony": ("Церемония", "Ceremony"), "reception": ("Приём", "Reception"),
                "project-launch": ("Старт проекта", "Launch of a project")}


def _event(e: EventCandidate, registry: Registry, text: str, ids: _Ids) -> Proposal:
    who = [a for a, _ in e.participants] or e.places
    ru, en = _TYPE_LABELS.get(e.type, (e.type, e.type))
    label = {"ru": f"{ru}: {_ru(registry, who)}" if who else ru, "en": f"{en}: {_en(registry, who)}" if who else en}
    fields: list[tuple[str, object]] = [("label", label), ("type", e.type)]
    notes = list(e.notes)
    if e.date is not None:
        fields.append(("start", e.date.value_start))
        if e.date.value_end != e.date.value_start:
            fields.append(("end", e.date.value_end))
    for name, values in (("places", e.places), ("hosts", e.hosts), ("guests", e.guests)):
        if values:
            fields.append((name, values))
    if e.participants:
        fields.append(("participants", [{"agent": a, "role": r} for a, r in e.participants]))
    fields.append(("evidence", [_evidence(text, e.evidence, e.start)]))
    notes.append(f"Drafted from «{e.trigger}»; the participants, place and date are those of the same sentence.")
    fields.append(("note", " ".join(notes)))
    slug = registry.by_id[who[0]].id if who and who[0] in registry.by_id else ""
    date = e.date.value_start if e.date else ""
    return Proposal("events", ids.new(e.type, slug, date), fields, e.confidence, f"«{e.trigger}»")


def _quote(q: Quotation, registry: Registry, text: str, ids: _Ids) -> Proposal:
    fields: list[tuple[str, object]] = [("text", q.text)]
    if q.speakers:
        fields.append(("speaker", q.speakers[0] if len(q.speakers) == 1 else q.speakers))
    elif q.speaker_text:
        fields.append(("speaker_description", {"ru": q.speaker_text}))
    fields.append(("medium", q.medium))
    if occurrences(text, q.text) != [q.start]:
        fields.append(("evidence", [_evidence(text, q.text, q.start)]))
    if q.notes:
        fields.append(("note", " ".join(q.notes)))
    who = q.speakers[0] if q.speakers else "unknown"
    words = "-".join(re.findall(r"\w+", _translit(q.text.lower()))[:3])
    why = f"introduced by «{q.frame[-40:]}»" if q.frame else "in quotation marks"
    return Proposal("quotes", ids.new("quote", who, words), fields, q.confidence, why)


def _statement(s: ReportedStatement, text: str, ids: _Ids) -> Proposal:
    fields: list[tuple[str, object]] = [("mode", s.mode), ("speaker", s.speakers[0]), ("content", {"ru": s.content}),
                                        ("evidence", [_evidence(text, s.evidence, text.find(s.evidence, s.start))])]
    fields.append(("note", "Reported speech; content is the words after «что». Add the English."))
    return Proposal("statements", ids.new("statement", s.speakers[0], s.mode), fields, s.confidence)


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                   "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def _translit(text: str) -> str:
    return "".join(_LATIN.get(c, c) for c in text)


def slug_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _translit(text.lower())).strip("-") or "entity"


# ----------------------------------------------------------------------------- writing facts.draft.yaml

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
    from ..locate import line_col

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


# ----------------------------------------------------------------------------- from data/ to the draft

_ID_LINE = re.compile(r"^\s*-?\s*id:\s*([a-z0-9-]+)\s*$", re.M)


def taken_ids(data_dir: Path) -> set[str]:
    """Every id already written in entities.yaml and the facts.yaml files (read as text: a broken file still counts)."""
    from ...sources import ARTICLES_DIR, ENTITIES_FILE, FACTS_FILE

    ids: set[str] = set()
    paths = [data_dir / ENTITIES_FILE] + sorted((data_dir / ARTICLES_DIR).glob(f"*/{FACTS_FILE}"))
    for path in paths:
        try:
            ids |= set(_ID_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return ids


def article_meta(facts_text: str) -> tuple[str | None, str | None]:
    """published and author of a facts.yaml's article section, read from its lines."""
    published = re.search(r"^\s+published:\s*['\"]?(\d{4}-\d{2}-\d{2})", facts_text, re.M)
    author = re.search(r"^\s+author:\s*([a-z0-9-]+)\s*$", facts_text, re.M)
    return (published.group(1) if published else None), (author.group(1) if author else None)


def already_curated(proposals: list[Proposal], facts_text: str) -> tuple[list[Proposal], int]:
    """Proposals whose quoted words facts.yaml already holds are left out (drafting again adds only what is new)."""
    quoted = set(re.findall(r'"((?:[^"\\]|\\.)*)"', facts_text))
    kept = []
    for p in proposals:
        words = dict(p.fields).get("text") or next(
            (e if isinstance(e, str) else e.get("text") for e in dict(p.fields).get("evidence", [])), None)
        if words is not None and yaml_quote(words)[1:-1] in quoted:
            continue
        kept.append(p)
    return kept, len(proposals) - len(kept)
