"""Words for comparisons, chosen from the data, so the text stays true when the data changes.

The prose never types "higher", "quickened" or "agrees broadly": a chapter records the word
these functions choose, and the report reads it as a variable.

- :func:`difference` compares two survey shares from independent groups of respondents with
  Newcombe's hybrid score interval for a difference of proportions (Newcombe 1998, Statistics in
  Medicine 17:873-890; statsmodels ``confint_proportions_2indep(method="newcomb")``). The word
  is "higher" or "lower" only when the interval excludes zero, else "not clearly different"; it
  completes a sentence such as "Set against the share without a mandate, the Hub share with one
  is ...". No finite-population correction is applied: the respondents are
  self-selected, and the wider interval is the honest one for a comparison.
- :func:`two_groups` words a whole comparison of two groups' shares, and when one of them is
  suppressed says so instead ("the share among those without them is suppressed, so the two
  cannot be compared"), so the sentence never reads "a difference of not comparable".
- :func:`pace` compares two rates of public events (appointments per year): these are counts of
  the whole population, not a sample, so there is no interval, only a tolerance.
- :func:`correlation` words a rank correlation by the usual bands (below 0.1 none, below 0.3
  weak, below 0.5 moderate, else strong; below -0.1 it runs the other way).
"""

from __future__ import annotations

from dataclasses import dataclass

from poc1540.analysis.stats import Share


@dataclass(frozen=True)
class Difference:
    """Share ``a`` minus share ``b``, in percentage points, with its interval and the words for it."""

    words: str  # "higher", "lower", "not clearly different", or why it cannot be said
    points: float | None
    low: float | None
    high: float | None
    confidence: float

    def text(self) -> str:
        """'21 points (95% CI -5 to 43)', or the reason no difference is published."""
        if self.points is None or self.low is None or self.high is None:
            return self.words
        return f"{self.points:+.0f} points ({self.confidence:.0%} CI {self.low:+.0f} to {self.high:+.0f})"


NOT_COMPARABLE = "not comparable: one of the shares is suppressed"


def difference(a: Share, b: Share, *, confidence: float) -> Difference:
    """How share ``a`` compares with share ``b`` (independent groups)."""
    if a.suppressed or b.suppressed:
        return Difference(NOT_COMPARABLE, None, None, None, confidence)
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(a.count, a.base, b.count, b.base, method="newcomb", compare="diff", alpha=1.0 - confidence)
    points = 100.0 * (a.count / a.base - b.count / b.base)
    if low > 0:
        words = "higher"
    elif high < 0:
        words = "lower"
    else:
        words = "not clearly different"
    return Difference(words, points, 100.0 * float(low), 100.0 * float(high), confidence)


def two_groups(a_group: str, a: Share, b_group: str, b: Share, *, outcome: str, gap: Difference, verdict: str) -> str:
    """One sentence (without its full stop) comparing the share of ``a_group`` with that of ``b_group``.

    ``outcome`` completes "Of <a_group>, 44% (11 of 25) ..." ("work as Hubs"); ``verdict`` opens the
    sentence that ``gap.words`` closes ("Set against the share without a mandate, the Hub share with
    one"). A suppressed share is named as such and no difference is stated.
    """
    if a.suppressed and b.suppressed:
        return f"The shares of {a_group} and of {b_group} who {outcome.removeprefix('who ')} are suppressed, so they cannot be compared"
    if a.suppressed or b.suppressed:
        (shown_group, shown), hidden_group = ((b_group, b), a_group) if a.suppressed else ((a_group, a), b_group)
        return f"Of {shown_group}, {shown.text()} {outcome}; the share among {hidden_group} is suppressed, so the two cannot be compared"
    return f"Of {a_group}, {a.text()} {outcome}; of {b_group}, {b.text()}: a difference of {gap.text()}. {verdict} is {gap.words}"


def pace(before_per_year: float, after_per_year: float, *, tolerance: float = 0.1) -> str:
    """'quickened', 'slowed' or 'kept its pace': the later rate against the earlier, within ``tolerance``."""
    if after_per_year > before_per_year * (1 + tolerance):
        return "quickened"
    if after_per_year < before_per_year * (1 - tolerance):
        return "slowed"
    return "kept its pace"


def correlation(rho: float) -> str:
    """How one ranking goes with another, as a verb phrase: 'agrees strongly with', ... 'hardly agrees with'."""
    if rho != rho:  # nan: too few pairs to rank
        return "cannot be compared (too few answers) with"
    if rho < -0.1:
        return "runs against"
    if rho >= 0.5:
        return "agrees strongly with"
    if rho >= 0.3:
        return "agrees moderately with"
    if rho >= 0.1:
        return "agrees only weakly with"
    return "hardly agrees with"
