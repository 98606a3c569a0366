"""Shared fixtures: a scratch copy of the raw data, and scratch copies of the whole repository.

The helpers they use (and tests import) are in ``tests/support/``.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from poc1540.core import paths
from support.repo import ForcedBuild, clone, commit_all, run


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw to break on purpose."""
    target = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, target)
    return target


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


# The session builds above are made once per pytest-xdist worker that asks for them. Tests
# sharing one are sent to the same worker (`make test` runs `--dist loadgroup`), so each build
# is made once in the whole run; the rest of the suite spreads over the other worker.
SHARED_BUILDS = {"forced_build": "forced build", "built_repo": "built repository"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, group in SHARED_BUILDS.items():
            if fixture in fixtures:
                item.add_marker(pytest.mark.xdist_group(group))
                break
