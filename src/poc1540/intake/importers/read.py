"""Reading an export file into a grid of text cells, each row with the line it starts on.

CSV files are decoded strictly (UTF-8 first, UTF-16 with its byte-order mark as Qualtrics writes
its TSV export, another encoding only when asked for) and parsed strictly (an unclosed quote is a
problem, not a guess; the separator is a comma unless the file plainly uses ';' or tabs); an Excel
workbook's first sheet is read with its merged header cells filled in. Row numbers in every later
problem come from here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from poc1540.core.problems import Problem
from poc1540.intake.importers.common import Stop


@dataclass
class Grid:
    """Every non-blank row of the export as text cells, with the line (CSV) or sheet row (xlsx) it starts on."""

    shown: str
    rows: list[list[str]]
    lines: list[int]
    notes: list[Problem] = field(default_factory=list)  # what reading dropped (blank rows and columns)


def trim(grid: Grid) -> Grid:
    """Drop rows with nothing in them and the empty columns right of the last one used, as a
    spreadsheet leaves them, with a note for each kind (not a problem per empty cell)."""
    kept = [(line, row) for line, row in zip(grid.lines, grid.rows) if any(cell.strip() for cell in row)]
    notes = list(grid.notes)
    blank = [line for line, row in zip(grid.lines, grid.rows) if not any(cell.strip() for cell in row)]
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (f" and {len(blank) - 10} more" if len(blank) > 10 else "")
        notes.append(
            Problem(grid.shown, f"has {len(blank)} empty row(s) (rows {shown}); they are ignored", row=blank[0], severity="warning")
        )
    used = max((max((k + 1 for k, cell in enumerate(row) if cell.strip()), default=0) for _, row in kept), default=0)
    widest = max((len(row) for _, row in kept), default=0)
    if widest > used:
        notes.append(
            Problem(
                grid.shown,
                f"has {widest - used} empty column(s) after the last one used; they are ignored",
                row=kept[0][0] if kept else None,
                severity="warning",
            )
        )
    rows = [row[:used] for _, row in kept]  # a row shorter than the header stays short: that is a problem of its own
    return Grid(grid.shown, rows, [line for line, _ in kept], notes)


def decode(raw: bytes, shown: str, encoding: str | None = None) -> str:
    """UTF-8 (a byte-order mark is dropped), or UTF-16 with its byte-order mark (Qualtrics' TSV export);
    another encoding only if UTF-8 fails and it was asked for."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Qualtrics writes its TSV export so
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Stop(
                [
                    Problem(
                        shown,
                        f"starts as UTF-16 text (a TSV export) but is cut or damaged at byte {exc.start}",
                        fix="export the file again",
                    )
                ]
            ) from None
    if raw.startswith(b"PK\x03\x04"):
        raise Stop(
            [
                Problem(
                    shown,
                    "is an Excel workbook (or another zip file), not a CSV file",
                    fix="import it with --format qualtrics-xlsx or surveymonkey-xlsx",
                )
            ]
        )
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc
    line = raw[: bad.start].count(b"\n") + 1
    line_start = raw.rfind(b"\n", 0, bad.start) + 1
    line_end = raw.find(b"\n", bad.start)
    line_end = len(raw) if line_end == -1 else line_end
    field_start = max(line_start, raw.rfind(b",", line_start, bad.start) + 1)  # the value the byte is in
    field_end = raw.find(b",", bad.start, line_end)
    context = raw[field_start : field_end if field_end != -1 else line_end][:80]
    shown_context = context.decode("utf-8", errors="backslashreplace").strip('\r"')
    if encoding:
        try:
            fallback = codecs.lookup(encoding).name
        except LookupError:
            raise Stop(
                [
                    Problem(
                        shown,
                        f"cannot be decoded: '{encoding}' is not an encoding Python knows",
                        fix="use --encoding cp1252 (Windows / Latin-1 text) or utf-8",
                    )
                ]
            ) from None
        if fallback not in ("utf-8", "utf-8-sig"):
            try:
                return raw.decode(fallback)
            except UnicodeDecodeError as exc:
                where = raw[: exc.start].count(b"\n") + 1
                raise Stop(
                    [
                        Problem(
                            shown,
                            f"is neither UTF-8 nor {encoding}: byte 0x{raw[exc.start]:02x} on line {where} is undefined in {encoding}",
                            row=where,
                            fix="open the file in a text editor and save it as UTF-8",
                        )
                    ]
                ) from None
    raise Stop(
        [
            Problem(
                shown,
                f"is not valid UTF-8: byte 0x{raw[bad.start]:02x} on line {line} (byte {bad.start - line_start + 1} of the line) cannot be decoded",
                row=line,
                value=shown_context,
                fix="if the file was saved by Excel on Windows or as Latin-1, import it with --encoding cp1252 "
                "(or set 'encoding: cp1252' in the mapping file); otherwise export it again as UTF-8",
            )
        ]
    )


SEPARATORS = {";": "';'", "\t": "tabs"}
SNIFF_RECORDS = 200  # records compared when telling the separator


def _records(text: str, delimiter: str, limit: int) -> list[list[str]] | None:
    """The first ``limit`` non-blank records under ``delimiter``, or None if they do not parse."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: list[list[str]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                out.append(cells)
                if len(out) >= limit:
                    break
    except csv.Error:
        return None
    return out


def _fits(records: list[list[str]] | None) -> bool:
    """Every record has the header's cells (trailing empty ones aside), and the header more than one."""
    if not records:
        return False

    def width(cells: list[str]) -> int:
        return max((k + 1 for k, cell in enumerate(cells) if cell.strip()), default=0)

    header = len(records[0])
    return header > 1 and all(width(r) <= header and len(r) >= width(records[0]) for r in records)


def separator(text: str) -> str:
    """The file's separator: ',' unless the file plainly uses another.

    Excel saves "CSV" with ';' where the decimal separator is a comma, and Qualtrics' TSV export
    uses tabs. The separator is never guessed: a comma unless, read with commas, the records do
    not line up with the header while, read with exactly one of ';' or tab, every record does.
    """
    if _fits(_records(text, ",", SNIFF_RECORDS)):
        return ","
    fitting = [d for d in SEPARATORS if _fits(_records(text, d, SNIFF_RECORDS))]
    return fitting[0] if len(fitting) == 1 else ","


def parse_csv(text: str, shown: str, *, utf16: bool = False) -> Grid:
    """Parse CSV text (any line ends) strictly; an unclosed quote or stray quote is a problem, not a guess.

    A file separated by ';' or tabs throughout is read so (:func:`separator`); a ';' file, which
    only Excel writes, comes with a note. ``utf16``: the text was a UTF-16 file (Qualtrics' TSV).
    """
    delimiter = separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    notes: list[Problem] = []
    start = 1
    try:
        for cells in reader:
            if cells:  # a blank line holds nothing
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise Stop([_overlong(text, shown, start, rows[0] if rows else [], delimiter)]) from None
        if "unexpected end of data" in str(exc):
            rule = f"ends inside a quoted value that opens on line {start}: the file is cut short, or a quote is never closed"
        else:
            rule = f"cannot be read as CSV from line {start} on ({exc})"
        raise Stop(
            [
                Problem(
                    shown,
                    rule,
                    row=start,
                    fix='export the file again; if it was edited by hand, every quoted value must be closed and a quote inside a value doubled ("")',
                )
            ]
        ) from None
    if delimiter == "," and rows and len(rows[0]) == 1 and any(sep in rows[0][0] for sep in SEPARATORS):
        raise Stop(
            [
                Problem(
                    shown,
                    "is not comma-separated (it uses ';' or tabs), and its rows do not all have the header's number of values",
                    row=lines[0],
                    fix="export it again as comma-separated CSV",
                )
            ]
        )
    if delimiter == ";" or (delimiter == "\t" and not utf16):
        notes.append(
            Problem(
                shown,
                f"is separated by {SEPARATORS[delimiter]}, not commas"
                + (" (as Excel saves CSV where the decimal separator is a comma)" if delimiter == ";" else "")
                + ": it is read so",
                row=lines[0] if lines else None,
                severity="warning",
                fix="check that the spreadsheet did not change dates or numbers when it saved the file",
            )
        )
    return Grid(shown, rows, lines, notes)


def _overlong(text: str, shown: str, start: int, header: list[str], delimiter: str = ",") -> Problem:
    """The record from line ``start`` holds a value longer than the CSV reader's limit: which column,
    or, when the value runs to the end of the file, the quote that is never closed."""
    from poc1540.intake.importers.columns import letter

    limit = csv.field_size_limit()
    rest = "".join(io.StringIO(text, newline="").readlines()[start - 1 :])
    csv.field_size_limit(max(limit, len(rest) + 1))
    try:
        cells = next(csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:  # the value runs to the end: an unclosed quote
        cells = None
    finally:
        csv.field_size_limit(limit)
    if cells is None:
        return Problem(
            shown,
            f"ends inside a quoted value that opens on line {start}: the file is cut short, or a quote is never closed",
            row=start,
            fix='export the file again; if it was edited by hand, every quoted value must be closed and a quote inside a value doubled ("")',
        )
    k = next(i for i, cell in enumerate(cells) if len(cell) > limit)
    name = header[k] if k < len(header) else ""
    return Problem(
        shown,
        f"has a value of {len(cells[k]):,} characters, longer than the {limit:,} a CSV value may have",
        row=start,
        column=f"{name} (column {letter(k)})" if name else f"column {letter(k)}",
        value=cells[k][:40] + "...",
        fix="shorten the answer in the export (or remove what was pasted into it by mistake) and import again",
    )


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, shown: str) -> Grid:
    """The first sheet of a workbook, read by pandas (openpyxl), with merged cells filled in.

    A merged cell (SurveyMonkey merges a question's text over all its option columns) holds its
    value only in its top-left cell; openpyxl tells which ranges are merged, and every cell of a
    range gets that value, so the header reads as if the text were repeated.
    """
    import openpyxl

    try:
        frame = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl", keep_default_na=False, na_values=[])
        sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl/zipfile raise many types for a file that is not a workbook
        raise Stop(
            [
                Problem(
                    shown,
                    f"cannot be read as an Excel workbook (.xlsx): {exc}",
                    fix="save the export as .xlsx, or export it as CSV and use the CSV format",
                )
            ]
        ) from None
    rows = [[_cell_text(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value
    return Grid(shown, rows, list(range(1, len(rows) + 1)))


def read_grid(path: Path, shown: str, kind: str, encoding: str | None) -> Grid:
    """The export at ``path`` as a grid: ``kind`` is ``csv`` or ``xlsx``; ``encoding`` as for :func:`decode`."""
    if not path.is_file():
        raise Stop([Problem(shown, "does not exist" if not path.exists() else "is not a file", fix="give the path of the exported file")])
    if kind == "xlsx":
        return trim(read_xlsx(path, shown))
    raw = path.read_bytes()
    if not raw.removeprefix(codecs.BOM_UTF8).strip():
        what = "holds only a byte-order mark (the file was saved with no rows)" if raw.startswith(codecs.BOM_UTF8) else "is empty"
        raise Stop([Problem(shown, f"{what}: there is no header and no response", fix="export the file again from the survey platform")])
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return trim(parse_csv(decode(raw, shown, encoding), shown, utf16=utf16))
