"""The findings stage's disclosure check: every chapter's published survey cells, attacked together.

Each chapter decides its own suppression and writes its register of published cells
(``results/<chapter>/cells.json``, :mod:`poc1540.analysis.cells`). Here the registers are merged
and an attacker who holds every published number at once (:mod:`poc1540.analysis.attack`)
bounds each suppressed cell. If any comes out narrower than the threshold, or one output
prints a cell another suppresses, the stage fails naming the cell and the outputs, and writes
nothing; otherwise it writes ``results/disclosure.json``: the merged register (published values,
and for suppressed cells only the rule) and the counts the guard's receipt reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from poc1540.analysis import attack
from poc1540.core import paths
from poc1540.core.finding import FindingsError


def load(directory: Path = paths.RESULTS) -> tuple[dict[str, Any], list[str]]:
    """The chapters' registers merged, and the chapters that wrote one."""
    files = sorted(Path(directory).glob("*/cells.json"))
    registers = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    try:
        merged = attack.merge(registers)
    except ValueError as error:
        raise FindingsError(f"the chapters' registers of published cells disagree: {error}") from None
    return merged, [r["notebook"] for r in registers]


def check(min_count: int, directory: Path = paths.RESULTS) -> dict[str, Any]:
    """Attack the merged register; raise naming every recoverable cell, else return what to write."""
    merged, chapters = load(directory)
    found = attack.exposures(merged, min_count)
    if found:
        lines = "\n".join(f"  - {e.message()}" for e in found)
        raise FindingsError(
            f"{len(found)} suppressed survey cell(s) can be recovered from the published outputs together "
            f"(threshold {min_count}):\n{lines}\nProtect them in the chapter that publishes them (poc1540.analysis.disclosure)."
        )
    summary = attack.counts(merged)
    cells = [{k: c[k] for k in ("label", "where", "outputs", "value", "rule")} for c in merged["cells"]]
    return {
        "checked": "every suppressed cell bounded by linear programming from all published cells together; none narrower than the threshold",
        "min_count": min_count,
        "chapters": chapters,
        **summary,
        "domains": merged["domains"],
        "cells": cells,
    }
