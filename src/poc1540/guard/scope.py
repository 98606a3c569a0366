"""What is published, and which of it is State-level; everything else is survey-derived.

The guard fails closed: a published output is checked as survey-derived (rules 3 and 4) unless
it is explicitly declared State-level, i.e. built only from public listings.

- ``results/<folder>/`` is State-level only when ``params/guard.yaml`` lists the folder under
  ``state_level_results``. A declared folder whose executed notebook's code visibly reads the
  survey (:data:`SURVEY_CODE`, or the survey file's name) is a ``survey scope`` leak and is
  checked as survey-derived: the declaration is wrong.
- A top-level report section is State-level only when its heading has the class
  ``.state-level`` in the ``.qmd`` source; the rendered HTML report keeps the class, so the
  sections and their flags are read from it. The PDF of the same name is cut at those headings.
  Text before the first heading is survey-derived.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from poc1540.core import paths
from poc1540.errors import UserError
from poc1540.guard.extract import data, notebook
from poc1540.guard.extract.html import Heading
from poc1540.guard.extract.pdf import Cut
from poc1540.guard.model import (
    GENERATED,
    OUTPUT,
    RECEIPT,
    RESULTS,
    STATE_LEVEL_CLASS,
    SURVEY_SCOPE,
    VARIABLES,
    Leak,
    Segment,
)
from poc1540.guard.rules import SHARE_PATTERNS, plain, share_key

#: Code in an executed notebook that shows it reads the survey (respondent-level data).
SURVEY_CODE = re.compile(
    r"""chapter\.start\(\s*min_cell_size|read_table\(\s*["']respondents["']|respondents_table\(|respondents\.parquet|survey_responses|SURVEY_RESPONSES"""
)
#: Where the State-level results folders are declared.
DECLARATION = "params/guard.yaml: state_level_results"


def published_files(root: Path, report_dir: Path = OUTPUT) -> list[Path]:
    """Every published output under ``root``, sorted.

    ``report_dir`` (relative to ``root``) holds the report and the notebook pages: the edition in
    ``report/_output/``, or one waiting in ``report/_staging/`` for the guard to publish it.
    Left out: the guard's receipt, and files in hidden folders (``.build/``,
    ``.ipynb_checkpoints/``: git-ignored intermediates, not published).
    """
    root = Path(root)
    found: list[Path] = []
    for folder in (root / RESULTS, root / report_dir):
        if folder.is_dir():
            found += [p for p in folder.rglob("*") if p.is_file()]
    if (root / VARIABLES).is_file():
        found.append(root / VARIABLES)
    if (root / GENERATED).is_dir():
        found += [p for p in (root / GENERATED).rglob("*") if p.is_file()]  # every file the report can include
    receipt = (root / RECEIPT).resolve()
    kept = {p for p in found if p.resolve() != receipt and not any(part.startswith(".") for part in p.relative_to(root).parts[:-1])}
    return sorted(kept, key=lambda p: p.as_posix())


# --------------------------------------------------------------------------- results folders


def checked_state_level(value: object) -> frozenset[str]:
    """The declared State-level results folders, refused unless a list of folder names."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v and "/" not in v for v in value):
        raise UserError(f"{DECLARATION} must be a list of results folder names such as [02_coverage], not {value!r}")
    return frozenset(value)


@dataclass
class Folders:
    """results/<folder> -> survey-derived, and what the declaration got wrong."""

    survey: dict[str, bool]
    leaks: list[Leak]
    notes: list[str]

    def is_survey(self, name: str | None) -> bool:
        """Whether a folder's outputs are survey-derived (an unknown folder is)."""
        return self.survey.get(name, True) if name else True


def folders(root: Path, state_level: Iterable[str], survey_file: Path) -> Folders:
    """Each results folder's scope: survey-derived unless declared State-level and not contradicted."""
    declared = set(state_level)
    reads = re.compile(f"{SURVEY_CODE.pattern}|{re.escape(survey_file.name)}")
    results = Path(root) / RESULTS
    survey: dict[str, bool] = {}
    leaks: list[Leak] = []
    for folder in sorted(p for p in results.iterdir() if p.is_dir()) if results.is_dir() else []:
        survey[folder.name] = folder.name not in declared
        if folder.name not in declared:
            continue
        for nb in sorted(folder.glob("*.ipynb")):
            try:
                m = reads.search(notebook.code(nb.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                survey[folder.name] = True  # cannot tell; the notebook itself is reported unreadable
                continue
            if m:
                survey[folder.name] = True
                leaks.append(
                    Leak(
                        paths.relative(nb, root),
                        SURVEY_SCOPE,
                        f"{DECLARATION} declares {folder.name} State-level, but its code reads the survey ('{m.group(0)}'); "
                        "it is checked as survey-derived: remove it from the declaration",
                        "code",
                    )
                )
    notes = [f"{DECLARATION} names {name}, which is not a folder of {RESULTS.as_posix()}/" for name in sorted(declared - set(survey))]
    return Folders(survey, leaks, notes)


def state_level_shares(root: Path, scope: Folders) -> set[str]:
    """Normalised share texts that State-level results folders publish (quotable in survey chapters)."""
    shares: set[str] = set()
    for name, survey in scope.survey.items():
        if survey:
            continue
        for path in (Path(root) / RESULTS / name).rglob("*"):
            if path.suffix.lower() not in (".json", ".md", ".csv", ".svg"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix.lower() == ".svg":
                text = " ".join(seg.texts[0] for seg in data.svg(text))
            text = plain(text)
            for pattern in SHARE_PATTERNS:
                shares.update(share_key(m.group(0)) for m in pattern.finditer(text))
    return shares


#: Files of report/_generated/ that hold State-level text (the data notice, the data sources, the
#: provenance hashes; the findings register, whose rows that name a survey notebook are
#: survey-derived). Any other file there, e.g. the validator's notes on the survey file's rows, is
#: survey-derived throughout.
GENERATED_STATE_LEVEL = frozenset({"data_notice.md", "data_sources.md", "provenance.md", "findings_register.md"})


@dataclass
class Findings:
    """What the findings stage recorded, by scope: variables of State-level folders, survey notebooks."""

    state_keys: set[str]  # finding keys and fig.<name>.alt of State-level folders
    survey_notebooks: set[str]

    def register_row(self) -> re.Pattern[str] | None:
        """Lines of report/_generated/*.md that name a survey notebook (the register's "Computed in")."""
        names = sorted(self.survey_notebooks)
        return re.compile("|".join(re.escape(f"{nb}.ipynb") for nb in names)) if names else None


def findings(root: Path, scope: Folders) -> Findings:
    """The keys each results folder's ``findings.json`` records, split by the folder's scope."""
    state_keys: set[str] = set()
    notebooks: set[str] = set()
    for name, survey in scope.survey.items():
        if survey:
            notebooks.add(name)
        path = Path(root) / RESULTS / name / "findings.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except ValueError:
            continue  # reported unreadable when scanned
        if survey:
            notebooks.add(str(data.get("notebook", name)))
        else:
            state_keys.update(str(f.get("key")) for f in data.get("findings", []) if isinstance(f, dict))
            state_keys.update(f"fig.{fig}.alt" for fig in data.get("figures", {}) or {})
    return Findings(state_keys, notebooks)


# --------------------------------------------------------------------------- report sections


@dataclass(frozen=True)
class Section:
    """A top-level section of the report, and whether its heading declares it State-level."""

    heading: Heading
    state_level: bool


def sections(headings: Sequence[Heading]) -> list[Section]:
    """The report's top-level sections in order, State-level where the heading carries the class."""
    return [Section(h, STATE_LEVEL_CLASS in h.classes) for h in headings]


def cuts(report: Sequence[Section]) -> list[Cut]:
    """Where the PDF is cut: each heading's line ("3 Who answered") and structure title."""
    return [Cut(s.heading.text, s.heading.title) for s in report]


def scope_report(
    file: str, segments: list[Segment], report: Sequence[Section], found: set[int] | None = None, found_structure: set[int] | None = None
) -> list[Leak]:
    """Mark the segments of State-level sections; for a PDF, fail closed if a needed heading is missing.

    A State-level section of the PDF can be delimited only when its heading and the next one
    are found. Otherwise the whole document is survey-derived and a ``survey scope`` leak says
    which heading is missing. ``found`` is None for the HTML, whose headings define the sections.
    """
    needed = {j for i, s in enumerate(report) if s.state_level for j in (i, i + 1) if j < len(report)}
    missing = sorted(needed - found) if found is not None else []
    if missing:
        names = ", ".join(f"'{report[i].heading.text}'" for i in missing)
        declared = ", ".join(f"'{s.heading.text}'" for s in report if s.state_level)
        return [
            Leak(
                file,
                SURVEY_SCOPE,
                f"the headings {names} are not in the text, so the State-level sections ({declared}, class .{STATE_LEVEL_CLASS}) "
                "cannot be told apart: the whole document is checked as survey-derived",
                "whole document",
            )
        ]
    structure_ok = found_structure is None or needed <= found_structure
    for seg in segments:
        alt_text = seg.location.startswith("alternative text")
        if seg.section is not None and report[seg.section].state_level and (structure_ok or not alt_text):
            seg.survey = False
    return []


# --------------------------------------------------------------------------- files


def file_kind(rel: str, report_dir: Path = OUTPUT) -> tuple[str, str | None]:
    """What a published file is ("results", "notebook html", "report", "variables", "generated", "other") and its folder.

    ``report_dir`` is the folder of the report and the notebook pages (see :func:`published_files`).
    """
    parts = Path(rel).parts
    output = Path(report_dir).parts
    if parts[: len(RESULTS.parts)] == RESULTS.parts:
        return "results", parts[len(RESULTS.parts)] if len(parts) > len(RESULTS.parts) + 1 else None
    if parts[: len(output) + 1] == (*output, "notebooks"):
        # a page is <notebook>.html; the figures it shows are copies in <notebook>/, scoped as their notebook
        inner = parts[len(output) + 1 :]
        return "notebook html", inner[0] if len(inner) > 1 else Path(rel).stem
    if parts[:-1] == output:
        return "report", None
    if rel == VARIABLES.as_posix():
        return "variables", None
    if parts[: len(GENERATED.parts)] == GENERATED.parts:
        return "generated", None
    return "other", None
