"""Reading rendered PDFs in tests: their text and their tagged structure."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from poc1540.guard import pdftext


def pdf_text(path: Path) -> str:
    """The PDF's text with white space folded (line breaks do not split phrases) and ’ as '."""
    text = "\n".join(pdftext.pages(path))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).replace("\u2019", "'")


def struct_elements(path: Path) -> list[DictionaryObject]:
    """Every element of the tagged PDF's structure tree, in reading order."""
    reader = PdfReader(path)
    assert "/StructTreeRoot" in reader.trailer["/Root"], "PDF is not tagged"
    return list(pdftext.struct_elements(reader))


def figure_alts(path: Path) -> list[str]:
    """The alt texts of the /Figure elements in the PDF's structure tree."""
    return [str(el["/Alt"]) for el in struct_elements(path) if el.get("/S") == "/Figure" and "/Alt" in el]
