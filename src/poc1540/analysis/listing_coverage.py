"""POC coverage from the 1540 Committee listings: over time, by regional group, and overlaps."""

from __future__ import annotations

import pandas as pd


def states_with_poc_on(states: pd.DataFrame, date: str | pd.Timestamp) -> int:
    """How many States had appointed a POC on or before ``date``."""
    return int((states["appointed_on"] <= pd.Timestamp(date)).sum())


def appointments_by_year(states: pd.DataFrame, start_year: int, snapshot: str | pd.Timestamp) -> pd.DataFrame:
    """Cumulative number of States with a POC at the end of each year up to the snapshot.

    The last row is the snapshot date itself (not the end of its year), so the series ends at
    the listing's count.
    """
    snapshot = pd.Timestamp(snapshot)
    rows = []
    previous = states_with_poc_on(states, pd.Timestamp(year=start_year - 1, month=12, day=31))
    for year in range(start_year, snapshot.year + 1):
        cutoff = min(pd.Timestamp(year=year, month=12, day=31), snapshot)
        cumulative = states_with_poc_on(states, cutoff)
        rows.append({"year": year, "as_of": cutoff.date().isoformat(), "new": cumulative - previous, "cumulative": cumulative})
        previous = cumulative
    return pd.DataFrame(rows)


def coverage_by_group(states: pd.DataFrame) -> pd.DataFrame:
    """States, States with a POC and the share with a POC, per UN regional group (largest share first)."""
    table = (
        states.groupby(["group_code", "un_regional_group"], observed=True)
        .agg(states=("iso3", "size"), with_poc=("poc_appointed", "sum"))
        .reset_index()
    )
    table["with_poc"] = table["with_poc"].astype(int)
    table["share"] = table["with_poc"] / table["states"]
    return table.sort_values(["share", "group_code"], ascending=[False, True]).reset_index(drop=True)


def overlap(states: pd.DataFrame) -> pd.DataFrame:
    """Count of States in each combination of POC appointed / first report submitted / action plan."""
    combos = states.groupby(["poc_appointed", "first_report_submitted", "has_action_plan"]).size()
    full = pd.MultiIndex.from_product([[True, False]] * 3, names=combos.index.names)
    return combos.reindex(full, fill_value=0).rename("states").reset_index()


def share_with(states: pd.DataFrame, by: str, what: str) -> pd.DataFrame:
    """For each value of the boolean column ``by``: States, and how many have ``what``."""
    table = states.groupby(by).agg(states=("iso3", "size"), count=(what, "sum")).reindex([True, False], fill_value=0)
    table["count"] = table["count"].astype(int)
    return table


def cumulative_appointments(states: pd.DataFrame, start: str | pd.Timestamp, snapshot: str | pd.Timestamp) -> pd.DataFrame:
    """Step series of the number of States with a POC: one row per appointment date, framed by start and snapshot."""
    start, snapshot = pd.Timestamp(start), pd.Timestamp(snapshot)
    dates = states["appointed_on"].dropna().sort_values()
    dates = dates[dates <= snapshot]
    counts = pd.Series(range(1, len(dates) + 1), index=dates.values).groupby(level=0).max()
    series = pd.DataFrame({"date": counts.index, "cumulative": counts.values})
    first = pd.DataFrame({"date": [start], "cumulative": [int((dates < start).sum())]})
    last = pd.DataFrame({"date": [snapshot], "cumulative": [len(dates)]})
    return pd.concat([first, series[series["date"] >= start], last], ignore_index=True)
