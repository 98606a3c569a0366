"""Inputs people really send, through the real ``poc1540 import`` command (a subprocess, as typed):
each imports right (checked against an independent pandas reading of the file) or is refused with
a message naming file, row, column, value and rule, a non-zero exit, no traceback, and the previous
output byte-identical.

The fixtures are in ``tests/fixtures/imports/``; an edition's codebook is changed in a scratch
copy of the project's data and parameters (``POC1540_ROOT``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from poc1540.core import paths
from support.repo import run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"
EXPECTED = FIXTURES / "expected.csv"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A scratch project root: the raw data and parameters copied (to edit), the code linked."""
    target = tmp_path / "project"
    for part in ("data/raw", "params"):
        shutil.copytree(paths.ROOT / part, target / part)
    (target / "src").symlink_to(paths.ROOT / "src")
    return target


def poc1540_import(root: Path, *args: str, out: Path | None = None) -> tuple[int, str, str]:
    """``poc1540 import ARGS --out OUT`` in a subprocess under ``root``: exit code, stdout, stderr."""
    out = out or root / "survey.csv"
    proc = run(["poc1540", "import", *args, "--out", str(out)], cwd=root, root=root, check=False)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def imported(root: Path, *args: str) -> tuple[pd.DataFrame, str]:
    code, log, err = poc1540_import(root, *args)
    assert code == 0, err
    return pd.read_csv(root / "survey.csv", dtype=str, keep_default_na=False), log


def refused(root: Path, *args: str) -> str:
    """An import refused over a previous output, which keeps its bytes. Returns stderr."""
    previous = root / "previous.csv"
    previous.write_bytes(EXPECTED.read_bytes())
    code, _, err = poc1540_import(root, *args, out=previous)
    assert code == 1, err
    assert previous.read_bytes() == EXPECTED.read_bytes()
    assert "Nothing was written" in err
    return err


def not_asked(root: Path, qid: str) -> None:
    """Mark a question skip: true in the scratch codebook (this edition did not ask it)."""
    codebook = root / "data/raw/survey_codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    assert f"  - id: {qid}\n" in text
    codebook.write_text(text.replace(f"  - id: {qid}\n", f"  - id: {qid}\n    skip: true\n"), encoding="utf-8")


def qualtrics_export(path: Path) -> pd.DataFrame:
    """A Qualtrics CSV read independently: row 1 names the columns, rows 2-3 are header rows; previews left out."""
    export = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=[1, 2], encoding="utf-8-sig")
    return export[~export["Status"].isin(["Survey Preview", "Survey Test"])]


# --- a question not asked in this edition (codebook skip: true) whose export column holds answers


def test_answers_to_a_question_the_codebook_skips_are_refused_with_the_count(root: Path) -> None:
    not_asked(root, "predecessor_handover")
    export = FIXTURES / "qualtrics_columns.csv"
    err = refused(root, "--format", "qualtrics", str(export))
    real = qualtrics_export(export)
    answered = real.index[real["Q7"] != ""]
    lines = ", ".join(str(i + 4) for i in answered)  # three header rows: data row i is on line i + 4
    assert (
        f"{export}, row 1, column 'Q7 (column X)' holds {len(answered)} answer(s) to 'predecessor_handover' (rows {lines}), "
        "but data/raw/survey_codebook.yaml marks 'predecessor_handover' skip: true (not asked in this edition)"
    ) in err.replace(str(paths.relative(export)), str(export))
    assert "remove 'skip: true' from 'predecessor_handover' in data/raw/survey_codebook.yaml" in err
    assert "drop the column from the export, or write 'predecessor_handover: {skip: true}' in params/import/qualtrics.yaml" in err


def test_a_skipped_question_imports_empty_once_its_column_is_dropped(root: Path) -> None:
    not_asked(root, "predecessor_handover")
    export = FIXTURES / "qualtrics_columns.csv"
    mapping = root / "params/import/qualtrics.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(
        text.replace(
            "  predecessor_handover:\n    column: Q7\n    answers: {I am the first POC: first_poc}\n",
            "  predecessor_handover: {skip: true}\n",
        ),
        encoding="utf-8",
    )
    written, log = imported(root, "--format", "qualtrics", str(export))
    assert (written["predecessor_handover"] == "").all()
    expected = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
    others = [c for c in expected.columns if c != "predecessor_handover"]
    pd.testing.assert_frame_equal(written[others], expected[others])
    assert "column 'Q7 (column X)' is not mapped to the codebook and is not imported" in log  # said, not silent


def test_a_skipped_question_whose_column_is_empty_or_absent_imports(root: Path, tmp_path: Path) -> None:
    not_asked(root, "predecessor_handover")
    export = pd.read_csv(FIXTURES / "qualtrics_columns.csv", dtype=str, keep_default_na=False, header=None, encoding="utf-8-sig")
    q7 = export.iloc[0].tolist().index("Q7")
    empty = export.copy()
    empty.iloc[3:, q7] = ""  # the edition's export has the column, with nothing in it
    absent = export.drop(columns=q7)  # or has no such column at all
    for name, frame in (("empty.csv", empty), ("absent.csv", absent)):
        path = tmp_path / name
        frame.to_csv(path, header=False, index=False, lineterminator="\n")
        written, _ = imported(root, "--format", "qualtrics", str(path))
        assert (written["predecessor_handover"] == "").all() and len(written) == 7, name


def test_a_skipped_multi_select_with_ticks_in_a_surveymonkey_export_is_refused(root: Path) -> None:
    not_asked(root, "support")
    export = FIXTURES / "surveymonkey.csv"
    err = refused(root, "--format", "surveymonkey", str(export))
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, header=None)
    question = "What support have you received for your work as POC? (Select all that apply)"
    first = frame.iloc[0].tolist().index(question)
    ticked = (frame.iloc[2:, first : first + 6] != "").any(axis=1)
    lines = ", ".join(str(i + 1) for i in ticked.index[ticked])  # rows counted from line 1
    assert f"holds {int(ticked.sum())} answer(s) to 'support' (rows {lines})" in err
    assert "column 'What support have you received for your work as POC? (Sel... (6 columns, AA to AF)'" in err


def test_a_skipped_question_with_answers_in_a_tidy_file_is_refused(root: Path) -> None:
    not_asked(root, "written_mandate")
    err = refused(root, "--format", "canonical", str(EXPECTED))
    answered = (pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)["written_mandate"] != "").sum()
    assert f"column 'written_mandate (column G)' holds {answered} answer(s) to 'written_mandate'" in err
    assert "empty the column in the file" in err
