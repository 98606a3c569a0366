"""The executed notebooks re-run under nbval: the cells that print findings (tagged
``nbval-check-output``) must print the same again; every other cell must run without error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.repo import tool_env

pytestmark = pytest.mark.slow
SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")


def nbval(root: Path, notebook: Path):
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-sanitize-with",
        str(SANITIZE),
        "-p",
        "no:cacheprovider",
        "-q",
        "-c",
        "/dev/null",
        "--rootdir",
        str(root),
    ]
    # As the executor does, tell the kernel which notebook it runs (its results folder and findings).
    env = {**tool_env(root), "POC1540_NOTEBOOK": notebook.stem}
    return subprocess.run([*cmd, str(notebook)], cwd=root, env=env, capture_output=True, text=True)


def checked_cells(notebook: Path) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return sum("nbval-check-output" in c.get("metadata", {}).get("tags", []) for c in cells)


def test_every_chapter_checks_its_findings(built_copy: Path) -> None:
    for notebook in sorted(built_copy.glob("results/0[2-9]_*/*.ipynb")):
        assert checked_cells(notebook) >= 1, f"{notebook.name} has no cell tagged nbval-check-output"


def test_executed_notebooks_rerun_with_the_same_findings(built_copy: Path) -> None:
    notebooks = sorted(built_copy.glob("results/*/*.ipynb"))
    assert len(notebooks) >= 7
    for notebook in notebooks:
        proc = nbval(built_copy, notebook)
        assert proc.returncode == 0, f"{notebook.name}:\n{proc.stdout[-3000:]}"
    assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_nbval_fails_when_a_committed_finding_is_altered(built_copy: Path) -> None:
    notebook = next(built_copy.glob("results/02_coverage/*.ipynb"))
    nb = json.loads(notebook.read_text())
    cell = next(c for c in nb["cells"] if "nbval-check-output" in c.get("metadata", {}).get("tags", []))
    stream = next(o for o in cell["outputs"] if o.get("output_type") == "stream")
    stream["text"] = [line.replace("coverage.member_states = ", "coverage.member_states = 1") for line in stream["text"]]
    notebook.write_text(json.dumps(nb, indent=1))
    proc = nbval(built_copy, notebook)
    assert proc.returncode != 0 and "coverage.member_states" in proc.stdout
