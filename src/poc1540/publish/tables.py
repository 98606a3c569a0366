"""Published tables: Markdown for the report, CSV for reviewers, both from one frame.

Only aggregated, suppressed tables go through here; the report pulls the Markdown in with
``{{< include >}}`` and gives it a caption.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from poc1540.analysis import stats
from poc1540.core import atomic
from poc1540.publish.record import Recorder

# A cell of a number column: a count or a share, optionally with what it is made of, e.g. "12",
# "1,234", "41%", "41% (27 of 66)", "29% (17 of 58; 95% CI 22% to 38%)", "-3.5". Labels that
# merely start with a number ("1 to 2 years") are not numbers.
QUANTITY = re.compile(r"[-\u2212+]?\d[\d,]*(?:\.\d+)?%?(?: \(.*\))?")

# Column widths. Pandoc gives a pipe table its natural (auto) column widths while every line of
# it fits pandoc's line (PANDOC_COLUMNS characters); a longer table is set to the full text
# width, its columns sized in proportion to the dashes of the delimiter row. Those dashes are
# fitted here: a number column as wide as its widest cell (numbers never wrap), the label
# columns as wide as their longest label, shrunk together only when the line cannot hold all;
# a header wraps at its spaces. A4 text width (453pt) holds about 120 characters of the
# tables' 9.5pt serif (3.7pt a character, digits included, measured on the report's tables);
# LINE_CHARS leaves a little slack. (The findings register, with its monospaced keys, counts
# fewer: see poc1540.findings.register.)
PANDOC_COLUMNS = 72
LINE_CHARS = 116
CELL_PAD = 3  # a cell's inset, in characters
MIN_LABEL = 12  # a label column is never squeezed below this many characters


def is_number_column(values: Sequence[object]) -> bool:
    """True for a column of counts or shares: every cell a number, a share or the suppression mark.

    Suppressed cells hold :data:`poc1540.analysis.stats.SUPPRESSED` ("s"), which makes the
    column's dtype ``object``, so the column is judged by what its cells say, not by its dtype.
    A column of blanks only is not a number column; one of suppression marks only is.
    """
    cells = [str(v).strip() for v in values if not _blank(v)]
    return bool(cells) and all(c == stats.SUPPRESSED or QUANTITY.fullmatch(c) for c in cells)


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or str(value).strip() == ""


def _cell(value: object) -> str:
    return "" if _blank(value) else str(value)


def _widths(header: list[str], rows: list[list[str]], numbers: list[bool]) -> list[int]:
    """Characters per column for the delimiter row (see LINE_CHARS)."""
    need = []
    for j, name in enumerate(header):
        words = [len(w) for w in name.split()] or [0]
        need.append(max([len(r[j]) for r in rows] + words) + CELL_PAD)
    fixed = sum(n for n, num in zip(need, numbers, strict=True) if num)
    flexible = sum(n for n, num in zip(need, numbers, strict=True) if not num)
    room = LINE_CHARS - fixed
    if fixed + flexible <= LINE_CHARS or not flexible or room < MIN_LABEL:
        return need
    return [n if num else max(MIN_LABEL, n * room // flexible) for n, num in zip(need, numbers, strict=True)]


def to_markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A pipe table: number columns right-aligned, text left-aligned, widths fitted to the cells.

    With ``index``, the index levels are the table's stub (its row labels), always left-aligned;
    an unnamed index level has an empty header. Any other column is right-aligned when
    :func:`is_number_column` says it holds counts or shares (suppressed cells included), left
    otherwise. A table too wide for pandoc's line gets the column widths of :func:`_widths`.
    """
    stub = [_cell(n) for n in table.index.names] if index else []
    header = stub + [str(c) for c in table.columns]
    rows = []
    for label, values in zip(table.index, table.itertuples(index=False), strict=True):
        labels = (label if isinstance(label, tuple) else (label,)) if index else ()
        rows.append([_cell(v) for v in (*labels, *values)])
    numbers = [False] * len(stub) + [is_number_column(list(table.iloc[:, j])) for j in range(table.shape[1])]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    body = [line(header), *(line(r) for r in rows)]
    if max(len(b) for b in body) <= PANDOC_COLUMNS:
        widths = [3] * len(header)  # pandoc's natural widths: keep the delimiter row short too
    else:
        widths = _widths(header, rows, numbers)
    delimiter = "|" + "|".join("-" * (w - 1) + ":" if num else ":" + "-" * (w - 1) for w, num in zip(widths, numbers, strict=True)) + "|"
    return "\n".join([body[0], delimiter, *body[1:]]) + "\n"


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
