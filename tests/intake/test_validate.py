"""The validator: good data passes; each kind of bad data fails with file, row, column, value and rule."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from poc1540 import cli
from poc1540.core.problems import Problem
from poc1540.intake import validate


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the file line number (header = line 1)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row - 2, column] = value
    df.to_csv(path, index=False, lineterminator="\n")


def errors(raw: Path) -> list[Problem]:
    return validate.validate_all(raw).errors


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_committed_raw_data_passes(raw_copy: Path) -> None:
    result = validate.validate_all(raw_copy)
    assert result.ok, "\n".join(map(str, result.errors))
    assert set(result.hashes) >= {"member_states.csv", "survey_responses.csv", "manifest.yaml"}


def test_unknown_option_names_row_column_value_and_codebook(raw_copy: Path) -> None:
    edit_csv(raw_copy / "survey_responses.csv", 5, "tenure", "7 years")
    p = only(errors(raw_copy))
    assert (p.file.endswith("survey_responses.csv"), p.row, p.column, p.value) == (True, 5, "tenure", "7 years")
    assert "codebook option of 'tenure'" in p.rule and "under_1" in p.rule
    assert "survey_codebook.yaml" in p.fix
    text = str(p)
    assert "row 5" in text and "column 'tenure'" in text and "'7 years'" in text


def test_likert_out_of_range(raw_copy: Path) -> None:
    edit_csv(raw_copy / "survey_responses.csv", 3, "chal_funding", "6")
    p = only(errors(raw_copy))
    assert (p.row, p.column, p.value) == (3, "chal_funding", "6")
    assert "Likert score 1 to 5" in p.rule


def test_duplicate_respondent_ids_report_both_rows(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    first = pd.read_csv(path, dtype=str, keep_default_na=False).loc[0, "respondent_id"]
    edit_csv(path, 4, "respondent_id", first)
    problems = errors(raw_copy)
    assert {p.row for p in problems} == {2, 4}
    assert all(p.column == "respondent_id" and "unique" in p.rule for p in problems)


def test_every_problem_is_reported_not_only_the_first(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    edit_csv(path, 2, "agency", "ministry of magic")
    edit_csv(path, 7, "role_scale", "9")
    edit_csv(path, 9, "submitted", "2019-01-01")
    found = {(p.row, p.column) for p in errors(raw_copy)}
    assert found == {(2, "agency"), (7, "role_scale"), (9, "submitted")}


def test_date_outside_fieldwork(raw_copy: Path) -> None:
    edit_csv(raw_copy / "survey_responses.csv", 6, "submitted", "2021-03-01")
    p = only(errors(raw_copy))
    assert p.column == "submitted" and "fieldwork window 2020-09-01 to 2020-11-30" in p.rule


def test_unknown_country_in_listing(raw_copy: Path) -> None:
    edit_csv(raw_copy / "poc_listing.csv", 10, "iso3", "XKX")
    p = only(errors(raw_copy))
    assert p.file.endswith("poc_listing.csv") and p.value == "XKX" and "UN Member State" in p.rule


def test_listing_rule_across_columns(raw_copy: Path) -> None:
    path = raw_copy / "poc_listing.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    line = int(df.index[0]) + 2
    edit_csv(path, line, "withdrawn_on", df.loc[0, "appointed_on"])  # withdrawn the day it was appointed
    p = only(errors(raw_copy))
    assert p.row == line and "withdrawn_on must be after appointed_on" in p.rule


def test_missing_required_column(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="tenure").to_csv(path, index=False)
    p = only(errors(raw_copy))
    assert "missing the required column 'tenure'" in p.rule and p.row == 1


def test_partly_answered_multi_select_and_exclusive_none(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    answered = df.index[df["task_forward"] != ""]
    df.loc[answered[0], "task_report"] = ""
    df.loc[answered[1], ["support_none", "support_bilateral"]] = "1"
    df.to_csv(path, index=False, lineterminator="\n")
    rules = {(p.row, p.rule) for p in errors(raw_copy)}
    assert (int(answered[0]) + 2, "multi-select 'tasks' must be answered for every option or for none (partly empty)") in rules
    assert (int(answered[1]) + 2, "'support_none' cannot be ticked together with another option of 'support'") in rules


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"iso3,first_report_submitted\n", "header row but no data rows"),
        (b"iso3;first_report_submitted\nAFG;yes\n", "uses ';' as delimiter"),
        ("iso3,first_report_submitted\nCIV,oui é\n".encode("latin-1"), "is not valid UTF-8"),
    ],
    ids=["empty", "header-only", "semicolon", "latin-1"],
)
def test_unreadable_files(raw_copy: Path, content: bytes, expected: str) -> None:
    (raw_copy / "national_reports.csv").write_bytes(content)
    p = only(errors(raw_copy))
    assert p.file.endswith("national_reports.csv") and expected in p.rule


def test_manifest_must_describe_every_file(raw_copy: Path) -> None:
    (raw_copy / "extra.csv").write_text("a\n1\n")
    p = only(errors(raw_copy))
    assert p.file.endswith("manifest.yaml") and "extra.csv" in p.rule


def test_warnings_do_not_stop_the_build(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["comment"] = ""
    df.to_csv(path, index=False, lineterminator="\n")
    result = validate.validate_all(raw_copy)
    assert result.ok
    assert [w.column for w in result.warnings] == ["comment"]


def test_cli_failure_exits_non_zero_and_keeps_the_receipt(raw_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    receipt = tmp_path / "validation.json"
    assert cli.main(["validate", "--raw-dir", str(raw_copy), "--receipt", str(receipt)]) == 0
    before = hashlib.sha256(receipt.read_bytes()).hexdigest()
    edit_csv(raw_copy / "survey_responses.csv", 5, "tenure", "7 years")
    assert cli.main(["validate", "--raw-dir", str(raw_copy), "--receipt", str(receipt)]) == 1
    err = capsys.readouterr().err
    assert "row 5, column 'tenure': value '7 years'" in err and "Validation failed: 1 error(s)" in err
    assert hashlib.sha256(receipt.read_bytes()).hexdigest() == before
