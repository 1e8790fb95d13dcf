"""Reading hand-written YAML so that every value keeps the line and column it came from.

PyYAML's parser gives events with marks; we build nodes from them and keep the nodes instead
of plain dicts so that every later error (wrong type, unknown key, dangling reference, SHACL
violation) can name the exact place in the file. Only plain data is accepted: no anchors,
aliases, merge keys or tags, at most MAX_DEPTH levels of nesting, values of at most MAX_VALUE
characters and no control characters but tab and line feed — each refused with its line and
column before anything walks the nodes, so that no input can make a later stage loop or explode.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem

__all__ = ["MAX_DEPTH", "MAX_VALUE", "MappingNode", "Node", "ScalarNode", "SequenceNode", "kind_of", "mapping_items",
           "read_text", "read_yaml", "shown", "where"]


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
    except yaml.reader.ReaderError as exc:  # a character no YAML file may hold, written as such
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        what = _not_text(char) if _NOT_TEXT.match(char) else \
            f"holds U+{ord(char):04X}, a noncharacter, which YAML does not allow; delete it"
        raise InputError(problems=[Problem(what, path, line, column)]) from None
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
    except _Refused as exc:
        raise InputError(problems=[Problem(exc.message, path, exc.mark.line + 1, exc.mark.column + 1,
                                           exc.field)]) from None
    if node is None:
        raise InputError(problems=[Problem("file holds no YAML document; expected a mapping", path, 1, 1)])
    return node


# What a hand-written source may hold. Anchors, aliases and merge keys let a few lines expand into
# billions of nodes or into a cycle; tags ask a loader to build objects. Curated facts need none of
# them, so they are refused before anything walks the nodes.
MAX_DEPTH = 64  # nested mappings and lists; records need four or five
MAX_VALUE = 1 << 20  # characters in one value (1 MiB); an RDF literal of 16 MiB breaks the writers
_YAML_TAG = "tag:yaml.org,2002:"
_MERGE = _YAML_TAG + "merge"
# C0 and C1 control characters (tab and line feed are text), and halves of UTF-16 surrogate pairs,
# which double-quoted YAML can write as escapes ("\e[31m", "\ud800") though no file may hold them.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_RESOLVER = yaml.resolver.Resolver()


class _Refused(Exception):
    """A construct cardf does not accept, found while composing (not a YAML syntax error)."""

    def __init__(self, message: str, mark, field: str | None):
        super().__init__(message)
        self.message, self.mark, self.field = message, mark, field


def _compose(text: str) -> Node | None:
    """libyaml's parser when PyYAML has it (several times faster), PyYAML's own otherwise.

    Both give the same events and marks; the nodes are built here, without recursion, so that
    anchors, aliases, merge keys, tags, deep nesting and unprintable values are refused where
    they are written. Text that libyaml refuses, or that PyYAML's reader would refuse, goes
    through PyYAML's parser, so every syntax error message stays PyYAML's.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _build(fast(text))
        except yaml.YAMLError:
            pass
    return _build(yaml.SafeLoader(text))


_SEQ, _MAP, _STR = _YAML_TAG + "seq", _YAML_TAG + "map", _YAML_TAG + "str"


def _build(loader) -> Node | None:
    """Nodes from the loader's parser events, as PyYAML's composer makes them, minus everything refused above."""
    resolve = _RESOLVER.resolve
    stack: list[Node] = []  # open collections; a mapping's value is a flat key, value, … list until it closes
    root: Node | None = None
    next_event = loader.get_event
    try:
        while True:
            event = next_event()
            cls = type(event)
            if cls is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    _refuse_properties(event, stack)
                value = event.value
                if len(value) > MAX_VALUE:
                    raise _Refused(f"a value of {len(value):,} characters; the limit is {MAX_VALUE:,} characters "
                                   "(1 MiB) per value", event.start_mark, _path(stack))
                style = event.style or None
                if style == '"':  # only escapes can write these: the reader refuses them written raw
                    bad = _NOT_TEXT.search(value)
                    if bad:
                        raise _Refused(_not_text(bad.group()), event.start_mark, _path(stack))
                elif style is None:  # plain: its tag follows from its text (a quoted scalar is a string)
                    tag = resolve(ScalarNode, value, event.implicit)
                    if tag == _MERGE and stack and type(stack[-1]) is MappingNode and not len(stack[-1].value) % 2:
                        raise _Refused("YAML merge key `<<`: merge keys are not allowed in cardf sources; write the "
                                       "fields out in full", event.start_mark, _path(stack))
                if style is not None:
                    tag = _STR
                node = ScalarNode(tag, value, event.start_mark, event.end_mark, style)
                if stack:
                    stack[-1].value.append(node)
                elif root is None:
                    root = node
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    _refuse_properties(event, stack)
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(f"nested more than {MAX_DEPTH} levels deep; cardf sources need only a few "
                                   "levels (section, record, field, value)", event.start_mark, _path(stack, 4))
                if cls is MappingStartEvent:
                    node = MappingNode(_MAP, [], event.start_mark, None, event.flow_style)
                else:
                    node = SequenceNode(_SEQ, [], event.start_mark, None, event.flow_style)
                if stack:
                    stack[-1].value.append(node)
                stack.append(node)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                node = stack.pop()
                node.end_mark = event.end_mark
                if cls is MappingEndEvent:
                    flat = node.value
                    node.value = list(zip(flat[0::2], flat[1::2]))
                if not stack and root is None:
                    root = node
            elif cls is AliasEvent:
                raise _Refused(f"YAML alias `*{event.anchor}`: anchors and aliases are not allowed in cardf "
                               "sources; write each value out in full", event.start_mark, _path(stack))
            elif cls is DocumentStartEvent and root is not None:
                raise yaml.composer.ComposerError("expected a single document in the stream", root.start_mark,
                                                  "but found another document", event.start_mark)
            elif cls is StreamEndEvent:
                return root
    finally:
        loader.dispose()


def _refuse_properties(event, stack: list[Node]) -> None:
    if event.anchor is not None:
        raise _Refused(f"YAML anchor `&{event.anchor}`: anchors and aliases are not allowed in cardf sources; "
                       "write each value out in full", event.start_mark, _path(stack))
    tag = event.tag
    shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
    raise _Refused(f"YAML tag `{shown}`: tags are not allowed in cardf sources; write the value without it "
                   "(in quotes to keep it a string)", event.start_mark, _path(stack))


def _path(stack: list[Node], limit: int = 12) -> str | None:
    """Where the next node goes, as the loader names fields: `events[0].label.en` (cut after `limit` steps)."""
    parts = []
    last = len(stack) - 1
    for i, node in enumerate(stack):
        flat = node.value  # the open child of every level but the last is already in it
        if isinstance(node, MappingNode):
            at = -1 if i == last else -2
            if len(flat) % 2 == (1 if i == last else 0) and len(flat) >= -at and isinstance(flat[at], ScalarNode):
                parts.append(f".{flat[at].value}" if parts else flat[at].value)
        else:
            parts.append(f"[{len(flat) if i == last else len(flat) - 1}]")
        if len(parts) == limit:
            parts.append("…")
            break
    return "".join(parts) or None


def _not_text(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return (f"holds U+{code:04X}, half of a UTF-16 surrogate pair, which is not a character; write the "
                "character itself (or a \\UXXXXXXXX escape)")
    name = {0x00: "null", 0x07: "bell", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
            0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete", 0x9B: "control sequence introducer"}.get(code)
    return (f"holds the control character U+{code:04X}{f' ({name})' if name else ''}; control characters are "
            "not allowed (tab and line break are); delete it")


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
        return f'the string "{shown(node.value)}"'
    return f"`{shown(node.value)}`"


def shown(value: str, limit: int = 80) -> str:
    """A value as an error message quotes it: on one line, and cut when long."""
    text = value.replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else text[:limit - 1] + "…"
