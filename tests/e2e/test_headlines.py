"""Three headline findings recomputed from the raw files with plain pandas, independently of
the package and the notebooks, must match what the pipeline published."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from poc1540.core import paths


def published(key: str) -> dict:
    for path in paths.RESULTS.glob("*/findings.json"):
        for f in json.loads(path.read_text())["findings"]:
            if f["key"] == key:
                return f
    raise KeyError(key)


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(paths.DATA_RAW / name, dtype=str, keep_default_na=False)


def frame_date() -> str:
    return yaml.safe_load(paths.MANIFEST.read_text())["files"]["survey_responses.csv"]["frame_date"]


def holding(listing: pd.DataFrame, date: str) -> pd.Series:
    """Rows of the listing whose POC period covers the date (appointed by then, not yet withdrawn)."""
    return (listing["appointed_on"] <= date) & ((listing["withdrawn_on"] == "") | (listing["withdrawn_on"] > date))


def test_share_of_member_states_with_a_poc() -> None:
    snapshot = yaml.safe_load(paths.MANIFEST.read_text())["files"]["poc_listing.csv"]["snapshot"]
    listing = raw("poc_listing.csv")
    members = len(raw("member_states.csv"))
    with_poc = listing.loc[holding(listing, snapshot), "iso3"].nunique()
    assert published("coverage.share_with_poc")["text"] == f"{round(100 * with_poc / members)}% ({with_poc} of {members})"


def test_survey_response_rate() -> None:
    listing = raw("poc_listing.csv")
    frame = set(listing.loc[holding(listing, frame_date()), "iso3"])
    answered = raw("survey_responses.csv")["country"].nunique()
    assert published("survey.response_rate")["text"] == f"{round(100 * answered / len(frame))}% ({answered} of {len(frame)})"


def test_share_performing_the_post_office_task() -> None:
    answers = raw("survey_responses.csv")["task_forward"]
    answered = answers[answers != ""]
    count, base = int((answered == "1").sum()), len(answered)
    finding = published("tasks.forward_share")
    assert finding["text"] == f"{round(100 * count / base)}% ({count} of {base})"
    assert (finding["extra"]["count"], finding["extra"]["base"]) == (count, base)
