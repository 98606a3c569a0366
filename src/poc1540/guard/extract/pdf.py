"""PDF: page text (PDFium, via :mod:`poc1540.guard.pdftext`), the tagged PDF's alternative texts
and its metadata (pypdf, which walks the structure tree).

The report's PDF is cut at its top-level headings, given in document order by the caller (the
scope learns them from the HTML report): a page-text line that reads exactly as a heading
("3 Who answered") opens that section, and so does a structure element whose title (``/T``) is
the heading's title. Each segment records the index of its section; what is State-level is not
decided here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poc1540.guard import pdftext
from poc1540.guard.model import Segment
from poc1540.guard.rules import plain


@dataclass(frozen=True)
class Cut:
    """Where a top-level section starts: its heading line in the page text, its title in the structure tree."""

    line: str
    title: str


@dataclass
class Document:
    """What a PDF publishes, and which of the cuts were found in its page text."""

    segments: list[Segment]
    found: set[int]  # indices of the cuts whose heading line is in the page text
    found_structure: set[int]  # indices of the cuts whose title heads an element of the structure tree


def _dehyphenate(text: str) -> str:
    return re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)


def _next_cut(text: str, cuts: Sequence[str], current: int | None) -> int | None:
    """The first cut after ``current`` that ``text`` is the heading of (headings come in order)."""
    start = -1 if current is None else current
    for index in range(start + 1, len(cuts)):
        if cuts[index] == text:
            return index
    return None


def read(path: Path, cuts: Sequence[Cut] = ()) -> Document:
    """The PDF's text as segments, cut at ``cuts``; raises whatever the PDF libraries raise on a broken file."""
    from pypdf import PdfReader

    reader = PdfReader(path)  # for the structure tree and metadata
    pages = pdftext.pages(path)  # page text, fast
    found_structure: set[int] = set()
    segments = _structure(reader, [plain(cut.title) for cut in cuts], found_structure)
    lines = [plain(cut.line) for cut in cuts]
    current: int | None = None
    found: set[int] = set()
    for number, page in enumerate(pages, start=1):
        parts: list[tuple[int | None, list[str]]] = [(current, [])]
        for line in page.splitlines():
            cut = _next_cut(plain(line), lines, current) if line.strip() else None
            if cut is not None:
                current = cut
                found.add(cut)
                parts.append((current, []))
            parts[-1][1].append(line)
        for section, text_lines in parts:
            if text_lines:
                text = "\n".join(text_lines)
                segments.append(Segment(f"page {number}", (text, _dehyphenate(text)), exempt_shares=True, section=section))
    return Document(segments, found, found_structure)


def _structure(reader: Any, titles: Sequence[str], found: set[int]) -> list[Segment]:
    """The metadata, and the alternative texts of the structure tree, each with its section (cuts seen go to ``found``)."""
    segments: list[Segment] = []
    try:
        meta = reader.metadata or {}
        if meta:
            segments.append(Segment("metadata", (" ".join(str(v) for v in meta.values()),)))
        elements = list(pdftext.struct_elements(reader))
    except Exception:  # pragma: no cover - metadata is optional
        return segments
    section: int | None = None
    n = 0
    for node in elements:
        if "/T" in node and str(node.get("/S")) in ("/H1", "/H"):
            cut = _next_cut(plain(str(node["/T"])), titles, section)
            if cut is not None:
                section = cut
                found.add(cut)
        for key in ("/Alt", "/ActualText"):
            if key in node:
                n += 1
                segments.append(Segment(f"alternative text {n}", (str(node[key]),), exempt_shares=True, section=section))
    return segments
