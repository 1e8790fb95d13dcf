"""The quality report: every check fires on its own bad fixture and on nothing in the good one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cardf import quality
from cardf.errors import InputError

from conftest import DATA, FIXTURES, ONTOLOGY, QUERIES, SHAPES

GOOD = FIXTURES / "ontology" / "good"
BAD = FIXTURES / "ontology" / "bad"
BUILTIN = sorted(c.id for c in quality.builtin_checks())


def fixture_project(tmp_path: Path, check: str | None = None) -> quality.Sources:
    """A copy of the good fixture with the bad fixture of `check` laid over it (same path = replaced)."""
    root = tmp_path / "project"
    shutil.copytree(GOOD, root)
    if check is not None:
        for path in sorted((BAD / check).rglob("*")):
            if path.is_file():
                target = root / path.relative_to(BAD / check)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return quality.Sources(root / "ontology", root / "shapes", root / "queries", root / "data.ttl")


def fired(result: quality.Report) -> set[str]:
    return {f.check for f in result.findings}


def test_every_builtin_check_has_a_bad_fixture():
    assert BUILTIN == sorted(p.name for p in BAD.iterdir() if p.is_dir())


def test_builtin_checks_have_headers_and_levels():
    checks = quality.builtin_checks()
    assert len(checks) == len(BUILTIN) >= 17
    for c in checks:
        assert c.level in quality.LEVELS and c.description.endswith((".", ")")), c.id
        assert c.origin == "cardf"


def test_good_fixture_passes_every_check(tmp_path):
    result = quality.report(fixture_project(tmp_path))
    assert result.findings == []
    assert result.skipped == {}
    assert not result.fails("warning")


@pytest.mark.parametrize("check", BUILTIN)
def test_bad_fixture_triggers_its_check_and_no_other(tmp_path, check):
    result = quality.report(fixture_project(tmp_path, check))
    assert fired(result) == {check}, quality.render(result, "table")
    level = next(c.level for c in quality.builtin_checks() if c.id == check)
    assert result.fails("error") == (level == "error")


def test_findings_name_the_term_and_the_place(tmp_path):
    result = quality.report(fixture_project(tmp_path, "undefined-term"))
    [finding] = result.findings
    assert finding.focus == "https://w3id.org/cardf/ontology#Evnet"
    assert finding.message == "is used in queries but the ontology does not define it"
    assert finding.where.endswith("typo.rq:3")


def test_deprecated_term_names_its_replacement(tmp_path):
    result = quality.report(fixture_project(tmp_path, "deprecated-term"))
    [finding] = result.findings
    assert finding.focus.endswith("#OldEvent")
    assert finding.message == ("is deprecated but used in queries; use https://w3id.org/cardf/ontology#Event "
                               "instead")
    assert finding.where.endswith("old.rq:2")


def test_unsatisfiable_class_is_found_by_owl_rl(tmp_path):
    result = quality.report(fixture_project(tmp_path, "unsatisfiable-class"))
    assert {f.focus for f in result.findings} == {"https://w3id.org/cardf/ontology#TalksCeremony"}
    assert all(f.message.startswith("is unsatisfiable") for f in result.findings)


def test_ontology_metadata_names_what_is_missing(tmp_path):
    result = quality.report(fixture_project(tmp_path, "ontology-metadata"))
    assert [(f.focus, f.message) for f in result.findings] == [
        ("https://w3id.org/cardf/ontology", "has no licence (dcterms:license)")]


def test_undefined_term_in_data_is_found(tmp_path):
    sources = fixture_project(tmp_path)
    sources.data.write_text(sources.data.read_text() + "\n<https://w3id.org/cardf/id/event/visit-1> "
                            "<https://w3id.org/cardf/ontology#endDate> \"2025-11-12\" .\n")
    result = quality.report(sources)
    assert [(f.check, f.focus, f.message) for f in result.findings] == [
        ("undefined-term", "https://w3id.org/cardf/ontology#endDate",
         "is used in data but the ontology does not define it")]


def test_checks_that_need_shapes_are_skipped_without_them(tmp_path):
    sources = fixture_project(tmp_path)
    sources.shapes = None
    result = quality.report(sources)
    assert result.skipped == {"class-without-shape": "no shapes given"}
    assert "1 skipped: class-without-shape: no shapes given" in quality.summary_line(result)


def test_query_terms_skip_comments_and_strings():
    text = ('PREFIX cardf: <https://w3id.org/cardf/ontology#>\n'
            '# cardf:InComment\n'
            'SELECT * { ?s a cardf:Event ; <https://w3id.org/cardf/ontology#full> "cardf:InString" .\n'
            '  ?s cardf:p.\n}')
    assert quality.query_terms(text) == [
        ("https://w3id.org/cardf/ontology#", 1),
        ("https://w3id.org/cardf/ontology#Event", 3),
        ("https://w3id.org/cardf/ontology#full", 3),
        ("https://w3id.org/cardf/ontology#p", 4),
    ]


def test_the_project_ontology_passes_its_own_report():
    result = quality.report(quality.Sources(ONTOLOGY, SHAPES, QUERIES, DATA))
    errors = [f for f in result.findings if f.level == "error"]
    assert errors == [], quality.render(result, "table")
    assert result.skipped == {}


# ----------------------------------------------------------------------------- profiles

def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profile_turns_checks_off_and_changes_levels(tmp_path):
    profile = quality.load_profile(write_profile(tmp_path, "checks:\n  definition-ru: off\n  alignment: info\n"))
    checks = {c.id: c.level for c in quality.select_checks(profile)}
    assert "definition-ru" not in checks
    assert checks["alignment"] == "info"
    result = quality.report(fixture_project(tmp_path, "alignment"), profile)
    assert [(f.check, f.level) for f in result.findings] == [("alignment", "info")]
    assert not result.fails("warning")


def test_profile_adds_the_users_own_checks(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "no-person.rq").write_text(
        "# id: no-person\n# level: warning\n# description: No class is called Person.\n"
        "SELECT ?focus ?message WHERE { ?focus rdfs:label \"Person\"@en BIND(\"is called Person\" AS ?message) }\n")
    profile = quality.load_profile(write_profile(tmp_path, "add:\n  - mine/no-person.rq\nfail-on: warning\n"))
    assert profile.fail_on == "warning"
    result = quality.report(fixture_project(tmp_path), profile)
    assert [(f.check, f.level, f.focus) for f in result.findings] == [
        ("no-person", "warning", "https://w3id.org/cardf/ontology#Person")]


@pytest.mark.parametrize("text, message", [
    ("chekcs:\n  alignment: off\n", "profile.yaml:1:1: chekcs: unknown key (did you mean `checks`?); "
                                     "expected checks, add, fail-on"),
    ("checks:\n  alignment: sometimes\n", "profile.yaml:2:14: checks.alignment: expected off, error, warning or "
                                           "info, not `sometimes`"),
    ("add:\n  - missing.rq\n", "profile.yaml:2:5: add: check file `missing.rq` not found"),
    ("fail-on: info\n", "profile.yaml:1:10: fail-on: expected error or warning"),
])
def test_bad_profiles_are_located(tmp_path, text, message):
    with pytest.raises(InputError) as caught:
        quality.load_profile(write_profile(tmp_path, text))
    assert str(caught.value).replace(str(tmp_path) + "/", "").startswith(message)


def test_unknown_check_in_profile_gets_a_suggestion(tmp_path):
    profile = quality.load_profile(write_profile(tmp_path, "checks:\n  alignmnet: off\n"))
    with pytest.raises(InputError) as caught:
        quality.select_checks(profile)
    assert str(caught.value) == "checks: no check `alignmnet` (did you mean `alignment`?)"


def test_a_check_without_header_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        quality.parse_check("SELECT ?focus ?message WHERE {}", "x.rq")
    assert str(caught.value).startswith("x.rq:1: the check's header lacks id, level, description")


# ----------------------------------------------------------------------------- output

def test_renderers_write_every_format(tmp_path):
    result = quality.report(fixture_project(tmp_path, "label-ru"))
    assert quality.render(result, "table") == (
        "level  check     focus          message\n"
        "-----  --------  -------------  ----------------------------------\n"
        "error  label-ru  cardf:Meeting  has no rdfs:label in Russian (@ru)\n")
    assert quality.render(result, "tsv") == (
        "level\tcheck\tfocus\tmessage\twhere\n"
        "error\tlabel-ru\tcardf:Meeting\thas no rdfs:label in Russian (@ru)\t\n")
    assert quality.render(result, "markdown", headers=False) == (
        "| error | label-ru | cardf:Meeting | has no rdfs:label in Russian (@ru) |\n")
    doc = quality.to_json(result)
    assert doc["summary"] == {"errors": 1, "warnings": 0, "infos": 0, "checks": len(BUILTIN), "skipped": 0}
    assert doc["findings"] == [{"level": "error", "check": "label-ru",
                                "focus": "https://w3id.org/cardf/ontology#Meeting",
                                "message": "has no rdfs:label in Russian (@ru)"}]
