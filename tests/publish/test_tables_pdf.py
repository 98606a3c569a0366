"""Published tables as the reader sees them in the PDF: numbers right-aligned, labels on one line, totals ruled off.

Tables made by :func:`poc1540.publish.tables.to_markdown` are rendered with the report's renderer
and read back from the PDF's character boxes and strokes (``tests/support/layout.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from poc1540.analysis import stats
from poc1540.publish import tables
from qmdrender import render
from support import layout

S = stats.SUPPRESSED
ALIGNED = 0.8  # points: right edges of one column's cells
LONG_LABEL = "Turnover and loss of institutional memory"


def counts() -> pd.DataFrame:
    """Counts with a suppressed cell and a Total row; widths vary so left alignment shows."""
    return pd.DataFrame(
        {"Answered": [7, S, 1234], "Did not answer": [140, 9, 63], stats.TOTAL: [147, S, 1297]},
        index=pd.Index(["African Group", "Latin American and Caribbean Group", stats.TOTAL], name="Regional group"),
    )


def shares() -> pd.DataFrame:
    """A table wider than pandoc's line: long labels and four share columns (the report's challenges table)."""
    labels = [LONG_LABEL, "Too little staff or time", "Limited access to technical expertise", "Language barriers"]
    cells = [
        ["40% (12 of 30)", S, S, "46% (12 of 26)"],
        ["72% (21 of 29)", "44% (8 of 18)", "57% (12 of 21)", "54% (14 of 26)"],
        ["54% (15 of 28)", S, "26% (5 of 19)", "41% (11 of 27)"],
        ["20% (5 of 25)", S, S, "2% (1 of 50)"],
    ]
    columns = ["Post Office", "Hub", "Written mandate", "No written mandate"]
    return pd.DataFrame(cells, index=pd.Index(labels, name="Serious or major challenge"), columns=columns)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    source = folder / "doc.qmd"
    source.write_text(
        f"# Tables\n\n{tables.to_markdown(counts())}\n: Counts. {{#tbl-counts}}\n\n"
        f"{tables.to_markdown(shares())}\n: Shares. {{#tbl-shares}}\n",
        encoding="utf-8",
    )
    return render(source, folder / "doc.pdf", to="pdf", build_dir=folder / "build")


def same_line(a: layout.Line, b: layout.Line) -> bool:
    """Two words of one printed line: on one page, sharing most of the shorter one's height."""
    shared = min(a.top, b.top) - max(a.bottom, b.bottom)
    return a.page == b.page and shared > 0.5 * min(a.top - a.bottom, b.top - b.bottom)


def row_of(words: list[layout.Line], label: str) -> list[layout.Line]:
    """The words of the (first) printed line that starts with ``label``, left to right."""
    for first in (w for w in words if w.text == label.split()[0]):
        row = sorted((w for w in words if same_line(w, first)), key=lambda w: w.left)
        if row[0] is first and " ".join(w.text for w in row).startswith(label):
            return row
    raise AssertionError(f"no line starts with {label!r}")


def cells(words: list[layout.Line], label: str, count: int) -> list[layout.Line]:
    """The last ``count`` cells of a row (a cell's words joined), rightmost last."""
    row = row_of(words, label)
    merged: list[layout.Line] = []
    for w in row:
        if merged and w.left - merged[-1].right < 5.0:  # a space inside a cell, not the gap between columns
            m = merged[-1]
            merged[-1] = layout.Line(m.page, m.left, min(m.bottom, w.bottom), w.right, max(m.top, w.top), m.text + " " + w.text)
        else:
            merged.append(w)
    return merged[-count:]


def test_count_columns_are_right_aligned_with_suppressed_cells(pdf: Path) -> None:
    words = layout.words(pdf)
    rows = [cells(words, label, 3) for label in ("African Group", "Latin American and Caribbean Group", "Total")]
    assert [c.text for c in rows[0]] == ["7", "140", "147"] and [c.text for c in rows[1]] == [S, "9", S]
    for column in range(3):
        rights = [row[column].right for row in rows]
        lefts = [row[column].left for row in rows]
        assert max(rights) - min(rights) <= ALIGNED, (column, rights)
        assert max(lefts) - min(lefts) > 3 * ALIGNED  # cells of different widths: left edges differ


def test_share_columns_are_right_aligned_and_the_labels_left(pdf: Path) -> None:
    words = layout.words(pdf)
    labels = [LONG_LABEL, "Too little staff or time", "Language barriers"]
    rows = [cells(words, label, 4) for label in labels]
    assert rows[1][0].text == "72% (21 of 29)"
    for column in range(4):
        rights = [row[column].right for row in rows]
        assert max(rights) - min(rights) <= ALIGNED, (column, rights)
    stubs = [row_of(words, label)[0].left for label in labels]
    assert max(stubs) - min(stubs) <= ALIGNED


def test_the_label_column_does_not_wrap(pdf: Path) -> None:
    words = layout.words(pdf)
    row = row_of(words, LONG_LABEL)  # the whole label on the row's baseline ...
    assert " ".join(w.text for w in row).startswith(LONG_LABEL)
    assert not [ln for ln in layout.text_lines(pdf) if ln.text.startswith("memory")]  # ... and no second line of it


def test_a_rule_precedes_the_total_row_and_no_other_body_row(pdf: Path) -> None:
    words = layout.words(pdf)
    total = row_of(words, "Total")[0]
    above = row_of(words, "Latin American and Caribbean Group")[0]
    first = row_of(words, "African Group")[0]
    rules = [r for r in layout.horizontal_rules(pdf) if r.page == total.page and r.left <= total.left <= r.right]
    assert [r for r in rules if total.top < r.bottom < above.bottom], "no rule between the last row and the Total row"
    assert not [r for r in rules if above.top < r.bottom < first.bottom], "a rule between two ordinary rows"
