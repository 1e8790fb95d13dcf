"""Reading hand-written YAML so that every value keeps the line and column it came from.

PyYAML's composer gives nodes with marks; we keep the nodes instead of plain dicts so that
every later error (wrong type, unknown key, dangling reference, SHACL violation) can name
the exact place in the file. Only the safe YAML subset is accepted: no Python tags.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "read_yaml", "where", "mapping_items"]


def where(path: Path, node: Node | None, field: str | None = None, message: str = "") -> Problem:
    if node is None:
        return Problem(message, path, field=field)
    return Problem(message, path, node.start_mark.line + 1, node.start_mark.column + 1, field)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(problems=[Problem(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); save the file as UTF-8",
            path, line, col)]) from None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file exactly as stored: no newline translation, so offsets stay true."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(problems=[Problem("file not found", path)]) from None
    except IsADirectoryError:
        raise InputError(problems=[Problem("is a directory, expected a file", path)]) from None
    except OSError as exc:
        raise InputError(problems=[Problem(f"cannot be read: {exc.strerror}", path)]) from None
    text = _decode(path, data)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_yaml(path: Path) -> Node:
    """Compose one YAML document into nodes, turning every parser failure into a located error."""
    text = read_text(path)
    if not text.strip():
        raise InputError(problems=[Problem("file is empty; expected a YAML mapping", path, 1, 1)])
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "\t" in what or "'\\t'" in what:
            what = "a tab character is not allowed for indentation in YAML; indent with spaces"
        elif exc.context:
            what = f"{exc.context}, {exc.problem}" if exc.problem else exc.context
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise InputError(problems=[Problem(f"YAML syntax error: {what}", path, line, col)]) from None
    except yaml.YAMLError as exc:
        raise InputError(problems=[Problem(f"YAML error: {exc}", path)]) from None
    if node is None:
        raise InputError(problems=[Problem("file holds no YAML document; expected a mapping", path, 1, 1)])
    return node


def _compose(text: str) -> Node | None:
    """libyaml's parser when PyYAML has it (twenty times faster), PyYAML's own otherwise.

    Both give the same nodes, marks and tags (libyaml writes a plain scalar's style as '' where
    PyYAML writes None; that is evened out). Text that libyaml refuses, or that PyYAML's reader
    would refuse, goes through PyYAML's parser, so every error message stays PyYAML's.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            node = yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
        else:
            stack = [node] if node is not None else []
            while stack:
                n = stack.pop()
                if isinstance(n, ScalarNode):
                    if n.style == "":
                        n.style = None
                elif isinstance(n, MappingNode):
                    for key, value in n.value:
                        stack += (key, value)
                else:
                    stack += n.value
            return node
    return yaml.compose(text, Loader=yaml.SafeLoader)


def mapping_items(path: Path, node: MappingNode, problems: list[Problem], context: str):
    """Yield (key, key_node, value_node), reporting duplicate and non-string keys."""
    seen: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.append(where(path, key_node, context, "a key must be a plain word"))
            continue
        key = key_node.value
        if key in seen:
            first = seen[key].start_mark.line + 1
            problems.append(where(path, key_node, _join(context, key),
                                  f"duplicate key (first defined on line {first})"))
            continue
        seen[key] = key_node
        yield key, key_node, value_node


def _join(context: str, key: str) -> str:
    return f"{context}.{key}" if context else key


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "nothing (null)"
    if node.style in ("'", '"'):
        return f'the string "{node.value}"'
    return f"`{node.value}`"
