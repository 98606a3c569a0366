"""Small-cell suppression of published tables of counts, protected against linear recovery.

For a table of counts published with its row and column totals, :func:`suppression_mask` applies
these rules (with the numbers as an attacker sees them: each row, each column, the row of column
totals and the column of row totals is a *line* whose entries add up to its total):

1. Primary: every cell and every total with 0 < value < min_cell.
2. Secondary, per line, repeated until nothing changes:
   a. a line with exactly one suppressed entry (cell or total) would give it away by subtraction,
      so another entry is suppressed: the smallest non-zero published cell of the line (ties:
      the cell whose crossing line already has a suppression, so fewer lines are disturbed, then
      the first); if every other cell is zero, the line's total is suppressed instead. That last
      case is a row such as (s, 0, 0 | 7): the zeros plus the total reveal the cell. Suppressing
      the total rather than a zero keeps zeros meaningful and keeps suppressed cells non-zero,
      which rule 3's guarantee relies on.
   b. a line whose total is published and whose suppressed cells add up to 1..min_cell-1 would
      publish that small sum (total minus the published cells), the same disclosure as a share's
      complement, so one more cell of the line is suppressed (chosen as in a.).
3. Linear closure: rule 2 stops single-line subtraction, but an attacker can also add and subtract
   whole lines (e.g. two blocks of suppressed cells joined by a single cell: the sum of one block's
   rows minus its columns yields the joining cell). Each suppressed entry is tested for whether the
   published numbers determine it (every null-space vector of the constraint matrix restricted to
   the suppressed entries is zero there); when one is determined, the smallest
   non-zero published entry whose suppression makes it undetermined is suppressed (if none does
   alone, the smallest non-zero entry in its lines), and rules 2-3 run again.

4. Protection interval: linear programming bounds each hidden entry given the published ones and
   that counts are not negative; one narrower than min_cell (a hidden cell beside a small hidden
   margin, say) gets one more entry hidden, and rules 2-4 run again.

Zeros are never suppressed by rules 1-2, so those suppressed entries are at least 1; the group
rule (``group_min``: a line whose members all fall in one cell while its total is small) hides
a whole line, zeros included, and callers (:mod:`poc1540.analysis.disclosure`) may start from
their own primary suppressions, keep entries they print anyway, and say how wide each entry's
interval must stay. Rule 4 checks what the argument below cannot promise for those.

Why this is safe: a table's constraint matrix is the incidence matrix of a bipartite graph
(rows vs columns, one edge per entry, after flipping signs of totals), so the null space is
spanned by alternating cycles with entries 0 and +-1. After rule 3 every suppressed entry lies on
such a cycle. Adding +1, -1, +1, ... round a cycle (or -1, +1, -1, ...) leaves every published
sum unchanged and, since every suppressed entry is at least 1, every entry non-negative: even an
attacker who also uses non-negativity cannot pin any suppressed value (its feasible range
includes v - 1 .. v + 1). The tests attack published tables
by line subtraction, by linear algebra and by linear programming to check this.
Protection is per table. Two tables that share cells but differ in margins (the same crosstab
once with and once without item non-response, say) can be differenced against each other; publish
one of them, or check them together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize

from poc1540.analysis.stats import SUPPRESSED, TOTAL, percent_text, suppressed_text


@dataclass(frozen=True)
class _Line:
    """Entries that add up to a total: sum(values[members]) == values[total]."""

    members: tuple[int, ...]
    total: int


def _constraints(size: int, lines: Sequence[_Line]) -> np.ndarray:
    matrix = np.zeros((len(lines), size))
    for r, line in enumerate(lines):
        matrix[r, list(line.members)] = 1.0
        matrix[r, line.total] = -1.0
    return matrix


def _determined(matrix: np.ndarray, mask: np.ndarray) -> list[int]:
    """Suppressed entries whose value the published entries fix (any linear combination of lines).

    With the unknowns y = values[mask], the published numbers fix A_S y = b; entry k of y is
    determined exactly when every null-space vector of A_S is zero at k.
    """
    hidden = np.flatnonzero(mask)
    if hidden.size == 0:
        return []
    null = scipy.linalg.null_space(matrix[:, hidden])
    if null.shape[1] == 0:
        return [int(k) for k in hidden]
    norms = np.linalg.norm(null, axis=1)
    return [int(k) for k, norm in zip(hidden, norms) if norm < 1e-9]


def _group_disclosive(values: np.ndarray, lines: Sequence[_Line], group_min: int) -> np.ndarray:
    """Entries of lines where every member falls in one entry (group disclosure) and the total is below ``group_min``.

    Such a line says of each of its members which category they are in; all its members are
    hidden (zeros too: with the total published, the zeros would give the one full entry away).
    """
    mask = np.zeros(values.size, dtype=bool)
    for line in lines:
        members = values[list(line.members)]
        total = int(values[line.total])
        if 0 < total < group_min and len(members) > 1 and int((members > 0).sum()) == 1:
            mask[list(line.members)] = True
    return mask


def _narrow(matrix: np.ndarray, values: np.ndarray, mask: np.ndarray, need: np.ndarray) -> list[int]:
    """Hidden entries that the published ones and non-negativity pin to an interval narrower than ``need``.

    Rule 3 stops exact recovery; an attacker who also knows that counts are not negative can
    still narrow a hidden entry (one beside a small hidden margin, say) to a few values. Linear
    programming gives each hidden entry's smallest and largest value consistent with the table.
    """
    hidden = np.flatnonzero(mask)
    if hidden.size == 0:
        return []
    shown = np.flatnonzero(~mask)
    a_eq = matrix[:, hidden]
    b_eq = -matrix[:, shown] @ values[shown].astype(float)
    keep = np.abs(a_eq).sum(axis=1) > 0
    a_eq, b_eq = a_eq[keep], b_eq[keep]
    out = []
    for j, k in enumerate(hidden):
        if need[k] <= 0:
            continue
        if a_eq.shape[0] == 0:
            continue  # nothing constrains it: unbounded above
        objective = np.zeros(hidden.size)
        objective[j] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = scipy.optimize.linprog(sign * objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            ends.append(sign * float(result.fun) if result.status == 0 else sign * np.inf)
        if ends[1] - ends[0] < need[k] - 1e-6:
            out.append(int(k))
    return out


def _protect_from(
    values: np.ndarray, lines: Sequence[_Line], min_cell: int, initial: np.ndarray, keep: np.ndarray, audit: np.ndarray
) -> np.ndarray:
    """:func:`_protect` starting from the entries ``initial`` already hides (a caller's primary rules).

    Entries in ``keep`` are printed anyway (a base beside a suppressed share) and are never chosen
    for complementary suppression; only entries in ``audit`` (those that would be printed were
    they not suppressed) must keep an interval as wide as ``audit`` says (rule 4; the threshold,
    or less for a cell whose own known base is smaller).
    """
    return _protect(values, lines, min_cell, initial=initial, keep=keep, audit=audit)


def _protect(
    values: np.ndarray,
    lines: Sequence[_Line],
    min_cell: int,
    *,
    closure: bool = True,
    initial: np.ndarray | None = None,
    group_min: int = 0,
    keep: np.ndarray | None = None,
    audit: np.ndarray | None = None,
) -> np.ndarray:
    """The suppression mask for ``values`` constrained by ``lines`` (rules 1-3 of the module docstring).

    ``closure=False`` stops after the line rules; it exists so the tests can show rule 3 matters.
    ``initial`` adds entries hidden by a caller's own primary rules; ``group_min`` applies the
    group-disclosure rule (:func:`_group_disclosive`).
    """
    values = np.asarray(values, dtype=np.int64)
    mask = (values > 0) & (values < min_cell)  # rule 1
    if initial is not None:
        mask |= np.asarray(initial, dtype=bool)
    if group_min:
        mask |= _group_disclosive(values, lines, group_min)
    fixed = np.zeros(values.size, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    need = np.full(values.size, float(min_cell)) if audit is None else np.asarray(audit, dtype=float)
    lines_of: dict[int, list[_Line]] = {}
    for line in lines:
        for k in (*line.members, line.total):
            lines_of.setdefault(k, []).append(line)
    matrix = _constraints(values.size, lines)
    while True:
        changed = True
        while changed:  # rule 2 until stable
            changed = False
            for line in lines:
                entries = [*line.members, line.total]
                hidden_sum = int(values[list(line.members)][mask[list(line.members)]].sum())
                single = int(mask[entries].sum()) == 1
                small_sum = not mask[line.total] and 0 < hidden_sum < min_cell
                if (single or small_sum) and not (mask[entries] | fixed[entries]).all():
                    mask[_pick(line, values, mask, fixed, lines_of)] = True
                    changed = True
        if not closure:
            return mask
        exposed = _exposed(matrix, values, mask, fixed, need)
        if exposed is None:
            return mask
        target, still, near_first = exposed
        if not _hide_for(target, still, values, mask, fixed, lines_of, near_first):
            return mask  # nothing left to hide: the caller's audit reports the cell


def _pick(line: _Line, values: np.ndarray, mask: np.ndarray, fixed: np.ndarray, lines_of: dict[int, list[_Line]]) -> int:
    """The entry to suppress next in ``line``: smallest non-zero published cell, else the total, else a zero."""

    def crossing(k: int) -> int:
        return 0 if any(mask[[*o.members, o.total]].any() for o in lines_of[k] if o is not line) else 1

    candidates = [k for k in line.members if not mask[k] and not fixed[k] and values[k] > 0]
    if candidates:
        return min(candidates, key=lambda k: (values[k], crossing(k), k))
    if not mask[line.total] and not fixed[line.total] and values[line.total] > 0:
        return line.total
    zeros = [k for k in line.members if not mask[k] and not fixed[k]]  # a hidden zero (group rule) next to published zeros
    if zeros:
        return zeros[0]
    # A line with one hidden entry v > 0 always has a non-zero published entry (its total, or a
    # member adding up to it), and a small hidden sum implies a small, already hidden, total.
    raise RuntimeError(f"suppression found no non-zero entry to hide in line {line}")  # pragma: no cover


def _exposed(
    matrix: np.ndarray, values: np.ndarray, mask: np.ndarray, fixed: np.ndarray, need: np.ndarray
) -> tuple[int, Callable[[np.ndarray], bool], bool] | None:
    """The first hidden entry rule 3 or rule 4 finds exposed, a test of whether a trial mask still exposes it, and the search order."""
    # rule 3; an entry printed anyway, or one whose value may be known, needs no protection
    determined = [k for k in _determined(matrix, mask) if not fixed[k] and need[k] > 0]
    if determined:
        return determined[0], lambda trial: determined[0] in _determined(matrix, trial), False
    narrow = _narrow(matrix, values, mask, need)  # rule 4
    if narrow:
        return narrow[0], lambda trial: narrow[0] in _narrow(matrix, values, trial, need), True
    return None


def _hide_for(
    target: int,
    still: Callable[[np.ndarray], bool],
    values: np.ndarray,
    mask: np.ndarray,
    fixed: np.ndarray,
    lines_of: dict[int, list[_Line]],
    near_first: bool,
) -> bool:
    """Hide one more entry for ``target``: the cheapest that alone protects it, else the smallest near it. False when none is left."""
    published = sorted((k for k in range(values.size) if not mask[k] and not fixed[k] and values[k] > 0), key=lambda k: (values[k], k))
    if not published:
        return False
    near = [k for line in lines_of[target] for k in (*line.members, line.total) if k in published]
    order = near + [k for k in published if k not in near] if near_first else published
    for k in order:  # cheapest fix first
        trial = mask.copy()
        trial[k] = True
        if not still(trial):
            mask[k] = True
            return True
    # Only when every entry that would close a cycle round the cell is zero. Hide the smallest
    # non-zero entry near it and look again: each pass hides one more, and once every non-zero
    # entry is hidden none is determined (a non-zero cell, its row total, its column total and
    # the grand total form a cycle of non-zero entries).
    mask[min(near or published, key=lambda k: (values[k], k))] = True
    return True


def _table_lines(n_rows: int, n_cols: int) -> list[_Line]:
    """Lines of an (n_rows + 1) x (n_cols + 1) table whose last row and column are totals."""
    width = n_cols + 1
    lines = [_Line(tuple(i * width + j for j in range(n_cols)), i * width + n_cols) for i in range(n_rows + 1)]
    lines += [_Line(tuple(i * width + j for i in range(n_rows)), n_rows * width + j) for j in range(n_cols + 1)]
    return lines


def _with_totals(table: pd.DataFrame) -> pd.DataFrame:
    if table.isna().any().any():
        raise ValueError("a table of counts cannot have missing values")
    values = table.to_numpy()
    if not np.issubdtype(values.dtype, np.number) or (values < 0).any() or (values != np.round(values)).any():
        raise ValueError("a table of counts must hold non-negative integers")
    if TOTAL in list(table.index) or TOTAL in list(table.columns):
        raise ValueError(f"the table already has a {TOTAL!r} row or column")
    counts = values.astype(np.int64)
    full = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    full[:-1, :-1] = counts
    full[:-1, -1] = counts.sum(axis=1)
    full[-1, :-1] = counts.sum(axis=0)
    full[-1, -1] = counts.sum()
    index = pd.Index([*table.index, TOTAL], name=table.index.name, dtype=object)
    columns = pd.Index([*table.columns, TOTAL], name=table.columns.name, dtype=object)
    return pd.DataFrame(full, index=index, columns=columns)


def suppression_mask(table: pd.DataFrame, *, min_cell: int, group_min: int) -> pd.DataFrame:
    """Which cells of ``table`` with its totals must be suppressed (True = suppress).

    ``table`` holds integer counts without totals; the result has the same rows and columns plus a
    ``Total`` row and column, as :func:`suppress_counts` publishes them.
    """
    full, mask = _suppress(table, min_cell, group_min)
    return pd.DataFrame(mask, index=full.index, columns=full.columns)


def _suppress(table: pd.DataFrame, min_cell: int, group_min: int) -> tuple[pd.DataFrame, np.ndarray]:
    full = _with_totals(table)
    mask = _protect(full.to_numpy().ravel(), _table_lines(*table.shape), min_cell, group_min=group_min)
    return full, mask.reshape(full.shape)


def suppress_counts(table: pd.DataFrame, *, min_cell: int, group_min: int) -> pd.DataFrame:
    """A table of counts ready to publish: totals added, small and revealing cells suppressed.

    ``table`` holds integer counts (rows x columns) without totals. The result (object dtype) has
    a ``Total`` row and column computed before suppression; suppressed entries are
    :data:`SUPPRESSED`. The rules are in the module docstring; after them no suppressed entry can
    be worked out from the published ones, and no published number is from 1 to min_cell - 1.
    ``group_min`` hides a row or column whose members all fall in one cell while its total is
    below it (group disclosure; 0 switches the rule off).
    """
    full, mask = _suppress(table, min_cell, group_min)
    cells = [[SUPPRESSED if hide else int(v) for v, hide in zip(row, row_mask)] for row, row_mask in zip(full.to_numpy(), mask)]
    return pd.DataFrame(cells, index=full.index, columns=full.columns, dtype=object)


def _order(series: pd.Series, order: Sequence[Any] | None) -> list[Any]:
    if order is not None:
        return list(order)
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)  # keeps codebook order and unobserved (zero) categories
    return sorted(series.dropna().unique().tolist())


def crosstab(
    frame: pd.DataFrame,
    row: str,
    col: str,
    *,
    min_cell: int,
    group_min: int,
    row_order: Sequence[Any] | None = None,
    col_order: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Counts of ``row`` by ``col`` among respondents who answered both, suppressed for publication.

    Categories come in ``row_order``/``col_order``, else in categorical order (unobserved
    categories kept as zero rows), else sorted. Values outside a given order are an error rather
    than silently dropped, since they would change the totals.
    """
    both = frame[[row, col]].dropna()
    rows, cols = _order(frame[row], row_order), _order(frame[col], col_order)
    for name, series, order in ((row, both[row], rows), (col, both[col], cols)):
        unknown = set(series.unique().tolist()) - set(order)
        if unknown:
            raise ValueError(f"{name!r} has values outside the given order: {sorted(map(str, unknown))}")
    counts = pd.crosstab(both[row].astype(object), both[col].astype(object))
    counts = counts.reindex(index=rows, columns=cols, fill_value=0).astype(np.int64)
    counts.index.name, counts.columns.name = row, col
    return suppress_counts(counts, min_cell=min_cell, group_min=group_min)


def likert_distribution(
    frame: pd.DataFrame,
    items: list[str],
    scale: Mapping[int, str] | Sequence[int],
    *,
    labels: dict[str, str] | None = None,
    na_code: Any = None,
    min_cell: int,
    group_min: int,
) -> pd.DataFrame:
    """Per item, the share of each scale point among valid answers, for a diverging stacked bar.

    Valid answers are the item's non-missing values other than ``na_code`` ("not applicable",
    already NA in the processed data; pass it when reading raw codes). ``scale`` lists the score
    values from low to high (a mapping gives their labels). Returns one row per item and score, in
    item then scale order: item, label, score, score_label, count, base, proportion, suppressed,
    text. Each item's scores and its base are one line for suppression (rules 1-2: scores are
    not summed across items, so there are no column totals); suppressed rows have count NA and
    proportion nan, and a plot should leave that segment out rather than show a number. An item
    whose answers all fall on one point while its base is below ``group_min`` is hidden whole
    (group disclosure).
    """
    labels = labels or {}
    scores = list(scale.keys()) if isinstance(scale, Mapping) else list(scale)
    score_labels = dict(scale) if isinstance(scale, Mapping) else {s: str(s) for s in scores}
    rows = []
    for item in items:
        answers = frame[item].dropna()
        if na_code is not None:
            answers = answers[answers.astype(object) != na_code]
        outside = set(answers.unique().tolist()) - set(scores)
        if outside:
            raise ValueError(f"item {item!r} has values outside the scale: {sorted(map(str, outside))}")
        counts = np.array([int((answers == s).sum()) for s in scores], dtype=np.int64)
        base = int(counts.sum())
        line = _Line(tuple(range(len(scores))), len(scores))
        mask = _protect(np.append(counts, base), [line], min_cell, group_min=group_min)
        for s, n, hide in zip(scores, counts, mask[:-1]):
            hide = bool(hide) or base == 0
            rows.append(
                {
                    "item": item,
                    "label": labels.get(item, item),
                    "score": s,
                    "score_label": score_labels[s],
                    "count": pd.NA if hide else int(n),
                    "base": base,
                    "proportion": math.nan if hide else n / base,
                    "suppressed": hide,
                    "text": suppressed_text(min_cell) if hide else f"{percent_text(n / base)} ({n} of {base})",
                }
            )
    out = pd.DataFrame(rows, columns=["item", "label", "score", "score_label", "count", "base", "proportion", "suppressed", "text"])
    out["count"] = out["count"].astype("Int64")
    out["proportion"] = out["proportion"].astype(float)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def withhold_band(dist: pd.DataFrame, index: Any, min_cell: int) -> pd.DataFrame:
    """A copy of a :func:`likert_distribution` with row ``index`` suppressed (withheld across chapters)."""
    out = dist.copy()
    out.loc[index, ["count", "proportion", "suppressed", "text"]] = [pd.NA, math.nan, True, suppressed_text(min_cell)]
    out["suppressed"] = out["suppressed"].astype(bool)
    return out
