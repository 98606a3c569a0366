"""Tables and plain text: Markdown (pipe tables), CSV, and any other text file, line by line."""

from __future__ import annotations

import csv
import io
import re

from poc1540.guard.model import Segment


def _split_row(line: str) -> list[str]:
    s = line.strip()
    s = s.removeprefix("|")
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]


def markdown(text: str, cells: bool) -> list[Segment]:
    """One segment per line; with ``cells``, pipe-table cells (but the header and first column) as counts."""
    segments: list[Segment] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        row_cells: tuple[tuple[str, str], ...] = ()
        if line.lstrip().startswith("|"):
            values = _split_row(line)
            if header is None:
                header = values
            elif all(re.fullmatch(r":?-+:?", v) for v in values if v):
                pass  # the delimiter row
            elif cells:
                row_cells = tuple((header[i] if i < len(header) else "", v) for i, v in enumerate(values) if i > 0)
        else:
            header = None
        segments.append(Segment(f"line {number}", (line.replace("\\|", "|"),), cells=row_cells))
    return segments


def csv_rows(text: str) -> list[Segment]:
    """One segment per record; cells but the first column (row labels) as counts, the header row not."""
    segments: list[Segment] = []
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    start = 1
    for values in reader:
        location = f"line {start}"
        start = reader.line_num + 1
        if header is None:
            header = values
            segments.append(Segment(location, (" ".join(values),)))
            continue
        row_cells = tuple((header[i] if i < len(header) else "", v) for i, v in enumerate(values) if i > 0)
        segments.append(Segment(location, (" ".join(values),), cells=row_cells))
    return segments


def lines(text: str) -> list[Segment]:
    """Any other text file: one segment per line."""
    return [Segment(f"line {n}", (line,)) for n, line in enumerate(text.splitlines(), start=1)]
