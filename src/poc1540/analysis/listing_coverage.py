"""POC coverage from the 1540 Committee listings: over time, by regional group, and overlaps.

Counts on a date come from the listing's POC periods (``iso3, appointed_on, withdrawn_on``;
``withdrawn_on`` NaT while in office): a State counts on a date when one of its periods covers
it, so a POC withdrawn later still counts on every earlier date.
"""

from __future__ import annotations

import pandas as pd


def holding_on(periods: pd.DataFrame, date: str | pd.Timestamp) -> pd.Series:
    """For each period, whether it covers ``date`` (appointed on or before it, withdrawn after it)."""
    when = pd.Timestamp(date)
    return (periods["appointed_on"] <= when) & (periods["withdrawn_on"].isna() | (periods["withdrawn_on"] > when))


def states_with_poc_on(periods: pd.DataFrame, date: str | pd.Timestamp) -> int:
    """How many States had a POC in office on ``date``."""
    return int(periods.loc[holding_on(periods, date), "iso3"].nunique())


def appointments_between(periods: pd.DataFrame, first: str | pd.Timestamp, last: str | pd.Timestamp) -> int:
    """How many POC periods began from ``first`` to ``last`` (both included): first appointments and re-appointments."""
    starts = periods["appointed_on"]
    return int(((starts >= pd.Timestamp(first)) & (starts <= pd.Timestamp(last))).sum())


def appointments_by_year(periods: pd.DataFrame, start_year: int, snapshot: str | pd.Timestamp) -> pd.DataFrame:
    """Number of States with a POC at the end of each year up to the snapshot, and its change.

    The last row is the snapshot date itself (not the end of its year), so the series ends at
    the listing's count. ``new`` is the net change over the year (appointments less withdrawals).
    """
    snapshot = pd.Timestamp(snapshot)
    rows = []
    previous = states_with_poc_on(periods, pd.Timestamp(year=start_year - 1, month=12, day=31))
    for year in range(start_year, snapshot.year + 1):
        cutoff = min(pd.Timestamp(year=year, month=12, day=31), snapshot)
        cumulative = states_with_poc_on(periods, cutoff)
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


def cumulative_appointments(periods: pd.DataFrame, start: str | pd.Timestamp, snapshot: str | pd.Timestamp) -> pd.DataFrame:
    """Step series of the number of States with a POC: one row per date it changed, framed by start and snapshot."""
    start, snapshot = pd.Timestamp(start), pd.Timestamp(snapshot)
    events = pd.concat([periods["appointed_on"], periods["withdrawn_on"]]).dropna()
    events = events[(events >= start) & (events <= snapshot)].drop_duplicates().sort_values()
    dates = [start, *events[events > start], snapshot]
    return pd.DataFrame({"date": dates, "cumulative": [states_with_poc_on(periods, d) for d in dates]})


def time_between(earlier: str | pd.Timestamp, later: str | pd.Timestamp) -> str:
    """How long before ``later`` ``earlier`` is, in words: 'six years', 'two years and three months', 'about five years'.

    Calendar years and months (31 August 2018 to 31 August 2024 is six years exactly); a
    remainder of days makes the wording approximate, to the nearest month, and says so.
    """
    from dateutil.relativedelta import relativedelta

    from poc1540.core.text import counted

    a, b = pd.Timestamp(earlier).date(), pd.Timestamp(later).date()
    if a > b:
        raise ValueError(f"{a} is after {b}")
    gap = relativedelta(b, a)
    months = gap.years * 12 + gap.months
    if gap.days == 0 and months == 0:
        return "the same day"
    if months == 0:
        return counted(gap.days, "day")
    about = "" if gap.days == 0 else "about "
    if gap.days >= 15:
        months += 1
    years, months = divmod(months, 12)
    parts = [counted(years, "year")] if years else []
    if months:
        parts.append(counted(months, "month"))
    return about + " and ".join(parts)


def change_wording(before: int, after: int) -> str:
    """The net change in the number of States with a POC, in words: '21 more States had a POC', '1 fewer State had a POC'."""
    change = after - before
    if change == 0:
        return "the same number of States had a POC"
    unit = "State" if abs(change) == 1 else "States"
    return f"{abs(change)} {'more' if change > 0 else 'fewer'} {unit} had a POC"
