"""Errors a curator can act on: each names the file, line and field, and says how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    line: int
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" [{self.field}]" if self.field else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{where}{field}: {self.message}{hint}"


class InputError(Exception):
    """The facts cannot be read or are not well-formed (exit code 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_FIELD_IN_MESSAGE = re.compile(r"\(([a-z_]+(?:\.[a-z_]+)*)\)$")


def field_named_in(message: str) -> str | None:
    """Check messages end with the fact-file field they are about: '... (name.pinyin)'."""
    match = _FIELD_IN_MESSAGE.search(message.strip())
    return match.group(1) if match else None


def display_path(path: Path, root: Path | None = None) -> str:
    """A path relative to the project root when possible, so messages stay short."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


class NonConformingError(Exception):
    """The facts are well-formed but break a check: SHACL, quotes, quality (exit code 1)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"the data does not conform ({len(self.problems)} problem(s))")
