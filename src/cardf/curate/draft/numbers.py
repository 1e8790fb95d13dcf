"""Dates, periods and figures in Russian text, normalised the way facts.yaml writes them.

Dates become YYYY-MM-DD, YYYY-MM or YYYY (with a start and an end for spans); when the text
leaves out the year it is taken from the article's date, and the proposal says so. Money is
kept in units with its ISO 4217 currency ("4,1 млрд. долларов" → 4100000000 USD), percentages
and counts with their unit code, and the words that qualify a number ("почти", "свыше",
"порядка", "рекордных", "уже") become qualifier codes. Numbers are read with Decimal, never
with floats, so 4,1 млрд. is exactly 4100000000.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .nlp import Analysis, Token

MONTHS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
          "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}
_MONTH = r"(январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?|сентябр[ьяе]|" \
         r"октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
_DASH = r"\s*[-–—−]\s*"
_YEAR = r"(?:\s+(\d{4})\s*(?:года|год|году|г\.)?)?"
NUMBER_WORDS = {"один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
                "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12, "пятнадцать": 15,
                "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "сто": 100}
SCALES = {"трлн": Decimal(10) ** 12, "триллион": Decimal(10) ** 12, "млрд": Decimal(10) ** 9,
          "миллиард": Decimal(10) ** 9, "млн": Decimal(10) ** 6, "миллион": Decimal(10) ** 6,
          "тыс": Decimal(1000), "тысяч": Decimal(1000)}
CURRENCIES = {"долл": "USD", "$": "USD", "usd": "USD", "рубл": "RUB", "руб": "RUB", "евро": "EUR", "€": "EUR",
              "eur": "EUR", "юан": "CNY", "тенге": "KZT", "сом": "KGS"}
QUALIFIERS = {"почти": "almost", "около": "about", "порядка": "about", "примерно": "about", "приблизительно": "about",
              "свыше": "over", "более": "over", "больше": "over", "превысить": "over", "превышать": "over",
              "превышающий": "over", "рекордный": "record", "уже": "already", "ровно": "exactly",
              "минимум": "at-least", "максимум": "at-most"}
QUALIFIER_PHRASES = {("не", "менее"): "at-least", ("не", "более"): "at-most", ("не", "меньше"): "at-least",
                     ("не", "больше"): "at-most", ("более", "чем"): "over"}


@dataclass
class DateMention:
    text: str
    start: int
    end: int
    value_start: str
    value_end: str
    inferred_year: bool = False
    note: str = ""


@dataclass
class FigureMention:
    text: str  # the number as written, with its scale and currency or unit
    start: int
    end: int
    value: Decimal
    currency: str | None = None
    unit: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confidence: float = 0.9


def _month(word: str) -> int:
    word = word.lower()
    for stem, n in MONTHS.items():
        if word.startswith(stem):
            return n
    raise ValueError(word)


def _infer_year(month: int, day: int | None, published: dt.date | None) -> tuple[int | None, bool]:
    if published is None:
        return None, False
    year = published.year
    if (month, day or 1) > (published.month, published.day):
        year -= 1  # a day after the article's date is last year's
    return year, True


def _lexical(year: int | None, month: int | None = None, day: int | None = None) -> str:
    if year is None:
        return ""
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Dates and periods with their normal form, the year from the article's date where the text omits it."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, start: str, end: str, inferred: bool, note: str = "") -> None:
        if not start or any(s < m.end() and m.start() < e for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        if inferred:
            note = (note + " " if note else "") + "The year is not in the text; taken from the article's date."
        found.append(DateMention(m.group(0).strip(), m.start(), m.end(), start, end, inferred, note))

    for m in re.finditer(rf"\b(\d{{1,2}}){_DASH}(\d{{1,2}})\s+{_MONTH}{_YEAR}", text, re.I):
        month = _month(m.group(3))
        year, inferred = (int(m.group(4)), False) if m.group(4) else _infer_year(month, int(m.group(2)), published)
        add(m, _lexical(year, month, int(m.group(1))), _lexical(year, month, int(m.group(2))), inferred)
    for m in re.finditer(rf"\b(\d{{1,2}})\s+{_MONTH}{_YEAR}", text, re.I):
        month = _month(m.group(2))
        year, inferred = (int(m.group(3)), False) if m.group(3) else _infer_year(month, int(m.group(1)), published)
        day = _lexical(year, month, int(m.group(1)))
        add(m, day, day, inferred)
    for m in re.finditer(rf"\bв\s+{_MONTH}{_DASH}{_MONTH}{_YEAR}", text, re.I):
        m1, m2 = _month(m.group(1)), _month(m.group(2))
        year, inferred = (int(m.group(3)), False) if m.group(3) else _infer_year(m2, None, published)
        add(m, _lexical(year, m1), _lexical(year, m2), inferred)
    for m in re.finditer(rf"\bв\s+{_MONTH}\s+(\d{{4}})\s*(?:года|г\.)", text, re.I):
        month = _lexical(int(m.group(2)), _month(m.group(1)))
        add(m, month, month, False)
    for m in re.finditer(r"\b(\d{2})\.(\d{2})\.(\d{4})\b", text):
        try:
            day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            continue
        add(m, day, day, False)
    for m in re.finditer(rf"\b(\d{{4}}){_DASH}(\d{{4}})\s+(?:годы|годов|гг\.)", text):
        add(m, m.group(1), m.group(2), False)
    for m in re.finditer(r"\b(?:в|на|за|до|с|предстоящий|текущий|прошлый)\s+(\d{4})\s*(?:году|год|года|г\.)", text):
        add(m, m.group(1), m.group(1), False)
    for m in re.finditer(r"\b(?:в|на|за)\s+ближайшие\s+(\d+|два|три|пять|десять)\s+(?:лет|года|год)", text):
        years = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1), 0)
        if published is None or not years:
            continue
        start = _lexical(published.year, published.month)
        end = _lexical(published.year + years, published.month)
        add(m, start, end, False, f"Computed from the article's date ({published.isoformat()}); approximate.")
    found.sort(key=lambda d: d.start)
    return found


# ----------------------------------------------------------------------------- figures

_NUMBER = re.compile(
    r"(?<![\w.,\-−–/])(?P<dollar>\$\s?)?(?P<num>\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:[.,]\d+)?)(?![\w\-−–+/]|[.,]\d)"
    r"(?:\s*(?P<scale>трлн|триллион\w*|млрд|миллиард\w*|млн|миллион\w*|тыс|тысяч\w*)\.?)?"
    r"(?:\s*(?P<currency>долл\w*|\$|рубл\w*|руб\.|евро|€|юан\w*|тенге|сом\w*|USD|EUR)\.?)?"
    r"(?:\s*(?P<percent>%|процент\w*))?", re.I)


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _currency(word: str | None, dollar: bool) -> str | None:
    if dollar:
        return "USD"
    if not word:
        return None
    word = word.lower()
    return next((code for stem, code in CURRENCIES.items() if word.startswith(stem)), None)


def _tokens_between(analysis: Analysis, start: int, end: int) -> list[Token]:
    return [t for t in analysis.tokens if start <= t.start and t.end <= end]


def _qualifiers(analysis: Analysis, start: int, end: int) -> list[str]:
    """Qualifier words in the clause before the number (at most four words back), and right after it."""
    before = [t for t in analysis.tokens if t.end <= start]
    window: list[Token] = []
    for t in reversed(before):
        if t.text in (",", ";", ":", ".", "(", ")", "—") or re.match(r"^\d", t.text) or len(window) >= 4:
            break
        window.insert(0, t)
    out: list[str] = []
    lemmas = [t.lemma for t in window]
    for i, lemma in enumerate(lemmas):
        pair = tuple(lemmas[i:i + 2])
        code = QUALIFIER_PHRASES.get(pair) or QUALIFIERS.get(lemma) or QUALIFIERS.get(window[i].text.lower())
        if code and code not in out:
            out.append(code)
    return sorted(out)


def find_figures(analysis: Analysis, units: dict[str, str], dates: list[DateMention]) -> list[FigureMention]:
    """Money, percentages and counts (in digits or words) with their qualifiers.

    `units` maps the lemma of a counted noun to its figure-unit code (документ → document), read
    from the vocabulary's Russian labels.
    """
    text = analysis.text
    dated = [(d.start, d.end) for d in dates]
    out: list[FigureMention] = []
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in dated):
            continue
        if text[max(0, m.start() - 1):m.start()] == "[":
            continue  # a footnote marker
        value = _decimal(m.group("num"))
        scale = m.group("scale")
        if scale:
            value *= next(v for stem, v in SCALES.items() if scale.lower().startswith(stem))
        currency = _currency(m.group("currency"), bool(m.group("dollar")))
        end = m.end()
        figure = FigureMention(text[m.start():end].rstrip(), m.start(), end, _plain(value), currency)
        if m.group("percent"):
            figure.unit = "percent"
        elif currency is None and scale is None:
            unit = _counted_unit(analysis, end, units)
            if unit is None:
                continue
            figure.unit = unit
        figure.qualifiers = _qualifiers(analysis, m.start(), end)
        out.append(figure)
    for i, t in enumerate(analysis.tokens):
        if t.lemma in NUMBER_WORDS and not re.match(r"^\d", t.text):
            unit = _counted_unit(analysis, t.end, units)
            if unit is None:
                continue
            f = FigureMention(t.text, t.start, t.end, Decimal(NUMBER_WORDS[t.lemma]), None, unit,
                              _qualifiers(analysis, t.start, t.end), [f"Written as a word («{t.text}»)."], 0.8)
            out.append(f)
    out.sort(key=lambda f: f.start)
    _implied_currency(analysis, out)
    return out


def _plain(value: Decimal) -> Decimal:
    """4.1E+9 → 4100000000, 13.60 → 13.6: the value as facts.yaml writes it."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _counted_unit(analysis: Analysis, end: int, units: dict[str, str]) -> str | None:
    """The unit of a count: the noun right after the number (adjectives may stand between)."""
    after = [t for t in analysis.tokens if t.start >= end][:3]
    for t in after:
        if t.lemma in units:
            return units[t.lemma]
        if t.pos not in ("ADJ", "PART"):
            return None
    return None


def _implied_currency(analysis: Analysis, figures: list[FigureMention]) -> None:
    """A sum without a currency ("превысил 27 млрд.") takes the currency of the sums around it, and says so."""
    money = [f for f in figures if f.currency]
    for f in figures:
        if f.currency or f.unit:
            continue
        paragraph_start = analysis.text.rfind("\n", 0, f.start) + 1
        paragraph_end = analysis.text.find("\n", f.end)
        near = [g for g in money if paragraph_start <= g.start and (paragraph_end == -1 or g.end <= paragraph_end)]
        if near:
            nearest = min(near, key=lambda g: abs(g.start - f.start))
            f.currency = nearest.currency
            f.notes.append(f"No currency in the text; {nearest.currency} taken from «{nearest.text}» nearby.")
            f.confidence = 0.7
