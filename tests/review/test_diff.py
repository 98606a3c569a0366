"""How findings moved between revisions: `poc1540 diff`, `dvc metrics diff` and `dvc exp run`.

The diff logic is tested on a small git repository of findings files (no DVC run); the DVC
commands are tested for real in a built copy of the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from poc1540.review import diff
from support.repo import commit_all, git, run, tool_env


def finding(key: str, value: Any, text: str, unit: str) -> dict[str, Any]:
    return {"key": key, "value": value, "text": text, "unit": unit, "notebook": key.split(".")[0], "cell": 3, "extra": {}}


def write_findings(root: Path, notebook: str, findings: list[dict[str, Any]]) -> None:
    path = root / "results" / notebook / "findings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"notebook": notebook, "findings": findings, "figures": {}}, indent=2) + "\n")


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A git repo with two commits of findings from two notebooks, and a merged metrics file."""
    root = tmp_path / "repo"
    root.mkdir()
    git(["init", "-q"], root)
    write_findings(
        root,
        "02_coverage",
        [
            finding("coverage.states_with_poc", 102, "102 States", "States"),
            finding("coverage.share_with_poc", 52.8, "53% (102 of 193)", "percent"),
            finding("coverage.snapshot_date", "2018-08-31", "31 August 2018", "date"),
            finding("coverage.member_states", 193, "193 States", "States"),
        ],
    )
    write_findings(root, "03_roles", [finding("roles.hub_share", 20.0, "20% (10 of 50)", "percent")])
    (root / "results" / "findings.json").write_text('{"coverage": {"states_with_poc": 102}}\n')  # merged: not a chapter file
    commit_all(root, "wave 1")
    write_findings(
        root,
        "02_coverage",
        [
            finding("coverage.states_with_poc", 123, "123 States", "States"),
            finding("coverage.share_with_poc", 63.7, "64% (123 of 193)", "percent"),
            finding("coverage.snapshot_date", "2020-08-31", "31 August 2020", "date"),
            finding("coverage.member_states", 193, "193 States", "States"),
            finding("coverage.action_plans", 48, "48 plans", "plans"),
        ],
    )
    (root / "results" / "03_roles" / "findings.json").unlink()
    commit_all(root, "wave 2")
    return root


def test_changed_added_and_removed_findings_between_two_revisions(history: Path) -> None:
    result = diff.diff("HEAD~1", "HEAD", root=history)
    kinds = {c.key: c.kind for c in result.changes}
    assert kinds == {
        "coverage.states_with_poc": "changed",
        "coverage.share_with_poc": "changed",
        "coverage.snapshot_date": "changed",
        "coverage.action_plans": "added",
        "roles.hub_share": "removed",
    }
    assert result.unchanged == 1  # member_states
    by_key = {c.key: c for c in result.changes}
    assert by_key["coverage.states_with_poc"].difference == "+21"
    assert by_key["coverage.share_with_poc"].difference == "+10.9 pp"  # float noise rounded away
    assert by_key["coverage.snapshot_date"].difference == ""  # not numbers: text only
    assert (by_key["coverage.action_plans"].old_text, by_key["coverage.action_plans"].new_text) == ("—", "48 plans")


def test_the_table_shows_key_old_new_and_difference(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main_diff("HEAD~1", "HEAD", root=history) == 0
    out = capsys.readouterr().out
    assert "3 changed, 1 added, 1 removed, 1 unchanged" in out
    line = next(line for line in out.splitlines() if line.startswith("coverage.share_with_poc "))
    assert re.search(r"changed\s+53% \(102 of 193\)\s+64% \(123 of 193\)\s+\+10\.9 pp$", line), line
    assert "coverage.member_states" not in out


def test_working_tree_is_the_default_second_side(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_findings(history, "02_coverage", [finding("coverage.states_with_poc", 120, "120 States", "States")])
    result = diff.diff("HEAD", root=history)
    assert result.new_label == diff.WORKING_TREE
    assert next(c for c in result.changes if c.key == "coverage.states_with_poc").difference == "-3"
    assert diff.main_diff("HEAD", root=history) == 0
    assert "the working tree" in capsys.readouterr().out


def test_no_change_says_so(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main_diff("HEAD", root=history) == 0
    assert "No finding changed between HEAD and the working tree" in capsys.readouterr().out


def test_cell_moves_are_not_changes(history: Path) -> None:
    """A finding recorded in another cell (an edit above it) states the same thing."""
    old = {"a.b": finding("a.b", 1, "1", "States")}
    new = {"a.b": {**finding("a.b", 1, "1", "States"), "cell": 9}}
    assert diff.compare(old, new).changes == []


def test_bad_revision_is_a_plain_error(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main_diff("no-such-rev", root=history) == 1
    err = capsys.readouterr().err
    assert "'no-such-rev' is not a revision" in err and "Traceback" not in err


def test_a_revision_before_any_findings_lists_them_all_as_added(history: Path) -> None:
    first = git(["rev-list", "--max-parents=0", "HEAD"], history).strip()
    (history / "README").write_text("x\n")
    git(["checkout", "-q", "--orphan", "empty"], history)
    git(["rm", "-rq", "--cached", "results"], history)
    git(["add", "README"], history)
    git(["commit", "-qm", "no results yet"], history)
    result = diff.diff("empty", first, root=history)
    assert {c.kind for c in result.changes} == {"added"} and len(result.changes) == 5


# --- DVC's own view of the metrics, in a built copy of the real repository -------------------


def set_param(path: Path, key: str, value: str) -> None:
    """Change one top-level value in a params YAML file, keeping its comments."""
    text = path.read_text()
    new, n = re.subn(rf'(?m)^({re.escape(key)}:\s*)("[^"]*"|\'[^\']*\'|\S+)', rf'\g<1>"{value}"', text)
    assert n == 1, f"{key} not found in {path}"
    path.write_text(new)


def coverage_metrics(root: Path) -> dict[str, Any]:
    return json.loads((root / "results/findings.json").read_text())["coverage"]


@pytest.mark.slow
def test_dvc_metrics_diff_lists_the_findings_a_parameter_moved(built_copy: Path) -> None:
    set_param(built_copy / "params/coverage.yaml", "comparison_date", "2016-08-31")
    out = run(["dvc", "repro"], cwd=built_copy, root=built_copy).stdout
    assert "Running stage 'coverage'" in out
    commit_all(built_copy, "compare with 2016")

    table = run(["dvc", "metrics", "diff", "HEAD~1"], cwd=built_copy, root=built_copy).stdout
    assert "coverage.states_with_poc_comparison" in table, table
    changed = json.loads(run(["dvc", "metrics", "diff", "HEAD~1", "--json"], cwd=built_copy, root=built_copy).stdout)
    metrics = changed["results/findings.json"]
    assert set(metrics) >= {"coverage.states_with_poc_comparison", "coverage.increase_since_comparison"}
    moved = metrics["coverage.states_with_poc_comparison"]
    assert moved["new"] < moved["old"]  # fewer States had a POC in 2016 than in 2018
    assert "coverage.member_states" not in metrics  # unchanged metrics are not listed


@pytest.mark.slow
def test_dvc_exp_run_tries_a_parameter_without_editing(built_copy: Path) -> None:
    # As the README writes it: `.venv/bin/dvc exp run ...`, with nothing activated, so the
    # stages' commands must not rely on the virtualenv being on PATH.
    (built_copy / ".venv").symlink_to(Path(sys.prefix))
    env = {**tool_env(built_copy), "PATH": "/usr/bin:/bin"}
    before = coverage_metrics(built_copy)
    proc = subprocess.run(
        [".venv/bin/dvc", "exp", "run", "-S", "params/coverage.yaml:comparison_date=2019-08-31"],
        cwd=built_copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Running stage 'coverage'" in proc.stdout
    after = coverage_metrics(built_copy)
    assert after["states_with_poc_comparison"] != before["states_with_poc_comparison"]
    assert after["member_states"] == before["member_states"]
    assert "2019-08-31" in (built_copy / "params/coverage.yaml").read_text()
    shown = json.loads(run(["dvc", "metrics", "diff", "--json"], cwd=built_copy, root=built_copy).stdout)
    assert "coverage.states_with_poc_comparison" in shown["results/findings.json"]
