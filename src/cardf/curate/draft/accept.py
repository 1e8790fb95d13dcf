"""Moving accepted draft records into facts.yaml, line for line, so the file keeps its comments and layout.

A record is the block of lines from its `  - id: ID` to the next record or section; it is
inserted at the end of its section in facts.yaml (the section is added when missing), less the
drafter's `# confidence:` line, and taken out of the draft. Both files are replaced atomically.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from pathlib import Path

from ...errors import ExternalError, Problem, UsageError
from .writer import SECTION_ORDER

_SECTION = re.compile(r"^([a-z_]+):")
_RECORD = re.compile(r"^  - id: *([a-z0-9-]+) *$")


def _blocks(lines: list[str]) -> dict[str, tuple[str, int, int]]:
    """id → (section, first line, line after the block) of every record in a draft or facts file."""
    out: dict[str, tuple[str, int, int]] = {}
    section, current, start = None, None, 0
    for i, line in enumerate(lines + [""]):
        top = _SECTION.match(line)
        record = _RECORD.match(line)
        if current is not None and (top or record or i == len(lines)):
            end = i
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            out[current] = (section, start, end)
            current = None
        if top:
            section = top.group(1)
        elif record and section in SECTION_ORDER + ("sources", "documents", "document_sets", "decisions",
                                                    "commitments", "relationships", "opinions", "claims"):
            current, start = record.group(1), i
    return out


def write_atomically(path: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExternalError(problems=[Problem(f"cannot be written: {exc.strerror or exc}", path)]) from None


def accept(draft_path: Path, facts_path: Path, ids: list[str]) -> list[str]:
    """Move the records `ids` from the draft into facts.yaml; returns a line per record moved."""
    if not draft_path.is_file():
        raise UsageError(f"no draft at {draft_path}; run `cardf draft` first")
    draft = draft_path.read_text(encoding="utf-8").split("\n")
    facts = facts_path.read_text(encoding="utf-8").split("\n")
    blocks = _blocks(draft)
    existing = _blocks(facts)
    for record_id in ids:
        if record_id not in blocks:
            close = difflib.get_close_matches(record_id, list(blocks), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else \
                f"; the draft holds {len(blocks)} record(s)"
            raise UsageError(f"`{record_id}` is not a record of {draft_path}{hint}")
        if record_id in existing:
            raise UsageError(f"`{record_id}` is already in {facts_path}; rename it in the draft to accept it")
    done = []
    for record_id in ids:
        section, start, end = blocks[record_id]
        block = [line for line in draft[start:end] if not line.strip().startswith("# confidence:")]
        facts = _insert(facts, section, block)
        done.append(f"{record_id} → {section}")
    taken = sorted((blocks[i][1], blocks[i][2]) for i in ids)
    for start, end in reversed(taken):
        while end < len(draft) and not draft[end].strip() and end + 1 < len(draft) and \
                _RECORD.match(draft[end + 1] or ""):
            end += 1  # the blank line that separated it from the next record
        del draft[start:end]
    write_atomically(facts_path, "\n".join(facts))
    write_atomically(draft_path, "\n".join(_empty_sections(draft)))
    return done


def _insert(lines: list[str], section: str, block: list[str]) -> list[str]:
    header = next((i for i, line in enumerate(lines) if re.match(rf"^{section}:", line)), None)
    if header is None:
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        return lines + ["", f"{section}:"] + block + [""]
    if re.match(rf"^{section}:\s*(\[\s*\])?\s*(#.*)?$", lines[header]):
        lines = lines[:header] + [f"{section}:"] + lines[header + 1:]
    end = header + 1
    while end < len(lines) and not _SECTION.match(lines[end]):
        end += 1
    while end > header + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and the comment banner that belong to the next section
    gap = [""] if end > header + 1 else []
    return lines[:end] + gap + block + lines[end:]


def _empty_sections(lines: list[str]) -> list[str]:
    """A section left with no record reads `section: []`, so the draft stays valid YAML."""
    out = list(lines)
    for i, line in enumerate(out):
        m = re.match(r"^([a-z_]+):\s*$", line)
        if m and m.group(1) in SECTION_ORDER:
            j = i + 1
            while j < len(out) and not out[j].strip():
                j += 1
            if j >= len(out) or _SECTION.match(out[j]):
                out[i] = f"{m.group(1)}: []"
    return out
