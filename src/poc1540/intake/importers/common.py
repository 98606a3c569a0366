"""What every step of an import shares: the exception that aborts it, and the form texts are compared in."""

from __future__ import annotations

import unicodedata
from typing import Any

from poc1540.core.problems import Problem
from poc1540.core.text import collapse_space, fold_typography


class Stop(Exception):
    """Abort the import with these problems (a file that cannot be read at all, a broken mapping)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def norm(text: Any) -> str:
    """The form answer and column texts are compared in: case, spacing, curly quotes and dashes ignored."""
    return collapse_space(fold_typography(unicodedata.normalize("NFKC", str(text)))).casefold()


def short(text: str, width: int = 60) -> str:
    """A long header or answer text cut to ``width`` characters for a message."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
