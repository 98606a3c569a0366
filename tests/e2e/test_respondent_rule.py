"""Who counts as a respondent, end to end: a Qualtrics export with unfinished and repeated
responses, imported and swapped in as the README says, builds a report that counts one submitted
response per State."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from support.pdf import pdf_text
from support.repo import run

EXPORT = "tests/fixtures/imports/qualtrics_partial.csv"


def independent_count(export: Path) -> tuple[int, int]:
    """(responses, respondents) recomputed from the export alone: previews and tests out; of the
    rest, those submitted (Finished) with a State, one per State."""
    q = pd.read_csv(export, dtype=str, keep_default_na=False, skiprows=[1, 2], encoding="utf-8-sig")
    real = q[~q["Status"].isin(["Survey Preview", "Survey Test"]) & ~q["DistributionChannel"].isin(["preview", "test"])]
    submitted = real[(real["Finished"] == "True") & (real["Q1"].str.strip() != "")]
    return len(real), submitted["Q1"].nunique()


@pytest.mark.slow
def test_the_report_counts_one_submitted_response_per_state(clone_of_copy: Path) -> None:
    repo = clone_of_copy
    run(["poc1540", "import", "--format", "qualtrics", EXPORT], cwd=repo, root=repo)
    # README "Swapping in real data", step 2: the manifest points at the private export
    manifest_path = repo / "data/raw/manifest.yaml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["survey_responses.csv"].update(
        path="../private/survey_responses.csv", truth="real", source="Qualtrics export (test fixture, invented)", snapshot="2020-11-30"
    )
    manifest["inactive"] = ["survey_responses.csv"]
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")

    out = run(["dvc", "repro"], cwd=repo, root=repo).stdout
    assert "Confidentiality guard passed" in out
    responses, respondents = independent_count(repo / EXPORT)
    assert responses > respondents  # the fixture does hold unfinished and repeated responses
    variables = yaml.safe_load((repo / "report/_variables.yml").read_text(encoding="utf-8"))
    assert (variables["intake"]["responses"], variables["intake"]["counted"]) == (str(responses), str(respondents))

    # the methods appendix states the rule and the counts, in the PDF itself
    text = pdf_text(repo / "report/_output/poc1540-report.pdf")
    assert f"Of the {responses} responses in this edition's survey file, {respondents} count as respondents" in text
    assert "only submitted (finished) responses count" in text

    # the tidy table the chapters read has one row per counted State
    table = pd.read_parquet(repo / "data/processed/respondents.parquet")
    assert len(table) == respondents and table["country"].is_unique
    # the receipt lists the responses left out by row, without naming a State or an id
    receipt = (repo / "data/processed/validation.json").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO((repo / "data/private/survey_responses.csv").read_text(encoding="utf-8"))))
    assert "superseded" in receipt and "unfinished" in receipt
    assert not any(cell in receipt for row in rows[1:] for cell in (row[0], row[1]) if cell)
