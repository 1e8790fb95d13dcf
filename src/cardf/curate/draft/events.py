"""Event candidates: the words that name an event (визит, переговоры, встреча, саммит, заседание, сессия,
подписание, церемония, принял, дали старт), with the participants, place and date of the same sentence.

The event type is a code of the event-type vocabulary chosen from the trigger and its modifiers
("государственного визита" → state-visit, "церемония официальной встречи" → welcome-ceremony).
One sentence gives at most one candidate of a type; what the text says about who hosted whom is
left to the curator except for visits, where the visitor is the person named with the visit and
the host the state visited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .entities import Mention, Registry
from .nlp import Analysis, Sentence, Token
from .numbers import DateMention

VISIT_KINDS = {"государственный": "state-visit", "официальный": "official-visit", "рабочий": "working-visit"}


@dataclass
class EventCandidate:
    type: str
    trigger: str
    start: int
    end: int  # of the sentence, which is the evidence
    evidence: str
    participants: list[tuple[str, str]] = field(default_factory=list)  # (agent, role)
    places: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    date: DateMention | None = None
    confidence: float = 0.7
    notes: list[str] = field(default_factory=list)


def _type_of(tokens: list[Token], i: int) -> str | None:
    t = tokens[i]
    lemma = t.lemma
    nxt = [x.lemma for x in tokens[i + 1:i + 4]]
    prev = [x.lemma for x in tokens[max(0, i - 3):i]]
    if lemma == "визит":
        return next((code for word, code in VISIT_KINDS.items() if word in prev), "visit")
    if lemma == "переговоры":
        return "talks"
    if lemma == "саммит":
        return "summit"
    if lemma == "заседание":
        return "session"
    if lemma == "сессия":
        return "assembly-session" if any(w.startswith(("ассамбле", "генассамбле")) for w in nxt) else "session"
    if lemma == "церемония":
        if nxt[:2] == ["официальный", "встреча"]:
            return "welcome-ceremony"
        return "signing-ceremony" if "подписание" in nxt[:1] else "ceremony"
    if lemma in ("встреча", "встретиться", "встречаться"):
        return None if "церемония" in prev[-2:] else "meeting"
    if lemma == "подписание" or (lemma == "подписать" and t.pos in ("VERB", "AUX") and "Case" not in t.feats):
        return "signing-ceremony" if "церемония" not in prev[-1:] else None
    if lemma == "принять" and t.pos == "VERB" and not ({"участие", "решение", "мера"} & set(nxt[:2])):
        return "reception" if any(x.lemma == "в" for x in tokens[i + 1:i + 3]) else None
    if lemma == "старт" and "дать" in prev[-2:] or lemma == "запуск":
        return "project-launch"
    return None


def find_events(analysis: Analysis, mentions: list[Mention], registry: Registry,
                dates: list[DateMention]) -> list[EventCandidate]:
    out: list[EventCandidate] = []
    for sentence in analysis.sentences:
        if re.match(r"\s*\[\d+\]", analysis.text[sentence.start:sentence.end]):
            continue  # a footnote cites a source; the event is drafted from the body
        seen: set[str] = set()
        for i, t in enumerate(sentence.tokens):
            kind = _type_of(sentence.tokens, i)
            if kind is None or kind in seen:
                continue
            seen.add(kind)
            out.append(_candidate(analysis, sentence, i, kind, mentions, registry, dates))
    return out


def _candidate(analysis: Analysis, sentence: Sentence, i: int, kind: str, mentions: list[Mention],
               registry: Registry, dates: list[DateMention]) -> EventCandidate:
    text = analysis.text
    start, end = sentence.start, sentence.end
    evidence = text[start:end].rstrip()
    trigger = sentence.tokens[i]
    event = EventCandidate(kind, trigger.text, start, start + len(evidence), evidence)
    inside = [m for m in mentions if start <= m.start and m.end <= end]
    persons: list[str] = []
    for m in inside:
        agent = registry.agent_for(m) if m.kind in ("persons", "offices") else None
        if agent and registry.by_id[agent].kind == "persons" and agent not in persons:
            persons.append(agent)
    for m in inside:
        before = text[max(start, m.start - 4):m.start].strip().lower()
        e = registry.by_id[m.entity]
        if before.endswith(("в", "во", "на")) and e.kind in ("places", "states") and m.entity not in event.places:
            event.places.append(m.entity)
    if kind.endswith("visit"):
        visitor = next((m for m in inside if m.start > trigger.start and m.kind in ("persons", "offices")
                        and registry.agent_for(m)), None)
        visited = next((m for m in inside if m.start > trigger.start and m.kind == "states"
                        and text[max(start, m.start - 3):m.start].strip() == "в"), None)
        if visitor is not None:
            who = registry.agent_for(visitor)
            event.participants.append((who, "visitor"))
            state = _state_of_person(registry, who)
            if state:
                event.guests.append(state)
        if visited is not None:
            event.hosts.append(visited.entity)
            event.places = [visited.entity] + [p for p in event.places if p != visited.entity]
        for p in persons:
            if all(p != a for a, _ in event.participants):
                event.participants.append((p, "host" if event.hosts and _state_of_person(registry, p) in event.hosts
                                           else "participant"))
    else:
        event.participants = [(p, "head-of-state" if _is_head_of_state(registry, p) else "participant")
                              for p in persons]
    near = [d for d in dates if start <= d.start < end]
    if near:
        event.date = near[0]
        if near[0].inferred_year:
            event.notes.append(near[0].note)
    return event


def _state_of_person(registry: Registry, person: str) -> str | None:
    for office in registry.by_id[person].offices:
        of = registry.by_id.get(office)
        if of is not None and of.office_of and registry.by_id.get(of.office_of, None) is not None and \
                registry.by_id[of.office_of].kind == "states":
            return of.office_of
    return None


def _is_head_of_state(registry: Registry, person: str) -> bool:
    return any(registry.by_id.get(o) is not None and "президент" in registry.by_id[o].label("ru").lower()
               for o in registry.by_id[person].offices)
