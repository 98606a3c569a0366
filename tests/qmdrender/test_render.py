"""qmdrender: .qmd -> PDF (pandoc + Typst) and HTML, without Quarto.

Real pandoc and Typst, no mocks; every document is tiny and lives in tmp_path.
"""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from qmdrender import RenderError, render
from support.pdf import pdf_text, struct_elements

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150">'
    '<rect x="10" y="50" width="60" height="90" fill="#0072B2"/>'
    '<rect x="90" y="20" width="60" height="120" fill="#E69F00"/></svg>\n'
)

MAIN = """\
---
title: "Points of Contact: a *test* report"
subtitle: Renderer check
author:
  - name: Ada Analyst
    affiliations: [Example Institute]
date: "{{< var report.date >}}"
abstract: |
  About {{< var findings.appointed >}} States.
watermark: "Synthetic data"
number-sections: true
notice: |
  **Notice.** Built from synthetic inputs.
---

# Introduction {#sec-intro}

Of 193 States, {{< var findings.appointed >}} appointed a POC ({{< var findings.share >}}),
as @fig-bars shows; counts are in @tbl-counts and the method in @sec-method.
Number only: [-@fig-bars]. Title again: {{< meta subtitle >}}.
Escaped: {{{< var findings.appointed >}}}.

![Appointments by group](../results/figures/bars.svg){#fig-bars fig-alt="Bar chart: two bars, the second taller" width=50%}

{{< include chapters/method.qmd >}}

::: {.callout-warning}
## Mind the data
Callout body mentioning @fig-line.
:::

::: {.callout-note title="Quick note"}
Second callout text.
:::

# Appendix {.unnumbered}

Closing words.
"""

METHOD = """\
# Method {#sec-method}

Included chapter text.

| Group | Count |
|:------|------:|
| Africa | 54 |
| Asia-Pacific | 53 |

: Counts by group {#tbl-counts}

![Trend line](line.png){#fig-line fig-alt="A rising line"}
"""

VARIABLES = """\
report:
  date: "2024-05-01"
findings:
  appointed: 123
  share: "63.7%"
"""


def _png(path: Path, width: int = 24, height: int = 12) -> None:
    """A small RGB gradient PNG, written by hand (deterministic, no dependencies)."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 10 % 256, 120, y * 20 % 256)) for x in range(width)) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def make_project(root: Path) -> Path:
    """report/index.qmd + include + _variables.yml; figures in a sibling results/ folder."""
    report = root / "report"
    (report / "chapters").mkdir(parents=True)
    (root / "results" / "figures").mkdir(parents=True)
    (root / "results" / "figures" / "bars.svg").write_text(SVG)
    # Paths in the included file are relative to the main document, as in Quarto.
    _png(report / "line.png")
    (report / "index.qmd").write_text(MAIN)
    (report / "chapters" / "method.qmd").write_text(METHOD)
    (report / "_variables.yml").write_text(VARIABLES)
    return report / "index.qmd"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    source = make_project(root)
    out = root / "out"
    pdf = render(source, out / "report.pdf", to="pdf", engine="pandoc")
    html = render(source, out / "report.html", to="html", engine="pandoc")
    return {"root": root, "source": source, "pdf": pdf, "html": html}


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_has_variables_include_figure_and_reference(built):
    text = pdf_text(built["pdf"])
    assert "123 appointed a POC (63.7%)" in text
    assert "as Figure 1 shows" in text
    assert "Figure 1: Appointments by group" in text
    assert "Included chapter text." in text  # from the include
    assert "Figure 2: Trend line" in text  # PNG figure
    assert "Number only: 1." in text
    assert "Title again: Renderer check" in text  # {{< meta >}}
    assert "Escaped: {{< var findings.appointed >}}" in text
    assert "?var" not in text and "??" not in text


def test_pdf_table_and_section_references(built):
    text = pdf_text(built["pdf"])
    assert "counts are in Table 1 and the method in Section 2." in text
    assert "Table 1: Counts by group" in text
    assert "1 Introduction" in text and "2 Method" in text
    assert "Appendix" in text and "3 Appendix" not in text  # {.unnumbered}
    # caption above the table
    assert text.index("Table 1: Counts by group") < text.index("Asia-Pacific")


def test_pdf_title_page_watermark_and_callouts(built):
    reader = PdfReader(built["pdf"])
    first = reader.pages[0].extract_text()
    assert "Renderer check" in first and "Ada Analyst" in first and "Example Institute" in first
    assert "May 1, 2024" in first and "About 123 States." in first
    assert "Built from synthetic inputs." in first  # the notice block
    for page in reader.pages:
        assert "SYNTHETIC DATA" in page.extract_text()  # watermark in every header
    text = pdf_text(built["pdf"])
    assert "Mind the data" in text and "Callout body mentioning Figure 2." in text
    assert "Quick note" in text and "Second callout text." in text


def test_pdf_alt_text_in_structure_tree(built):
    figures = [el for el in struct_elements(built["pdf"]) if el["/S"] == "/Figure"]
    alts = sorted(str(el.get("/Alt")) for el in figures)
    assert alts == ["A rising line", "Bar chart: two bars, the second taller"]


def test_pdf_fonts_embedded(built):
    reader = PdfReader(built["pdf"])
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            seen += 1
    assert seen > 0


def test_pdf_dates_and_metadata_come_from_front_matter(built):
    meta = PdfReader(built["pdf"]).metadata
    assert meta["/CreationDate"] == "D:20240501000000Z"
    assert meta.get("/ModDate", "D:20240501000000Z") == "D:20240501000000Z"
    assert meta["/Title"] == "Points of Contact: a test report"
    assert meta["/Author"] == "Ada Analyst"


def test_pdf_is_reproducible(built, tmp_path, monkeypatch):
    """Same input, another directory, another SOURCE_DATE_EPOCH: the same bytes."""
    copy = tmp_path / "copy"
    shutil.copytree(built["root"] / "report", copy / "report")
    shutil.copytree(built["root"] / "results", copy / "results")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = render(copy / "report" / "index.qmd", tmp_path / "again.pdf", engine="pandoc")
    assert again.read_bytes() == built["pdf"].read_bytes()
    html = render(copy / "report" / "index.qmd", tmp_path / "again.html", to="html")
    assert html.read_bytes() == built["html"].read_bytes()


def test_pdf_without_date_has_no_clock_date(tmp_path):
    (tmp_path / "doc.qmd").write_text("---\ntitle: Undated\n---\n\nBody text.\n")
    pdf = render(tmp_path / "doc.qmd", tmp_path / "doc.pdf", engine="pandoc")
    meta = PdfReader(pdf).metadata
    assert "/CreationDate" not in meta and "/ModDate" not in meta


# --- HTML --------------------------------------------------------------------------------


def test_html_is_self_contained_with_references(built):
    html = built["html"].read_text(encoding="utf-8")
    plain = re.sub(r"<[^>]+>", "", html).replace("\u00a0", " ").replace("&nbsp;", " ")
    assert "123 appointed a POC (63.7%)" in plain
    assert "as Figure 1 shows" in plain and "Figure 1: Appointments by group" in plain
    assert "Table 1: Counts by group" in plain and "Section 2" in plain
    assert 'href="#fig-bars"' in html
    assert 'alt="Bar chart: two bars, the second taller"' in html
    assert 'alt="A rising line"' in html
    assert "Second callout text." in html and 'class="callout callout-note"' in html
    # every resource embedded; nothing to fetch
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace("http://www.w3.org/", "")
    assert html.count("data:image/") >= 2 or "<svg" in html


# --- errors ------------------------------------------------------------------------------


def _doc(tmp_path: Path, body: str, variables: str | None = "x: 1\n") -> Path:
    if variables is not None:
        (tmp_path / "_variables.yml").write_text(variables)
    source = tmp_path / "doc.qmd"
    source.write_text(body)
    return source


def test_missing_variable_names_key_file_and_line(tmp_path):
    source = _doc(tmp_path, "# Title\n\nValue: {{< var findings.missing >}}\n")
    with pytest.raises(RenderError) as err:
        render(source, tmp_path / "doc.pdf", engine="pandoc")
    message = str(err.value)
    assert "findings.missing" in message and "doc.qmd:3" in message
    assert not (tmp_path / "doc.pdf").exists()


def test_missing_variable_in_front_matter(tmp_path):
    source = _doc(tmp_path, '---\ntitle: T\ndate: "{{< var report.date >}}"\n---\n\nx\n')
    with pytest.raises(RenderError, match=r"doc\.qmd:3: .*report\.date"):
        render(source, tmp_path / "doc.pdf", engine="pandoc")


def test_unknown_reference_is_an_error(tmp_path):
    source = _doc(tmp_path, "# A\n\nSee @fig-nowhere for details.\n")
    for to in ("pdf", "html"):
        with pytest.raises(RenderError, match=r"doc\.qmd:3: unknown cross-reference @fig-nowhere"):
            render(source, tmp_path / f"doc.{to}", to=to, engine="pandoc")


def test_missing_and_cyclic_includes(tmp_path):
    source = _doc(tmp_path, "Intro\n\n{{< include parts/nothere.qmd >}}\n")
    with pytest.raises(RenderError, match=r"doc\.qmd:3: included file not found"):
        render(source, tmp_path / "doc.pdf", engine="pandoc")
    (tmp_path / "a.qmd").write_text("{{< include b.qmd >}}\n")
    (tmp_path / "b.qmd").write_text("{{< include a.qmd >}}\n")
    source.write_text("{{< include a.qmd >}}\n")
    with pytest.raises(RenderError, match=r"include cycle"):
        render(source, tmp_path / "doc.pdf", engine="pandoc")


def test_failed_render_keeps_previous_output(tmp_path):
    source = _doc(tmp_path, "# A\n\nGood {{< var x >}}.\n")
    out = render(source, tmp_path / "doc.pdf", engine="pandoc")
    before = out.read_bytes()
    source.write_text("# A\n\nBad {{< var y >}}.\n")
    with pytest.raises(RenderError):
        render(source, out, engine="pandoc")
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.glob(".doc.pdf.*")] == []  # no temp file left


def test_typst_errors_keep_file_and_line(tmp_path):
    source = _doc(tmp_path, "# A\n\n```{=typst}\n#no-such-function()\n```\n")
    with pytest.raises(RenderError) as err:
        render(source, tmp_path / "doc.pdf", engine="pandoc")
    message = str(err.value)
    assert "unknown variable: no-such-function" in message
    assert re.search(r"doc\.pdf\.typ:\d+:\d+", message)


def test_clock_dates_are_refused(tmp_path):
    source = _doc(tmp_path, "---\ntitle: T\ndate: today\n---\n\nx\n")
    with pytest.raises(RenderError, match="YYYY-MM-DD"):
        render(source, tmp_path / "doc.pdf", engine="pandoc")


def test_quarto_engine_needs_quarto(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto here
    source = _doc(tmp_path, "x\n")
    with pytest.raises(RenderError, match="no quarto binary"):
        render(source, tmp_path / "doc.pdf", engine="quarto")


def test_a_cross_reference_at_the_start_of_a_line_stays_a_reference(tmp_path):
    fig = tmp_path / "fig.svg"
    fig.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
    qmd = tmp_path / "doc.qmd"
    qmd.write_text(
        '---\ntitle: T\n---\n\n![A square](fig.svg){#fig-sq fig-alt="A black square"}\n\n'
        "The gap between the two\n(@fig-sq) shows it, as @fig-sq does.\n"
    )
    out = render(qmd, tmp_path / "doc.pdf")
    text = pdf_text(out)
    assert "(Figure 1) shows it, as Figure 1 does" in text
