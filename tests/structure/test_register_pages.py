"""The findings register's "where used" column, as a reader checks it in the built report: in the
PDF each "§N, p. P" names the page where section N's heading is printed; in the HTML each
section is a link that lands on that section's heading."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pypdf import PdfReader

from poc1540.core import paths
from poc1540.findings import register
from poc1540.guard import pdftext

WHERE = re.compile(r"(?P<section>§\d+(?:\.\d+)*|Key findings), p\. (?P<page>[0-9ivxlc]+)")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def _sections() -> dict[str, register.Section]:
    return {s.label(): s for c in register.read_report() for where in c.uses.values() for s in where}


def test_every_page_in_the_pdf_register_is_where_its_section_starts() -> None:
    labels = PdfReader(paths.REPORT_PDF).page_labels
    pages = [_fold(t) for t in pdftext.pages(paths.REPORT_PDF)]
    register_pages = [t for t in pages if "Key Value Where used Computed in" in t]  # its header repeats
    pairs = {(m["section"], m["page"]) for t in register_pages for m in WHERE.finditer(t)}
    assert len(pairs) > 10, "the register names the pages where findings are used"
    sections = _sections()
    for label, page in sorted(pairs):
        section = sections[label]
        heading = f"{section.number} {section.title}" if section.number else section.title
        # The heading's last printing: the contents pages list it first.
        printed = [labels[i] for i, t in enumerate(pages) if re.search(rf"(^| ){re.escape(heading)} ", t)]
        assert printed, f"{heading!r} is not printed in the PDF"
        assert printed[-1] == page, f"the register says {label} is on p. {page}; its heading is on p. {printed[-1]}"


class _Anchors(HTMLParser):
    """Each element id, with the text of the heading that holds it (empty for other elements)."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: dict[str, str] = {}
        self.links: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and attr.get("id"):
            self._open = str(attr["id"])
            self.headings[self._open] = ""
        elif tag == "section" and attr.get("id"):
            self._pending = str(attr["id"])
        if re.fullmatch(r"h[1-6]", tag) and not attr.get("id") and getattr(self, "_pending", None):
            self._open = self._pending
            self.headings[self._open] = ""
        if tag == "a" and (attr.get("href") or "").startswith("#"):
            self.links.append(str(attr["href"])[1:])

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open = None
            self._pending = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.headings[self._open] += data


def test_every_section_in_the_html_register_links_to_its_heading() -> None:
    html = paths.REPORT_HTML.read_text(encoding="utf-8")
    table = html[html.index('id="tbl-findings-register"') :]
    table = table[: table.index("</table>")]
    anchors = _Anchors()
    anchors.feed(html)
    links = re.findall(r'<a href="#([^"]+)"', table)
    assert len(links) > 10
    by_id = {s.identifier: s for s in _sections().values()}
    for target in set(links):
        assert target in anchors.headings, f"#{target} is not a heading of the HTML report"
        assert by_id[target].title in _fold(anchors.headings[target]), f"#{target} lands on {anchors.headings[target]!r}"
