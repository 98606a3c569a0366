"""qmdrender keeps Quarto's promises: the behaviours Quarto's own smoke tests assert.

Each document of qmd_conformance.py is rendered once to HTML and to PDF (real pandoc and
Typst, a session-scoped fixture); the tests check the phrases quarto-cli's
``tests/smoke/crossref/*.test.ts`` and ``shortcodes-core.test.ts`` check, plus what the
issue adds: number-sections off and on, documents starting at ``#`` and at ``##``,
crossref options, nested and missing ``var`` keys, ``meta``, ``include``, references inside
callouts and captions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from qmd_conformance import DOCUMENTS, EXPECT, FORBIDDEN, NB, html_text, text_of, write_documents

from qmdrender import RenderError, render
from support.pdf import pdf_text

FORMATS = ("html", "pdf")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = tmp_path_factory.mktemp("conformance")
    sources = write_documents(root)
    return {
        (name, fmt): render(source, source.with_suffix(f".{fmt}"), to=fmt, engine="pandoc")
        for name, source in sources.items()
        for fmt in FORMATS
    }


def _folded(text: str) -> str:
    return re.sub(r" +", " ", text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_says_what_quarto_says(rendered, name: str, fmt: str) -> None:
    text = _folded(text_of(rendered[name, fmt], fmt))
    missing = [phrase for phrase in EXPECT[name][fmt] if phrase not in text]
    assert not missing, f"{name}.{fmt} lacks {missing}"
    shown = [mark for mark in FORBIDDEN if mark in text]
    assert not shown, f"{name}.{fmt} shows {shown}"


# --- numbering: off by default; on from "#" and from "##" --------------------------------


def test_headings_are_unnumbered_without_number_sections(rendered) -> None:
    html = rendered["figures", "html"].read_text(encoding="utf-8")
    assert 'class="header-section-number"' not in html
    for heading in ("A plain figure", "A figure written as a div"):
        assert re.search(rf"<h2 id=\"[^\"]+\">{heading}</h2>", html), heading
        assert not re.search(rf"\d(\.\d)* {heading}", pdf_text(rendered["figures", "pdf"])), heading


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_document_starting_at_level_two_numbers_from_one(rendered, fmt: str) -> None:
    text = text_of(rendered["sections_h2", fmt], fmt)
    assert "0.1" not in text and "0.2" not in text
    assert re.search(r"\b1 Background\b", text) and re.search(r"\b2 Scope\b", text)


def test_level_two_document_keeps_its_html_heading_levels(rendered) -> None:
    """Quarto's sections test: section#sec-introduction h2 (the level is kept in HTML)."""
    html = rendered["sections_h2", "html"].read_text(encoding="utf-8")
    assert re.search(r'<h2 id="sec-background"><span class="header-section-number">1</span> Background</h2>', html)
    assert re.search(r'<h3 id="sec-detail"><span class="header-section-number">1.1</span> Detail</h3>', html)
    assert re.search(r'<a href="#sec-background" class="quarto-xref">Section\xa01</a>', html)


def test_unnumbered_heading_stays_unnumbered(rendered) -> None:
    for fmt in FORMATS:
        text = text_of(rendered["sections_h1", fmt], fmt)
        assert "Annex" in text and not re.search(r"\d Annex", text), fmt


def test_a_reference_to_a_section_needs_numbering(tmp_path: Path) -> None:
    """Deliberate difference: Quarto prints "Section 1" for an unnumbered section in HTML and
    Typst cannot number it at all; qmdrender refuses, naming the line."""
    source = tmp_path / "doc.qmd"
    source.write_text("---\ntitle: T\n---\n\n# Intro {#sec-intro}\n\nSee @sec-intro.\n")
    with pytest.raises(RenderError, match=r"doc\.qmd:7: @sec-intro refers to an unnumbered section"):
        render(source, tmp_path / "doc.html", to="html")


# --- figures and tables: Quarto's HTML structure -----------------------------------------


def test_figures_of_both_syntaxes_are_figures_with_captions(rendered) -> None:
    html = rendered["figures", "html"].read_text(encoding="utf-8")
    for ident, caption in (("fig-heron", "Heron"), ("fig-kite", "Kite in a div")):
        figure = re.search(rf'<figure id="{ident}"[^>]*>(.*?)</figure>', html, re.S)
        assert figure, ident
        assert f"<figcaption>Figure{NB}" in figure.group(1) and caption in figure.group(1)
        assert f'alt="{caption}"' in figure.group(1)  # alt text falls back to the caption
    assert html.count('href="#fig-heron"') == 2  # both references link to the figure


def test_image_and_div_syntax_give_the_same_figure(tmp_path: Path) -> None:
    """Quarto's syntax test: the same figure written as an image or as a div renders the same."""
    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    img = tmp_path / "img.qmd"
    div = tmp_path / "div.qmd"
    img.write_text("![This is the figure](a.svg){#fig-foo}\n\nSee @fig-foo for more.\n")
    div.write_text("::: {#fig-foo}\n![](a.svg)\n\nThis is the figure\n:::\n\nSee @fig-foo for more.\n")

    def body(path: Path) -> str:
        out = render(path, path.with_suffix(".html"), to="html").read_text(encoding="utf-8")
        return out[out.index("<main>") : out.index("</main>")]

    assert body(img) == body(div)
    assert f"Figure{NB}1: This is the figure" in body(img)


@pytest.mark.parametrize("fmt", FORMATS)
def test_table_captions_sit_above_their_tables(rendered, fmt: str) -> None:
    text = text_of(rendered["tables", fmt], fmt).replace(NB, " ")
    assert text.index("Table 1: Letters") < text.index("Alpha") < text.index("Table 2: Digits") < text.index("one")


def test_a_figure_inside_a_callout_is_in_the_callout(rendered) -> None:
    html = rendered["callouts", "html"].read_text(encoding="utf-8")
    note = re.search(r'<div class="callout callout-note">(.*?)<div class="callout callout-tip">', html, re.S)
    assert note and 'id="fig-pier"' in note.group(1) and "Response" in note.group(1)
    titles = re.findall(r'<div class="callout-title">\s*(.*?)\s*</div>', html, re.S)
    assert titles == ["Response", "Tip", "Warning", "Caution", "Custom title"]


# --- shortcodes: nested and missing keys -------------------------------------------------


def test_shortcodes_in_the_title_block(rendered) -> None:
    html = rendered["shortcodes", "html"].read_text(encoding="utf-8")
    assert '<p class="subtitle">Harbour Office notes</p>' in html
    assert re.search(r"<h2 id=\"[^\"]+\">Hello Harbour</h2>", html)


@pytest.mark.parametrize(
    ("body", "key", "line"),
    [
        ("Boats: {{< var site.counts.boats >}}.\n", "site.counts.boats", 3),  # nested, missing leaf
        ("x\n\nPort: {{< var port.name >}}.\n", "port.name", 5),  # missing branch
    ],
)
def test_a_missing_var_key_fails_naming_the_key(tmp_path: Path, body: str, key: str, line: int) -> None:
    (tmp_path / "_variables.yml").write_text("site:\n  counts:\n    vessels: 42\n")
    source = tmp_path / "doc.qmd"
    source.write_text("# A\n\n" + body)
    for fmt in FORMATS:
        with pytest.raises(RenderError) as err:
            render(source, tmp_path / f"doc.{fmt}", to=fmt)
        assert f"doc.qmd:{line}:" in str(err.value) and f"'{key}'" in str(err.value)
        assert not (tmp_path / f"doc.{fmt}").exists()


def test_a_missing_var_key_in_an_include_names_the_included_line(tmp_path: Path) -> None:
    (tmp_path / "_variables.yml").write_text("a: 1\n")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "_p.qmd").write_text("First.\n\nValue {{< var a.b >}}.\n")
    source = tmp_path / "doc.qmd"
    source.write_text("Intro.\n\n{{< include parts/_p.qmd >}}\n")
    with pytest.raises(RenderError, match=r"_p\.qmd:3: .*'a\.b'"):
        render(source, tmp_path / "doc.pdf")


def test_a_missing_meta_key_fails_naming_the_key(tmp_path: Path) -> None:
    source = tmp_path / "doc.qmd"
    source.write_text("---\ntitle: T\nnested: {a: 1}\n---\n\n{{< meta nested.b >}}\n")
    with pytest.raises(RenderError, match=r"doc\.qmd:6: unknown metadata key 'nested\.b'"):
        render(source, tmp_path / "doc.html", to="html")


def test_html_text_keeps_quartos_non_breaking_space(rendered) -> None:
    """The conformance phrases are checked with the NBSP Quarto writes (Figure&nbsp;1)."""
    assert f"See Figure{NB}1 for" in html_text(rendered["figures", "html"])
    assert "See Figure 1 for" not in html_text(rendered["figures", "html"])


def test_contents_follow_toc_depth_and_lang(rendered) -> None:
    html = rendered["front_matter", "html"].read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html
    nav = re.search(r'<nav id="TOC".*?</nav>', html, re.S)
    assert nav and "First" in nav.group(0) and "Second" in nav.group(0)
    assert "Left out of the contents" not in nav.group(0)  # toc-depth: 1
    text = pdf_text(rendered["front_matter", "pdf"])
    contents = text[text.index("Contents in print") : text.index("Charts in this note")]
    assert "First" in contents and "Second" in contents and "Left out" not in contents


def test_citations_link_to_the_reference_list(rendered) -> None:
    html = rendered["citations", "html"].read_text(encoding="utf-8")
    assert html.count('href="#ref-tide-office"') == 2  # link-citations: both citations link
    assert re.search(r'<div id="ref-tide-office"', html)
