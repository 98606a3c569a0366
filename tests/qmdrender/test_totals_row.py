"""qmdrender: a table's totals row is ruled off (PDF: a top stroke on its cells; HTML: class "total")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qmdrender import render

DOC = """\
# Tables

| Group | Count |
|:------|------:|
| Africa | 54 |
| Asia-Pacific | 53 |
| Total | 107 |

: Counts with a total {#tbl-counts}

| Group | Count |
|:------|------:|
| Total | 107 |
| Africa | 54 |

: The total first: the header's rule is above it already {#tbl-first}

| Group | Count |
|:------|------:|
| Totals and more | 3 |
| Subtotal | 4 |
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("totals")
    (folder / "doc.qmd").write_text(DOC, encoding="utf-8")
    render(folder / "doc.qmd", folder / "doc.pdf", to="pdf", build_dir=folder / "build")
    render(folder / "doc.qmd", folder / "doc.html", to="html", build_dir=folder / "build")
    return folder


def ruled(typ: str) -> list[str]:
    """The first cells of the rows whose cells carry the totals rule, in the Typst the renderer wrote."""
    return re.findall(r"table\.cell\(stroke: \(top: poc-table-rule\)\)\[([^\]]*)\]", typ)


def test_the_total_row_gets_a_rule_above_it_in_the_typst_source(built: Path) -> None:
    typ = (built / "build" / "doc.pdf.typ").read_text(encoding="utf-8")
    assert ruled(typ) == ["Total", "107"]  # the one Total row that follows other rows, every cell of it
    assert "#let poc-table-rule" in typ  # the stroke the template defines


def test_the_total_row_is_marked_in_html(built: Path) -> None:
    html = (built / "doc.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="total">\s*<td[^>]*>([^<]*)</td>', html)
    assert rows == ["Total"]
