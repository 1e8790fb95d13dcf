"""The drafter on short Russian texts written for these tests: what it links, normalises, extracts and proposes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from cardf.curate.draft import draft_text, render
from cardf.curate.draft.entities import Entity, Registry, link
from cardf.curate.draft.events import find_events
from cardf.curate.draft.nlp import analyse
from cardf.curate.draft.numbers import find_dates, find_figures
from cardf.curate.draft.speech import find_quotations

UNITS = {"документ": "document", "регион": "region", "школа": "school"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry([
        Entity("borovia", "states", {"ru": ["Боровия", "Республика Боровия"], "en": ["Borovia"]}, capital="velsk"),
        Entity("lesnaya", "states", {"ru": ["Лесния"], "en": ["Lesnia"]}, capital="gorodets"),
        Entity("tajikistan", "states", {"ru": ["Таджикистан"], "en": ["Tajikistan"]}),
        Entity("velsk", "places", {"ru": ["Вельск"], "en": ["Velsk"]}),
        Entity("gorodets", "places", {"ru": ["Городец"], "en": ["Gorodets"]}),
        Entity("ivan-petrov", "persons", {"ru": ["Иван Петров"], "en": ["Ivan Petrov"]},
               offices=["president-of-borovia"]),
        Entity("anna-sokolova", "persons", {"ru": ["Анна Соколова"], "en": ["Anna Sokolova"]},
               offices=["president-of-lesnia"]),
        Entity("president-of-borovia", "offices", {"ru": ["Президент Боровии"], "en": ["President of Borovia"]},
               office_of="borovia"),
        Entity("president-of-lesnia", "offices", {"ru": ["Президент Леснии"], "en": ["President of Lesnia"]},
               office_of="lesnaya"),
        Entity("trade-union-x", "organizations", {"ru": ["Северный союз", "СС"], "en": ["Northern Union"]}),
        Entity("example-org", "organizations", {"ru": ["example.org"], "en": ["example.org"]}),
    ])


def linked(text: str, registry: Registry) -> list[tuple[str, str]]:
    return [(m.text, m.entity) for m in link(analyse(text), registry)]


def test_names_are_linked_in_any_case_and_by_surname(registry):
    got = linked("Переговоры прошли в Таджикистане. Договор подписан Петровым и Анной Соколовой.", registry)
    assert got == [("Таджикистане", "tajikistan"), ("Петровым", "ivan-petrov"), ("Анной Соколовой", "anna-sokolova")]


def test_an_adjective_and_an_office_word_find_the_office(registry):
    assert linked("Как отметил боровский президент, всё идёт по плану.", registry) == [
        ("боровский президент", "president-of-borovia")]


def test_a_capital_as_an_actor_stands_for_its_state_but_not_as_a_place(registry):
    assert linked("Вельск и Городец договорились. Делегация прибыла в Вельск.", registry) == [
        ("Вельск", "borovia"), ("Городец", "lesnaya"), ("Вельск", "velsk")]


def test_abbreviations_match_only_as_written_and_web_addresses_are_found(registry):
    got = linked("Члены СС собрались. Источник: https://www.example.org/news/1", registry)
    assert got == [("СС", "trade-union-x"), ("www.example.org", "example-org")]


PUBLISHED = dt.date(2025, 12, 4)


@pytest.mark.parametrize("text, start, end, inferred", [
    ("Встреча прошла 8-10 октября в столице.", "2025-10-08", "2025-10-10", True),
    ("Это было 11 ноября.", "2025-11-11", "2025-11-11", True),
    ("Это было 20 декабря.", "2024-12-20", "2024-12-20", True),  # after the article's date: the year before
    ("Рост составил 5 процентов в январе - сентябре.", "2025-01", "2025-09", True),
    ("Товарооборот в 2024 году вырос.", "2024", "2024", False),
    ("Проект займет несколько лет: в ближайшие пять лет.", "2025-12", "2030-12", False),
    ("Заявление от 09.10.2025 года.", "2025-10-09", "2025-10-09", False),
    ("Ещё в феврале 2022 года стороны договорились.", "2022-02", "2022-02", False),
])
def test_dates_and_periods_are_normalised_with_the_year_from_the_article(text, start, end, inferred):
    [d] = find_dates(text, PUBLISHED)
    assert (d.value_start, d.value_end, d.inferred_year) == (start, end, inferred)
    assert ("taken from the article's date" in d.note) == inferred


@pytest.mark.parametrize("text, value, currency, unit, qualifiers", [
    ("Товарооборот достиг рекордных 4,1 млрд. долларов.", "4100000000", "USD", None, ["record"]),
    ("Сделка на $8,5 млрд. остается в силе.", "8500000000", "USD", None, []),
    ("Инвестиции составили почти 2,0 млрд. долларов.", "2000000000", "USD", None, ["almost"]),
    ("Доля выросла на 13,6 процента.", "13.6", None, "percent", []),
    ("Уже порядка 97 процентов платежей идут в рублях.", "97", None, "percent", ["about", "already"]),
    ("Объем проектов превышает 300 млн. рублей.", "300000000", "RUB", None, ["over"]),
    ("Стороны подписали 16 документов.", "16", None, "document", []),
    ("Будет построено девять новых школ.", "9", None, "school", []),
    ("Не менее 12 регионов участвуют.", "12", None, "region", ["at-least"]),
])
def test_figures_are_exact_with_currency_unit_and_qualifiers(text, value, currency, unit, qualifiers):
    analysis = analyse(text)
    [f] = find_figures(analysis, UNITS, find_dates(text, PUBLISHED))
    assert (f.value, f.currency, f.unit, f.qualifiers) == (Decimal(value), currency, unit, qualifiers)


def test_years_dates_and_footnote_markers_are_not_figures():
    text = "В 2024 году, 11 ноября, стороны встретились.[2] Самолет 787 летает."
    assert find_figures(analyse(text), UNITS, find_dates(text, PUBLISHED)) == []


def test_a_sum_without_currency_takes_the_currency_nearby_and_says_so():
    text = "Вложения составили 9,0 млрд. долларов, а всего превысили 27 млрд."
    figures = find_figures(analyse(text), UNITS, find_dates(text, PUBLISHED))
    assert [(f.value, f.currency) for f in figures] == [(Decimal(9000000000), "USD"), (Decimal(27000000000), "USD")]
    assert "USD taken from «9,0 млрд. долларов»" in figures[1].notes[0]


def test_quotations_get_their_speaker_and_names_in_quotation_marks_are_not_quotations(registry):
    text = ("По словам Петрова, «наши страны связывает давняя дружба и общие планы на будущее». "
            "Соглашение о формате «Северный мост» подписано. "
            "Как отметил лесной президент, «мы готовы к работе». "
            "Вельск и Городец заявили, что «будут вместе строить дороги и мосты в регионе».")
    analysis = analyse(text)
    quotes = find_quotations(analysis, link(analysis, registry), registry)
    assert [(q.text[:20], q.speakers) for q in quotes] == [
        ("наши страны связывае", ["ivan-petrov"]),
        ("мы готовы к работе", []),  # "лесной" is no state's adjective here: no speaker is better than a wrong one
        ("будут вместе строить", ["borovia", "lesnaya"]),
    ]


def test_an_office_holder_speaks_for_the_office(registry):
    text = "Как отметил боровский президент, «мы рады гостям из соседних стран и будем рады снова»."
    analysis = analyse(text)
    [q] = find_quotations(analysis, link(analysis, registry), registry)
    assert q.speakers == ["ivan-petrov"] and q.medium == "speech"


def test_event_words_give_typed_candidates_with_participants_place_and_date(registry):
    text = ("8 октября состоялся государственный визит Ивана Петрова в Таджикистан. "
            "Петров принял участие в заседании совета. "
            "В Вельске прошла церемония официальной встречи Анны Соколовой.")
    analysis = analyse(text)
    events = find_events(analysis, link(analysis, registry), registry, find_dates(text, PUBLISHED))
    assert [(e.type, e.participants, e.places, e.hosts, e.guests, e.date and e.date.value_start) for e in events] == [
        ("state-visit", [("ivan-petrov", "visitor")], ["tajikistan"], ["tajikistan"], ["borovia"], "2025-10-08"),
        ("session", [("ivan-petrov", "head-of-state")], [], [], [], None),
        ("welcome-ceremony", [("anna-sokolova", "head-of-state")], ["velsk"], [], [], None),
    ]


def test_the_draft_is_yaml_with_located_evidence_and_a_confidence_for_every_record(registry):
    text = ("11 ноября президент Боровии Иван Петров провел переговоры в Вельске. "
            "Товарооборот в 2024 году достиг 3,5 млрд. долларов.\n")
    draft = draft_text(text, registry, UNITS, "2025-12-04", taken={"talks-ivan-petrov-2025-11-11"}, slug="t")
    rendered = render(draft, text)
    data = yaml.safe_load(rendered)
    [event] = data["events"]
    assert event["id"] == "talks-ivan-petrov-2025-11-11-2"  # a taken id is never reused
    assert event["type"] == "talks" and str(event["start"]) == "2025-11-11"
    [figure] = data["figures"]
    assert (figure["indicator"], figure["value"], figure["currency"], figure["period"]) == (
        "trade-turnover", 3500000000, "USD", 2024)
    for record in data["events"] + data["figures"]:
        for evidence in record["evidence"]:
            assert (evidence if isinstance(evidence, str) else evidence["text"]) in text
    assert rendered.count("# confidence: ") == 2
    assert {m["entity"] for m in data["mentions"]} == {"president-of-borovia", "ivan-petrov", "velsk"}
