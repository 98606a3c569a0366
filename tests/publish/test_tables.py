"""Published tables as Markdown: which columns are numbers (right-aligned), the stub, the fitted widths."""

from __future__ import annotations

import pandas as pd
import pytest

from poc1540.analysis import stats
from poc1540.publish import tables

S = stats.SUPPRESSED


def delimiter(md: str) -> list[str]:
    """The cells of the pipe table's delimiter row (the line after the header)."""
    lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    return lines[1].strip("|").split("|")


def aligns(md: str) -> list[str]:
    return ["right" if d.endswith(":") and not d.startswith(":") else "left" if d.startswith(":") else "default" for d in delimiter(md)]


def counts_table() -> pd.DataFrame:
    """Counts by group with a suppressed cell and a Total row and column, as the notebooks publish them."""
    frame = pd.DataFrame(
        {"Answered": [12, S, 60], "Did not answer": [16, 9, 63], stats.TOTAL: [28, S, 123]},
        index=pd.Index(["African Group", "Asia-Pacific Group", stats.TOTAL], name="Regional group"),
    )
    return frame


def test_counts_with_suppressed_cells_are_right_aligned_and_the_stub_left() -> None:
    table = counts_table()
    assert not pd.api.types.is_numeric_dtype(table["Answered"])  # the "s" makes it object: dtype alone says text
    assert aligns(tables.to_markdown(table)) == ["left", "right", "right", "right"]


@pytest.mark.parametrize(
    "cells",
    [
        ["41% (27 of 66)", "33% (7 of 21)", S],
        ["29% (17 of 58; 95% CI 22% to 38%)", "9% (5 of 58; 95% CI 5% to 15%)"],
        ["1,234", "-3.5", "0"],
        [S, S],
    ],
)
def test_shares_counts_and_suppressed_columns_are_number_columns(cells: list[str]) -> None:
    assert tables.is_number_column(cells)


@pytest.mark.parametrize(
    "cells",
    [
        ["1 to 2 years", "3 to 5 years"],  # labels that start with a number
        ["Yes", "12"],
        ["", None],
        ["s and more"],
    ],
)
def test_labels_are_not_number_columns(cells: list[object]) -> None:
    assert not tables.is_number_column(cells)


def test_text_columns_are_left_aligned_and_a_numeric_index_is_still_the_stub() -> None:
    table = pd.DataFrame({"Label": ["a", "b"], "Count": [3, 4]}, index=pd.Index([2019, 2020], name="Year"))
    assert aligns(tables.to_markdown(table)) == ["left", "left", "right"]
    assert aligns(tables.to_markdown(table, index=False)) == ["left", "right"]


def test_an_unnamed_index_has_an_empty_header() -> None:
    md = tables.to_markdown(pd.DataFrame({"n": [5]}, index=["x"]))
    assert md.splitlines()[0] == "|  | n |"


def test_a_table_that_fits_pandoc_line_keeps_natural_widths() -> None:
    md = tables.to_markdown(counts_table())
    assert all(len(line) <= tables.PANDOC_COLUMNS for line in md.splitlines())  # pandoc: auto widths


def challenges_table() -> pd.DataFrame:
    labels = ["Turnover and loss of institutional memory", "Too little staff or time", "Language barriers"]
    cells = [
        ["40% (12 of 30)", S, S, "46% (12 of 26)"],
        ["72% (21 of 29)", "44% (8 of 18)", "57% (12 of 21)", "54% (14 of 26)"],
        ["20% (5 of 25)", S, S, "22% (5 of 23)"],
    ]
    columns = ["Post Office", "Hub", "Written mandate", "No written mandate"]
    return pd.DataFrame(cells, index=pd.Index(labels, name="Serious or major challenge"), columns=columns)


def test_a_wide_table_gets_widths_that_hold_its_longest_label_and_widest_number() -> None:
    md = tables.to_markdown(challenges_table())
    widths = [len(d) for d in delimiter(md)]
    assert sum(widths) <= tables.LINE_CHARS
    assert widths[0] >= len("Turnover and loss of institutional memory") + 1
    assert all(w >= len("72% (21 of 29)") + 1 for w in widths[1:])
    assert aligns(md) == ["left", "right", "right", "right", "right"]


def test_when_a_line_cannot_hold_all_the_labels_wrap_and_the_numbers_do_not() -> None:
    table = challenges_table()
    table.index = pd.Index([label + " and a good deal more besides" for label in table.index], name=table.index.name)
    widths = [len(d) for d in delimiter(tables.to_markdown(table))]
    assert widths[0] < len(table.index[0])  # the label column gives way ...
    assert all(w >= len("72% (21 of 29)") + 1 for w in widths[1:])  # ... the numbers keep their width
    assert sum(widths) <= tables.LINE_CHARS


def test_pipes_in_cells_are_escaped() -> None:
    md = tables.to_markdown(pd.DataFrame({"Text": ["a|b"]}, index=pd.Index(["x"], name="k")))
    assert "a\\|b" in md
