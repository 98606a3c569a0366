"""Text normalisation shared by the importers, the country resolver and the guard.

Exports, listings and PDFs spell the same text with typographic quotes, dashes and special
spaces; comparing them needs one table, not one per module.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans(
    {
        "\u2018": "'",  # left single quote
        "\u2019": "'",  # right single quote, apostrophe
        "\u02bc": "'",  # modifier letter apostrophe
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space (Typst puts it before %)
        "\u00ad": None,  # soft hyphen
    }
)


def fold_typography(text: str) -> str:
    """Typographic quotes, dashes and spaces to their ASCII forms; soft hyphens removed."""
    return text.translate(_FOLD)


def collapse_space(text: str) -> str:
    """Runs of whitespace to one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """A whole number from 0 to 99 in words, as English prose writes it ('six', 'twenty-one'); larger ones as digits."""
    if n < 0 or n > 99:
        return f"{n:,}"
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens - 2] + ("" if ones == 0 else f"-{_ONES[ones]}")


def counted(n: int, unit: str) -> str:
    """'six years', 'a year', 'eighteen months': a count of a unit in words (the unit's plural adds an s)."""
    return f"a {unit}" if n == 1 else f"{number_words(n)} {unit}s"
