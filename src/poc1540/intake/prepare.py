"""Tidy tables from the validated raw files: one table of States, one of respondents.

What every chapter needs is computed here once: the POC periods of the listing, the survey
frame (States whose POC was listed on the frame date, from those periods), each respondent's
State context, and the POC role type.

Raw files are read as text (the validator has already checked every value), then typed here:
dates as datetimes, yes/no as booleans, codebook answers as (ordered) categoricals, 0/1 items as
nullable booleans, Likert scores as nullable integers with "not applicable" kept apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from poc1540.core import manifest, paths
from poc1540.core.codebook import Codebook
from poc1540.intake import listings, respondents, roles


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def poc_periods(poc_listing: Path = paths.POC_LISTING) -> pd.DataFrame:
    """The listing's POC periods, dates typed (``withdrawn_on`` is NaT while the POC is in office)."""
    return listings.periods(_read(poc_listing))


def states_table(
    member_states: Path = paths.MEMBER_STATES,
    national_reports: Path = paths.NATIONAL_REPORTS,
    poc_listing: Path = paths.POC_LISTING,
    action_plans: Path = paths.ACTION_PLANS,
) -> pd.DataFrame:
    """One row per Member State: regional group, POC, reporting and action plans.

    ``poc_appointed`` is whether the State had a POC when the listing was taken; ``appointed_on``
    and ``withdrawn_on`` are the start and end (NaT while in office) of its latest POC period.
    Counts on other dates come from :func:`poc_periods`, which keeps every period.
    """
    states = _read(member_states)
    reports = _read(national_reports)
    periods = poc_periods(poc_listing)
    plans = _read(action_plans)

    latest = periods.sort_values(["iso3", "appointed_on"]).groupby("iso3").tail(1).set_index("iso3")
    out = states.merge(reports, on="iso3", how="left", validate="one_to_one")
    out["first_report_submitted"] = out["first_report_submitted"].eq("yes")
    out["appointed_on"] = out["iso3"].map(latest["appointed_on"])
    out["withdrawn_on"] = out["iso3"].map(latest["withdrawn_on"])
    out["poc_appointed"] = out["appointed_on"].notna() & out["withdrawn_on"].isna()
    out["un_member_since"] = out["un_member_since"].astype(int)

    plans["year"] = plans["year"].astype(int)
    per_state = plans.groupby("iso3").agg(action_plans=("year", "size"), first_plan_year=("year", "min"))
    out = out.merge(per_state, left_on="iso3", right_index=True, how="left")
    out["action_plans"] = out["action_plans"].fillna(0).astype(int)
    out["first_plan_year"] = out["first_plan_year"].astype("Int64")
    out["has_action_plan"] = out["action_plans"] > 0
    return out.sort_values("iso3").reset_index(drop=True)


def respondents_table(codebook: Codebook, responses: Path | None = None, receipt: Path = paths.VALIDATION_RECEIPT) -> pd.DataFrame:
    """One row per respondent, typed by the codebook. Respondent-level: never published.

    The file is the one the manifest names (the synthetic sample, or a private export); only the
    responses that count are kept, by the respondent rule the validator applied (its ``receipt``).
    """
    raw = respondents.counted(_read(responses or manifest.input_path("survey_responses")), respondents.receipt_rule(receipt))
    out = pd.DataFrame({"respondent_id": raw["respondent_id"], "country": raw["country"]})
    out["submitted"] = pd.to_datetime(raw["submitted"], format="%Y-%m-%d")
    for q in codebook.raw["questions"]:
        qid, kind = q["id"], q["type"]
        if kind in ("single", "ordinal"):
            out[qid] = raw[qid].replace("", None).astype(codebook.categorical(qid))
        elif kind == "scale":
            out[qid] = pd.to_numeric(raw[qid].replace("", None)).astype("Int64")
        elif kind == "multi":
            for code in codebook.codes(qid):
                out[code] = raw[code].map({"1": True, "0": False, "": None}).astype("boolean")
        elif kind == "likert":
            for code in codebook.codes(qid):
                values = raw[code]
                out[code] = pd.to_numeric(values.where(~values.isin(["", codebook.not_applicable]))).astype("Int64")
                out[f"{code}__na"] = values.eq(codebook.not_applicable)
        # open text is confidential and not analysed: it is deliberately left out here
    return out


def mark_survey_frame(states: pd.DataFrame, periods: pd.DataFrame, frame_date: str) -> pd.DataFrame:
    """Add ``in_survey_frame``: the State had a POC in office on ``frame_date`` (the survey's population).

    Read from the POC periods, so a POC withdrawn after the frame date is still in the frame.
    """
    return states.assign(in_survey_frame=states["iso3"].isin(listings.holders_on(periods, frame_date)))


CONTEXT = ["group_code", "un_regional_group", "first_report_submitted", "has_action_plan", "in_survey_frame"]


def with_context(respondents: pd.DataFrame, states: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Each respondent with their State's public context and the POC role derived from tasks.

    Adds the State-level columns in :data:`CONTEXT`, ``role_index`` and ``role_type`` (from
    the tasks performed) and ``self_type`` (the respondent's own placement, banded the same way).
    """
    context = states[["iso3", *CONTEXT]]
    out = respondents.merge(context, left_on="country", right_on="iso3", how="left", validate="many_to_one").drop(columns="iso3")
    out["role_index"] = roles.role_index(out, codebook)
    out["role_type"] = roles.role_type(out["role_index"])
    out["self_type"] = roles.role_type(out["role_scale"])
    return out
