"""The guard's records: a leak, a piece of published text, the result of a scan; rule names.

Nothing here reads files. The rules themselves are in :mod:`poc1540.guard.rules`, the scope in
:mod:`poc1540.guard.scope`; the package docstring of :mod:`poc1540.guard.audit` describes both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from poc1540.core import paths

# --------------------------------------------------------------------------- rule names

RESPONDENT_ID = "respondent id"
OPEN_TEXT = "open text"
PER_STATE = "per-State answer"
SMALL_CELL = "small cell"
RESPONDENT_ROWS = "respondent rows"
SURVEY_SCOPE = "survey scope"
UNREADABLE = "unreadable"
#: Every rule a leak can be reported under, in the order the summary lists them.
RULES = (RESPONDENT_ID, OPEN_TEXT, PER_STATE, SMALL_CELL, RESPONDENT_ROWS, SURVEY_SCOPE, UNREADABLE)

# --------------------------------------------------------------------------- constants

#: Open-text answers shorter than this are not searched (too likely to occur in ordinary prose).
MIN_OPEN_TEXT = 12
#: Purely numeric respondent ids shorter than this cannot be told apart from numbers.
MIN_NUMERIC_ID = 6
# With a small survey, half the respondents is fewer rows than an ordinary aggregate table has
# (ten challenges, eight suggestions): below this many rows a table is not taken for raw rows.
RESPONDENT_ROWS_FLOOR = 12
#: The class that declares a top-level report section State-level (``# Title {#sec-x .state-level}``).
STATE_LEVEL_CLASS = "state-level"

#: The guard's receipt, relative to the root (written only when the scan is clean).
RECEIPT = paths.RESULTS.relative_to(paths.ROOT) / "confidentiality.json"
#: Published folders and files, relative to the root.
RESULTS = paths.RESULTS.relative_to(paths.ROOT)
OUTPUT = paths.REPORT_OUTPUT.relative_to(paths.ROOT)
VARIABLES = paths.REPORT_VARIABLES.relative_to(paths.ROOT)
GENERATED = paths.REPORT.relative_to(paths.ROOT) / "_generated"
RAW = paths.DATA_RAW.relative_to(paths.ROOT)
PARAMS = paths.PARAMS.relative_to(paths.ROOT)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Leak:
    """One published piece of text that breaks a confidentiality rule."""

    file: str  # relative to the root, with forward slashes
    rule: str  # one of RULES
    detail: str
    location: str  # "line 3", "cell 7, output 1", "page 4", "finding 'x.y' text", ...

    def __str__(self) -> str:
        return f"{self.file}, {self.location}: {self.detail} (rule: {self.rule})"


@dataclass(frozen=True)
class Displayed:
    """A table an executed notebook displays: how many rows, and whether it shows respondent ids."""

    rows: int
    respondent_id: bool = False
    footer: bool = False  # counted from pandas' text footer ("[N rows x M columns]"), not HTML


@dataclass
class Segment:
    """A piece of published text, where it is, and which rules apply to it.

    Readers (:mod:`poc1540.guard.extract`) make segments survey-derived by default; only
    :mod:`poc1540.guard.scope` marks them State-level, from an explicit declaration.
    """

    location: str
    texts: tuple[str, ...]  # variants of the same text (e.g. with PDF line-end hyphens joined)
    survey: bool = True  # rules 3 and 4 apply
    cells: tuple[tuple[str, str], ...] = ()  # (column, value) of table cells that hold counts
    exempt_shares: bool = False  # State-level shares quoted in a survey chapter are not cells
    displayed: tuple[Displayed, ...] = ()  # tables shown by a notebook output (rule 5)
    counts: tuple[tuple[int, int], ...] = ()  # (count, base) a finding records in its extra
    key: str | None = None  # the variable a segment of report/_variables.yml holds
    section: int | None = None  # report: index of its top-level section (None: before the first)


@dataclass
class Audit:
    """The result of a scan: the leaks, and what was looked at.

    ``receipt()`` is what the guard publishes; the open-text and id counts stay out of it.
    """

    leaks: list[Leak]
    files: dict[str, str]  # relative path -> first 16 hex digits of its SHA-256
    skipped: list[str]  # published files whose text cannot be read (binary, not PDF)
    survey: str
    min_cell: int
    respondents: int
    open_texts: int
    open_texts_too_short: int
    ids_not_searched: int
    survey_folders: list[str]
    notes: list[str] = field(default_factory=list)
    # what the findings stage's disclosure check suppressed, per rule (results/disclosure.json)
    suppression: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the scan found no leak."""
        return not self.leaks

    def counts(self) -> dict[str, int]:
        """Leaks per rule, every rule listed."""
        found = Counter(leak.rule for leak in self.leaks)
        return {rule: found.get(rule, 0) for rule in RULES}

    def receipt(self) -> dict[str, Any]:
        """What the guard publishes in ``results/confidentiality.json``."""
        return {
            "passed": self.passed,
            "min_cell": self.min_cell,
            "survey": self.survey,
            # a count of respondents below the threshold is a small cell like any other
            "respondents": self.respondents if self.respondents >= self.min_cell else f"fewer than {self.min_cell}",
            # how many open-text answers there are is itself a count of respondents: left out
            "survey_derived_results": self.survey_folders,
            "leaks_per_rule": self.counts(),
            "suppression": self.suppression,
            "outputs_checked": len(self.files),
            "files_scanned": self.files,
            "files_skipped": self.skipped,
        }
