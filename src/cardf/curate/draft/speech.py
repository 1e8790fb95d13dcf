"""Quotations in «…» with their speakers, and reported statements ("Токаев подчеркнул, что …").

A «…» is taken for a quotation when words of speech introduce it ("По словам Токаева, «…»",
"отметил Песков: «…»", "отметив «…»", "заявили, что «…»") or when it is long enough to be one;
short names in quotation marks («СНГ плюс», «Ынтымак Ордо») are not. The speaker is the agent
named after "по словам", else the agent in the nominative nearest the verb of speech before the
quotation; an office stands for its holder ("киргизский президент" → the president of
Kyrgyzstan) and a capital for its state ("Москва и Пекин заявили" → Russia and China). A
quotation that follows another in the same sentence without a new speaker keeps the speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .entities import Mention, Registry
from .nlp import Analysis, Token

SPEECH_VERBS = {"отметить": "noted", "заявить": "stated", "подчеркнуть": "emphasized", "напомнить": "recalled",
                "сообщить": "announced", "подтвердить": "confirmed", "пообещать": "promised", "оценить": "assessed",
                "сказать": "stated", "говорить": "stated", "указать": "noted", "заметить": "noted",
                "констатировать": "stated", "признать": "stated", "назвать": "stated", "выразить": "stated",
                "условиться": "agreed", "договориться": "agreed", "намереваться": "intends", "намерен": "intends",
                "указываться": "stated", "говориться": "stated"}
OPEN, CLOSE = "«“„", "»”“"
DOCUMENT_WORDS = {"заявление", "декларация", "документ", "коммюнике", "соглашение", "договор", "статья",
                  "меморандум", "план", "программа", "резолюция"}
MIN_WORDS = 6  # a quotation with no introducing words must be at least this long


@dataclass
class Quotation:
    text: str
    start: int  # of the text inside the marks
    end: int
    speakers: list[str] = field(default_factory=list)
    speaker_text: str = ""
    medium: str = "speech"
    frame: str = ""  # the words that introduce it
    confidence: float = 0.8
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportedStatement:
    speakers: list[str]
    mode: str
    content: str
    start: int
    end: int
    evidence: str
    confidence: float = 0.6


def quotation_marks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each outermost pair of quotation marks; nested pairs stay inside."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "«" or (ch == "„" and depth == 0):
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch in "»" or (ch == "“" and depth > 0):
            if depth == 0:
                continue
            depth -= 1
            if depth == 0 and start is not None:
                out.append((start, i))
                start = None
        elif ch == "\n":
            depth, start = 0, None
    return out


def _sentence_tokens(analysis: Analysis, offset: int) -> list[Token]:
    return analysis.sentence_of(offset).tokens


def _agents_in(mentions: list[Mention], registry: Registry, start: int, end: int) -> list[tuple[Mention, str]]:
    out = []
    for m in mentions:
        if start <= m.start and m.end <= end:
            agent = registry.agent_for(m)
            if agent:
                out.append((m, agent))
    return out


def find_quotations(analysis: Analysis, mentions: list[Mention], registry: Registry) -> list[Quotation]:
    text = analysis.text
    out: list[Quotation] = []
    previous: Quotation | None = None
    for start, end in quotation_marks(text):
        inner = text[start:end]
        words = re.findall(r"\w+", inner)
        sentence = analysis.sentence_of(start - 1)
        before = text[sentence.start:start - 1]
        frame_tokens = [t for t in sentence.tokens if t.end <= start - 1]
        verb = next((t for t in reversed(frame_tokens) if t.lemma in SPEECH_VERBS), None)
        introduced = bool(re.search(r"(по словам[^«]*|[,:]\s*|\bчто\s*)$", before, re.I)) and (
            verb is not None or re.search(r"по словам", before, re.I))
        if not introduced and not (verb is not None and frame_tokens and frame_tokens[-1] is verb):
            if len(words) < MIN_WORDS or not re.search(r"[,:]\s*$", before):
                continue
        q = Quotation(inner, start, end, frame=before.strip())
        _speaker(q, analysis, mentions, registry, sentence.start, start - 1, verb)
        named = verb is not None and any(t.case == "Nom" and t.pos in ("NOUN", "PROPN") and t.start >= _clause_start(
            analysis, verb) for t in frame_tokens)
        if not q.speakers and not q.speaker_text and not named and previous is not None and \
                _paragraph(text, previous.start) == _paragraph(text, start):
            q.speakers, q.notes = list(previous.speakers), ["Speaker carried over from the quotation before it."]
            q.confidence = 0.6
        _medium(q, before, frame_tokens)
        out.append(q)
        previous = q
    return out


def _speaker(q: Quotation, analysis: Analysis, mentions: list[Mention], registry: Registry, start: int, end: int,
             verb: Token | None) -> None:
    text = analysis.text
    frame = text[start:end]
    said = re.search(r"по словам\s+", frame, re.I)
    agents = _agents_in(mentions, registry, start, end)
    if said:
        after = [(m, a) for m, a in agents if m.start >= start + said.end()]
        if after:
            m, agent = after[0]
            q.speakers, q.speaker_text, q.confidence = [agent], m.text, 0.9
            return
    if verb is not None:
        clause_start = _clause_start(analysis, verb)
        nominative = [(m, a) for m, a in agents if m.start >= clause_start and m.case in ("Nom", None)]
        if nominative:
            nearest = min(abs(m.start - verb.start) for m, _ in nominative)
            group = _coordinated(analysis, nominative, nearest, verb)
            q.speakers = list(dict.fromkeys(a for _, a in group))
            q.speaker_text = " и ".join(m.text for m, _ in group)
            q.confidence = 0.85
            return
    if any(t.lemma in DOCUMENT_WORDS for t in analysis.sentence_of(start).tokens if t.end <= end):
        states = [a for m, a in _agents_in(mentions, registry, *_paragraph(text, start))
                  if registry.by_id[a].kind == "states"]
        if states:
            q.speakers = list(dict.fromkeys(states))
            q.notes.append("The text quotes a document; its parties are taken to be the states named in the "
                           "paragraph. Check them.")
            q.confidence = 0.5
            return
    who = re.search(r"(?:как\s+)?(?:говорил|сказал|писал)\s+([^,:«]+)", frame, re.I)
    if who:
        q.speaker_text = who.group(1).strip()
        q.notes.append("The speaker is not in entities.yaml; described instead.")
        q.confidence = 0.6


def _clause_start(analysis: Analysis, verb: Token) -> int:
    sentence = analysis.sentence_of(verb.start)
    start = sentence.start
    for t in sentence.tokens:
        if t.start >= verb.start:
            break
        if t.text in (";", ":") or (t.text == "," and t.start > start):
            start = t.end
    # "Как отметил киргизский президент, «…»": the agent comes after the verb, before the comma
    return min(start, verb.start) if start <= verb.start else sentence.start


def _coordinated(analysis: Analysis, nominative, nearest, verb) -> list:
    """The nearest agent, with those joined to it by "и" ("Москва и Пекин")."""
    ordered = sorted(nominative, key=lambda x: x[0].start)
    first = next(i for i, (m, _) in enumerate(ordered) if abs(m.start - verb.start) == nearest)
    group = [ordered[first]]
    for direction in (-1, 1):
        i = first
        while 0 <= i + direction < len(ordered):
            a, b = sorted((ordered[i], ordered[i + direction]), key=lambda x: x[0].start)
            if analysis.text[a[0].end:b[0].start].strip() not in ("и", ","):
                break
            group.append(ordered[i + direction])
            i += direction
    return sorted(group, key=lambda x: x[0].start)


def _paragraph(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def _medium(q: Quotation, before: str, frame_tokens: list[Token]) -> None:
    lemmas = {t.lemma for t in frame_tokens}
    if lemmas & DOCUMENT_WORDS - {"статья"} and q.speakers and not any(
            t.pos == "PROPN" and t.feats.get("Animacy") == "Anim" for t in frame_tokens):
        q.medium = "signed-document"
    elif not q.speakers and q.speaker_text:
        q.medium = "popular-saying"
    elif "пресс-секретарь" in lemmas:
        q.medium = "press-statement"


def find_statements(analysis: Analysis, mentions: list[Mention], registry: Registry,
                    quotations: list[Quotation]) -> list[ReportedStatement]:
    """Verbs of speech with a named speaker and a "что" clause, outside quotation marks."""
    text = analysis.text
    quoted = [(q.start - 1, q.end + 1) for q in quotations]
    out = []
    for sentence in analysis.sentences:
        for i, t in enumerate(sentence.tokens):
            if t.lemma not in SPEECH_VERBS or t.feats.get("VerbForm") == "Conv":
                continue
            rest = sentence.tokens[i + 1:i + 3]
            if not any(r.text == "что" for r in rest) and not (rest and rest[0].text == "," and len(rest) > 1
                                                                and rest[1].text == "что"):
                continue
            if any(s <= t.start < e for s, e in quoted):
                continue
            clause_start = _clause_start(analysis, t)
            agents = [(m, a) for m, a in _agents_in(mentions, registry, clause_start, t.start)
                      if m.case in ("Nom", None)]
            if not agents:
                continue
            m, agent = agents[-1]
            that = next(r for r in rest if r.text == "что")
            content = text[that.end:sentence.end].strip().rstrip(".")
            if "«" in content:
                continue  # a quotation, drafted as such
            evidence = text[min(m.start, t.start):sentence.end].strip()
            out.append(ReportedStatement([agent], SPEECH_VERBS[t.lemma], content, min(m.start, t.start),
                                         sentence.end, evidence))
    return out
