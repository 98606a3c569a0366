"""Following the findings register's links in the HTML report into the executed notebooks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
KEY = re.compile(r"<code>([^<]+)</code>")
LINK = re.compile(r'href="(notebooks/[^"#]+)#([^"]+)"')


class _CellOutput(HTMLParser):
    """The text of the output area of the element whose id is ``target`` (nbconvert's layout)."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.depth = 0  # open elements inside the target cell (0: outside it)
        self.output_depth = 0  # open elements inside its output area
        self.found = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr", "input", "meta", "link"):
            return
        a = dict(attrs)
        if self.depth:
            self.depth += 1
            if self.output_depth:
                self.output_depth += 1
            elif "jp-OutputArea" in (a.get("class") or "").split():
                self.output_depth = 1
        elif a.get("id") == self.target:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "hr", "input", "meta", "link") or not self.depth:
            return
        self.depth -= 1
        if self.output_depth:
            self.output_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.output_depth:
            self.text.append(data)


def cell_output(page: str, cell_id: str) -> str | None:
    """What the cell with that HTML id printed, or None when the page has no such cell."""
    parser = _CellOutput(cell_id)
    parser.feed(page)
    return "".join(parser.text) if parser.found else None


def broken_links(report_html: Path) -> tuple[int, list[str]]:
    """(number of register links, the ones whose cell does not print ``key = ``)."""
    text = Path(report_html).read_text(encoding="utf-8")
    table = text[text.index('id="tbl-findings-register"') :]
    table = table[: table.index("</table>")]
    pages: dict[str, str] = {}
    links, broken = 0, []
    for row in ROW.findall(table):
        key, link = KEY.search(row), LINK.search(row)
        if not key or not link:
            continue
        links += 1
        name, cell_id = link.groups()
        path = Path(report_html).parent / name
        page = pages.setdefault(name, path.read_text(encoding="utf-8") if path.is_file() else "")
        printed = cell_output(page, cell_id)
        if printed is None:
            broken.append(f"{key.group(1)}: {name} has no cell {cell_id}")
        elif f"{key.group(1)} = " not in printed:
            broken.append(f"{key.group(1)}: {name}#{cell_id} prints {printed.strip()[:80]!r}")
    return links, broken
