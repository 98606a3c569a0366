"""A failing stage leaves the last good outputs in place, run with the README's own commands.

Real ``dvc repro`` and ``dvc exp run`` in a built copy of the repository, as the README writes
them (``.venv/bin/dvc …``, nothing activated, ``PATH`` without the virtualenv): a bad parameter
is refused by the validate stage before any notebook runs, a chapter whose notebook fails keeps
its ``results/`` folder byte-identical, and the error names the cause without a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from support.repo import output_hashes, tool_env

pytestmark = pytest.mark.slow

OUTPUTS = ("results", "report/_variables.yml", "report/_generated", "report/_output", "data/processed/validation.json", "dvc.lock")


def readme_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``.venv/bin/<args>`` in ``root`` with a PATH that does not hold the virtualenv, as a new contributor types it."""
    venv = root / ".venv"
    if not venv.exists():
        venv.symlink_to(Path(sys.prefix))
    env = {**tool_env(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run([f".venv/bin/{args[0]}", *args[1:]], cwd=root, env=env, capture_output=True, text=True)


def test_a_bad_parameter_is_refused_before_any_notebook_runs(built_copy: Path) -> None:
    before = output_hashes(built_copy, OUTPUTS)
    proc = readme_command(built_copy, "dvc", "exp", "run", "-S", "params/common.yaml:min_cell_size=five")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "params/common.yaml, key 'min_cell_size': value 'five' must be an integer ≥ 2" in log, log[-3000:]
    assert "Traceback" not in log and "TypeError" not in log
    assert "Running stage 'respondents'" not in log and "Running stage 'prepare'" not in log
    assert output_hashes(built_copy, OUTPUTS) == before


def test_a_failing_chapter_keeps_its_previous_results(built_copy: Path) -> None:
    before = output_hashes(built_copy, OUTPUTS)
    source = built_copy / "notebooks/05_support.ipynb"
    pristine = source.read_bytes()
    nb = nbformat.read(source, as_version=4)
    # fails after the chapter has written its figures, tables and findings (into its scratch folder)
    failing = nbformat.v4.new_code_cell("raise RuntimeError(\"no 'Total' row in the support table\")")
    failing.id = "planted-failure"
    nb.cells.append(failing)
    nbformat.write(nb, source)

    proc = readme_command(built_copy, "dvc", "repro")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert f"notebooks/05_support.ipynb failed in cell {len(nb.cells)} " in log, log[-3000:]
    assert "RuntimeError: no 'Total' row in the support table" in log
    assert "results/05_support/ was left as it was" in log
    assert "Traceback" not in log and "PapermillExecutionError" not in log
    assert output_hashes(built_copy, OUTPUTS) == before, "a failed chapter must leave every output byte-identical"
    assert not [p.name for p in (built_copy / "results").iterdir() if p.name.startswith(".")], "no scratch folder is left behind"

    # fixed again, the README's command builds; a rerun replaces the folder whole (a stale file goes)
    source.write_bytes(pristine)
    (built_copy / "results/05_support/no_longer_written.csv").write_text("Group,Yes\nAll,9\n", encoding="utf-8")
    proc = readme_command(built_copy, "dvc", "repro", "--force", "support")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert not (built_copy / "results/05_support/no_longer_written.csv").exists()
    assert output_hashes(built_copy, ("results/05_support",)) == {k: v for k, v in before.items() if k.startswith("results/05_support/")}


def test_a_refused_findings_stage_keeps_the_last_good_report_inputs(built_copy: Path) -> None:
    """A chapter register whose suppressed cell the others pin down: the findings stage refuses it,
    and the report's inputs (variables, generated text, registers) stay as they were."""
    import json

    def cell(label: str, where: dict, value: int | None, rule: str | None = None) -> dict:
        return {"label": label, "where": [where], "outputs": ["table"], "value": value, "rule": rule}

    answered = {"responded": [True], "item": [True, False]}
    planted = {
        "notebook": "09_planted",
        "domains": {"responded": [True, False], "item": [True, False, None], "role": ["a", "b", None]},
        "cells": [
            cell("item yes", {"responded": [True], "item": [True]}, 20),
            cell("item answered", answered, 30),
            cell("a yes", {"responded": [True], "item": [True], "role": ["a"]}, 17),
            cell("a answered", {**answered, "role": ["a"]}, 25),
            cell("b yes", {"responded": [True], "item": [True], "role": ["b"]}, None, "threshold"),
            cell("b answered", {**answered, "role": ["b"]}, 5),
        ],
    }
    folder = built_copy / "results/09_planted"
    folder.mkdir()
    (folder / "cells.json").write_text(json.dumps(planted), encoding="utf-8")
    before = output_hashes(built_copy, OUTPUTS)

    proc = readme_command(built_copy, "dvc", "repro", "--force", "findings")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "'b yes'" in log and "Traceback" not in log, log[-3000:]
    assert output_hashes(built_copy, OUTPUTS) == before, "a refused findings stage must leave the report's inputs byte-identical"
