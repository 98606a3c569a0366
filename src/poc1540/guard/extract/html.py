"""HTML: the report (cut at its headings) and executed notebooks exported by nbconvert (cut per cell).

The text comes with its tags stripped, plus ``alt``, ``aria-label`` and ``title`` attributes and
comments; ``<style>`` and ``<script>``, and in notebook HTML the code editor areas and prompts,
are left out (code is not an output).
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass
from typing import Any

from poc1540.guard.model import Displayed, Segment
from poc1540.guard.rules import plain


@dataclass(frozen=True)
class Heading:
    """A top-level heading of the report as rendered: its text, title, number and classes."""

    text: str  # as displayed, e.g. "2 POC coverage"
    title: str  # without the section number, e.g. "POC coverage"
    number: str  # "2", or "" for an unnumbered heading
    ident: str
    classes: frozenset[str]


class _HTMLText(html.parser.HTMLParser):
    """Text of an HTML document in order, cut into segments at headings or notebook cells.

    ``mode`` is "report" (a segment per heading, each knowing its top-level section),
    "notebook" (nbconvert output: a segment per cell) or "plain" (one stretch of text).
    """

    SKIP_TAGS = frozenset({"style", "script"})
    SKIP_CLASSES = frozenset({"jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt", "input_area", "prompt"})
    ATTRS = ("alt", "aria-label", "title")
    HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
    VOID = frozenset({"img", "br", "hr", "meta", "link", "input"})

    def __init__(self, mode: str):
        super().__init__(convert_charrefs=True)
        self.mode = mode
        first = "before the first heading" if mode == "report" else "notebook"
        self.segments: list[list[Any]] = [[first, None, []]]  # [location, top-level section, text parts]
        self.skip: list[list[Any]] = []  # [tag, depth] of the element being skipped
        self.heading: list[str] | None = None
        self.heading_top = False  # the open heading is a top-level one
        self.level1: tuple[str, frozenset[str]] = ("", frozenset())  # the open <section class="level1">
        self.in_header = 0  # inside the title block: its <h1 class="title"> is no section
        self.top: list[Heading] = []
        self.cell = 0
        # tables being read (notebook mode): [body rows, all rows, has <tbody>, header cell texts, open <th> text or None]
        self.tables: list[list[Any]] = []
        self.displayed: dict[int, list[Displayed]] = {}  # segment index -> the tables it displays

    def _new(self, location: str) -> None:
        self.segments.append([location, len(self.top) - 1 if self.top else None, []])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] += 1
            return
        a = dict(attrs)
        classes = frozenset((a.get("class") or "").split())
        if tag in self.SKIP_TAGS or classes & self.SKIP_CLASSES:
            if tag not in self.VOID:
                self.skip.append([tag, 1])
            return
        if self.mode == "notebook" and tag == "div" and "jp-Cell" in classes:
            self.cell += 1
            self._new(f"cell {self.cell}")
        if self.mode == "notebook":
            self._table_start(tag)
        if self.mode == "report":
            if tag == "header":
                self.in_header += 1
            # Quarto wraps each section in <section class="level1 ..."> and puts the classes there
            if tag == "section" and "level1" in classes:
                self.level1 = (a.get("id") or "", classes)
            if tag in self.HEADINGS:
                # the heading's own text belongs to the section it opens
                self.heading = []
                self.heading_top = tag == "h1" and not self.in_header and "title" not in classes
                if self.heading_top:
                    section_id, section_classes = self.level1
                    self.top.append(Heading("", "", "", a.get("id") or section_id, classes | section_classes))
                    self.level1 = ("", frozenset())
                self._new("section")
        for name in self.ATTRS:
            if a.get(name):
                self.segments[-1][2].append(str(a[name]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip:
            self.handle_starttag(tag, attrs)
            if self.skip and self.skip[-1][0] == tag:
                self.skip.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] -= 1
                if self.skip[-1][1] == 0:
                    self.skip.pop()
            return
        if self.mode == "notebook":
            self._table_end(tag)
        if self.mode != "report":
            return
        if tag == "header" and self.in_header:
            self.in_header -= 1
        if tag in self.HEADINGS and self.heading is not None:
            text = plain(" ".join(self.heading))
            self.heading = None
            self.segments[-1][0] = f"section '{text}'"
            if self.heading_top:
                m = re.match(r"^(\d+(?:\.\d+)*)\s+(.*)$", text)
                number, title = (m.group(1), m.group(2)) if m else ("", text)
                self.top[-1] = Heading(text, title, number, self.top[-1].ident, self.top[-1].classes)

    def _table_start(self, tag: str) -> None:
        """Count the rows of a displayed table (a DataFrame shown by a cell), as rule 5 needs."""
        if tag == "table":
            self.tables.append([0, 0, False, [], None])
        elif self.tables and tag == "tbody":
            self.tables[-1][2] = True
        elif self.tables and tag == "tr":
            self.tables[-1][1] += 1
            self.tables[-1][0] += 1 if self.tables[-1][2] else 0
        elif self.tables and tag == "th":
            self.tables[-1][4] = []

    def _table_end(self, tag: str) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "th" and table[4] is not None:
            table[3].append(plain(" ".join(table[4])))
            table[4] = None
        elif tag == "table":
            self.tables.pop()
            rows = table[0] if table[2] else max(table[1] - 1, 0)  # without <tbody>, the first row is the header
            shown = Displayed(rows, respondent_id="respondent_id" in table[3])
            self.displayed.setdefault(len(self.segments) - 1, []).append(shown)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.tables and self.tables[-1][4] is not None:
            self.tables[-1][4].append(data)
        self.segments[-1][2].append(data)
        if self.heading is not None:
            self.heading.append(data)

    def handle_comment(self, data: str) -> None:
        if not self.skip:
            self.segments[-1][2].append(data)


def _parse(text: str, mode: str) -> _HTMLText:
    parser = _HTMLText(mode)
    parser.feed(text)
    parser.close()
    return parser


def html_text(text: str) -> str:
    """All the text of an HTML fragment (a notebook's HTML output, an SVG)."""
    return " ".join(" ".join(parts) for _, _, parts in _parse(text, "plain").segments)


def report(text: str) -> tuple[list[Segment], list[Heading]]:
    """The report's segments (each with its top-level ``section`` index) and its top-level headings, in order."""
    parser = _parse(text, "report")
    segments = [Segment(loc, (" ".join(parts),), exempt_shares=True, section=section) for loc, section, parts in parser.segments if parts]
    return segments, parser.top


def headings(text: str) -> list[Heading]:
    """The report's top-level headings (``<h1>`` outside the title block), in order."""
    return _parse(text, "report").top


def notebook(text: str) -> list[Segment]:
    """An executed notebook as HTML: the text of each cell's outputs, and the tables each displays."""
    parser = _parse(text, "notebook")
    return [
        Segment(loc, (" ".join(parts),), displayed=tuple(parser.displayed.get(i, ())))
        for i, (loc, _, parts) in enumerate(parser.segments)
        if parts or i in parser.displayed
    ]
