"""One date reader for all of intake: what it reads, what it refuses, and that the survey import,
the listing import and the validator refuse a date in the same words, each with its own way to fix it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from poc1540 import cli
from poc1540.intake import dates, importers, listings, validate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"

SERIAL_RULE = "is an Excel date serial number (days since 1899-12-30; it would be 2020-10-15), not a date"
NUMERIC_RULE = "is a date written as day/month or month/day numbers, and which comes first is never guessed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-13", dt.date(2019, 4, 13)),
        ("2019-04-13 10:15:02", dt.date(2019, 4, 13)),  # a date column drops the time of an ISO timestamp
        ("2019-04-13T10:15", dt.date(2019, 4, 13)),
        ("13 April 2019", dt.date(2019, 4, 13)),
        ("April 13, 2019", dt.date(2019, 4, 13)),
        ("13-Apr-2019", dt.date(2019, 4, 13)),
        ("  2019-04-13 ", dt.date(2019, 4, 13)),
    ],
)
def test_unambiguous_dates_are_read(text: str, expected: dt.date) -> None:
    assert dates.read(text) == expected


@pytest.mark.parametrize(
    ("text", "kind", "rule", "fix"),
    [
        (
            "04/13/2019",
            "numeric",
            NUMERIC_RULE,
            "fits only the month-first reading: if that is how the source writes dates, rerun with --date-format %m/%d/%Y",
        ),
        ("13.04.2019", "numeric", NUMERIC_RULE, "rerun with --date-format %d.%m.%Y"),
        (
            "04/05/2019",
            "numeric",
            NUMERIC_RULE,
            "does not show which comes first; check the source and rerun with --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y",
        ),
        ("09/22/2020 10:15:02 AM", "numeric", NUMERIC_RULE, 'rerun with --date-format "%m/%d/%Y %I:%M:%S %p"'),
        ("22/09/2020 17:43", "numeric", NUMERIC_RULE, 'rerun with --date-format "%d/%m/%Y %H:%M"'),
        ("04/13/19", "numeric", NUMERIC_RULE, "--date-format %m/%d/%y"),
        ("44119", "serial", SERIAL_RULE, "Format Cells > Date"),
        ("44119.71", "serial", SERIAL_RULE, "Format Cells > Date"),
        ("2020", "other", "is a year (or another number), not a date", "YYYY-MM-DD"),
        ("2020-02-30", "invalid", "is not a valid calendar date", "YYYY-MM-DD"),
        ("sometime in 2019", "other", "is not a date", "YYYY-MM-DD"),
    ],
)
def test_dates_that_would_need_a_guess_are_refused_with_the_fix(text: str, kind: str, rule: str, fix: str) -> None:
    refused = dates.read(text)
    assert isinstance(refused, dates.DateError)
    assert (refused.kind, refused.rule) == (kind, rule) and fix in refused.fix, refused


def test_the_advice_is_judged_on_the_whole_column() -> None:
    column = ["04/05/2019", "04/13/2019"]  # the first alone fits both readings; the column only month-first
    assert "fits only the month-first reading" in dates.read("04/05/2019", column=column).fix
    mixed = dates.read("04/05/2019", column=["04/13/2019", "13/04/2019"])
    assert "mixes day-first and month-first" in mixed.fix and "--date-format" not in mixed.fix


def test_a_given_format_is_used_and_a_value_it_does_not_read_is_named() -> None:
    assert dates.read("04/13/2019", ["%m/%d/%Y"]) == dt.date(2019, 4, 13)
    assert dates.read("2019-04-13", ["%m/%d/%Y"]) == dt.date(2019, 4, 13)  # ISO needs no format
    assert dates.read("09/22/2020 10:15:02 PM", ["%m/%d/%Y %I:%M:%S %p"], times=True) == dt.datetime(2020, 9, 22, 22, 15, 2)
    refused = dates.read("13/04/2019", ["%m/%d/%Y"])
    assert refused.kind == "format" and refused.rule == "does not match the date format %m/%d/%Y given with --date-format"
    assert "fits only the day-first reading" in refused.fix  # the advice still says which format would read it


# --- the same refusal, in the same words, wherever a date is read


def listing_problem(tmp_path: Path, value: str):
    path = tmp_path / "listing.csv"
    path.write_text(f"State,Date of notification\nNorway,{value}\nKenya,2010-01-20\n", encoding="utf-8")
    table, problems = listings.import_listing(path)
    assert table is None and len(problems) == 1, problems
    return problems[0]


def import_problem(tmp_path: Path, value: str):
    expected = (FIXTURES / "expected.csv").read_text(encoding="utf-8")
    path = tmp_path / "tidy.csv"
    path.write_text(expected.replace(",2020-10-15,", f",{value},", 1), encoding="utf-8")
    _, problems = importers.import_survey(path, "canonical")
    found = [p for p in problems if p.severity == "error"]
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


def validator_problem(raw: Path, value: str):
    path = raw / "survey_responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "submitted"] = value  # line 4 of the file
    df.to_csv(path, index=False, lineterminator="\n")
    found = validate.validate_all(raw).errors
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


@pytest.mark.parametrize(("value", "rule"), [("44119", SERIAL_RULE), ("15/10/2020", NUMERIC_RULE)])
def test_listing_import_survey_import_and_validator_refuse_a_date_in_the_same_words(
    tmp_path: Path, raw_copy: Path, value: str, rule: str
) -> None:
    listing = listing_problem(tmp_path, value)
    imported = import_problem(tmp_path, value)
    validated = validator_problem(raw_copy, value)
    assert (listing.row, listing.column, listing.value, listing.rule) == (2, "Date of notification", value, rule)
    assert (imported.value, imported.rule) == (value, rule) and imported.column.startswith("submitted")
    assert (validated.row, validated.column, validated.value) == (4, "submitted", value)
    assert validated.rule == f"must be a date written YYYY-MM-DD: it {rule}"
    if value == "15/10/2020":  # each says how its own user gives the format
        assert "rerun with --date-format %d/%m/%Y" in listing.fix and "rerun with --date-format %d/%m/%Y" in imported.fix
        assert "convert the file with 'poc1540 import --format canonical" in validated.fix and "--date-format %d/%m/%Y'" in validated.fix
    else:
        assert all("Format Cells > Date" in p.fix for p in (listing, imported, validated))


def test_the_validators_conversion_command_converts_the_file(raw_copy: Path, tmp_path: Path, capsys) -> None:
    """Run the command the validator's fix names, as written: the file then validates."""
    problem = validator_problem(raw_copy, "15/10/2020")
    command = problem.fix.split("'")[1]
    args = command.split()[1:]  # without the program name
    out = tmp_path / "converted.csv"
    assert cli.main([*args, "--out", str(out)]) == 0, capsys.readouterr().err
    converted = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert converted.loc[2, "submitted"] == "2020-10-15"
    (raw_copy / "survey_responses.csv").write_bytes(out.read_bytes())
    assert validate.validate_all(raw_copy).ok


def test_a_mapping_format_that_does_not_fit_gets_the_format_that_would(tmp_path: Path) -> None:
    """A SurveyMonkey account set to day-first dates: the mapping's month-first format does not read them."""
    text = (FIXTURES / "surveymonkey.csv").read_text(encoding="utf-8")
    rows = text.split("\n")
    # End Date as a day-first account writes it (25/09/2020 14:03:11), in every response
    out = []
    for n, line in enumerate(rows):
        if n < 2 or not line:
            out.append(line)
            continue
        cells = next(csv.reader([line]))
        stamp = dt.datetime.strptime(cells[3], "%m/%d/%Y %I:%M:%S %p")
        cells[3] = stamp.strftime("%d/%m/%Y %H:%M:%S")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        out.append(buf.getvalue())
    path = tmp_path / "sm.csv"
    path.write_text("\n".join(out), encoding="utf-8")
    _, problems = importers.import_survey(path, "surveymonkey")
    found = [p for p in problems if p.severity == "error"]
    assert found and all(p.column.startswith("End Date") for p in found)
    first = next(p for p in found if "'submitted' in" in p.rule)
    assert "does not match the date format %m/%d/%Y %I:%M:%S %p of 'submitted' in params/import/surveymonkey.yaml" in first.rule
    assert 'rerun with --date-format "%d/%m/%Y %H:%M:%S"' in first.fix
    assert "or set 'date_format' of 'submitted' in params/import/surveymonkey.yaml" in first.fix
    df, problems = importers.import_survey(path, "surveymonkey", date_format="%d/%m/%Y %H:%M:%S")
    assert df is not None, "\n".join(map(str, problems))
    expected = pd.read_csv(FIXTURES / "expected.csv", dtype=str, keep_default_na=False)
    assert list(df["submitted"]) == list(expected["submitted"])
