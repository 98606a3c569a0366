"""A newer Committee listing keeps the history: POCs replaced or withdrawn after 2018 still count
on every earlier date; names in common spellings resolve; dates are never guessed; an edition whose
dates disagree is refused before anything runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from poc1540 import cli
from poc1540.analysis import listing_coverage
from poc1540.core import paths
from poc1540.intake import listings, validate

# As the Committee publishes it (State, office, date of notification), copied into a spreadsheet
# with the former POCs kept and marked: Norway's POC withdrawn in 2021, Kenya's replaced in 2022
# (the successor's row follows), Chile's withdrawn in 2019 and a new one notified in 2023 (a
# vacancy in between), Peru with two POCs at once.
EDITION = """State,Point of Contact (name/title of office),Date of notification,Status,Withdrawn on
Norway,"Ministry of Foreign Affairs, Section for Disarmament",2012-09-01,withdrawn,2021-03-15
Kenya,National Commission on Nuclear Safety,2010-01-20,replaced,
Kenya,"Ministry of Foreign Affairs, Directorate of Multilateral Affairs",2022-05-02,,
Chile,Dirección de Seguridad Internacional,2015-06-30,withdrawn,2019-02-01
Chile,"Ministerio de Relaciones Exteriores, División de Seguridad",2023-03-01,,
Peru,Ministerio de Relaciones Exteriores,2009-04-07,,
Peru,Dirección Nacional de Inteligencia,2017-11-10,,
Türkiye,"Ministry of Foreign Affairs, Department of Arms Control",2010-05-04,,
"Korea, Republic of","Ministry of Foreign Affairs, Nonproliferation Division",2008-01-15,,
USA,"Department of State, Bureau of International Security",2019-06-30,,
Kenya (former),,,,
"""


def write(tmp_path: Path, text: str, name: str = "listing.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edition(tmp_path: Path) -> Path:
    return write(tmp_path, EDITION.replace("Kenya (former),,,,\n", ""))


def count_on(raw: str, date: str) -> int:
    """Independent recomputation from the edition itself: States with a POC row covering the date.

    A replaced POC without a withdrawal date serves until the same State's next notification.
    """
    from io import StringIO

    df = pd.read_csv(StringIO(raw), dtype=str, keep_default_na=False)
    df["start"] = pd.to_datetime(df["Date of notification"])
    df["end"] = pd.to_datetime(df["Withdrawn on"].replace("", None))
    df = df.sort_values(["State", "start"])
    nxt = df.groupby("State")["start"].shift(-1)
    df.loc[df["Status"].eq("replaced") & df["end"].isna(), "end"] = nxt
    when = pd.Timestamp(date)
    holding = (df["start"] <= when) & (df["end"].isna() | (df["end"] > when))
    return df.loc[holding, "State"].nunique()


@pytest.mark.parametrize("date", ["2018-08-31", "2019-03-01", "2020-08-31", "2021-06-30", "2022-05-01", "2022-05-02", "2024-06-30"])
def test_counts_at_every_date_match_an_independent_recomputation(tmp_path: Path, date: str) -> None:
    raw = EDITION.replace("Kenya (former),,,,\n", "")
    table, problems = listings.import_listing(edition(tmp_path))
    assert problems == []
    periods = listings.periods(table)
    assert listing_coverage.states_with_poc_on(periods, date) == count_on(raw, date)
    assert len(listings.holders_on(table, date)) == count_on(raw, date)


def test_withdrawn_and_replaced_pocs_keep_their_history(tmp_path: Path) -> None:
    table, problems = listings.import_listing(edition(tmp_path))
    assert problems == []
    assert list(table.columns) == ["iso3", "appointed_on", "withdrawn_on"]
    got = {(r.iso3, r.appointed_on, r.withdrawn_on) for r in table.itertuples()}
    assert ("NOR", "2012-09-01", "2021-03-15") in got  # withdrawn after 2018: counted in 2018 and 2020
    assert ("KEN", "2010-01-20", "") in got  # a replacement does not interrupt the State's POC
    assert {("CHL", "2015-06-30", "2019-02-01"), ("CHL", "2023-03-01", "")} <= got  # a vacancy in between
    assert [r for r in got if r[0] == "PER"] == [("PER", "2009-04-07", "")]  # two POCs at once: one period
    assert {"NOR", "KEN", "CHL", "PER", "TUR"} <= listings.holders_on(table, "2018-08-31")
    assert "NOR" in listings.holders_on(table, "2020-08-31") and "NOR" not in listings.holders_on(table, "2024-06-30")
    assert "CHL" not in listings.holders_on(table, "2020-08-31")


def test_a_withdrawal_without_its_date_is_refused(tmp_path: Path) -> None:
    text = "State,Date of notification,Status\nNorway,2012-09-01,withdrawn\nKenya,2010-01-20,replaced\n"
    table, problems = listings.import_listing(write(tmp_path, text))
    assert table is None
    by_row = {p.row: p for p in problems}
    assert "withdrawn without the date" in by_row[2].rule and "withdrawn_on" in by_row[2].fix
    assert "replaced, but lists no later POC" in by_row[3].rule


def test_unknown_names_and_non_members_are_refused_with_reasons(tmp_path: Path) -> None:
    text = EDITION.replace("Kenya (former),,,,\n", "") + "Holy See,,2011-01-01,,\nNarnia,,2012-01-01,,\nTurkey,,2010-05-04,,\n"
    table, problems = listings.import_listing(write(tmp_path, text))
    assert table is None
    by_value = {p.value: p for p in problems}
    assert "non-member observer State" in by_value["Holy See"].rule and by_value["Holy See"].row == 12
    assert "closest Member State" in by_value["Narnia"].fix
    assert "again with the same dates (first on row 9)" in by_value["Turkey"].rule


@pytest.mark.parametrize(
    ("value", "rule", "fix"),
    [
        ("04/13/2019", "day/month or month/day", "--date-format %m/%d/%Y"),
        ("13/04/2019", "day/month or month/day", "--date-format %d/%m/%Y"),
        ("04/05/2019", "day/month or month/day", "does not show which comes first"),
        ("43568", "Excel date serial number (days since 1899-12-30; it would be 2019-04-13)", "Format Cells"),
        ("sometime in 2019", "is not a date", "YYYY-MM-DD"),
    ],
)
def test_dates_that_need_a_guess_are_refused(tmp_path: Path, value: str, rule: str, fix: str) -> None:
    text = f"State,Date of notification\nNorway,{value}\nKenya,2010-01-20\n"
    out = tmp_path / "poc_listing.csv"
    out.write_text("previous\n")
    assert cli.main(["import", "--format", "listing", str(write(tmp_path, text)), "--out", str(out)]) == 1
    assert out.read_text() == "previous\n"  # nothing written
    table, problems = listings.import_listing(write(tmp_path, text))
    assert table is None and [(p.row, p.column, p.value) for p in problems] == [(2, "Date of notification", value)]
    assert rule in problems[0].rule and fix in problems[0].fix


def test_month_first_dates_read_with_the_format_given(tmp_path: Path) -> None:
    text = "State,Date of notification\nNorway,04/13/2019\nKenya,01/02/2010\n"
    out = tmp_path / "poc_listing.csv"
    assert cli.main(["import", "--format", "listing", str(write(tmp_path, text)), "--out", str(out), "--date-format", "%m/%d/%Y"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got.set_index("iso3")["appointed_on"].to_dict() == {"KEN": "2010-01-02", "NOR": "2019-04-13"}


def newer_edition_raw(tmp_path: Path, snapshot: str) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    assert cli.main(["import", "--format", "listing", str(edition(tmp_path)), "--out", str(raw / "poc_listing.csv")]) == 0
    manifest = yaml.safe_load((raw / "manifest.yaml").read_text())
    manifest["files"]["poc_listing.csv"]["snapshot"] = snapshot
    (raw / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    return raw


def test_a_listing_dated_after_its_snapshot_is_refused(tmp_path: Path) -> None:
    raw = newer_edition_raw(tmp_path, "2020-08-31")
    result = validate.validate_all(raw)
    found = sorted((p.column, p.value) for p in result.errors)
    # Norway's withdrawal, Kenya's successor and Chile's new POC are dated after 2020-08-31
    assert found == [("appointed_on", "2023-03-01"), ("withdrawn_on", "2021-03-15")]
    assert all("after the listing's snapshot date 2020-08-31" in p.rule for p in result.errors)
    assert validate.validate_all(newer_edition_raw(tmp_path / "b", "2024-06-30")).ok


def test_a_frame_date_after_the_snapshot_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    manifest = yaml.safe_load((raw / "manifest.yaml").read_text())
    manifest["files"]["survey_responses.csv"]["frame_date"] = "2020-09-30"
    (raw / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    [problem] = validate.validate_all(raw).errors
    assert problem.file.endswith("manifest.yaml") and problem.column == "frame_date" and problem.value == "2020-09-30"
    assert "after the listing's snapshot 2020-08-31" in problem.rule


def test_a_comparison_date_after_the_snapshot_is_refused(tmp_path: Path) -> None:
    params = tmp_path / "params"
    shutil.copytree(paths.PARAMS, params)
    coverage = params / "coverage.yaml"
    coverage.write_text(coverage.read_text().replace('comparison_date: "2018-08-31"', 'comparison_date: "2021-08-31"'))
    from poc1540.intake import edition as edition_module

    manifest = yaml.safe_load(paths.MANIFEST.read_text())
    [problem] = edition_module.check(manifest, paths.DATA_RAW, None, params)
    assert problem.file.endswith("params/coverage.yaml") and problem.column == "comparison_date" and problem.value == "2021-08-31"
    assert "must be before the listing's snapshot 2020-08-31" in problem.rule


def test_failed_listing_import_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "poc_listing.csv"
    out.write_text("previous\n")
    assert cli.main(["import", "--format", "listing", str(write(tmp_path, "Country,Date\nAtlantis,2020-01-01\n")), "--out", str(out)]) == 1
    assert out.read_text() == "previous\n"
    assert pd.read_csv(paths.POC_LISTING).shape[0] == 123


def test_iso_dates_are_read_even_with_a_format_given(tmp_path: Path) -> None:
    text = "State,Date of notification\nNorway,04/13/2019\nKenya,2010-01-02\n"
    table, problems = listings.import_listing(write(tmp_path, text), date_format="%m/%d/%Y")
    assert problems == [] and table.set_index("iso3")["appointed_on"].to_dict() == {"KEN": "2010-01-02", "NOR": "2019-04-13"}


def test_a_listing_in_the_earlier_form_is_named_with_the_conversion(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    old = "iso3,poc_appointed,appointed_on\nAFG,yes,2010-08-06\nAGO,no,\nNOR,yes,2012-09-01\n"
    (raw / "poc_listing.csv").write_text(old)
    conversion = [p for p in validate.validate_all(raw).errors if "earlier one-row-per-State form" in p.rule]
    assert len(conversion) == 1 and "poc1540 import --format listing" in conversion[0].fix
    # and the conversion it names works
    assert cli.main(["import", "--format", "listing", str(raw / "poc_listing.csv"), "--out", str(raw / "poc_listing.csv")]) == 0
    assert (raw / "poc_listing.csv").read_text() == "iso3,appointed_on,withdrawn_on\nAFG,2010-08-06,\nNOR,2012-09-01,\n"


def test_both_unreadable_dates_of_a_row_are_reported(tmp_path: Path) -> None:
    text = "State,Date of notification,Status,Withdrawn on\nNorway,43568,withdrawn,03/04/2021\n"
    table, problems = listings.import_listing(write(tmp_path, text))
    assert table is None and [(p.row, p.column) for p in problems] == [(2, "Date of notification"), (2, "Withdrawn on")]
