"""How far an attacker can narrow each suppressed cell, given every published cell together.

The attacker knows every published cell of the register (:mod:`poc1540.analysis.cells`) and
what each counts, and that all of them count the same States. For each set of variables that
some cell is defined on, the unknowns are the counts of that set's cross-classification (a
*marginal table*, every category including "missing"); the sets are closed under intersection
(down to the empty set, the number of States), and a table's sums over a variable equal the
smaller table's counts, so every link through a shared margin is known to the attacker: totals,
complements, a breakdown published in one figure and its overall in another. States that did
not answer have every survey variable missing. Counts are non-negative.

For each suppressed cell, linear programming (SciPy's HiGHS) gives the smallest and largest
count consistent with all of that: the cell's *feasible interval*. A statistics office requires
that interval to be at least as wide as the threshold (tau-Argus's protection interval); an
interval narrower than ``min_count`` is an :class:`Exposure`. This is the linear relaxation
that statistics offices audit linked tables with; an attacker who also reasons with
integrality can sometimes do slightly better, never worse.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse

RESPONDED = "responded"
PUBLIC = frozenset({"un_regional_group", "first_report_submitted", RESPONDED})


@dataclass(frozen=True)
class Exposure:
    """A suppressed cell the published cells pin to an interval narrower than the threshold."""

    label: str
    outputs: tuple[str, ...]
    low: float
    high: float

    def message(self) -> str:
        """One line naming the cell, where it is printed, and what the attacker learns."""
        return (
            f"suppressed cell {self.label!r} ({', '.join(self.outputs)}) can be worked out to lie between "
            f"{self.low:.0f} and {self.high:.0f} from the published cells together"
        )


def _key(value: Any) -> str:
    return json.dumps(value)


def merge(registers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One register from the chapters' ``cells.json``: domains joined, cells of the same definition made one.

    A cell published by one chapter and suppressed by another is published (and its
    suppression is void): :func:`inconsistent` lists those.
    """
    domains: dict[str, list[Any]] = {}
    cells: dict[str, dict[str, Any]] = {}
    for register in registers:
        for var, cats in register["domains"].items():
            known = domains.setdefault(var, [])
            known += [c for c in cats if _key(c) not in {_key(k) for k in known}]
        for cell in register["cells"]:
            key = _key(cell["where"])
            merged = cells.setdefault(
                key, {"where": cell["where"], "label": cell["label"], "outputs": [], "value": None, "rule": None, "kinds": []}
            )
            merged["outputs"] += [o for o in cell["outputs"] if o not in merged["outputs"]]
            merged["kinds"] += [k for k in cell.get("kinds", []) if k not in merged["kinds"]]
            if "group" in cell:
                merged.setdefault("group", cell["group"])
            if cell["value"] is not None:
                if merged["value"] is not None and merged["value"] != cell["value"]:
                    raise ValueError(f"cell {cell['label']!r} is printed as {merged['value']} and as {cell['value']}")
                merged["value"] = cell["value"]
            if cell["rule"] is not None:
                merged.setdefault("rules", []).append(cell["rule"])
                merged["rule"] = merged["rule"] or cell["rule"]
    return {"domains": domains, "cells": list(cells.values())}


def inconsistent(register: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Cells that one output suppresses and another prints."""
    return [c for c in register["cells"] if c["value"] is not None and c["rule"] is not None]


class _Model:
    """The attacker's linear model: marginal tables, their links, and the published cells."""

    def __init__(self, register: Mapping[str, Any]):
        self.domains = {v: list(c) for v, c in register["domains"].items()}
        self.cells = list(register["cells"])
        closed: set[frozenset[str]] = {self.table_of(c["where"]) for c in self.cells} | {frozenset()}
        while True:
            more = {a & b for a in closed for b in closed} - closed
            if not more:
                break
            closed |= more
        self.tables = sorted(closed, key=lambda s: (len(s), sorted(s)))
        self.offset: dict[frozenset[str], int] = {}
        self.entries: dict[frozenset[str], list[tuple[Any, ...]]] = {}
        size = 0
        for table in self.tables:
            names = sorted(table)
            self.offset[table] = size
            self.entries[table] = list(itertools.product(*(self.domains[v] for v in names)))
            size += len(self.entries[table])
        self.size = size
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        rhs: list[float] = []
        for big in self.tables:
            subs = [t for t in self.tables if t < big]
            for small in [t for t in subs if not any(t < u for u in subs)]:  # the largest subsets: the rest follow
                self._link(big, small, rows, cols, vals, rhs)
        self.upper = self._absent()
        #: the equation row of each published cell (by its index in ``cells``), so an audit can drop it
        self.row_of: dict[int, int] = {}
        for i, cell in enumerate(self.cells):
            if cell["value"] is not None:
                eq = len(rhs)
                self.row_of[i] = eq
                for c in np.flatnonzero(self.vector(cell["where"])):
                    rows.append(eq)
                    cols.append(int(c))
                    vals.append(1.0)
                rhs.append(float(cell["value"]))
        self.a_eq = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(rhs), size))
        self.b_eq = np.array(rhs)

    def _link(
        self, big: frozenset[str], small: frozenset[str], rows: list[int], cols: list[int], vals: list[float], rhs: list[float]
    ) -> None:
        """Equations: each entry of ``small`` is the sum of the entries of ``big`` that share its categories."""
        eq = len(rhs)
        index = {e: k for k, e in enumerate(self.entries[small])}
        keep = [sorted(big).index(v) for v in sorted(small)]
        for k, entry in enumerate(self.entries[big]):
            rows.append(eq + index[tuple(entry[i] for i in keep)])
            cols.append(self.offset[big] + k)
            vals.append(1.0)
        for k in range(len(self.entries[small])):
            rows.append(eq + k)
            cols.append(self.offset[small] + k)
            vals.append(-1.0)
        rhs += [0.0] * len(self.entries[small])

    def _absent(self) -> np.ndarray:
        """Upper bounds: 0 for an entry of a State that did not answer with a survey answer, else none."""
        upper = np.full(self.size, np.inf)
        for table in self.tables:
            names = sorted(table)
            if RESPONDED not in table:
                continue
            r = names.index(RESPONDED)
            survey = [i for i, v in enumerate(names) if v not in PUBLIC]
            for k, entry in enumerate(self.entries[table]):
                if entry[r] is False and any(entry[i] is not None for i in survey):
                    upper[self.offset[table] + k] = 0.0
        return upper

    def table_of(self, where: Sequence[Mapping[str, Sequence[Any]]]) -> frozenset[str]:
        names = frozenset(var for box in where for var in box)
        return names | ({RESPONDED} if names - PUBLIC else frozenset())

    def vector(self, where: Sequence[Mapping[str, Sequence[Any]]]) -> np.ndarray:
        """The 0/1 coefficients that sum a cell's entries in its marginal table."""
        table = self.table_of(where)
        names = sorted(table)
        out = np.zeros(self.size)
        for k, entry in enumerate(self.entries[table]):
            value = dict(zip(names, entry))
            if any(all(_key(value[v]) in {_key(c) for c in cats} for v, cats in box.items()) for box in where) or not where:
                out[self.offset[table] + k] = 1.0
        return out

    def bounds(self, where: Sequence[Mapping[str, Sequence[Any]]], dropped: Iterable[int] = ()) -> tuple[float, float]:
        """The smallest and largest count of ``where`` consistent with every published cell.

        ``dropped``: indices of published cells to treat as suppressed (a trial of complementary suppression).
        """
        objective = self.vector(where)
        limits = list(zip(np.zeros(self.size), self.upper))
        a_eq, b_eq = self.a_eq, self.b_eq
        gone = {self.row_of[i] for i in dropped}
        if gone:
            keep = np.array([r for r in range(a_eq.shape[0]) if r not in gone])
            a_eq, b_eq = a_eq[keep], b_eq[keep]
        out = []
        for sign in (1.0, -1.0):
            result = scipy.optimize.linprog(sign * objective, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
            if result.status != 0:
                raise ValueError(f"the published cells are inconsistent or unbounded ({result.message})")
            out.append(sign * float(result.fun))
        return out[0], out[1]


def exposures(register: Mapping[str, Any], min_count: int) -> list[Exposure]:
    """Every suppressed cell whose feasible interval, given all published cells, is narrower than ``min_count``.

    A cell both printed and suppressed is an exposure outright (its interval is a point).
    """
    found = [Exposure(c["label"], tuple(c["outputs"]), c["value"], c["value"]) for c in inconsistent(register)]
    audit = Audit(register)
    for i, cell in enumerate(register["cells"]):
        if cell["value"] is not None:
            continue
        narrow = audit.narrowed(i, min_count)
        if narrow is not None:
            found.append(Exposure(cell["label"], tuple(cell["outputs"]), *narrow))
    return found


class Audit:
    """The attacker's model of one register, to bound its cells, also with some published cells withheld."""

    def __init__(self, register: Mapping[str, Any]):
        self.register = register
        self.model = _Model(register)
        self._baselines: dict[Any, _Model] = {}

    def narrowed(self, index: int, min_count: int, dropped: Iterable[int] = ()) -> tuple[float, float] | None:
        """The feasible interval of cell ``index`` when it is narrower than the threshold and than public knowledge, else None.

        ``dropped``: published cells treated as suppressed (``index`` may be one of them).
        """
        cell = self.register["cells"][index]
        low, high = self.model.bounds(cell["where"], dropped)
        if high - low >= min_count - 1e-6:
            return None
        if high < 0.5 and "group" in cell and self.model.bounds(cell["group"], dropped)[1] < 0.5:
            return None  # a count of a group the published cells show to be empty: it describes nobody
        # A cell the public listings and the number of respondents alone pin (a group of fewer
        # States than the threshold) cannot be protected by suppression; what matters is that the
        # survey's other cells narrow it no further.
        known_low, known_high = self._baseline(cell).bounds(cell["where"])
        if high - low < known_high - known_low - 1e-6:
            return low, high
        return None

    def _baseline(self, cell: Mapping[str, Any]) -> _Model:
        attributes = frozenset(v for box in cell["where"] for v in box) & (PUBLIC - {RESPONDED})
        key = (cell["rule"] == "identification", attributes if cell["rule"] == "identification" else None)
        if key not in self._baselines:
            self._baselines[key] = _known(self.register, cell)
        return self._baselines[key]


def _known(register: Mapping[str, Any], cell: Mapping[str, Any]) -> _Model:
    """What the attacker knows without the cell's own breakdown: the baseline the survey's cells must not narrow.

    For a cell suppressed by the identification rule, every published cell not defined on the
    public attribute it is broken down by (the breakdown is the thing withheld); for any other
    cell, the listings and the number of respondents.
    """
    attributes = {v for box in cell["where"] for v in box} & (PUBLIC - {RESPONDED})

    def kept(c: Mapping[str, Any]) -> bool:
        if c["outputs"] == ["listings"] or c["where"] == [{RESPONDED: [True]}]:
            return True
        return cell["rule"] == "identification" and not ({v for box in c["where"] for v in box} & attributes)

    return _Model({"domains": register["domains"], "cells": [c if kept(c) else {**c, "value": None} for c in register["cells"]]})


def counts(register: Mapping[str, Any]) -> dict[str, Any]:
    """Suppressed cells per rule (primary rules and complementary), and published cells and outputs."""
    per_rule: dict[str, int] = {}
    for cell in register["cells"]:
        if cell["value"] is None and cell["rule"]:
            per_rule[cell["rule"]] = per_rule.get(cell["rule"], 0) + 1
    outputs = sorted({o for c in register["cells"] for o in c["outputs"]})
    return {
        "suppressed_per_rule": per_rule,
        "published_cells": sum(c["value"] is not None for c in register["cells"]),
        "outputs": outputs,
    }
