"""The export's columns: naming them from the header rows, and finding the ones a mapping names.

A Qualtrics export has three header rows (column ids such as ``Q8_1``, question texts, and
import ids such as ``{"ImportId":"QID8_1"}``); a SurveyMonkey export two (the question text,
written once over all of its columns, then the option or statement text); a tidy CSV one. A
header that does not have its family's shape is refused before any answer is read, since every
later message names columns by it.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from poc1540.core.problems import Problem
from poc1540.intake.importers.common import Stop, norm, short
from poc1540.intake.importers.mapping import Mapping, Spec
from poc1540.intake.importers.read import Grid

HEADER_ROWS = {"canonical": 1, "qualtrics": 3, "surveymonkey": 2}
#: SurveyMonkey's row-2 text of a question that has one column (the first two mark a header row)
SM_SINGLE_OPTIONS = ("response", "open-ended response", "")


def letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(frozen=True)
class Column:
    """One column of the export, named the way the mapping names it."""

    index: int
    key: str  # Qualtrics column id, SurveyMonkey question text, canonical column name
    option: str = ""  # SurveyMonkey row-2 text
    import_id: str = ""  # Qualtrics row-3 import id

    @property
    def shown(self) -> str:
        """The column as messages name it: its header text and its spreadsheet letter."""
        name = f"{short(self.key)} / {self.option}" if self.option else self.key
        return f"{name} (column {letter(self.index)})"


def span(columns: list[Column]) -> str:
    """Several columns of one question as a message names them: their headers and letters, in short."""
    if len(columns) == 1:
        return columns[0].shown
    keys = list(dict.fromkeys(c.key for c in columns))
    indices = [c.index for c in columns]
    contiguous = indices == list(range(indices[0], indices[-1] + 1))
    letters = f"{letter(indices[0])} to {letter(indices[-1])}" if contiguous else ", ".join(letter(k) for k in indices)
    name = short(keys[0]) if len(keys) == 1 else f"{keys[0]} to {keys[-1]}"
    return f"{name} ({len(columns)} columns, {letters})"


def _import_id(cell: str) -> str | None:
    try:
        value = json.loads(cell)
    except (json.JSONDecodeError, TypeError):
        return None
    return str(value["ImportId"]) if isinstance(value, dict) and "ImportId" in value else None


def _qualtrics_columns(grid: Grid, header: list[list[str]], width: int) -> list[Column]:
    ids, _texts, imports = header
    found = [_import_id(cell) for cell in imports]
    # a legacy export's row 3 is already a response: few or none of its cells are import ids
    if sum(f is not None for f in found) < max(1, sum(1 for i in ids if i.strip()) // 2):
        raise Stop(
            [
                Problem(
                    grid.shown,
                    'does not have the three header rows of a Qualtrics export: row 3 should hold import ids such as {"ImportId":"QID1"}',
                    row=grid.lines[2],
                    value=short(",".join(imports), 80),
                    fix="export again from Qualtrics as CSV or Excel (not the legacy format, which has two header rows), or pick the --format that matches the file",
                )
            ]
        )
    return [Column(k, ids[k].strip(), import_id=found[k] or "") for k in range(width) if ids[k].strip()]


def _surveymonkey_columns(grid: Grid, header: list[list[str]], width: int) -> list[Column]:
    questions, options = header
    if "respondent id" not in {norm(q) for q in questions} and not any(norm(o) in SM_SINGLE_OPTIONS[:2] for o in options):
        raise Stop(
            [
                Problem(
                    grid.shown,
                    "does not have the two header rows of a SurveyMonkey export: row 1 should hold the question texts (with 'Respondent ID'), row 2 'Response' or the option texts",
                    row=grid.lines[0],
                    value=short(",".join(questions), 80),
                    fix="export again from SurveyMonkey (All responses data, CSV or XLS, expanded columns), or pick the --format that matches the file",
                )
            ]
        )
    current = ""
    columns = []
    for k in range(width):
        current = questions[k].strip() or current  # a question's text is written once over its columns
        if current or options[k].strip():
            columns.append(Column(k, current, option=options[k].strip()))
    return columns


def _check_unique(grid: Grid, columns: list[Column]) -> None:
    """Two columns of the same name would make every mapping of that name ambiguous."""
    seen: dict[tuple[str, str], Column] = {}
    problems = []
    for col in columns:
        name = (norm(col.key), norm(col.option))
        if name in seen:
            problems.append(
                Problem(
                    grid.shown,
                    f"has two columns with the same name (also column {letter(seen[name].index)})",
                    row=grid.lines[0],
                    column=col.shown,
                    fix="rename one of them in the export, or export again",
                )
            )
        seen[name] = col
    if problems:
        raise Stop(problems)


def export_columns(family: str, grid: Grid) -> list[Column]:
    """Name the export's columns from its header rows, checking the header has the family's shape."""
    need = HEADER_ROWS[family]
    width = max(len(r) for r in grid.rows[:need])
    header = [row + [""] * (width - len(row)) for row in grid.rows[:need]]
    if family == "qualtrics":
        columns = _qualtrics_columns(grid, header, width)
    elif family == "surveymonkey":
        columns = _surveymonkey_columns(grid, header, width)
    else:
        columns = [Column(k, header[0][k].strip()) for k in range(width) if header[0][k].strip()]
    _check_unique(grid, columns)
    return columns


class Columns:
    """The export's columns, found by the names a mapping gives them.

    Remembers which columns were used, so that the ones left over can be reported, and appends
    to ``problems`` (the import's list) a problem for every column the mapping names and the
    export does not have.
    """

    def __init__(self, family: str, grid: Grid, mapping: Mapping, codebook_shown: str, problems: list[Problem]):
        self.family, self.grid, self.mapping = family, grid, mapping
        self.codebook_shown = codebook_shown
        self.problems = problems
        self.all = export_columns(family, grid)
        self.used: set[int] = set()

    def find(self, name: str, option: str | None = None) -> list[Column]:
        """The columns a mapping's ``column`` (and SurveyMonkey ``option``) text names."""
        key = norm(name)
        if self.family == "qualtrics":
            return [c for c in self.all if norm(c.key) == key or (c.import_id and norm(c.import_id) == key)]
        if self.family == "surveymonkey":
            cols = [c for c in self.all if norm(c.key) == key]
            if option is not None:
                return [c for c in cols if norm(c.option) == norm(option)]
            return cols
        return [c for c in self.all if norm(c.key) == key]

    def _missing(self, qid: str, what: str, name: str) -> None:
        names = sorted({c.key for c in self.all})
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f" (closest in the export: {close[0]!r})" if close else ""
        if self.family == "canonical":
            self.problems.append(
                Problem(
                    self.grid.shown,
                    f"is missing the codebook column '{name}'{hint}",
                    row=self.grid.lines[0],
                    column=name,
                    fix=f"the header must hold the column ids of {self.codebook_shown}, in any order",
                )
            )
            return
        self.problems.append(
            Problem(
                self.grid.shown,
                f"has no {what} {name!r} for '{qid}', which {self.mapping.shown} names{hint}",
                row=self.grid.lines[0],
                column=qid,
                fix=f"correct '{qid}' in {self.mapping.shown} to the export's header, or export again with that question",
            )
        )

    def single(self, spec: Spec) -> Column | None:
        """The one column of a single-column question, or None (with a problem) when not exactly one."""
        assert spec.column is not None
        if self.family == "surveymonkey" and spec.option is None:
            cols = self.find(spec.column)
            if len(cols) > 1:  # a question with an "Other (please specify)" column besides its answer
                cols = [c for c in cols if norm(c.option) in SM_SINGLE_OPTIONS] or cols
        else:
            cols = self.find(spec.column, spec.option)
        if not cols:
            self._missing(spec.qid, "column" if spec.option is None else f"column (option {spec.option!r}) under", spec.column)
            return None
        if len(cols) > 1:
            self.problems.append(
                Problem(
                    self.grid.shown,
                    f"has {len(cols)} columns under {spec.column!r}",
                    row=self.grid.lines[0],
                    column=spec.qid,
                    fix=f"say which with 'option:' under '{spec.qid}' in {self.mapping.shown} ({', '.join(repr(c.option) for c in cols)})",
                )
            )
            return None
        self.used.add(cols[0].index)
        return cols[0]

    def _item_target(self, spec: Spec, n: int, item: dict[str, Any]) -> tuple[str, bool, list[Column]]:
        """Where item ``n`` (1-based) of a question is: the mapping's target, or the family's default."""
        code, label = str(item["code"]), str(item["label"])
        if self.family == "canonical":
            target, any_text = spec.items.get(code, (code, False))
            return target, any_text, self.find(target)
        if self.family == "qualtrics":
            target, any_text = spec.items.get(code, (f"{spec.column}_{n}", False))
            return target, any_text, self.find(target)
        target, any_text = spec.items.get(code, (label, False))
        return target, any_text, self.find(spec.column or "", target)

    def _missing_items(self, spec: Spec, missing: list[str]) -> None:
        if self.family == "canonical":
            self.problems.append(
                Problem(
                    self.grid.shown,
                    f"is missing the codebook column(s) {', '.join(missing)} of '{spec.qid}'",
                    row=self.grid.lines[0],
                    column=spec.qid,
                    fix=f"the header must hold the column ids of {self.codebook_shown}, in any order",
                )
            )
            return
        where = f"under the question {spec.column!r} " if self.family == "surveymonkey" else ""
        hint = ""
        if self.family == "surveymonkey":  # option texts are long: the closest one is the likely rewording
            have = [c.option for c in self.find(spec.column or "")]
            close = {m: difflib.get_close_matches(m, have, n=1, cutoff=0.5) for m in missing}
            hint = "; ".join(f"{m!r}: closest {c[0]!r}" for m, c in close.items() if c)
        self.problems.append(
            Problem(
                self.grid.shown,
                f"has no column {where}for {len(missing)} item(s) of '{spec.qid}': {', '.join(repr(m) for m in missing)}",
                row=self.grid.lines[0],
                column=spec.qid,
                fix=f"map each item to its column under 'items' of '{spec.qid}' in {self.mapping.shown}" + (f" ({hint})" if hint else ""),
            )
        )

    def _unclaimed(self, spec: Spec, claimed: set[int]) -> list[Column]:
        """A question's columns that no item claims: an option the codebook does not know."""
        if self.family == "surveymonkey":
            return [c for c in self.find(spec.column or "") if c.index not in claimed]
        if self.family == "qualtrics" and spec.column:
            pattern = re.compile(rf"^{re.escape(spec.column)}_\d+$", re.IGNORECASE)
            return [c for c in self.all if pattern.match(c.key) and c.index not in claimed]
        return []

    def items(self, spec: Spec, q: dict[str, Any]) -> tuple[dict[str, tuple[Column, bool]], list[Column]] | None:
        """Item code -> (column, any_text), and the question's columns that no item claims.

        None (with a problem) when an item's column is not in the export.
        """
        out: dict[str, tuple[Column, bool]] = {}
        missing = []
        for n, item in enumerate(q["items"], start=1):
            target, any_text, found = self._item_target(spec, n, item)
            if len(found) != 1:
                missing.append(target)
                continue
            out[str(item["code"])] = (found[0], any_text)
            self.used.add(found[0].index)
        if missing:
            self._missing_items(spec, missing)
            return None
        return out, self._unclaimed(spec, {c.index for c, _ in out.values()})

    def question_columns(self, spec: Spec, q: dict[str, Any]) -> list[Column]:
        """Every export column the mapping would read a question from (none reported missing)."""
        found: list[Column] = []
        if spec.column:
            found += self.find(spec.column, spec.option)
        if q["type"] in ("multi", "likert"):
            for n, item in enumerate(q["items"], start=1):
                found += self._item_target(spec, n, item)[2]
        unique = {c.index: c for c in found}
        return [unique[k] for k in sorted(unique)]

    def report_unused(self) -> None:
        """Columns that are neither imported nor dropped: said, so that no question is lost silently."""
        drop = {norm(d) for d in self.mapping.drop}
        for col in self.all:
            if col.index in self.used or norm(col.key) in drop or (col.import_id and norm(col.import_id) in drop):
                continue
            if self.family == "canonical":
                self.problems.append(
                    Problem(
                        self.grid.shown,
                        "is not a codebook column and is not imported",
                        row=self.grid.lines[0],
                        column=col.shown,
                        severity="warning",
                        fix=f"rename it to a column id of {self.codebook_shown}, or remove it",
                    )
                )
                continue
            self.problems.append(
                Problem(
                    self.grid.shown,
                    "is not mapped to the codebook and is not imported",
                    row=self.grid.lines[0],
                    column=col.shown,
                    severity="warning",
                    fix=f"map it in {self.mapping.shown}, or list it under 'drop' there",
                )
            )
