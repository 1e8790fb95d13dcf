"""The Python API, as the README shows it (its examples run as doctests), and what it promises besides."""

from __future__ import annotations

import doctest
import importlib.util
import re
import subprocess
import sys

import pytest

import cardf
from conftest import ROOT, run

HAS_PANDAS = importlib.util.find_spec("pandas") is not None


def readme_examples() -> list[str]:
    """The ```python blocks of the README's guide "Use it from Python"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("### Use it from Python", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", guide, re.S)


@pytest.fixture
def project(tmp_path, monkeypatch):
    assert run("init", tmp_path / "demo").exit_code == 0
    monkeypatch.chdir(tmp_path / "demo")
    return tmp_path / "demo"


def test_the_readme_examples_run_as_written(project):
    blocks = readme_examples()
    assert len(blocks) == 2
    if not HAS_PANDAS:
        pytest.fail("pandas is in the [test] extra: install it to run the DataFrame example")
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, f"README python block {i + 1}", "README.md", 0)
        runner.run(test, clear_globs=False)  # the second block uses the first one's names
        globs = test.globs
    assert runner.summarize(verbose=False).failed == 0


def test_import_cardf_is_light_and_lists_its_api():
    code = ("import sys, cardf; print(sorted(m for m in sys.modules if m.startswith('cardf')),"
            " cardf.Project.__name__, 'cardf.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "['cardf'] Project True\n"
    assert "Project" in dir(cardf) and "open" in dir(cardf)
    with pytest.raises(AttributeError):
        cardf.nothing_of_the_sort  # noqa: B018


def test_rows_are_plain_json_values_with_labels_beside_iris(dist):
    rows = cardf.open(dist).query("figures-about-country", {"country": "kyrgyzstan"}, lang="ru")
    assert rows and set(rows.columns) >= {"figure", "figure_label"}
    first = rows[0]
    assert first["figure"].startswith("https://w3id.org/cardf/id/figure/")
    assert all(isinstance(v, (str, int, float, bool, type(None))) for v in first.values())
    english = cardf.open(dist).query("figures-about-country", {"country": "kyrgyzstan"}, lang="en")
    assert [r["figure"] for r in rows] == [r["figure"] for r in english]
    assert (rows[0]["country_label"], english[0]["country_label"]) == ("Киргизия", "Kyrgyzstan")


def test_ask_gives_a_bool_and_construct_gives_triples(dist):
    built = cardf.open(dist)
    assert built.query("ASK { ?s a cardf:Event }") is True
    triples = built.query("describe-entity", {"entity": "state:kyrgyzstan"}, labels=False)
    assert triples.columns == ["subject", "predicate", "object"] and len(triples) > 10


def test_updates_and_service_are_refused(dist):
    with pytest.raises(cardf.UsageError):
        cardf.open(dist).query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(cardf.UsageError):
        cardf.open(dist).query("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_a_parameter_that_names_nothing_warns(dist):
    with pytest.warns(UserWarning, match="no record has this id"):
        rows = cardf.open(dist).query("quotes-by-person", {"speaker": "nobody-at-all"})
    assert rows == []


def test_a_build_that_violates_the_shapes_raises_with_its_report(data_copy, tmp_path):
    facts = next(data_copy.glob("articles/*/facts.yaml"))
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("type: state-visit", "type: state-visit\n    ordinal: -3", 1), encoding="utf-8")
    with pytest.raises(cardf.NotConforming) as info:
        cardf.Project(data_copy).build(tmp_path / "out")
    assert info.value.report.violations >= 1
    assert any(f.severity == "Violation" for f in info.value.report.findings)


def test_opening_a_missing_build_says_what_to_do(tmp_path):
    with pytest.raises(cardf.InputError, match="run `cardf build` first"):
        cardf.open(tmp_path / "nothing")
