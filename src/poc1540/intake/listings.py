"""Bring a 1540 Committee POC listing into the project's canonical form, keeping its history.

The Committee publishes its listing as State, Point of Contact (name or title of the office)
and the date the Committee was notified; a contributor may copy it into a spreadsheet with
country names in any common spelling, and mark POCs that were replaced or withdrawn, with the
date they left. This module maps such a file onto ``data/raw/poc_listing.csv``: one row per
period in which a Member State had a POC (``iso3, appointed_on, withdrawn_on``; an empty
``withdrawn_on`` means the State still had one at the snapshot). A replaced POC's period runs
on into its successor's; a State with several POCs at once has one period. So the number of
States with a POC on any date (the 2018 comparison, the survey frame, the snapshot) is right
for any edition: a POC withdrawn in 2021 still counts in 2018 and 2020.

Names that do not resolve, non-members, dates that cannot be read without guessing, and
withdrawals without a date are errors with the reason and a fix; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from poc1540.core import atomic, paths
from poc1540.core.problems import CsvError, Problem, cap, iter_csv_text
from poc1540.intake import countries, dates

COUNTRY_COLUMNS = ("iso3", "country", "state", "member state", "member_state", "name")
DATE_COLUMNS = ("appointed_on", "date", "date of notification", "notified", "poc since", "appointed", "date of appointment")
END_COLUMNS = ("withdrawn_on", "withdrawn on", "until", "date of withdrawal", "replaced on", "end date", "left on")
STATUS_COLUMNS = ("status", "poc_appointed")
CURRENT = {"", "current", "active", "appointed", "yes"}
REPLACED = {"replaced", "superseded"}
WITHDRAWN = {"withdrawn", "no", "vacant", "none"}
COLUMNS = ["iso3", "appointed_on", "withdrawn_on"]


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[c] for c in candidates if c in lowered), None)


def _date(
    raw: str, shown: str, line: int, column: str, date_format: str | None, column_values: list[str]
) -> tuple[dt.date | None, Problem | None]:
    parsed = dates.read(raw, [date_format] if date_format else [], column=column_values)
    if isinstance(parsed, dates.DateError):
        return None, Problem(shown, parsed.rule, row=line, column=column, value=raw, fix=parsed.fix)
    assert not isinstance(parsed, dt.datetime)  # read without times gives a date
    return parsed, None


def merge_periods(spans: list[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """One State's POC spans (start, end or None while in office) as disjoint periods, in order.

    Spans that overlap or touch (a successor notified on the day the predecessor left) are one
    period: the State had a POC throughout.
    """
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], s[1] or dt.date.max)):
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                longer = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_start, longer)
                continue
        merged.append((start, end))
    return merged


@dataclass(frozen=True)
class _Columns:
    """Which column of the file holds what (``end`` and ``status`` are optional)."""

    country: str
    date: str
    end: str | None
    status: str | None


Row = tuple[str, dt.date, dt.date | None, str, int]  # iso3, start, end or None, status, line


def _read_row(
    row: pd.Series,
    line: int,
    cols: _Columns,
    known: dict[str, str],
    shown: str,
    date_format: str | None,
    starts: list[str],
    ends: list[str],
) -> Row | Problem | list[Problem] | None:
    """One POC row as (iso3, start, end, status, line), its problem(s), or None for a State listed without a POC."""
    name = row[cols.country]
    resolution = countries.resolve_member(name, known)
    iso3 = resolution.iso3
    if not resolution.ok or iso3 is None:
        return Problem(shown, resolution.rule, row=line, column=cols.country, value=name, fix=resolution.fix)
    status = row[cols.status].strip().lower() if cols.status else ""
    raw_start, raw_end = row[cols.date].strip(), (row[cols.end].strip() if cols.end else "")
    if status not in CURRENT | REPLACED | WITHDRAWN:
        return Problem(
            shown, "is not a POC status (empty or current, replaced, withdrawn)", row=line, column=cols.status, value=row[cols.status]
        )
    if not raw_start:
        if raw_end or status in REPLACED:
            return Problem(shown, "has no appointment date", row=line, column=cols.date, fix="give the date the Committee was notified")
        return None  # a State listed without a POC
    start, problem = _date(raw_start, shown, line, cols.date, date_format, starts)
    end, end_problem = _date(raw_end, shown, line, cols.end, date_format, ends) if raw_end and cols.end else (None, None)
    unreadable = [p for p in (problem, end_problem) if p is not None]
    if unreadable or start is None:
        return unreadable  # both dates' problems, when both are unreadable
    if status in WITHDRAWN and end is None:
        return Problem(
            shown,
            f"marks {known[iso3]}'s POC as withdrawn without the date it was withdrawn",
            row=line,
            column=cols.end or cols.status,
            value=raw_end if cols.end else row[cols.status],
            fix="add the withdrawal date in a 'withdrawn_on' column: without it the State's POC cannot be counted on any earlier date",
        )
    if end is not None and end <= start:
        return Problem(
            shown,
            f"ends on or before it starts ({start.isoformat()})",
            row=line,
            column=cols.end,
            value=raw_end,
            fix="correct one of the two dates",
        )
    return (iso3, start, end, status, line)


def _spans(rows: list[Row], known: dict[str, str], shown: str, status_col: str | None) -> tuple[dict[str, list], list[Problem]]:
    """Each State's (start, end) spans; a replaced POC without an end served until its successor was notified."""
    spans: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    problems = []
    for iso3, start, end, status, line in rows:
        if status in REPLACED and end is None:
            later = sorted(s for i, s, _, _, _ in rows if i == iso3 and s > start)
            if not later:
                problems.append(
                    Problem(
                        shown,
                        f"marks {known[iso3]}'s POC as replaced, but lists no later POC and no end date",
                        row=line,
                        column=status_col,
                        value="replaced",
                        fix="add the successor's row, or the date the POC left in a 'withdrawn_on' column",
                    )
                )
                continue
            end = later[0]
        spans.setdefault(iso3, []).append((start, end))
    return spans, problems


def import_listing(
    path: Path, members: Path = paths.MEMBER_STATES, date_format: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a listing export; return the canonical periods table, or the problems found (all of them)."""
    shown = paths.relative(path)
    try:
        frame = pd.concat(list(iter_csv_text(Path(path), shown)))
    except CsvError as exc:
        return None, [exc.problem]
    columns = list(frame.columns)
    country_col, date_col = _pick(columns, COUNTRY_COLUMNS), _pick(columns, DATE_COLUMNS)
    problems = []
    if country_col is None:
        problems.append(Problem(shown, f"has no country column (one of: {', '.join(COUNTRY_COLUMNS)})", row=1))
    if date_col is None:
        problems.append(Problem(shown, f"has no appointment date column (one of: {', '.join(DATE_COLUMNS)})", row=1))
    if problems or country_col is None or date_col is None:
        return None, problems
    cols = _Columns(country_col, date_col, _pick(columns, END_COLUMNS), _pick(columns, STATUS_COLUMNS))

    known = countries.member_states(members)
    starts = [v.strip() for v in frame[cols.date]]
    ends = [v.strip() for v in frame[cols.end]] if cols.end else []
    rows: list[Row] = []
    seen: dict[tuple[str, str, str], int] = {}
    for n, (_, row) in enumerate(frame.iterrows()):
        line = n + 2  # header is line 1
        got = _read_row(row, line, cols, known, shown, date_format, starts, ends)
        if isinstance(got, Problem):
            problems.append(got)
        elif isinstance(got, list):
            problems += got
        elif got is not None:
            key = (got[0], row[cols.date].strip(), row[cols.end].strip() if cols.end else "")
            if key in seen:
                problems.append(
                    Problem(
                        shown,
                        f"lists {known[got[0]]} ({got[0]}) again with the same dates (first on row {seen[key]})",
                        row=line,
                        column=cols.country,
                        value=row[cols.country],
                        fix="keep one row per POC",
                    )
                )
                continue
            seen[key] = line
            rows.append(got)
    spans, more = _spans(rows, known, shown, cols.status)
    problems += more
    if problems:
        return None, cap(problems)
    out = [(iso3, start.isoformat(), end.isoformat() if end else "") for iso3 in sorted(spans) for start, end in merge_periods(spans[iso3])]
    return pd.DataFrame(out, columns=COLUMNS), []


def periods(listing: pd.DataFrame) -> pd.DataFrame:
    """The canonical listing (read as text) with its dates typed; an open period has no ``withdrawn_on``."""
    return pd.DataFrame(
        {
            "iso3": listing["iso3"],
            "appointed_on": pd.to_datetime(listing["appointed_on"], format="%Y-%m-%d"),
            "withdrawn_on": pd.to_datetime(listing["withdrawn_on"].replace("", None), format="%Y-%m-%d"),
        }
    )


def holders_on(listing: pd.DataFrame, date: str | pd.Timestamp) -> set[str]:
    """The States (ISO3) that had a POC on ``date``: appointed on or before it, not yet withdrawn."""
    typed = listing if pd.api.types.is_datetime64_any_dtype(listing["appointed_on"]) else periods(listing)
    when = pd.Timestamp(date)
    holding = (typed["appointed_on"] <= when) & (typed["withdrawn_on"].isna() | (typed["withdrawn_on"] > when))
    return set(typed.loc[holding, "iso3"])


def run(file: Path, out: Path = paths.POC_LISTING, date_format: str | None = None) -> int:
    """The ``poc1540 import --format listing`` command: write the canonical listing or explain why not."""
    table, problems = import_listing(Path(file), date_format=date_format)
    for problem in problems:
        print(problem, file=sys.stderr)
    if table is None:
        print(f"\nNot imported: {len(problems)} problem(s) in {paths.relative(Path(file))}; nothing was written.", file=sys.stderr)
        return 1
    with atomic.atomic_path(Path(out)) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    current = int((table["withdrawn_on"] == "").sum())
    print(
        f"Imported {len(table)} POC period(s) of {table['iso3'].nunique()} Member States ({current} with a POC at the end) -> {paths.relative(Path(out))}.\n"
        "Now set the listing's snapshot (the date it was taken) and source in data/raw/manifest.yaml, then run make validate."
    )
    return 0
