"""Mentions of states, persons, offices, organizations and places, linked to entities.yaml.

Each label and alternative label of the registry (ru and en) is split into words and every word
into its dictionary normal forms; a run of words in the text matches a label when each word
shares a normal form with the label's word. So "в Таджикистане", "Токаевым" and "с лидерами
Узбекистана" find tajikistan, kassym-jomart-tokayev and uzbekistan. A person is also found by
the surname alone (less sure), an office by "<adjective of a state> президент" ("киргизский
президент"). Names the tagger finds that match nothing become proposed new entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .nlp import Analysis, Token, fold, is_common_word, normal_forms, tokenize

ENTITY_KINDS = ("states", "persons", "offices", "organizations", "places")
_KIND_RANK = {k: i for i, k in enumerate(("persons", "offices", "states", "organizations", "places"))}


@dataclass
class Entity:
    id: str
    kind: str
    labels: dict[str, list[str]]  # language → labels, the preferred one first
    offices: list[str] = field(default_factory=list)
    office_of: str | None = None
    capital: str | None = None

    def label(self, lang: str) -> str:
        return (self.labels.get(lang) or self.labels.get("ru") or self.labels.get("en") or [self.id])[0]


@dataclass
class Mention:
    entity: str
    kind: str
    start: int
    end: int
    text: str
    confidence: float
    how: str
    first_token: int = 0
    case: str | None = None


@dataclass
class NewEntity:
    kind: str
    text: str
    normal: str
    start: int
    end: int


class Registry:
    """The registry as the linker needs it: entities by id, and label word sequences to match."""

    def __init__(self, entities: list[Entity]):
        self.by_id = {e.id: e for e in entities}
        self.patterns: dict[str, list[tuple[tuple[frozenset[str], ...], str, float, str]]] = {}
        holders: dict[str, list[str]] = {}
        for e in entities:
            for office in e.offices:
                holders.setdefault(office, []).append(e.id)
            seen = set()
            for labels in e.labels.values():
                for i, label in enumerate(labels):
                    self._add(e, label, 1.0 if i == 0 else 0.95, "label" if i == 0 else "alternative label", seen)
            if e.kind == "persons":  # the surname alone, and the name with the surname
                for label in e.labels.get("ru", []):
                    words = tokenize(label)
                    if 2 <= len(words) <= 4 and words[-1][:1].isupper() and words[-1].isalpha():
                        self._add(e, words[-1], 0.85, "surname", seen)
                        self._add(e, f"{words[0]} {words[-1]}", 0.95, "first name and surname", seen)
        self.holder = {o: ids[0] for o, ids in holders.items() if len(ids) == 1}  # office → its single holder
        self.state_stems = {}
        for e in entities:
            if e.kind == "states":
                for label in e.labels.get("ru", []):
                    words = tokenize(label)
                    if len(words) == 1:
                        self.state_stems[fold(words[0])[:5]] = e.id

    def _add(self, e: Entity, label: str, confidence: float, how: str, seen: set) -> None:
        words = tokenize(label)
        if not words or any(not re.search(r"\w", w) and w not in "-–«»+" for w in words):
            words = [w for w in words if re.search(r"\w", w) or w in "+"]
        if not words:
            return
        key = tuple(frozenset({w}) if _abbreviation(w) or not re.search(r"[^\W\d_]", w)
                    else normal_forms(w) | {_STEM + _stem(w)} for w in words)
        if (key, e.id) in seen:
            return
        seen.add((key, e.id))
        for form in key[0]:
            self.patterns.setdefault(form, []).append((key, e.id, confidence, how))

    def state_of_capital(self, place: str) -> str | None:
        return next((s.id for s in self.by_id.values() if s.kind == "states" and s.capital == place), None)

    def offices_of(self, state: str) -> list[Entity]:
        return [e for e in self.by_id.values() if e.kind == "offices" and e.office_of == state]

    def state_of_adjective(self, token: Token) -> str | None:
        if token.pos != "ADJ" and not token.lemma.endswith(("ский", "цкий", "нский")):
            return None  # the tagger may not know a rare adjective, its ending does
        return self.state_stems.get(token.lemma[:5]) if len(token.lemma) >= 6 else None

    def agent_for(self, mention: Mention) -> str | None:
        """The agent a mention stands for: an office's holder, a capital's state; else itself if an agent."""
        e = self.by_id.get(mention.entity)
        if e is None:
            return None
        if e.kind == "offices":
            return self.holder.get(e.id)
        if e.kind == "places":
            return self.state_of_capital(e.id)
        return e.id


_STEM = "stem:"


def _abbreviation(word: str) -> bool:
    return word.isupper() and len(word) <= 6


def _stem(word: str) -> str:
    """A capitalized word less its ending, for names the dictionary does not know (Генассамблея/Генассамблеи)."""
    return fold(word)[:-2] if word[:1].isupper() and len(word) >= 7 else ""


def _token_matches(token: Token, want: frozenset[str]) -> bool:
    if len(want) == 1 and next(iter(want)) == token.text:
        return True
    stem = _stem(token.text)
    if stem and _STEM + stem in want:
        return True
    return bool(token.forms & want) and not _abbreviation(token.text)


def link(analysis: Analysis, registry: Registry) -> list[Mention]:
    """Every registry mention, longest match first; overlapping shorter ones are dropped."""
    tokens = analysis.tokens
    found: list[Mention] = []
    i = 0
    while i < len(tokens):
        best = None
        for form in tokens[i].forms | {tokens[i].text, _STEM + _stem(tokens[i].text)}:
            for key, entity, confidence, how in registry.patterns.get(form, ()):
                n = len(key)
                if i + n > len(tokens) or not all(_token_matches(tokens[i + k], key[k]) for k in range(n)):
                    continue
                if any(tokens[i + k].sentence != tokens[i].sentence for k in range(n)):
                    continue
                kind = registry.by_id[entity].kind
                rank = (n, confidence, -_KIND_RANK[kind])
                if best is None or rank > best[0]:
                    best = (rank, entity, kind, n, confidence, how)
        adjective = _adjective_office(tokens, i, registry)
        if adjective and (best is None or best[3] < 2):
            best = ((2, 0.85, 0), adjective, "offices", 2, 0.85, "adjective of the state and the office")
        if best is None:
            i += 1
            continue
        _, entity, kind, n, confidence, how = best
        start, end = tokens[i].start, tokens[i + n - 1].end
        state = registry.state_of_capital(entity)
        if state and (i == 0 or tokens[i - 1].lemma not in _PLACE_PREPOSITIONS):
            entity, kind, confidence, how = state, "states", 0.8, f"the capital standing for its state ({how})"
        found.append(Mention(entity, kind, start, end, analysis.text[start:end], confidence, how, i, tokens[i].case))
        i += n
    found += _domains(analysis.text, registry, found)
    found.sort(key=lambda m: m.start)
    return found


_PLACE_PREPOSITIONS = {"в", "во", "на", "из", "до", "под", "над", "около", "у", "через", "по"}


def _domains(text: str, registry: Registry, found: list[Mention]) -> list[Mention]:
    """Labels that are web domains (kremlin.ru) found in the text's addresses, which the tokenizer keeps whole."""
    out = []
    for e in registry.by_id.values():
        for labels in e.labels.values():
            for label in labels:
                if not re.fullmatch(r"[\w-]+(\.[\w-]+)+", label) or not re.search(r"\.[a-z]{2,}$", label):
                    continue
                for m in re.finditer(rf"(?<![\w.-])(?:www\.)?{re.escape(label)}(?![\w-])", text):
                    if not any(f.start <= m.start() < f.end for f in found + out):
                        out.append(Mention(e.id, e.kind, m.start(), m.end(), m.group(0), 0.9, "web address"))
    return out


_OFFICE_WORDS = {"президент", "премьер-министр", "лидер", "глава"}


def _adjective_office(tokens: list[Token], i: int, registry: Registry) -> str | None:
    """"киргизский президент" → the office of that state whose label starts with the noun."""
    if i + 1 >= len(tokens):
        return None
    state = registry.state_of_adjective(tokens[i])
    noun = tokens[i + 1]
    if state is None or noun.lemma not in _OFFICE_WORDS:
        return None
    for office in registry.offices_of(state):
        if any(fold(tokenize(label)[0]) == noun.lemma for label in office.labels.get("ru", [])):
            return office.id
    return None


def unmatched_names(analysis: Analysis, mentions: list[Mention]) -> list[NewEntity]:
    """Names the tagger found where no registry entity was linked: candidates for entities.yaml."""
    covered = [(m.start, m.end) for m in mentions]
    kinds = {"PER": "persons", "ORG": "organizations", "LOC": "places"}
    out = []
    for span in analysis.names:
        if any(s < span.end and span.start < e for s, e in covered):
            continue
        if len(span.text) < 3 or span.type not in kinds:
            continue
        words = [t for t in analysis.tokens if span.start <= t.start < span.end and re.search(r"\w", t.text)]
        if all(is_common_word(t.text) for t in words):
            continue  # common nouns ("Республике") stand for an entity named elsewhere
        out.append(NewEntity(kinds[span.type], span.text, span.normal, span.start, span.end))
    return out


def registry_from_records(records) -> Registry:
    """A Registry from the loader's entity records (data/entities.yaml as read by cardf)."""
    entities = []
    for r in records:
        if r.kind.name not in ENTITY_KINDS:
            continue
        labels: dict[str, list[str]] = {}
        for lang, value in (r.values.get("label") or {}).items():
            labels.setdefault(lang, []).append(value)
        for alt in r.values.get("alt_labels") or []:
            for lang, value in alt.items():
                labels.setdefault(lang, []).append(value)
        entities.append(Entity(r.id, r.kind.name, labels, list(r.values.get("offices") or []), r.values.get("of"),
                               r.values.get("capital")))
    return Registry(entities)
