"""Every path the project reads or writes, in one place.

Paths are relative to the repository root, which is found from this file's location, so
notebooks (run by papermill from any working directory) and the CLI agree on them.
"""

from __future__ import annotations

import os
from pathlib import Path

# Environment variables the project reads: POC1540_ROOT (another checkout), POC1540_NOTEBOOK
# (set by the executor so a notebook knows its name) and POC1540_OUTPUT_DIR (set by the executor:
# the scratch folder a notebook writes into, swapped in as results/<notebook>/ only on success),
# POC1540_PROTECTION (see PROTECTION below).
NOTEBOOK_ENV = "POC1540_NOTEBOOK"
OUTPUT_DIR_ENV = "POC1540_OUTPUT_DIR"
ROOT = Path(os.environ.get("POC1540_ROOT", Path(__file__).resolve().parents[3]))

DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
PARAMS = ROOT / "params"
RESPONDENT_RULE = PARAMS / "validate.yaml"  # who counts as a respondent (read by the validate stage)
NOTEBOOKS = ROOT / "notebooks"

# Raw inputs (immutable; described in the manifest)
MANIFEST = DATA_RAW / "manifest.yaml"
MEMBER_STATES = DATA_RAW / "member_states.csv"
NATIONAL_REPORTS = DATA_RAW / "national_reports.csv"
POC_LISTING = DATA_RAW / "poc_listing.csv"
ACTION_PLANS = DATA_RAW / "action_plans.csv"
CODEBOOK = DATA_RAW / "survey_codebook.yaml"
SURVEY_RESPONSES = DATA_RAW / "survey_responses.csv"  # the synthetic sample; the manifest may point elsewhere
DATA_PRIVATE = ROOT / "data" / "private"  # confidential exports: git-ignored, tracked by DVC

# Validation receipt: written only when every raw file passes
VALIDATION_RECEIPT = DATA_PROCESSED / "validation.json"
# The protect stage's complementary suppressions, decided over every chapter's cells at once;
# POC1540_PROTECTION points the chapters at another file (the protect stage's own trial rounds).
PROTECTION = DATA_PROCESSED / "protection.json"
PROTECTION_ENV = "POC1540_PROTECTION"

# Published results (small, aggregated, committed for reviewers): one folder per notebook
# holding its executed copy (ipynb and HTML), findings.json, figures and tables.
RESULTS = ROOT / "results"
FINDINGS_METRICS = RESULTS / "findings.json"
# every chapter's register of published survey cells (results/<chapter>/cells.json), merged and checked
DISCLOSURE_REGISTER = RESULTS / "disclosure.json"

# The report
REPORT = ROOT / "report"
REPORT_MAIN = REPORT / "index.qmd"
REPORT_CHAPTERS = REPORT / "chapters"
REPORT_GENERATED = REPORT / "_generated"  # written by the findings stage
SURVEY_GATES = REPORT_GENERATED / "survey"  # which survey text the report includes (poc1540.findings.gates)
REPORT_VARIABLES = REPORT / "_variables.yml"
REPORT_OUTPUT = REPORT / "_output"
REPORT_PDF = REPORT_OUTPUT / "poc1540-report.pdf"
REPORT_HTML = REPORT_OUTPUT / "poc1540-report.html"
# The edition is rendered here first; the guard moves it into report/_output/ only when it passes.
REPORT_STAGING = REPORT / "_staging"
RENDER_BUILD = REPORT / ".build"  # the renderer's intermediates (git-ignored)
REPORT_PREVIEW = REPORT / "_preview"  # poc1540 preview writes here (git-ignored; not an edition)


def chapter_results(notebook: str) -> Path:
    """Folder of one notebook's published outputs, e.g. results/02_coverage/."""
    return RESULTS / notebook


def chapter_output(notebook: str) -> Path:
    """Where the running notebook writes its outputs: the executor's scratch folder, else results/<notebook>/."""
    scratch = os.environ.get(OUTPUT_DIR_ENV)
    return Path(scratch) if scratch else chapter_results(notebook)


def processed_table(name: str) -> Path:
    """Path of a tidy table written by the prepare notebook."""
    return DATA_PROCESSED / f"{name}.parquet"


def relative(path: Path | str, root: Path | None = None) -> str:
    """A path as shown to users: relative to the repository root (or ``root``) where possible."""
    try:
        return Path(path).resolve().relative_to(Path(root or ROOT).resolve()).as_posix()
    except ValueError:
        return str(path)


def protection() -> Path:
    """The protection file the chapters apply: ``POC1540_PROTECTION`` when set, else :data:`PROTECTION`."""
    override = os.environ.get(PROTECTION_ENV)
    return Path(override) if override else PROTECTION
