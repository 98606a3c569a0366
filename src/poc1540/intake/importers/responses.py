"""Which rows of an export are responses, and whether each was submitted.

A row cut short (or with stray separators) stops the import; previews and tests (the mapping's
``skip_rows``) are left out with a warning, and a row of a response type the mapping does not know
(neither skipped nor in ``keep_rows``) is refused; the completion columns the mapping names
(``completion: finished / progress / submitted_at``) become the survey file's ``finished``
(yes/no) and ``submitted_at`` columns, which the respondent rule (:mod:`poc1540.intake.respondents`)
reads. Every problem names the export line, the column and the value.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from poc1540.core.problems import Problem
from poc1540.intake.importers.answers import FINISHED_TEXTS
from poc1540.intake.importers.columns import Column
from poc1540.intake.importers.common import Stop, norm

if TYPE_CHECKING:
    from poc1540.intake.importers.translate import Translator

Rows = list[tuple[int, list[str]]]  # (export line, cells) of each response


def check_widths(t: Translator, data: Rows, width: int) -> None:
    """A row with fewer cells than the header (or extra non-empty ones) was cut or mis-split."""
    cut = []
    for line, row in data:
        if len(row) != width and any(cell.strip() for cell in row[width:]) or len(row) < width:
            cut.append(
                Problem(
                    t.grid.shown,
                    f"has {len(row)} values but the header has {width} columns: the row is cut short or has stray separators",
                    row=line,
                    fix="export the file again (complete); if it was edited, check the commas and quotes of this row",
                )
            )
    if cut:
        raise Stop(t.problems + cut)


def kept_rows(t: Translator, data: Rows, need: int) -> Rows:
    """The rows that are responses: previews and tests (the mapping's skip_rows) are left out; a
    row whose response type is neither skipped nor one the mapping keeps (keep_rows) is refused."""
    skip_cols = []
    for name, values in t.mapping.skip_rows.items():
        cols = t.columns.find(name)
        if cols:
            skip_cols.append((cols[0], {norm(v) for v in values}))
    keep_cols = []
    for name, listed in t.mapping.keep_rows.items():
        cols = t.columns.find(name)
        if cols:
            keep_cols.append((cols[0], name, {norm(v) for v in listed}))
        else:
            t.problems.append(
                Problem(
                    t.grid.shown,
                    f"has no column {name!r} ('keep_rows' in {t.mapping.shown}): previews, tests and spam cannot be told from responses",
                    row=t.grid.lines[0],
                    severity="warning",
                    fix="export again with the platform's metadata columns, or correct the column name in the mapping",
                )
            )
    kept = []
    for line, row in data:
        hit = next(((c, row[c.index]) for c, values in skip_cols if norm(row[c.index]) in values), None)
        if hit:
            t.problems.append(
                Problem(
                    t.grid.shown,
                    f"is a '{hit[1]}' response ({hit[0].key}), not a real one, and is skipped",
                    row=line,
                    severity="warning",
                )
            )
            continue
        for col, name, allowed in keep_cols:
            if norm(row[col.index]) not in allowed:
                t.problems.append(
                    Problem(
                        t.grid.shown,
                        f"is a response of a type the mapping neither keeps nor skips ({name}: {row[col.index].strip()!r})",
                        row=line,
                        column=col.shown,
                        value=row[col.index].strip(),
                        fix=f"if it is a real response, add the value under 'keep_rows: {name}' in {t.mapping.shown}; "
                        f"if it is not (a preview, a test, spam), under 'skip_rows: {name}'",
                    )
                )
        kept.append((line, row))
    if not kept:
        lines = t.grid.lines
        raise Stop(
            t.problems
            + [
                Problem(
                    t.grid.shown,
                    "has its header rows but no responses" if not data else "has no responses left once previews and tests are skipped",
                    row=lines[-1] if data else lines[min(need, len(lines)) - 1],
                    fix="export the file again with its responses (check the export's filters)",
                )
            ]
        )
    return kept


def completion_columns(t: Translator, kept: Rows) -> dict[str, list[str]]:
    """The columns ``finished`` (yes/no) and ``submitted_at`` (YYYY-MM-DDTHH:MM:SS), from the
    columns the mapping's ``completion`` names; those the export lacks are left out, with a warning."""
    spec = t.mapping.completion
    meta: dict[str, list[str]] = {}
    found: dict[str, Column] = {}
    for key in ("finished", "progress", "submitted_at"):
        name = getattr(spec, key)
        if name is None:
            continue
        cols = t.columns.find(name)
        if len(cols) == 1:
            found[key] = cols[0]
            t.columns.used.add(cols[0].index)
        elif t.family != "canonical":  # a tidy CSV need not carry them
            t.problems.append(
                Problem(
                    t.grid.shown,
                    f"has no column {name!r} ('completion: {key}' in {t.mapping.shown})"
                    + ("; every response is taken as submitted" if key in ("finished", "progress") else ""),
                    row=t.grid.lines[0],
                    severity="warning",
                    fix="export again with the platform's metadata columns, or correct the column name in the mapping",
                )
            )
    if "finished" in found or "progress" in found:
        meta["finished"] = [finished_flag(t, line, row, found.get("finished"), found.get("progress")) for line, row in kept]
    if "submitted_at" in found:
        col = found["submitted_at"]
        meta["submitted_at"] = [timestamp(t, line, col, row[col.index], spec.date_formats) for line, row in kept]
    return meta


def finished_flag(t: Translator, line: int, row: list[str], finished: Column | None, progress: Column | None) -> str:
    """yes/no from the finished flag (True/False, 1/0, Completed/Partial) and the progress (100 = finished)."""
    flag = None
    if finished is not None:
        text = row[finished.index].strip()
        flag = FINISHED_TEXTS.get(norm(text))
        if flag is None:
            t.problems.append(
                Problem(
                    t.grid.shown,
                    "is not a completion status the importer knows",
                    row=line,
                    column=finished.shown,
                    value=text,
                    fix=f"it must be one of {', '.join(sorted(FINISHED_TEXTS))}; check the column named by 'completion: finished' in {t.mapping.shown}",
                )
            )
            return ""
    if progress is None:
        return flag or ""
    text = row[progress.index].strip()
    try:
        percent = float(text)
    except ValueError:
        percent = -1.0
    if not 0 <= percent <= 100:
        t.problems.append(
            Problem(
                t.grid.shown,
                "is not a progress percentage from 0 to 100",
                row=line,
                column=progress.shown,
                value=text,
                fix="export again",
            )
        )
        return ""
    if flag == "yes" and percent < 100:
        t.problems.append(
            Problem(
                t.grid.shown,
                f"says the response was finished, but its progress is {text}% ({progress.key})",
                row=line,
                column=finished.shown if finished else progress.shown,
                value=row[finished.index].strip() if finished else text,
                fix="check the export: a finished response has progress 100; correct or remove the row",
            )
        )
        return ""
    return flag or ("yes" if percent == 100 else "no")


def timestamp(t: Translator, line: int, col: Column, text: str, formats: list[str]) -> str:
    """``text`` as YYYY-MM-DDTHH:MM:SS (``formats``, or --date-format); an unreadable or ambiguous date is a problem."""
    if not text.strip():
        return ""
    value = t.read_date(line, col, text, formats, "'completion: submitted_at'", times=True)
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else ""
