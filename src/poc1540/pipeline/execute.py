"""Run one chapter notebook with papermill, the way every DVC notebook stage does.

- Parameters come from YAML files in ``params/``. A chapter's own file must hold only keys the
  notebook declares in its ``parameters`` cell (so the stage's params are exactly the ones it
  uses); shared files such as ``params/common.yaml`` contribute only the keys it declares.
- The executed copy goes to ``results/<notebook>/`` (never back into ``notebooks/``), stripped
  of what varies between runs (timestamps, durations). The report stage turns it into HTML
  next to the report (``poc1540.review.notebook_html``).
- The parameter files are checked against their schemas (:mod:`poc1540.core.params`) first, so
  a bad value is refused with its file, key and rule before the kernel starts.
- The notebook writes into a hidden scratch folder beside ``results/<notebook>/`` (it learns
  where from ``POC1540_OUTPUT_DIR``); only when every cell has run is that folder swapped in,
  whole, for the previous one (:func:`poc1540.core.atomic.staged_dir`), so files the chapter no
  longer writes go too. A failing cell gives a short message naming the notebook, cell and the
  exception's message; ``results/<notebook>/`` stays byte-identical (its DVC outs are
  ``persist: true``, so DVC does not delete them before the run either), and the failed
  executed notebook is kept under ``data/processed/failed/`` for debugging.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml

from poc1540.core import atomic, params, paths
from poc1540.errors import UserError

KERNEL = "python3"
VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables", "version")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ExecutionError(UserError):
    """A notebook could not be run as asked (bad parameters or a failing cell)."""


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters``."""
    return set(papermill.inspect_notebook(str(notebook)).keys())


def load_parameters(notebook: Path, params_files: list[Path], shared: tuple[str, ...] = ("common.yaml",)) -> dict[str, Any]:
    """Merge the params files for a notebook, checking each key against its parameters cell."""
    declared = declared_parameters(notebook)
    merged: dict[str, Any] = {}
    for path in params_files:
        data = params.checked_file(Path(path), reader=_read_yaml)
        if Path(path).name in shared:
            data = {k: v for k, v in data.items() if k in declared}
        unknown = sorted(set(data) - declared)
        if unknown:
            raise ExecutionError(
                f"{paths.relative(path)}: {', '.join(unknown)} not a parameter of {paths.relative(notebook)} "
                f"(its parameters cell declares: {', '.join(sorted(declared))})"
            )
        merged.update(data)
    return merged


def _read_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes from run to run, so an unchanged analysis gives identical bytes."""
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill", {})
    for key in VOLATILE_NOTEBOOK_KEYS:
        pm.pop(key, None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id on every run
        cell.metadata.pop("execution", None)
        if cell.get("outputs"):
            cell.outputs = coalesce_streams(cell.outputs)
        cell_pm = cell.metadata.get("papermill")
        if cell_pm is not None:
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                cell_pm.pop(key, None)
    return nb


def coalesce_streams(outputs: list) -> list:
    """Join adjacent stdout (or stderr) outputs into one.

    How a kernel splits printed text into messages depends on timing, so under load the same
    prints arrive as one output or several; joined, they give the same bytes every run.
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(copy.deepcopy(out))
    return merged


def _first_error(nb: nbformat.NotebookNode, source: Path) -> str:
    """Where the run failed, numbered as the cells of the source notebook."""
    order = [c.get("id") for c in nbformat.read(source, as_version=4).cells]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                where = f"cell {order.index(cell.get('id')) + 1}" if cell.get("id") in order else "the injected parameters cell"
                return f"{where} (In [{cell.get('execution_count')}]): {out['ename']}: {ANSI.sub('', str(out['evalue']))}"
    return "an unknown cell"


def run(notebook: Path, params_files: list[Path], output_dir: Path | None = None, failed_dir: Path | None = None) -> Path:
    """Execute ``notebook`` with papermill; on success its outputs replace ``results/<notebook>/`` whole."""
    notebook = Path(notebook)
    parameters = load_parameters(notebook, params_files)
    failed_dir = Path(failed_dir or paths.DATA_PROCESSED / "failed")
    failed_dir.mkdir(parents=True, exist_ok=True)
    failed = failed_dir / notebook.name
    target_dir = Path(output_dir or paths.chapter_results(notebook.stem))
    with atomic.staged_dir(target_dir) as scratch:
        executed = _execute(notebook, parameters, failed, scratch)
        atomic.write_text(scratch / notebook.name, nbformat.writes(normalise(executed)) + "\n")
    failed.unlink(missing_ok=True)
    return target_dir / notebook.name


def _execute(notebook: Path, parameters: dict[str, Any], failed: Path, scratch: Path) -> nbformat.NotebookNode:
    """Run the notebook writing into ``scratch``; a failing cell is an :class:`ExecutionError`."""
    # The kernel inherits the environment: the notebook learns its own name and where to write
    # from here (poc1540.publish.chapter), so no notebook types either. Restored afterwards, so a
    # process that runs several notebooks (or the tests) does not hand one's to the next.
    env = {paths.NOTEBOOK_ENV: notebook.stem, paths.OUTPUT_DIR_ENV: str(scratch)}
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(failed),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(notebook.parent),
            progress_bar=False,
            report_mode=False,
            shutdown_kernel="immediate",  # outputs are collected; a graceful shutdown only waits
        )
    except papermill.PapermillExecutionError:
        nb = nbformat.read(failed, as_version=4)
        raise ExecutionError(
            f"{paths.relative(notebook)} failed in {_first_error(nb, notebook)}. "
            f"{paths.relative(paths.chapter_results(notebook.stem))}/ was left as it was; "
            f"the failed run is at {paths.relative(failed)}"
        ) from None
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
