"""cardf anchors: after article.txt is edited, quotes are found again by their words, context and position."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cardf.curate.anchors import Anchor, OldSpan, anchor_one

from conftest import FIXTURES, ONTOLOGY, SHAPES, run

MINI = FIXTURES / "mini"


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    """A copy of the mini corpus and its build."""
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    dist = tmp_path / "dist"
    result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", dist, "-q")
    assert result.exit_code == 0, result.output
    return data, dist


def edit_text(data: Path, *changes: tuple[str, str]) -> None:
    path = data / "articles" / "mini-article" / "article.txt"
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def anchors(data: Path, dist: Path, *extra: str):
    return run("anchors", "--data", data, "--out", dist, "--ontology", ONTOLOGY, *extra)


def test_an_unedited_article_is_all_unchanged(built):
    data, dist = built
    result = anchors(data, dist)
    assert (result.exit_code, result.stdout) == (0, "mini-article: 5 evidence quotes: 5 unchanged\n")


def test_edits_are_reported_fixed_in_place_and_the_build_is_clean_again(built, tmp_path):
    data, dist = built
    facts = data / "articles" / "mini-article" / "facts.yaml"
    before = facts.read_text(encoding="utf-8").split("\n")
    edit_text(data, ("11 ноября", "Вводная строка.\n11 ноября"),  # everything moves
              ("в 4,0 млрд. долларов", "в 4,2 млрд. долларов"),  # the words of a quote change
              ("Это, на мой взгляд", "Ранее были подписаны 10 документов другого рода. Это, на мой взгляд"))
    result = anchors(data, dist)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "mini-article: 5 evidence quotes: 1 changed, 3 moved, 1 occurrence"
    assert lines[1:] == [
        f"  {facts}:28:15: document_sets[0].evidence: the words now occur 2 times; by its context the quote is "
        "occurrence 1 → write occurrence: 1 (fix with --fix)",
        f"  {facts}:39:15: figures[0].evidence: the words changed: the article has «2» where you wrote «0» → write "
        '"В 2024 году российские инвестиции достигли рекордного уровня в 4,2 млрд. долларов." (fix with --fix)']
    result = anchors(data, dist, "--fix")
    assert result.exit_code == 0, result.output
    after = facts.read_text(encoding="utf-8").split("\n")
    changed = [(i + 1, a) for i, (b, a) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before)  # comments and layout kept: only the two lines differ
    assert changed == [
        (28, '    evidence: {text: "подписаны 10 документов", occurrence: 1}'),
        (39, '    evidence: "В 2024 году российские инвестиции достигли рекордного уровня в 4,2 млрд. долларов."')]
    build = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "d2", "-q")
    assert build.exit_code == 0, build.output


def test_removed_words_are_left_for_a_person(built):
    data, dist = built
    edit_text(data, ("Это, на мой взгляд, прагматичный шаг.", "Совсем другая мысль."))
    result = anchors(data, dist, "--fix")
    assert result.exit_code == 1
    assert "opinions[0].evidence: for a person: " in result.stdout


def test_without_a_previous_build_quotes_are_anchored_by_their_words(built, tmp_path):
    data, _ = built
    result = anchors(data, tmp_path / "nowhere")
    assert result.exit_code == 0
    assert result.stderr == f"No previous build at {tmp_path / 'nowhere'}/cardf.nq: quotes are re-anchored by " \
                            "their words alone.\n"
    assert result.stdout == "mini-article: 5 evidence quotes: 5 new\n"


def test_context_decides_between_two_occurrences():
    text = "Начало. Они подписали договор вчера. Потом снова: они подписали договор сегодня."
    old = OldSpan("подписали договор", "Потом снова: они ", " сегодня.", 60, 77)
    a = Anchor("x.evidence", 1, 1, "подписали договор", None)
    anchor_one(text, a, old)
    assert (a.status, a.new_occurrence) == ("occurrence", 2)


def test_words_inserted_inside_a_quote_are_found_by_its_context():
    quote = "стороны подписали пять документов и заявление"
    text = ("Они подписали пять документов и заявление.\n"
            "По итогам встречи стороны подписали пять важных документов и заявление о дружбе.")
    old = OldSpan(quote, "По итогам встречи ", " о дружбе.", 60, 60 + len(quote))
    a = Anchor("x.evidence", 1, 1, quote, None)
    anchor_one(text, a, old)
    assert (a.status, a.new_quote, a.new_occurrence) == (
        "changed", "стороны подписали пять важных документов и заявление", None)


def test_a_large_insertion_is_left_for_a_person():
    quote = "стороны подписали пять документов"
    text = "Итог: стороны подписали пять (а по другим данным, шесть или даже семь) документов. Конец."
    a = Anchor("x.evidence", 1, 1, quote, None)
    anchor_one(text, a, OldSpan(quote, "Итог: ", ". Конец.", 6, 6 + len(quote)))
    assert a.status == "person" and a.new_quote is None


def test_unknown_article_is_an_error(built):
    data, dist = built
    result = anchors(data, dist, "mini-artcle")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: no article `mini-artcle` in {data / 'articles'}; did you mean `mini-article`?\n")
