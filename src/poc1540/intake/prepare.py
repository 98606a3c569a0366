"""Tidy tables from the validated raw files: one table of States, one of respondents.

Raw files are read as text (the validator has already checked every value), then typed here:
dates as datetimes, yes/no as booleans, codebook answers as (ordered) categoricals, 0/1 items as
nullable booleans, Likert scores as nullable integers with "not applicable" kept apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from poc1540.core import atomic, manifest, paths
from poc1540.core.codebook import Codebook


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def states_table(
    member_states: Path = paths.MEMBER_STATES,
    national_reports: Path = paths.NATIONAL_REPORTS,
    poc_listing: Path = paths.POC_LISTING,
    action_plans: Path = paths.ACTION_PLANS,
) -> pd.DataFrame:
    """One row per Member State: regional group, POC appointment, reporting and action plans."""
    states = _read(member_states)
    reports = _read(national_reports)
    listing = _read(poc_listing)
    plans = _read(action_plans)

    out = states.merge(reports, on="iso3", how="left", validate="one_to_one")
    out = out.merge(listing, on="iso3", how="left", validate="one_to_one")
    out["first_report_submitted"] = out["first_report_submitted"].eq("yes")
    out["poc_appointed"] = out["poc_appointed"].eq("yes")
    out["appointed_on"] = pd.to_datetime(out["appointed_on"].replace("", None), format="%Y-%m-%d")
    out["un_member_since"] = out["un_member_since"].astype(int)

    plans["year"] = plans["year"].astype(int)
    per_state = plans.groupby("iso3").agg(action_plans=("year", "size"), first_plan_year=("year", "min"))
    out = out.merge(per_state, left_on="iso3", right_index=True, how="left")
    out["action_plans"] = out["action_plans"].fillna(0).astype(int)
    out["first_plan_year"] = out["first_plan_year"].astype("Int64")
    out["has_action_plan"] = out["action_plans"] > 0
    return out.sort_values("iso3").reset_index(drop=True)


def respondents_table(codebook: Codebook, responses: Path | None = None) -> pd.DataFrame:
    """One row per respondent, typed by the codebook. Respondent-level: never published.

    The file is the one the manifest names (the synthetic sample, or a private export).
    """
    raw = _read(responses or manifest.input_path("survey_responses"))
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


def write_tables(tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write each table to ``data/processed/<name>.parquet`` atomically, without the index."""
    written = []
    for name, df in tables.items():
        with atomic.atomic_path(paths.processed_table(name)) as tmp:
            df.to_parquet(tmp, index=False)
        written.append(paths.processed_table(name))
    return written


def read_table(name: str) -> pd.DataFrame:
    """Read a table written by the prepare notebook."""
    return pd.read_parquet(paths.processed_table(name))
