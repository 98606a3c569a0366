"""Executed notebooks (``.ipynb``): the cell *outputs* only, never the code.

Code that names a column such as ``respondent_id`` is not published data; what a cell prints or
displays is. Tables an output displays are measured (rows, a ``respondent_id`` header) for the
respondent-rows rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

from poc1540.guard.extract.html import html_text
from poc1540.guard.model import Displayed, Segment
from poc1540.guard.rules import plain

_ROWS_FOOTER = re.compile(r"\[(\d+) rows x \d+ columns\]|Length: (\d+)")


def joined(value: Any) -> str:
    """A notebook field that may be a list of lines, as one string."""
    return "".join(value) if isinstance(value, list) else str(value)


def code(text: str) -> str:
    """All the code cells of a notebook's JSON, for the scope's contradiction check; raises ValueError if it is not a notebook."""
    cells = json.loads(text).get("cells", [])
    return "\n".join(joined(c.get("source", "")) for c in cells if c.get("cell_type") == "code")


def _html_tables(html: str) -> list[Displayed]:
    found = []
    for table in re.findall(r"<table\b.*?</table>", html, flags=re.DOTALL | re.IGNORECASE):
        body = re.search(r"<tbody\b.*?</tbody>", table, flags=re.DOTALL | re.IGNORECASE)
        rows = len(re.findall(r"<tr\b", body.group(0) if body else table, flags=re.IGNORECASE)) - (0 if body else 1)
        heads = [plain(re.sub(r"<[^>]+>", " ", h)) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table, flags=re.DOTALL | re.IGNORECASE)]
        found.append(Displayed(rows, respondent_id="respondent_id" in heads))
    return found


def read(text: str) -> list[Segment]:
    """One segment per code-cell output: streams, errors and every text-like MIME type."""
    nb = json.loads(text)
    segments = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        for j, out in enumerate(cell.get("outputs", []) if cell.get("cell_type") == "code" else [], start=1):
            pieces: list[str] = []
            displayed: list[Displayed] = []
            if out.get("output_type") == "stream":
                pieces.append(joined(out.get("text", "")))
            elif out.get("output_type") == "error":
                pieces += [str(out.get("ename", "")), str(out.get("evalue", ""))]
                pieces += [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.get("traceback", [])]
            for mime, value in (out.get("data") or {}).items():
                if not mime.endswith("json"):
                    value = joined(value)
                if mime in ("text/html", "image/svg+xml"):
                    pieces.append(html_text(value))
                    if mime == "text/html":
                        displayed += _html_tables(value)
                elif mime.startswith("text/") or mime.endswith("json"):
                    pieces.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                    if mime == "text/plain":
                        displayed += [Displayed(int(m.group(1) or m.group(2)), footer=True) for m in _ROWS_FOOTER.finditer(value)]
            if pieces or displayed:
                segments.append(Segment(f"cell {i}, output {j}", ("\n".join(pieces),), displayed=tuple(displayed)))
    return segments
