"""cardf new, codes, locate and draft, run as a curator runs them; from a text to a clean build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ONTOLOGY, SEED, SHAPES, run

MINI = FIXTURES / "mini"
# A short report written for these tests, about the people of the mini registry.
REPORT = ("12 ноября президент России Владимир Путин провел переговоры с Касым-Жомартом Токаевым в Москве.\n"
          "По словам Токаева, «наши страны уверенно идут вперед и будут работать вместе».\n"
          "По итогам переговоров стороны подписали 5 документов.\n")


@pytest.fixture
def mini(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    return data


def new_article(data: Path, tmp_path: Path, slug: str = "test-report", text: str = REPORT, *extra: str):
    source = tmp_path / "report.txt"
    source.write_text(text, encoding="utf-8")
    return run("new", slug, "--text", source, "--data", data, *extra)


# ----------------------------------------------------------------------------- cardf new

def test_new_creates_the_text_and_a_skeleton_the_loader_reads(mini, tmp_path):
    result = new_article(mini, tmp_path, "test-report", REPORT.replace("\n", "\r\n"), "--published",
                         "2025-11-13T10:00:00+03:00", "--publisher", "test-gazette", "--title", "Отчет",
                         "--title-en", "Report", "--author", "mini-author")
    assert result.exit_code == 0, result.output
    folder = mini / "articles" / "test-report"
    assert (folder / "article.txt").read_bytes() == REPORT.encode("utf-8")  # CRLF → LF
    assert result.stderr.splitlines() == [
        "Note: turned CRLF/CR line ends into LF in the text.",
        f"Created {folder}/ with article.txt ({len(REPORT)} characters) and facts.yaml.",
        "Next: cardf draft test-report"]
    facts = yaml.safe_load((folder / "facts.yaml").read_text(encoding="utf-8"))
    assert facts == {"article": {"slug": "test-report", "title": {"ru": "Отчет", "en": "Report"},
                                 "publisher": "test-gazette", "published": facts["article"]["published"],
                                 "language": "ru", "author": "mini-author"}}
    build = run("build", "--data", mini, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "dist", "-q")
    assert build.exit_code == 0, build.output


def test_new_writes_a_date_alone_as_given(mini, tmp_path):
    assert new_article(mini, tmp_path, "dated", REPORT, "--published", "2025-11-13").exit_code == 0
    assert "  published: 2025-11-13\n" in (mini / "articles" / "dated" / "facts.yaml").read_text(encoding="utf-8")


def test_new_never_overwrites(mini, tmp_path):
    result = new_article(mini, tmp_path, "mini-article")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {mini / 'articles' / 'mini-article'} already exists; cardf new never "
                             "overwrites an article (choose another slug)\n")
    assert (mini / "articles" / "mini-article" / "facts.yaml").read_bytes() == \
        (MINI / "articles" / "mini-article" / "facts.yaml").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["Bad Slug"], "`Bad Slug` is not a valid slug; use lowercase letters, digits and single hyphens, "
                   "e.g. `tass-2025-11-12-putin-tokayev`"),
    (["ok", "--published", "12.11.2025"], "--published: `12.11.2025` is neither a date (2025-12-04) nor a date and "
                                          "time with its offset (2025-12-04T13:01:00+03:00)"),
    (["ok", "--publisher", "test-gazete"], "--publisher: `test-gazete` is not defined in entities.yaml (expected one "
                                           "of the organizations); did you mean `test-gazette`?"),
    (["ok", "--author", "russia"], "--author: `russia` is one of the states in entities.yaml (expected one of the "
                                   "persons); add it to entities.yaml under `persons` first"),
])
def test_new_refuses_bad_options_in_one_line(mini, tmp_path, args, message):
    result = new_article(mini, tmp_path, *args[:1], REPORT, *args[1:])
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")
    assert not (mini / "articles" / "ok").exists()


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00", "{source}:1:1: is not UTF-8 text (byte 0xff cannot be decoded); save the file as UTF-8"),
    (b"  \n\n", "{source}: is empty; expected the article's text"),
])
def test_new_refuses_text_that_is_not_utf8_or_empty(mini, tmp_path, content, message):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    result = run("new", "bad", "--text", source, "--data", mini)
    assert (result.exit_code, result.stderr) == (2, "Error: " + message.format(source=source) + "\n")
    assert not (mini / "articles" / "bad").exists()


# ----------------------------------------------------------------------------- cardf codes

def test_codes_lists_every_vocabulary_with_the_fields_that_use_it():
    result = run("codes", "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["vocabulary", "codes", "used", "by", "en", "ru"]
    assert any(r.split()[:3] == ["event-type", "14", "events.type"] for r in rows)


def test_codes_of_a_field_with_labels_and_definitions_as_json():
    result = run("codes", "figures.qualifiers", "--format", "json", "--ontology", ONTOLOGY)
    [scheme] = json.loads(result.stdout)
    almost = next(c for c in scheme["concepts"] if c["code"] == "almost")
    assert scheme["name"] == "figure-qualifier" and scheme["used_by"] == ["figures.qualifiers"]
    assert almost["label"] == {"en": "almost", "ru": "почти"}
    assert almost["definition"]["en"] == "The true value is just below the number."


def test_codes_search_finds_russian_words_across_vocabularies():
    result = run("codes", "--search", "визит", "--format", "markdown", "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    assert "| state-visit | state visit | государственный визит |" in result.stdout
    assert "### `participant-role`" in result.stdout  # "совершающий визит"


def test_codes_unknown_vocabulary_suggests_and_nothing_found_exits_1():
    result = run("codes", "event-typ", "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stderr) == (
        2, "Error: no vocabulary named `event-typ`; did you mean `event-type`, `events.type`, `document-type`?\n")
    result = run("codes", "--search", "zzzz", "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stderr, result.stdout) == (1, "No code matches 'zzzz'.\n", "")


# ----------------------------------------------------------------------------- cardf locate

def test_locate_gives_offsets_and_the_evidence_to_paste(mini):
    result = run("locate", "mini-article", "10 документов", "--data", mini)
    text_path = mini / "articles" / "mini-article" / "article.txt"
    text = text_path.read_text(encoding="utf-8")
    start = text.index("10 документов")
    assert (result.exit_code, text.count("10 документов")) == (0, 1)
    assert result.stdout == (
        f"«10 документов» occurs once in {text_path}:\n"
        f"  1. line 3, column 28 (characters {start}–{start + 13}): …в. По итогам визита подписаны [10 документов]. "
        "Токаев сказал: «наши страны …\n"
        '     evidence: "10 документов"\n')


def test_locate_repeated_words_get_their_occurrence(mini):
    result = run("locate", "mini-article", "Токаев", "--data", mini, "--json")
    found = json.loads(result.stdout)
    assert [p["evidence"] for p in found["passages"]] == [
        '{text: "Токаев", occurrence: 1}', '{text: "Токаев", occurrence: 2}']


def test_locate_names_the_lookalike_character_and_exits_1(mini):
    result = run("locate", "mini-article", "Касым–Жомарта", "--data", mini)
    assert result.exit_code == 1
    assert "the article has «-» (U+002D HYPHEN-MINUS) where you wrote «–» (U+2013 EN DASH)" in result.stdout
    assert '     evidence: "Касым-Жомарта"\n' in result.stdout


def test_locate_unknown_slug_suggests_one(mini):
    result = run("locate", "mini-articel", "слово", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: no article `mini-articel` in {mini / 'articles'}; did you mean `mini-article`?\n")


def test_locate_article_without_text_or_not_utf8(mini):
    folder = mini / "articles" / "mini-article"
    (folder / "article.txt").write_bytes(b"caf\xe9\n")
    result = run("locate", "mini-article", "x", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {folder / 'article.txt'}:1:4: is not UTF-8 text (byte 0xe9 cannot be decoded); "
           "save the file as UTF-8\n")
    (folder / "article.txt").unlink()
    result = run("draft", "mini-article", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {folder}: article folder has no article.txt (the text, verbatim)\n")


# ----------------------------------------------------------------------------- cardf draft

def test_from_a_text_to_a_clean_build(mini, tmp_path):
    """new → draft → accept → build: the walkthrough of the README, on a report written for this test."""
    assert new_article(mini, tmp_path, "test-report", REPORT, "--published", "2025-11-13T10:00:00+03:00",
                       "--publisher", "test-gazette", "--author", "mini-author", "--title", "Отчет",
                       "--title-en", "Report").exit_code == 0
    folder = mini / "articles" / "test-report"
    result = run("draft", "test-report", "--data", mini, "--ontology", ONTOLOGY)
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load((folder / "facts.draft.yaml").read_text(encoding="utf-8"))
    [quote] = draft["quotes"]
    assert (quote["text"], quote["speaker"]) == ("наши страны уверенно идут вперед и будут работать вместе",
                                                 "kassym-jomart-tokayev")
    [figure] = draft["figures"]
    assert (figure["indicator"], figure["value"], figure["unit"], figure["stated_by"]) == (
        "document-count", 5, "document", "mini-author")
    talks = next(e for e in draft["events"] if e["type"] == "talks")
    assert str(talks["start"]) == "2025-11-12" and talks["places"] == ["moscow"]
    assert {m["entity"] for m in draft["mentions"]} >= {"vladimir-putin", "kassym-jomart-tokayev", "moscow", "russia"}
    ids = [quote["id"], figure["id"], talks["id"]]
    result = run("draft", "test-report", "--accept", " ".join(ids), "--data", mini)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:3] == [f"Accepted {quote['id']} → quotes", f"Accepted {figure['id']} → figures",
                                              f"Accepted {talks['id']} → events"]
    facts_text = (folder / "facts.yaml").read_text(encoding="utf-8")
    assert facts_text.startswith("# Facts stated by the article")  # comments kept
    assert "# confidence:" not in facts_text
    left = yaml.safe_load((folder / "facts.draft.yaml").read_text(encoding="utf-8"))
    assert not {r["id"] for s in ("events", "figures", "quotes") for r in left[s] or []} & set(ids)
    build = run("build", "--data", mini, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "dist", "-q")
    assert build.exit_code == 0, build.output
    report = json.loads((tmp_path / "dist" / "report.json").read_text())
    assert report["records"]["quotes"] == 2 and report["records"]["figures"] == 2


def test_accept_refuses_unknown_and_present_ids(mini, tmp_path):
    new_article(mini, tmp_path, "test-report", REPORT, "--published", "2025-11-13")
    run("draft", "test-report", "--data", mini, "--ontology", ONTOLOGY)
    draft_path = mini / "articles" / "test-report" / "facts.draft.yaml"
    draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))
    quote_id = draft["quotes"][0]["id"]
    result = run("draft", "test-report", "--accept", quote_id + "x", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: `{quote_id}x` is not a record of {draft_path}; did you mean `{quote_id}`?\n")
    assert run("draft", "test-report", "--accept", quote_id, "--data", mini).exit_code == 0
    result = run("draft", "test-report", "--accept", quote_id, "--data", mini)
    assert result.exit_code == 2 and "is not a record of" in result.stderr


def test_the_build_never_reads_the_draft(mini, tmp_path):
    draft = mini / "articles" / "mini-article" / "facts.draft.yaml"
    draft.write_text("events: [unclosed\n  - id: Not A Slug\n", encoding="utf-8")
    result = run("build", "--data", mini, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "dist", "-q")
    assert result.exit_code == 0, result.output


def test_draft_of_a_text_file_prints_the_draft(mini, tmp_path):
    source = tmp_path / "report.txt"
    source.write_text(REPORT, encoding="utf-8")
    result = run("draft", source, "--data", mini, "--published", "2025-11-13", "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["quotes"][0]["speaker"] == "kassym-jomart-tokayev"


def test_draft_leaves_out_what_facts_yaml_already_holds(mini):
    result = run("draft", "mini-article", "--data", mini, "--out", "-", "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    drafted = yaml.safe_load(result.stdout)
    assert drafted["quotes"] == []  # mini-quote is curated
    assert "already in facts.yaml left out" in result.stderr


def test_seed_draft_builds_clean_when_everything_is_accepted(tmp_path):
    """Everything the drafter proposes for the seed passes the loader and the shapes (warnings aside)."""
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "entities.yaml", data)
    text = Path(__file__).resolve().parent.parent / "data" / "articles" / SEED / "article.txt"
    assert run("new", "seed", "--text", text, "--data", data, "--published", "2025-12-04T13:01:00+03:00",
               "--publisher", "international-affairs-journal", "--title", "Т", "--title-en", "T").exit_code == 0
    assert run("draft", "seed", "--data", data, "--ontology", ONTOLOGY).exit_code == 0
    draft = yaml.safe_load((data / "articles" / "seed" / "facts.draft.yaml").read_text(encoding="utf-8"))
    ids = [r["id"] for s in ("events", "figures", "quotes", "statements") for r in draft[s] or []]
    assert run("draft", "seed", "--accept", " ".join(ids), "--data", data).exit_code == 0
    build = run("build", "--data", data, "--ontology", ONTOLOGY, "--shapes", SHAPES, "--out", tmp_path / "dist", "-q")
    assert build.exit_code == 0, build.output


def test_draft_unknown_slug_and_accept_on_a_file_are_errors(mini, tmp_path):
    result = run("draft", "mini-artcle", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: no article `mini-artcle` in {mini / 'articles'}; did you mean `mini-article`?\n")
    source = tmp_path / "report.txt"
    source.write_text(REPORT, encoding="utf-8")
    result = run("draft", source, "--accept", "x", "--data", mini)
    assert (result.exit_code, result.stderr) == (
        2, "Error: --accept works on an article of --data: give its SLUG, not a file\n")
