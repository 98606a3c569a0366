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

import json
from pathlib import Path
from typing import Any

import yaml

from poc1540.core import atomic, notice, paths
from poc1540.core import manifest as manifest_module
from poc1540.core.finding import Finding
from poc1540.findings import disclosure, gates, merge, register
from poc1540.findings.notice import data_notice
from poc1540.findings.provenance import data_sources, provenance

GENERATED = paths.REPORT / "_generated"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def validation_notes(receipt: dict[str, Any], withheld_file: str | None = None) -> str:
    """Markdown stating the validator's warnings for this edition (or that there were none).

    ``withheld_file`` is the survey file when the survey is too small to publish: its warnings
    count rows ("empty in 1 of 3 rows"), so they are summed up in words instead of listed.
    """
    warnings = receipt.get("warnings", [])
    held = [w for w in warnings if withheld_file is not None and w["file"] == withheld_file]
    warnings = [w for w in warnings if w not in held]
    tail = ""
    if held:
        tail = (
            f"\nThe validator's {len(held)} warning(s) about the survey file are not listed: they count its rows, "
            "and too few POCs answered to publish any count from the survey.\n"
        )
    if not warnings:
        return (
            "The validator reported no warnings for this edition's other inputs.\n"
            if held
            else "The validator reported no warnings for this edition's inputs.\n"
        ) + tail
    lines = ["The validator reported these warnings, which did not stop the build:", ""]
    for w in warnings:
        where = (
            w["file"] + (f", row {w['row']}" if w.get("row") is not None else "") + (f", column `{w['column']}`" if w.get("column") else "")
        )
        lines.append(f"- {where}: {_md_cell(w['rule'])}.")
    return "\n".join(lines) + "\n" + tail


def _left_out(n: int, why: str) -> str:
    return f"{n} response{' was' if n == 1 else 's were'} left out as {why}"


def respondent_variables(receipt: dict[str, Any], min_count: int | None = None) -> dict[str, str]:
    """Who counted as a respondent, from the validation receipt: the rule in words and its counts
    (``intake.*``), for the methods appendix. Empty when the receipt predates the rule.

    Fewer respondents than ``min_count`` (the suppression threshold) are written "fewer than N",
    and the responses left out are then not counted either (the two would give the number away).
    """
    counts = receipt.get("respondents")
    if not counts:
        return {}
    if min_count is not None and counts["counted"] < min_count:
        return {
            "intake.rule": counts["rule_text"],
            "intake.responses": str(counts["rows"]),
            "intake.counted": f"fewer than {min_count}",
            "intake.left_out": "the others were left out by the rule" if counts["rows"] > counts["counted"] else "none was left out",
        }
    left = []
    if counts["unfinished"]:
        left.append(_left_out(counts["unfinished"], "not submitted"))
    if counts.get("without_state"):
        left.append(_left_out(counts["without_state"], "naming no State"))
    if counts["superseded"]:
        left.append(_left_out(counts["superseded"], f"superseded by the {counts['rule']['per_state']} submitted one from the same State"))
    return {
        "intake.rule": counts["rule_text"],
        "intake.responses": str(counts["rows"]),
        "intake.counted": str(counts["counted"]),
        "intake.left_out": "; ".join(left) if left else "none was left out",
    }


def variables(
    items: list[Finding],
    figures: dict[str, dict[str, str]],
    manifest: dict[str, Any],
    report_params: dict[str, Any],
    receipt: dict[str, Any] | None = None,
    min_count: int | None = None,
    checked: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's Quarto variables: findings' texts, figure alt texts, edition metadata, and who
    counted as a respondent (from the validation ``receipt``)."""
    flat: dict[str, Any] = {f.key: f.text for f in items}
    flat.update(respondent_variables(receipt or {}, min_count))
    if checked is not None:  # the suppressed cells per rule, for the methods appendix
        flat.update(disclosure.variables(checked))
    for name, fig in figures.items():
        flat[f"fig.{name}.alt"] = fig["alt"]
    flat["report.date"] = str(report_params["edition_date"])
    # The title page's facts live in params/report.yaml, beside the edition date.
    flat["report.authors"] = ", ".join(str(a) for a in report_params["authors"])
    for key in ("institution", "edition", "licence", "contact"):
        flat[f"report.{key}"] = str(report_params[key])
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
    # Every text is made before anything is written, so a refusal (a recoverable cell, a finding
    # that does not fit) leaves the last good report inputs in place (the stage's outs persist).
    texts = {
        paths.DISCLOSURE_REGISTER: json.dumps(checked, indent=1, ensure_ascii=False) + "\n",
        paths.FINDINGS_METRICS: json.dumps(merge.metrics(items), indent=2, sort_keys=True) + "\n",
        paths.REPORT_VARIABLES: "# Written by the findings stage (poc1540 findings): do not edit by hand.\n"
        + yaml.safe_dump(
            variables(items, figures, manifest, report_params, receipt, min_count, checked), sort_keys=True, allow_unicode=True, width=1000
        ),
        GENERATED / "data_notice.md": data_notice(manifest),
        GENERATED / "data_sources.md": data_sources(manifest),
        GENERATED / "validation.md": validation_notes(receipt, gates.withheld_survey_file(items)),
        GENERATED / "provenance.md": provenance(receipt, manifest),
    }
    # The gate files first: the register follows them into the text the report reads.
    written = gates.write(items)
    texts[GENERATED / "findings_register.md"] = register.write(items)
    written += [atomic.write_text(path, text) for path, text in texts.items()]
    return written
