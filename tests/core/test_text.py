"""Numbers in words, as the prose computes them ("six years earlier")."""

from __future__ import annotations

import pytest

from poc1540.core.text import counted, number_words


@pytest.mark.parametrize(
    ("n", "words"), [(0, "zero"), (6, "six"), (13, "thirteen"), (20, "twenty"), (21, "twenty-one"), (99, "ninety-nine")]
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_large_numbers_stay_digits_and_units_agree() -> None:
    assert number_words(1540) == "1,540"
    assert counted(1, "year") == "a year" and counted(6, "year") == "six years"
