"""Published tables: Markdown for the report, CSV for reviewers, both from one frame.

Only aggregated, suppressed tables go through here; the report pulls the Markdown in with
``{{< include >}}`` and gives it a caption.
"""

from __future__ import annotations

import pandas as pd

from poc1540.core import atomic
from poc1540.publish.record import Recorder


def to_markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A pipe table; numbers right-aligned, text left-aligned."""
    frame = table.reset_index() if index else table
    frame = frame.astype(object).where(frame.notna(), "")
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    align = (
        "|"
        + "|".join("--:" if pd.api.types.is_numeric_dtype(table.reset_index()[c] if index else table[c]) else ":--" for c in frame.columns)
        + "|"
    )
    rows = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, align, *rows]) + "\n"


def stamp_line(stamp: str) -> str:
    """The notice as a paragraph to put above a Markdown table ("" without a stamp)."""
    return f"*{stamp}*\n\n" if stamp else ""


def save(table: pd.DataFrame, name: str, recorder: Recorder, *, index: bool = True) -> None:
    """Write ``results/<notebook>/<name>.md`` and ``.csv`` and register the table.

    Returns nothing: a notebook cell ending in a save must not display a machine-specific path.

    While any input is not real, the Markdown starts with the one-line notice as an italic
    paragraph, which the reader sees above the table wherever the report includes it (the
    caption follows the table, so it stays attached). The CSV is left valid: its notice is the
    ``NOTICE.txt`` beside it (see :meth:`Recorder.save`).
    """
    target = recorder.directory / f"{name}.md"
    atomic.write_text(target, stamp_line(recorder.stamp) + to_markdown(table, index=index))
    with atomic.atomic_path(target.with_suffix(".csv")) as tmp:
        table.to_csv(tmp, index=index, lineterminator="\n")
    recorder.add_table(name, target)
