"""Shared fixtures: a scratch copy of the raw data, and a scratch copy of the whole repository."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from poc1540.core import paths

BIN = Path(sys.executable).parent


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw to break on purpose."""
    target = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, target)
    return target


def tool_env(root: Path | None = None) -> dict[str, str]:
    """Environment for running the project's commands in a subprocess."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    if root is not None:
        # the copy's own code and paths, not the editable install's
        env["POC1540_ROOT"] = str(root)
        env["PYTHONPATH"] = str(root / "src")
    return env


def output_hashes(root: Path, names: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of every file under the given output paths (files or folders) of a repo copy."""
    out = {}
    for name in names:
        base = root / name
        for path in [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()):
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def run(cmd: list[str], cwd: Path, root: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command, returning its output; fail the test with the output when it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=tool_env(root), capture_output=True, text=True)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree (tracked and untracked, not ignored files) copied into a fresh git repo."""
    target = tmp_path_factory.mktemp("repo")
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, files):
        src = paths.ROOT / name
        if src.is_file():
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-qm", "copy"], cwd=target, check=True
    )
    return target


GIT_USER = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]


def git(args: list[str], cwd: Path) -> str:
    """Run git in ``cwd`` as the test user; fail the test with git's message when it fails."""
    proc = subprocess.run(["git", *GIT_USER, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"git {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def commit_all(cwd: Path, message: str) -> None:
    """Stage everything git does not ignore and commit it (no-op when nothing changed)."""
    git(["add", "-A"], cwd)
    if git(["status", "--porcelain"], cwd).strip():
        git(["commit", "-qm", message], cwd)


def clone(source: Path, target: Path) -> Path:
    """A git clone of ``source``: its committed state only (no DVC cache, no ignored outputs)."""
    git(["clone", "-q", str(source), str(target)], target.parent)
    return target


@pytest.fixture
def clone_of_copy(repo_copy: Path, tmp_path: Path) -> Path:
    """A fresh clone of the repository copy, safe to edit and commit in (repo_copy stays as it is)."""
    return clone(repo_copy, tmp_path / "clone")


@pytest.fixture(scope="session")
def built_repo(repo_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the repository copy after `dvc repro`, with whatever that changed committed.

    Shared by the tests that need a built pipeline; they must not change it (use ``built_copy``).
    """
    target = clone(repo_copy, tmp_path_factory.mktemp("built") / "repo")
    run(["dvc", "repro"], cwd=target, root=target)
    commit_all(target, "built")
    return target


@pytest.fixture
def built_copy(built_repo: Path, tmp_path: Path) -> Path:
    """A private copy of ``built_repo`` (git history, DVC cache and outputs included) to change freely."""
    target = tmp_path / "built"
    shutil.copytree(built_repo, target, symlinks=True)
    return target


@dataclass
class ForcedBuild:
    """`poc1540 verify` run once on an untouched clone: its exit code, report and kept rebuild."""

    checkout: Path
    rebuild: Path
    code: int
    out: str


@pytest.fixture(scope="session")
def forced_build(repo_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> ForcedBuild:
    """The suite's one full `dvc repro --force` from raw data, made by `poc1540 verify`.

    Shared by the verify tests and the end-to-end pipeline tests (which work on a copy of the
    rebuild), so the slowest step of the pipeline runs once per session.
    """
    from poc1540.review import verify

    base = tmp_path_factory.mktemp("forced")
    checkout = clone(repo_copy, base / "checkout")
    buffer = io.StringIO()  # session fixture: capture by hand
    with contextlib.redirect_stdout(buffer):
        code = verify.main_verify(checkout, workdir=base / "rebuild")
    return ForcedBuild(checkout, base / "rebuild", code, buffer.getvalue())
