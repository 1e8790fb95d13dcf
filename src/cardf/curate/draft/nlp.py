"""Russian text analysed once: sentences, tokens with part of speech, case and lemma, named-entity spans.

natasha does the work (razdel to segment, slovnet's news models to tag morphology and named
entities, pymorphy2's dictionary to lemmatize); its models ship inside the wheel, so nothing is
downloaded. The models are loaded once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass
class Token:
    text: str
    start: int
    end: int
    pos: str
    feats: dict
    lemma: str
    forms: frozenset[str]  # every dictionary normal form, folded, for matching names in any case
    sentence: int = 0

    @property
    def case(self) -> str | None:
        return self.feats.get("Case")


@dataclass
class Sentence:
    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)


@dataclass
class NamedSpan:
    type: str  # PER, LOC, ORG
    start: int
    end: int
    text: str
    normal: str


@dataclass
class Analysis:
    text: str
    sentences: list[Sentence]
    tokens: list[Token]
    names: list[NamedSpan]

    def sentence_of(self, offset: int) -> Sentence:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return self.sentences[-1]


def fold(word: str) -> str:
    return word.casefold().replace("ё", "е")


@functools.lru_cache(maxsize=1)
def _pipeline():
    import warnings

    with warnings.catch_warnings():  # pkg_resources' deprecation notice is no message for a curator
        warnings.simplefilter("ignore")
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        embedding = NewsEmbedding()
        return Segmenter(), MorphVocab(), NewsMorphTagger(embedding), NewsNERTagger(embedding)


@functools.lru_cache(maxsize=65536)
def normal_forms(word: str) -> frozenset[str]:
    """Every normal form the dictionary gives the word (any case, any reading), folded."""
    _, vocab, _, _ = _pipeline()
    return frozenset({fold(p.normal_form) for p in vocab.parse(word)} | {fold(word)})


def tokenize(text: str) -> list[str]:
    """Words as natasha's segmenter splits them (a label is matched token for token)."""
    from razdel import tokenize as razdel_tokenize

    return [t.text for t in razdel_tokenize(text)]


def analyse(text: str) -> Analysis:
    from natasha import Doc

    segmenter, vocab, morph, ner = _pipeline()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_morph(morph)
    doc.tag_ner(ner)
    sentences = []
    for s in doc.sents:  # a line break always ends a sentence (paragraphs, footnotes, "…».[2]\n25 ноября")
        start = s.start
        for i in range(s.start, s.stop):
            if text[i] == "\n":
                if text[start:i].strip():
                    sentences.append(Sentence(start, i))
                start = i + 1
        if text[start:s.stop].strip():
            sentences.append(Sentence(start, s.stop))
    tokens = []
    si = 0
    for t in doc.tokens:
        t.lemmatize(vocab)
        while si + 1 < len(sentences) and t.start >= sentences[si + 1].start:
            si += 1
        token = Token(t.text, t.start, t.stop, t.pos or "", dict(t.feats or {}), fold(t.lemma or t.text),
                      normal_forms(t.text) | {fold(t.lemma or t.text)}, si)
        tokens.append(token)
        sentences[si].tokens.append(token)
    names = []
    for span in doc.spans:
        span.normalize(vocab)
        names.append(NamedSpan(span.type, span.start, span.stop, span.text, span.normal or span.text))
    return Analysis(text, sentences, tokens, names)


_PROPER = {"Geox", "Name", "Surn", "Patr", "Orgn", "Trad", "Abbr"}


@functools.lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """The dictionary knows the word, and not as a name (Республика, not Бишкек)."""
    _, vocab, _, _ = _pipeline()
    parses = vocab.parse(word)
    return bool(parses) and parses[0].is_known and not any(_PROPER & set(p.tag.grammemes) for p in parses[:2])
