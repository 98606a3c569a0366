"""Sharing results through a DVC remote: push from one checkout, clone afresh, pull, nothing to re-run.

The remote is a directory here; an SSH or S3 remote behaves the same (see the README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.repo import clone, commit_all, git, run

pytestmark = pytest.mark.slow


def test_push_clone_pull_leaves_nothing_to_rerun(built_copy: Path, tmp_path: Path) -> None:
    storage = tmp_path / "dvc-remote"
    storage.mkdir()
    run(["dvc", "remote", "add", "-d", "shared", str(storage)], cwd=built_copy)
    pushed = run(["dvc", "push"], cwd=built_copy, root=built_copy)
    assert any(storage.rglob("*")), f"dvc push wrote nothing to the remote:\n{pushed.stdout}"
    commit_all(built_copy, "share results through a DVC remote")
    assert "shared" in git(["show", "HEAD:.dvc/config"], built_copy)

    fresh = clone(built_copy, tmp_path / "fresh")
    assert not (fresh / "data/processed/states.parquet").exists()  # cached outs are not in git
    run(["dvc", "pull"], cwd=fresh, root=fresh)
    assert (fresh / "data/processed/states.parquet").is_file()

    status = run(["dvc", "status"], cwd=fresh, root=fresh).stdout
    assert "Data and pipelines are up to date." in status, status
    repro = run(["dvc", "repro"], cwd=fresh, root=fresh).stdout
    assert "Running stage" not in repro, repro
    assert git(["status", "--porcelain"], fresh) == ""
