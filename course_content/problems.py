"""What the content checker reports: problems with a file and line, and the error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentProblem:
    path: Path
    line: int  # 1-based line in `path`; 1 for problems with a whole file
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Base class for errors raised while loading course content."""


class ContentInvalid(ContentError):
    """The content on disk breaks the format; `problems` lists every break."""

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{count} course content problem(s):\n{lines}")
