"""Bad input, case by case, through the real pipeline: `dvc repro` must stop with a message that
names the file, row, column, value and rule, exit non-zero, and leave every earlier output
byte-for-byte as it was. Input that is merely encoded differently (BOM, CRLF) must be accepted
and read exactly as the clean file."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from poc1540.core.codebook import Codebook
from poc1540.intake import prepare, validate
from support.repo import output_hashes, run

SURVEY = "data/raw/survey_responses.csv"
OUTPUTS = ("results", "report/_variables.yml", "report/_generated", "report/_output", "data/processed/validation.json", "dvc.lock")


def snapshot(root: Path) -> dict[str, str]:
    """Content hash of every output file."""
    return output_hashes(root, OUTPUTS)


def rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        data = list(csv.reader(fh))
    return data[0], data[1:]


def write_rows(path: Path, header: list[str], body: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *body])
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(column: str, line: int, value: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        header, body = rows(root / SURVEY)
        body[line - 2][header.index(column)] = value
        write_rows(root / SURVEY, header, body)

    return edit


def write_bytes(data: bytes, target: str = SURVEY) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / target).write_bytes(data)

    return edit


def semicolons(root: Path) -> None:
    header, body = rows(root / SURVEY)
    (root / SURVEY).write_text("\n".join(";".join(r) for r in [header, *body]) + "\n", encoding="utf-8")


def header_only(root: Path) -> None:
    header, _ = rows(root / SURVEY)
    write_rows(root / SURVEY, header, [])


def truncated(root: Path) -> None:
    text = (root / SURVEY).read_text(encoding="utf-8")
    (root / SURVEY).write_text(text[: len(text) // 2] + ',"an answer cut sh', encoding="utf-8")


def duplicate_id(root: Path) -> None:
    header, body = rows(root / SURVEY)
    body[5][0] = body[2][0]
    write_rows(root / SURVEY, header, body)


def drop_column(root: Path) -> None:
    df = pd.read_csv(root / SURVEY, dtype=str, keep_default_na=False)
    df.drop(columns="time_share").to_csv(root / SURVEY, index=False, lineterminator="\n")


def latin1_reference(root: Path) -> None:
    path = root / "data/raw/member_states.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))


def excel_instead_of_csv(root: Path) -> None:
    header, body = rows(root / SURVEY)
    book = Workbook()
    for row in [header, *body]:
        book.active.append(row)
    book.save(root / SURVEY)


def cote_line(member_states: Path) -> int:
    lines = member_states.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if "Côte" in line)


CASES = {
    "empty file": (write_bytes(b""), ["data/raw/survey_responses.csv", "is empty"]),
    "header only": (header_only, ["data/raw/survey_responses.csv", "has a header row but no data rows"]),
    "wrong delimiter": (semicolons, ["data/raw/survey_responses.csv, row 1", "uses ';' as delimiter"]),
    "truncated with an open quote": (truncated, ["data/raw/survey_responses.csv", "cannot be parsed as CSV", "unclosed quote"]),
    "duplicate respondent ids": (duplicate_id, ["row 4, column 'respondent_id'", "row 7, column 'respondent_id'", "must be unique"]),
    "unknown country": (
        set_cell("country", 3, "Narnia"),
        ["row 3, column 'country': value 'Narnia'", "not a country name that can be recognised", "closest Member State"],
    ),
    "country written as a name": (
        set_cell("country", 3, "Turkey"),
        ["row 3, column 'country': value 'Turkey'", "write the ISO3 code 'TUR'"],
    ),
    "non-member": (
        set_cell("country", 4, "PSE"),
        ["row 4, column 'country': value 'PSE'", "a non-member observer State, not a UN Member State"],
    ),
    "Likert out of range": (set_cell("chal_funding", 5, "7"), ["row 5, column 'chal_funding': value '7'", "must be a Likert score 1 to 5"]),
    "multi-select value outside the options": (
        set_cell("task_forward", 6, "yes"),
        ["row 6, column 'task_forward': value 'yes'", "must be 1 (ticked), 0 (not ticked) or empty"],
    ),
    "new answer option": (
        set_cell("agency", 7, "parliament"),
        ["row 7, column 'agency': value 'parliament'", "codebook option of 'agency'", "add it to data/raw/survey_codebook.yaml"],
    ),
    "missing required column": (drop_column, ["data/raw/survey_responses.csv, row 1", "missing the required column 'time_share'"]),
    "date outside the fieldwork window": (
        set_cell("submitted", 8, "2021-02-01"),
        ["row 8, column 'submitted': value '2021-02-01'", "fieldwork window 2020-09-01 to 2020-11-30"],
    ),
    "Latin-1 reference file": (latin1_reference, ["data/raw/member_states.csv", "is not valid UTF-8 (byte 0xf4 on line"]),
    "Excel workbook saved as the CSV": (excel_instead_of_csv, ["data/raw/survey_responses.csv", "is an Excel workbook", "poc1540 import"]),
}


@pytest.fixture(scope="module")
def pristine(repo_copy: Path) -> dict[str, str]:
    raw = repo_copy / "data/raw"
    backup = repo_copy.parent / "raw-backup"
    if not backup.exists():
        shutil.copytree(raw, backup)
    return snapshot(repo_copy)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_the_pipeline_and_changes_nothing(repo_copy: Path, pristine: dict[str, str], case: str) -> None:
    edit, expected = CASES[case]
    raw, backup = repo_copy / "data/raw", repo_copy.parent / "raw-backup"
    edit(repo_copy)
    try:
        proc = run(["dvc", "repro"], cwd=repo_copy, root=repo_copy, check=False)
        message = proc.stdout + proc.stderr
        assert proc.returncode != 0, message
        for text in expected:
            assert text in message, f"{text!r} not in:\n{message}"
        if case == "Latin-1 reference file":
            assert f"byte 0xf4 on line {cote_line(backup / 'member_states.csv')})" in message
        assert "Traceback" not in message
        assert snapshot(repo_copy) == pristine
    finally:
        shutil.rmtree(raw)
        shutil.copytree(backup, raw)


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_are_read_exactly_as_the_clean_file(tmp_path: Path, variant: str) -> None:
    from poc1540.core import paths

    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    data = (raw / "survey_responses.csv").read_bytes()
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    (raw / "survey_responses.csv").write_bytes(data)
    assert validate.validate_all(raw).ok
    codebook = Codebook.load()
    pd.testing.assert_frame_equal(
        prepare.respondents_table(codebook, raw / "survey_responses.csv"), prepare.respondents_table(codebook, paths.SURVEY_RESPONSES)
    )


def test_a_million_rows_validate_and_a_late_error_has_the_right_row(tmp_path: Path) -> None:
    from poc1540.core import paths

    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    header, body = rows(raw / "survey_responses.csv")
    key, agency = header.index("respondent_id"), header.index("agency")
    with open(raw / "survey_responses.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for i in range(1_000_000):
            row = list(body[i % len(body)])
            row[key] = f"R{i:07d}"
            if i == 999_990:
                row[agency] = "ministry of magic"
            writer.writerow(row)
    result = validate.validate_all(raw)
    assert [(p.row, p.column, p.value) for p in result.errors] == [(999_992, "agency", "ministry of magic")]
