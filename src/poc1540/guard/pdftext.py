"""Text of a rendered PDF, page by page, as a reader would copy it.

PDFium (pypdfium2) reads the report's pages in a tenth of a second where a pure-Python parser
needs seconds (the SVG figures are thousands of drawing operators). Words that Typst hyphenated
at a line end are joined again, so a phrase can be searched for whole.
"""

from __future__ import annotations

from pathlib import Path

SOFT_BREAK = "\ufffe"  # how PDFium marks a hyphen inserted at a line break


def pages(path: Path) -> list[str]:
    """Each page's text, with Unix line ends and typeset hyphenation undone."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        out = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            out.append(text.replace(SOFT_BREAK + "\n", "").replace(SOFT_BREAK, ""))
            textpage.close()
            page.close()
        return out
    finally:
        document.close()
