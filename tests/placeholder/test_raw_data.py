"""The raw inputs: reproducible from their generators, calibrated, and consistent with the codebook."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from poc1540.core import paths
from poc1540.core.codebook import Codebook
from poc1540.placeholder import reference_data, synthetic

REFERENCE_FILES = ["member_states.csv", "national_reports.csv", "poc_listing.csv", "action_plans.csv"]
HUB_TASKS = ["task_meetings", "task_action_plan", "task_outreach", "task_legislation"]


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook() -> dict:
    return Codebook.load(paths.CODEBOOK).raw


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return read(paths.SURVEY_RESPONSES)


@pytest.fixture(scope="module")
def listing() -> pd.DataFrame:
    return read(paths.POC_LISTING)


def answered(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace({"": np.nan, "na": np.nan}))


# --- reproducibility -------------------------------------------------------------------------


def test_regenerating_gives_identical_bytes(tmp_path):
    written = reference_data.write_reference_files(tmp_path)
    assert [p.name for p in written] == REFERENCE_FILES
    for name in REFERENCE_FILES:
        assert (tmp_path / name).read_bytes() == (paths.DATA_RAW / name).read_bytes(), name
    out = synthetic.write_synthetic_survey(tmp_path, paths.CODEBOOK, tmp_path / "poc_listing.csv")
    assert out.read_bytes() == paths.SURVEY_RESPONSES.read_bytes()
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_files_are_utf8_with_unix_line_ends():
    for name in REFERENCE_FILES + ["survey_responses.csv"]:
        raw = (paths.DATA_RAW / name).read_bytes()
        raw.decode("utf-8")
        assert b"\r" not in raw, name
        assert raw.endswith(b"\n"), name
        iso3 = read(paths.DATA_RAW / name).get("iso3")
        if iso3 is not None:
            assert list(iso3) == sorted(iso3), f"{name} not sorted by iso3"


# --- reference data --------------------------------------------------------------------------


def test_member_states():
    df = read(paths.MEMBER_STATES)
    assert list(df.columns) == [
        "iso3",
        "name",
        "un_regional_group",
        "group_code",
        "m49_region",
        "m49_subregion",
        "un_member_since",
    ]
    assert len(df) == 193 and df["iso3"].is_unique
    assert (df != "").all().all(), "missing values"
    assert df["group_code"].value_counts().to_dict() == {
        "AFR": 54,
        "APG": 54,
        "EEG": 23,
        "GRULAC": 33,
        "WEOG": 29,
    }
    assert set(zip(df["group_code"], df["un_regional_group"])) == set(reference_data.GROUP_NAMES.items())
    by_iso = df.set_index("iso3")
    for iso3, group in {"USA": "WEOG", "KIR": "APG", "TUR": "WEOG", "ISR": "WEOG"}.items():
        assert by_iso.loc[iso3, "group_code"] == group
    assert set(df["m49_region"]) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    years = df["un_member_since"].astype(int)
    assert years.between(1945, 2011).all() and by_iso.loc["SSD", "un_member_since"] == "2011"
    assert by_iso.loc["NAM", "name"] == "Namibia"  # ISO2 "NA" must not become missing


def test_national_reports():
    df = read(paths.NATIONAL_REPORTS)
    assert len(df) == 193
    assert df["first_report_submitted"].value_counts().to_dict() == {"yes": 185, "no": 8}
    no = set(df.loc[df["first_report_submitted"] == "no", "iso3"])
    assert no == {"TCD", "PRK", "SWZ", "GMB", "GIN", "MLI", "MRT", "SOM"}


def test_poc_listing_calibration(listing):
    # one POC period per State, none withdrawn: 123 States, 70 without a POC
    assert len(listing) == 123 and listing["iso3"].is_unique and (listing["withdrawn_on"] == "").all()
    dates = pd.to_datetime(listing["appointed_on"], format="%Y-%m-%d")
    assert (dates <= "2018-08-31").sum() == 102
    assert (dates <= "2020-08-31").sum() == 123
    assert len(read(paths.MEMBER_STATES)) - listing["iso3"].nunique() == 70
    assert dates.min() >= pd.Timestamp("2005-01-01")
    # More appointments per year after resolution 2325 (2016-12-15) than before it.
    before = (dates < "2016-12-15").sum() / ((pd.Timestamp("2016-12-15") - pd.Timestamp("2005-01-01")).days / 365.25)
    after = (dates >= "2016-12-15").sum() / ((pd.Timestamp("2020-08-31") - pd.Timestamp("2016-12-15")).days / 365.25)
    assert after > before
    groups = read(paths.MEMBER_STATES).set_index("iso3")["group_code"]
    coverage = groups.index.isin(listing["iso3"]).astype(float)
    coverage = pd.Series(coverage, index=groups.index).groupby(groups).mean()
    assert coverage["WEOG"] > coverage["AFR"] and coverage["EEG"] > coverage["APG"]


def test_action_plans(listing):
    df = read(paths.ACTION_PLANS)
    years = df["year"].astype(int)
    assert len(df) == 48
    assert df["iso3"].nunique() == 39
    assert (years >= 2016).sum() == 26
    assert years.min() == 2007 and years.max() == 2022
    assert set(df["iso3"]) <= set(read(paths.MEMBER_STATES)["iso3"])
    poc = set(listing["iso3"])
    states = set(df["iso3"])
    assert len(states & poc) > len(states - poc)


def test_manifest_describes_every_raw_file():
    manifest = yaml.safe_load(paths.MANIFEST.read_text(encoding="utf-8"))["files"]
    expected = {
        "member_states.csv": ("real", "member_states"),
        "national_reports.csv": ("real", "national_reports"),
        "poc_listing.csv": ("illustrative", "poc_listing"),
        "action_plans.csv": ("illustrative", "action_plans"),
        "survey_codebook.yaml": ("illustrative", "codebook"),
        "survey_responses.csv": ("synthetic", "survey_responses"),
    }
    assert set(manifest) == set(expected)
    for name, (truth, schema) in expected.items():
        entry = manifest[name]
        assert (entry["truth"], entry["schema"]) == (truth, schema), name
        for key in ("title", "source", "snapshot", "licence", "notes"):
            assert isinstance(entry[key], str) and entry[key], (name, key)
        assert (paths.DATA_RAW / name).exists()
    assert f"seed {reference_data.SEED}" in manifest["poc_listing.csv"]["source"]
    assert f"seed {reference_data.SEED}" in manifest["action_plans.csv"]["source"]
    assert f"seed {synthetic.SEED}" in manifest["survey_responses.csv"]["source"]


# --- codebook and survey ---------------------------------------------------------------------


def test_codebook_codes_are_strings_and_unique(codebook):
    seen = set()
    for q in codebook["questions"]:
        assert q["id"] not in seen
        seen.add(q["id"])
        for entry in q.get("options", []) + q.get("items", []):
            assert isinstance(entry["code"], str) and isinstance(entry["label"], str), entry
            if "items" in q:
                assert entry["code"] not in seen
                seen.add(entry["code"])


def test_codebook_matches_response_columns(codebook, survey):
    assert list(survey.columns) == synthetic.response_columns(codebook)
    assert list(survey.columns[:9]) == [
        "respondent_id",
        "country",
        "submitted",
        "agency",
        "tenure",
        "time_share",
        "written_mandate",
        "role_scale",
        "predecessor_handover",
    ]
    assert survey.columns[-1] == "sugg_other_text"
    na = codebook["not_applicable"]
    for q in codebook["questions"]:
        if q["type"] in ("single", "ordinal"):
            assert set(survey[q["id"]]) <= {o["code"] for o in q["options"]} | {""}, q["id"]
        elif q["type"] == "scale":
            allowed = {str(v) for v in range(q["min"], q["max"] + 1)}
            assert set(survey[q["id"]]) <= allowed | {""}
        elif q["type"] == "multi":
            block = survey[[i["code"] for i in q["items"]]]
            skipped = (block == "").all(axis=1)
            assert block[~skipped].isin(["0", "1"]).all().all(), q["id"]
            if "exclusive" in q:
                others = block[~skipped].drop(columns=q["exclusive"]).astype(int).sum(axis=1)
                assert ((block.loc[~skipped, q["exclusive"]] == "1") == (others == 0)).all()
        elif q["type"] == "likert":
            allowed = {str(k) for k in q["scale"]} | {na, ""}
            for item in q["items"]:
                assert set(survey[item["code"]]) <= allowed, item["code"]


def test_respondents_come_from_poc_states(survey, listing, codebook):
    frame = listing[(listing["appointed_on"] <= "2020-08-31") & (listing["withdrawn_on"] == "")]
    assert set(survey["country"]) <= set(frame["iso3"])
    assert survey["country"].is_unique
    assert 50 <= len(survey) <= 70
    assert survey["respondent_id"].is_unique
    assert all(re.fullmatch(r"R\d{3}", r) for r in survey["respondent_id"])
    # Ids are not in country order.
    assert list(survey.sort_values("respondent_id")["country"]) != sorted(survey["country"])
    start = str(codebook["fieldwork"]["start"])
    end = str(codebook["fieldwork"]["end"])
    assert survey["submitted"].between(start, end).all()
    for col in ("respondent_id", "country", "submitted"):
        assert (survey[col] != "").all()


def test_missing_data_and_open_text(survey):
    items = survey.drop(columns=["respondent_id", "country", "submitted", "sugg_other_text"])
    share_empty = (items == "").to_numpy().mean()
    assert 0.01 <= share_empty <= 0.10
    assert (survey["written_mandate"] == "dont_know").any()
    assert (survey.filter(like="chal_") == "na").any().any()
    other = survey["sugg_other"] == "1"
    assert (survey.loc[other, "sugg_other_text"] != "").all()
    assert (survey.loc[~other, "sugg_other_text"] == "").all()


def test_answers_correlate_as_the_study_suggests(survey):
    role = answered(survey["role_scale"])
    tasks_answered = survey["task_forward"] != ""
    hub = survey[HUB_TASKS].replace("", np.nan).astype(float).sum(axis=1)
    hub_hi = hub[tasks_answered & (role >= 4)].mean()
    hub_lo = hub[tasks_answered & (role <= 2)].mean()
    assert hub_hi > hub_lo + 1.0

    support_cols = [c for c in survey.columns if c.startswith("support_") and c != "support_none"]
    support_answered = survey["support_none"] != ""
    n_support = survey[support_cols].replace("", np.nan).astype(float).sum(axis=1)
    assert n_support[support_answered & (role >= 4)].mean() > n_support[support_answered & (role <= 2)].mean()

    chal_mandate = answered(survey["chal_mandate"])
    assert chal_mandate[role >= 4].mean() < chal_mandate[role <= 2].mean()
    assert chal_mandate[survey["written_mandate"] == "yes"].mean() < chal_mandate[survey["written_mandate"] == "no"].mean()

    long_tenure = survey["tenure"].isin(["3_5", "over_5"])
    short_tenure = survey["tenure"] == "under_1"
    mandate_yes = survey["written_mandate"] == "yes"
    assert mandate_yes[long_tenure].mean() > mandate_yes[short_tenure].mean()


def test_regional_variation(survey):
    groups = read(paths.MEMBER_STATES).set_index("iso3")["group_code"]
    g = survey["country"].map(groups)
    trained = survey["support_unoda_training"].replace("", np.nan).astype(float)
    by_group = trained.groupby(g).mean()
    assert by_group.max() - by_group.min() > 0.2
    assert g.nunique() == 5


def test_generator_is_seeded_not_global(codebook, listing):
    a = synthetic.synthetic_survey(codebook, listing)
    np.random.seed(0)
    b = synthetic.synthetic_survey(codebook, listing)
    pd.testing.assert_frame_equal(a, b)
    c = synthetic.synthetic_survey(codebook, listing, seed=synthetic.SEED + 1)
    assert not a.equals(c)


def test_listing_dates_before_snapshot(listing):
    dates = [dt.date.fromisoformat(d) for d in listing["appointed_on"] if d]
    assert max(dates) <= reference_data.LISTING_SNAPSHOT
