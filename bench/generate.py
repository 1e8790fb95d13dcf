"""A synthetic corpus in cardf's own source format, for the benchmark and the scale tests.

    python bench/generate.py --articles 1000 --out /tmp/corpus-1000 [--seed 1] [--errors 0.02]

writes `/tmp/corpus-1000/entities.yaml` and `/tmp/corpus-1000/articles/<slug>/{article.txt,facts.yaml}`,
a folder that `cardf build --data /tmp/corpus-1000` reads like `data/`. The same seed and size
give the same bytes. Every record kind of `schema.py` occurs; articles share a registry of
dozens of states, persons, offices, organizations and places, and a pool of events that other
articles refer back to (cross-article references); every evidence quote, and every quotation,
is a sentence that really occurs in the generated article text. A third of the articles report the
event they are about, defined by another article (`report:`), one report in three with other values
than the defining article's (an end a day later, or another type). About 95 triples per article:
100, 1,000 and 10,000 articles give roughly 10k, 100k and 1M triples with the ontology.

`--errors RATE` plants faults that the loader accepts but the SHACL shapes reject (a percentage
over 100, a date range that ends before it starts, a lower-case currency or language, a zero
footnote, …) in about RATE of the articles, for tests that compare validators on bad data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
from pathlib import Path

STATES = [  # id, iso, ru, en, capital id, capital ru, capital en
    ("russia", "RUS", "Россия", "Russia", "moscow", "Москва", "Moscow"),
    ("kazakhstan", "KAZ", "Казахстан", "Kazakhstan", "astana", "Астана", "Astana"),
    ("kyrgyzstan", "KGZ", "Киргизия", "Kyrgyzstan", "bishkek", "Бишкек", "Bishkek"),
    ("tajikistan", "TJK", "Таджикистан", "Tajikistan", "dushanbe", "Душанбе", "Dushanbe"),
    ("uzbekistan", "UZB", "Узбекистан", "Uzbekistan", "tashkent", "Ташкент", "Tashkent"),
    ("turkmenistan", "TKM", "Туркменистан", "Turkmenistan", "ashgabat", "Ашхабад", "Ashgabat"),
    ("china", "CHN", "Китай", "China", "beijing", "Пекин", "Beijing"),
    ("usa", "USA", "США", "United States", "washington", "Вашингтон", "Washington"),
    ("india", "IND", "Индия", "India", "new-delhi", "Нью-Дели", "New Delhi"),
    ("turkey", "TUR", "Турция", "Türkiye", "ankara", "Анкара", "Ankara"),
    ("iran", "IRN", "Иран", "Iran", "tehran", "Тегеран", "Tehran"),
    ("azerbaijan", "AZE", "Азербайджан", "Azerbaijan", "baku", "Баку", "Baku"),
    ("armenia", "ARM", "Армения", "Armenia", "yerevan", "Ереван", "Yerevan"),
    ("belarus", "BLR", "Белоруссия", "Belarus", "minsk", "Минск", "Minsk"),
    ("mongolia", "MNG", "Монголия", "Mongolia", "ulaanbaatar", "Улан-Батор", "Ulaanbaatar"),
    ("japan", "JPN", "Япония", "Japan", "tokyo", "Токио", "Tokyo"),
    ("germany", "DEU", "Германия", "Germany", "berlin", "Берлин", "Berlin"),
    ("france", "FRA", "Франция", "France", "paris", "Париж", "Paris"),
    ("italy", "ITA", "Италия", "Italy", "rome", "Рим", "Rome"),
    ("egypt", "EGY", "Египет", "Egypt", "cairo", "Каир", "Cairo"),
    ("brazil", "BRA", "Бразилия", "Brazil", "brasilia", "Бразилиа", "Brasília"),
    ("south-africa", "ZAF", "ЮАР", "South Africa", "pretoria", "Претория", "Pretoria"),
    ("indonesia", "IDN", "Индонезия", "Indonesia", "jakarta", "Джакарта", "Jakarta"),
    ("vietnam", "VNM", "Вьетнам", "Vietnam", "hanoi", "Ханой", "Hanoi"),
    ("pakistan", "PAK", "Пакистан", "Pakistan", "islamabad", "Исламабад", "Islamabad"),
    ("afghanistan", "AFG", "Афганистан", "Afghanistan", "kabul", "Кабул", "Kabul"),
    ("saudi-arabia", "SAU", "Саудовская Аравия", "Saudi Arabia", "riyadh", "Эр-Рияд", "Riyadh"),
    ("uae", "ARE", "ОАЭ", "United Arab Emirates", "abu-dhabi", "Абу-Даби", "Abu Dhabi"),
    ("qatar", "QAT", "Катар", "Qatar", "doha", "Доха", "Doha"),
    ("serbia", "SRB", "Сербия", "Serbia", "belgrade", "Белград", "Belgrade"),
    ("hungary", "HUN", "Венгрия", "Hungary", "budapest", "Будапешт", "Budapest"),
    ("south-korea", "KOR", "Республика Корея", "South Korea", "seoul", "Сеул", "Seoul"),
    ("north-korea", "PRK", "КНДР", "North Korea", "pyongyang", "Пхеньян", "Pyongyang"),
    ("malaysia", "MYS", "Малайзия", "Malaysia", "kuala-lumpur", "Куала-Лумпур", "Kuala Lumpur"),
    ("ethiopia", "ETH", "Эфиопия", "Ethiopia", "addis-ababa", "Аддис-Абеба", "Addis Ababa"),
    ("nigeria", "NGA", "Нигерия", "Nigeria", "abuja", "Абуджа", "Abuja"),
    ("algeria", "DZA", "Алжир", "Algeria", "algiers", "Алжир (город)", "Algiers"),
    ("argentina", "ARG", "Аргентина", "Argentina", "buenos-aires", "Буэнос-Айрес", "Buenos Aires"),
    ("mexico", "MEX", "Мексика", "Mexico", "mexico-city", "Мехико", "Mexico City"),
    ("cuba", "CUB", "Куба", "Cuba", "havana", "Гавана", "Havana"),
    ("venezuela", "VEN", "Венесуэла", "Venezuela", "caracas", "Каракас", "Caracas"),
    ("syria", "SYR", "Сирия", "Syria", "damascus", "Дамаск", "Damascus"),
    ("iraq", "IRQ", "Ирак", "Iraq", "baghdad", "Багдад", "Baghdad"),
    ("israel", "ISR", "Израиль", "Israel", "jerusalem", "Иерусалим", "Jerusalem"),
    ("georgia", "GEO", "Грузия", "Georgia", "tbilisi", "Тбилиси", "Tbilisi"),
    ("moldova", "MDA", "Молдавия", "Moldova", "chisinau", "Кишинёв", "Chișinău"),
    ("laos", "LAO", "Лаос", "Laos", "vientiane", "Вьентьян", "Vientiane"),
    ("myanmar", "MMR", "Мьянма", "Myanmar", "naypyidaw", "Нейпьидо", "Naypyidaw"),
]
FIRST = [("Алексей", "Aleksei"), ("Бахтияр", "Bakhtiyar"), ("Виктор", "Viktor"), ("Гульнара", "Gulnara"),
         ("Дмитрий", "Dmitry"), ("Елена", "Elena"), ("Жанна", "Zhanna"), ("Зарина", "Zarina"),
         ("Игорь", "Igor"), ("Камила", "Kamila"), ("Лев", "Lev"), ("Мария", "Maria"), ("Нурлан", "Nurlan"),
         ("Олег", "Oleg"), ("Павел", "Pavel"), ("Рустам", "Rustam"), ("Светлана", "Svetlana"),
         ("Тимур", "Timur"), ("Ульяна", "Ulyana"), ("Фарход", "Farkhod")]
LAST = [("Абдуллаев", "Abdullayev"), ("Белов", "Belov"), ("Валиев", "Valiyev"), ("Григорьев", "Grigoryev"),
        ("Давлатов", "Davlatov"), ("Ерменов", "Yermenov"), ("Жумабеков", "Zhumabekov"), ("Исмаилов", "Ismailov"),
        ("Каримов", "Karimov"), ("Лебедев", "Lebedev"), ("Мамедов", "Mamedov"), ("Назаров", "Nazarov"),
        ("Орлов", "Orlov"), ("Петров", "Petrov"), ("Рахимов", "Rakhimov"), ("Сафаров", "Safarov"),
        ("Тураев", "Turayev"), ("Усманов", "Usmanov"), ("Фёдоров", "Fyodorov"), ("Хасанов", "Khasanov")]
ROLES = [("president", "Президент", "President", "head-of-state"),
         ("prime-minister", "Премьер-министр", "Prime Minister", "head-of-government"),
         ("foreign-minister", "Министр иностранных дел", "Foreign Minister", "delegation")]
ORGS = [  # id, type, ru, en
    ("tass", "media-outlet", "ТАСС", "TASS"), ("ria-novosti", "media-outlet", "РИА Новости", "RIA Novosti"),
    ("interfax", "media-outlet", "Интерфакс", "Interfax"), ("kommersant", "media-outlet", "Коммерсантъ", "Kommersant"),
    ("international-affairs", "media-outlet", "Международная жизнь", "International Affairs"),
    ("rossiyskaya-gazeta", "media-outlet", "Российская газета", "Rossiyskaya Gazeta"),
    ("vedomosti", "media-outlet", "Ведомости", "Vedomosti"), ("izvestia", "media-outlet", "Известия", "Izvestia"),
    ("kremlin-ru", "government-body", "Сайт Президента России", "Website of the President of Russia"),
    ("mid-rf", "government-body", "МИД России", "Russian Ministry of Foreign Affairs"),
    ("cis", "international-organization", "СНГ", "CIS"), ("sco", "international-organization", "ШОС", "SCO"),
    ("brics", "dialogue-format", "БРИКС", "BRICS"), ("eaeu", "economic-union", "ЕАЭС", "EAEU"),
    ("csto", "international-organization", "ОДКБ", "CSTO"), ("un", "international-organization", "ООН", "UN"),
    ("un-general-assembly", "international-organization", "Генеральная Ассамблея ООН", "UN General Assembly"),
    ("central-asia-russia-format", "dialogue-format", "Центральная Азия – Россия", "Central Asia–Russia"),
    ("c5-plus-1", "dialogue-format", "С5+1", "C5+1"), ("asean", "international-organization", "АСЕАН", "ASEAN"),
    ("rosatom", "company", "Росатом", "Rosatom"), ("gazprom", "company", "Газпром", "Gazprom"),
    ("boeing", "company", "Боинг", "Boeing"), ("state-duma", "legislature", "Государственная дума", "State Duma"),
    ("cis-council", "council", "Совет глав государств СНГ", "CIS Council of Heads of State"),
]
MEDIA = [o[0] for o in ORGS if o[1] == "media-outlet"]
VENUES = [("kremlin", "Кремль", "the Kremlin", "building", "moscow"), ("white-house", "Белый дом", "the White House",
                                                                    "building", "washington"),
          ("ynthymak-ordo", "Ынтымак Ордо", "Ynthymak Ordo", "venue", "bishkek"),
          ("akorda", "Акорда", "Akorda", "building", "astana"), ("kokhi-navruz", "Кохи Навруз", "Kokhi Navruz",
                                                                   "venue", "dushanbe"),
          ("tengiz-field", "Тенгиз", "Tengiz", "oil-field", "kazakhstan"),
          ("karachaganak-field", "Карачаганак", "Karachaganak", "oil-field", "kazakhstan"),
          ("central-asia", "Центральная Азия", "Central Asia", "geographic-region", None),
          ("caspian-region", "Прикаспий", "the Caspian region", "geographic-region", None),
          ("south-caucasus", "Южный Кавказ", "the South Caucasus", "geographic-region", None)]
EVENT_TYPES = [("state-visit", "Государственный визит", "state visit"), ("official-visit", "Официальный визит",
                                                                          "official visit"),
               ("working-visit", "Рабочий визит", "working visit"), ("talks", "Переговоры", "talks"),
               ("summit", "Саммит", "summit"), ("meeting", "Встреча", "meeting"),
               ("session", "Заседание", "session"), ("signing-ceremony", "Подписание документов", "signing")]
STATEMENT_MODES = ["stated", "noted", "emphasized", "confirmed", "announced", "promised", "recalled", "intends"]
COMMIT_TYPES = ["investment-cooperation", "energy-supply", "transit", "political-cooperation", "purchase",
                "joint-projects", "space-cooperation", "school-construction"]
COMMIT_STATUS = ["agreed", "intended", "promised", "confirmed", "in-force", "launched"]
DOC_TYPES = ["joint-statement", "declaration", "agreement", "action-plan", "communique", "treaty"]
LEVELS = ["strategic-partnership", "alliance", "strategic-partnership-and-alliance",
          "comprehensive-strategic-partnership-and-alliance", "alliance-and-comprehensive-strategic-partnership"]
TOPICS = [("торгово-экономическое сотрудничество", "trade and economic cooperation"),
          ("энергетическая безопасность", "energy security"), ("транспортная логистика", "transport logistics"),
          ("региональная безопасность", "regional security"), ("гуманитарные связи", "humanitarian ties"),
          ("поддержка русского языка", "support for the Russian language"),
          ("цифровая экономика", "the digital economy"), ("водные ресурсы", "water resources")]
CURRENCIES = ["USD", "RUB", "EUR", "CNY"]
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря"]
FILLER = ["Эксперты отмечают растущий интерес к региону со стороны внешних игроков.",
          "Стороны договорились продолжить консультации на уровне заместителей министров.",
          "Подробности переговоров не раскрываются.",
          "Ранее аналогичные вопросы обсуждались на встрече экспертов.",
          "Наблюдатели считают, что итоги встречи будут иметь долгосрочные последствия."]
KINDS = ["statements", "quotes", "figures", "documents", "commitments", "opinions", "document_sets", "decisions",
         "relationships", "claims", "sources"]
PLANTED = ["percent-over-100", "end-before-start", "lowercase-currency", "language-name", "footnote-zero",
           "count-zero"]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Registry:
    """The shared entities: dozens of states and persons, their offices, organizations and places."""

    def __init__(self, rng: random.Random):
        self.states = STATES
        self.persons: list[tuple[str, str, str, str, str]] = []  # id, ru, en, office id, state id
        self.offices: list[tuple[str, str, str, str]] = []  # id, ru, en, state
        used = set()
        for i, state in enumerate(STATES):
            for role, role_ru, role_en, _ in ROLES[: 3 if i < 30 else 2]:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                pid = f"{first[1]}-{last[1]}".lower()
                while pid in used:
                    pid += "-" + state[0].split("-")[0][:3]
                used.add(pid)
                oid = f"{role}-of-{state[0]}"
                self.offices.append((oid, f"{role_ru} ({state[2]})", f"{role_en} of {state[3]}", state[0]))
                self.persons.append((pid, f"{first[0]} {last[0]}", f"{first[1]} {last[1]}", oid, state[0]))
        self.authors = [(f"author-{k:02d}", f"Автор {k}", f"Author {k}") for k in range(1, 16)]
        self.places = [(s[4], s[5], s[6], "city", s[0]) for s in STATES] + VENUES
        self.state_ids = [s[0] for s in STATES]
        self.person_of_state = {}
        for p in self.persons:
            self.person_of_state.setdefault(p[4], []).append(p)
        self.name = {s[0]: (s[2], s[3]) for s in STATES}
        self.name.update({p[0]: (p[1], p[2]) for p in self.persons})
        self.name.update({o[0]: (o[2], o[3]) for o in ORGS})
        self.name.update({p[0]: (p[1], p[2]) for p in self.places})

    def yaml(self) -> str:
        out = ["# Synthetic entities registry (bench/generate.py): states, persons, offices, organizations, places.",
               "states:"]
        for k, (sid, iso, ru, en, cap, _, _) in enumerate(self.states):
            out += [f"  - id: {sid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}"]
            if k % 3 == 0:
                out += ["    alt_labels:", f"      - {{ru: {q('Республика ' + ru)}, en: {q('Republic of ' + en)}}}"]
            out += [f"    wikidata: Q{100 + k * 7}", f"    iso_code: {iso}", f"    capital: {cap}"]
        out.append("persons:")
        for k, (pid, ru, en, oid, _) in enumerate(self.persons):
            out += [f"  - id: {pid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}", f"    offices: [{oid}]"]
            if k % 4:
                out.append(f"    wikidata: Q{5000 + k * 13}")
        for aid, ru, en in self.authors:
            out += [f"  - id: {aid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}",
                    "    note: A synthetic author of the benchmark corpus."]
        out.append("offices:")
        for k, (oid, ru, en, state) in enumerate(self.offices):
            out += [f"  - id: {oid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}", f"    of: {state}"]
            if k % 3:
                out.append(f"    wikidata: Q{700000 + k}")
        out.append("organizations:")
        for k, (oid, kind, ru, en) in enumerate(ORGS):
            out += [f"  - id: {oid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}", f"    type: {kind}"]
            if k % 2 == 0:
                out.append(f"    wikidata: Q{90000 + k}")
            if kind in ("international-organization", "economic-union") and k % 3 == 0:
                out.append(f"    members: [{', '.join(self.state_ids[k % 7: k % 7 + 4])}]")
        out.append("places:")
        for k, (pid, ru, en, kind, within) in enumerate(self.places):
            out += [f"  - id: {pid}", f"    label: {{ru: {q(ru)}, en: {q(en)}}}", f"    type: {kind}"]
            if within:
                out.append(f"    located_in: {within}")
            if k % 2:
                out.append(f"    wikidata: Q{200000 + k}")
        return "\n".join(out) + "\n"


class Article:
    """One article: its text is assembled from the sentences its records quote as evidence."""

    def __init__(self, corpus: "Corpus", index: int):
        self.c, self.i = corpus, index
        self.rng = random.Random(corpus.seed * 1_000_003 + index)
        rng = self.rng
        own = corpus.events_of.get(index, [])
        self.ev = own[0] if own else corpus.events[rng.randrange(len(corpus.events))]
        self.a, self.b = self.ev.a, self.ev.b
        self.occasion = self.ev.talks if self.ev.talks and index % 2 else self.ev.id
        self.on = self.ev.end if self.occasion == self.ev.talks else self.ev.start  # when the words were said
        self.published = self.ev.end + dt.timedelta(days=rng.randrange(0, 20))
        self.year, self.month, self.day = self.published.year, self.published.month, self.published.day
        self.publisher = MEDIA[index % len(MEDIA)]
        self.slug = f"{self.publisher}-{self.year}-{self.month:02d}-{self.day:02d}-{self.a}-{self.b}-{index:05d}"
        self.sentences: list[str] = []
        self.facts: list[tuple[str, list[str]]] = []  # (section, yaml lines of one record)
        self.tag = f"{index}"
        self.plant = None

    def say(self, sentence: str) -> str:
        """Add a sentence to the text and return it, so that a record can quote it as evidence."""
        assert sentence not in self.sentences
        self.sentences.append(sentence)
        return sentence

    def ru(self, ref: str) -> str:
        return self.c.reg.name[ref][0]

    def leader(self, state: str):
        return self.c.reg.person_of_state[state][0]

    def date(self, day: dt.date | None = None) -> str:
        return (day or self.on).isoformat()

    def rec(self, section: str, lines: list[str]) -> None:
        self.facts.append((section, lines))

    # one generator per record kind --------------------------------------------------------

    def event(self, ev: EventSpec) -> None:
        reg = self.c.reg
        host, guest = ev.host, ev.guest
        text = (f"{ev.start.day} {MONTHS[ev.start.month - 1]} {ev.start.year} года {host[1]} и {guest[1]} провели "
                f"переговоры ({ev.ru.lower()}, встреча № {ev.k}) в городе {self.ru(self.c.capital[ev.a])}.")
        sentence = self.say(text)
        lines = [f"id: {ev.id}", f"label: {{ru: {q(f'{ev.ru}: {reg.name[ev.b][0]} – {reg.name[ev.a][0]} ({ev.k})')}, "
                                 f"en: {q(f'{ev.en.capitalize()}: {reg.name[ev.b][1]} and {reg.name[ev.a][1]} ({ev.k})')}}}",
                 f"type: {ev.type}", f"start: {q(ev.start.isoformat())}"]
        if self.plant == "end-before-start":
            lines.append(f"end: {q((ev.start - dt.timedelta(days=400)).isoformat())}")
        elif ev.end != ev.start:
            lines.append(f"end: {q(ev.end.isoformat())}")
        lines += [f"places: [{self.c.capital[ev.a]}]", f"hosts: [{ev.a}]", f"guests: [{ev.b}]",
                  "participants:",
                  f"  - {{agent: {host[0]}, role: host, office: {host[3]}, represents: {ev.a}}}",
                  f"  - {{agent: {guest[0]}, role: visitor, office: {guest[3]}, represents: {ev.b}}}",
                  f"evidence: {q(sentence)}"]
        if ev.k % 5 == 0:
            topic = TOPICS[ev.k % len(TOPICS)]
            lines += ["topics:", f"  - {{ru: {q(topic[0])}, en: {q(topic[1])}}}"]
        if ev.k % 7 == 0:
            lines.append(f"series: {'central-asia-russia-format' if ev.k % 2 else 'cis'}")
            lines.append(f"ordinal: {1 + ev.k % 9}")
        self.rec("events", lines)
        if ev.talks:
            talks = self.say(f"В ходе визита состоялись переговоры в узком составе (встреча № {ev.k}-т).")
            self.rec("events", [
                f"id: {ev.talks}", f"label: {{ru: {q(f'Переговоры в узком составе ({ev.k})')}, "
                                   f"en: {q(f'Talks in a restricted format ({ev.k})')}}}",
                "type: talks", f"start: {q(ev.end.isoformat())}", f"part_of: {ev.id}",
                "participants:",
                f"  - {{agent: {host[0]}, role: participant, office: {host[3]}, represents: {ev.a}}}",
                f"  - {{agent: {guest[0]}, role: participant, office: {guest[3]}, represents: {ev.b}}}",
                f"evidence: {q(talks)}"])

    def report(self) -> None:
        """This article's account of the event it is about, which another article defines (`report:`).

        A third of the articles report their event; one report in three gives other values than the
        defining article (an end a day later, or another type), as sources do.
        """
        ev, rng = self.ev, self.rng
        differs = self.i % 9 == 2
        end = ev.end + dt.timedelta(days=1) if differs else ev.end
        sentence = self.say(f"Как сообщается, {ev.host[1]} и {ev.guest[1]} встретились {ev.start.day} "
                            f"{MONTHS[ev.start.month - 1]} (встреча № {ev.k}, сообщение {self.tag}).")
        lines = [f"report: {ev.id}", f"start: {q(ev.start.isoformat())}"]
        if end != ev.start:
            lines.append(f"end: {q(end.isoformat())}")
        if differs and self.i % 27 == 2:
            lines.append(f"type: {EVENT_TYPES[(ev.k + 1) % len(EVENT_TYPES)][0]}")
        lines += [f"places: [{self.c.capital[ev.a]}]", f"evidence: {q(sentence)}"]
        if rng.random() < 0.5:
            lines.append(f"note: {q('A synthetic second report of the event.')}")
        self.rec("events", lines)

    def statements(self, rid: str, event: str) -> None:
        mode = STATEMENT_MODES[self.i % len(STATEMENT_MODES)]
        speaker = self.ev.host
        topic = TOPICS[(self.i // 3) % len(TOPICS)]
        ev = self.say(f"{speaker[1]} подчеркнул, что {topic[0]} остаётся приоритетом для {self.ru(self.a)} "
                      f"и {self.ru(self.b)} (заявление {self.tag}).")
        self.rec("statements", [
            f"id: {rid}", f"mode: {mode}", f"speaker: {speaker[0]}",
            "content:", f"  ru: {q(f'{speaker[1]}: {topic[0]} остаётся приоритетом.')}",
            f"  en: {q(f'{speaker[2]}: {topic[1]} remains a priority.')}",
            f"occasion: {event}", f"date: {q(self.date())}", f"about: [{self.a}, {self.b}]",
            f"evidence: {q(ev)}"])

    def quotes(self, rid: str, event: str) -> str:
        speaker = self.ev.guest
        text = (f"мы намерены и дальше развивать отношения с {self.ru(self.a)} во всех сферах, "
                f"включая {TOPICS[self.i % len(TOPICS)][0]} ({self.tag})")
        self.say(f"Как заявил {speaker[1]}, «{text}».")
        lines = [f"id: {rid}", f"text: {q(text)}",
                 f"translation: {q('We intend to keep developing relations in every area.')}",
                 f"speaker: {speaker[0]}", "medium: speech", f"occasion: {event}", f"date: {q(self.date())}",
                 f"about: [{self.a}]"]
        if self.i % 11 == 0:
            lines.append("note: \"Said at the press conference.\\nThe wording follows the article.\"")
        self.rec("quotes", lines)
        return rid

    def figures(self, rid: str, event: str, quote: str | None) -> None:
        rng = self.rng
        if self.plant == "percent-over-100":
            value, unit, sentence = "150", "percent", f"Доля расчётов в национальных валютах достигла 150 процентов ({self.tag})."
            lines = ["indicator: payment-share-national-currencies", f"value: {value}", f"unit: {unit}"]
        elif self.i % 4 == 0:
            pct = f"{rng.randrange(10, 99)}.{rng.randrange(10)}"
            sentence = f"Доля расчётов в национальных валютах достигла {pct.replace('.', ',')} процента ({self.tag})."
            lines = ["indicator: payment-share-national-currencies", f"value: {pct}", "unit: percent"]
        else:
            billions = rng.randrange(1, 300) / 10
            amount = int(round(billions * 1e9))
            cur = "usd" if self.plant == "lowercase-currency" else CURRENCIES[self.i % len(CURRENCIES)]
            sentence = (f"Товарооборот между {self.ru(self.a)} и {self.ru(self.b)} в {self.year - 1} году составил "
                        f"{str(billions).replace('.', ',')} млрд. ({cur}, {self.tag}).")
            lines = ["indicator: trade-turnover", f"value: {amount}", f"currency: {cur}",
                     f"period: {self.year - 1}", "qualifiers: [about]"]
        ev = self.say(sentence)
        lines = [f"id: {rid}"] + lines + [f"from: {self.a}", f"to: {self.b}", f"occasion: {event}"]
        if quote:
            lines += [f"stated_by: {self.ev.guest[0]}", f"stated_in: {quote}"]
        self.rec("figures", lines + [f"evidence: {q(ev)}"])

    def documents(self, rid: str, event: str) -> None:
        dtype = DOC_TYPES[self.i % len(DOC_TYPES)]
        title_ru = f"Совместное заявление {self.ru(self.a)} и {self.ru(self.b)} № {self.tag}"
        ev = self.say(f"По итогам встречи подписано «{title_ru}».")
        lines = [f"id: {rid}", f"type: {dtype}", "title:", f"  ru: {q(title_ru)}",
                 f"  en: {q(f'Joint statement No. {self.tag}')}", f"date: {q(self.date())}",
                 f"signed_at: {event}", f"signatories: [{self.a}, {self.b}]"]
        if dtype == "action-plan":
            lines.append(f"covers: {{start: {q(str(self.year))}, end: {q(str(self.year + 2))}}}")
        self.rec("documents", lines + [f"evidence: {q(ev)}"])

    def commitments(self, rid: str, event: str) -> None:
        ctype = COMMIT_TYPES[self.i % len(COMMIT_TYPES)]
        ev = self.say(f"{self.ru(self.a)} обязалась расширить сотрудничество с {self.ru(self.b)} "
                      f"(проект {self.tag}).")
        self.rec("commitments", [
            f"id: {rid}", f"label: {{ru: {q(f'Обязательство {self.tag}')}, en: {q(f'Commitment {self.tag}')}}}",
            f"type: {ctype}", f"status: {COMMIT_STATUS[self.i % len(COMMIT_STATUS)]}",
            f"committed_by: [{self.a}]", f"committed_to: [{self.b}]", f"made_at: {event}",
            f"evidence: {q(ev)}"])

    def opinions(self, rid: str, event: str) -> None:
        ev = self.say(f"На мой взгляд, сближение {self.ru(self.a)} и {self.ru(self.b)} отвечает интересам "
                      f"обеих стран ({self.tag}).")
        self.rec("opinions", [
            f"id: {rid}", "content:", f"  ru: {q('Сближение отвечает интересам обеих стран.')}",
            f"  en: {q('The rapprochement serves the interests of both countries.')}",
            f"about: [{self.a}, {self.b}]", f"evidence: {q(ev)}"])

    def document_sets(self, rid: str, event: str) -> None:
        n = 0 if self.plant == "count-zero" else 2 + self.i % 17
        ev = self.say(f"Всего подписано {n} межправительственных документов (пакет {self.tag}).")
        self.rec("document_sets", [
            f"id: {rid}", f"label: {{ru: {q(f'{n} документов ({self.tag})')}, en: {q(f'{n} documents ({self.tag})')}}}",
            f"count: {n}", "levels: [intergovernmental]", f"signed_at: {event}",
            f"signatories: [{self.a}, {self.b}]", f"evidence: {q(ev)}"])

    def decisions(self, rid: str, event: str) -> None:
        ev = self.say(f"Было принято решение определить приоритеты совместной работы на {self.year + 1} год "
                      f"(решение {self.tag}).")
        self.rec("decisions", [
            f"id: {rid}", f"label: {{ru: {q(f'Приоритеты на {self.year + 1} год ({self.tag})')}, "
                          f"en: {q(f'Priorities for {self.year + 1} ({self.tag})')}}}",
            "type: set-work-priorities", f"adopted_at: {event}", "adopted_by: cis-council",
            f"concerns: [{self.a}, {self.b}]", f"period: {q(str(self.year + 1))}", f"evidence: {q(ev)}"])

    def relationships(self, rid: str, event: str) -> None:
        level = LEVELS[self.i % len(LEVELS)]
        ev = self.say(f"Отношения {self.ru(self.a)} и {self.ru(self.b)} вышли на новый уровень "
                      f"(соглашение {self.tag}).")
        self.rec("relationships", [
            f"id: {rid}", f"parties: [{self.a}, {self.b}]", f"level: {level}", "kind: upgraded",
            f"since: {q(self.on.isoformat()[:7])}", f"stated_by: {self.ev.host[0]}",
            f"evidence: {q(ev)}"])

    def claims(self, rid: str, event: str) -> None:
        a = self.say(f"По данным газеты, встреча прошла {self.on.day} {MONTHS[self.on.month - 1]} (сообщение {self.tag}).")
        b = self.say(f"По другим данным, встреча состоялась днём позже (сообщение {self.tag}-б).")
        other = self.on + dt.timedelta(days=1)
        self.rec("claims", [
            f"id: {rid}-a", f"claim_about: {self.ev.id}", "field: start", f"value: {q(self.date())}",
            f"conflicts_with: [{rid}-b]", f"evidence: {q(a)}"])
        self.rec("claims", [
            f"id: {rid}-b", f"claim_about: {self.ev.id}", "field: start", f"value: {q(self.date(other))}",
            f"conflicts_with: [{rid}-a]", f"evidence: {q(b)}"])

    def sources(self, rid: str, event: str) -> None:
        number = 0 if self.plant == "footnote-zero" else 1
        ev = self.say(f"[{number}] Сообщение пресс-службы № {self.tag}. Электронный ресурс: "
                      f"https://example.org/news/{self.tag}")
        self.rec("sources", [
            f"id: {rid}", f"footnote: {number}", "type: news-report",
            "title:", f"  ru: {q(f'Сообщение пресс-службы № {self.tag}')}",
            f"  en: {q(f'Press service report No. {self.tag}')}", f"date: {q(self.date())}",
            f"url: https://example.org/news/{self.tag}", "publisher: kremlin-ru", f"evidence: {q(ev)}"])

    # the whole article ----------------------------------------------------------------------

    def build(self) -> tuple[str, str]:
        c, rng = self.c, self.rng
        own = c.events_of.get(self.i, [])
        for spec in own:
            self.event(spec)
        if self.i % 3 == 2 and self.ev not in own:
            self.report()
        event = self.occasion
        kinds = [KINDS[(self.i + k * 3) % len(KINDS)] for k in range(3 + (self.i % 2 == 0))]
        quote = None
        for kind in dict.fromkeys(kinds):
            rid = f"{kind.rstrip('s').replace('_', '-')}-{self.i:05d}"
            if kind == "quotes":
                quote = self.quotes(rid, event)
            elif kind == "figures":
                self.figures(rid, event, quote)
            else:
                getattr(self, kind)(rid, event)
        if self.i % 4 == 1 and "quotes" not in kinds:
            quote = self.quotes(f"quote-{self.i:05d}", event)
        filler = FILLER[self.i % len(FILLER)]
        body = list(self.sentences)
        body.insert(1 if len(body) > 1 else 0, filler)
        disclaimer = "Мнение автора может не совпадать с позицией редакции"
        text = f"{body[0]}\n\n" + "\n".join(body[1:]) + f"\n\n{disclaimer}.\n"
        language = "Russian" if self.plant == "language-name" else "ru"
        author = c.reg.authors[self.i % len(c.reg.authors)][0]
        head = ["article:", f"  slug: {self.slug}", "  title:",
                f"    ru: {q(f'{self.ru(self.a)} и {self.ru(self.b)}: итоги переговоров ({self.tag})')}",
                f"    en: {q(f'Outcome of the talks, No. {self.tag}')}",
                f"  publisher: {self.publisher}",
                f"  published: {self.published.isoformat()}T{9 + self.i % 10:02d}:{self.i % 60:02d}:00+03:00",
                f"  language: {language}", f"  author: {author}", "  genre: analysis",
                f"  disclaimer: {q(disclaimer)}", f"  about: [{self.a}, {self.b}]"]
        if self.i % 13 == 0:
            head.append(f"  url: https://example.org/articles/{self.slug}")
        lines = [f"# Synthetic article {self.i} (bench/generate.py)."] + head
        sections: dict[str, list[list[str]]] = {}
        for section, rec in self.facts:
            sections.setdefault(section, []).append(rec)
        for section, recs in sections.items():
            lines.append(f"{section}:")
            for rec in recs:
                lines.append(f"  - {rec[0]}")
                lines += [f"    {line}" for line in rec[1:]]
        return text, "\n".join(lines) + "\n"


class EventSpec:
    """An event of the shared pool: defined by one article, referred to by many."""

    def __init__(self, corpus: "Corpus", k: int, rng: random.Random):
        reg = corpus.reg
        self.id = f"event-{k:04d}"
        self.k = k
        self.type, self.ru, self.en = EVENT_TYPES[k % len(EVENT_TYPES)]
        self.a, self.b = rng.sample(reg.state_ids[:24] if rng.random() < 0.8 else reg.state_ids, 2)
        self.host, self.guest = reg.person_of_state[self.a][0], reg.person_of_state[self.b][0]
        self.start = dt.date(2024 + k % 2, 1 + rng.randrange(12), 1 + rng.randrange(28))
        self.end = self.start + dt.timedelta(days=rng.randrange(0, 3))
        self.talks = f"talks-{k:04d}" if k % 3 == 0 else None  # a sub-event (part_of) on the last day


class Corpus:
    def __init__(self, articles: int, seed: int = 1, errors: float = 0.0):
        self.n, self.seed = articles, seed
        rng = random.Random(seed)
        self.reg = Registry(rng)
        self.capital = {s[0]: s[4] for s in STATES}
        n_events = max(12, articles // 20)
        self.events = [EventSpec(self, k, rng) for k in range(n_events)]
        self.events_of: dict[int, list[EventSpec]] = {}
        for k, spec in enumerate(self.events):
            self.events_of.setdefault(k * articles // n_events, []).append(spec)
        planted = random.Random(seed + 7)
        self.plants = {i: PLANTED[planted.randrange(len(PLANTED))]
                       for i in range(articles) if errors and planted.random() < errors}

    def write(self, out: Path) -> list[str]:
        if out.exists():
            shutil.rmtree(out)
        (out / "articles").mkdir(parents=True)
        (out / "entities.yaml").write_text(self.reg.yaml(), encoding="utf-8")
        slugs = []
        for i in range(self.n):
            article = self.article(i)
            text, facts = article.build()
            folder = out / "articles" / article.slug
            folder.mkdir()
            (folder / "article.txt").write_text(text, encoding="utf-8")
            (folder / "facts.yaml").write_text(facts, encoding="utf-8")
            slugs.append(article.slug)
        return slugs

    def article(self, i: int) -> Article:
        article = Article(self, i)
        article.plant = self.plants.get(i)
        return article


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--errors", type=float, default=0.0, help="share of articles with a planted fault")
    args = parser.parse_args(argv)
    slugs = Corpus(args.articles, args.seed, args.errors).write(args.out)
    print(f"wrote {len(slugs)} articles to {args.out}")


if __name__ == "__main__":
    main()
