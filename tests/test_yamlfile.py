"""libyaml reads the sources as PyYAML does: the same nodes, marks and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cardf.yamlfile import ScalarNode, _compose

from conftest import DATA, FIXTURES, ROOT


def yaml_files() -> list[Path]:
    return sorted(p for root in (DATA, FIXTURES) for p in root.rglob("*.yaml") if _utf8(p))


def _utf8(path) -> bool:
    """Files that are not UTF-8 never reach a YAML parser: the loader refuses them first."""
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    return True


def shape(node) -> list:
    out = [(type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column, node.start_mark.index,
            node.end_mark.line, node.end_mark.column, node.style if isinstance(node, ScalarNode) else None,
            node.value if isinstance(node, ScalarNode) else None, getattr(node, "flow_style", None))]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out += shape(key) + shape(value)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            out += shape(value)
    return out


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_source_as_pyyaml_does(path):
    text = path.read_text(encoding="utf-8")
    try:
        expected = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        with pytest.raises(yaml.YAMLError) as got:
            _compose(text)
        assert str(got.value) == str(exc)
        return
    got = _compose(text)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert shape(got) == shape(expected)
