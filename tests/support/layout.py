"""What a reader of a rendered PDF sees, as checks: text over text, text off the text area, blank pages.

Read with pypdfium2 from the PDF itself (character boxes, page objects, bookmarks), so the
checks judge the printed page whatever produced it. Each check returns the faults it finds
(empty when the layout is sound), so a test can assert both that the report has none and
that a page built to be broken is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

TYPST_UNITS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
TOLERANCE = 2.0  # points: rounding of glyph boxes, hairline strokes
RUNNING_GAP = 0.3  # Typst's default header-ascent and footer-descent, as a share of the margin


@dataclass(frozen=True)
class Margins:
    """Page margins in points (what ``#set page(margin: ...)`` sets)."""

    left: float
    right: float
    top: float
    bottom: float


@dataclass
class Line:
    """A run of characters printed left to right on one baseline; PDF coordinates (y up)."""

    page: int  # 1-based, as a reader counts pages of the file
    left: float
    bottom: float
    right: float
    top: float
    text: str

    def overlap(self, other: Line) -> tuple[float, float]:
        """Width and height of the intersection of the two boxes (<= 0 when apart)."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.top, other.top) - max(self.bottom, other.bottom)
        return w, h


def template_margins(template: Path) -> Margins:
    """The margins the Typst template sets: ``margin: (x: 2.5cm, top: 2.7cm, bottom: 2.5cm)``."""
    text = Path(template).read_text(encoding="utf-8")
    m = re.search(r"margin:\s*\(([^)]*)\)", text)
    assert m, f"{template} sets no page margin as (x: ..., top: ..., bottom: ...)"
    sides = {k: float(v) * TYPST_UNITS[u] for k, v, u in re.findall(r"(\w+):\s*([\d.]+)(pt|mm|cm|in)", m.group(1))}
    x = sides.get("x", sides.get("rest", 0.0))
    y = sides.get("y", sides.get("rest", 0.0))
    return Margins(sides.get("left", x), sides.get("right", x), sides.get("top", y), sides.get("bottom", y))


def _chars(page: pdfium.PdfPage) -> Iterator[tuple[str, float, float, float, float]]:
    """Every character of a page with its tight box, in content order; spaces as ' ' with no box."""
    textpage = page.get_textpage()
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if not ch or ch.isspace() or ch in "\ufffe\u200b":
            yield " ", 0.0, 0.0, 0.0, 0.0
            continue
        left, bottom, right, top = textpage.get_charbox(i)
        if right - left > 0 and top - bottom > 0:
            yield ch, left, bottom, right, top


def text_lines(pdf: Path) -> list[Line]:
    """The PDF's characters grouped into lines.

    A character continues the current line when it follows it to the right (within a gap of
    about two glyph heights, so table cells far apart are separate lines) and shares part of
    its height or nearly (so superscripts and underscores stay with their line), or when it is drawn by the same glyph
    as the one before (a ligature: "fi" is one glyph, two characters). Text printed back over
    earlier text starts a new line, which is what lets :func:`overlaps` see it.
    """
    lines: list[Line] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(doc, 1):
            cur: Line | None = None
            glyph = (0.0, 0.0, 0.0, 0.0)
            for ch, *box in _chars(page):
                left, bottom, right, top = box
                if ch == " ":
                    if cur is not None and not cur.text.endswith(" "):
                        cur.text += " "
                    continue
                same_glyph = cur is not None and all(abs(a - b) < 0.5 for a, b in zip(box, glyph, strict=True))
                glyph = (left, bottom, right, top)
                gap = 2 * max(top - bottom, 4.0)
                near = 0.3 * (cur.top - cur.bottom) if cur is not None else 0.0  # "_" sits below the letters' boxes
                if cur is not None and (
                    same_glyph or (cur.right - 1.0 <= left <= cur.right + gap and min(top, cur.top) - max(bottom, cur.bottom) > -near)
                ):
                    cur.right, cur.bottom, cur.top = max(right, cur.right), min(bottom, cur.bottom), max(top, cur.top)
                    cur.text += ch
                    continue
                cur = Line(number, left, bottom, right, top, ch)
                lines.append(cur)
    finally:
        doc.close()
    for line in lines:
        line.text = line.text.strip()
    return lines


def overlaps(lines: list[Line], share: float = 0.3) -> list[str]:
    """Pairs of lines printed over each other: boxes sharing more than ``share`` of the lower line's height."""
    found = []
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page, items in by_page.items():
        items.sort(key=lambda ln: ln.top, reverse=True)
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if b.top <= a.bottom:
                    break  # sorted by top: no later line reaches up to a
                w, h = a.overlap(b)
                if w > TOLERANCE and h > share * min(a.top - a.bottom, b.top - b.bottom):
                    found.append(f"page {page}: {a.text[:40]!r} over {b.text[:40]!r}")
    return found


def outside_text_area(lines: list[Line], page_sizes: list[tuple[float, float]], margins: Margins) -> list[str]:
    """Lines that leave the text area: past a side margin, or across the top or bottom margin.

    The running header and the page number sit in the top and bottom margins by design, apart
    from the body by Typst's header-ascent and footer-descent (RUNNING_GAP of the margin), so a
    line wholly beyond that gap is allowed; a line in the gap or across it is body text that
    ran off the text area (an overfull block stacks its rest just below the body).
    """
    found = []
    for line in lines:
        width, height = page_sizes[line.page - 1]
        left, right = margins.left - TOLERANCE, width - margins.right + TOLERANCE
        area_bottom, area_top = margins.bottom, height - margins.top
        inside_x = line.left >= left and line.right <= right
        in_body = line.bottom >= area_bottom - TOLERANCE and line.top <= area_top + TOLERANCE
        in_header = line.bottom >= area_top + RUNNING_GAP * margins.top - TOLERANCE and line.top <= height - TOLERANCE
        in_footer = line.bottom >= TOLERANCE and line.top <= area_bottom - RUNNING_GAP * margins.bottom + TOLERANCE
        if not (inside_x and (in_body or in_header or in_footer)):
            found.append(f"page {line.page}: {line.text[:40]!r} at x {line.left:.0f}-{line.right:.0f}, y {line.bottom:.0f}-{line.top:.0f}")
    return found


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [tuple(page.get_size()) for page in doc]  # type: ignore[misc]
    finally:
        doc.close()


def _content_boxes(page: pdfium.PdfPage, margins: Margins) -> list[tuple[float, float, float, float, bool]]:
    """(left, bottom, right, top, is_text) of every page object inside the text area."""
    width, height = page.get_size()
    boxes = []
    for obj in page.get_objects(max_depth=4):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            continue  # its contents are visited themselves
        left, bottom, right, top = obj.get_bounds()
        if bottom >= margins.bottom - TOLERANCE and top <= height - margins.top + TOLERANCE:
            boxes.append((left, bottom, right, top, obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT))
    return boxes


def blank_pages(pdf: Path, margins: Margins, limit: float = 0.4) -> list[str]:
    """Pages whose text area is more than ``limit`` empty below its last content.

    Allowed: pages before the first heading (a title page); the last page; a page followed by one whose top starts a chapter (a level-1
    bookmark there); a page followed by one that opens with a graphic taller than this page's
    empty space (a figure that could not fit).
    """
    doc = pdfium.PdfDocument(str(pdf))
    try:
        height = doc[0].get_size()[1]
        area_top, area = height - margins.top, height - margins.top - margins.bottom
        toc = list(doc.get_toc())
        chapter_tops = {b.get_dest().get_index() for b in toc if b.level == 0 and _at_top(b, area_top)}
        first_heading = min((b.get_dest().get_index() for b in toc), default=0)
        boxes = [_content_boxes(page, margins) for page in doc]
    finally:
        doc.close()
    found = []
    for i, page_boxes in enumerate(boxes[:-1]):
        if i < first_heading:
            continue  # a title page (or contents) before the first heading is laid out by design
        lowest = min((b[1] for b in page_boxes), default=area_top)
        empty = lowest - margins.bottom
        if empty / area <= limit or i + 1 in chapter_tops:
            continue
        graphics = [b for b in boxes[i + 1] if not b[4]]
        opening = max((b[3] for b in graphics), default=0.0) >= area_top - 3 * TOLERANCE
        if opening and max(b[3] for b in graphics) - min(b[1] for b in graphics) > empty:
            continue
        found.append(f"page {i + 1}: {100 * empty / area:.0f}% of the text area blank")
    return found


def _at_top(bookmark: pdfium.PdfBookmark, area_top: float, slack: float = 60.0) -> bool:
    """A bookmark that points at the top of its page (within a heading's space above it)."""
    _mode, view = bookmark.get_dest().get_view()
    return len(view) > 1 and view[1] >= area_top - slack


def words(pdf: Path, gap: float = 3.0) -> list[Line]:
    """The PDF's words: runs of characters on one baseline split at spaces and at gaps wider than ``gap`` points.

    Finer than :func:`text_lines`: two table cells side by side are two words however close
    their columns are, so a test can compare the edges of the cells of one column.
    """
    found: list[Line] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(doc, 1):
            cur: Line | None = None
            for ch, *box in _chars(page):
                left, bottom, right, top = box
                if ch == " ":
                    cur = None
                    continue
                shared = min(top, cur.top) - max(bottom, cur.bottom) if cur is not None else 0.0
                if (
                    cur is not None and cur.left <= left <= cur.right + gap and shared > 0.5 * (top - bottom)
                ):  # kerned or ligated glyphs overlap
                    cur.right, cur.top = max(right, cur.right), max(top, cur.top)
                    cur.bottom = min(bottom, cur.bottom)
                    cur.text += ch
                    continue
                cur = Line(number, left, bottom, right, top, ch)
                found.append(cur)
    finally:
        doc.close()
    return found


def horizontal_rules(pdf: Path, min_length: float = 20.0) -> list[Line]:
    """Thin horizontal strokes (table rules, separators) as boxes with empty text."""
    found = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(doc, 1):
            for obj in page.get_objects(max_depth=4):
                if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
                    continue
                left, bottom, right, top = obj.get_bounds()
                if right - left >= min_length and top - bottom <= TOLERANCE:
                    found.append(Line(number, left, bottom, right, top, ""))
    finally:
        doc.close()
    return found
