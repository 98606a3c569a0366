"""Reshaping survey answers for analysis: one indicator column per answer option."""

from __future__ import annotations

import pandas as pd


def option_indicators(answers: pd.Series, codes: list[str]) -> pd.DataFrame:
    """One nullable-boolean column per option code: True where chosen, NA where not answered."""
    out = pd.DataFrame(index=answers.index)
    answered = answers.notna()
    for code in codes:
        out[code] = (answers.astype(object) == code).astype("boolean").where(answered, pd.NA)
    return out


def any_of(frame: pd.DataFrame, items: list[str]) -> pd.Series:
    """True where any item is ticked; NA where the question was skipped (all items missing)."""
    block = frame[items]
    skipped = block.isna().all(axis=1)
    return block.fillna(False).astype(bool).any(axis=1).astype("boolean").where(~skipped, pd.NA)


def collapse_likert(values: pd.Series, bands: dict[int, list[int]]) -> pd.Series:
    """Map Likert scores onto bands, e.g. {1: [1, 2], 2: [3], 3: [4, 5]}; NA stays NA."""
    lookup = {score: band for band, scores in bands.items() for score in scores}
    return values.map(lookup, na_action="ignore").astype("Int64")
