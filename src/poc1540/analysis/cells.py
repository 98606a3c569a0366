"""The register of published survey cells: every survey number a chapter publishes, with its definition.

A *cell* is a count of POC States of the survey frame (the population) that satisfy its
definition: a list of disjoint *boxes*, each a mapping from a variable to the categories it
takes (``None`` is "missing"). A respondent-level cell carries ``responded: [True]``. A share
"x of n" is two cells, its count and its base; a percentage printed without its count is its
count cell too (with the base published beside it, a rounded percentage gives the count away).

The chapter's :class:`CellRegister` computes each cell's count from the data itself, so a
definition that does not match the number the chapter printed is an error, not a silent
mismatch. It writes ``results/<chapter>/cells.json``: the variables' categories (``domains``),
and for each cell its definition, the outputs that print it, and either its published value or,
for a suppressed cell, the rule that suppressed it (never its count). The findings stage merges
the chapters' registers and checks them together (:mod:`poc1540.analysis.attack`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from poc1540.analysis import disclosure, stats

#: The public attributes of States (the Committee's listings) that cells may be defined by.
PUBLIC = ("un_regional_group", "first_report_submitted")
RESPONDED = "responded"

Box = Mapping[str, Sequence[Any]]


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a count held as a float (a column with missing values) is the same category
    return value


def canonical(where: Sequence[Box]) -> str:
    """A definition as a string, the same for the same definition however it was written."""
    boxes = [{k: sorted((_plain(v) for v in cats), key=repr) for k, cats in sorted(b.items())} for b in where]
    return json.dumps(sorted(boxes, key=lambda b: json.dumps(b, sort_keys=True)), sort_keys=True)


class CellRegister:
    """One chapter's published survey cells, counted from the data (see the module docstring)."""

    def __init__(
        self,
        states: pd.DataFrame,
        respondents: pd.DataFrame | None,
        rules: disclosure.Rules,
        protection: Mapping[str, Any] | None = None,
    ):
        self.states = states[states["in_survey_frame"]].reset_index(drop=True)
        self.respondents = respondents
        self.rules = rules
        #: cells the protect stage withholds besides the chapter's own suppression (:mod:`poc1540.analysis.protect`)
        self.protection = {canonical(c["where"]) for c in (protection or {}).values()}
        self.cells: dict[str, dict[str, Any]] = {}
        self.declared: dict[str, list[Any]] = {}

    def withheld(self, where: Box | Sequence[Box]) -> bool:
        """Whether the protect stage withholds this cell (complementary suppression across chapters)."""
        return canonical([where] if isinstance(where, Mapping) else list(where)) in self.protection

    def protect(self, s: stats.Share, where: Box | Sequence[Box]) -> stats.Share:
        """``s``, suppressed when the protect stage withholds its count cell ``where``; draw and print what this returns."""
        if s.suppressed or not self.withheld(where):
            return s
        return self._withhold(s)

    def declare(self, var: str, categories: Sequence[Any]) -> None:
        """The categories a variable can take (a scale, say) when its cells name only some of them."""
        self.declared[var] = [_plain(c) for c in categories]

    def frame(self) -> pd.DataFrame:
        """The population: POC States of the frame, with their respondent's answers (missing when none)."""
        states = self.states.assign(**{RESPONDED: False})
        if self.respondents is None:
            return states
        answers = self.respondents.drop(columns=[c for c in self.respondents.columns if c in states.columns and c != "country"])
        merged = states.merge(answers, left_on="iso3", right_on="country", how="left", validate="one_to_one")
        merged[RESPONDED] = merged["iso3"].isin(self.respondents["country"])
        return merged

    def count(self, where: Sequence[Box]) -> int:
        """How many States of the population satisfy ``where``."""
        frame = self.frame()
        hit = pd.Series(False, index=frame.index)
        for box in where:
            inside = pd.Series(True, index=frame.index)
            for var, cats in box.items():
                values = frame[var].astype(object)
                wanted = [_plain(c) for c in cats]
                inside &= values.map(_plain).isin([c for c in wanted if c is not None]) | (values.isna() & (None in wanted))
            if (hit & inside).any():
                raise ValueError(f"the boxes of a cell overlap: {canonical(where)}")
            hit |= inside
        return int(hit.sum())

    def add(
        self,
        output: str,
        label: str,
        where: Box | Sequence[Box],
        *,
        value: int | None,
        rule: str | None = None,
        kind: str = "other",
        group: Box | None = None,
    ) -> None:
        """Record that ``output`` prints the cell ``where`` as ``value`` (None: suppressed by ``rule``).

        A printed value must be the cell's count in the data. A cell printed by several outputs
        is one cell; a cell one output suppresses and another prints is an error, and so is
        printing a cell the protect stage withholds. ``kind`` says what the cell is to its
        output ("share": a share's count, "base", "table": an inner cell of a table, "margin",
        "other"): only a share's count or a table's inner cell can be withheld complementarily.
        ``group``: the States a share's count is taken from (its ``where``); a count in a group
        the published cells show to be empty describes nobody, so it is no exposure.
        """
        boxes = [where] if isinstance(where, Mapping) else list(where)
        key = canonical(boxes)
        truth = self.count(boxes)
        if value is not None and int(value) != truth:
            raise ValueError(f"{output} ({label}): prints {value} but its definition counts {truth}: {key}")
        if value is not None and key in self.protection:
            raise ValueError(
                f"{output} ({label}): prints a cell the protect stage withholds (complementary suppression); "
                "pass the share through CellRegister.protect (or use what share/share_rows/table return) before printing it"
            )
        if value is None and rule not in disclosure.RULES:
            raise ValueError(f"{output} ({label}): a suppressed cell needs one of the rules {disclosure.RULES}, not {rule!r}")
        cell = self.cells.setdefault(
            key, {"where": json.loads(key), "label": label, "outputs": [], "value": None, "rule": None, "kinds": []}
        )
        if group is not None:
            cell.setdefault("group", json.loads(canonical([group])))
        if output not in cell["outputs"]:
            cell["outputs"].append(output)
        if kind not in cell["kinds"]:
            cell["kinds"].append(kind)
        published, suppressed = cell.get("_printed", False), cell["rule"] is not None
        if (value is None and published) or (value is not None and suppressed):
            raise ValueError(f"{output} ({label}): the same cell is printed by one output and suppressed by another: {cell['outputs']}")
        if value is None:
            cell["rule"] = rule
        else:
            cell["value"], cell["_printed"] = int(value), True

    def respondents_box(self, **where: Sequence[Any]) -> dict[str, Sequence[Any]]:
        """A box of respondents: ``responded: [True]`` and the given categories."""
        return {RESPONDED: [True], **where}

    def share(
        self,
        output: str,
        label: str,
        s: Any,
        where: Box,
        item: str,
        yes: Sequence[Any] = (True,),
        answered: Sequence[Any] = (True, False),
        *,
        base_shown: bool = True,
    ) -> Any:
        """Record a survey share: its count (``where`` and ``item`` in ``yes``) and its base (``item`` in ``answered``).

        ``s`` is a :class:`stats.Share` or a share-table row. A suppressed share's base is taken as
        printed (an axis label, a table's base column) unless ``base_shown`` is False (a figure
        that prints only "s" for it), and never when it is below the threshold; the rule is worked
        out from the data. Returns the share as it must be published: ``s``, or ``s`` suppressed
        when the protect stage withholds its count.
        """
        suppressed, base = bool(_field(s, "suppressed")), int(_field(s, "base"))
        count_where = {**where, item: list(yes)}
        if not suppressed and self.withheld(count_where):
            s, suppressed = self._withhold(s), True
            self.add(output, label, count_where, value=None, rule=disclosure.COMPLEMENTARY, kind="share", group=where)
        elif suppressed:
            rule = self.rules.share_rule(self.count([count_where]), base) or disclosure.COMPLEMENTARY
            self.add(output, label, count_where, value=None, rule=rule, kind="share", group=where)
        else:
            self.add(output, label, count_where, value=int(_field(s, "count")), kind="share", group=where)
        small_base = base < self.rules.min_count
        if suppressed and not base_shown:
            return s
        self.add(
            output,
            f"{label} (base)",
            {**where, item: list(answered)},
            value=None if small_base else base,
            rule="base" if small_base else None,
            kind="base",
        )
        return s

    def _withhold(self, s: Any) -> Any:
        """A share (or a share-table row) suppressed complementarily."""
        if isinstance(s, stats.Share):
            return dataclasses.replace(s, suppressed=True, low=math.nan, high=math.nan)
        row = s.copy()
        text = stats.suppressed_text(self.rules.min_count)
        row["count"], row["proportion"], row["low"], row["high"], row["suppressed"] = pd.NA, math.nan, math.nan, math.nan, True
        for col in ("text", "text_ci"):
            if col in row.index and not bool(row.get("not_asked", False)):
                row[col] = text
        if "rule" in row.index:
            row["rule"] = disclosure.COMPLEMENTARY
        return row

    def share_rows(
        self, output: str, table: pd.DataFrame, where: Box, yes: Sequence[Any] = (True,), answered: Sequence[Any] = (True, False)
    ) -> pd.DataFrame:
        """Record every row of a share table whose items are columns of the respondents (``item`` is the column).

        Returns the table as it must be published (rows the protect stage withholds suppressed).
        """
        rows = [self.share(output, str(row["label"]), row, where, str(row["item"]), yes, answered) for _, row in table.iterrows()]
        return _rebuilt(table, rows)

    def option_rows(self, output: str, table: pd.DataFrame, where: Box, question: str, answered: Sequence[Any]) -> pd.DataFrame:
        """Record every row of a table of a single-choice question's options (``item`` is the option); returns it as published."""
        rows = [self.share(output, str(row["label"]), row, where, question, [row["item"]], answered) for _, row in table.iterrows()]
        return _rebuilt(table, rows)

    def table(
        self,
        output: str,
        published: pd.DataFrame,
        rows: Mapping[Any, Box],
        columns: Mapping[Any, Box],
        where: Box,
        rule: str | None = None,
    ) -> pd.DataFrame:
        """Record every cell of a published table of counts (totals included, "s" suppressed).

        ``rows`` and ``columns`` map each row and column label (not the totals) to its box; the
        Total row and column are the union of the others. A suppressed cell's rule is ``rule``
        when given (e.g. ``identification``), else worked out from the data. Returns the table as
        it must be published: inner cells the protect stage withholds are suppressed too.
        """
        published = published.copy()
        row_boxes = {**rows, stats.TOTAL: _union(rows.values())}
        col_boxes = {**columns, stats.TOTAL: _union(columns.values())}
        for r, rbox in row_boxes.items():
            for c, cbox in col_boxes.items():
                box = {**where, **rbox, **cbox}
                label = f"{r}, {c}"
                inner = stats.TOTAL not in (r, c)
                kind = "table" if inner else "margin"
                text = published.loc[r, c]
                if text != stats.SUPPRESSED and inner and self.withheld(box):
                    published.loc[r, c] = stats.SUPPRESSED
                    self.add(output, label, box, value=None, rule=disclosure.COMPLEMENTARY, kind=kind)
                elif text == stats.SUPPRESSED:
                    truth = self.count([box])
                    why = rule or ("threshold" if 0 < truth < self.rules.min_count else disclosure.COMPLEMENTARY)
                    self.add(output, label, box, value=None, rule=why, kind=kind)
                else:
                    self.add(output, label, box, value=int(text), kind=kind)
        return published

    def domains(self) -> dict[str, list[Any]]:
        """Each variable's categories (with None for missing), for every variable a cell uses.

        The categories are the codebook's (a categorical's categories, True and False for a yes/no
        item) or those the cells name, never the values observed: which answers occur is itself
        survey information. Public attributes list their values.
        """
        frame = self.frame()
        used = sorted({var for cell in self.cells.values() for box in cell["where"] for var in box} | set(PUBLIC) | {RESPONDED})
        named: dict[str, list[Any]] = {var: list(cats) for var, cats in self.declared.items()}
        for cell in self.cells.values():
            for box in cell["where"]:
                for var, cats in box.items():
                    named.setdefault(var, [])
                    named[var] += [c for c in cats if c is not None and c not in named[var]]
        out: dict[str, list[Any]] = {}
        for var in used:
            series = frame[var]
            if isinstance(series.dtype, pd.CategoricalDtype):
                cats = [_plain(c) for c in series.cat.categories]
            elif series.dtype == bool or str(series.dtype) == "boolean" or var == RESPONDED:
                cats = [True, False]
            elif var in PUBLIC:
                cats = sorted({_plain(v) for v in series.dropna().astype(object)}, key=repr)
            else:
                cats = sorted(named.get(var, []), key=repr)
            observed = {_plain(v) for v in series.dropna().astype(object)}
            unknown = observed - set(cats)
            if unknown:
                raise ValueError(f"{var}: answers {sorted(map(str, unknown))} are in no category a cell names; name them all")
            out[var] = cats + ([None] if var != RESPONDED else [])
        return out

    def payload(self, notebook: str) -> dict[str, Any]:
        """What ``cells.json`` holds: the listings' public counts are cells too (the attacker knows them)."""
        for var in PUBLIC:
            for value in self.frame()[var].dropna().unique():
                self.add(
                    "listings",
                    f"POC States, {var} = {value}",
                    {var: [_plain(value)]},
                    value=self.count([{var: [_plain(value)]}]),
                    kind="listing",
                )
        self.add("listings", "POC States", {}, value=len(self.states), kind="listing")
        cells = [{k: v for k, v in c.items() if not k.startswith("_")} for c in self.cells.values()]
        return {"notebook": notebook, "population": "POC States of the survey frame", "domains": self.domains(), "cells": cells}

    def save(self, directory: Path, notebook: str) -> None:
        """Write ``cells.json`` in the chapter's results folder."""
        from poc1540.core import atomic

        atomic.write_text(Path(directory) / "cells.json", json.dumps(self.payload(notebook), indent=1, ensure_ascii=False) + "\n")


def _rebuilt(table: pd.DataFrame, rows: list[Any]) -> pd.DataFrame:
    """``table`` with its rows replaced by ``rows`` (as :meth:`CellRegister.share` returned them), types kept."""
    if not any(bool(new["suppressed"]) != bool(old) for new, old in zip(rows, table["suppressed"])):
        return table
    out = pd.DataFrame(rows, index=table.index, columns=table.columns).astype(table.dtypes.to_dict())
    out.attrs.update(table.attrs)
    return out


def _union(boxes: Any) -> dict[str, list[Any]]:
    """One box for the union of boxes that differ in a single variable (a table's margin)."""
    out: dict[str, list[Any]] = {}
    for box in boxes:
        for var, cats in box.items():
            out.setdefault(var, [])
            out[var] += [c for c in cats if c not in out[var]]
    return out


def _field(obj: Any, key: str) -> Any:
    """``obj[key]`` for a table row, else ``obj.key`` (a :class:`stats.Share`)."""
    if isinstance(obj, stats.Share):
        return getattr(obj, key)
    return obj[key]
