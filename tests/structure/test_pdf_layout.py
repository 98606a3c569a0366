"""The committed report as a reader sees it: no text over text, none off the text area, no half-empty
pages, and every findings-register link opening the cell that prints its key.

Each check also runs on small documents rendered here with the project's renderer: one laid
out as the report's template should lay it out (a long captioned table among them, which must
break across pages), and one built broken (text placed over text, text in the margin, a page
left empty, a table too tall for its page held in one block), so every check is seen to fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from poc1540.core import paths
from qmdrender import TYPST_TEMPLATE, render
from support import layout
from support.register_links import broken_links, cell_output

MARGINS = layout.template_margins(TYPST_TEMPLATE)


def faults(pdf: Path) -> dict[str, list[str]]:
    """Every layout check's findings for one PDF."""
    lines = layout.text_lines(pdf)
    return {
        "overlaps": layout.overlaps(lines),
        "outside": layout.outside_text_area(lines, layout.page_sizes(pdf), MARGINS),
        "blank": layout.blank_pages(pdf, MARGINS),
    }


@pytest.fixture(scope="module")
def report_faults() -> dict[str, list[str]]:
    return faults(paths.REPORT_PDF)


@pytest.mark.parametrize("check", ["overlaps", "outside", "blank"])
def test_the_report_pdf_is_laid_out_cleanly(report_faults: dict[str, list[str]], check: str) -> None:
    assert report_faults[check] == []


def _long_table(rows: int) -> str:
    """A register-like table: long monospaced keys that cannot wrap, text that can."""
    lines = [
        "| Key | Value | Where used | Computed in |",
        "|:---------------------------------------|:-----------------|:-----------------|:----------------------|",
    ]
    for i in range(rows):
        lines.append(
            f"| `chapter.a_rather_long_key_name_{i:03d}` | {i}% ({i} of 400) | Key findings; §2.{i % 5} | 0{i % 9}_notebook.ipynb, In \\[{i}\\] |"
        )
    return "\n".join(lines) + "\n\n: A table longer than a page {#tbl-long}\n"


@pytest.fixture(scope="module")
def sound_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sound")
    source = folder / "doc.qmd"
    prose = " ".join(["The register below lists every finding of the report with its source."] * 12)
    source.write_text(f"# A chapter\n\n{prose}\n\nSee @tbl-long.\n\n{_long_table(120)}\n# Another chapter\n\n{prose}\n", encoding="utf-8")
    return render(source, folder / "doc.pdf", to="pdf", build_dir=folder / "build")


@pytest.fixture(scope="module")
def broken_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken")
    source = folder / "doc.qmd"
    rows = ", ".join(f"[row {i}], [value {i}]" for i in range(90))
    typst = "\n".join(
        [
            "```{=typst}",
            "#place(top + left)[Two texts printed at one spot]",  # page 1: text over text
            "#place(top + left)[Another text in the same place]",
            "#pagebreak()",
            "#place(top + left, dx: -2cm, dy: 3cm)[A line that starts in the left margin]",  # page 2
            "#lorem(600)",
            "#pagebreak()",
            "#lorem(40)",  # page 3: a few lines, then a break that leaves the page empty
            "#pagebreak()",
            "#lorem(600)",  # page 4: a full page (no chapter starts on it)
            "#pagebreak()",
            f"#block(breakable: false, table(columns: 2, {rows}))",  # page 5: runs off the foot
            "```",
        ]
    )
    source.write_text(f"# Broken\n\n{typst}\n", encoding="utf-8")
    return render(source, folder / "doc.pdf", to="pdf", build_dir=folder / "build")


def test_a_long_table_breaks_across_pages_with_its_header_repeated(sound_pdf: Path) -> None:
    assert faults(sound_pdf) == {"overlaps": [], "outside": [], "blank": []}
    lines = layout.text_lines(sound_pdf)
    pages = {ln.page for ln in lines if ln.text.startswith("chapter.a_rather_long_key_name_")}
    assert len(pages) > 1, "the table must run over more than one page"
    for page in pages:
        assert any(ln.page == page and ln.text.startswith("Key") for ln in lines), f"page {page} repeats no header row"


def test_the_checks_find_text_over_text(broken_pdf: Path) -> None:
    found = faults(broken_pdf)["overlaps"]
    assert any(f.startswith("page 1:") and "one spot" in f for f in found), found
    assert any(f.startswith("page 5:") for f in found), "the rows printed at the foot of the page"


def test_the_checks_find_text_outside_the_text_area(broken_pdf: Path) -> None:
    found = faults(broken_pdf)["outside"]
    assert any(f.startswith("page 2:") and "left margin" in f for f in found), found
    assert any(f.startswith("page 5:") for f in found), "the rows that ran off the foot of the page"


def test_the_checks_find_a_page_left_empty(broken_pdf: Path) -> None:
    found = faults(broken_pdf)["blank"]
    assert any(f.startswith("page 3:") for f in found), found
    assert not any(f.startswith("page 4:") for f in found), "a full page is not blank"


def test_every_register_link_opens_the_cell_that_prints_its_key() -> None:
    links, broken = broken_links(paths.REPORT_HTML)
    assert links > 0, "the HTML report's register links no notebook cell"
    assert broken == []


def test_the_link_check_sees_a_cell_that_does_not_print_the_key(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    cell = (
        '<div class="jp-Cell" id="cell-id={id}"><pre>fx.add("demo.{key}", 1)</pre><div class="jp-OutputArea"><pre>{out}</pre></div></div>'
    )
    page = cell.format(id="a", key="one", out="") + cell.format(id="b", key="two", out="demo.one = 1")
    (tmp_path / "notebooks" / "nb.html").write_text(page, encoding="utf-8")
    assert cell_output(page, "cell-id=b") == "demo.one = 1" and cell_output(page, "cell-id=c") is None
    row = '<tr><td><code>demo.one</code></td><td><a href="notebooks/nb.html#cell-id={id}">nb</a></td></tr>'
    report = tmp_path / "report.html"
    # The key appears in cell a's source, but only cell b's output prints it.
    report.write_text(f'<table id="tbl-findings-register">{row.format(id="a")}{row.format(id="b")}{row.format(id="c")}</table>')
    links, broken = broken_links(report)
    assert links == 3
    assert [b.split(":")[0] for b in broken] == ["demo.one", "demo.one"]
    assert "cell-id=a" in broken[0] and "no cell cell-id=c" in broken[1]
