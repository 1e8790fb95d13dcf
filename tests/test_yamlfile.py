"""yamlfile: nodes built from parser events, equal to PyYAML's own, and plain data only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from cardf.errors import InputError
from cardf.yamlfile import MAX_DEPTH, read_yaml, shown

from conftest import DATA, FIXTURES

SOURCES = sorted(p for p in list(DATA.rglob("*.yaml")) + list(FIXTURES.rglob("*.yaml")) if "bad" not in p.parts)
EVERY_YAML = sorted(p for p in list(DATA.rglob("*.yaml")) + list(FIXTURES.rglob("*.yaml")))


def same(ours, theirs, where: str) -> None:
    """The same tree: kinds, tags, values, styles and every start and end mark."""
    assert type(ours) is type(theirs), where
    marks = lambda n: (n.start_mark.line, n.start_mark.column, n.end_mark.line, n.end_mark.column)  # noqa: E731
    assert (ours.tag, marks(ours)) == (theirs.tag, marks(theirs)), where
    if isinstance(ours, ScalarNode):
        assert (ours.value, ours.style) == (theirs.value, theirs.style), where
    elif isinstance(ours, SequenceNode):
        assert ours.flow_style == theirs.flow_style and len(ours.value) == len(theirs.value), where
        for a, b in zip(ours.value, theirs.value):
            same(a, b, where)
    else:
        assert isinstance(ours, MappingNode)
        assert ours.flow_style == theirs.flow_style and len(ours.value) == len(theirs.value), where
        for (ka, va), (kb, vb) in zip(ours.value, theirs.value):
            same(ka, kb, where)
            same(va, vb, where)


def test_the_project_sources_are_many():
    assert len(SOURCES) >= 3


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_nodes_equal_pyyaml_composer_on_every_project_source(path):
    theirs = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    same(read_yaml(path), theirs, str(path))


def outcome(path: Path) -> tuple:
    """What read_yaml makes of a file: every node's kind, tag, marks, style and value, or the error's lines."""
    def flat(node) -> list:
        head = [(type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column, node.start_mark.index,
                 node.end_mark.line, node.end_mark.column, getattr(node, "style", None),
                 node.value if isinstance(node, ScalarNode) else None, getattr(node, "flow_style", None))]
        if isinstance(node, MappingNode):
            return head + [x for key, value in node.value for x in flat(key) + flat(value)]
        if isinstance(node, SequenceNode):
            return head + [x for value in node.value for x in flat(value)]
        return head

    try:
        return ("read", flat(read_yaml(path)))
    except InputError as exc:
        return ("refused", exc.lines())


@pytest.mark.parametrize("path", EVERY_YAML, ids=lambda p: str(p.relative_to(p.parents[3])))
def test_libyaml_and_pyyaml_alone_read_every_source_alike(path, monkeypatch):
    """Same nodes and marks, or the same error word for word, with libyaml and without it."""
    assert hasattr(yaml, "CSafeLoader"), "libyaml is not installed: the fast path goes untested"
    fast = outcome(path)
    monkeypatch.delattr(yaml, "CSafeLoader")  # as on a machine where PyYAML was built without libyaml
    assert outcome(path) == fast


def refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    (problem,) = caught.value.problems
    assert problem.path == path
    return str(problem)[len(str(path)):]


def test_a_cyclic_alias_is_refused_at_its_anchor(tmp_path):
    assert refusal(tmp_path, "events:\n  - about: &c [x, *c]\n") == \
        ":2:12: events[0].about: YAML anchor `&c`: anchors and aliases are not allowed in cardf sources; " \
        "write each value out in full"


def test_an_alias_without_an_anchor_is_refused_at_the_alias(tmp_path):
    assert refusal(tmp_path, "a:\n  b: [x, *y]\n").startswith(":2:10: a.b[1]: YAML alias `*y`:")


def test_a_billion_laughs_is_refused_without_being_expanded(tmp_path):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]  # eleven levels: 10^11 strings once expanded
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    assert refusal(tmp_path, "\n".join(lines) + "\n").startswith(":1:5: a0: YAML anchor `&a0`:")


def test_a_merge_key_is_refused_even_without_an_alias(tmp_path):
    assert refusal(tmp_path, "a:\n  <<: {b: 1}\n") == \
        ":2:3: a: YAML merge key `<<`: merge keys are not allowed in cardf sources; write the fields out in full"


def test_a_quoted_double_angle_is_a_plain_key(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("a:\n  '<<': {b: 1}\n", encoding="utf-8")
    key = read_yaml(path).value[0][1].value[0][0]
    assert (key.value, key.tag) == ("<<", "tag:yaml.org,2002:str")


@pytest.mark.parametrize("tag, shown_as", [("!!python/object/apply:os.system", "!!python/object/apply:os.system"),
                                           ("!!binary", "!!binary"), ("!!str", "!!str"), ("!custom", "!custom"),
                                           ("!", "!"), ("!<tag:example.org,2000:x>", "tag:example.org,2000:x")])
def test_every_explicit_tag_is_refused(tmp_path, tag, shown_as):
    assert refusal(tmp_path, f"a: {tag} x\n") == \
        f":1:4: a: YAML tag `{shown_as}`: tags are not allowed in cardf sources; write the value without it " \
        "(in quotes to keep it a string)"


def test_nesting_is_limited_and_the_limit_is_reachable(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    node = read_yaml(path)
    for _ in range(MAX_DEPTH - 1):
        node = node.value[0][1] if isinstance(node, MappingNode) else node.value[0]
    assert isinstance(node, SequenceNode) and node.value[0].value == "x"
    deep = "a: " + "[" * 5000 + "x" + "]" * 5000 + "\n"  # libyaml stops at 1000 levels, PyYAML recursed
    assert refusal(tmp_path, deep).startswith(f":1:{3 + MAX_DEPTH}: a[0][0][0]…: nested more than {MAX_DEPTH} levels")


@pytest.mark.parametrize("written, message", [
    ('"\\e[31m"', "holds the control character U+001B (escape)"),
    ('"a\\x9b"', "holds the control character U+009B (control sequence introducer)"),
    ('"\\0"', "holds the control character U+0000 (null)"),
    ('"\\ud800"', "holds U+D800, half of a UTF-16 surrogate pair, which is not a character"),
    ('"\\U0001F600\\udfff"', "holds U+DFFF, half of a UTF-16 surrogate pair"),
])
def test_escaped_control_characters_and_surrogates_are_refused(tmp_path, written, message):
    assert refusal(tmp_path, f"a:\n  b: {written}\n").startswith(f":2:6: a.b: {message}")


def test_a_control_character_written_raw_is_refused_where_it_stands(tmp_path):
    assert refusal(tmp_path, "a: 1\nb: red\x1b[0m\n") == \
        ":2:7: holds the control character U+001B (escape); control characters are not allowed (tab and line " \
        "break are); delete it"


def test_tabs_line_breaks_and_other_scripts_stay(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text('a: "x\\ty\\nz"\nb: "\\U0001F600 «ё» \\u200b"\n', encoding="utf-8")
    values = [v.value for _, v in read_yaml(path).value]
    assert values == ["x\ty\nz", "\U0001F600 «ё» \u200b"]


def test_a_second_document_is_refused_with_pyyaml_message(tmp_path):
    assert refusal(tmp_path, "a: 1\n---\nb: 2\n") == \
        ":2:1: YAML syntax error: expected a single document in the stream, but found another document"


def test_shown_keeps_a_value_on_one_short_line():
    assert shown("a\nb\tc") == "a\\nb\\tc"
    assert shown("9" * 500) == "9" * 79 + "…"
