"""The package's import layers (``[tool.importlinter]`` in pyproject.toml) hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from poc1540.core import paths


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache"], cwd=paths.ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_environment_is_committed() -> None:
    """A virtualenv (or a link to one) in git would replace a contributor's own on checkout."""
    import subprocess

    from poc1540.core import paths

    tracked = subprocess.run(
        ["git", "ls-files", "--", ".venv", "venv", ".conda"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    )
    assert tracked.stdout.split() == []
