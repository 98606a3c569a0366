"""`poc1540 verify`: a from-scratch rebuild elsewhere matches every committed output, and a
hand-edited result is caught, named, and shown with its committed and rebuilt text.

One forced `dvc repro` runs for the whole session (the ``forced_build`` fixture); the hand-edit check compares with that same
rebuild (``--rebuilt``), which verify allows only because every input file is unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poc1540.review import verify
from support.repo import ForcedBuild, clone, commit_all, git

pytestmark = pytest.mark.slow

FINDINGS = "results/02_coverage/findings.json"


@pytest.fixture(scope="module")
def verified(forced_build: ForcedBuild) -> ForcedBuild:
    """verify run once on an untouched clone, its rebuild kept (shared with the pipeline tests)."""
    return forced_build


def test_verify_passes_on_an_unchanged_checkout(verified: ForcedBuild) -> None:
    assert verified.code == 0, verified.out
    assert "VERIFY PASSED" in verified.out
    # Every committed output is in the table, including each file inside output directories.
    expected = verify.snapshot(verified.checkout, verify.committed_outputs(verified.checkout))
    assert FINDINGS in expected and "results/findings.json" in expected
    for name in expected:
        assert name in verified.out, f"{name} missing from the verify table"
    assert git(["status", "--porcelain"], verified.checkout) == "", "verify must not touch the checkout"


def test_verify_fails_and_names_a_hand_edited_finding(
    verified: ForcedBuild, repo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = clone(repo_copy, tmp_path / "checkout")
    path = checkout / FINDINGS
    payload = json.loads(path.read_text())
    finding = next(f for f in payload["findings"] if f["key"] == "coverage.states_with_poc")
    original = finding["text"]
    finding["text"] = "999 States"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    commit_all(checkout, "hand-edit a finding")

    code = verify.main_verify(checkout, rebuilt=verified.rebuild)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "VERIFY FAILED" in out and FINDINGS in out.splitlines()[-1]
    row = next(line for line in out.splitlines() if line.startswith(FINDINGS))
    assert row.split()[-1] == "NO", row
    assert f"Findings that differ in {FINDINGS}" in out
    line = next(line for line in out.splitlines() if line.startswith("coverage.states_with_poc "))
    assert line.split()[1] == "changed" and "999 States" in line and original in line, line
    assert line.index("999 States") < line.index(original)  # committed text first, then rebuilt


def test_an_earlier_rebuild_of_other_inputs_is_refused(
    verified: ForcedBuild, repo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = clone(repo_copy, tmp_path / "checkout")
    params = checkout / "params/coverage.yaml"
    params.write_text(params.read_text().replace("2018-08-31", "2019-08-31"))
    commit_all(checkout, "another comparison date")
    assert verify.main_verify(checkout, rebuilt=verified.rebuild) == 1
    err = capsys.readouterr().err
    assert "made from other inputs" in err and "params/coverage.yaml" in err


def test_verify_reports_a_failed_rebuild_without_a_traceback(
    clone_of_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipeline that cannot rebuild ends in its output tail and exit 1 (validation fails first: fast)."""
    survey = clone_of_copy / "data/raw/survey_responses.csv"
    lines = survey.read_text().split("\n")
    header, cells = lines[0].split(","), lines[3].split(",")
    cells[header.index("tenure")] = "forever"
    lines[3] = ",".join(cells)
    survey.write_text("\n".join(lines))
    commit_all(clone_of_copy, "break the raw data")

    code = verify.main_verify(clone_of_copy, workdir=tmp_path / "scratch")
    captured = capsys.readouterr()
    assert code == 1
    assert "dvc repro --force` failed" in captured.out and "VERIFY FAILED" in captured.out
    assert "data/raw/survey_responses.csv, row 4, column 'tenure': value 'forever'" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_verify_outside_a_checkout_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify.main_verify(tmp_path) == 1
    assert "no dvc.yaml" in capsys.readouterr().err
