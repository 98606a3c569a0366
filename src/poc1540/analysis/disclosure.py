"""Disclosure rules for published survey cells, as a statistics office applies them.

The rules are parameters (``params/common.yaml``: ``min_cell_size`` and the ``disclosure``
mapping), stated in the report's methods appendix, and applied by every function that builds a
published survey statistic:

- **threshold** (primary): a count from 1 to ``min_count - 1`` (``min_cell_size``) is suppressed;
- **complement** (primary): a share x of n whose complement n - x is from 1 to ``min_count - 1``
  is suppressed, since the base is published with it;
- **base** (primary): a share on a base below ``min_count`` is suppressed;
- **group** (primary, group disclosure): a share of 0% or 100% (everybody in the group answered
  alike, so the answer is known for each of them) is suppressed unless its base is at least
  ``group_min_base``; ``group_min_base: 0`` switches the rule off;
- **identification** (primary): a survey breakdown by a public attribute of States (first
  national report, regional group) is published only when each of its groups holds at least
  ``public_group_min_states`` States of the survey frame: with fewer, the public listings tell
  who is in the group and its cells describe those States;
- **complementary**: cells suppressed so that none of the above can be worked out from the
  published numbers (lines of a table with its margins, the categories of a single-choice
  question with their base, a breakdown with its overall share published elsewhere).

A *dominance* rule (one contributor making up most of a cell's total) concerns magnitude
tables; every survey cell here is a count of States, each contributing one, so it cannot apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from poc1540.analysis import stats, suppression

#: The primary rules, in the order they are tested; ``complementary`` is the secondary one.
PRIMARY_RULES = ("base", "threshold", "complement", "group", "identification")
COMPLEMENTARY = "complementary"
RULES = (*PRIMARY_RULES, COMPLEMENTARY)


@dataclass(frozen=True)
class Rules:
    """The disclosure rules' parameters (see the module docstring)."""

    min_count: int
    group_min_base: int
    public_group_min_states: int

    @classmethod
    def from_params(cls, min_cell_size: int, disclosure: Mapping[str, Any]) -> Rules:
        """The rules from ``min_cell_size`` and the ``disclosure`` mapping of ``params/common.yaml``."""
        expected = {"group_min_base", "public_group_min_states"}
        if set(disclosure) != expected:
            raise ValueError(f"params/common.yaml: disclosure needs exactly the keys {sorted(expected)}, not {sorted(disclosure)}")
        rules = cls(
            min_count=int(min_cell_size),
            group_min_base=int(disclosure["group_min_base"]),
            public_group_min_states=int(disclosure["public_group_min_states"]),
        )
        if rules.min_count < 2 or rules.group_min_base < 0 or rules.public_group_min_states < 1:
            raise ValueError(f"params/common.yaml: disclosure rules out of range: {rules}")
        return rules

    def share_rule(self, count: int, base: int) -> str | None:
        """The primary rule that suppresses a share ``count`` of ``base``, or None when it may be published."""
        if base < self.min_count or base == 0:
            return "base"
        if 0 < count < self.min_count:
            return "threshold"
        if 0 < base - count < self.min_count:
            return "complement"
        if (count == 0 or count == base) and base < self.group_min_base:
            return "group"
        return None

    def share(self, count: int, base: int, *, population: int | None, confidence: float, suppressed: bool = False) -> stats.Share:
        """A :class:`stats.Share` suppressed by these rules (or by ``suppressed``, a complementary decision)."""
        s = stats.share(count, base, population=population, confidence=confidence, min_cell=self.min_count, group_min=self.group_min_base)
        if not suppressed or s.suppressed:
            return s
        return stats.Share(s.count, s.base, s.population, s.confidence, float("nan"), float("nan"), True, s.min_cell)

    @property
    def options(self) -> dict[str, int]:
        """The keyword arguments :func:`stats.share` and the suppression functions take for these rules."""
        return {"min_cell": self.min_count, "group_min": self.group_min_base}


def public_groups_publishable(states: pd.DataFrame, attribute: str, rules: Rules) -> bool:
    """Whether a survey breakdown by the public State ``attribute`` may be published (identification rule).

    ``states`` is the survey frame (one row per POC State). Every value of ``attribute`` must
    hold at least ``public_group_min_states`` States: a smaller group is known from the listings,
    so its survey cells describe named States, and its complement's cells give them away by
    subtraction from the totals.
    """
    sizes = states[attribute].value_counts(dropna=False)
    return bool(len(sizes) > 1 and (sizes >= rules.public_group_min_states).all())


def exclusive_shares(
    answers: pd.Series,
    codes: Sequence[Any],
    rules: Rules,
    *,
    population: int | None,
    confidence: float,
    labels: Mapping[Any, str] | None = None,
    asked: bool = True,
) -> pd.DataFrame:
    """Shares of the options of a single-choice question, protected as one line.

    ``asked=False`` (the edition did not ask it) gives every option the text
    :data:`stats.NOT_ASKED`, ``not_asked`` True and no number, as :func:`stats.share_table` does.

    The options' counts add up to the base (those who answered), which is published; so a
    single suppressed option could be worked out by subtraction. The counts and the base are
    protected together (:mod:`poc1540.analysis.suppression`, rules 1-2) after the primary share
    rules. Returns the columns of :func:`stats.share_table` plus ``rule`` (the primary rule, or
    ``complementary``, or None), in ``codes`` order.
    """
    labels = labels or {}
    valid = answers.dropna().astype(object) if asked else answers.iloc[:0].astype(object)
    counts = np.array([int((valid == c).sum()) for c in codes], dtype=np.int64)
    base = int(counts.sum())
    primary = [rules.share_rule(int(n), base) for n in counts]
    hidden = protect_line(counts, [r is not None for r in primary], rules.min_count)
    rows = []
    for code, n, rule, hide in zip(codes, counts, primary, hidden):
        s = rules.share(int(n), base, population=population, confidence=confidence, suppressed=bool(hide))
        rows.append(_share_row(code, labels.get(code, str(code)), s, rule or (COMPLEMENTARY if s.suppressed else None), asked))
    return _share_frame(rows, rules.min_count, asked)


def protect_line(counts: np.ndarray, primary: Sequence[bool], min_count: int) -> np.ndarray:
    """Which entries of a line (counts adding up to a published total) to hide.

    ``primary`` marks those the share rules hide. A single hidden entry is given away by the
    total, and hidden entries adding up to less than ``min_count`` give away a small sum, so
    the smallest published entries (zeros too, when nothing else is left) are hidden until
    neither holds. When every entry is hidden the attacker knows only the total.
    """
    counts = np.asarray(counts, dtype=np.int64)
    mask = np.asarray(primary, dtype=bool).copy()
    while mask.any() and not mask.all():
        hidden_sum = int(counts[mask].sum())
        # An interval for a hidden entry is at most the hidden sum wide (every hidden entry is >= 0).
        if int(mask.sum()) >= 2 and hidden_sum >= min_count:
            break
        candidates = [k for k in range(counts.size) if not mask[k]]
        mask[min(candidates, key=lambda k: (counts[k], k))] = True
    return mask


def grouped_shares(
    frame: pd.DataFrame,
    group: str,
    groups: Sequence[Any],
    item: str,
    rules: Rules,
    *,
    population: int | None,
    confidence: float,
    overall_published: bool,
    shown: Sequence[Any] | None = None,
) -> tuple[dict[Any, stats.Share], stats.Share]:
    """The share of a yes/no ``item`` in each of ``groups``, and overall, protected together.

    The counts form a table: one row per value of ``group`` (respondents without one are a row
    of their own, whose base the attacker is assumed to know from other outputs), columns yes and no, and the overall (all who answered the item) as the totals
    row, published when ``overall_published`` (a figure elsewhere prints it). Rows not in
    ``shown`` (default: all ``groups``) are never published. A share's count and base are
    published together, so its complement is too. The table is protected with the line and
    linear-closure rules of :mod:`suppression` after the primary share rules; a group whose yes
    or no cell ends up hidden gets a suppressed share. Returns ``({group: Share}, overall)``.
    """
    shown = list(groups) if shown is None else list(shown)
    valid = frame[frame[item].notna()]
    values = valid[group].astype(object).where(valid[group].notna(), None)
    answer = valid[item].astype(bool)
    keys = [*groups, None]
    selected = [(values == g) if g is not None else values.isna() for g in keys]
    yes = np.array([int((sel & answer).sum()) for sel in selected], dtype=np.int64)
    base = np.array([int(sel.sum()) for sel in selected], dtype=np.int64)
    no = base - yes
    n = len(keys)
    # entries: yes_k, no_k, base_k for each row k, then the overall yes, no, base
    entries = np.concatenate([np.column_stack([yes, no, base]).ravel(), [yes.sum(), no.sum(), base.sum()]])
    hidden = np.zeros(entries.size, dtype=bool)
    audit = np.zeros(entries.size)  # how wide each cell's interval must stay
    for k, g in enumerate(keys):
        if g is None and base[k] == 0:
            continue  # no respondent without a group: nothing to hide
        # A group not shown is still given away by subtraction: it gets the same primary rules, and
        # its base is assumed known (other outputs may print it), so its interval need not exceed it.
        audit[3 * k : 3 * k + 2] = rules.min_count if (g is not None and g in shown) else min(rules.min_count, int(base[k]))
        if g is None or rules.share_rule(int(yes[k]), int(base[k])) is not None:
            hidden[3 * k : 3 * k + 2] = True
    if not overall_published or rules.share_rule(int(yes.sum()), int(base.sum())) is not None:
        hidden[3 * n : 3 * n + 2] = True
    audit[3 * n : 3 * n + 2] = rules.min_count if overall_published else 0
    lines = [suppression._Line((3 * k, 3 * k + 1), 3 * k + 2) for k in range(n + 1)]
    lines += [suppression._Line(tuple(3 * k + j for k in range(n)), 3 * n + j) for j in range(3)]
    # every base is printed (beside its share, or known from other outputs), and so is a published overall
    keep = np.zeros(entries.size, dtype=bool)
    keep[2::3] = True
    if overall_published and not hidden[3 * n]:
        keep[3 * n : 3 * n + 2] = True
    mask = suppression._protect_from(entries, lines, rules.min_count, hidden, keep, audit)
    shares = {}
    for k, g in enumerate(keys[:-1]):
        hide = bool(mask[3 * k] or mask[3 * k + 1])
        shares[g] = rules.share(int(yes[k]), int(base[k]), population=population, confidence=confidence, suppressed=hide)
    hide = bool(mask[3 * n] or mask[3 * n + 1])
    overall = rules.share(int(yes.sum()), int(base.sum()), population=population, confidence=confidence, suppressed=hide)
    return shares, overall


def share_table_of(shares: Mapping[str, stats.Share], labels: Mapping[str, str], rules: Rules) -> pd.DataFrame:
    """A table like :func:`stats.share_table`'s, ranked, from shares already decided (and protected)."""
    rows = [_share_row(item, labels.get(item, item), s, share_rule_of(s, rules)) for item, s in shares.items()]
    return ranked(_share_frame(rows, rules.min_count))


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by share, largest first, suppressed last, ties in their order (as :func:`stats.share_table` ranks)."""
    key = table["proportion"].fillna(0.0)
    order = sorted(range(len(table)), key=lambda i: (bool(table["suppressed"].iat[i]), -float(key.iat[i])))
    out = table.iloc[order].reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


def share_rule_of(s: stats.Share, rules: Rules) -> str | None:
    """Why ``s`` is suppressed: its primary rule, ``complementary``, or None when published."""
    if not s.suppressed:
        return None
    return rules.share_rule(s.count, s.base) or COMPLEMENTARY


def _share_row(item: Any, label: str, s: stats.Share, rule: str | None, asked: bool = True) -> dict[str, Any]:
    return {**stats.share_row(item, label, s, asked), "rule": rule}


def _share_frame(rows: list[dict[str, Any]], min_cell: int, asked: bool = True) -> pd.DataFrame:
    return stats.share_frame(rows, min_cell, asked, extra=("rule",))
