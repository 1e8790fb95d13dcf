"""The identity check: a record that looks like another one is named, with both places, unless said distinct."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, ONTOLOGY, SHAPES, run

LOOKALIKE = '''article:
  slug: multi-lookalike
  title: {ru: Ещё о визите, en: More on the visit}
  publisher: multi-local-paper
  published: 2025-11-26
  language: ru

events:
  - id: putin-in-bishkek
    type: official-visit
    label: {ru: Путин в Бишкеке, en: Putin in Bishkek}
    start: 2025-11-25
    places: [bishkek]
    evidence: "Визит Владимира Путина в Бишкек начался 25 ноября."
'''


def corpus(tmp_path: Path, facts: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "multi", data)
    folder = data / "articles" / "multi-lookalike"
    folder.mkdir()
    (folder / "article.txt").write_text("Визит Владимира Путина в Бишкек начался 25 ноября.\n", encoding="utf-8")
    (folder / "facts.yaml").write_text(facts, encoding="utf-8")
    return data


def warnings_of(data: Path, out: Path) -> list[str]:
    result = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", out)
    assert result.exit_code == 0, result.output
    return [line for line in result.stderr.splitlines() if "looks like" in line]


def test_a_record_like_one_already_there_is_named_with_both_places(tmp_path):
    data = corpus(tmp_path, LOOKALIKE)
    found = warnings_of(data, tmp_path / "dist")
    facts = data / "articles" / "multi-lookalike" / "facts.yaml"
    first = data / "articles" / "multi-analysis" / "facts.yaml"
    assert found == [
        f"  {facts}:9:5: event:putin-in-bishkek (Putin in Bishkek) value event:visit-putin-kyrgyzstan: looks like "
        f"event:visit-putin-kyrgyzstan (defined at {first}:11:5): same type, overlapping dates and bishkek in common. "
        "If both are one thing in the world, keep visit-putin-kyrgyzstan and write `report: visit-putin-kyrgyzstan` "
        "here; if they are two, say `distinct_from: [visit-putin-kyrgyzstan]`"]


def test_distinct_from_says_they_are_two_things(tmp_path):
    facts = LOOKALIKE.replace("    places: [bishkek]\n", "    places: [bishkek]\n    distinct_from: [visit-putin-kyrgyzstan]\n")
    assert warnings_of(corpus(tmp_path, facts), tmp_path / "dist") == []


def test_another_type_or_other_dates_is_not_alike(tmp_path):
    for old, new in (("type: official-visit", "type: talks"), ("start: 2025-11-25", "start: 2025-12-25")):
        case = tmp_path / old.split(":")[0]
        assert warnings_of(corpus(case, LOOKALIKE.replace(old, new)), case / "dist") == []
