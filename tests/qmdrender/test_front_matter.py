"""qmdrender front matter: contents and lists, page labels, the title page, accessibility.

Real pandoc and Typst on small documents in tmp_path, as in test_render.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from qmdrender import RenderError, render
from support.pdf import pdf_text, struct_elements

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n'

DOC = """\
---
title: "Contact points: a *front matter* check"
subtitle: Cover and contents
author: [Ada Analyst, Ben Builder]
institution: Example Institute
edition: Second edition
date: "2024-05-01"
data-as-of: "{{< var listing.snapshot >}}"
suggested-citation: "Analyst, A. and Builder, B. *Contact points*. Example Institute."
license: {text: CC BY 4.0, url: "https://creativecommons.org/licenses/by/4.0/"}
contact: "desk@example.org"
notice-file: notice.md
number-sections: true
toc: true
toc-title: Contents of this check
lof: true
lot: true
crossref:
  lot-title: Tables in this check
pdf-standard: ua-1
---

# Opening chapter {#sec-opening}

Text with an equation $n (N - 1) / (N - n)$ in it.

![A black bar](bar.svg){#fig-bar fig-alt="A black bar, wider than tall"}

## A subsection {#sec-sub}

| Group | States |
|:--|--:|
| African | 54 |

: States by group {#tbl-groups}

### Deep heading {#sec-deep}

{{< pagebreak >}}

# Closing chapter {#sec-closing}

Last words.
"""

NOTICE = """\
::: {.callout-important title="Not real data"}
Built from synthetic inputs.
:::
"""


def make_doc(root: Path, text: str = DOC) -> Path:
    (root / "bar.svg").write_text(SVG)
    (root / "notice.md").write_text(NOTICE)
    (root / "_variables.yml").write_text('listing:\n  snapshot: "31 August 2020"\n')
    source = root / "doc.qmd"
    source.write_text(text)
    return source


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("front")
    source = make_doc(root)
    return {
        "source": source,
        "pdf": render(source, root / "doc.pdf", to="pdf"),
        "html": render(source, root / "doc.html", to="html"),
    }


def _page_of(reader: PdfReader, phrase: str, after: int = 0) -> int:
    """The index of the first page from `after` whose text holds `phrase`."""
    for index in range(after, len(reader.pages)):
        if phrase in re.sub(r"\s+", " ", reader.pages[index].extract_text()):
            return index
    raise AssertionError(f"{phrase!r} on no page")


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_contents_and_lists_follow_the_title_page(built):
    reader = PdfReader(built["pdf"])
    contents = _page_of(reader, "Contents of this check")
    assert contents > 0  # not on the title page
    text = re.sub(r"\s+", " ", reader.pages[contents].extract_text())
    assert "1 Opening chapter" in text and "1.1 A subsection" in text and "2 Closing chapter" in text
    # toc-depth defaults to 3, as in Quarto; level 3 is "1.1.a", Quarto's Typst section-numbering
    assert "1.1.a Deep heading" in text
    assert "List of Figures" in text and "A black bar" in text  # lof's default title
    assert "Tables in this check" in text and "States by group" in text  # crossref.lot-title


def test_pdf_toc_depth_limits_the_contents(tmp_path):
    source = make_doc(tmp_path, DOC.replace("toc: true", "toc: true\ntoc-depth: 1"))
    reader = PdfReader(render(source, tmp_path / "doc.pdf"))
    text = re.sub(r"\s+", " ", reader.pages[_page_of(reader, "Contents of this check")].extract_text())
    assert "1 Opening chapter" in text and "A subsection" not in text


def test_pdf_page_labels_are_the_printed_numbers(built):
    reader = PdfReader(built["pdf"])
    labels = reader.page_labels
    assert labels[0] == "i"  # the title page
    body = _page_of(reader, "Opening chapter", after=_page_of(reader, "Contents of this check") + 1)
    assert labels[1:body] == ["ii", "iii", "iv", "v"][: body - 1]
    assert labels[body:] == [str(n) for n in range(1, len(reader.pages) - body + 1)]
    # the footer prints the same number the viewer shows
    for index in range(1, len(reader.pages)):
        assert reader.pages[index].extract_text().split()[-1] == labels[index]
    # and the contents point at the printed page of a chapter
    closing = _page_of(reader, "Last words.")
    contents = re.sub(r"\s+", " ", reader.pages[_page_of(reader, "Contents of this check")].extract_text())
    assert re.search(r"2 Closing chapter[ .]*" + labels[closing] + r"\b", contents)


def test_pdf_without_a_title_is_numbered_from_one(tmp_path):
    (tmp_path / "doc.qmd").write_text("# One\n\nText.\n\n{{< pagebreak >}}\n\n# Two\n\nMore.\n")
    reader = PdfReader(render(tmp_path / "doc.qmd", tmp_path / "doc.pdf"))
    assert reader.page_labels == ["1", "2"]


def test_pdf_title_page_reads_like_a_cover(built):
    first = re.sub(r"\s+", " ", PdfReader(built["pdf"]).pages[0].extract_text())
    for phrase in (
        "Example Institute",
        "Cover and contents",
        "Ada Analyst",
        "Ben Builder",
        "Second edition",
        "May 1, 2024",
        "Data as of 31 August 2020",
        "Not real data",
        "Built from synthetic inputs.",
        "Suggested citation",
        "Analyst, A. and Builder, B.",
        "CC BY 4.0",
        "desk@example.org",
    ):
        assert phrase in first, phrase
    # the citation sits at the foot, under the notice
    assert first.index("Built from synthetic inputs.") < first.index("Suggested citation")


def test_pdf_metadata_author_is_the_author_field(built):
    meta = PdfReader(built["pdf"]).metadata
    assert meta["/Author"] == "Ada Analyst, Ben Builder"
    assert meta["/Title"] == "Contact points: a front matter check"


def test_pdf_ua_shows_the_title_and_tags_title_and_notice_as_headings(built):
    root = PdfReader(built["pdf"]).trailer["/Root"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    elements = struct_elements(built["pdf"])
    kinds = [str(el["/S"]) for el in elements]
    assert "/Title" in kinds  # the title is the document's title element, not a paragraph
    assert kinds.index("/Title") < kinds.index("/H1")
    headings = [str(el.get("/T", "")) for el in elements if str(el["/S"]) == "/H1"]
    assert headings[0] == "Not real data"  # the notice's heading, first after the title
    assert "Contents of this check" in headings
    # the equation's alternative text is its TeX source
    assert any(str(el.get("/Alt", "")) == "n (N - 1) / (N - n)" for el in elements)


def test_pdf_without_pdf_standard_does_not_claim_one(tmp_path):
    source = make_doc(tmp_path, DOC.replace("pdf-standard: ua-1\n", ""))
    root = PdfReader(render(source, tmp_path / "doc.pdf")).trailer["/Root"]
    assert "/DisplayDocTitle" not in root.get("/ViewerPreferences", {})


def test_pdf_ua_refuses_an_image_without_alt_text(tmp_path):
    source = make_doc(tmp_path, DOC.replace('{#fig-bar fig-alt="A black bar, wider than tall"}', "").replace("![A black bar]", "![]"))
    with pytest.raises(RenderError, match="alt text"):
        render(source, tmp_path / "doc.pdf")


# --- HTML --------------------------------------------------------------------------------


class _Links(HTMLParser):
    """The hrefs inside <nav id="TOC"> and every id in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.toc: list[str] = []
        self.depth = 0  # >0 while inside the TOC nav

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "nav" and (a.get("id") == "TOC" or self.depth):
            self.depth += 1
        if tag == "a" and self.depth and a.get("href"):
            self.toc.append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1


def test_html_contents_link_to_every_section(built):
    html = built["html"].read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    assert parser.toc[:4] == ["#sec-opening", "#sec-sub", "#sec-deep", "#sec-closing"]
    assert all(href[1:] in parser.ids for href in parser.toc)  # every link lands on a heading
    assert '<h2 id="toc-title">Contents of this check</h2>' in html


def test_html_toc_title_defaults_to_quartos(tmp_path):
    source = make_doc(tmp_path, DOC.replace("toc-title: Contents of this check\n", ""))
    assert '<h2 id="toc-title">Table of contents</h2>' in render(source, tmp_path / "d.html", to="html").read_text()


def test_html_title_block_carries_the_cover(built):
    html = built["html"].read_text(encoding="utf-8")
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for phrase in ("Example Institute", "Second edition", "Data as of 31 August 2020", "Suggested citation", "desk@example.org"):
        assert phrase in plain, phrase
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in html


# --- defaults and errors -----------------------------------------------------------------


def test_quarto_defaults_no_contents_no_numbers(tmp_path):
    (tmp_path / "doc.qmd").write_text("---\ntitle: Plain\n---\n\n# First {#sec-first}\n\nText.\n")
    text = pdf_text(render(tmp_path / "doc.qmd", tmp_path / "doc.pdf"))
    assert "Table of contents" not in text
    assert "First" in text and "1 First" not in text  # number-sections defaults to false
    html = render(tmp_path / "doc.qmd", tmp_path / "doc.html", to="html").read_text()
    assert '<nav id="TOC"' not in html and 'class="header-section-number"' not in html


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("toc: yes please", "toc: must be true or false"),
        ("toc-depth: 0", "toc-depth: must be a whole number"),
        ("pdf-standard: ua-9", "pdf-standard: unknown ua-9"),
        ("notice-file: missing.md", "notice-file not found"),
    ],
)
def test_bad_front_matter_is_refused(tmp_path, line, message):
    (tmp_path / "doc.qmd").write_text(f"---\ntitle: T\n{line}\n---\n\nText.\n")
    with pytest.raises(RenderError, match=message):
        render(tmp_path / "doc.qmd", tmp_path / "doc.pdf")


def test_empty_notice_file_gives_no_notice(tmp_path):
    source = make_doc(tmp_path)
    (tmp_path / "notice.md").write_text("\n")
    first = PdfReader(render(source, tmp_path / "doc.pdf")).pages[0].extract_text()
    assert "Not real data" not in first and "Suggested citation" in first
