"""Import a real survey export (Qualtrics, SurveyMonkey, or a tidy CSV) onto the codebook.

The result is exactly the canonical tidy table of ``data/raw/survey_responses.csv``: the
codebook's columns in codebook order, option codes, 0/1 for multi-select items (empty when the
question was skipped), Likert scores 1-5, ``na`` or empty, dates ``YYYY-MM-DD``, ISO3 countries.
Or, when anything is wrong, no table and a list of problems, each naming the file, the row (the
line of the export file, header rows counted; the sheet row for an .xlsx), the column, the value,
the rule and what to do. Nothing is written until the whole file has imported cleanly, and then
atomically (:func:`write_canonical`).

A mapping file (YAML, see ``params/import/*.yaml``) ties the export's columns and answer texts to
codebook ids, so a reworded question or option needs only a mapping change:

.. code-block:: yaml

    format: qualtrics            # or surveymonkey: which exports the mapping is for
    encoding: utf-8              # cp1252 allows a Windows/Latin-1 file (UTF-8 is still tried first)
    skip_rows: {Status: [Survey Preview, Survey Test]}   # rows that are not responses
    drop: [StartDate, IPAddress, ...]                    # export columns that are not imported
    questions:                   # one entry per codebook question id
      respondent_id: {generate: "R{n:03d}"}              # or {column: ...} to keep an id field
      country: {column: Q1, answers: {"Rep. of Korea": KOR}}
      submitted: {column: RecordedDate, date_format: "%Y-%m-%d %H:%M:%S"}
      agency: {column: Q2, answers: {Ministry of Foreign Affairs: foreign_affairs}}
      tasks: {column: Q8, items: {task_forward: Q8_1, ...}}
      suggestions: {column: ..., items: {sugg_other: {option: Other (please specify), any_text: true}}}
      sugg_other_text: {column: ..., option: Other (please specify)}
      some_question: {skip: true}                        # not asked in this export: left empty

``column`` is a Qualtrics column id (row 1, e.g. ``Q8``) or import id (row 3, ``QID8``), a
SurveyMonkey question text (row 1; ``option`` picks a row-2 text when the question has several
columns), or a canonical column name. ``items`` maps the items of a multi-select or Likert
question to their columns (Qualtrics column ids; SurveyMonkey option/statement texts, by default
the codebook's item labels). ``answers`` maps answer texts to codes; without it an answer matches
a codebook label or code, ignoring case, spacing and curly quotes (Likert: the scale labels, "Not
applicable" -> ``na``; scale: the number, its anchors, or "1 - Post Office"). Countries in any
common spelling are resolved by :mod:`poc1540.intake.countries`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import yaml

from poc1540.core import atomic, paths
from poc1540.intake import countries, schemas
from poc1540.core.problems import Problem
from poc1540.intake.validate import problems_from_schema

#: format name -> (export family, file kind)
FORMATS: dict[str, tuple[str, str]] = {
    "canonical": ("canonical", "csv"),
    "qualtrics": ("qualtrics", "csv"),
    "qualtrics-xlsx": ("qualtrics", "xlsx"),
    "surveymonkey": ("surveymonkey", "csv"),
    "surveymonkey-xlsx": ("surveymonkey", "xlsx"),
}
HEADER_ROWS = {"canonical": 1, "qualtrics": 3, "surveymonkey": 2}
MAPPINGS_DIR = paths.PARAMS / "import"
DEFAULT_MAPPINGS = {"qualtrics": MAPPINGS_DIR / "qualtrics.yaml", "surveymonkey": MAPPINGS_DIR / "surveymonkey.yaml"}
#: Where imported real responses go by default: git-ignored, never committed.
DEFAULT_OUT = paths.ROOT / "data" / "private" / "survey_responses.csv"

NA_TEXTS = ("not applicable", "n/a", "na")
MAPPING_KEYS = {"format", "encoding", "skip_rows", "drop", "questions", "description"}
QUESTION_KEYS = {"column", "option", "items", "answers", "date_format", "generate", "skip"}
ISO_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
SM_SINGLE_OPTIONS = ("response", "open-ended response", "")

# libyaml's loader when the wheel has it: the codebook and mappings are read on every import
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TRANSLATE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"})


class _Stop(Exception):
    """Abort the import with these problems (a file that cannot be read at all, a broken mapping)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def norm(text: Any) -> str:
    """The form answer and column texts are compared in: case, spacing, curly quotes and dashes ignored."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_TRANSLATE)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


# ---------------------------------------------------------------------------------------------
# Reading the file into a grid of text cells with their line numbers


@dataclass
class Grid:
    """Every non-blank row of the export as text cells, with the line (CSV) or sheet row (xlsx) it starts on."""

    shown: str
    rows: list[list[str]]
    lines: list[int]


def decode(raw: bytes, shown: str, encoding: str | None = None) -> str:
    """UTF-8 (a byte-order mark is dropped); another encoding only if UTF-8 fails and it was asked for."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _Stop([Problem(shown, "is UTF-16 text (a tab-separated export?), not a CSV file", row=1,
                             fix="export the data again as CSV, or as Excel and import it with the -xlsx format")])
    if raw.startswith(b"PK\x03\x04"):
        raise _Stop([Problem(shown, "is an Excel workbook (or another zip file), not a CSV file", fix="import it with --format qualtrics-xlsx or surveymonkey-xlsx")])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
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
    context = raw[field_start: field_end if field_end != -1 else line_end][:80]
    shown_context = context.decode("utf-8", errors="backslashreplace").strip('\r"')
    if encoding:
        try:
            fallback = codecs.lookup(encoding).name
        except LookupError:
            raise _Stop([Problem(shown, f"cannot be decoded: '{encoding}' is not an encoding Python knows", fix="use --encoding cp1252 (Windows / Latin-1 text) or utf-8")]) from None
        if fallback not in ("utf-8", "utf-8-sig"):
            try:
                return raw.decode(fallback)
            except UnicodeDecodeError as exc:
                where = raw[: exc.start].count(b"\n") + 1
                raise _Stop([Problem(shown, f"is neither UTF-8 nor {encoding}: byte 0x{raw[exc.start]:02x} on line {where} is undefined in {encoding}",
                                     row=where, fix="open the file in a text editor and save it as UTF-8")]) from None
    raise _Stop([Problem(
        shown,
        f"is not valid UTF-8: byte 0x{raw[bad.start]:02x} on line {line} (byte {bad.start - line_start + 1} of the line) cannot be decoded",
        row=line,
        value=shown_context,
        fix="if the file was saved by Excel on Windows or as Latin-1, import it with --encoding cp1252 "
        "(or set 'encoding: cp1252' in the mapping file); otherwise export it again as UTF-8",
    )])


def parse_csv(text: str, shown: str) -> Grid:
    """Parse CSV text (any line ends) strictly; an unclosed quote or stray quote is a problem, not a guess."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for cells in reader:
            if cells:  # a blank line holds nothing
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            rule = f"ends inside a quoted value that opens on line {start}: the file is cut short, or a quote is never closed"
        else:
            rule = f"cannot be read as CSV from line {start} on ({exc})"
        raise _Stop([Problem(shown, rule, row=start, fix="export the file again; if it was edited by hand, every quoted value must be closed and a quote inside a value doubled (\"\")")]) from None
    if rows and len(rows[0]) == 1 and any(sep in rows[0][0] for sep in (";", "\t")):
        raise _Stop([Problem(shown, "is not comma-separated (it uses ';' or tabs)", row=lines[0], fix="export it again as comma-separated CSV")])
    return Grid(shown, rows, lines)


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
        raise _Stop([Problem(shown, f"cannot be read as an Excel workbook (.xlsx): {exc}", fix="save the export as .xlsx, or export it as CSV and use the CSV format")]) from None
    rows = [[_cell_text(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value
    kept = [(i + 1, row) for i, row in enumerate(rows) if any(cell.strip() for cell in row)]
    return Grid(shown, [row for _, row in kept], [line for line, _ in kept])


# ---------------------------------------------------------------------------------------------
# Export columns


@dataclass(frozen=True)
class Column:
    """One column of the export, named the way the mapping names it."""

    index: int
    key: str  # Qualtrics column id, SurveyMonkey question text, canonical column name
    option: str = ""  # SurveyMonkey row-2 text
    import_id: str = ""  # Qualtrics row-3 import id

    @property
    def shown(self) -> str:
        name = f"{_short(self.key)} / {self.option}" if self.option else self.key
        return f"{name} (column {_letter(self.index)})"


def _import_id(cell: str) -> str | None:
    try:
        value = json.loads(cell)
    except (json.JSONDecodeError, TypeError):
        return None
    return str(value["ImportId"]) if isinstance(value, dict) and "ImportId" in value else None


def export_columns(family: str, grid: Grid) -> list[Column]:
    """Name the export's columns from its header rows, checking the header has the family's shape."""
    need = HEADER_ROWS[family]
    width = max(len(r) for r in grid.rows[:need])
    header = [row + [""] * (width - len(row)) for row in grid.rows[:need]]
    shown = grid.shown
    if family == "qualtrics":
        ids, _texts, imports = header
        found = [_import_id(cell) for cell in imports]
        if sum(f is not None for f in found) < max(1, sum(1 for i in ids if i.strip()) // 2):
            raise _Stop([Problem(
                shown,
                'does not have the three header rows of a Qualtrics export: row 3 should hold import ids such as {"ImportId":"QID1"}',
                row=grid.lines[2], value=_short(",".join(imports), 80),
                fix="export again from Qualtrics as CSV or Excel (not the legacy format, which has two header rows), or pick the --format that matches the file",
            )])
        columns = [Column(k, ids[k].strip(), import_id=found[k] or "") for k in range(width) if ids[k].strip()]
    elif family == "surveymonkey":
        questions, options = header
        if "respondent id" not in {norm(q) for q in questions} and not any(norm(o) in SM_SINGLE_OPTIONS[:2] for o in options):
            raise _Stop([Problem(
                shown,
                "does not have the two header rows of a SurveyMonkey export: row 1 should hold the question texts (with 'Respondent ID'), row 2 'Response' or the option texts",
                row=grid.lines[0], value=_short(",".join(questions), 80),
                fix="export again from SurveyMonkey (All responses data, CSV or XLS, expanded columns), or pick the --format that matches the file",
            )])
        current = ""
        columns = []
        for k in range(width):
            current = questions[k].strip() or current  # a question's text is written once over its columns
            if current or options[k].strip():
                columns.append(Column(k, current, option=options[k].strip()))
    else:
        columns = [Column(k, header[0][k].strip()) for k in range(width) if header[0][k].strip()]
    seen: dict[tuple[str, str], Column] = {}
    problems = []
    for col in columns:
        name = (norm(col.key), norm(col.option))
        if name in seen:
            problems.append(Problem(shown, f"has two columns with the same name (also column {_letter(seen[name].index)})", row=grid.lines[0], column=col.shown,
                                    fix="rename one of them in the export, or export again"))
        seen[name] = col
    if problems:
        raise _Stop(problems)
    return columns


# ---------------------------------------------------------------------------------------------
# The mapping


@dataclass
class Spec:
    """How one codebook question is read from the export."""

    qid: str
    column: str | None = None
    option: str | None = None
    items: dict[str, tuple[str, bool]] = field(default_factory=dict)  # item code -> (column or option text, any_text)
    answers: dict[str, str] = field(default_factory=dict)  # normalised answer text -> code
    date_formats: list[str] = field(default_factory=list)
    generate: str | None = None
    skip: bool = False


@dataclass
class Mapping:
    shown: str
    encoding: str | None = None
    skip_rows: dict[str, list[str]] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    specs: dict[str, Spec] = field(default_factory=dict)


def _codes(q: dict[str, Any], na: str) -> list[str]:
    """The codes an answer to question ``q`` may map to."""
    kind = q["type"]
    if kind in ("single", "ordinal"):
        return [str(o["code"]) for o in q["options"]]
    if kind == "multi":
        return [str(i["code"]) for i in q["items"]]
    if kind == "likert":
        return [str(v) for v in q["scale"]] + ([na] if q.get("allow_na") else [])
    if kind == "scale":
        return [str(v) for v in range(int(q["min"]), int(q["max"]) + 1)]
    return []


def canonical_mapping(codebook: dict[str, Any]) -> Mapping:
    """The identity mapping of a tidy CSV: every codebook column under its own name."""
    specs = {}
    for q in codebook["questions"]:
        items = {str(i["code"]): (str(i["code"]), False) for i in q.get("items", [])}
        specs[q["id"]] = Spec(q["id"], column=q["id"], items=items)
    return Mapping("(canonical columns)", specs=specs)


def load_mapping(path: Path, family: str, codebook: dict[str, Any], members: dict[str, str]) -> Mapping:
    """Read and check a mapping file against the codebook; every mistake in it is a problem."""
    shown = paths.relative(path)
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise _Stop([Problem(shown, "does not exist", fix="give the path of a mapping file, e.g. params/import/qualtrics.yaml")]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _Stop([Problem(shown, f"is not valid YAML: {exc}".replace("\n", " "))]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), dict):
        raise _Stop([Problem(shown, "must be a mapping with a 'questions' mapping (codebook question id -> where to find it)")])
    problems: list[Problem] = []

    def bad(rule: str, column: str | None = None, value: Any = None, fix: str = "") -> None:
        problems.append(Problem(shown, rule, column=column, value=None if value is None else str(value), fix=fix))

    for key in raw:
        if key not in MAPPING_KEYS:
            bad("has an unknown top-level key", value=key, fix=f"use only {', '.join(sorted(MAPPING_KEYS))}")
    if raw.get("format") not in (None, family):
        bad(f"is a mapping for '{raw['format']}' exports, not '{family}'", column="format", value=raw["format"], fix=f"use params/import/{family}.yaml or a copy of it")
    mapping = Mapping(shown, encoding=raw.get("encoding"))
    mapping.drop = [str(d) for d in raw.get("drop") or []]
    skip_rows = raw.get("skip_rows") or {}
    if not isinstance(skip_rows, dict):
        bad("'skip_rows' must map a column to the values that mark rows to skip", column="skip_rows")
    else:
        mapping.skip_rows = {str(k): [str(v) for v in (vals if isinstance(vals, list) else [vals])] for k, vals in skip_rows.items()}

    na = str(codebook.get("not_applicable", "na"))
    by_id = {q["id"]: q for q in codebook["questions"]}
    for qid, entry in raw["questions"].items():
        if qid not in by_id:
            close = difflib.get_close_matches(str(qid), list(by_id), n=1)
            bad("names a question the codebook does not have", column=str(qid), fix=f"use a codebook question id{f' (did you mean {close[0]!r}?)' if close else ''}")
            continue
        q = by_id[qid]
        if isinstance(entry, str):
            entry = {"column": entry}
        if not isinstance(entry, dict):
            bad("must be a mapping such as {column: Q1}", column=qid, value=entry)
            continue
        for key in entry:
            if key not in QUESTION_KEYS:
                bad("has an unknown key", column=qid, value=key, fix=f"use only {', '.join(sorted(QUESTION_KEYS))}")
        spec = Spec(qid, skip=bool(entry.get("skip")))
        for key in ("column", "option"):
            value = entry.get(key)
            if isinstance(value, bool):
                bad(f"'{key}' reads as true/false", column=qid, value=value, fix="put the text in quotes")
            elif value is not None:
                setattr(spec, key, str(value))
        if entry.get("generate") is not None:
            if q["type"] != "key":
                bad("'generate' is only for the respondent id", column=qid)
            else:
                try:
                    str(entry["generate"]).format(n=1)
                    spec.generate = str(entry["generate"])
                except (KeyError, IndexError, ValueError) as exc:
                    bad(f"'generate' must be a Python format string with {{n}}, e.g. R{{n:03d}} ({exc})", column=qid, value=entry["generate"])
        if entry.get("date_format") is not None:
            if q["type"] != "date":
                bad("'date_format' is only for a date question", column=qid)
            formats = entry["date_format"]
            spec.date_formats = [str(f) for f in (formats if isinstance(formats, list) else [formats])]
        items = entry.get("items") or {}
        if items and q["type"] not in ("multi", "likert"):
            bad("'items' is only for a multi-select or Likert question", column=qid)
        elif not isinstance(items, dict):
            bad("'items' must map item codes to columns", column=qid)
        else:
            known = [str(i["code"]) for i in q.get("items", [])]
            for code, target in items.items():
                if str(code) not in known:
                    bad(f"'items' names '{code}', which is not an item of '{qid}'", column=qid, value=code, fix=f"use one of {', '.join(known)}")
                    continue
                any_text = False
                if isinstance(target, dict):
                    any_text = bool(target.get("any_text"))
                    target = target.get("column", target.get("option"))
                if target is None or isinstance(target, bool):
                    bad(f"item '{code}' needs a column (or option text) in quotes", column=qid, value=target)
                    continue
                spec.items[str(code)] = (str(target), any_text)
        answers = entry.get("answers") or {}
        if not isinstance(answers, dict):
            bad("'answers' must map answer texts to codes", column=qid)
            answers = {}
        allowed = set(members) if q["type"] == "country" else set(_codes(q, na))
        for text, code in answers.items():
            if isinstance(text, bool) or isinstance(code, bool):
                bad("an answer text or code reads as true/false (YAML reads unquoted yes/no/on/off so)", column=qid, value=f"{text}: {code}", fix="put both in quotes, e.g. \"Yes\": \"yes\"")
                continue
            if str(code) not in allowed:
                codes = "an ISO3 code of a UN Member State" if q["type"] == "country" else ", ".join(sorted(allowed)) or "(this question takes no coded answers)"
                bad(f"'answers' maps {str(text)!r} to '{code}', which is not a code of '{qid}'", column=qid, value=code, fix=f"use {codes}")
                continue
            spec.answers[norm(text)] = str(code)
        if not spec.skip and spec.generate is None and spec.column is None and not (q["type"] in ("multi", "likert") and spec.items):
            bad("says neither where to find the question ('column', or 'items') nor 'skip: true'", column=qid)
        mapping.specs[qid] = spec
    for q in codebook["questions"]:
        if q["id"] not in mapping.specs:
            if q["type"] == "key":
                mapping.specs[q["id"]] = Spec(q["id"], generate="R{n:03d}")
            else:
                bad(f"says nothing about the codebook question '{q['id']}'", column=q["id"],
                    fix=f"add '{q['id']}: {{column: ...}}' under questions, or '{q['id']}: {{skip: true}}' if the export does not have it")
    if problems:
        raise _Stop(problems)
    return mapping


# ---------------------------------------------------------------------------------------------
# Reading answers


class _Importer:
    """One import: the grid, the mapping, the codebook, and the problems found so far."""

    def __init__(self, family: str, grid: Grid, mapping: Mapping, codebook: dict[str, Any], codebook_shown: str, members: dict[str, str]):
        self.family, self.grid, self.mapping, self.codebook = family, grid, mapping, codebook
        self.codebook_shown = codebook_shown
        self.members = members
        self.na = str(codebook.get("not_applicable", "na"))
        self.problems: list[Problem] = []
        self.columns = export_columns(family, grid)
        self.used: set[int] = set()
        self.source: dict[str, str] = {}  # canonical column -> export column shown, for the validator's problems
        self.reported: set[tuple[int, str]] = set()  # (line, canonical column) with a problem already

    # --- finding columns

    def _find(self, name: str, option: str | None = None) -> list[Column]:
        key = norm(name)
        if self.family == "qualtrics":
            return [c for c in self.columns if norm(c.key) == key or (c.import_id and norm(c.import_id) == key)]
        if self.family == "surveymonkey":
            cols = [c for c in self.columns if norm(c.key) == key]
            if option is not None:
                return [c for c in cols if norm(c.option) == norm(option)]
            return cols
        return [c for c in self.columns if norm(c.key) == key]

    def _missing(self, qid: str, what: str, name: str) -> None:
        names = sorted({c.key for c in self.columns})
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f" (closest in the export: {close[0]!r})" if close else ""
        if self.family == "canonical":
            self.problems.append(Problem(self.grid.shown, f"is missing the codebook column '{name}'{hint}", row=self.grid.lines[0], column=name,
                                         fix=f"the header must hold the column ids of {self.codebook_shown}, in any order"))
            return
        self.problems.append(Problem(self.grid.shown, f"has no {what} {name!r} for '{qid}', which {self.mapping.shown} names{hint}", row=self.grid.lines[0],
                                     column=qid, fix=f"correct '{qid}' in {self.mapping.shown} to the export's header, or export again with that question"))

    def _single(self, spec: Spec) -> Column | None:
        assert spec.column is not None
        if self.family == "surveymonkey" and spec.option is None:
            cols = self._find(spec.column)
            if len(cols) > 1:
                cols = [c for c in cols if norm(c.option) in SM_SINGLE_OPTIONS] or cols
        else:
            cols = self._find(spec.column, spec.option)
        if not cols:
            self._missing(spec.qid, "column" if spec.option is None else "column (option {!r}) under".format(spec.option), spec.column)
            return None
        if len(cols) > 1:
            self.problems.append(Problem(self.grid.shown, f"has {len(cols)} columns under {spec.column!r}", row=self.grid.lines[0], column=spec.qid,
                                         fix=f"say which with 'option:' under '{spec.qid}' in {self.mapping.shown} ({', '.join(repr(c.option) for c in cols)})"))
            return None
        self.used.add(cols[0].index)
        return cols[0]

    def _item_columns(self, spec: Spec, q: dict[str, Any]) -> tuple[dict[str, tuple[Column, bool]], list[Column]] | None:
        """Item code -> (column, any_text), and the question's columns that no item claims."""
        out: dict[str, tuple[Column, bool]] = {}
        missing = []
        for n, item in enumerate(q["items"], start=1):
            code, label = str(item["code"]), str(item["label"])
            if self.family == "canonical":
                target, any_text = spec.items.get(code, (code, False))
                found = self._find(target)
            elif self.family == "qualtrics":
                target, any_text = spec.items.get(code, (f"{spec.column}_{n}", False))
                found = self._find(target)
            else:
                target, any_text = spec.items.get(code, (label, False))
                found = self._find(spec.column or "", target)
            if len(found) != 1:
                missing.append(target)
                continue
            out[code] = (found[0], any_text)
            self.used.add(found[0].index)
        if missing and self.family == "canonical":
            self.problems.append(Problem(self.grid.shown, f"is missing the codebook column(s) {', '.join(missing)} of '{spec.qid}'", row=self.grid.lines[0], column=spec.qid,
                                         fix=f"the header must hold the column ids of {self.codebook_shown}, in any order"))
            return None
        if missing:
            where = f"under the question {spec.column!r} " if self.family == "surveymonkey" else ""
            if self.family == "surveymonkey":
                have = [c.option for c in self._find(spec.column or "")]
                close = {m: difflib.get_close_matches(m, have, n=1, cutoff=0.5) for m in missing}
                hint = "; ".join(f"{m!r}: closest {c[0]!r}" for m, c in close.items() if c)
            else:
                hint = ""
            self.problems.append(Problem(
                self.grid.shown, f"has no column {where}for {len(missing)} item(s) of '{spec.qid}': {', '.join(repr(m) for m in missing)}",
                row=self.grid.lines[0], column=spec.qid,
                fix=f"map each item to its column under 'items' of '{spec.qid}' in {self.mapping.shown}" + (f" ({hint})" if hint else ""),
            ))
            return None
        claimed = {c.index for c, _ in out.values()}
        if self.family == "surveymonkey":
            extra = [c for c in self._find(spec.column or "") if c.index not in claimed]
        elif self.family == "qualtrics" and spec.column:
            pattern = re.compile(rf"^{re.escape(spec.column)}_\d+$", re.IGNORECASE)
            extra = [c for c in self.columns if pattern.match(c.key) and c.index not in claimed]
        else:
            extra = []
        return out, extra

    # --- answer tables

    def _table(self, q: dict[str, Any], spec: Spec) -> dict[str, str]:
        """Normalised answer text -> code: codebook codes and labels, then the mapping's answers."""
        table: dict[str, str] = {}
        kind = q["type"]
        if kind in ("single", "ordinal", "multi"):
            for opt in q.get("options", q.get("items", [])):
                table[norm(opt["code"])] = str(opt["code"])
                table[norm(opt["label"])] = str(opt["code"])
        elif kind == "likert":
            for value, label in q["scale"].items():
                table[norm(value)] = str(value)
                table[norm(label)] = str(value)
            if q.get("allow_na"):
                table.update({text: self.na for text in NA_TEXTS})
        table.update(spec.answers)
        return table

    def _unknown(self, line: int, col: Column, value: str, qid: str, canonical: str, rule: str | None = None) -> None:
        q = next(q for q in self.codebook["questions"] if q["id"] == qid)
        codes = _codes(q, self.na)
        self.reported.add((line, canonical))
        self.problems.append(Problem(
            self.grid.shown,
            rule or f"is not an answer to '{qid}' that the mapping or the codebook knows",
            row=line, column=col.shown, value=value,
            fix=f"add it under 'answers' of '{qid}' in {self.mapping.shown} (\"{value}\": one of {', '.join(codes)}), "
            f"or if it is a genuinely new option, add it to {self.codebook_shown} first",
        ))

    def _scale(self, q: dict[str, Any], spec: Spec, text: str) -> str | None:
        key = norm(text)
        if key in spec.answers:
            return spec.answers[key]
        lo, hi = int(q["min"]), int(q["max"])
        anchors = {int(k): norm(v) for k, v in (q.get("anchors") or {}).items()}
        match = re.fullmatch(r"(\d+)(?:\.0+)?(?:\s*[-:.)]?\s*(.*))?", key)
        if match:
            n, rest = int(match.group(1)), (match.group(2) or "").strip()
            if lo <= n <= hi and (not rest or rest == anchors.get(n)):
                return str(n)
            return None
        for n, anchor in anchors.items():
            if key == anchor:
                return str(n)
        return None

    def _date(self, spec: Spec, text: str) -> str | None:
        value = text.strip()
        for fmt in [*spec.date_formats, *ISO_DATE_FORMATS]:
            try:
                return dt.datetime.strptime(value, fmt).date().isoformat()
            except ValueError:
                continue
        try:
            return dt.datetime.fromisoformat(value).date().isoformat()
        except ValueError:
            return None

    # --- the import

    def run(self) -> pd.DataFrame | None:
        grid, shown = self.grid, self.grid.shown
        need = HEADER_ROWS[self.family]
        data = list(zip(grid.lines[need:], grid.rows[need:]))
        width = max(len(row) for row in grid.rows[:need])
        for line, row in data:
            if len(row) != width and any(cell.strip() for cell in row[width:]) or len(row) < width:
                self.problems.append(Problem(shown, f"has {len(row)} values but the header has {width} columns: the row is cut short or has stray separators",
                                             row=line, fix="export the file again (complete); if it was edited, check the commas and quotes of this row"))
        if self.problems:
            raise _Stop(self.problems)

        # rows that are not responses (previews, tests)
        kept = []
        skip_cols = []
        for name, values in self.mapping.skip_rows.items():
            cols = self._find(name)
            if cols:
                skip_cols.append((cols[0], {norm(v) for v in values}))
        for line, row in data:
            hit = next(((c, row[c.index]) for c, values in skip_cols if norm(row[c.index]) in values), None)
            if hit:
                self.problems.append(Problem(shown, f"is a '{hit[1]}' response ({hit[0].key}), not a real one, and is skipped", row=line, severity="warning"))
            else:
                kept.append((line, row))
        if not kept:
            raise _Stop(self.problems + [Problem(shown, "has its header rows but no responses" if not data else "has no responses left once previews and tests are skipped",
                                                 row=grid.lines[-1] if data else grid.lines[min(need, len(grid.lines)) - 1],
                                                 fix="export the file again with its responses (check the export's filters)")])

        out: dict[str, list[str]] = {}
        lines = [line for line, _ in kept]
        for q in self.codebook["questions"]:
            spec = self.mapping.specs.get(q["id"], Spec(q["id"], skip=True))
            self._question(q, spec, kept, out)
        header_errors = any(p.severity == "error" and p.row in (None, grid.lines[0]) for p in self.problems)
        if header_errors:  # a column is not found: the codebook's rules would only repeat that
            return None
        df = pd.DataFrame(out, index=range(len(kept)), dtype=object)[schemas.survey_columns(self.codebook)].astype(str)
        # the codebook's rules run even when some answers were not understood, so that one run
        # lists every problem; cells already reported are not reported again
        self._validate(df, lines)
        if any(p.severity == "error" for p in self.problems):
            return None
        return df

    def _question(self, q: dict[str, Any], spec: Spec, kept: list[tuple[int, list[str]]], out: dict[str, list[str]]) -> None:
        qid, kind = q["id"], q["type"]
        n = len(kept)
        codes = [str(i["code"]) for i in q["items"]] if kind in ("multi", "likert") else [qid]
        if spec.skip:
            for code in codes:
                out[code] = [""] * n
            self.problems.append(Problem(self.grid.shown, f"does not give '{qid}' ({self.mapping.shown} says skip: true), so it is left empty", severity="warning"))
            return
        if spec.generate is not None:
            out[qid] = [spec.generate.format(n=k) for k in range(1, n + 1)]
            return
        if kind in ("multi", "likert"):
            joined = self._find(spec.column) if (kind == "multi" and spec.column and self.family != "canonical") else []
            if self.family == "surveymonkey":
                joined = []  # SurveyMonkey always writes one column per option
            if len(joined) == 1:
                self.used.add(joined[0].index)
                self._multi_joined(q, spec, joined[0], kept, out)
                return
            found = self._item_columns(spec, q)
            if found is None:
                for code in codes:
                    out[code] = [""] * n
                return
            items, extra = found
            for code, (col, _) in items.items():
                self.source[code] = col.shown
            if kind == "multi" and self.family == "canonical":  # already 0/1/empty: the validator judges it
                for code, (col, _) in items.items():
                    out[code] = [row[col.index].strip() for _, row in kept]
            elif kind == "multi":
                self._multi_columns(q, spec, items, extra, kept, out)
            else:
                self._likert(q, spec, items, extra, kept, out)
            return
        col = self._single(spec)
        if col is None:
            out[qid] = [""] * n
            return
        self.source[qid] = col.shown
        values = []
        table = self._table(q, spec)
        for line, row in kept:
            raw = row[col.index]
            text = raw.strip()
            value = ""
            if kind == "text":
                value = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
            elif text == "":
                value = ""
                if q.get("required"):
                    self.reported.add((line, qid))
                    self.problems.append(Problem(self.grid.shown, f"is empty, but every response must give '{qid}' ({q.get('label', qid)})", row=line, column=col.shown,
                                                 value="", fix="complete the answer in the survey platform and export again, or remove the response if it is not a real one"))
            elif kind == "key":
                value = text
            elif kind == "country":
                value = self._country(q, spec, line, col, text) or ""
            elif kind == "date":
                value = self._date(spec, text) or ""
                if not value:
                    self.reported.add((line, qid))
                    self.problems.append(Problem(self.grid.shown, f"is not a date the mapping can read for '{qid}'", row=line, column=col.shown, value=text,
                                                 fix=f"set 'date_format' of '{qid}' in {self.mapping.shown} (Python strptime codes, e.g. \"%m/%d/%Y %I:%M:%S %p\")"))
            elif kind == "scale":
                value = self._scale(q, spec, text) or ""
                if not value:
                    self._unknown(line, col, text, qid, qid, rule=f"is not a point of the scale of '{qid}' ({q['min']} to {q['max']}, or an anchor: {', '.join(map(str, (q.get('anchors') or {}).values()))})")
            else:
                value = table.get(norm(text), "")
                if not value:
                    self._unknown(line, col, text, qid, qid)
            values.append(value)
        out[qid] = values

    def _country(self, q: dict[str, Any], spec: Spec, line: int, col: Column, text: str) -> str | None:
        if norm(text) in spec.answers:
            return spec.answers[norm(text)]
        found = countries.resolve_member(text, self.members)
        if found.ok:
            return found.iso3
        self.reported.add((line, q["id"]))
        fix = found.fix
        if "closest" in fix:
            fix += f", or add this spelling under 'answers' of '{q['id']}' in {self.mapping.shown}"
        self.problems.append(Problem(self.grid.shown, found.rule, row=line, column=col.shown, value=text, fix=fix))
        return None

    def _multi_joined(self, q: dict[str, Any], spec: Spec, col: Column, kept: list[tuple[int, list[str]]], out: dict[str, list[str]]) -> None:
        """One column of choice texts joined by commas (choice texts may contain commas themselves)."""
        codes = [str(i["code"]) for i in q["items"]]
        for code in codes:
            out[code] = []
            self.source[code] = col.shown
        table = self._table(q, spec)
        for line, row in kept:
            cell = row[col.index]
            ticked: set[str] = set()
            if cell.strip():
                pieces = cell.split(",")
                i = 0
                while i < len(pieces):
                    if not pieces[i].strip():
                        i += 1
                        continue
                    for j in range(len(pieces), i, -1):  # the longest run of pieces that is one choice text
                        code = table.get(norm(",".join(pieces[i:j])))
                        if code is not None:
                            ticked.add(code)
                            i = j
                            break
                    else:
                        self._unknown(line, col, pieces[i].strip(), q["id"], codes[0],
                                      rule=f"is not a choice of '{q['id']}' that the mapping or the codebook knows (in the answer {_short(cell, 80)!r})")
                        i += 1
            for code in codes:
                out[code].append("" if not cell.strip() else ("1" if code in ticked else "0"))

    def _multi_columns(self, q, spec, items, extra, kept, out) -> None:
        """One column per option, holding 1 or the option text when ticked."""
        table = self._table(q, spec)
        labels = {str(i["code"]): str(i["label"]) for i in q["items"]}
        for code in items:
            out[code] = []
        for line, row in kept:
            state: dict[str, str] = {}
            for code, (col, any_text) in items.items():
                text = row[col.index].strip()
                if text == "":
                    state[code] = ""
                elif text == "0":
                    state[code] = "0"
                elif text == "1" or any_text or table.get(norm(text)) == code or (col.option and norm(text) == norm(col.option)):
                    state[code] = "1"
                else:
                    other = table.get(norm(text))
                    rule = (f"names the option '{labels[other]}' but is the column of '{labels[code]}' in the mapping" if other
                            else f"is not the option of '{q['id']}' this column stands for ('{labels[code]}')")
                    self._unknown(line, col, text, q["id"], code, rule=rule)
                    state[code] = ""
            for col in extra:
                text = row[col.index].strip()
                if text and text != "0":
                    self._unknown(line, col, text, q["id"], next(iter(items)),
                                  rule=f"is an option of '{q['id']}' that the mapping and the codebook do not know")
            answered = any(v != "" for v in state.values())
            for code in items:
                out[code].append(("1" if state[code] == "1" else "0") if answered else "")

    def _likert(self, q, spec, items, extra, kept, out) -> None:
        table = self._table(q, spec)
        for code in items:
            out[code] = []
        for line, row in kept:
            for code, (col, _) in items.items():
                text = row[col.index].strip()
                value = "" if not text else table.get(norm(text), "")
                if text and not value:
                    self._unknown(line, col, text, q["id"], code)
                out[code].append(value)
            for col in extra:
                if row[col.index].strip():
                    self._unknown(line, col, row[col.index].strip(), q["id"], next(iter(items)),
                                  rule=f"answers a statement of '{q['id']}' that the mapping and the codebook do not know")

    def unused_columns(self) -> None:
        """Columns that are neither imported nor dropped: said, so that no question is lost silently."""
        drop = {norm(d) for d in self.mapping.drop}
        for col in self.columns:
            if col.index in self.used or norm(col.key) in drop or (col.import_id and norm(col.import_id) in drop):
                continue
            if self.family == "canonical":
                self.problems.append(Problem(self.grid.shown, "is not a codebook column and is not imported", row=self.grid.lines[0], column=col.shown,
                                             severity="warning", fix=f"rename it to a column id of {self.codebook_shown}, or remove it"))
                continue
            self.problems.append(Problem(self.grid.shown, "is not mapped to the codebook and is not imported", row=self.grid.lines[0], column=col.shown,
                                         severity="warning", fix=f"map it in {self.mapping.shown}, or list it under 'drop' there"))

    def _validate(self, df: pd.DataFrame, lines: list[int]) -> None:
        """The codebook's own rules (fieldwork window, exclusive options, unique ids ...), by export line."""
        check = df.copy()
        check.index = [line - 2 for line in lines]  # the validator reports index + 2 as the row
        fix = f"correct the answer in the export, or the mapping {self.mapping.shown}"
        schema = schemas.survey_responses(self.codebook, set(self.members))
        for problem in problems_from_schema(schema, check, self.grid.shown, fix=fix):
            if problem.row is not None and problem.column and (problem.row, problem.column) in self.reported:
                continue
            if problem.column in self.source:
                problem = replace(problem, column=f"{self.source[problem.column]} -> {problem.column}")
            self.problems.append(problem)


def _collapse(problems: list[Problem]) -> list[Problem]:
    """The same problem in many cells (one unknown answer text, a systematic mapping mistake) is
    reported once, with the other rows (and columns) where it occurs."""
    groups: dict[tuple, list[Problem]] = {}
    for n, p in enumerate(problems):
        key = (p.file, p.rule, p.value, p.severity) if p.row is not None and p.value is not None else (n,)
        groups.setdefault(key, []).append(p)
    out = []
    for group in groups.values():
        first, rest = group[0], group[1:]
        if rest:
            same_column = all(p.column == first.column for p in rest)
            cells = [str(p.row) if same_column else f"{p.row} ({str(p.column).split(' (column')[0]})" for p in rest]
            more = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
            first = replace(first, rule=f"{first.rule} (also on row{'s' if len(cells) > 1 else ''} {more})")
        out.append(first)
    return out


def _mapping_encoding(path: Path) -> str | None:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _Stop([Problem(paths.relative(path), f"cannot be read as a YAML mapping: {exc}".replace("\n", " "))]) from None
    return str(raw["encoding"]) if isinstance(raw, dict) and raw.get("encoding") else None


def import_survey(
    path: Path,
    fmt: str,
    mapping: Path | None = None,
    codebook: Path = paths.CODEBOOK,
    *,
    encoding: str | None = None,
    members: Path = paths.MEMBER_STATES,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read an export and return the canonical table (None if any error) and the problems found.

    ``fmt`` is one of :data:`FORMATS`. ``mapping`` defaults to ``params/import/<family>.yaml``
    (none for ``canonical``). ``encoding`` (e.g. ``cp1252``) is used only when the file is not
    valid UTF-8; it overrides the mapping's ``encoding``. Warnings (skipped preview rows, columns
    not imported) come with a table; errors come without one.
    """
    path = Path(path)
    shown = paths.relative(path)
    if fmt not in FORMATS:
        return None, [Problem(shown, f"cannot be imported as '{fmt}'", fix=f"use --format {' | '.join(FORMATS)}")]
    family, kind = FORMATS[fmt]
    try:
        cb = yaml.load(Path(codebook).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        member_names = countries.member_states(Path(members))
        if family == "canonical":
            plan = canonical_mapping(cb)
            if mapping is not None:  # a tidy CSV needs no mapping; only its 'encoding' is used
                plan.encoding = _mapping_encoding(Path(mapping))
        else:
            plan = load_mapping(Path(mapping) if mapping else DEFAULT_MAPPINGS[family], family, cb, member_names)
        if not path.is_file():
            raise _Stop([Problem(shown, "does not exist" if not path.exists() else "is not a file", fix="give the path of the exported file")])
        if kind == "xlsx":
            grid = read_xlsx(path, shown)
        else:
            raw = path.read_bytes()
            grid = parse_csv(decode(raw, shown, encoding or plan.encoding), shown)
        need = HEADER_ROWS[family]
        if not grid.rows:
            raise _Stop([Problem(shown, "is empty", fix="export the file again")])
        if len(grid.rows) < need:
            raise _Stop([Problem(shown, f"has {len(grid.rows)} row(s): a {fmt} export starts with {need} header rows, then one row per response",
                                 row=grid.lines[-1], fix="export the file again with its responses, or pick the --format that matches the file")])
        importer = _Importer(family, grid, plan, cb, paths.relative(Path(codebook)), member_names)
        df = importer.run()
        importer.unused_columns()
        problems = importer.problems
    except _Stop as stop:
        return None, _collapse(stop.problems)
    except OSError as exc:
        return None, [Problem(shown, f"cannot be read: {exc.strerror or exc}")]
    problems = _collapse(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return None, sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    return df.reset_index(drop=True), problems


def write_canonical(df: pd.DataFrame, target: Path, codebook: Path = paths.CODEBOOK) -> Path:
    """Write the table as ``data/raw/survey_responses.csv`` is written: UTF-8, ``\\n``, codebook column order, atomically."""
    cb = yaml.load(Path(codebook).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    columns = schemas.survey_columns(cb)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"the table lacks the codebook columns {', '.join(missing)}")
    text = df[columns].astype(str).to_csv(index=False, lineterminator="\n")
    return atomic.write_text(Path(target), text)


def run(file: str | Path, fmt: str, mapping: str | Path | None = None, out: str | Path | None = DEFAULT_OUT,
        encoding: str | None = None, codebook: str | Path = paths.CODEBOOK, err: TextIO | None = None, log: TextIO | None = None) -> int:
    """The ``poc1540 import`` command: import, print every problem, write the table only if all is well.

    Returns the exit status: 0 when the table was written (or checked, with ``out=None``), 1 otherwise.
    """
    err = err or sys.stderr
    log = log or sys.stdout
    df, problems = import_survey(Path(file), fmt, Path(mapping) if mapping else None, Path(codebook), encoding=encoding)
    for problem in problems:
        print(problem, file=err if problem.severity == "error" else log)
    errors = [p for p in problems if p.severity == "error"]
    if df is None:
        print(f"\nImport failed: {len(errors)} error(s) in {paths.relative(Path(file))}. Nothing was written.", file=err)
        return 1
    if out is None:
        print(f"Import check passed: {len(df)} responses, {len(problems)} warning(s); nothing written.", file=log)
        return 0
    target = write_canonical(df, Path(out), Path(codebook))
    print(f"Imported {len(df)} responses from {paths.relative(Path(file))} -> {paths.relative(target)} ({len(problems)} warning(s)).", file=log)
    return 0
