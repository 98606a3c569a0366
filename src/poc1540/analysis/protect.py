"""Complementary suppression decided over every chapter's published cells at once.

Each chapter applies the primary rules (:mod:`poc1540.analysis.disclosure`) and protects its own
tables; what one chapter cannot see is a cell it suppresses that another chapter's numbers pin
(a breakdown here, its overall there). The protect stage merges every chapter's register
(:mod:`poc1540.analysis.cells`) and, for each suppressed cell the attacker
(:mod:`poc1540.analysis.attack`) narrows below the threshold, withholds published cells as well
until it cannot: the *complementary* suppressions, which the chapters then apply when they draw.

The search is greedy, as tau-Argus's modular and hypercube methods are heuristics rather than
optimal solutions: for each exposed cell it tries the published cells that share its variables,
smallest count first (the least information lost), and takes the first whose withholding leaves
both the exposed cell and itself at least a threshold wide; failing that, the one that widens the
exposed cell most, and tries again; when no single cell widens it (each is pinned by another
published cell), it tries pairs. Withholding a cell only removes an equation, so a cell once
protected stays protected. Only cells that stand alone can be withheld: a share's count (never
its base, which other shares print) and an inner cell of a table (never its margins).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poc1540.analysis import attack
from poc1540.analysis.cells import canonical as key  # a cell's definition, as the protection file names it
from poc1540.core import paths

#: The kinds of published cell that complementary suppression may withhold (see the module docstring).
WITHHOLDABLE = frozenset({"share", "table"})
#: How many candidates are tried for one exposed cell (smallest first), and how many may be withheld for it.
CANDIDATES = 40
PER_CELL = 6
PAIRS = 12  # candidates tried for each of two cells withheld together


def _variables(cell: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(v for box in cell["where"] for v in box) - {attack.RESPONDED}


def _withholdable(cell: Mapping[str, Any]) -> bool:
    kinds = set(cell.get("kinds") or [])
    return cell["value"] is not None and bool(kinds) and kinds <= WITHHOLDABLE and cell["outputs"] != ["listings"]


def _candidates(cells: list[dict[str, Any]], target: int, dropped: set[int]) -> list[int]:
    """Published cells that could hide ``target``: those sharing its variables, same table first, smallest first."""
    want = _variables(cells[target])
    scored = []
    for i, cell in enumerate(cells):
        if i in dropped or not _withholdable(cell):
            continue
        have = _variables(cell)
        if not (have & want) and want:
            continue
        scored.append((0 if have == want else 1, int(cell["value"]), i))
    return [i for _, _, i in sorted(scored)[:CANDIDATES]]


def _width(audit: attack.Audit, index: int, dropped: set[int]) -> float:
    low, high = audit.model.bounds(audit.register["cells"][index]["where"], dropped)
    return high - low


def _pair(audit: attack.Audit, cells: list[dict[str, Any]], target: int, dropped: set[int], min_count: int) -> tuple[int, int] | None:
    """Two published cells whose withholding together widens ``target`` (protects it, if any pair does)."""
    widest, width = None, _width(audit, target, dropped)
    for c in _candidates(cells, target, dropped)[:PAIRS]:
        for d in _candidates(cells, c, dropped | {c})[:PAIRS]:
            trial = dropped | {c, d}
            if audit.narrowed(target, min_count, trial) is None:
                return c, d
            w = _width(audit, target, trial)
            if w > width + 1e-6:
                widest, width = (c, d), w
    return widest


def _protect_round(register: Mapping[str, Any], min_count: int) -> set[int]:
    """One pass of the greedy search over the register's exposed cells: the published cells to withhold."""
    audit = attack.Audit(register)
    cells = register["cells"]
    dropped: set[int] = set()
    exposed = [i for i, c in enumerate(cells) if c["value"] is None and audit.narrowed(i, min_count) is not None]
    while exposed:
        target = exposed.pop(0)
        for _ in range(PER_CELL):
            if audit.narrowed(target, min_count, dropped) is None:
                break
            best, best_width = None, _width(audit, target, dropped)
            for c in _candidates(cells, target, dropped):
                trial = dropped | {c}
                if audit.narrowed(target, min_count, trial) is None and audit.narrowed(c, min_count, trial) is None:
                    best, best_width = c, float("inf")
                    break
                width = _width(audit, target, trial)
                if width > best_width + 1e-6:
                    best, best_width = c, width
            if best is None:
                # No single cell widens it: each candidate is pinned by another published cell
                # (a count printed by two outputs, a margin). Withhold two together.
                pair = _pair(audit, cells, target, dropped, min_count)
                if pair is None:
                    break  # the final audit refuses the build, naming it
                dropped |= set(pair)
                exposed += [c for c in pair if audit.narrowed(c, min_count, dropped) is not None]
                continue
            dropped.add(best)
            if audit.narrowed(best, min_count, dropped) is not None:
                exposed.append(best)  # withheld, but itself still pinned: protect it in turn
    return dropped


def withheld(register: Mapping[str, Any], protection: Mapping[str, Any]) -> dict[str, Any]:
    """The register as it is published once the ``protection``'s cells are withheld too."""
    hidden = set(protection)
    out = []
    for cell in register["cells"]:
        if cell["value"] is not None and key(cell["where"]) in hidden:
            cell = {**cell, "value": None, "rule": "complementary"}
        out.append(cell)
    return {**register, "cells": out}


def complementary(register: Mapping[str, Any], min_count: int, rounds: int = 3) -> dict[str, dict[str, Any]]:
    """The published cells to withhold so that no suppressed cell is narrowed below ``min_count``.

    Returns ``{key: {"label", "where", "outputs"}}``, empty when every chapter's own protection
    holds. The caller audits the result (:func:`poc1540.analysis.attack.exposures`): a cell the
    search could not protect is refused there.
    """
    chosen: dict[str, dict[str, Any]] = {}
    current = register
    for _ in range(rounds):
        dropped = _protect_round(current, min_count)
        if not dropped:
            break
        for i in sorted(dropped):
            cell = current["cells"][i]
            chosen[key(cell["where"])] = {"label": cell["label"], "where": cell["where"], "outputs": cell["outputs"]}
        current = withheld(register, chosen)
    return chosen


def digest(register: Mapping[str, Any]) -> str:
    """A fingerprint of what a register publishes (definitions, values, rules), to recognise one already audited."""
    cells = sorted(
        (key(c["where"]), c["value"], c["rule"] if c["value"] is None else None, sorted(c["outputs"])) for c in register["cells"]
    )
    payload = json.dumps({"domains": register["domains"], "cells": cells}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def load(path: Path | None = None) -> dict[str, Any]:
    """The withheld cells of the protection file (``{}`` before the protect stage has run: the findings stage's audit then decides)."""
    path = Path(path or paths.protection())
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["cells"])


def verified(path: Path | None = None) -> str | None:
    """The fingerprint of the register the protect stage audited, or None."""
    path = Path(path or paths.protection())
    if not path.exists():
        return None
    value = json.loads(path.read_text(encoding="utf-8")).get("verified")
    return str(value) if value else None
