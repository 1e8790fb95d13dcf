"""Error types shared by every stage, and the exit codes the CLI gives them.

A stage raises one of these for anything the user can fix; the CLI prints it as
`Error: …` and exits with its code. Anything else is a bug and shows a traceback only
with `--debug`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_BAD_INPUT = 2
EXIT_EXTERNAL = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    path: Path | str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class CardfError(Exception):
    """A failure the user can act on; `exit_code` follows the README's table."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str | None = None, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        if message is None:
            message = str(self.problems[0]) if len(self.problems) == 1 else f"{len(self.problems)} problems"
        super().__init__(message)

    def lines(self, limit: int = 50) -> list[str]:
        if not self.problems:
            return [str(self)]
        shown = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(f"… and {len(self.problems) - limit} more")
        if len(self.problems) > 1:
            shown.insert(0, str(self))
        return shown


class InputError(CardfError):
    """A source or RDF file that cannot be read, parsed or understood (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class UsageError(CardfError):
    """Options that do not fit together (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class NotConforming(CardfError):
    """The data was read but violates the shapes (exit 1)."""

    exit_code = EXIT_NOT_CONFORMING


class ExternalError(CardfError):
    """A store, endpoint or the file system failed (exit 3)."""

    exit_code = EXIT_EXTERNAL
