"""The edition's dates agree with one another, checked before any stage runs.

Three dates frame an edition: the listing's snapshot (the manifest's ``snapshot`` of the
listing entry), the survey's frame date (``frame_date`` of the survey entry) and the earlier
count the coverage chapter compares with (``comparison_date`` in ``params/coverage.yaml``). The
listing can say who had a POC only up to the day it was taken, so the frame date must not be
later than the snapshot, the comparison date must be before it, and no row of the listing may be
dated after it. Each refusal names the file, the key or row, the value and the rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from poc1540.core import manifest as manifest_module
from poc1540.core import paths
from poc1540.core.problems import Problem

COVERAGE_PARAMS = "coverage.yaml"


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if len(str(value)) == 10 else None
    except ValueError:
        return None


def _entry(manifest: dict[str, Any], schema: str) -> tuple[str, dict[str, Any]] | None:
    return next(((n, e) for n, e in manifest["files"].items() if isinstance(e, dict) and e.get("schema") == schema), None)


def check(manifest: dict[str, Any], raw_dir: Path, listing: pd.DataFrame | None, params_dir: Path = paths.PARAMS) -> list[Problem]:
    """Every inconsistency between the listing snapshot, the survey frame date, the comparison date and the listing's rows."""
    shown = paths.relative(Path(raw_dir) / paths.MANIFEST.name)
    listing_entry, survey_entry = _entry(manifest, "poc_listing"), _entry(manifest, "survey_responses")
    if listing_entry is None:
        return []  # the validator reports the missing entry
    name, entry = listing_entry
    snapshot = _iso(entry.get("snapshot"))
    if snapshot is None:
        return [
            Problem(
                shown,
                f"entry '{name}': the listing's snapshot must be the date it was taken, written YYYY-MM-DD",
                column="snapshot",
                value=str(entry.get("snapshot")),
                fix="write the date of the listing, e.g. 2024-06-30",
            )
        ]
    problems: list[Problem] = []
    if survey_entry is not None:
        survey_name, survey = survey_entry
        frame = _iso(survey.get("frame_date"))
        if frame is None:
            problems.append(
                Problem(
                    shown,
                    f"entry '{survey_name}': frame_date (the survey went to the States listed with a POC on this day) must be a date written YYYY-MM-DD",
                    column="frame_date",
                    value=str(survey.get("frame_date")),
                    fix="add frame_date to the survey's entry",
                )
            )
        elif frame > snapshot:
            problems.append(
                Problem(
                    shown,
                    f"entry '{survey_name}': frame_date is after the listing's snapshot {snapshot.isoformat()} (entry '{name}'): "
                    "the listing cannot say which States had a POC on that day",
                    column="frame_date",
                    value=frame.isoformat(),
                    fix="use a listing taken on or after the frame date, or correct the frame date",
                )
            )
    problems += _comparison(Path(params_dir) / COVERAGE_PARAMS, snapshot, name)
    if listing is not None:
        problems += _rows_after(listing, snapshot, manifest_module.shown_path(name, entry, raw_dir))
    return problems


def _comparison(path: Path, snapshot: dt.date, listing_name: str) -> list[Problem]:
    shown = paths.relative(path)
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []  # the parameter check reports an unreadable file
    if not isinstance(values, dict) or "comparison_date" not in values:
        return []
    raw = values["comparison_date"]
    when = _iso(raw)
    if when is None:
        return [Problem(shown, "comparison_date must be a date written YYYY-MM-DD", column="comparison_date", value=str(raw))]
    if when >= snapshot:
        return [
            Problem(
                shown,
                f"comparison_date (an earlier count to compare with) must be before the listing's snapshot {snapshot.isoformat()} "
                f"(data/raw/manifest.yaml, entry '{listing_name}')",
                column="comparison_date",
                value=when.isoformat(),
                fix="choose a date before the snapshot",
            )
        ]
    return []


def _rows_after(listing: pd.DataFrame, snapshot: dt.date, shown: str) -> list[Problem]:
    """A listing row dated after the listing's own snapshot means the date or the snapshot is wrong."""
    problems = []
    for column in ("appointed_on", "withdrawn_on"):
        if column not in listing.columns:
            continue
        for i, value in listing[column].items():
            when = _iso(value)
            if when is not None and when > snapshot:
                problems.append(
                    Problem(
                        shown,
                        f"is after the listing's snapshot date {snapshot.isoformat()} (data/raw/manifest.yaml)",
                        row=int(i) + 2,
                        column=column,
                        value=str(value),
                        fix="correct the date, or update the snapshot in the manifest for a newer listing",
                    )
                )
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def overlapping_periods(listing: pd.DataFrame, shown: str) -> list[Problem]:
    """A State's POC periods must be disjoint and in order: the importer merges overlapping ones.

    A listing in the earlier one-row-per-State form (``poc_appointed``, no ``withdrawn_on``) is
    named as such, with the command that converts it.
    """
    if "poc_appointed" in listing.columns and "withdrawn_on" not in listing.columns:
        return [
            Problem(
                shown,
                "is in the earlier one-row-per-State form (poc_appointed, appointed_on), which cannot hold a POC's withdrawal",
                row=1,
                fix=f"convert it: poc1540 import --format listing {shown} (it writes one row per POC period)",
            )
        ]
    needed = {"iso3", "appointed_on", "withdrawn_on"}
    if not needed <= set(listing.columns):
        return []
    problems = []
    last: dict[str, tuple[str, int]] = {}
    for i, row in listing.iterrows():
        line = int(i) + 2
        iso3 = row["iso3"]
        if iso3 in last:
            end, first = last[iso3]
            if end == "" or row["appointed_on"] <= end:
                problems.append(
                    Problem(
                        shown,
                        f"starts a POC period for {iso3} before its period on row {first} ended"
                        + ("" if end == "" else f" ({end})")
                        + ": a State's periods must not overlap and must be in date order",
                        row=line,
                        column="appointed_on",
                        value=row["appointed_on"],
                        fix="import the listing with 'poc1540 import --format listing', which merges a State's POCs into periods",
                    )
                )
        last[iso3] = (row["withdrawn_on"], line)
    return problems
