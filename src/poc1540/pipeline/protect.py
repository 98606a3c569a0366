"""The protect stage: run the survey chapters, audit their cells together, withhold until none can be recovered.

Each round runs every survey chapter notebook (as :mod:`poc1540.pipeline.execute` does, into a
scratch folder: nothing under ``results/`` changes) with the protection decided so far, merges
their registers of published cells and attacks them together (:mod:`poc1540.analysis.attack`).
When a suppressed cell can be narrowed below the threshold, :mod:`poc1540.analysis.protect`
chooses published cells to withhold as well, and the next round applies them (a chapter's own
protection can react to what is withheld, so the result is audited again, not assumed). The
stage writes ``data/processed/protection.json`` only when a round's register passes the audit,
with that register's fingerprint: the findings stage recognises it and does not attack it twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from poc1540.analysis import attack
from poc1540.analysis import protect as search
from poc1540.core import atomic, paths
from poc1540.errors import UserError
from poc1540.pipeline import execute

ROUNDS = 4


def min_count(params_files: list[Path]) -> int:
    """The threshold (``min_cell_size``) from the params files the chapters are given."""
    import yaml

    for path in params_files:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if "min_cell_size" in data:
            return int(data["min_cell_size"])
    raise UserError(f"none of {[paths.relative(p) for p in params_files]} sets min_cell_size, the threshold to protect to")


def _round(notebooks: list[Path], params_files: list[Path], protection: dict[str, Any], scratch: Path) -> dict[str, Any]:
    """Every chapter run once with ``protection``; their registers merged."""
    trial = scratch / "protection.json"
    trial.write_text(json.dumps({"cells": protection}), encoding="utf-8")
    previous = os.environ.get(paths.PROTECTION_ENV)
    os.environ[paths.PROTECTION_ENV] = str(trial)
    registers = []
    try:
        for notebook in notebooks:
            out = scratch / notebook.stem
            execute.run(notebook, params_files, output_dir=out, failed_dir=scratch / "failed")
            register = out / "cells.json"
            if register.exists():
                registers.append(json.loads(register.read_text(encoding="utf-8")))
    finally:
        if previous is None:
            os.environ.pop(paths.PROTECTION_ENV, None)
        else:
            os.environ[paths.PROTECTION_ENV] = previous
    try:
        return attack.merge(registers)
    except ValueError as error:
        raise UserError(f"the chapters' registers of published cells disagree: {error}") from None


def run(notebooks: list[Path], params_files: list[Path], target: Path | None = None) -> dict[str, Any]:
    """Decide the complementary suppressions and write them (see the module docstring); return what was written."""
    threshold = min_count(params_files)
    protection: dict[str, Any] = {}
    paths.DATA_PROCESSED.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".protect-", dir=paths.DATA_PROCESSED) as tmp:
        for rounds in range(1, ROUNDS + 1):
            merged = _round(notebooks, params_files, protection, Path(tmp))
            found = attack.exposures(merged, threshold)
            if not found:
                result = {
                    "checked": "every chapter's published cells attacked together by linear programming; none narrower than the threshold",
                    "min_count": threshold,
                    "rounds": rounds,
                    "verified": search.digest(merged),
                    "cells": protection,
                }
                atomic.write_text(Path(target or paths.PROTECTION), json.dumps(result, indent=1, ensure_ascii=False) + "\n")
                return result
            more = {k: v for k, v in search.complementary(merged, threshold).items() if k not in protection}
            if not more:
                break
            protection.update(more)
    lines = "\n".join(f"  - {e.message()}" for e in found)
    raise UserError(
        f"{len(found)} suppressed survey cell(s) can still be recovered from the published outputs together "
        f"(threshold {threshold}), and withholding more published cells did not protect them:\n{lines}\n"
        "Raise min_cell_size in params/common.yaml, or publish fewer breakdowns of these cells."
    )
