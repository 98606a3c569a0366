"""The findings stage: turn the notebooks' findings and the data manifest into report inputs.

Writes, each atomically:
- ``results/findings.json``: the DVC metrics file (numeric findings, nested by key);
- ``results/disclosure.json``: the chapters' registers of published survey cells, merged and
  checked together (:mod:`poc1540.findings.disclosure`);
- ``report/_variables.yml``: every finding's text, figure alt texts, the data notice and the
  edition date, read in the prose with ``{{< var key >}}``;
- ``report/_generated/*.md``: the data notice, the findings register and the provenance
  table, pulled into the report with ``{{< include >}}``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from poc1540.core import atomic, notice, paths
from poc1540.core import manifest as manifest_module
from poc1540.core.finding import Finding
from poc1540.findings import disclosure, merge, register
from poc1540.findings.notice import data_notice

GENERATED = paths.REPORT / "_generated"
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "papermill",
    "dvc",
    "pandera",
    "typst",
    "pypandoc_binary",
)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_sources(manifest: dict[str, Any]) -> str:
    """Markdown list describing every raw input from the manifest (for the data appendix)."""
    blocks = []
    for name, entry in sorted(manifest.items()):
        blocks.append(
            f"**{_md_cell(entry['title'])}** (`data/raw/{name}`; {entry['truth']}; snapshot {entry['snapshot']}).\n"
            f"Source: {_md_cell(entry['source'])}. Licence: {_md_cell(entry['licence'])}."
            + (f"\n{_md_cell(entry['notes'])}" if entry.get("notes") else "")
        )
    return "\n\n".join(blocks) + "\n"


def validation_notes(receipt: dict[str, Any]) -> str:
    """Markdown stating the validator's warnings for this edition (or that there were none)."""
    warnings = receipt.get("warnings", [])
    if not warnings:
        return "The validator reported no warnings for this edition's inputs.\n"
    lines = ["The validator reported these warnings, which did not stop the build:", ""]
    for w in warnings:
        where = (
            w["file"] + (f", row {w['row']}" if w.get("row") is not None else "") + (f", column `{w['column']}`" if w.get("column") else "")
        )
        lines.append(f"- {where}: {_md_cell(w['rule'])}.")
    return "\n".join(lines) + "\n"


def provenance(receipt: dict[str, Any], params_dir: Path = paths.PARAMS) -> str:
    """Markdown tables of input and parameter content hashes and key package versions.

    Made only from file contents and installed versions, so it changes exactly when they do.
    """
    rows = ["| Input | SHA-256 (first 16 hex digits) |", "|:--|:--|"]
    for name, digest in receipt["inputs"].items():
        rows.append(f"| `data/raw/{name}` | `{digest[:16]}` |")
    for path in sorted(Path(params_dir).glob("*.yaml")):
        rows.append(f"| `params/{path.name}` | `{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}` |")
    rows.append("\n: Content hashes of the raw inputs and parameter files {#tbl-provenance-inputs}\n")
    rows += ["| Package | Version |", "|:--|:--|"]
    for name in KEY_PACKAGES:
        try:
            rows.append(f"| {name} | {metadata.version(name)} |")
        except metadata.PackageNotFoundError:
            rows.append(f"| {name} | not installed |")
    rows.append("\n: Versions of the key packages {#tbl-provenance-packages}\n")
    return "\n".join(rows)


def variables(
    items: list[Finding], figures: dict[str, dict[str, str]], manifest: dict[str, Any], report_params: dict[str, Any]
) -> dict[str, Any]:
    """The report's Quarto variables: findings' texts, figure alt texts, edition metadata."""
    flat: dict[str, Any] = {f.key: f.text for f in items}
    for name, fig in figures.items():
        flat[f"fig.{name}.alt"] = fig["alt"]
    flat["report.date"] = str(report_params["edition_date"])
    flat["report.watermark"] = notice.short(manifest)
    flat["report.findings_count"] = str(len(items))
    return merge.nest(flat)


def write_all(report_params: dict[str, Any], min_count: int) -> list[Path]:
    """Run the findings stage: merge, check the published survey cells together, then write every report input.

    ``min_count`` is the suppression threshold (``min_cell_size``); a suppressed cell the
    published cells pin more narrowly stops the stage before anything is written.
    """
    items, figures = merge.load_all()
    checked = disclosure.check(min_count)
    manifest = manifest_module.files()
    receipt = json.loads(paths.VALIDATION_RECEIPT.read_text(encoding="utf-8"))
    written = [
        atomic.write_text(paths.DISCLOSURE_REGISTER, json.dumps(checked, indent=1, ensure_ascii=False) + "\n"),
        atomic.write_text(paths.FINDINGS_METRICS, json.dumps(merge.metrics(items), indent=2, sort_keys=True) + "\n"),
        atomic.write_text(
            paths.REPORT_VARIABLES,
            "# Written by the findings stage (poc1540 findings): do not edit by hand.\n"
            + yaml.safe_dump(variables(items, figures, manifest, report_params), sort_keys=True, allow_unicode=True, width=1000),
        ),
        atomic.write_text(GENERATED / "data_notice.md", data_notice(manifest)),
        atomic.write_text(GENERATED / "data_sources.md", data_sources(manifest)),
        atomic.write_text(GENERATED / "findings_register.md", register.write(items)),
        atomic.write_text(GENERATED / "validation.md", validation_notes(receipt)),
        atomic.write_text(GENERATED / "provenance.md", provenance(receipt)),
    ]
    return written
