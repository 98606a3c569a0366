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
