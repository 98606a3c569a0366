"""Honest statistics for a small, fully known population, and small-cell suppression.

The survey reached the national Points of Contact (POCs) of the States in the 1540 Committee's
listing at the survey snapshot: a population of known size N (123 States in August 2020), of which
about 60 answered. Three rules follow from that, and every public function here applies them.

**Proportions carry a confidence interval: Wilson with a finite-population correction.**
The Wilson score interval (Wilson 1927, "Probable inference, the law of succession, and
statistical inference", JASA 22:209-212) keeps its coverage for small samples and proportions
near 0 or 1, where the textbook Wald interval fails (Newcombe 1998, Statistics in Medicine
17:857-872; Brown, Cai and DasGupta 2001, Statistical Science 16:101-133). The Wilson part is
statsmodels' ``proportion_confint(method="wilson")``, not hand-written code.

Sampling n of a finite population of N without replacement shrinks the variance of a proportion
by the finite-population correction (N - n) / (N - 1) (Cochran, *Sampling Techniques*, 3rd ed.
1977, section 3.3). It is carried into the Wilson interval by the effective-sample-size approach:
the interval is computed for the observed proportion p = x / n as if it came from

    n_eff = n * (N - 1) / (N - n)

simple-random-sample draws, because the FPC-corrected variance p(1 - p)(N - n) / (n(N - 1)) is
exactly p(1 - p) / n_eff. Consequences, each checked by the tests: with N unknown
(``population=None``) the interval is plain Wilson; the interval is never wider than plain
Wilson and narrows as n approaches N; at n == N (a census) it collapses to the point p, handled
explicitly since n_eff is infinite there. The interval treats respondents as a random sample of
the listed POCs; self-selected non-response is not random, and no interval can correct for it.

**Every percentage is published with its count and base**: ``41% (27 of 66)``. Percentages are
rounded with Python's ``format(x, ".0f")`` exactly as ``findings.Recorder.add_share`` does, so a
share printed by either path reads the same.

**Small-cell suppression.** No published number may be a count from 1 to ``min_cell - 1``
(``min_cell`` comes from ``params/common.yaml``, default 5), nor be derivable from published
numbers. A share x of n is suppressed when 0 < x < min_cell, when 0 < n - x < min_cell (the
complement, published with the base, would reveal it), or when n < min_cell. A suppressed share
prints as :data:`SUPPRESSED_TEXT` and never as a number. Zeros are published: "none of the
respondents" identifies nobody.

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

Zeros are never suppressed, so every suppressed entry is at least 1.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.stats
from statsmodels.stats.proportion import proportion_confint

#: What a suppressed cell holds in a published table.
SUPPRESSED = "s"
#: The label of the totals row and column that tables are published with.
TOTAL = "Total"
#: How a suppressed share reads in the text; ``{min_cell}`` is filled in.
SUPPRESSED_TEXT = "suppressed (fewer than {min_cell} respondents in a cell)"


def suppressed_text(min_cell: int) -> str:
    """The text printed in place of a suppressed share."""
    return SUPPRESSED_TEXT.format(min_cell=min_cell)


def base_text(base: int, min_cell: int) -> str:
    """How a base is printed in labels: 'n = 58', or 'n below 5' when the base itself is a small cell."""
    return f"n = {base}" if base == 0 or base >= min_cell else f"n below {min_cell}"


def table_note(min_cell: int) -> str:
    """A footnote for tables with suppressed cells, explaining the symbol."""
    return (
        f"{SUPPRESSED}: suppressed, either because it counts fewer than {min_cell} respondents "
        "or because it would let such a cell be worked out from the totals."
    )


def _pct(proportion: float) -> str:
    # Same rounding as findings.Recorder.add_share, so both paths print a share identically.
    return f"{100.0 * proportion:.0f}%"


def _check_share(count: int, base: int, population: int | None, confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    if base < 0 or not 0 <= count <= base:
        raise ValueError(f"count {count} and base {base} do not make a share")
    if population is not None and population < base:
        raise ValueError(f"base {base} is larger than the population {population}")


# --------------------------------------------------------------------------- proportions


def wilson_fpc(count: int, base: int, population: int | None, confidence: float) -> tuple[float, float]:
    """Wilson score interval for ``count`` of ``base``, corrected for a finite ``population``.

    Returns (low, high) as proportions in 0..1. ``population=None`` gives plain Wilson; a base
    equal to the population (a census) gives the point estimate for both bounds. The correction
    uses the effective sample size n * (N - 1) / (N - n); see the module docstring.
    """
    count, base = int(count), int(base)
    population = None if population is None else int(population)
    _check_share(count, base, population, confidence)
    if base == 0:
        raise ValueError("a share needs a base of at least one")
    p = count / base
    if population is not None and base == population:
        return (p, p)  # a census: no sampling error, and n_eff would divide by zero
    n_eff = base if population is None else base * (population - 1) / (population - base)
    # statsmodels accepts a non-integer count and nobs for Wilson; p * n_eff keeps p unchanged.
    low, high = proportion_confint(p * n_eff, n_eff, alpha=1.0 - confidence, method="wilson")
    # Floating-point noise at the boundaries (1e-17 below 0 at x == 0) must not print as "-0%".
    low = 0.0 if count == 0 else min(max(float(low), 0.0), p)
    high = 1.0 if count == base else max(min(float(high), 1.0), p)
    return (low, high)


def is_suppressed(count: int, base: int, min_cell: int) -> bool:
    """Whether a share ``count`` of ``base`` must be suppressed (see module docstring)."""
    rest = base - count
    return base < min_cell or 0 < count < min_cell or 0 < rest < min_cell


@dataclass(frozen=True)
class Share:
    """A proportion as the report publishes it: count, base, confidence interval, suppression.

    ``count`` and ``base`` hold the true numbers even when ``suppressed`` (the object is internal);
    publish only ``text()``/``text_ci()`` or the public fields of :func:`share_table`, which hide them.
    """

    count: int
    base: int
    population: int | None
    confidence: float
    low: float
    high: float
    suppressed: bool
    min_cell: int

    @property
    def proportion(self) -> float:
        """count / base, or nan when suppressed."""
        return math.nan if self.suppressed else self.count / self.base

    @property
    def percent(self) -> float:
        """100 * proportion rounded to one decimal, or nan when suppressed."""
        return math.nan if self.suppressed else round(100.0 * self.count / self.base, 1)

    def text(self) -> str:
        """'41% (27 of 66)', or the suppression text."""
        if self.suppressed:
            return suppressed_text(self.min_cell)
        return f"{_pct(self.count / self.base)} ({self.count} of {self.base})"

    def text_ci(self) -> str:
        """'41% (27 of 66; 95% CI 31% to 52%)', or the suppression text."""
        if self.suppressed:
            return suppressed_text(self.min_cell)
        level = f"{100.0 * self.confidence:g}%"
        return f"{_pct(self.count / self.base)} ({self.count} of {self.base}; {level} CI {_pct(self.low)} to {_pct(self.high)})"


def share(count: int, base: int, *, population: int | None, confidence: float, min_cell: int) -> Share:
    """A share with its Wilson-FPC interval, suppressed by the small-cell rule.

    ``population`` is the size of the population surveyed (the POC States at the snapshot), or
    None when it is not known (plain Wilson). A base of 0 gives a suppressed share.
    """
    count, base = int(count), int(base)
    population = None if population is None else int(population)
    _check_share(count, base, population, confidence)
    suppressed = base == 0 or is_suppressed(count, base, min_cell)
    low, high = (math.nan, math.nan) if suppressed else wilson_fpc(count, base, population, confidence)
    return Share(count, base, population, confidence, low, high, suppressed, min_cell)


NOTHING_PUBLISHABLE = "no answer that can be published"


def share_table(
    frame: pd.DataFrame,
    items: list[str],
    *,
    population: int | None,
    confidence: float,
    min_cell: int,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One share per item of a multiple-choice question, with CIs and suppression.

    ``frame`` has one row per respondent; each item is a boolean column (nullable ``boolean``,
    NA = the respondent did not answer the item). Returns one row per item with columns item,
    label, count, base (non-missing answers), proportion, low, high, suppressed, text, text_ci,
    sorted by proportion descending with suppressed items last, ties kept in ``items`` order.
    Suppressed rows have count NA and proportion/low/high nan, so the table is safe to publish.
    """
    labels = labels or {}
    rows = []
    for item in items:
        column = frame[item]
        if column.dtype != "boolean" and column.dtype != bool:
            raise TypeError(f"item {item!r} must be a boolean column, not {column.dtype}")
        valid = column.dropna().astype(bool)
        s = share(int(valid.sum()), int(valid.size), population=population, confidence=confidence, min_cell=min_cell)
        rows.append(
            {
                "item": item,
                "label": labels.get(item, item),
                "count": pd.NA if s.suppressed else s.count,
                "base": s.base,
                "proportion": s.proportion,
                "low": s.low,
                "high": s.high,
                "suppressed": s.suppressed,
                "text": s.text(),
                "text_ci": s.text_ci(),
            }
        )
    out = pd.DataFrame(rows, columns=["item", "label", "count", "base", "proportion", "low", "high", "suppressed", "text", "text_ci"])
    out["count"] = out["count"].astype("Int64")
    out["base"] = out["base"].astype(int)
    out["suppressed"] = out["suppressed"].astype(bool)
    for col in ("proportion", "low", "high"):
        out[col] = out[col].astype(float)
    # Stable sort on (suppressed, -proportion): ties keep item order; nan never enters the key.
    key = out["proportion"].fillna(0.0)
    order = sorted(range(len(out)), key=lambda i: (bool(out.at[i, "suppressed"]), -float(key.iat[i])))
    ranked = out.iloc[order].reset_index(drop=True)
    ranked.attrs["min_cell"] = min_cell  # lets record_top word a suppression without being told
    return ranked


# --------------------------------------------------------------------------- suppression engine


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


def _protect(values: np.ndarray, lines: Sequence[_Line], min_cell: int, *, closure: bool = True) -> np.ndarray:
    """The suppression mask for ``values`` constrained by ``lines`` (rules 1-3 of the module docstring).

    ``closure=False`` stops after the line rules; it exists so the tests can show rule 3 matters.
    """
    values = np.asarray(values, dtype=np.int64)
    mask = (values > 0) & (values < min_cell)  # rule 1
    lines_of: dict[int, list[_Line]] = {}
    for line in lines:
        for k in (*line.members, line.total):
            lines_of.setdefault(k, []).append(line)
    matrix = _constraints(values.size, lines)

    def pick(line: _Line) -> int:
        """The entry to suppress next in ``line``: smallest non-zero published cell, else the total."""

        def crossing(k: int) -> int:
            return 0 if any(mask[[*o.members, o.total]].any() for o in lines_of[k] if o is not line) else 1

        candidates = [k for k in line.members if not mask[k] and values[k] > 0]
        if candidates:
            return min(candidates, key=lambda k: (values[k], crossing(k), k))
        if not mask[line.total] and values[line.total] > 0:
            return line.total
        # A line with one hidden entry v > 0 always has a non-zero published entry (its total, or a
        # member adding up to it), and a small hidden sum implies a small, already hidden, total.
        raise RuntimeError(f"suppression found no non-zero entry to hide in line {line}")  # pragma: no cover

    while True:
        changed = True
        while changed:  # rule 2 until stable
            changed = False
            for line in lines:
                entries = [*line.members, line.total]
                hidden_sum = int(values[list(line.members)][mask[list(line.members)]].sum())
                single = int(mask[entries].sum()) == 1
                small_sum = not mask[line.total] and 0 < hidden_sum < min_cell
                if (single or small_sum) and not mask[entries].all():
                    mask[pick(line)] = True
                    changed = True
        if not closure:
            return mask
        determined = _determined(matrix, mask)  # rule 3
        if not determined:
            return mask
        target = determined[0]
        # Only non-zero entries are hidden, so every hidden value can move by one either way.
        published = sorted((k for k in range(values.size) if not mask[k] and values[k] > 0), key=lambda k: (values[k], k))
        for k in published:  # cheapest fix first
            trial = mask.copy()
            trial[k] = True
            if target not in _determined(matrix, trial):
                mask[k] = True
                break
        else:
            # Only when every entry that would close a cycle round the cell is zero. Hide the
            # smallest non-zero entry near it and look again: each pass hides one more, and once
            # every non-zero entry is hidden none is determined (a non-zero cell, its row total,
            # its column total and the grand total form a cycle of non-zero entries).
            near = [k for line in lines_of[target] for k in (*line.members, line.total) if k in published]
            mask[min(near or published, key=lambda k: (values[k], k))] = True


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


def suppression_mask(table: pd.DataFrame, *, min_cell: int) -> pd.DataFrame:
    """Which cells of ``table`` with its totals must be suppressed (True = suppress).

    ``table`` holds integer counts without totals; the result has the same rows and columns plus a
    ``Total`` row and column, as :func:`suppress_counts` publishes them.
    """
    full, mask = _suppress(table, min_cell)
    return pd.DataFrame(mask, index=full.index, columns=full.columns)


def _suppress(table: pd.DataFrame, min_cell: int) -> tuple[pd.DataFrame, np.ndarray]:
    full = _with_totals(table)
    mask = _protect(full.to_numpy().ravel(), _table_lines(*table.shape), min_cell)
    return full, mask.reshape(full.shape)


def suppress_counts(table: pd.DataFrame, *, min_cell: int) -> pd.DataFrame:
    """A table of counts ready to publish: totals added, small and revealing cells suppressed.

    ``table`` holds integer counts (rows x columns) without totals. The result (object dtype) has
    a ``Total`` row and column computed before suppression; suppressed entries are
    :data:`SUPPRESSED`. The rules are in the module docstring; after them no suppressed entry can
    be worked out from the published ones, and no published number is from 1 to min_cell - 1.
    """
    full, mask = _suppress(table, min_cell)
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
    return suppress_counts(counts, min_cell=min_cell)


# --------------------------------------------------------------------------- Likert and correlation


def likert_distribution(
    frame: pd.DataFrame,
    items: list[str],
    scale: Mapping[int, str] | Sequence[int],
    *,
    labels: dict[str, str] | None = None,
    na_code: Any = None,
    min_cell: int,
) -> pd.DataFrame:
    """Per item, the share of each scale point among valid answers, for a diverging stacked bar.

    Valid answers are the item's non-missing values other than ``na_code`` ("not applicable",
    already NA in the processed data; pass it when reading raw codes). ``scale`` lists the score
    values from low to high (a mapping gives their labels). Returns one row per item and score, in
    item then scale order: item, label, score, score_label, count, base, proportion, suppressed,
    text. Each item's scores and its base are one line for suppression (rules 1-2: scores are
    not summed across items, so there are no column totals); suppressed rows have count NA and
    proportion nan, and a plot should leave that segment out rather than show a number.
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
        mask = _protect(np.append(counts, base), [line], min_cell)
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
                    "text": suppressed_text(min_cell) if hide else f"{_pct(n / base)} ({n} of {base})",
                }
            )
    out = pd.DataFrame(rows, columns=["item", "label", "score", "score_label", "count", "base", "proportion", "suppressed", "text"])
    out["count"] = out["count"].astype("Int64")
    out["proportion"] = out["proportion"].astype(float)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def _numeric(values: Any) -> pd.Series:
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.cat.ordered:
            raise TypeError("a rank correlation needs ordered categories")
        codes = series.cat.codes.astype(float)
        return codes.where(codes >= 0)  # code -1 is a missing value
    return pd.to_numeric(series.astype(object).where(series.notna()), errors="raise").astype(float)


def spearman(x: Any, y: Any) -> tuple[float, float, int]:
    """Spearman's rank correlation on pairwise complete cases: (rho, two-sided p-value, n).

    Accepts numbers, nullable integers or ordered categoricals (ranked by category order).
    Gives nan for rho and p when fewer than three pairs remain or either variable is constant.
    """
    xs, ys = _numeric(x).reset_index(drop=True), _numeric(y).reset_index(drop=True)
    if len(xs) != len(ys):
        raise ValueError("x and y must have the same length")
    keep = xs.notna() & ys.notna()
    xs, ys = xs[keep].to_numpy(), ys[keep].to_numpy()
    n = int(keep.sum())
    if n < 3 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return (math.nan, math.nan, n)  # scipy would warn and return nan; say so without the warning
    result = scipy.stats.spearmanr(xs, ys)
    return (float(result.statistic), float(result.pvalue), n)
