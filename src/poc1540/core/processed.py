"""The tidy tables in ``data/processed/``: written by the prepare stage, read by every chapter.

The respondent table is respondent-level and confidential: it never leaves ``data/processed/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from poc1540.core import atomic, paths


def write_tables(tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write each table to ``data/processed/<name>.parquet`` atomically, without the index."""
    written = []
    for name, df in tables.items():
        with atomic.atomic_path(paths.processed_table(name)) as tmp:
            df.to_parquet(tmp, index=False)
        written.append(paths.processed_table(name))
    return written


def read_table(name: str) -> pd.DataFrame:
    """Read a table written by the prepare stage (``states`` or ``respondents``)."""
    return pd.read_parquet(paths.processed_table(name))
