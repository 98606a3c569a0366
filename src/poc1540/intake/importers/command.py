"""The import as a whole: read the export, translate it, and write the canonical table only if all is well."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import pandas as pd

from poc1540.core import atomic, paths
from poc1540.core.codebook import Codebook, CodebookError
from poc1540.core.problems import Problem
from poc1540.intake import countries, respondents, schemas
from poc1540.intake.importers.columns import HEADER_ROWS
from poc1540.intake.importers.common import Stop
from poc1540.intake.importers.mapping import DEFAULT_MAPPINGS, Mapping, canonical_mapping, load_mapping, mapping_encoding
from poc1540.intake.importers.read import Grid, read_grid
from poc1540.intake.importers.translate import Translator

#: format name -> (export family, file kind)
FORMATS: dict[str, tuple[str, str]] = {
    "canonical": ("canonical", "csv"),
    "qualtrics": ("qualtrics", "csv"),
    "qualtrics-xlsx": ("qualtrics", "xlsx"),
    "surveymonkey": ("surveymonkey", "csv"),
    "surveymonkey-xlsx": ("surveymonkey", "xlsx"),
}
#: Where imported real responses go by default: git-ignored, never committed.
DEFAULT_OUT = paths.DATA_PRIVATE / "survey_responses.csv"


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


def _plan(family: str, mapping: Path | None, codebook: Codebook, members: dict[str, str]) -> Mapping:
    """The checked mapping: the identity for a tidy CSV (whose mapping file, if any, gives only its encoding)."""
    if family != "canonical":
        return load_mapping(Path(mapping) if mapping else DEFAULT_MAPPINGS[family], family, codebook, members)
    plan = canonical_mapping(codebook)
    if mapping is not None:
        plan.encoding = mapping_encoding(Path(mapping))
    return plan


def _check_header_rows(grid: Grid, fmt: str, family: str) -> None:
    need = HEADER_ROWS[family]
    if not grid.rows:
        raise Stop([Problem(grid.shown, "is empty", fix="export the file again")])
    if len(grid.rows) < need:
        raise Stop(
            [
                Problem(
                    grid.shown,
                    f"has {len(grid.rows)} row(s): a {fmt} export starts with {need} header rows, then one row per response",
                    row=grid.lines[-1],
                    fix="export the file again with its responses, or pick the --format that matches the file",
                )
            ]
        )


def import_survey(
    path: Path,
    fmt: str,
    mapping: Path | None = None,
    codebook: Path = paths.CODEBOOK,
    *,
    encoding: str | None = None,
    members: Path = paths.MEMBER_STATES,
    date_format: str | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read an export and return the canonical table (None if any error) and the problems found.

    ``fmt`` is one of :data:`FORMATS`. ``mapping`` defaults to ``params/import/<family>.yaml``
    (none for ``canonical``). ``encoding`` (e.g. ``cp1252``) is used only when the file is not
    valid UTF-8; it overrides the mapping's ``encoding``. ``date_format`` (strptime codes, e.g.
    ``%d/%m/%Y``) is how every date column is written, overriding the mapping's. Warnings (skipped preview rows, columns
    not imported) come with a table; errors come without one.
    """
    path = Path(path)
    shown = paths.relative(path)
    if fmt not in FORMATS:
        return None, [Problem(shown, f"cannot be imported as '{fmt}'", fix=f"use --format {' | '.join(FORMATS)}")]
    family, kind = FORMATS[fmt]
    try:
        cb = Codebook.load(Path(codebook))
        member_names = countries.member_states(Path(members))
        plan = _plan(family, mapping, cb, member_names)
        grid = read_grid(path, shown, kind, encoding or plan.encoding)
        _check_header_rows(grid, fmt, family)
        translator = Translator(family, grid, plan, cb, paths.relative(Path(codebook)), member_names)
        translator.date_override = [date_format] if date_format else []
        df = translator.run()
        translator.columns.report_unused()
        problems = translator.problems
    except Stop as stop:
        return None, _collapse(stop.problems)
    except CodebookError as exc:
        return None, [Problem(exc.shown, exc.rule)]
    except OSError as exc:
        return None, [Problem(shown, f"cannot be read: {exc.strerror or exc}")]
    problems = _collapse(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return None, sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    assert df is not None  # without errors the translator returns a table
    return df.reset_index(drop=True), problems


def write_canonical(df: pd.DataFrame, target: Path, codebook: Path = paths.CODEBOOK) -> Path:
    """Write the table as ``data/raw/survey_responses.csv`` is written: UTF-8, ``\\n``, codebook column order, atomically.

    The response metadata (``finished``, ``submitted_at``), when the export gave it, follows the codebook's columns.
    """
    columns = schemas.survey_columns(Codebook.load(Path(codebook)).raw)
    columns += [c for c in schemas.RESPONSE_METADATA if c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"the table lacks the codebook columns {', '.join(missing)}")
    text = df[columns].astype(str).to_csv(index=False, lineterminator="\n")
    return atomic.write_text(Path(target), text)


def run(
    file: str | Path,
    fmt: str,
    mapping: str | Path | None = None,
    out: str | Path | None = DEFAULT_OUT,
    encoding: str | None = None,
    codebook: str | Path = paths.CODEBOOK,
    err: TextIO | None = None,
    log: TextIO | None = None,
    date_format: str | None = None,
) -> int:
    """The ``poc1540 import`` command: import, print every problem, write the table only if all is well.

    Returns the exit status: 0 when the table was written (or checked, with ``out=None``), 1 otherwise.
    """
    err = err or sys.stderr
    log = log or sys.stdout
    df, problems = import_survey(
        Path(file), fmt, Path(mapping) if mapping else None, Path(codebook), encoding=encoding, date_format=date_format
    )
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
    print(
        f"Imported {len(df)} responses from {paths.relative(Path(file))} -> {paths.relative(target)} ({len(problems)} warning(s)).",
        file=log,
    )
    print(respondent_note(df), file=log)
    return 0


def respondent_note(df: pd.DataFrame, rule_path: Path = paths.RESPONDENT_RULE) -> str:
    """How many of the imported responses will count as respondents, by the rule the validator applies."""
    try:
        rule = respondents.load_rule(rule_path)
    except respondents.RuleError as exc:
        return "\n".join(str(p) for p in exc.problems)
    counts = respondents.select(df, rule).counts()
    return (
        f"By {paths.relative(Path(rule_path))}, {counts['counted']} of the {counts['rows']} responses count as respondents "
        f"({counts['unfinished']} unfinished, {counts['superseded']} superseded by another from the same State); "
        "'poc1540 validate' lists the rows left out."
    )
