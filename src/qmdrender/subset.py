"""The subset of Quarto that qmdrender renders, declared once.

Everything here is what the renderer does the way Quarto does it; :mod:`qmdrender.check`
refuses the Quarto constructs listed in ``REFUSED_*`` (with file, line and what to do), so a
document never comes out silently different from Quarto's rendering. The README's list of
supported features is checked against :data:`SUPPORTED` by a test.
"""

from __future__ import annotations

SHORTCODES = ("include", "var", "meta", "pagebreak")
CROSSREF_TYPES = ("fig", "tbl", "sec")
CALLOUTS = ("note", "tip", "warning", "caution", "important")
# crossref: options honoured (Quarto's defaults in CROSSREF_DEFAULTS; lof/lot titles are
# the list headings of the PDF).
CROSSREF_DEFAULTS = {
    "fig-title": "Figure",
    "tbl-title": "Table",
    "fig-prefix": "Figure",
    "tbl-prefix": "Table",
    "sec-prefix": "Section",
    "title-delim": ":",
}
CROSSREF_OPTIONS = (*CROSSREF_DEFAULTS, "lof-title", "lot-title")
FRONT_MATTER = (
    "title", "subtitle", "author", "date", "date-format", "abstract", "abstract-title", "lang",
    "license", "number-sections", "toc", "toc-depth", "toc-title", "lof", "lot", "pdf-standard",
    "crossref", "bibliography", "link-citations", "format",
)  # fmt: skip
# Keys of this project (not Quarto's): the title page and the running header.
PROJECT_FRONT_MATTER = (
    "institution", "edition", "data-as-of", "suggested-citation", "contact", "watermark",
    "notice", "notice-file",
)  # fmt: skip
# What the README lists, construct by construct (tests/qmdrender/test_subset.py compares).
SUPPORTED: dict[str, tuple[str, ...]] = {
    "shortcodes": SHORTCODES,
    "cross-references": tuple(f"@{kind}-" for kind in CROSSREF_TYPES),
    "callouts": tuple(f"callout-{kind}" for kind in CALLOUTS),
    "crossref options": CROSSREF_OPTIONS,
    "front matter": FRONT_MATTER,
    "project keys": PROJECT_FRONT_MATTER,
}

_MORE = "render with --engine quarto where Quarto is installed"

# Cross-reference types of Quarto's that qmdrender does not number: a label #eq-x or a
# reference @eq-x is refused.
REFUSED_CROSSREF_TYPES: dict[str, str] = {
    "eq": "equation",
    "lst": "code listing",
    **{p: "theorem-type block" for p in ("thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem")},
    **{p: "cross-referenced callout" for p in ("nte", "tip", "wrn", "imp", "cau")},
}
# Classes on a div or span (or a heading, an image) that Quarto gives a meaning qmdrender lacks.
REFUSED_CLASSES: dict[str, str] = {
    "panel-tabset": "tabsets",
    "list-table": "list tables (write a pipe table)",
    "content-visible": "conditional content",
    "content-hidden": "conditional content",
    "callout": "a callout without a type (write .callout-note, -tip, -warning, -caution or -important)",
    "aside": "asides",
    **{
        c: "theorem and proof blocks"
        for c in (
            "theorem",
            "lemma",
            "corollary",
            "proposition",
            "conjecture",
            "definition",
            "example",
            "exercise",
            "solution",
            "remark",
            "proof",
        )
    },
}
# Class prefixes: page layout (column-margin, column-page, ...) and panel layouts.
REFUSED_CLASS_PREFIXES: dict[str, str] = {"column-": "page-column layout", "panel-": "panel layouts"}
# Attributes of Quarto's figure layout and callout options.
REFUSED_ATTRIBUTES: dict[str, str] = {
    **{a: "sub-figures and figure layout" for a in ("layout", "layout-ncol", "layout-nrow", "layout-align", "layout-valign")},
    "collapse": "collapsible callouts",
    "appearance": "callout appearances",
    "tbl-colwidths": "table column widths (the pipe table's dashes set them)",
    "fig-cap": "captions given as attributes (write the caption in the figure)",
    "tbl-cap": "captions given as attributes (write ': Caption {#tbl-x}' under the table)",
}
# Front-matter options of Quarto that would change the rendering and that qmdrender ignores.
REFUSED_FRONT_MATTER: dict[str, str] = {
    **{
        k: "section numbering other than Quarto's default"
        for k in ("number-offset", "number-depth", "shift-heading-level-by", "section-numbering")
    },
    "csl": "citation styles other than the default (Chicago author-date, Quarto's and pandoc's)",
    "cite-method": "citation methods other than citeproc",
    "nocite": "listing sources the text does not cite",
    "citation": "the document's own citation metadata",
    **{k: "Quarto extensions and filters" for k in ("filters", "shortcodes")},
    **{
        k: "caption and note placement"
        for k in ("cap-location", "fig-cap-location", "tbl-cap-location", "reference-location", "citation-location")
    },
    **{
        k: "page and font settings (the template's are fixed)"
        for k in ("mainfont", "sansfont", "monofont", "fontsize", "margin", "columns", "theme", "css")
    },
}
FORMATS = ("typst", "html")  # the keys of `format:` (PDF through Typst, and HTML)
PAPERSIZE = "a4"  # the template's paper
REFUSED_ADVICE = _MORE
