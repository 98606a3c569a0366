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
rounded with Python's ``format(x, ".0f")`` exactly as ``Recorder.add_listing_share`` does, so a
share printed by either path reads the same.

**Small-cell suppression.** No published number may be a count from 1 to ``min_cell - 1``
(``min_cell`` comes from ``params/common.yaml``; every function takes it as a required argument), nor be derivable from published
numbers. A share x of n is suppressed when 0 < x < min_cell, when 0 < n - x < min_cell (the
complement, published with the base, would reveal it), or when n < min_cell. A suppressed share
prints as :data:`SUPPRESSED_TEXT` and never as a number. Zeros are published: "none of the
respondents" identifies nobody.

Tables of counts are suppressed by :mod:`poc1540.analysis.suppression`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
from statsmodels.stats.proportion import proportion_confint

from poc1540.core.codebook import NOT_ASKED as NOT_ASKED_TEXT

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


def percent_text(proportion: float) -> str:
    """A proportion as a whole percentage: 0.4091 -> "41%" (the rounding Recorder.add_listing_share uses too)."""
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


def is_suppressed(count: int, base: int, min_cell: int, group_min: int) -> bool:
    """Whether a share ``count`` of ``base`` must be suppressed (see module docstring).

    ``group_min`` is the group-disclosure rule: a share of 0% or 100% on a base below it says
    of every member of the group how they answered, and is suppressed (0 switches it off).
    """
    rest = base - count
    everyone_alike = count == 0 or rest == 0
    return base < min_cell or 0 < count < min_cell or 0 < rest < min_cell or (everyone_alike and base < group_min)


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
        return f"{percent_text(self.count / self.base)} ({self.count} of {self.base})"

    def text_ci(self) -> str:
        """'41% (27 of 66; 95% CI 31% to 52%)', or the suppression text."""
        if self.suppressed:
            return suppressed_text(self.min_cell)
        level = f"{100.0 * self.confidence:g}%"
        return f"{percent_text(self.count / self.base)} ({self.count} of {self.base}; {level} CI {percent_text(self.low)} to {percent_text(self.high)})"


def share(count: int, base: int, *, population: int | None, confidence: float, min_cell: int, group_min: int) -> Share:
    """A share with its Wilson-FPC interval, suppressed by the small-cell and group-disclosure rules.

    ``population`` is the size of the population surveyed (the POC States at the snapshot), or
    None when it is not known (plain Wilson). A base of 0 gives a suppressed share.
    """
    count, base = int(count), int(base)
    population = None if population is None else int(population)
    _check_share(count, base, population, confidence)
    suppressed = base == 0 or is_suppressed(count, base, min_cell, group_min)
    low, high = (math.nan, math.nan) if suppressed else wilson_fpc(count, base, population, confidence)
    return Share(count, base, population, confidence, low, high, suppressed, min_cell)


NOTHING_PUBLISHABLE = "no answer that can be published"
#: How a question the edition did not ask reads (the codebook's ``skip: true``).
NOT_ASKED = NOT_ASKED_TEXT


def share_table(
    frame: pd.DataFrame,
    items: list[str],
    *,
    population: int | None,
    confidence: float,
    min_cell: int,
    group_min: int,
    labels: dict[str, str] | None = None,
    asked: bool = True,
) -> pd.DataFrame:
    """One share per item of a multiple-choice question, with CIs and suppression.

    ``asked=False`` (the edition did not ask the question, :meth:`poc1540.core.codebook.Codebook.asked`)
    gives every row the text :data:`NOT_ASKED`, column ``not_asked`` True and no number at all, so a
    question that was never put is not reported as a suppressed small cell.

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
        valid = column.dropna().astype(bool) if asked else column.iloc[:0].astype(bool)
        s = share(int(valid.sum()), int(valid.size), population=population, confidence=confidence, min_cell=min_cell, group_min=group_min)
        rows.append(share_row(item, labels.get(item, item), s, asked))
    out = share_frame(rows, min_cell, asked)
    # Stable sort on (suppressed, -proportion): ties keep item order; nan never enters the key.
    key = out["proportion"].fillna(0.0)
    order = sorted(range(len(out)), key=lambda i: (bool(out.at[i, "suppressed"]), -float(key.iat[i])))
    ranked = out.iloc[order].reset_index(drop=True)
    ranked.attrs.update(out.attrs)
    return ranked


SHARE_COLUMNS = ["item", "label", "count", "base", "proportion", "low", "high", "suppressed", "text", "text_ci", "not_asked"]


def share_row(item: Any, label: str, s: Share, asked: bool = True) -> dict[str, Any]:
    """One row of a share table: the share's numbers (no count when suppressed) and its texts."""
    return {
        "item": item,
        "label": label,
        "count": pd.NA if s.suppressed else s.count,
        "base": s.base,
        "proportion": s.proportion,
        "low": s.low,
        "high": s.high,
        "suppressed": s.suppressed,
        "text": s.text() if asked else NOT_ASKED,
        "text_ci": s.text_ci() if asked else NOT_ASKED,
        "not_asked": not asked,
    }


def share_frame(rows: list[dict[str, Any]], min_cell: int, asked: bool = True, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Share rows (:func:`share_row`, plus the ``extra`` columns) as a typed table, in their order."""
    out = pd.DataFrame(rows, columns=SHARE_COLUMNS + list(extra))
    out["count"] = out["count"].astype("Int64")
    out["base"] = out["base"].astype(int)
    out["suppressed"] = out["suppressed"].astype(bool)
    out["not_asked"] = out["not_asked"].astype(bool)
    for col in ("proportion", "low", "high"):
        out[col] = out[col].astype(float)
    out.attrs["min_cell"] = min_cell  # lets record_top word a suppression without being told
    out.attrs["asked"] = asked
    return out


# --------------------------------------------------------------------------- Likert and correlation


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
