"""Finding a curator's quote in an article: exactly, after forgiving what people get wrong, then approximately.

Curators copy quotes out of browsers and word processors, which turn dashes, quotation marks,
spaces and letters into look-alikes (— – -, « » „ " ", ё/е, a no-break space, a zero-width
space, a decomposed й). The build needs the exact words, so when a quote is not found this
module finds where it was meant to be and says *which* character differs, by its Unicode name
when the two would look the same on screen. The loader's "does not occur" hint, `cardf locate`
and `cardf anchors` share it.

Approximate search is Myers' bit-parallel edit-distance algorithm (the one Hypothesis uses to
re-anchor highlights), written here over Python integers.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
DOUBLE_QUOTES = "\"«»„“”‟❝❞〝〞＂"
SINGLE_QUOTES = "'‘’‚‛‹›′"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_FOLD = {**{c: "-" for c in DASHES}, **{c: '"' for c in DOUBLE_QUOTES}, **{c: "'" for c in SINGLE_QUOTES},
         "ё": "е", "Ё": "Е", "…": "...", "№": "N"}
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
MAX_SHOWN = 3  # differences described per passage
CONTEXT = 12  # characters of the quote shown before an inserted or missing character


# ----------------------------------------------------------------------------- folding

@dataclass(frozen=True)
class Folded:
    """A string with look-alikes folded together, and where each folded character came from."""

    text: str
    starts: tuple[int, ...]  # index in the original of the run that made text[i]
    ends: tuple[int, ...]  # index just after that run


def _clusters(s: str):
    """(start, end, composed) for each base character with its combining marks, composed to NFC."""
    i, n = 0, len(s)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(s[j]):
            j += 1
        yield i, j, unicodedata.normalize("NFC", s[i:j]) if j > i + 1 else s[i]
        i = j


@functools.lru_cache(maxsize=16)
def fold(s: str) -> Folded:
    """Fold dashes, quotation marks, ё, white space runs, invisible characters and NFD into one spelling each."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, j, cluster in _clusters(s):
        for ch in cluster:
            if ch in ZERO_WIDTH or unicodedata.category(ch) == "Cf":
                if ends:  # an invisible character belongs to the run before it
                    ends[-1] = j
                continue
            if ch.isspace():
                if out and out[-1] == " " and ends[-1] == i:
                    ends[-1] = j
                    continue
                ch = " "
            for piece in _FOLD.get(ch, ch):
                out.append(piece)
                starts.append(i)
                ends.append(j)
    return Folded("".join(out), tuple(starts), tuple(ends))


def _span(folded: Folded, start: int, end: int) -> tuple[int, int]:
    """The original span of folded[start:end]."""
    return folded.starts[start], folded.ends[end - 1]


# ----------------------------------------------------------------------------- approximate search

def approx_search(text: str, pattern: str, max_errors: int, limit: int | None = None) -> list[tuple[int, int, int]]:
    """(start, end, errors) where `pattern` matches `text` within `max_errors` edits: fewest errors first.

    Myers (1999): one pass over the text with the pattern's columns packed in an integer gives the
    edit distance of the best match ending at each position; a short backward pass finds the start
    of the `limit` best. Of neighbouring ends only the local minima are kept.
    """
    m = len(pattern)
    if m == 0 or not text:
        return []
    full = (1 << m) - 1
    high = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    pv, mv, score = full, 0, m
    ends: list[tuple[int, int]] = []
    for j, ch in enumerate(text):
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
        if score <= max_errors:
            ends.append((j + 1, score))
    minima = []
    for k, (end, errors) in enumerate(ends):
        before = ends[k - 1] if k else None
        after = ends[k + 1] if k + 1 < len(ends) else None
        if before and before[0] == end - 1 and before[1] < errors:
            continue
        if after and after[0] == end + 1 and after[1] <= errors:
            continue
        minima.append((errors, end))
    minima.sort()
    return [(_start_of(text, pattern, end, errors), end, errors) for errors, end in minima[:limit]]


def _start_of(text: str, pattern: str, end: int, errors: int) -> int:
    """The earliest start from which pattern matches text[start:end] with fewest edits (a backward DP)."""
    m = len(pattern)
    lo = max(0, end - m - errors)
    window = text[lo:end][::-1]
    rpat = pattern[::-1]
    # column over the pattern for each text position consumed from the end
    prev = list(range(m + 1))
    best = (prev[m], 0)  # (errors, minus the length): of the starts with fewest errors, the earliest
    for j, ch in enumerate(window, 1):
        cur = [0] * (m + 1)
        cur[0] = j
        for i in range(1, m + 1):
            cost = 0 if rpat[i - 1] == ch else 1
            cur[i] = min(prev[i - 1] + cost, prev[i] + 1, cur[i - 1] + 1)
        best = min(best, (cur[m], -j))
        prev = cur
    return end + best[1]


def similarity(text: str, expected: str) -> float:
    """1.0 when `expected` occurs in `text`, falling towards 0 with the edits its best match needs."""
    if not text or not expected:
        return 0.0
    if expected in text:
        return 1.0
    found = approx_search(text, expected, len(expected), limit=1)
    return max(0.0, 1 - found[0][2] / len(expected)) if found else 0.0


# ----------------------------------------------------------------------------- finding

@dataclass
class Passage:
    """Where a quote was meant to be: the article's own words there, and how they differ from the quote."""

    start: int
    end: int
    line: int
    column: int
    text: str
    exact: bool  # the quote occurs here verbatim
    tolerant: bool  # the quote differs from the article only by look-alike characters
    errors: int  # edits left after folding (0 when tolerant)
    differences: list[str] = field(default_factory=list)
    score: float = 1.0


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every exact occurrence, overlapping ones included."""
    starts = []
    if not quote:
        return starts
    i = text.find(quote)
    while i != -1:
        starts.append(i)
        i = text.find(quote, i + 1)
    return starts


def _passage(text: str, quote: str, start: int, end: int, *, exact: bool, tolerant: bool, errors: int) -> Passage:
    line, col = line_col(text, start)
    found = text[start:end]
    return Passage(start, end, line, col, found, exact, tolerant, errors,
                   [] if exact else describe(quote, found))


def find(text: str, quote: str, limit: int = 3) -> list[Passage]:
    """The passages the quote most probably means, best first: exact, else look-alike, else approximate."""
    if not quote.strip():
        return []
    exact = occurrences(text, quote)
    if exact:
        return [_passage(text, quote, s, s + len(quote), exact=True, tolerant=True, errors=0) for s in exact]
    ftext, fquote = fold(text), fold(quote)
    if not fquote.text.strip():
        return []
    tolerant = occurrences(ftext.text, fquote.text)
    if tolerant:
        return [_passage(text, quote, *_span(ftext, s, s + len(fquote.text)), exact=False, tolerant=True, errors=0)
                for s in tolerant]
    return closest(text, quote, limit)


def closest(text: str, quote: str, limit: int = 3, max_errors: int | None = None) -> list[Passage]:
    """Approximate passages after folding, fewest edits first (ties: earlier first)."""
    ftext, fquote = fold(text), fold(quote)
    m = len(fquote.text)
    if m == 0:
        return []
    budget = max_errors if max_errors is not None else max(1, min(64, m // 3))
    out = []
    for s, e, errors in approx_search(ftext.text, fquote.text, budget, limit):
        start, end = _span(ftext, s, e)
        while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1  # whole words: a passage never starts or ends inside one
        while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        p = _passage(text, quote, start, end, exact=False, tolerant=False, errors=errors)
        p.score = 1 - errors / m
        out.append(p)
    return out


# ----------------------------------------------------------------------------- saying what differs

def char_name(ch: str) -> str:
    if ch == " ":
        return "a space"
    if ch == "\n":
        return "a line break"
    if ch == "\t":
        return "a tab"
    name = unicodedata.name(ch, "")
    if not name:
        name = {"\r": "CARRIAGE RETURN"}.get(ch, "UNNAMED CHARACTER")
    return f"U+{ord(ch):04X} {name}"


def _invisible(ch: str) -> bool:
    return ch.isspace() or ch in ZERO_WIDTH or unicodedata.category(ch) in ("Cf", "Cc", "Mn", "Zs", "Zl", "Zp")


def show(s: str) -> str:
    """Text as a curator sees it, naming every character that would not show or looks like another."""
    if not s:
        return "nothing"
    if len(s) == 1 and (_invisible(s) or s in DASHES + DOUBLE_QUOTES + SINGLE_QUOTES):
        return char_name(s) if _invisible(s) else f"«{s}» ({char_name(s)})"
    if all(_invisible(c) for c in s):
        return " and ".join(char_name(c) for c in s) if len(s) <= 3 else f"{len(s)} invisible characters"
    if any(_invisible(c) and c != " " for c in s):
        return "«" + "".join(f"[{char_name(c)}]" if _invisible(c) and c != " " else c for c in s) + "»"
    return f"«{s}»"


def _before(s: str, at: int) -> str:
    tail = s[max(0, at - CONTEXT):at]
    return ("…" if at > CONTEXT else "") + tail


def _tokens(s: str) -> list[str]:
    return _TOKEN.findall(s)


def describe(quote: str, found: str) -> list[str]:
    """Each difference between the quote and the article's words, in words a curator can act on."""
    notes: list[str] = []
    nfc = unicodedata.normalize("NFC", quote)
    if nfc != quote:
        letters = sorted({c for c in nfc if unicodedata.normalize("NFD", c) != c and c in found})
        example = f" (such as «{letters[0]}»)" if letters else ""
        notes.append(f"your quote has letters written as a base letter plus a combining mark{example}, where the "
                     "article has them as one character (Unicode NFD against NFC)")
        quote = nfc
    a, b = _tokens(quote), _tokens(found)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2))) if i2 - i1 == j2 - j1 else [(None, None)]
        for i, j in pairs:  # token for token where the counts agree, else the whole stretch
            mine, theirs = ("".join(a[i1:i2]), "".join(b[j1:j2])) if i is None else (a[i], b[j])
            offset = len("".join(a[:i1 if i is None else i]))
            if fold(mine).text == fold(theirs).text:
                notes += _char_differences(quote, offset, mine, theirs)
            elif mine != theirs:
                notes.append(_one(quote, offset, mine, theirs))
    if len(notes) > MAX_SHOWN:
        notes = notes[:MAX_SHOWN] + [f"and {len(notes) - MAX_SHOWN} more difference(s)"]
    return notes


def _one(quote: str, offset: int, mine: str, theirs: str) -> str:
    if not mine:
        return f"the article has {show(theirs)} after {show(_before(quote, offset))} that your quote lacks" \
            if offset else f"the article has {show(theirs)} before your first words"
    if not theirs:
        return f"your quote has {show(mine)} after {show(_before(quote, offset))}, which the article lacks" \
            if offset else f"your quote starts with {show(mine)}, which the article lacks"
    return f"the article has {show(theirs)} where you wrote {show(mine)}"


def _char_differences(quote: str, offset: int, mine: str, theirs: str) -> list[str]:
    out = []
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            out.append(_one(quote, offset + i1, mine[i1:i2], theirs[j1:j2]))
    return out


# ----------------------------------------------------------------------------- the loader's hint

def absence_hint(text: str, quote: str, text_name: str = "article.txt") -> str:
    """Why a quote is not found, for the loader's error: where it was probably meant, and what differs."""
    if not text.strip():
        return "does not occur in the article: the article is empty"
    if not quote.strip():
        return "is empty; quote the words of the article"
    passages = find(text, quote, limit=1)
    if not passages:
        return "does not occur in the article, and no close passage was found; `cardf locate` searches by words"
    p = passages[0]
    where = f"{text_name}:{p.line}:{p.column}"
    if p.exact:
        return f"occurs at {where}"
    if p.tolerant:
        more = f" (and at {len(passages) - 1} other place(s))" if len(passages) > 1 else ""
        return f"does not occur in the article exactly; at {where}{more}: " + "; ".join(p.differences)
    return f"does not occur in the article; the closest passage is at {where}: " + "; ".join(p.differences)


# ----------------------------------------------------------------------------- cardf locate

def yaml_quote(value: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `value`."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch in ZERO_WIDTH or unicodedata.category(ch) in ("Cc", "Cf") or ch in "\u00a0\u2028\u2029\u202f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def evidence_yaml(text: str, words: str, start: int) -> str:
    """The evidence entry to paste for the words at `start`: the quote, with its occurrence when repeated."""
    starts = occurrences(text, words)
    if len(starts) <= 1:
        return yaml_quote(words)
    return f"{{text: {yaml_quote(words)}, occurrence: {starts.index(start) + 1}}}"


def context_line(text: str, start: int, end: int, width: int = 30) -> str:
    before = text[max(0, start - width):start].replace("\n", " ")
    after = text[end:end + width].replace("\n", " ")
    return f"…{before}[{text[start:end]}]{after}…"


def report(text: str, words: str, where: str, limit: int = 3) -> tuple[str, dict, bool]:
    """What `cardf locate` prints, the same as data, and whether the words occur exactly."""
    passages = find(text, words, limit)
    data = {"words": words, "exact": bool(passages and passages[0].exact), "passages": [
        {"line": p.line, "column": p.column, "start": p.start, "end": p.end, "text": p.text,
         "occurrence": occurrences(text, p.text).index(p.start) + 1, "exact": p.exact, "lookalike": p.tolerant,
         "differences": p.differences, "evidence": evidence_yaml(text, p.text, p.start)} for p in passages]}
    lines = []
    if not passages:
        lines.append(f"{show(words)} does not occur in {where}, and no close passage was found; "
                     "try fewer or other words.")
    elif passages[0].exact:
        n = len(passages)
        lines.append(f"{show(words)} occurs {'once' if n == 1 else f'{n} times'} in {where}:")
    elif passages[0].tolerant:
        lines.append(f"{show(words)} does not occur exactly in {where}; it does with look-alike characters:")
    else:
        lines.append(f"{show(words)} does not occur in {where}; the closest passages:")
    for i, (p, d) in enumerate(zip(passages, data["passages"]), 1):
        lines.append(f"  {i}. line {p.line}, column {p.column} (characters {p.start}–{p.end}): "
                     f"{context_line(text, p.start, p.end)}")
        for note in p.differences:
            lines.append(f"     {note}")
        lines.append(f"     evidence: {d['evidence']}")
    return "\n".join(lines) + "\n", data, data["exact"]
