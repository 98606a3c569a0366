"""The validator: good data passes; each kind of bad data fails with file, row, column, value and rule."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

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


# --- who counts as a respondent (params/validate.yaml), applied to the whole survey file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"


def import_into(raw: Path, fmt: str, export: Path) -> None:
    """``poc1540 import`` of an export straight into the raw folder's survey file."""
    assert cli.main(["import", "--format", fmt, str(export), "--out", str(raw / "survey_responses.csv")]) == 0


def rule_file(tmp_path: Path, **values: object) -> Path:
    """A params folder whose validate.yaml holds the respondent rule with ``values``."""
    folder = tmp_path / "params"
    folder.mkdir(exist_ok=True)
    path = folder / "validate.yaml"
    path.write_text(yaml.safe_dump({"respondents": {"finished_only": True, "per_state": "latest", **values}}), encoding="utf-8")
    return folder


def test_unfinished_and_repeated_responses_do_not_count(raw_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = FIXTURES / "qualtrics_partial.csv"
    import_into(raw_copy, "qualtrics", export)
    receipt = tmp_path / "validation.json"
    assert cli.main(["validate", "--raw-dir", str(raw_copy), "--receipt", str(receipt)]) == 0
    counts = json.loads(receipt.read_text(encoding="utf-8"))["respondents"]

    # independently, from the export itself: real responses, submitted, with a State; one per State
    q = pd.read_csv(export, dtype=str, keep_default_na=False, skiprows=[1, 2], encoding="utf-8-sig")
    real = q[~q["Status"].isin(["Survey Preview", "Survey Test"]) & ~q["DistributionChannel"].isin(["preview", "test"])]
    submitted = real[(real["Finished"] == "True") & (real["Q1"] != "")]
    assert counts["rows"] == len(real)
    assert counts["unfinished"] == int((real["Finished"] == "False").sum())
    assert counts["counted"] == submitted["Q1"].nunique()
    assert counts["superseded"] == len(submitted) - submitted["Q1"].nunique()

    # the later of the two Côte d'Ivoire responses counts; warnings name rows, never an id or a State
    survey = pd.read_csv(raw_copy / "survey_responses.csv", dtype=str, keep_default_na=False)
    civ = survey.index[survey["country"] == "CIV"]
    later = civ[survey.loc[civ, "submitted_at"].argmax()] + 2
    receipt_text = receipt.read_text(encoding="utf-8")
    warnings = json.loads(receipt_text)["warnings"]
    superseded = [w for w in warnings if "superseded" in w["rule"]]
    assert [w["row"] for w in superseded] == [later]
    assert "CIV" not in receipt_text and "R00" not in receipt_text and "Ivoire" not in receipt_text


def test_prepare_keeps_exactly_the_counted_responses(raw_copy: Path, tmp_path: Path) -> None:
    from poc1540.core.codebook import Codebook
    from poc1540.intake import prepare

    import_into(raw_copy, "qualtrics", FIXTURES / "qualtrics_partial.csv")
    result = validate.validate_all(raw_copy)
    receipt = validate.write_receipt(result, tmp_path / "validation.json")
    table = prepare.respondents_table(Codebook.load(raw_copy / "survey_codebook.yaml"), raw_copy / "survey_responses.csv", receipt)
    assert len(table) == result.respondents["counted"] and table["country"].is_unique and (table["country"] != "").all()


def test_one_state_answering_many_times_counts_once(raw_copy: Path, tmp_path: Path) -> None:
    """A survey answered only by one State's POC is one respondent, not 72."""
    path = raw_copy / "survey_responses.csv"
    one = pd.read_csv(path, dtype=str, keep_default_na=False).iloc[[0] * 72].reset_index(drop=True)
    one["respondent_id"] = [f"R{n:03d}" for n in range(1, 73)]
    one.to_csv(path, index=False, lineterminator="\n")
    result = validate.validate_all(raw_copy)
    assert result.ok, "\n".join(map(str, result.errors))
    assert (result.respondents["counted"], result.respondents["superseded"]) == (1, 71)
    superseded = [w for w in result.warnings if "superseded" in w.rule]
    assert len(superseded) == 1 and superseded[0].row == 73 and "and 59 more" in superseded[0].rule  # one warning, not 71


def test_a_tidy_csv_with_completion_columns_gets_the_same_rule(raw_copy: Path, tmp_path: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["finished"] = "yes"
    df["submitted_at"] = df["submitted"] + "T12:00:00"
    df.loc[[3, 8], "finished"] = "no"
    df.loc[5, "country"] = df.loc[1, "country"]  # a second response from row 3's State, later in the day
    df.loc[5, ["submitted", "submitted_at"]] = [df.loc[1, "submitted"], df.loc[1, "submitted"] + "T18:30:00"]
    df.to_csv(path, index=False, lineterminator="\n")
    result = validate.validate_all(raw_copy)
    assert result.ok, "\n".join(map(str, result.errors))
    assert result.respondents["counted"] == len(df) - 3 and result.respondents["unfinished"] == 2
    assert [w.row for w in result.warnings if "superseded" in w.rule] == [7]
    # earliest keeps row 3 instead; refuse stops the build naming both rows
    earliest = validate.validate_all(raw_copy, rule_file(tmp_path, per_state="earliest"))
    assert [w.row for w in earliest.warnings if "superseded" in w.rule] == [3]
    refused = only(validate.validate_all(raw_copy, rule_file(tmp_path, per_state="refuse")).errors)
    assert refused.row == 7 and "rows 3, 7" in refused.rule and "per_state: refuse" in refused.rule
    # finished_only: false counts the unfinished ones too, except one that names no State
    df.loc[8, "country"] = ""
    df.to_csv(path, index=False, lineterminator="\n")
    counts = validate.validate_all(raw_copy, rule_file(tmp_path, finished_only=False)).respondents
    assert (counts["counted"], counts["without_state"], counts["unfinished"]) == (len(df) - 2, 1, 0)


def test_unfinished_response_may_lack_required_answers_but_not_break_others(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["finished"] = "yes"
    df.loc[2, ["finished", "country", "submitted"]] = ["no", "", ""]
    df.loc[4, ["finished", "country"]] = ["no", "Atlantis"]
    df.to_csv(path, index=False, lineterminator="\n")
    p = only(errors(raw_copy))
    assert (p.row, p.column, p.value) == (6, "country", "Atlantis")


@pytest.mark.parametrize(
    ("values", "column"),
    [({"per_state": "newest"}, "respondents.per_state"), ({"finished_only": "yes please"}, "respondents.finished_only")],
)
def test_a_wrong_rule_is_named_with_file_key_and_value(raw_copy: Path, tmp_path: Path, values: dict, column: str) -> None:
    p = only(validate.validate_all(raw_copy, rule_file(tmp_path, **values)).errors)
    assert p.file.endswith("validate.yaml") and p.key == column and p.value == str(next(iter(values.values())))


def test_duplicate_header_in_a_tidy_file_is_refused(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace(",tenure,", ",country,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    p = only(errors(raw_copy))
    assert p.row == 1 and p.column == "country" and "columns 2 and 5" in p.rule


def test_trailing_blank_rows_and_columns_are_one_note_each(raw_copy: Path) -> None:
    path = raw_copy / "survey_responses.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    width = lines[0].count(",") + 2  # commas in a line of the widened file
    path.write_text("\n".join(line + ",," for line in lines) + "\n" + ("," * width + "\n") * 6, encoding="utf-8")
    result = validate.validate_all(raw_copy)
    assert result.ok, "\n".join(map(str, result.errors[:3]))
    notes = [w.rule for w in result.warnings if "ignored" in w.rule]
    assert len(notes) == 2 and any("6 empty row(s)" in n for n in notes) and any("2 empty column(s)" in n for n in notes)


def test_bom_only_survey_file_is_a_clean_message(raw_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (raw_copy / "survey_responses.csv").write_bytes(b"\xef\xbb\xbf")
    assert cli.main(["validate", "--raw-dir", str(raw_copy)]) == 1
    err = capsys.readouterr().err
    assert "survey_responses.csv holds only a byte-order mark" in err and "Traceback" not in err


@pytest.mark.parametrize(("value", "said"), [("44119", "Excel date serial number"), ("15/10/2020", "never guessed")])
def test_serial_and_numeric_dates_in_a_tidy_file_are_explained(raw_copy: Path, value: str, said: str) -> None:
    edit_csv(raw_copy / "survey_responses.csv", 4, "submitted", value)
    p = only(errors(raw_copy))
    assert (p.row, p.column, p.value) == (4, "submitted", value) and said in p.rule and ("import" in p.fix)
