"""Read the dates of an imported file without ever guessing.

A listing copied into a spreadsheet may hold dates as ISO (2019-04-13), with the month spelled
out (13 April 2019, April 13, 2019), as numbers with separators (04/13/2019 or 13/04/2019), or as
an Excel serial number (43568). Only the first two are unambiguous. Day/month and month/day
numbers are refused unless the caller gives the file's format (``--date-format %m/%d/%Y``),
even where one value happens to fit only one reading: a column that mixes the two conventions
must not be read half one way and half the other. The refusal says which reading every date in
the column fits, so the fix is one option away. Serial numbers are refused with the way to
export them as dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$")
NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")
SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
# Month names make the order plain; two-digit years are left out (their century is a guess).
SPELLED = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d %b. %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 on Windows (it counts a 29 February 1900 that never was)


@dataclass(frozen=True)
class DateError:
    """Why one text is not read as a date: the rule broken and what to do."""

    rule: str
    fix: str


def _numeric_formats(values: Sequence[str]) -> list[str]:
    """The strptime formats (day-first, month-first) that read every d/m or m/d value given."""
    fitting = []
    for order in ("dm", "md"):
        ok = True
        for value in values:
            m = NUMERIC.match(value)
            if m is None:
                continue
            first, second = int(m.group(1)), int(m.group(3))
            day, month = (first, second) if order == "dm" else (second, first)
            try:
                dt.date(int(m.group(4)), month, day)
            except ValueError:
                ok = False
                break
        if ok:
            fitting.append(order)
    return fitting


def _format_for(order: str, sample: str) -> str:
    m = NUMERIC.match(sample)
    sep = m.group(2) if m else "/"
    return sep.join(("%d", "%m") if order == "dm" else ("%m", "%d")) + f"{sep}%Y"


def numeric_fix(column_values: Sequence[str]) -> str:
    """What to do about day/month-or-month/day dates, judged on every such value of the column."""
    numeric = [v for v in column_values if NUMERIC.match(v)]
    if not numeric:
        return ""
    fitting = _numeric_formats(numeric)
    sample = numeric[0]
    if len(fitting) == 1:
        fmt = _format_for(fitting[0], sample)
        reading = "day-first" if fitting[0] == "dm" else "month-first"
        return (
            f"every such date in the column fits only the {reading} reading: if that is the source's format, rerun with --date-format {fmt}"
        )
    if fitting:
        return (
            f"the column does not show which comes first; check the source and rerun with --date-format {_format_for('dm', sample)} "
            f"(day first) or --date-format {_format_for('md', sample)} (month first), or write the dates as YYYY-MM-DD"
        )
    return "the column mixes day-first and month-first dates (no one reading fits them all): correct them, writing YYYY-MM-DD"


def parse(text: str, date_format: str | None = None, *, column_values: Sequence[str] = ()) -> dt.date | DateError:
    """One cell as a date, or why not. ``column_values`` (the whole column) only shapes the advice."""
    text = text.strip()
    m = ISO.match(text)
    if m:  # ISO is unambiguous, with or without a format given
        try:
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            return DateError("is not a valid calendar date", "correct it (YYYY-MM-DD)")
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            return DateError(f"does not match the date format {date_format} given with --date-format", "correct the date or the format")
    if NUMERIC.match(text):
        return DateError(
            "is written as day/month or month/day numbers, which cannot be told apart without the file's format",
            numeric_fix(list(column_values) or [text]),
        )
    if SERIAL.match(text):
        as_serial = EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
        return DateError(
            f"is a number, not a date: an Excel serial date (it would be {as_serial.isoformat()})",
            "format the column as dates in the spreadsheet (Format Cells > Date, as YYYY-MM-DD) and export it again",
        )
    for fmt in SPELLED:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return DateError("is not a date", "write it as YYYY-MM-DD, or give the file's format with --date-format (e.g. %d.%m.%Y)")
