"""The findings stage's disclosure check: every chapter's published survey cells, attacked together.

Each chapter applies the primary rules and the complementary suppressions the protect stage
decided over every chapter's cells together (:mod:`poc1540.pipeline.protect`), and writes its
register of published cells (``results/<chapter>/cells.json``, :mod:`poc1540.analysis.cells`).
Here the registers are merged; unless they are exactly the register the protect stage audited
(its fingerprint), an attacker who holds every published number at once
(:mod:`poc1540.analysis.attack`) bounds each suppressed cell again. If any comes out narrower
than the threshold, or one output prints a cell another suppresses, the stage fails naming the
cell and the outputs, and writes nothing; otherwise it writes ``results/disclosure.json``: the
merged register (published values, and for suppressed cells only the rule) and the counts the
guard's receipt and the methods appendix report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from poc1540.analysis import attack, protect
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
    """Attack the merged register; raise naming every recoverable cell, else return what to write.

    A register exactly as the protect stage audited it (same fingerprint) is not attacked again.
    """
    merged, chapters = load(directory)
    audited = protect.verified() == protect.digest(merged)
    found = [] if audited else attack.exposures(merged, min_count)
    if found:
        lines = "\n".join(f"  - {e.message()}" for e in found)
        raise FindingsError(
            f"{len(found)} suppressed survey cell(s) can be recovered from the published outputs together "
            f"(threshold {min_count}):\n{lines}\nProtect them in the chapter that publishes them (poc1540.analysis.disclosure)."
        )
    summary = attack.counts(merged)
    cells = [{k: c[k] for k in ("label", "where", "outputs", "value", "rule")} for c in merged["cells"]]
    return {
        "checked": "every suppressed cell bounded by linear programming from all published cells together; none narrower than the threshold"
        + (" (by the protect stage, for exactly these cells)" if audited else ""),
        "complementary_across_chapters": len(protect.load()),
        "min_count": min_count,
        "chapters": chapters,
        **summary,
        "domains": merged["domains"],
        "cells": cells,
    }


#: How the methods appendix names each rule's suppressions.
RULE_WORDS = {
    "threshold": "by the threshold",
    "complement": "by their complement",
    "base": "for a small base",
    "group": "by group disclosure",
    "identification": "by the identification rule",
    "complementary": "complementarily",
}


def variables(checked: dict[str, Any]) -> dict[str, str]:
    """The methods appendix's counts of suppressed cells, in words, from what :func:`check` returned."""
    per_rule = checked["suppressed_per_rule"]
    suppressed = sum(per_rule.values())
    parts = [f"{per_rule[r]} {RULE_WORDS[r]}" for r in RULE_WORDS if per_rule.get(r)]
    across = int(checked.get("complementary_across_chapters", 0))
    return {
        "disclosure.cells": str(checked["published_cells"] + suppressed),
        "disclosure.published": str(checked["published_cells"]),
        "disclosure.suppressed": str(suppressed),
        "disclosure.per_rule": ", ".join(parts) if parts else "none",
        "disclosure.across_chapters": (
            "no cell beyond the chapters' own suppressions had to be withheld"
            if across == 0
            else f"{across} further published {'cell was' if across == 1 else 'cells were'} withheld"
        ),
    }
