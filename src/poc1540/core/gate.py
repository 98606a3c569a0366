"""The gate between a survey chapter and the report: whether the chapter is published.

Each survey chapter records one finding about itself, ``gate.<chapter>``
(:meth:`poc1540.publish.chapter.Chapter.withhold_if_too_small`): value True and text
:data:`PUBLISHED` when it publishes, value False and the sentence that replaces it when the survey
is too small. The findings stage (:mod:`poc1540.findings.gates`) reads these findings to choose
what the report includes. Both sides live above ``core``, so the names they share live here.
"""

from __future__ import annotations

import re

#: The first part of every gate finding's key.
PREFIX = "gate"
#: The text of a gate finding whose chapter is published.
PUBLISHED = "published"


def chapter_name(notebook: str) -> str:
    """The report chapter a notebook feeds: '04_tasks_roles' -> 'tasks_roles'."""
    return re.sub(r"^\d+_", "", notebook)


def key(notebook: str) -> str:
    """The gate finding's key for a notebook: '05_support' -> 'gate.support'."""
    return f"{PREFIX}.{chapter_name(notebook)}"
