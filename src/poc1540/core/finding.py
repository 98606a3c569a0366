"""The finding record: one number (or date, or label) the report states, and where it came from.

Written by the notebooks (:mod:`poc1540.publish.record`), merged by the findings stage
(:mod:`poc1540.findings`), compared by reviewers (:mod:`poc1540.review.diff`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from poc1540.errors import UserError

KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class FindingsError(UserError):
    """A finding that cannot be recorded or merged as given."""


@dataclass
class Finding:
    """One number (or date, or label) the report states, with where it came from."""

    key: str
    value: Any
    text: str
    unit: str
    notebook: str
    cell: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def format_value(value: Any, unit: str) -> str:
    """The default text for a value: integers with separators, percentages rounded."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if unit == "percent":
        return f"{value:.0f}%"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and unit not in ("ratio", "coefficient")):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
