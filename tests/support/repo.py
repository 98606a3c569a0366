"""Helpers the tests share: running the project's commands in repository copies, git, output hashes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


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


@dataclass
class ForcedBuild:
    """`poc1540 verify` run once on an untouched clone: its exit code, report and kept rebuild."""

    checkout: Path
    rebuild: Path
    code: int
    out: str
