"""What is wrong with an input file, and reading CSV files so that every failure is one.

A :class:`Problem` names the file, the row (as a line number in the file, header = line 1), the
column, the offending value, the rule it breaks and what to do. The validator, the survey
importers and the listing importer all report in these terms, so they share this module rather
than importing it from one another. pandera stays out of here: turning a schema's failures into
problems belongs to the validator (:func:`poc1540.intake.validate.problems_from_schema`).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

CHUNK_ROWS = 100_000  # survey rows validated at a time: memory stays bounded for any file size
MAX_PER_RULE = 50  # problems listed per file, column and rule; the rest are counted
BLOCK = 1 << 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one raw file."""

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fix: str = ""
    severity: str = "error"
    key: str | None = None  # a key of a YAML file (a parameter), where a CSV has a column

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        if self.key:
            where += f", key '{self.key}'"
        text = f"{self.severity.upper()}: {where}"
        if self.value is not None:
            text += f": value {self.value!r}"
        text += f" {self.rule}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class CsvError(Exception):
    """A CSV file that cannot be read; carries the Problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _precheck(path: Path, shown: str) -> list[Problem]:
    """Problems visible before parsing: empty, not a CSV, not UTF-8, wrong delimiter, no data.

    Reads the file in blocks, so a large file is never held in memory whole.
    """
    with open(path, "rb") as fh:
        head = fh.read(BLOCK)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        what = "holds only a byte-order mark" if head.startswith(codecs.BOM_UTF8) else "is empty"
        return [Problem(shown, f"{what}: expected a header row and data rows", fix="export the file again")]
    if head.startswith(b"PK\x03\x04"):
        return [
            Problem(
                shown,
                "is an Excel workbook, not a CSV file",
                fix="import it with 'poc1540 import --format qualtrics-xlsx' (or surveymonkey-xlsx), which writes the tidy CSV",
            )
        ]
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                with open(path, "rb") as again:
                    before = again.read(bad + 1)
                line = before[:bad].count(b"\n") + 1
                return [
                    Problem(
                        shown,
                        f"is not valid UTF-8 (byte 0x{before[bad]:02x} on line {line})",
                        row=line,
                        fix="save the file as UTF-8 (CSV UTF-8 in Excel), or import it with 'poc1540 import --encoding cp1252', which converts it",
                    )
                ]
            lines += block.count(b"\n")
            offset += len(block)
    header = head.decode("utf-8-sig", errors="replace").splitlines()[0]
    if "," not in header and ";" in header:
        return [Problem(shown, "uses ';' as delimiter; a comma is expected", row=1, fix="export as comma-separated CSV")]
    if len([ln for ln in head.decode("utf-8-sig", errors="replace").splitlines() if ln.strip()]) < 2:
        return [Problem(shown, "has a header row but no data rows", fix="export the file again with its data")]
    return []


def _header(path: Path, shown: str) -> list[str]:
    """The header row's cells as written; two columns of one name are refused (pandas would rename one)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = [c.strip() for c in next(csv.reader(fh), [])]
    seen: dict[str, int] = {}
    for k, name in enumerate(header):
        if name and name in seen:
            raise CsvError(
                Problem(
                    shown,
                    f"has two columns named '{name}' (columns {seen[name] + 1} and {k + 1} of the header)",
                    row=1,
                    column=name,
                    fix="remove or rename one of them: a column name must say which values it holds",
                )
            )
        seen.setdefault(name, k)
    return header


def iter_csv_text(path: Path, shown: str, chunk_rows: int = CHUNK_ROWS, notes: list[Problem] | None = None) -> Iterator[pd.DataFrame]:
    """Read a CSV in chunks with every cell as text; the index counts rows across chunks.

    Rows and header-less columns with nothing in them (a spreadsheet's trailing blank rows and
    columns) are dropped, each kind with one warning appended to ``notes``. Raises ``CsvError``
    (a Problem) when the file cannot be parsed.
    """
    problems = _precheck(path, shown)
    if problems:
        raise CsvError(problems[0])
    header = _header(path, shown)
    names = [name or f"(unnamed column {k + 1})" for k, name in enumerate(header)]
    blank_columns = [n for n, name in zip(names, header) if not name]
    blank_rows: list[int] = []
    reader = pd.read_csv(
        path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", chunksize=chunk_rows, header=0, names=names
    )
    try:
        for chunk in reader:
            for column in list(blank_columns):
                if (chunk[column].str.strip() != "").any():
                    raise CsvError(
                        Problem(shown, "has values in a column without a header", row=1, column=column, fix="name the column, or delete it")
                    )
            chunk = chunk.drop(columns=blank_columns)
            empty = (chunk.apply(lambda s: s.str.strip()) == "").all(axis=1) if len(chunk.columns) else pd.Series(False, index=chunk.index)
            blank_rows += [int(i) + 2 for i in chunk.index[empty]]
            yield chunk[~empty]
    except (pd.errors.ParserError, csv.Error) as exc:
        raise CsvError(
            Problem(
                shown,
                f"cannot be parsed as CSV: {exc}",
                fix="check quoting (an unclosed quote often means the file was cut short) and the delimiter (a comma)",
            )
        ) from None
    if notes is not None and blank_columns:
        notes.append(
            Problem(
                shown,
                f"has {len(blank_columns)} empty column(s) without a header (as a spreadsheet leaves them); they are ignored",
                row=1,
                severity="warning",
            )
        )
    if notes is not None and blank_rows:
        notes.append(
            Problem(
                shown,
                f"has {len(blank_rows)} empty row(s) (rows {', '.join(map(str, blank_rows[:10]))}{' ...' if len(blank_rows) > 10 else ''}); they are ignored",
                severity="warning",
            )
        )


def read_csv_text(path: Path, shown: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a (small) CSV whole, every cell as text, or explain why it cannot be read (with any notes on blank rows)."""
    notes: list[Problem] = []
    try:
        chunks = list(iter_csv_text(path, shown, notes=notes))
    except CsvError as exc:
        return None, [exc.problem]
    return pd.concat(chunks), notes


def cap(problems: list[Problem], most: int = MAX_PER_RULE) -> list[Problem]:
    """Keep the first ``most`` problems of each kind (file, column, rule) and count the rest."""
    kept: list[Problem] = []
    extra: dict[tuple, int] = {}
    seen: dict[tuple, int] = {}
    for p in problems:
        kind = (p.file, p.column, p.rule, p.severity)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= most:
            kept.append(p)
        else:
            extra[kind] = extra.get(kind, 0) + 1
    for (file, column, rule, severity), count in extra.items():
        kept.append(Problem(file, f"... and {count:,} more rows break the same rule ({rule})", column=column, severity=severity))
    return kept
