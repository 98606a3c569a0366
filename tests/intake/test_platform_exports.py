"""Exports as the platforms write them, through the real ``poc1540 import`` command: SurveyMonkey's
response status (Complete, Partial, Disqualified), expanded and condensed columns, CSV and Excel;
Qualtrics' TSV download (UTF-16) and its response types (Status). Each either imports right, checked
against an independent pandas reading of the export, or is refused naming file, row, column and value.

The fixtures are made by ``tests/fixtures/imports/make_exports.py`` and ``make_xlsx.py``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from poc1540 import cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"
EXPECTED = FIXTURES / "expected.csv"
SM_STATUS = FIXTURES / "surveymonkey_status.csv"


def poc1540_import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``poc1540 import ARGS`` as the console script runs it: exit code, stdout, stderr."""
    code = cli.main(["import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def imported(capsys, tmp_path: Path, fmt: str, path: Path, *options: str) -> tuple[pd.DataFrame, str]:
    out = tmp_path / "survey.csv"
    code, log, err = poc1540_import(capsys, "--format", fmt, str(path), "--out", str(out), *options)
    assert code == 0, err
    assert "Traceback" not in log + err
    return pd.read_csv(out, dtype=str, keep_default_na=False), log


def refused(capsys, tmp_path: Path, fmt: str, path: Path, *options: str) -> str:
    """An import that must be refused over a previous output, which keeps its bytes. Returns stderr."""
    out = tmp_path / "previous.csv"
    out.write_bytes(EXPECTED.read_bytes())
    code, _, err = poc1540_import(capsys, "--format", fmt, str(path), "--out", str(out), *options)
    assert code == 1, err
    assert out.read_bytes() == EXPECTED.read_bytes()
    assert "Nothing was written" in err and "Traceback" not in err
    return err


def counted(export: pd.DataFrame, status: str, finished: str, state: str, when: pd.Series) -> int:
    """The respondent rule of params/validate.yaml, recomputed: finished responses, one per State."""
    done = export[export[status] == finished]
    return done.assign(when=when[done.index]).sort_values("when").groupby(state).tail(1).shape[0]


# --- SurveyMonkey


def surveymonkey_export(path: Path) -> pd.DataFrame:
    """A SurveyMonkey export read independently: row 1 names the columns, row 2 holds option texts."""
    if path.suffix == ".xlsx":
        return pd.read_excel(path, header=0, skiprows=[1], dtype=object).fillna("")
    return pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=[1])


@pytest.mark.parametrize(("fmt", "name"), [("surveymonkey", "surveymonkey_status.csv"), ("surveymonkey-xlsx", "surveymonkey_status.xlsx")])
def test_surveymonkey_response_status_complete_partial_disqualified(capsys, tmp_path: Path, fmt: str, name: str) -> None:
    written, log = imported(capsys, tmp_path, fmt, FIXTURES / name)
    export = surveymonkey_export(FIXTURES / name)
    # a response the survey screened out is no response: left out, with a warning naming its row (2 header rows)
    disqualified = export.index[export["Response Status"] == "Disqualified"]
    assert [f"row {i + 3} is a 'Disqualified' response" in log for i in disqualified] == [True]
    real = export.drop(index=disqualified).reset_index(drop=True)
    assert len(written) == len(real)
    assert list(written["finished"]) == [{"Complete": "yes", "Partial": "no"}[s] for s in real["Response Status"]]
    # End Date, month-first with a 12-hour clock (a typed cell in the workbook), to the second
    ends = pd.to_datetime(real["End Date"], format="%m/%d/%Y %I:%M:%S %p") if fmt == "surveymonkey" else pd.to_datetime(real["End Date"])
    assert list(written["submitted_at"]) == list(ends.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    assert list(written["submitted"]) == list(ends.dt.strftime("%Y-%m-%d"))
    # the abandoned response keeps what it answered and nothing more
    partial = written[written["finished"] == "no"].iloc[0]
    assert (partial["country"], partial["agency"], partial["tenure"], partial["time_share"]) == ("CHL", "foreign_affairs", "under_1", "")
    # the seven complete responses of surveymonkey.csv are exactly the expected table
    expected = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
    base = written[
        real["Respondent ID"].astype(str).isin(pd.read_csv(FIXTURES / "surveymonkey.csv", dtype=str, skiprows=[1])["Respondent ID"])
    ]
    pd.testing.assert_frame_equal(base[expected.columns[1:]].reset_index(drop=True), expected[expected.columns[1:]])
    # the command says how many count: Kenya answered twice (the later one counts), Chile did not finish
    state = "Which State do you serve as national 1540 Point of Contact?"
    n = counted(real, "Response Status", "Complete", state, ends)
    assert n == 7 and f"{n} of the {len(real)} responses count as respondents (1 unfinished, 1 superseded" in log


def test_surveymonkey_condensed_columns_read_as_expanded(capsys, tmp_path: Path) -> None:
    condensed, _ = imported(capsys, tmp_path, "surveymonkey", FIXTURES / "surveymonkey_condensed.csv")
    expanded, _ = imported(capsys, tmp_path, "surveymonkey", FIXTURES / "surveymonkey.csv")
    pd.testing.assert_frame_equal(condensed, expanded)
    # independently: the choices named in each joined cell are the items imported as 1, in option order
    export = pd.read_csv(FIXTURES / "surveymonkey_condensed.csv", dtype=str, keep_default_na=False, skiprows=[1])
    tasks = "Which of these tasks have you performed in the last three years? (Select all that apply)"
    header = pd.read_csv(FIXTURES / "surveymonkey.csv", dtype=str, keep_default_na=False, header=None)
    first = header.iloc[0].tolist().index(tasks)
    options = header.iloc[1, first : first + 10].tolist()  # the expanded export's ten option columns
    task_columns = [c for c in condensed.columns if c.startswith("task_")]
    for k, cell in enumerate(export[tasks]):
        named = [("1" if option in cell else "0") if cell else "" for option in options]
        assert condensed.loc[k, task_columns].tolist() == named, cell


def condensed_with(edit) -> str:
    rows = list(csv.reader(io.StringIO((FIXTURES / "surveymonkey_condensed.csv").read_text(encoding="utf-8"))))
    edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_an_unknown_choice_in_a_condensed_cell_is_refused_naming_it(capsys, tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[4][16] = rows[4][16].replace("Forward communications", "Forward all communications")

    path = tmp_path / "condensed.csv"
    path.write_text(condensed_with(edit), encoding="utf-8")
    err = refused(capsys, tmp_path, "surveymonkey", path)
    assert "row 5, column 'Which of these tasks have you performed in the last three... / Response (column Q)'" in err
    assert "value 'Forward all communications between the 1540 Committee and national agencies'" in err
    assert "is not a choice of 'tasks'" in err


def sm_status_with(statuses: dict[int, str]) -> str:
    rows = list(csv.reader(io.StringIO(SM_STATUS.read_text(encoding="utf-8"))))
    for line, status in statuses.items():
        rows[line - 1][rows[0].index("Response Status")] = status
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_surveymonkey_completed_over_quota_and_an_unknown_status(capsys, tmp_path: Path) -> None:
    path = tmp_path / "sm.csv"
    path.write_text(sm_status_with({3: "Completed", 4: "Over quota"}), encoding="utf-8")
    written, log = imported(capsys, tmp_path, "surveymonkey", path)
    assert "row 4 is a 'Over quota' response" in log and written.loc[0, "finished"] == "yes" and len(written) == 8
    path.write_text(sm_status_with({5: "Screened out"}), encoding="utf-8")
    err = refused(capsys, tmp_path, "surveymonkey", path)
    assert "row 5, column 'Response Status (column E)': value 'Screened out' is not a completion status the importer knows" in err


# --- Qualtrics


def test_qualtrics_tsv_in_utf16_reads_as_the_csv(capsys, tmp_path: Path) -> None:
    tsv = FIXTURES / "qualtrics_export.tsv"
    assert tsv.read_bytes()[:2] == b"\xff\xfe"  # UTF-16 little endian, as Qualtrics writes it
    from_tsv, log = imported(capsys, tmp_path, "qualtrics", tsv)
    from_csv, _ = imported(capsys, tmp_path, "qualtrics", FIXTURES / "qualtrics_partial.csv")
    pd.testing.assert_frame_equal(from_tsv, from_csv)
    assert "separated by" not in log  # Qualtrics' own TSV: no note
    # independently: pandas reads the TSV with its three header rows
    export = pd.read_csv(tsv, sep="\t", encoding="utf-16", dtype=str, keep_default_na=False, skiprows=[1, 2])
    real = export[~export["Status"].isin(["Survey Preview", "Survey Test"])].reset_index(drop=True)
    assert list(from_tsv["finished"]) == ["yes" if f == "True" else "no" for f in real["Finished"]]
    assert "Lomé" in from_tsv.loc[0, "sugg_other_text"]


def qualtrics_with_status(status: str, line: int = 5) -> str:
    rows = list(csv.reader(io.StringIO((FIXTURES / "qualtrics_partial.csv").read_text(encoding="utf-8-sig"))))
    rows[line - 1][rows[0].index("Status")] = status
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("status", ["Spam", "Survey Preview Spam", "8", "12"])
def test_qualtrics_spam_is_left_out_with_a_warning(capsys, tmp_path: Path, status: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(qualtrics_with_status(status), encoding="utf-8")
    written, log = imported(capsys, tmp_path, "qualtrics", path)
    assert f"row 5 is a '{status}' response (Status), not a real one, and is skipped" in log
    assert "CIV" not in set(written["country"][:1])  # Côte d'Ivoire's first response (row 5) is gone


@pytest.mark.parametrize("status", ["Imported", "Offline", "0", "4"])
def test_qualtrics_imported_and_offline_responses_are_real(capsys, tmp_path: Path, status: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(qualtrics_with_status(status), encoding="utf-8")
    written, _ = imported(capsys, tmp_path, "qualtrics", path)
    assert written.loc[0, "country"] == "CIV"


def test_a_qualtrics_response_type_the_mapping_does_not_know_is_refused(capsys, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(qualtrics_with_status("Offline Survey Test"), encoding="utf-8")
    err = refused(capsys, tmp_path, "qualtrics", path)
    assert (
        "row 5, column 'Status (column C)': value 'Offline Survey Test' is a response of a type the mapping neither keeps nor skips" in err
    )
    assert "'keep_rows: Status' in params/import/qualtrics.yaml" in err and "'skip_rows: Status'" in err
