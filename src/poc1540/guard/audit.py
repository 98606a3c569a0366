"""The confidentiality guard: no published output may reveal a respondent.

A stage after the report (``poc1540 guard``, :mod:`poc1540.guard.command`) scans every
published output and fails the build when it finds a leak. :func:`scan` returns the leaks,
:func:`audit` the leaks and what was scanned; the command prints them and, only when there are
none, writes a receipt (``results/confidentiality.json``) that the DVC stage keeps as its output.
This module only composes: readers in :mod:`poc1540.guard.extract`, the scope in
:mod:`poc1540.guard.scope`, the rules in :mod:`poc1540.guard.rules`.

**What is published** (paths relative to the root):

- everything under ``results/``, except the guard's own receipt: executed notebooks (``.ipynb``:
  the cell *outputs* only, never the code, so code that names a column such as
  ``respondent_id`` is fine), ``findings.json`` files, Markdown and CSV tables, SVG figures (their
  ``<text>``, ``<title>`` and ``<desc>`` elements and the comments in which Matplotlib keeps the
  text it draws as paths);
- everything under ``report/_output/`` (or, as the guard stage runs it, ``report/_staging/``: the
  edition it publishes to ``report/_output/`` only when clean, see :mod:`poc1540.guard.publish`): the PDF (page text extracted with PDFium through
  pypdfium2; the tagged PDF's alternative texts and its metadata through pypdf), the HTML report
  and the executed notebooks as HTML (text with tags stripped, plus ``alt``, ``aria-label`` and
  ``title`` attributes and comments; ``<style>``, ``<script>`` and, in notebook HTML, the code
  editor areas and prompts are left out);
- ``report/_variables.yml`` and every file of ``report/_generated/``.

Files in hidden folders (``report/_output/.build/``, ``.ipynb_checkpoints/``) are git-ignored
intermediates and are not scanned. A published file whose text cannot be read (not UTF-8, and not a
PDF), like a PDF or notebook that cannot be parsed, is a leak of rule
``unreadable`` (the guard fails closed).

**Scope: State-level only where declared; everything else is survey-derived.** Rules 3 and 4
concern survey answers. State-level facts (the 1540 Committee listings) may name States and
publish small counts, but the guard treats an output as State-level only when it is declared
so; anything undeclared is checked as survey-derived (fail closed):

- ``results/<folder>/`` is State-level when ``params/guard.yaml`` lists it under
  ``state_level_results`` (on the committed outputs: 02_coverage). Files directly in
  ``results/`` and folders not listed are survey-derived, however their notebook reads its data.
  The declaration is checked against the code: a declared folder whose executed notebook reads
  the respondents table or the survey file (``read_table("respondents")``,
  ``respondents_table(``, ``respondents.parquet``, ``survey_responses`` or the survey file's
  name) is a ``survey scope`` leak, and the folder is checked as survey-derived.
- ``report/_output/notebooks/<name>.html`` follows ``results/<name>/``.
- The report (PDF and HTML directly in ``report/_output/``): a top-level section is State-level
  when its heading carries the class ``.state-level`` in the ``.qmd`` source, e.g.
  ``# POC coverage {#sec-coverage .state-level}``. The guard reads the ordered top-level
  headings and their classes from the rendered HTML (the class is on the ``<h1>``, or on its
  ``<section class="level1">`` under Quarto); text before the first heading (title page, data
  notice) is survey-derived. The PDF of the same name is cut at the heading lines of its page
  text ("2 POC coverage"), its alternative texts at the headings (``/T``) of its structure tree.
  A State-level section of the PDF needs its own heading and the next one to be found; if one is
  missing, the whole PDF is checked as survey-derived and a ``survey scope`` leak names the
  heading. A PDF without an HTML report beside it is survey-derived throughout.
- Within the report, a share whose exact text (e.g. ``12% (1 of 8)``) is published by a
  State-level results folder is a State-level fact quoted in a survey chapter and is not a small
  cell. This applies to the report text only (PDF, HTML, ``_variables.yml``, ``_generated``),
  never to ``results/``.
- ``report/_variables.yml``: a key is State-level when a State-level folder's ``findings.json``
  records it (a finding, or ``fig.<name>.alt`` of its figures); ``report/_generated/``: the
  files declared in :data:`poc1540.guard.scope.GENERATED_STATE_LEVEL` (data notice, data
  sources, provenance, findings register) are State-level except the register's rows that name a
  survey-derived notebook ("Computed in"); every other file there (the validator's notes on the
  survey file, anything added later) is survey-derived.

**Rules** (``Leak.rule``):

1. ``respondent id``: any ``respondent_id`` (the codebook's ``key`` question) of the survey file
   appearing as a whole token (not inside a longer run of letters, digits or ``_``) anywhere
   published. Purely numeric ids shorter than 6 digits cannot be told apart from numbers and are
   not searched; the guard says so in its output.
2. ``open text``: any non-empty answer to an open-text question (codebook ``type: text``, or any
   other question marked ``confidential`` except the country) appearing anywhere published,
   compared case-insensitively with whitespace collapsed and typography folded
   (:func:`poc1540.core.text.fold_typography`: quotes, dashes, special spaces, soft hyphens);
   PDFium undoes Typst's line-end hyphenation. Answers shorter than ``MIN_OPEN_TEXT`` (12)
   characters are not searched, since short phrases ("More money") occur in ordinary prose.
   The leak message names the respondent and question, never the text.
3. ``per-State answer``: in survey-derived outputs, a responding State's ISO3 code (upper case,
   whole word) or its name from ``member_states.csv`` (case-sensitive, whole words).
4. ``small cell``: in survey-derived outputs,

   - in tables (``.md``/``.csv`` under ``results/``): any cell that is a bare integer from 1 to
     min_cell - 1; the header row and the first column (row labels) are not counts and are
     skipped;
   - in all survey-derived text (table cells, findings texts and figure alt texts, figure text,
     notebook outputs, the survey chapters of the report): a share written ``(k of n)``
     (also ``(k of n; 95% CI ...)``), ``(k/n)`` or ``p% (k)``, where 1 <= k < min_cell, or
     1 <= n - k < min_cell, or 0 < n < min_cell; and a base ``(n = N)`` with 0 < N < min_cell.
     Zeros are published ("none of the respondents" identifies nobody). ``(k/n)`` where both
     numbers are years (1900-2100) is a period such as ``(2022/2023)``, not a share;
   - in ``findings.json``, a finding whose ``extra`` holds ``count`` and ``base`` that break the
     share rule, even when its text does not show them.

   Bare numbers in running text, in notebook outputs and in finding values are not checked
   (a scale point such as ``serious_from = 4`` is not a count). ``min_cell`` is always given
   by the caller (the command reads ``min_cell_size`` from ``params/common.yaml``).
5. ``respondent rows``: an output of a survey-derived notebook displays a table with a
   ``respondent_id`` column or index, or with at least half as many rows as there are
   respondents and at least ``RESPONDENT_ROWS_FLOOR`` rows (aggregates here have a dozen rows at
   most), counted from pandas' HTML (``<tbody>`` rows) or its text footers
   (``[N rows x M columns]``, ``Length: N``).

Also ``survey scope`` (a State-level declaration that is contradicted or cannot be applied, see
above) and ``unreadable``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from poc1540.core import manifest, paths
from poc1540.guard import rules, scope
from poc1540.guard.extract import data, html, notebook, pdf, tables
from poc1540.guard.model import (
    MIN_NUMERIC_ID,
    MIN_OPEN_TEXT,
    OUTPUT,
    RAW,
    RESULTS,
    UNREADABLE,
    Audit,
    Leak,
    Segment,
)


def default_survey(root: Path) -> Path:
    """The survey file the manifest under ``root`` names for the schema ``survey_responses``."""
    return manifest.input_path("survey_responses", Path(root) / RAW)


def _read(path: Path, text: str, kind: str, folder_survey: bool, results: bool, known: scope.Findings) -> list[Segment]:
    """The segments of a published text file other than the report, with their scope applied."""
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        segments = notebook.read(text)
    elif suffix in (".html", ".htm"):
        segments = html.notebook(text)
    elif suffix == ".svg":
        segments = data.svg(text)
    elif suffix == ".csv":
        segments = tables.csv_rows(text)
    elif suffix == ".json":
        segments = data.json_document(text)
    elif kind == "variables":
        segments = data.variables(text)
        for seg in segments:
            seg.survey = seg.key not in known.state_keys
        return segments
    elif suffix in (".md", ".markdown", ".qmd", ".txt"):
        segments = tables.markdown(text, cells=results)
        if kind == "generated":
            row = known.register_row()
            declared = path.name in scope.GENERATED_STATE_LEVEL
            for seg in segments:
                seg.survey = not declared or bool(row and row.search(seg.texts[0]))
                seg.exempt_shares = True
            return segments
    else:
        segments = tables.lines(text)
    for seg in segments:
        seg.survey = folder_survey
    return segments


def _report(rel: str, path: Path, text: str | None) -> tuple[list[Segment], list[Leak]]:
    """The report's PDF or HTML, its State-level sections marked from the HTML's headings."""
    html_path = path.with_suffix(".html")
    if path.suffix.lower() != ".pdf":
        segments, headings = html.report(text or "")
        return segments, scope.scope_report(rel, segments, scope.sections(headings))
    try:
        report = scope.sections(html.headings(html_path.read_text(encoding="utf-8"))) if html_path.is_file() else []
    except UnicodeDecodeError:  # the HTML is reported unreadable; without its headings the PDF is survey-derived throughout
        report = []
    try:
        document = pdf.read(path, scope.cuts(report))
    except Exception as exc:  # a PDF the guard cannot read is not a PDF it can pass
        return [], [Leak(rel, UNREADABLE, f"cannot extract the PDF's text: {exc}", "whole document")]
    return document.segments, scope.scope_report(rel, document.segments, report, document.found, document.found_structure)


def audit(root: Path, *, min_cell: int, state_level: Iterable[str], survey: Path | None = None, report_dir: Path = OUTPUT) -> Audit:
    """Scan every published output under ``root``; the leaks and what was scanned.

    ``min_cell`` is the suppression threshold; ``state_level`` the results folders declared
    State-level (``params/guard.yaml``); ``survey`` defaults to the file the manifest names for
    the schema ``survey_responses``; ``report_dir`` (relative to ``root``) is where the report
    and notebook pages are, ``report/_output/`` or the staging folder of an edition not yet
    published. The rules and the scope are in the module docstring.
    """
    root = Path(root)
    min_cell = rules.checked_min_cell(min_cell)
    declared = scope.checked_state_level(list(state_level))
    survey = Path(survey) if survey is not None else default_survey(root)
    if not survey.is_file():
        raise FileNotFoundError(f"the survey file {survey} does not exist: the guard needs it to know what to look for")
    targets = rules.targets(root / RAW, survey, min_cell)
    folders = scope.folders(root, declared, survey)
    state_shares = scope.state_level_shares(root, folders)
    known = scope.findings(root, folders)

    leaks: list[Leak] = list(folders.leaks)
    files: dict[str, str] = {}
    for path in scope.published_files(root, report_dir):
        rel = paths.relative(path, root)
        raw = path.read_bytes()
        kind, folder = scope.file_kind(rel, report_dir)
        folder_survey = folders.is_survey(folder) if kind in ("results", "notebook html") else True
        found: list[Leak] = []
        if kind == "report" and path.suffix.lower() == ".pdf":
            segments, found = _report(rel, path, None)
        elif path.suffix.lower() == ".pdf":
            try:
                segments = pdf.read(path).segments
            except Exception as exc:  # fail closed, as for the report
                segments, found = [], [Leak(rel, UNREADABLE, f"cannot extract the PDF's text: {exc}", "whole document")]
            for seg in segments:
                seg.survey, seg.exempt_shares = folder_survey, False
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                # fail closed: a published file the guard cannot read is not one it can pass
                # (a CSV saved as Latin-1, an image with text drawn in it)
                text, found = (
                    "",
                    [
                        Leak(
                            rel, UNREADABLE, f"not UTF-8 text, so it cannot be checked ({exc.reason} at byte {exc.start})", "whole document"
                        )
                    ],
                )
            try:
                if found:
                    segments = []
                elif kind == "report" and path.suffix.lower() in (".html", ".htm"):
                    segments, found = _report(rel, path, text)
                else:
                    segments = _read(path, text, kind, folder_survey, kind == "results", known)
            except (ValueError, yaml.YAMLError) as exc:
                segments, found = [], [Leak(rel, UNREADABLE, f"cannot parse the file: {exc}", "whole document")]
        files[rel] = hashlib.sha256(raw).hexdigest()[:16]
        leaks += found
        for seg in segments:
            leaks += rules.check(rel, seg, targets, state_shares)

    notes = list(folders.notes)  # without counts: a number of respondents in a build log is a published cell too
    if targets.ids_not_searched:
        notes.append(f"respondent ids that are numbers shorter than {MIN_NUMERIC_ID} digits were not searched")
    if targets.open_texts_too_short:
        notes.append(f"open-text answers shorter than {MIN_OPEN_TEXT} characters were not searched")
    return Audit(
        leaks=list(dict.fromkeys(leaks)),
        files=files,
        skipped=[],  # nothing is skipped: a file the guard cannot read is an ``unreadable`` leak
        survey=paths.relative(survey, root),
        min_cell=min_cell,
        respondents=targets.n_respondents,
        open_texts=len(targets.open_texts),
        open_texts_too_short=targets.open_texts_too_short,
        ids_not_searched=targets.ids_not_searched,
        survey_folders=sorted(f"{RESULTS.as_posix()}/{name}" for name, s in folders.survey.items() if s),
        notes=notes,
        suppression=suppression_counts(root),
    )


#: The register the findings stage writes after attacking every published survey cell together.
DISCLOSURE_REGISTER = RESULTS / "disclosure.json"
PRIMARY = ("base", "threshold", "complement", "group", "identification")


def suppression_counts(root: Path) -> dict[str, Any]:
    """Per rule, how many published survey cells were suppressed primarily and complementarily, from the register.

    Cells are counted once however many outputs print them; a cell's rule is the first rule
    that suppressed it. Without a register the receipt says so rather than counting zero.
    """
    path = Path(root) / DISCLOSURE_REGISTER
    if not path.is_file():
        return {"register": None, "note": f"{DISCLOSURE_REGISTER.as_posix()} is missing: suppression was not counted"}
    register = json.loads(path.read_text(encoding="utf-8"))
    per_rule = Counter(c["rule"] for c in register["cells"] if c["value"] is None and c["rule"])
    survey_outputs = sorted({o for c in register["cells"] for o in c["outputs"]} - {"listings"})
    return {
        "register": DISCLOSURE_REGISTER.as_posix(),
        "cells": len(register["cells"]),
        "published_cells": sum(c["value"] is not None for c in register["cells"]),
        "suppressed_primary": {rule: per_rule.get(rule, 0) for rule in PRIMARY},
        "suppressed_complementary": per_rule.get("complementary", 0),
        "outputs_with_survey_cells": len(survey_outputs),
        "recovery_check": register.get("checked", "not run"),
    }


def scan(root: Path, *, min_cell: int, state_level: Iterable[str], survey: Path | None = None, report_dir: Path = OUTPUT) -> list[Leak]:
    """Every leak in the published outputs under ``root`` (empty when they are clean); see :func:`audit`."""
    return audit(root, min_cell=min_cell, state_level=state_level, survey=survey, report_dir=report_dir).leaks
