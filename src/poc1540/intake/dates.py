"""Read the dates of an input file without ever guessing, and say why a value is refused.

The one date reader of intake: the survey importers (date questions and the submission time,
``poc1540 import``), the listing import (``poc1540 import --format listing``) and the validator
(which explains the dates of a tidy file that are not written YYYY-MM-DD) all call :func:`read`
or :func:`explain`, so a date is refused for the same reasons, in the same words, everywhere.

A file may hold dates as ISO (2019-04-13, 2019-04-13 10:15:02), with the month spelled out
(13 April 2019, April 13, 2019), as numbers with separators (04/13/2019 or 13/04/2019, often
with a time: 04/13/2019 10:15:02 AM) or as an Excel serial number (43568). ISO and spelled
months are read. Day/month and month/day numbers are refused unless the file's format is given
(``--date-format %m/%d/%Y``, or a mapping's ``date_format``), even where one value happens to fit
only one reading: a column that mixes the two conventions must not be read half one way and half
the other. The refusal is judged on the whole column, so it says which reading every date fits
and the exact format to pass. A serial number is refused with how to turn it back into a date.

Every refusal is a :class:`DateError`: the rule broken (a phrase that follows the value, "is ...")
and what to do. The caller adds the file, row, column and value; :class:`Advice` says how that
caller's user gives a format (an option, a mapping key, or the import command for a tidy file).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]+(.+))?$")
SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")  # 10000 is 1927-05-18, 99999 is 2173-10-14
YEAR = re.compile(r"^\d{4}(?:\.0+)?$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(:\d{2})?(\s*)([AaPp][Mm])?$")
# Month names make the order plain; two-digit years are left out (their century is a guess).
SPELLED = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d %b. %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 on Windows (it counts a 29 February 1900 that never was)
SPREADSHEET_FIX = "in the spreadsheet, format the column as dates (Format Cells > Date, as YYYY-MM-DD) and save the file again"


@dataclass(frozen=True)
class DateError:
    """Why one text is not read as a date: the rule broken and what to do. ``kind`` is one of
    ``serial``, ``numeric``, ``format`` (the given format does not read it), ``invalid`` (no such
    calendar day) or ``other``."""

    rule: str
    fix: str
    kind: str = "other"


@dataclass(frozen=True)
class Advice:
    """How the caller's user gives a date format, for the fix of a refusal.

    ``verb`` and ``option`` say how to pass one (``{fmt}`` is replaced by the format, quoted
    when it has a space); ``also`` is an alternative said once after it (e.g. the mapping's
    ``date_format``); ``given`` where the formats in use came from, for a value they do not read;
    ``source`` the other way to get the dates right.
    """

    verb: str = "rerun with"
    option: str = "--date-format {fmt}"
    also: str = ""
    given: str = "given with --date-format"
    source: str = "export it again from its source"

    def give(self, fmt: str) -> str:
        """The option that passes ``fmt``."""
        return self.option.format(fmt=f'"{fmt}"' if " " in fmt else fmt)

    def tail(self) -> str:
        return f" ({self.also})" if self.also else ""


#: The advice of ``poc1540 import``: a format is given with --date-format.
OPTION = Advice()


def _orders(values: Sequence[str]) -> list[str]:
    """The orders (``dm`` day first, ``md`` month first) that read every d/m or m/d value given as a calendar day."""
    fitting = []
    for order in ("dm", "md"):
        ok = True
        for value in values:
            m = NUMERIC.match(value.strip())
            if m is None:
                continue
            first, second = int(m.group(1)), int(m.group(3))
            day, month = (first, second) if order == "dm" else (second, first)
            year = int(m.group(4))
            try:
                dt.date(year if year > 99 else 2000 + year, month, day)
            except ValueError:
                ok = False
                break
        if ok:
            fitting.append(order)
    return fitting


def _time_format(text: str) -> str | None:
    """The strptime codes of a time such as 10:15, 10:15:02 or 10:15:02 AM (None if it is no time)."""
    m = TIME.match(text.strip())
    if m is None:
        return None
    seconds = ":%S" if m.group(3) else ""
    if m.group(5):  # 12-hour clock
        return f"%I:%M{seconds}{' ' if m.group(4) else ''}%p"
    return f"%H:%M{seconds}"


def format_for(order: str, sample: str) -> str:
    """The strptime format of ``sample`` (a d/m or m/d date, perhaps with a time) read in ``order``."""
    m = NUMERIC.match(sample.strip())
    if m is None:
        return "%d/%m/%Y" if order == "dm" else "%m/%d/%Y"
    sep = m.group(2)
    year = "%Y" if len(m.group(4)) == 4 else "%y"
    fmt = sep.join(("%d", "%m") if order == "dm" else ("%m", "%d")) + sep + year
    time = _time_format(m.group(5)) if m.group(5) else None
    gap = sample.strip()[m.end(4) : m.start(5)] if m.group(5) else ""
    return fmt + (("T" if "T" in gap else " ") + time if time else "")


def numeric_fix(column_values: Sequence[str], advice: Advice = OPTION) -> str:
    """What to do about day/month-or-month/day dates, judged on every such value of the column."""
    numeric = [v.strip() for v in column_values if NUMERIC.match(v.strip())]
    if not numeric:
        return ""
    fitting = _orders(numeric)
    sample = numeric[0]
    if len(fitting) == 1:
        reading = "day-first" if fitting[0] == "dm" else "month-first"
        return (
            f"every such date in the column fits only the {reading} reading: if that is how the source writes dates, "
            f"{advice.verb} {advice.give(format_for(fitting[0], sample))}{advice.tail()}"
        )
    if fitting:
        return (
            f"the column does not show which comes first; check the source and {advice.verb} {advice.give(format_for('dm', sample))} (day first) "
            f"or {advice.give(format_for('md', sample))} (month first){advice.tail()}, or write the dates as YYYY-MM-DD"
        )
    return "the column mixes day-first and month-first dates (no one reading fits them all): correct them, writing YYYY-MM-DD"


def _strptime(text: str, fmt: str, times: bool) -> dt.date | dt.datetime | None:
    try:
        value = dt.datetime.strptime(text, fmt)
    except ValueError:
        return None
    return value if times else value.date()


def _iso(text: str, times: bool) -> dt.date | dt.datetime | DateError | None:
    """An ISO date (with or without a time), a refusal for one that names no calendar day, or None."""
    if not ISO_DAY.match(text):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            dt.date.fromisoformat(text[:10])
        except ValueError:
            return DateError("is not a valid calendar date", "correct it (YYYY-MM-DD)", "invalid")
        return None
    if times and value.tzinfo is not None:
        return None  # a time zone offset: not what the platforms write, and not to be dropped unsaid
    return value if times else value.date()


def read(
    text: str, formats: Sequence[str] = (), *, column: Sequence[str] = (), times: bool = False, advice: Advice = OPTION
) -> dt.date | dt.datetime | DateError:
    """One cell as a date (``times``: a date and time), or why not.

    ``formats`` (strptime codes: the file's own way of writing dates) are tried first, then ISO
    forms, then dates with the month spelled out. ``column`` (every value of the cell's column)
    only shapes the advice for day/month numbers.
    """
    text = text.strip()
    for fmt in formats:
        value = _strptime(text, fmt, times)
        if value is not None:
            return value
    iso = _iso(text, times)
    if iso is not None:
        return iso
    for fmt in SPELLED:
        value = _strptime(text, fmt, times)
        if value is not None:
            return value
    return refusal(text, formats, column=column, times=times, advice=advice)


def refusal(
    text: str, formats: Sequence[str] = (), *, column: Sequence[str] = (), times: bool = False, advice: Advice = OPTION
) -> DateError:
    """Why ``text`` is not read as a date (the caller has found that no format reads it)."""
    text = text.strip()
    what = "a date and time" if times else "a date"
    if SERIAL.match(text):
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
        return DateError(
            f"is an Excel date serial number (days since 1899-12-30; it would be {day.isoformat()}), not {what}",
            f"{SPREADSHEET_FIX}, or {advice.source}",
            "serial",
        )
    numeric = NUMERIC.match(text) is not None
    if formats:
        shown = ", ".join(formats)
        return DateError(
            f"does not match the date format{'s' if len(formats) > 1 else ''} {shown} {advice.given}",
            numeric_fix(list(column) or [text], advice)
            if numeric
            else 'correct the date, or the format (strptime codes, e.g. %d/%m/%Y or "%m/%d/%Y %I:%M:%S %p")',
            "format",
        )
    if numeric:
        return DateError(
            "is a date written as day/month or month/day numbers, and which comes first is never guessed",
            numeric_fix(list(column) or [text], advice),
            "numeric",
        )
    if YEAR.match(text):
        return DateError(f"is a year (or another number), not {what}", "give the whole date, written YYYY-MM-DD", "other")
    return DateError(
        f"is not {what}",
        f"write it as YYYY-MM-DD{' HH:MM:SS' if times else ''}, or give the file's format: {advice.verb} {advice.give('%d.%m.%Y')}{advice.tail()}",
        "other",
    )
