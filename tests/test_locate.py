"""The tolerant matcher: look-alike characters are forgiven and named, near misses are found and explained."""

from __future__ import annotations

import pytest

from cardf.textmatch import absence_hint, approx_search, describe, find, fold, occurrences, similarity

TEXT = ("Министр заявил: «Переговоры — это путь вперёд».\n"
        "Стороны подписали 12 соглашений\u00a0и обсудили торговлю.\n"
        "Встреча прошла в столице.")


def test_exact_words_are_found_with_line_and_column():
    [p] = find(TEXT, "подписали 12 соглашений")
    assert (p.exact, p.line, p.column, TEXT[p.start:p.end]) == (True, 2, 9, "подписали 12 соглашений")


@pytest.mark.parametrize("quote, note", [
    ("«Переговоры - это путь вперёд»",
     "the article has «—» (U+2014 EM DASH) where you wrote «-» (U+002D HYPHEN-MINUS)"),
    ('"Переговоры — это путь вперёд»',
     "the article has ««» (U+00AB LEFT-POINTING DOUBLE ANGLE QUOTATION MARK) where you wrote "
     "«\"» (U+0022 QUOTATION MARK)"),
    ("это путь вперед", "the article has «ё» where you wrote «е»"),
    ("12 соглашений и обсудили", "the article has U+00A0 NO-BREAK SPACE where you wrote a space"),
    ("12 согла\u200bшений", "your quote has U+200B ZERO WIDTH SPACE after «12 согла», which the article lacks"),
    ("подписали  12", "your quote has a space after «подписали », which the article lacks"),
    ("соглашений\u00a0и обсудили торговлю.\nВстреча", None),  # exact: nothing to say
])
def test_look_alikes_are_forgiven_and_named(quote, note):
    passages = find(TEXT, quote)
    assert passages, quote
    p = passages[0]
    if note is None:
        assert p.exact and p.differences == []
    else:
        assert (p.exact, p.tolerant) == (False, True)
        assert p.differences == [note]
        assert note in absence_hint(TEXT, quote)


def test_decomposed_letters_are_explained_as_nfd():
    quote = "путь впере\u0308д"  # ё written as е + combining diaeresis
    [p] = find(TEXT, quote)
    assert p.tolerant and TEXT[p.start:p.end] == "путь вперёд"
    assert p.differences[0].startswith("your quote has letters written as a base letter plus a combining mark "
                                       "(such as «ё»)")


def test_a_near_miss_is_located_and_the_different_words_named():
    hint = absence_hint(TEXT, "Стороны подписали 21 соглашение")
    assert hint == ("does not occur in the article; the closest passage is at article.txt:2:1: "
                    "the article has «12» where you wrote «21»; the article has «соглашений» where you wrote "
                    "«соглашение»")


def test_nothing_close_says_so():
    assert absence_hint(TEXT, "совершенно другая мысль о погоде и природе") == (
        "does not occur in the article, and no close passage was found; `cardf locate` searches by words")
    assert absence_hint("   \n", "что угодно") == "does not occur in the article: the article is empty"


def test_folding_keeps_the_way_back_to_the_original():
    f = fold("a\u00a0\u00a0—\u200bb")
    assert f.text == "a -b"
    assert [(f.starts[i], f.ends[i]) for i in range(len(f.text))] == [(0, 1), (1, 3), (3, 5), (5, 6)]


def test_approximate_search_finds_the_match_with_fewest_edits():
    assert approx_search("xxabcdefxx", "abXdef", 2) == [(2, 8, 1)]
    assert approx_search("abc", "zzzzzz", 2) == []
    assert similarity("the quick brown fox", "quick brown") == 1.0
    assert similarity("the quick brown fox", "quack brown") == pytest.approx(1 - 1 / 11)


def test_overlapping_occurrences_are_all_counted():
    assert occurrences("аааа", "аа") == [0, 1, 2]


def test_many_differences_are_summarized():
    notes = describe("a-b-c-d-e", "a—b—c—d—e")
    assert len(notes) == 4 and notes[-1] == "and 1 more difference(s)"
