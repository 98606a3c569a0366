"""Pandera schemas for every raw file, built from the codebook and the reference data.

Raw CSVs are read as text (see :mod:`poc1540.core.problems`) so a bad value is reported exactly as the file has it;
each check carries an ``error`` string that is the rule shown to the user.

Why pandera rather than frictionless: the checks run on the same pandas frames the notebooks
use, lazy validation collects every failure (row, column, value, check) in one pass, and the
survey schema is built programmatically from the codebook, which is the single source of truth.
"""

from __future__ import annotations

from typing import Any

import pandera.pandas as pa

ISO3 = r"^[A-Z]{3}$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
YES_NO = ["yes", "no"]
REGIONAL_GROUPS = {
    "AFR": "African Group",
    "APG": "Asia-Pacific Group",
    "EEG": "Eastern European Group",
    "GRULAC": "Latin American and Caribbean Group",
    "WEOG": "Western European and Others Group",
}


def _text(*checks: pa.Check, required: bool = True, unique: bool = False) -> pa.Column:
    return pa.Column(str, list(checks), required=required, unique=unique, nullable=False)


def _not_empty() -> pa.Check:
    return pa.Check(lambda s: s.str.strip() != "", error="must not be empty")


MEMBER_RULE = "must be the ISO3 code of a UN Member State"


def _member(members: set[str]) -> pa.Check:
    return pa.Check.isin(sorted(members), error=MEMBER_RULE)


def _iso_date(allow_empty: bool = False) -> pa.Check:
    pattern = ISO_DATE if not allow_empty else f"({ISO_DATE})|^$"
    label = "a date written YYYY-MM-DD" + (" or empty" if allow_empty else "")
    return pa.Check.str_matches(pattern, error=f"must be {label}")


def member_states() -> pa.DataFrameSchema:
    """The UN Member States reference: one row per State."""
    return pa.DataFrameSchema(
        {
            "iso3": _text(pa.Check.str_matches(ISO3, error="must be three capital letters (ISO 3166-1 alpha-3)"), unique=True),
            "name": _text(_not_empty()),
            "un_regional_group": _text(pa.Check.isin(list(REGIONAL_GROUPS.values()), error="must be one of the five UN regional groups")),
            "group_code": _text(pa.Check.isin(list(REGIONAL_GROUPS), error="must be one of AFR, APG, EEG, GRULAC, WEOG")),
            "m49_region": _text(_not_empty()),
            "m49_subregion": _text(_not_empty()),
            "un_member_since": _text(pa.Check.str_matches(r"^(19[4-9]\d|20\d\d)$", error="must be a year from 1945 on")),
        },
        strict=True,
        name="member_states",
    )


def national_reports(members: set[str]) -> pa.DataFrameSchema:
    """First national report status per Member State."""
    return pa.DataFrameSchema(
        {
            "iso3": _text(_member(members), unique=True),
            "first_report_submitted": _text(pa.Check.isin(YES_NO, error="must be yes or no")),
        },
        strict=True,
        name="national_reports",
    )


def poc_listing(members: set[str]) -> pa.DataFrameSchema:
    """The 1540 Committee's POC listing: one row per period in which a Member State had a POC.

    ``withdrawn_on`` is empty while the POC is in office at the snapshot; a State absent from
    the file never had one. Periods of one State are checked for overlap by the validator.
    """
    ordered = pa.Check(
        lambda df: (df["withdrawn_on"] == "") | (df["withdrawn_on"] > df["appointed_on"]),
        error="withdrawn_on must be after appointed_on",
    )
    return pa.DataFrameSchema(
        {
            "iso3": _text(_member(members)),
            "appointed_on": _text(_iso_date()),
            "withdrawn_on": _text(_iso_date(allow_empty=True)),
        },
        checks=[ordered],
        strict=True,
        name="poc_listing",
    )


def action_plans(members: set[str]) -> pa.DataFrameSchema:
    """National implementation action plans: one row per plan."""
    return pa.DataFrameSchema(
        {
            "iso3": _text(_member(members)),
            "year": _text(pa.Check.str_matches(r"^20\d\d$", error="must be a year from 2004 on")),
        },
        strict=True,
        name="action_plans",
    )


def _whole_rows(df, columns: list[str], rule):
    """Apply a row-wise rule when all its columns exist (a missing column is reported on its own)."""
    if not set(columns) <= set(df.columns):
        return True
    return rule(df[columns])


def _options(question: dict[str, Any]) -> list[str]:
    return [str(o["code"]) for o in question.get("options", [])]


def survey_columns(codebook: dict[str, Any]) -> list[str]:
    """The response file's columns, in codebook order (multi/likert items get one column each)."""
    columns: list[str] = []
    for q in codebook["questions"]:
        if q["type"] in ("multi", "likert"):
            columns.extend(str(item["code"]) for item in q["items"])
        else:
            columns.append(q["id"])
    return columns


#: Response metadata a survey file may carry after the codebook's columns (the importers write
#: them when the export has them): was the response submitted, and when, to the second. Who
#: counts as a respondent is decided from them (:mod:`poc1540.intake.respondents`).
RESPONSE_METADATA = ("finished", "submitted_at")
ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"


def response_metadata() -> dict[str, pa.Column]:
    """The optional metadata columns and their rules."""
    return {
        "finished": pa.Column(
            str, pa.Check.isin(YES_NO, error="must be yes (submitted) or no (not submitted)"), required=False, nullable=False
        ),
        "submitted_at": pa.Column(
            str,
            pa.Check.str_matches(f"({ISO_DATETIME})|^$", error="must be a date and time written YYYY-MM-DDTHH:MM:SS, or empty"),
            required=False,
            nullable=False,
        ),
    }


def survey_responses(codebook: dict[str, Any], members: set[str], *, unfinished: bool = False) -> pa.DataFrameSchema:
    """The survey responses, one row per response, checked against the codebook.

    Extra columns are not errors here: the validator reports them as warnings. ``unfinished``:
    the schema for responses that were not submitted (``finished`` = ``no``), where a required
    answer may be empty (the respondent stopped before the question); every given answer is
    still checked.
    """
    cols: dict[str, pa.Column] = dict(response_metadata())
    na_code = str(codebook.get("not_applicable", "na"))
    start, end = (str(codebook["fieldwork"][k]) for k in ("start", "end"))
    for q in codebook["questions"]:
        qid, kind = q["id"], q["type"]
        required = bool(q.get("required", False)) and (kind == "key" or not unfinished)
        blank_ok = "" if required else " or empty"
        if kind == "key":
            cols[qid] = _text(_not_empty())  # uniqueness is checked across the whole file by the validator
        elif kind == "country":
            cols[qid] = _text(_member(members | ({""} if not required else set())))
        elif kind == "date":
            window = pa.Check(
                # a value that is no date at all is reported by the format rule alone
                lambda s, a=start, b=end: (s == "") | ~s.str.match(ISO_DATE) | ((s >= a) & (s <= b)),
                error=f"must fall within the fieldwork window {start} to {end}",
            )
            cols[qid] = _text(_iso_date(allow_empty=not required), window)
        elif kind in ("single", "ordinal"):
            allowed = _options(q) + ([] if required else [""])
            cols[qid] = _text(pa.Check.isin(allowed, error=f"must be a codebook option of '{qid}' ({', '.join(_options(q))}){blank_ok}"))
        elif kind == "scale":
            lo, hi = int(q["min"]), int(q["max"])
            allowed = [str(v) for v in range(lo, hi + 1)] + ([] if required else [""])
            cols[qid] = _text(pa.Check.isin(allowed, error=f"must be a whole number from {lo} to {hi}{blank_ok}"))
        elif kind == "multi":
            for item in q["items"]:
                cols[str(item["code"])] = _text(
                    pa.Check.isin(["0", "1", ""], error="must be 1 (ticked), 0 (not ticked) or empty (question skipped)")
                )
        elif kind == "likert":
            scale = [str(v) for v in q["scale"]]
            allowed = scale + ([na_code] if q.get("allow_na") else []) + [""]
            rule = (
                f"must be a Likert score {scale[0]} to {scale[-1]}"
                + (f", '{na_code}' (not applicable)" if q.get("allow_na") else "")
                + " or empty"
            )
            for item in q["items"]:
                cols[str(item["code"])] = _text(pa.Check.isin(allowed, error=rule))
        elif kind == "text":
            cols[qid] = _text(required=required)
        else:  # the codebook check reports unknown types; nothing to build here
            continue

    checks = []
    for q in codebook["questions"]:
        if q["type"] != "multi":
            continue
        codes = [str(i["code"]) for i in q["items"]]
        checks.append(
            pa.Check(
                lambda df, c=codes: _whole_rows(df, c, lambda d: (d == "").all(axis=1) | (d != "").all(axis=1)),
                error=f"multi-select '{q['id']}' must be answered for every option or for none (partly empty)",
            )
        )
        if q.get("exclusive"):
            none, others = str(q["exclusive"]), [c for c in codes if c != q["exclusive"]]
            checks.append(
                pa.Check(
                    lambda df, n=none, o=others: _whole_rows(df, [n, *o], lambda d: ~((d[n] == "1") & (d[o] == "1").any(axis=1))),
                    error=f"'{none}' cannot be ticked together with another option of '{q['id']}'",
                )
            )
    return pa.DataFrameSchema(cols, checks=checks, strict=False, name="survey_responses")
