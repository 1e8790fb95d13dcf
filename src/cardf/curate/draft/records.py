"""The records the drafter proposes, built from what the analysis found: ids, fields in facts.yaml's order,
evidence located in the text, a confidence, and a note saying what was guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...textmatch import occurrences
from .entities import Mention, NewEntity, Registry
from .events import EventCandidate
from .numbers import DateMention, FigureMention
from .speech import Quotation, ReportedStatement


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


class Ids:
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


def figure(f: FigureMention, analysis, dates, registry: Registry, mentions, quotations, text, ids: Ids,
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


def event(e: EventCandidate, registry: Registry, text: str, ids: Ids) -> Proposal:
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


def quote(q: Quotation, registry: Registry, text: str, ids: Ids) -> Proposal:
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


def statement(s: ReportedStatement, text: str, ids: Ids) -> Proposal:
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
