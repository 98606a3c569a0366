"""Notebook pages for reviewers: chapter title, no remote resource, the notice, the figures, a link back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from poc1540.core import paths
from poc1540.review import notebook_html

STAMP = "Illustrative edition: built from invented answers; not the study's results."
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><desc>demo</desc></svg>\n'


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """One executed chapter notebook that saved a figure in its second code cell."""
    folder = tmp_path / "results" / "05_demo"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Support received\n\nLead."),
            nbformat.v4.new_code_cell("x = 1", execution_count=1),
            nbformat.v4.new_code_cell("figures.save(fig, 'demo_fig', alt, fx)", execution_count=2),
            nbformat.v4.new_code_cell("fx.save()", execution_count=3),
        ]
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nbformat.write(nb, folder / "05_demo.ipynb")
    (folder / "demo_fig.svg").write_text(SVG)
    figures = {"demo_fig": {"file": "results/05_demo/demo_fig.svg", "alt": "A demo chart.", "cell": 2}}
    (folder / "findings.json").write_text(json.dumps({"notebook": "05_demo", "findings": [], "figures": figures, "tables": {}}))
    return tmp_path / "results"


def test_a_page_has_its_chapter_title_the_notice_the_figure_and_a_link_back(results: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    [page] = notebook_html.export_all(results, pages, stamp=STAMP)
    text = page.read_text()
    assert re.search(r"<title>Support received[^<]*</title>", text)
    assert text.index("poc1540-notice") < text.index("Lead.")
    assert "Illustrative edition: built from invented answers; not the study&#x27;s results." in text
    assert f'href="{notebook_html.REPORT_LINK}"' in text
    # the figure comes after the cell that saved it and before the next one, and its file is copied beside the page
    img = re.search(r'<img[^>]*src="05_demo/demo_fig.svg"[^>]*>', text)
    assert img and 'alt="A demo chart."' in img.group(0)
    assert text.index('id="cell-id=c2"') < img.start() < text.index('id="cell-id=c3"')
    assert (pages / "05_demo" / "demo_fig.svg").read_text() == SVG


def test_a_page_fetches_nothing_from_the_web_and_links_one_style_sheet(results: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    [page] = notebook_html.export_all(results, pages, stamp=STAMP)
    text = page.read_text()
    assert not re.search(r"<script[^>]+src=", text), "no script is loaded"
    assert not re.search(r"""<link[^>]+href=["']?(https?:)?//""", text), "no remote style sheet"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text.replace(f'href="{notebook_html.REPORT_LINK}"', ""))
    assert re.search(r"<link[^>]+notebook\.css", text) and (pages / notebook_html.STYLESHEET).stat().st_size > 10_000
    assert len(text) < 100_000, "the style sheet is linked, not inlined"


def test_no_notice_when_every_input_is_real(results: Path, tmp_path: Path) -> None:
    [page] = notebook_html.export_all(results, tmp_path / "pages", stamp="")
    assert "poc1540-notice" not in page.read_text().split("</head>")[1]


def test_a_page_is_made_again_when_its_figure_or_the_notice_changes(results: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    assert notebook_html.export_all(results, pages, stamp=STAMP)
    assert notebook_html.export_all(results, pages, stamp=STAMP) == []
    (results / "05_demo" / "demo_fig.svg").write_text(SVG.replace("demo", "changed"))
    assert notebook_html.export_all(results, pages, stamp=STAMP)
    assert "changed" in (pages / "05_demo" / "demo_fig.svg").read_text()
    assert notebook_html.export_all(results, pages, stamp="")


def test_committed_pages_carry_the_manifest_notice_and_no_remote_resource() -> None:
    from poc1540.core import notice, paths

    stamp = notice.one_line()
    for page in sorted((paths.REPORT_OUTPUT / "notebooks").glob("*.html")):
        text = page.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), page.name
        assert ("poc1540-notice" in text) == bool(stamp), page.name
        for src in re.findall(r'<img[^>]*src="([^"]+)"', text):
            assert (page.parent / src).is_file(), f"{page.name} shows {src}, which is not published beside it"


def test_a_page_links_back_to_its_chapters_section(results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(notebook_html.SECTIONS, "05_demo", "sec-support")
    [page] = notebook_html.export_all(results, tmp_path / "pages", stamp=STAMP)
    assert '<a href="../poc1540-report.html#sec-support">Back to the report</a>' in page.read_text()


def test_every_notebook_links_back_to_a_section_the_report_has() -> None:
    headings = set(
        re.findall(r"^#+ [^{\n]*\{#(sec-[\w-]+)", "\n".join(p.read_text() for p in (paths.REPORT / "chapters").glob("*.qmd")), re.M)
    )
    notebooks = sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb"))
    assert sorted(notebook_html.SECTIONS) == notebooks, "each notebook names its chapter's section"
    assert set(notebook_html.SECTIONS.values()) <= headings, "each is a heading's id in report/chapters/"
