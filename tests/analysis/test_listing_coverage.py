"""Coverage logic on small hand-made tables whose answers can be counted by eye."""

from __future__ import annotations

import pandas as pd

from poc1540.analysis import listing_coverage as coverage


def states() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": ["AAA", "BBB", "CCC", "DDD", "EEE"],
            "group_code": ["AFR", "AFR", "WEOG", "WEOG", "WEOG"],
            "un_regional_group": ["African Group"] * 2 + ["Western European and Others Group"] * 3,
            "appointed_on": pd.to_datetime(["2005-03-01", None, "2010-06-30", "2018-09-01", "2020-08-31"]),
            "poc_appointed": [True, False, True, True, True],
            "first_report_submitted": [True, False, True, True, False],
            "has_action_plan": [True, False, False, True, False],
        }
    )


def periods() -> pd.DataFrame:
    """The POC periods of the same States; FFF's POC was withdrawn on 2019-06-01 (in office 2010 to then)."""
    s = states().dropna(subset=["appointed_on"])
    withdrawn = pd.DataFrame(
        {"iso3": ["FFF"], "appointed_on": pd.to_datetime(["2010-01-01"]), "withdrawn_on": pd.to_datetime(["2019-06-01"])}
    )
    return pd.concat([s[["iso3", "appointed_on"]].assign(withdrawn_on=pd.NaT), withdrawn], ignore_index=True)


def test_counts_on_dates_include_the_day_itself() -> None:
    s = periods()
    assert coverage.states_with_poc_on(s, "2018-08-31") == 3  # FFF still in office
    assert coverage.states_with_poc_on(s, "2018-09-01") == 4
    assert coverage.states_with_poc_on(s, "2019-06-01") == 3  # withdrawn that day
    assert coverage.states_with_poc_on(s, "2020-08-31") == 4


def test_time_between_in_words() -> None:
    assert coverage.time_between("2018-08-31", "2020-08-31") == "two years"
    assert coverage.time_between("2018-08-31", "2024-08-31") == "six years"
    assert coverage.time_between("2019-08-31", "2020-08-31") == "a year"
    assert coverage.time_between("2018-08-31", "2024-06-30") == "five years and ten months"  # month end to month end
    assert coverage.time_between("2018-08-10", "2024-06-30") == "about five years and eleven months"
    assert coverage.time_between("2020-05-31", "2020-08-31") == "three months"


def test_change_in_words() -> None:
    assert coverage.change_wording(102, 123) == "21 more States had a POC"
    assert coverage.change_wording(102, 101) == "1 fewer State had a POC"


def test_appointments_by_year_ends_at_the_snapshot() -> None:
    table = coverage.appointments_by_year(periods()[lambda d: d.iso3 != "FFF"], 2004, "2020-08-31")
    assert table["year"].tolist() == list(range(2004, 2021))
    assert table.iloc[-1][["as_of", "cumulative"]].tolist() == ["2020-08-31", 4]
    assert table["new"].sum() == 4
    assert table.set_index("year").loc[2018, "new"] == 1


def test_cumulative_series_is_framed_by_start_and_snapshot() -> None:
    steps = coverage.cumulative_appointments(periods(), "2004-01-01", "2019-12-31")
    assert steps["cumulative"].tolist() == [0, 1, 2, 3, 4, 3, 3]  # up with each appointment, down at FFF's withdrawal
    assert steps["date"].iloc[-1] == pd.Timestamp("2019-12-31")


def test_coverage_by_group_sorted_by_share() -> None:
    table = coverage.coverage_by_group(states())
    assert table[["group_code", "states", "with_poc"]].values.tolist() == [["WEOG", 3, 3], ["AFR", 2, 1]]
    assert table["share"].tolist() == [1.0, 0.5]


def test_overlap_has_every_combination() -> None:
    table = coverage.overlap(states())
    assert len(table) == 8 and table["states"].sum() == 5
    row = table[(table.poc_appointed) & (table.first_report_submitted) & (table.has_action_plan)]
    assert row["states"].item() == 2


def test_share_with_keeps_both_groups() -> None:
    table = coverage.share_with(states(), "poc_appointed", "has_action_plan")
    assert table.loc[True].tolist() == [4, 2] and table.loc[False].tolist() == [1, 0]
