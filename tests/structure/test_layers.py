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
