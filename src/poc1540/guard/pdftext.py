"""Text of a rendered PDF, page by page, as a reader would copy it; and its tagged structure.

PDFium (pypdfium2) reads the report's pages in a tenth of a second where a pure-Python parser
needs seconds (the SVG figures are thousands of drawing operators). Words that Typst hyphenated
at a line end are joined again, so a phrase can be searched for whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def struct_elements(reader: Any) -> Iterator[Any]:
    """Every element of a tagged PDF's structure tree (``/StructTreeRoot``, walking ``/K``), in order.

    ``reader`` is a ``pypdf.PdfReader``; an untagged PDF yields nothing. Elements reached twice
    (shared kids) are yielded once.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    root = reader.trailer["/Root"]
    tree = root.get("/StructTreeRoot") if hasattr(root, "get") else None
    seen: set[int] = set()
    stack: list[Any] = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend(reversed(node))
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                yield node
            if "/K" in node:
                stack.append(node["/K"])
