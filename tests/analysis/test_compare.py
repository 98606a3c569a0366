"""Comparative words follow the data: the interval of a difference, a rate, a correlation."""

from __future__ import annotations

import math

from poc1540.analysis import compare, stats


def share(count: int, base: int) -> stats.Share:
    return stats.share(count, base, population=None, confidence=0.95, min_cell=5, group_min=0)


def test_a_difference_whose_interval_spans_zero_is_not_called_higher() -> None:
    # The report's own case: 44% (11 of 25) against 23% (6 of 26), a 21-point gap.
    d = compare.difference(share(11, 25), share(6, 26), confidence=0.95)
    assert d.words == "not clearly different"
    assert d.low < 0 < d.high and round(d.points) == 21
    assert d.text().startswith("+21 points (95% CI ")


def test_a_clear_difference_has_a_direction() -> None:
    assert compare.difference(share(40, 50), share(10, 50), confidence=0.95).words == "higher"
    assert compare.difference(share(10, 50), share(40, 50), confidence=0.95).words == "lower"


def test_suppressed_shares_are_not_compared() -> None:
    d = compare.difference(share(3, 50), share(40, 50), confidence=0.95)
    assert d.words == compare.NOT_COMPARABLE and d.points is None and d.text() == compare.NOT_COMPARABLE


def test_pace_and_correlation_words() -> None:
    assert compare.pace(5.0, 8.0) == "quickened"
    assert compare.pace(8.0, 5.0) == "slowed"
    assert compare.pace(5.0, 5.2) == "kept its pace"
    assert compare.correlation(0.62) == "agrees strongly with"
    assert compare.correlation(0.2) == "agrees only weakly with"
    assert compare.correlation(-0.4) == "runs against"
    assert compare.correlation(math.nan).startswith("cannot be compared")


def _share(count: int, base: int) -> stats.Share:
    return stats.share(count, base, population=None, confidence=0.95, min_cell=5, group_min=0)


def test_two_groups_states_the_difference_only_when_both_shares_are_published() -> None:
    a, b = _share(11, 25), _share(6, 26)
    words = dict(outcome="work as Hubs", verdict="Set against the share without, the share with")
    both = compare.two_groups("those with them", a, "those without", b, gap=compare.difference(a, b, confidence=0.95), **words)
    assert both.startswith("Of those with them, 44% (11 of 25) work as Hubs; of those without, 23% (6 of 26): a difference of +21 points")
    assert both.endswith("the share with is not clearly different")
    hidden = _share(3, 26)
    assert hidden.suppressed
    one = compare.two_groups("those with them", a, "those without", hidden, gap=compare.difference(a, hidden, confidence=0.95), **words)
    assert (
        one == "Of those with them, 44% (11 of 25) work as Hubs; the share among those without is suppressed, so the two cannot be compared"
    )
    assert "difference" not in one and "not comparable" not in one
    flipped = compare.two_groups("those with them", hidden, "those without", a, gap=compare.difference(hidden, a, confidence=0.95), **words)
    assert flipped.startswith("Of those without, 44% (11 of 25) work as Hubs; the share among those with them is suppressed")
    none = compare.two_groups(
        "those with them", hidden, "those without", hidden, gap=compare.difference(hidden, hidden, confidence=0.95), **words
    )
    assert none == "The shares of those with them and of those without who work as Hubs are suppressed, so they cannot be compared"
