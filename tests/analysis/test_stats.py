"""Statistics for a small known population: Wilson-FPC intervals, shares, small-cell suppression.

Interval values are checked against the closed-form Wilson formula computed here and against
published textbook values; suppressed tables are attacked the way a reader could attack them
(line-by-line subtraction, then any linear combination of lines, then an integer-feasibility LP).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import scipy.stats

from poc1540.analysis import stats, suppression
from poc1540.findings import merge
from poc1540.publish import record as findings

Z95 = 1.959963984540054  # the 97.5% point of the standard normal


# --------------------------------------------------------------------------- independent references


def wilson_closed_form(x: int, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval written out: (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return ((centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n))


def wilson_fpc_closed_form(x: int, n: int, big_n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson at the observed p with n replaced by n_eff = n(N-1)/(N-n) (Cochran's FPC)."""
    n_eff = n * (big_n - 1) / (big_n - n)
    p = x / n
    centre = p + z * z / (2 * n_eff)
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff))
    return ((centre - half) / (1 + z * z / n_eff), (centre + half) / (1 + z * z / n_eff))


def augmented(table: np.ndarray) -> np.ndarray:
    """The table with its row totals, column totals and grand total, as published."""
    rows, cols = table.shape
    full = np.zeros((rows + 1, cols + 1), dtype=np.int64)
    full[:-1, :-1] = table
    full[:-1, -1] = table.sum(axis=1)
    full[-1, :-1] = table.sum(axis=0)
    full[-1, -1] = table.sum()
    return full


def grid_lines(shape: tuple[int, int]) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Every row and column of a totalled table: (member cells, total cell)."""
    rows, cols = shape  # shape of the augmented table
    lines = [([(i, j) for j in range(cols - 1)], (i, cols - 1)) for i in range(rows)]
    lines += [([(i, j) for i in range(rows - 1)], (rows - 1, j)) for j in range(cols)]
    return lines


def published_grid(published: pd.DataFrame) -> np.ndarray:
    """Published table -> object array with None where suppressed."""
    return np.array([[None if v == stats.SUPPRESSED else int(v) for v in row] for row in published.to_numpy()], dtype=object)


def line_attack(grid: np.ndarray) -> dict[tuple[int, int], int]:
    """Solve every line with exactly one unknown; reuse solved cells; repeat until stuck."""
    known = grid.copy()
    solved: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for members, total in grid_lines(known.shape):
            unknown = [c for c in [*members, total] if known[c] is None]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            if cell == total:
                value = sum(known[c] for c in members)
            else:
                value = known[total] - sum(known[c] for c in members if c != cell)
            known[cell] = value
            solved[cell] = value
            progress = True
    return solved


def rank_attack(grid: np.ndarray) -> list[tuple[int, int]]:
    """Cells fixed by some linear combination of lines: e_k lies in the row space of A_S."""
    cells = [(i, j) for i in range(grid.shape[0]) for j in range(grid.shape[1]) if grid[i, j] is None]
    if not cells:
        return []
    lines = grid_lines(grid.shape)
    a = np.zeros((len(lines), len(cells)))
    for r, (members, total) in enumerate(lines):
        for c_index, cell in enumerate(cells):
            a[r, c_index] = 1.0 if cell in members else (-1.0 if cell == total else 0.0)
    rank = np.linalg.matrix_rank(a)
    out = []
    for c_index, cell in enumerate(cells):
        unit = np.zeros((1, len(cells)))
        unit[0, c_index] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(cell)
    return out


def lp_ranges(grid: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
    """Feasible range of each suppressed cell given the published numbers and counts >= 0."""
    cells = [(i, j) for i in range(grid.shape[0]) for j in range(grid.shape[1]) if grid[i, j] is None]
    lines = grid_lines(grid.shape)
    a_eq, b_eq = [], []
    for members, total in lines:
        row = [1.0 if c in members else (-1.0 if c == total else 0.0) for c in cells]
        rest = sum(grid[c] for c in members if grid[c] is not None) - (grid[total] if grid[total] is not None else 0)
        if any(row):
            a_eq.append(row)
            b_eq.append(-rest)
    ranges = {}
    for k, cell in enumerate(cells):
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(cells))
            objective[k] = sign
            res = scipy.optimize.linprog(objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded above: every total around the cell is hidden too
                bounds.append(math.inf)
                continue
            assert res.status == 0, res.message
            bounds.append(sign * res.fun)
        ranges[cell] = (bounds[0], bounds[1])
    return ranges


def assert_safe(counts: np.ndarray, published: pd.DataFrame, min_cell: int, *, lp: bool = False) -> None:
    """Everything a reader of ``published`` could do, and what must fail."""
    truth = augmented(counts)
    grid = published_grid(published)
    assert grid.shape == truth.shape
    for (i, j), value in np.ndenumerate(grid):
        if value is not None:
            assert value == truth[i, j], "a published number differs from the data"
            assert not 0 < value < min_cell, f"published small cell {value} at {(i, j)}"
    assert line_attack(grid) == {}, "a suppressed cell falls to subtraction"
    assert rank_attack(grid) == [], "a suppressed cell falls to a combination of lines"
    for members, total in grid_lines(grid.shape):
        if grid[total] is not None:
            hidden = sum(truth[c] for c in members if grid[c] is None)
            assert not 0 < hidden < min_cell, "a line publishes a small sum of suppressed cells"
    if lp:
        for cell, (low, high) in lp_ranges(grid).items():
            value = truth[cell]
            assert value >= 1, "suppressed cells are non-zero"
            assert low <= value - 1 + 1e-7 and high >= value + 1 - 1e-7, f"{cell} pinned to [{low}, {high}]"


# --------------------------------------------------------------------------- Wilson and the FPC


@pytest.mark.parametrize("x, n", [(0, 10), (1, 10), (5, 10), (9, 10), (10, 10), (27, 66), (3, 60), (59, 60)])
def test_plain_wilson_matches_the_closed_form(x: int, n: int) -> None:
    assert stats.wilson_fpc(x, n, None, confidence=0.95) == pytest.approx(wilson_closed_form(x, n), abs=1e-12)


@pytest.mark.parametrize(
    "x, n, low, high",
    [  # Newcombe (1998), Statistics in Medicine 17:857, Table II, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_plain_wilson_matches_published_values(x: int, n: int, low: float, high: float) -> None:
    got = stats.wilson_fpc(x, n, None, confidence=0.95)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_textbook_small_samples() -> None:
    # 0 of 10: the interval starts at exactly 0 and reaches z²/(n+z²); 5 of 10 is symmetric about 1/2.
    low, high = stats.wilson_fpc(0, 10, None, confidence=0.95)
    assert low == 0.0 and high == pytest.approx(Z95**2 / (10 + Z95**2), abs=1e-12)
    assert high == pytest.approx(0.2775, abs=5e-5)
    low, high = stats.wilson_fpc(5, 10, None, confidence=0.95)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=5e-5)
    assert low + high == pytest.approx(1.0, abs=1e-12)
    assert stats.wilson_fpc(10, 10, None, confidence=0.95)[1] == 1.0


@pytest.mark.parametrize("x, n", [(0, 60), (3, 60), (27, 66), (30, 60), (60, 61), (100, 120)])
def test_fpc_matches_the_effective_sample_size_formula(x: int, n: int) -> None:
    assert stats.wilson_fpc(x, n, 123, confidence=0.95) == pytest.approx(wilson_fpc_closed_form(x, n, 123), abs=1e-12)


def test_fpc_shrinks_the_interval_and_collapses_at_a_census() -> None:
    x_share, big_n = 0.4, 123
    widths = []
    for n in (10, 30, 60, 90, 120, 122):
        x = round(x_share * n)
        plain = stats.wilson_fpc(x, n, None, confidence=0.95)
        fpc = stats.wilson_fpc(x, n, big_n, confidence=0.95)
        assert fpc[0] >= plain[0] and fpc[1] <= plain[1]
        assert fpc[0] <= x / n <= fpc[1]
        widths.append(fpc[1] - fpc[0])
    assert widths == sorted(widths, reverse=True)
    assert stats.wilson_fpc(49, 123, 123, confidence=0.95) == (49 / 123, 49 / 123)
    assert stats.wilson_fpc(0, 123, 123, confidence=0.95) == (0.0, 0.0)
    assert stats.wilson_fpc(1, 1, 1, confidence=0.95) == (1.0, 1.0)


def test_fpc_vanishes_for_a_huge_population() -> None:
    assert stats.wilson_fpc(27, 66, 10**9, confidence=0.95) == pytest.approx(stats.wilson_fpc(27, 66, None, confidence=0.95), abs=1e-7)


def test_other_confidence_levels() -> None:
    z90 = scipy.stats.norm.ppf(0.95)
    assert stats.wilson_fpc(27, 66, None, 0.90) == pytest.approx(wilson_closed_form(27, 66, z90), abs=1e-12)
    assert stats.wilson_fpc(27, 66, 123, 0.90) == pytest.approx(wilson_fpc_closed_form(27, 66, 123, z90), abs=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [
        ((7, 5, None), "do not make a share"),
        ((-1, 5, None), "do not make a share"),
        ((3, 130, 123), "larger than the population"),
        ((0, 0, None), "base of at least one"),
    ],
)
def test_bad_shares_are_refused(args: tuple[int, int, int | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        stats.wilson_fpc(*args, confidence=0.95)


def test_bad_confidence_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        stats.share(3, 10, population=None, confidence=95, min_cell=5, group_min=0)


# --------------------------------------------------------------------------- shares


@pytest.mark.parametrize(
    "count, base, suppressed",
    [
        (3, 60, True),
        (57, 60, True),
        (0, 60, False),
        (60, 60, False),
        (30, 60, False),
        (5, 60, False),
        (55, 60, False),
        (2, 4, True),
        (0, 4, True),
        (4, 4, True),
        (0, 0, True),
    ],
)
def test_share_suppression(count: int, base: int, suppressed: bool) -> None:
    s = stats.share(count, base, population=123, confidence=0.95, min_cell=5, group_min=0)
    assert s.suppressed is suppressed
    if suppressed:
        assert math.isnan(s.proportion) and math.isnan(s.percent) and math.isnan(s.low) and math.isnan(s.high)
        assert s.text() == s.text_ci() == "suppressed (fewer than 5 respondents in a cell)"
    else:
        assert s.proportion == count / base
        assert (s.low, s.high) == pytest.approx(wilson_fpc_closed_form(count, base, 123), abs=1e-12)


def test_share_text_always_carries_count_and_base() -> None:
    s = stats.share(27, 66, population=123, confidence=0.95, min_cell=5, group_min=0)
    assert s.text() == "41% (27 of 66)"
    low, high = wilson_fpc_closed_form(27, 66, 123)
    assert s.text_ci() == f"41% (27 of 66; 95% CI {100 * low:.0f}% to {100 * high:.0f}%)"
    assert s.percent == 40.9
    assert stats.share(0, 60, population=123, confidence=0.95, min_cell=5, group_min=0).text_ci() == "0% (0 of 60; 95% CI 0% to 3%)"
    assert stats.share(27, 66, population=None, confidence=0.9, min_cell=5, group_min=0).text_ci().startswith("41% (27 of 66; 90% CI ")


def test_share_text_agrees_with_the_findings_recorder(tmp_path) -> None:
    fx = findings.Recorder("02_demo", directory=tmp_path, echo=False)
    for count, base in [(27, 66), (5, 40), (12, 97), (61, 123)]:
        assert (
            stats.share(count, base, population=None, confidence=0.95, min_cell=5, group_min=0).text()
            == (fx.add_listing_share(f"demo.s{count}", count, base) or fx.findings[f"demo.s{count}"]).text
        )


def test_min_cell_is_a_parameter() -> None:
    assert not stats.share(3, 60, population=123, min_cell=3, confidence=0.95, group_min=0).suppressed
    assert stats.share(8, 60, population=123, min_cell=10, confidence=0.95, group_min=0).suppressed
    assert (
        stats.share(8, 60, population=123, min_cell=10, confidence=0.95, group_min=0).text()
        == "suppressed (fewer than 10 respondents in a cell)"
    )


def test_record_share_never_records_a_suppressed_count(tmp_path) -> None:
    fx = findings.Recorder("02_demo", directory=tmp_path, echo=False)
    fx.add_survey_share("demo.shown", stats.share(27, 66, population=123, confidence=0.95, min_cell=5, group_min=0), with_ci=True)
    fx.add_survey_share("demo.hidden", stats.share(3, 66, population=123, confidence=0.95, min_cell=5, group_min=0))
    shown, hidden = fx.findings["demo.shown"], fx.findings["demo.hidden"]
    assert shown.value == 40.9 and shown.text.startswith("41% (27 of 66; 95% CI") and shown.extra["count"] == 27
    assert hidden.value is None and "count" not in hidden.extra and hidden.text.startswith("suppressed")
    assert "demo" not in merge.metrics([hidden])


def test_share_table() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.array([True] * 20 + [False] * 20 + [None] * 5, dtype="boolean"),  # 20 of 40
            "b": pd.array([True] * 30 + [False] * 15, dtype="boolean"),  # 30 of 45
            "c": pd.array([True] * 2 + [False] * 43, dtype="boolean"),  # 2 of 45: suppressed
            "d": pd.array([True] * 30 + [False] * 15, dtype="boolean"),  # ties with b
            "e": pd.array([False] * 45, dtype="boolean"),  # 0 of 45: published
            "f": pd.array([True] * 3 + [None] * 42, dtype="boolean"),  # base 3: suppressed
        }
    )
    table = stats.share_table(frame, list("fcabde"), population=123, labels={"a": "Item A"}, confidence=0.95, min_cell=5, group_min=0)
    assert list(table.columns) == [
        "item",
        "label",
        "count",
        "base",
        "proportion",
        "low",
        "high",
        "suppressed",
        "text",
        "text_ci",
        "not_asked",
    ]
    assert table["item"].tolist() == ["b", "d", "a", "e", "f", "c"]  # b before d: tie kept in item order
    assert table["base"].tolist() == [45, 45, 40, 45, 3, 45]
    assert table.loc[table["item"] == "a", "label"].item() == "Item A"
    assert table.loc[table["item"] == "a", "text"].item() == "50% (20 of 40)"
    hidden = table[table["suppressed"]]
    assert hidden["item"].tolist() == ["f", "c"]
    assert hidden["count"].isna().all() and hidden["proportion"].isna().all() and hidden["low"].isna().all()
    row = table.iloc[0]
    assert (row["low"], row["high"]) == pytest.approx(wilson_fpc_closed_form(30, 45, 123), abs=1e-12)
    with pytest.raises(TypeError, match="boolean"):
        stats.share_table(pd.DataFrame({"x": [1, 2]}), ["x"], population=None, confidence=0.95, min_cell=5, group_min=0)


# --------------------------------------------------------------------------- table suppression


def tiny_respondents() -> pd.DataFrame:
    """62 respondents (2 with no answer on role): Africa has only three 'hub' POCs, a small cell."""
    rows = (
        [("hub", "Africa")] * 3
        + [("hub", "Europe")] * 12
        + [("hub", "Asia")] * 8
        + [("post_office", "Africa")] * 9
        + [("post_office", "Europe")] * 6
        + [("post_office", "Asia")] * 10
        + [("mixed", "Africa")] * 7
        + [("mixed", "Europe")] * 0
        + [("mixed", "Asia")] * 5
        + [(None, "Asia")] * 2  # item non-response: not counted
    )
    frame = pd.DataFrame(rows, columns=["role", "region"])
    frame["role"] = frame["role"].astype(pd.CategoricalDtype(["hub", "post_office", "mixed"]))
    return frame


def test_crosstab_of_a_tiny_dataset_is_safe() -> None:
    frame = tiny_respondents()
    published = suppression.crosstab(frame, "role", "region", col_order=["Africa", "Asia", "Europe"], min_cell=5, group_min=0)
    counts = np.array([[3, 8, 12], [9, 10, 6], [7, 5, 0]])
    assert list(published.index) == ["hub", "post_office", "mixed", "Total"]
    assert list(published.columns) == ["Africa", "Asia", "Europe", "Total"]
    assert published.index.name == "role" and published.columns.name == "region"
    assert (published.dtypes == object).all()  # noqa: E721 (pandas dtypes, not types)
    assert published.loc["hub", "Africa"] == stats.SUPPRESSED
    assert published.loc["Total", "Total"] == 60  # totals are computed before suppression
    assert_safe(counts, published, 5, lp=True)
    # With primary suppression alone the small cell falls to subtraction: the attacker works.
    full = augmented(counts)
    primary_only = np.where((full > 0) & (full < 5), None, full).astype(object)
    assert line_attack(primary_only) == {(0, 0): 3}


def test_a_row_of_zeros_beside_a_suppressed_cell_suppresses_the_total() -> None:
    # Row b is (3, 0, 0 | 3)... the small total is suppressed too; row c is (7, 0, 0 | 7) where 7 is
    # suppressed to protect the 3 in its column: the zeros plus the total would reveal it.
    counts = np.array([[20, 9, 8], [3, 0, 0], [7, 0, 0], [15, 6, 12]])
    published = suppression.suppress_counts(pd.DataFrame(counts, index=list("abcd"), columns=list("XYZ")), min_cell=5, group_min=0)
    assert_safe(counts, published, 5, lp=True)
    assert published.loc["b", "X"] == published.loc["b", "Total"] == stats.SUPPRESSED  # small total
    assert published.loc["c", "X"] == stats.SUPPRESSED  # the complement of the 3 in column X
    assert published.loc["c", "Total"] == stats.SUPPRESSED  # else 7 - 0 - 0 reveals it
    assert (published.loc[["b", "c"], ["Y", "Z"]] == 0).all().all(), "zeros stay published"


def test_linear_closure_catches_what_the_line_rule_misses() -> None:
    # Rows a and b sit only in column X; after the line rules the suppressed cells form two cycles
    # joined by cell (c, X): no line has a single unknown, yet row c minus the columns Y and Z gives it.
    counts = np.array([[15, 0, 0], [3, 0, 0], [8, 8, 20]])
    full = augmented(counts)
    lines = suppression._table_lines(*counts.shape)
    line_rule_only = suppression._protect(full.ravel(), lines, 5, closure=False).reshape(full.shape)
    grid = np.where(line_rule_only, None, full).astype(object)
    assert line_attack(grid) == {}
    assert rank_attack(grid) == [(2, 0)]
    assert lp_ranges(grid)[(2, 0)] == pytest.approx((8, 8))
    published = suppression.suppress_counts(pd.DataFrame(counts), min_cell=5, group_min=0)
    assert_safe(counts, published, 5, lp=True)


@pytest.mark.parametrize("min_cell", [3, 5, 10])
def test_random_tables_resist_the_attacker(min_cell: int) -> None:
    rng = np.random.default_rng(1540 + min_cell)
    values = np.array([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 15, 20, 30])
    for trial in range(100):
        rows, cols = rng.integers(1, 6), rng.integers(1, 6)
        counts = rng.choice(values, size=(rows, cols)) if trial % 3 else rng.poisson(rng.uniform(1, 12), size=(rows, cols))
        published = suppression.suppress_counts(pd.DataFrame(counts), min_cell=min_cell, group_min=0)
        assert_safe(counts, published, min_cell, lp=trial < 12)


def test_a_table_without_small_cells_is_published_whole() -> None:
    counts = np.array([[10, 0, 8], [7, 9, 12]])
    published = suppression.suppress_counts(pd.DataFrame(counts), min_cell=5, group_min=0)
    assert (published_grid(published) == augmented(counts)).all()
    assert suppression.suppression_mask(pd.DataFrame(counts), min_cell=5, group_min=0).to_numpy().sum() == 0


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative integers"):
        suppression.suppress_counts(pd.DataFrame([[1, -2]]), min_cell=5, group_min=0)
    with pytest.raises(ValueError, match="non-negative integers"):
        suppression.suppress_counts(pd.DataFrame([[1.5, 2]]), min_cell=5, group_min=0)
    with pytest.raises(ValueError, match="already has"):
        suppression.suppress_counts(pd.DataFrame([[1, 2]], index=["Total"]), min_cell=5, group_min=0)
    with pytest.raises(ValueError, match="outside the given order"):
        suppression.crosstab(tiny_respondents(), "role", "region", col_order=["Africa", "Asia"], min_cell=5, group_min=0)


# --------------------------------------------------------------------------- Likert and correlation


def test_likert_distribution() -> None:
    scores = [1] * 2 + [2] * 10 + [3] * 12 + [4] * 20 + [5] * 8 + [None] * 3
    frame = pd.DataFrame(
        {
            "q1": pd.array(scores, dtype="Int64"),
            "q2": pd.array([3] * 40 + [None] * 15, dtype="Int64"),
            "q3": pd.Series([1] * 6 + [5] * 6 + ["na"] * 5 + [""] * 38, dtype=object).replace("", None),
        }
    )
    scale = {1: "Not a challenge", 2: "Minor", 3: "Moderate", 4: "Serious", 5: "Major"}
    out = suppression.likert_distribution(frame, ["q1", "q2"], scale, labels={"q1": "Mandate"}, min_cell=5, group_min=0)
    q1 = out[out["item"] == "q1"]
    assert q1["score"].tolist() == [1, 2, 3, 4, 5] and (q1["base"] == 52).all()
    assert q1["label"].eq("Mandate").all() and q1["score_label"].tolist() == list(scale.values())
    # 2 of 52 is primary; the line rule then suppresses the smallest other non-zero score (8).
    assert q1["suppressed"].tolist() == [True, False, False, False, True]
    assert q1["count"].tolist()[1:4] == [10, 12, 20]
    assert q1["proportion"].iloc[1] == pytest.approx(10 / 52) and q1["text"].iloc[1] == "19% (10 of 52)"
    assert q1["count"].iloc[[0, 4]].isna().all() and q1["proportion"].iloc[[0, 4]].isna().all()
    q2 = out[out["item"] == "q2"]
    assert q2["suppressed"].tolist() == [False] * 5  # zeros and a 40-of-40 are published
    assert q2["proportion"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    raw = suppression.likert_distribution(frame, ["q3"], [1, 2, 3, 4, 5], na_code="na", min_cell=5, group_min=0)
    assert (raw["base"] == 12).all() and raw["count"].tolist() == [6, 0, 0, 0, 6]
    with pytest.raises(ValueError, match="outside the scale"):
        suppression.likert_distribution(frame, ["q3"], [1, 2, 3, 4, 5], min_cell=5, group_min=0)


def test_spearman_on_pairwise_complete_cases() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=50).astype(float)
    y = x + rng.normal(0, 1.5, size=50)
    x_missing, y_missing = x.copy(), y.copy()
    x_missing[[1, 5]] = np.nan
    y_missing[[5, 9, 20]] = np.nan
    keep = ~np.isnan(x_missing) & ~np.isnan(y_missing)
    expected = scipy.stats.spearmanr(x[keep], y[keep])
    rho, p, n = stats.spearman(pd.Series(x_missing).astype("Float64"), y_missing)
    assert n == 46 and rho == pytest.approx(expected.statistic) and p == pytest.approx(expected.pvalue)
    ordered = pd.Categorical.from_codes([0, 1, 2, 2, 1, 0, -1], categories=["low", "mid", "high"], ordered=True)
    rho, _, n = stats.spearman(pd.Series(ordered), pd.array([1, 2, 3, 3, 2, 1, 5], dtype="Int64"))
    assert (rho, n) == (pytest.approx(1.0), 6)
    rho, p, n = stats.spearman([1, 1, 1, 1], [1, 2, 3, 4])
    assert math.isnan(rho) and math.isnan(p) and n == 4
    with pytest.raises(TypeError, match="ordered"):
        stats.spearman(pd.Series(pd.Categorical(["a", "b", "c"])), [1, 2, 3])


def test_record_top_names_only_published_items(tmp_path) -> None:
    from poc1540.publish.record import Recorder

    frame = pd.DataFrame({"a": [True] * 3 + [False] * 27, "b": [True] * 12 + [False] * 18, "c": [True] * 20 + [False] * 10}).astype(
        "boolean"
    )
    table = stats.share_table(
        frame, ["a", "b", "c"], population=None, labels={"a": "Alpha", "b": "Beta", "c": "Gamma"}, confidence=0.95, min_cell=5, group_min=0
    )
    fx = Recorder("02_demo", directory=tmp_path, echo=False)
    fx.add_survey_top("demo.top", "demo.top_share", table)
    fx.add_survey_top("demo.last", "demo.last_share", table, from_end=True)
    fx.add_survey_top("demo.third", "demo.third_share", table, rank=2)  # "a" (3 of 30) is suppressed
    got = {k: f.text for k, f in fx.findings.items()}
    assert got["demo.top"] == "Gamma" and got["demo.top_share"] == "67% (20 of 30)"
    assert got["demo.last"] == "Beta" and got["demo.last_share"] == "40% (12 of 30)"
    assert got["demo.third"] == stats.NOTHING_PUBLISHABLE and got["demo.third_share"] == stats.suppressed_text(5)
    assert fx.findings["demo.third_share"].value is None


def test_base_text_hides_a_small_base() -> None:
    assert stats.base_text(58, min_cell=5) == "n = 58" and stats.base_text(5, min_cell=5) == "n = 5"
    assert stats.base_text(3, min_cell=5) == "n below 5" and stats.base_text(3, min_cell=3) == "n = 3"


def test_a_question_not_asked_reads_so_and_publishes_no_number() -> None:
    # answers present in the file are ignored too: the codebook says the edition did not ask it
    frame = pd.DataFrame(
        {"yes": pd.array([True] * 8 + [False] * 7, dtype="boolean"), "no": pd.array([False] * 8 + [True] * 7, dtype="boolean")}
    )
    asked = stats.share_table(frame, ["yes", "no"], population=None, confidence=0.95, min_cell=5, group_min=0)
    assert list(asked["text"]) == ["53% (8 of 15)", "47% (7 of 15)"] and not asked["not_asked"].any()
    table = stats.share_table(frame, ["yes", "no"], population=None, confidence=0.95, min_cell=5, group_min=0, asked=False)
    assert list(table["text"]) == list(table["text_ci"]) == [stats.NOT_ASKED] * 2
    assert table["not_asked"].all() and table["suppressed"].all() and table["count"].isna().all()
    assert table["proportion"].isna().all() and (table["base"] == 0).all()
