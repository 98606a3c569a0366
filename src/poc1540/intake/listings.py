"""Bring a newer 1540 Committee POC listing into the project's canonical form.

The Committee publishes its listing as a list of States with the date each POC was notified; a
contributor may copy it into a spreadsheet with country names in any common spelling. This
module maps such a file onto ``data/raw/poc_listing.csv``: one row per Member State, ISO3
codes, ``poc_appointed`` yes/no and ``appointed_on``. States absent from the listing (or whose
POC was withdrawn: an empty date, or a status of "withdrawn") have no POC at the snapshot.
Names that do not resolve, and non-members, are errors with the reason and a suggestion.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from poc1540.core import atomic, paths
from poc1540.core.problems import CsvError, Problem, iter_csv_text
from poc1540.intake import countries

COUNTRY_COLUMNS = ("iso3", "country", "state", "member state", "member_state", "name")
DATE_COLUMNS = ("appointed_on", "date", "poc since", "appointed", "date of notification")
STATUS_COLUMNS = ("status", "poc_appointed")
WITHDRAWN = {"withdrawn", "no", "vacant", "none"}


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[c] for c in candidates if c in lowered), None)


def import_listing(path: Path, members: Path = paths.MEMBER_STATES) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a listing export; return the canonical table, or the problems found (all of them)."""
    shown = paths.relative(path)
    try:
        frame = pd.concat(list(iter_csv_text(Path(path), shown)))
    except CsvError as exc:
        return None, [exc.problem]
    country_col = _pick(list(frame.columns), COUNTRY_COLUMNS)
    date_col = _pick(list(frame.columns), DATE_COLUMNS)
    status_col = _pick(list(frame.columns), STATUS_COLUMNS)
    problems = []
    if country_col is None:
        problems.append(Problem(shown, f"has no country column (one of: {', '.join(COUNTRY_COLUMNS)})", row=1))
    if date_col is None:
        problems.append(Problem(shown, f"has no appointment date column (one of: {', '.join(DATE_COLUMNS)})", row=1))
    if problems:
        return None, problems

    known = countries.member_states(members)
    appointed: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for i, row in frame.iterrows():
        line = int(i) + 2
        name = row[country_col]
        resolution = countries.resolve_member(name, known)
        iso3 = resolution.iso3
        if not resolution.ok or iso3 is None:
            problems.append(Problem(shown, resolution.rule, row=line, column=country_col, value=name, fix=resolution.fix))
            continue
        if iso3 in first_row:
            problems.append(
                Problem(
                    shown,
                    f"lists {known[iso3]} ({iso3}) again (first on row {first_row[iso3]})",
                    row=line,
                    column=country_col,
                    value=name,
                    fix="keep one row per State",
                )
            )
            continue
        first_row[iso3] = line
        status = row[status_col].strip().lower() if status_col else ""
        raw_date = row[date_col].strip()
        if status in WITHDRAWN or not raw_date:
            continue
        date = pd.to_datetime(raw_date, errors="coerce", dayfirst=not raw_date[:4].isdigit())
        if pd.isna(date):
            problems.append(Problem(shown, "is not a date", row=line, column=date_col, value=raw_date, fix="write it as YYYY-MM-DD"))
            continue
        appointed[iso3] = date.date().isoformat()
    if problems:
        return None, problems
    table = pd.DataFrame({"iso3": sorted(known)})
    table["poc_appointed"] = table["iso3"].map(lambda c: "yes" if c in appointed else "no")
    table["appointed_on"] = table["iso3"].map(lambda c: appointed.get(c, ""))
    return table, []


def run(file: Path, out: Path = paths.POC_LISTING) -> int:
    """The ``poc1540 import --format listing`` command: write the canonical listing or explain why not."""
    table, problems = import_listing(Path(file))
    for problem in problems:
        print(problem, file=sys.stderr)
    if table is None:
        print(f"\nNot imported: {len(problems)} problem(s) in {paths.relative(Path(file))}; nothing was written.", file=sys.stderr)
        return 1
    with atomic.atomic_path(Path(out)) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    print(
        f"Imported {int((table['poc_appointed'] == 'yes').sum())} POCs for {len(table)} Member States -> {paths.relative(Path(out))}.\n"
        "Now update the listing's snapshot and source in data/raw/manifest.yaml (and params/coverage.yaml snapshot_date), then run make validate."
    )
    return 0
