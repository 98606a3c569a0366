"""Seeded generator of the SYNTHETIC survey of national 1540 Points of Contact.

The real responses are confidential and never enter git. This module makes a stand-in with the
same columns and codes (taken from the codebook), so that the whole pipeline runs and the analysis
has realistic work to do. Every number computed from it is synthetic and must be labelled so.

How the sample is made (all draws from ``numpy.random.default_rng(SEED)``, in a fixed order, so
the same seed, codebook and listing give the same bytes):

* **Frame and response.** The frame is every State with a POC in office in the listing on the
  survey's frame date (the survey entry's ``frame_date`` in ``data/raw/manifest.yaml``). About half of them answer (``RESPONSE_RATE``), one respondent
  per State. Response is more likely in WEOG and EEG and for Hub-like POCs, a plausible
  non-response bias the analysis should be able to see against the listing.
* **A latent Post-Office-to-Hub propensity** ``h`` (normal, shifted by regional group) drives:
  the Hub tasks (coordination meetings, action plan, outreach, legislation) up and the share of
  time spent on 1540; the self-placement ``role_scale``; more support received; fewer problems
  with mandate, coordination and awareness; a written mandate.
* **Tenure** goes with a written mandate and a handover, and is capped by how long the State has
  had a POC at all (a POC appointed in 2019 cannot have served for over 5 years); a POC who has
  served since the State's first appointment is usually the first POC.
* **Regional variation**: UNODA training, regional-organization and bilateral support, funding,
  expertise and language challenges, and suggestions about training and funding differ by group.
* **Missing data**: each single question is left blank by about 4% of respondents, each
  multi-select question skipped as a whole by about 3% (all its item columns empty), each Likert
  item blank about 5% of the time; "don't know" on the mandate question and ``na`` (not
  applicable) on challenges, mostly on language barriers for WEOG States.
* ``sugg_other_text`` holds a short invented phrase exactly when ``sugg_other`` is 1; none of the
  phrases names or hints at a State.

Run ``python -m poc1540.placeholder.synthetic data/raw`` to rewrite ``data/raw/survey_responses.csv`` from
``data/raw/survey_codebook.yaml`` and ``data/raw/poc_listing.csv``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from poc1540.core import manifest
from poc1540.core.codebook import Codebook
from poc1540.intake import listings
from poc1540.placeholder import reference_data
from poc1540.placeholder.reference_data import write_csv_atomic

SEED = 20200901
RESPONSE_RATE = 0.49  # 60 of the 123 POC States in the shipped listing

SINGLE_MISSING = 0.04
MULTI_SKIPPED = 0.03
LIKERT_MISSING = 0.05

# Illustrative regional effects (group code -> shift); none of these is a published fact.
HUB_SHIFT = {"AFR": -0.3, "APG": -0.25, "EEG": 0.25, "GRULAC": 0.0, "WEOG": 0.45}
RESPONSE_WEIGHT = {"AFR": 0.8, "APG": 0.75, "EEG": 1.3, "GRULAC": 1.0, "WEOG": 1.35}

_AGENCY = {  # code: (base probability, slope on h)
    "foreign_affairs": (0.36, 0.0),
    "defence": (0.07, 0.0),
    "interior": (0.07, 0.0),
    "customs_border": (0.08, 0.2),
    "export_control": (0.13, 0.5),
    "regulator": (0.13, 0.4),
    "mission_un": (0.10, -0.7),
    "other": (0.06, 0.0),
}

# Logit intercept, slope on h, and regional shifts, per multi-select item.
_TASKS = {
    "task_forward": (2.3, -0.3, {}),
    "task_report": (0.9, 0.5, {}),
    "task_meetings": (-0.2, 1.5, {}),
    "task_action_plan": (-1.1, 1.3, {"EEG": 0.4, "GRULAC": 0.3}),
    "task_assistance": (-0.9, 0.3, {"AFR": 0.6, "APG": 0.3, "WEOG": -0.8}),
    "task_experts": (-0.2, 0.5, {}),
    "task_training": (-0.6, 0.4, {}),
    "task_outreach": (-0.7, 1.3, {}),
    "task_legislation": (-0.3, 1.2, {}),
    "task_regional": (-0.5, 0.4, {"AFR": 0.5, "GRULAC": 0.5, "WEOG": -0.2}),
}
_SUPPORT = {
    "support_unoda_training": (-0.6, 0.5, {"AFR": 0.5, "GRULAC": 0.6, "APG": 0.3, "WEOG": -1.4}),
    "support_committee": (-0.4, 0.6, {}),
    "support_regional_org": (-0.9, 0.4, {"AFR": 0.6, "GRULAC": 0.7, "EEG": 0.3, "APG": -0.4, "WEOG": -0.3}),
    "support_bilateral": (-1.3, 0.3, {"AFR": 0.6, "APG": 0.5, "GRULAC": 0.4, "WEOG": -1.5}),
    "support_civil_society": (-1.6, 0.5, {}),
}
_SUGGESTIONS = {
    "sugg_define_roles": (-0.3, -0.2, {}),
    "sugg_regional_training": (0.4, 0.0, {"AFR": 0.4, "GRULAC": 0.3, "WEOG": -0.8}),
    "sugg_online_network": (0.3, 0.1, {}),
    "sugg_handbook": (-0.5, -0.1, {}),
    "sugg_mentoring": (-0.9, 0.0, {"AFR": 0.3, "APG": 0.3}),
    "sugg_funding": (-0.6, 0.0, {"AFR": 0.9, "APG": 0.5, "GRULAC": 0.4, "WEOG": -1.0}),
    "sugg_annual_meeting": (-0.3, 0.2, {}),
    "sugg_other": (-2.0, 0.0, {}),
}
# Latent intercept, slope on h, regional shifts, and probability of "not applicable".
_CHALLENGES = {
    "chal_mandate": (0.4, -0.6, {}, 0.02),
    "chal_staff_time": (0.7, -0.1, {"AFR": 0.3, "APG": 0.2}, 0.0),
    "chal_turnover": (0.2, -0.1, {}, 0.02),
    "chal_coordination": (0.4, -0.5, {}, 0.0),
    "chal_awareness": (0.4, -0.3, {}, 0.01),
    "chal_language": (-0.5, 0.0, {"AFR": 0.4, "APG": 0.5, "EEG": 0.5, "GRULAC": 0.3, "WEOG": -0.9}, 0.06),
    "chal_funding": (0.2, -0.2, {"AFR": 0.8, "APG": 0.4, "GRULAC": 0.4, "EEG": -0.1, "WEOG": -1.0}, 0.03),
    "chal_expertise": (0.1, -0.3, {"AFR": 0.5, "APG": 0.3, "WEOG": -0.7}, 0.01),
    "chal_priorities": (0.8, -0.2, {}, 0.0),
    "chal_feedback": (0.1, -0.1, {}, 0.03),
}
_LIKERT_CUTS = np.array([-1.0, -0.2, 0.6, 1.4])

_OTHER_TEXTS = (
    "Translate Committee guidance into more working languages",
    "A model terms of reference for the POC role",
    "Simpler templates for the national report",
    "More direct contact with the Group of Experts",
    "Invite POCs to export-control seminars",
    "Clarify how POCs fit into assistance requests",
    "A regular newsletter from the Committee to POCs",
    "Recognise the POC role in national regulations",
    "Short webinars for newly appointed POCs",
    "An up-to-date contact list of POCs in each region",
    "Joint exercises with customs and border agencies",
    "Include deputies so the role survives staff changes",
)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def response_columns(codebook: dict) -> list[str]:
    """The columns of the responses file, in order, as the codebook defines them.

    Single, ordinal, scale, key, country, date and text questions are one column named by the
    question id; multi-select and Likert questions are one column per item code.
    """
    cols: list[str] = []
    for q in codebook["questions"]:
        if q["type"] in ("multi", "likert"):
            cols += [item["code"] for item in q["items"]]
        else:
            cols.append(q["id"])
    return cols


def _questions(codebook: dict) -> dict[str, dict]:
    return {q["id"]: q for q in codebook["questions"]}


def _codes(q: dict, key: str) -> list[str]:
    return [o["code"] for o in q[key]]


def _group_of(members: pd.DataFrame | None) -> dict[str, str]:
    """iso3 -> regional group code, from the member-states table (default: the one the generator writes)."""
    if members is None:
        members = reference_data.member_states()
    return dict(zip(members["iso3"], members["group_code"]))


def _sampling_frame(listing: pd.DataFrame, frame_date: dt.date) -> pd.DataFrame:
    """States with a POC in office on the frame date, with the start of that POC period, sorted by iso3."""
    periods = listings.periods(listing)
    when = pd.Timestamp(frame_date)
    holding = (periods["appointed_on"] <= when) & (periods["withdrawn_on"].isna() | (periods["withdrawn_on"] > when))
    frame = periods.loc[holding, ["iso3"]].assign(appointed_on=periods.loc[holding, "appointed_on"].dt.date)
    return frame.sort_values("iso3").reset_index(drop=True)


def _multi(rng, h, groups, spec, codes) -> dict[str, np.ndarray]:
    missing = set(codes) - set(spec)
    if missing:
        raise KeyError(f"the generator has no model for codebook items {sorted(missing)}")
    out = {}
    for code in codes:
        a, b, shifts = spec[code]
        shift = np.array([shifts.get(g, 0.0) for g in groups])
        out[code] = (rng.random(len(h)) < _logistic(a + b * h + shift)).astype(int)
    return out


def synthetic_survey(
    codebook: dict, listing: pd.DataFrame, seed: int = SEED, *, members: pd.DataFrame | None = None, frame_date: str | None = None
) -> pd.DataFrame:
    """Generate the synthetic responses as a DataFrame of strings (empty string = no answer).

    ``codebook`` is the loaded codebook, ``listing`` the POC listing as read from
    ``poc_listing.csv`` with every cell as text, ``members`` the Member States table (``iso3``,
    ``group_code``) as read from ``member_states.csv``; by default the table
    :func:`~poc1540.placeholder.reference_data.member_states` generates. The columns are
    :func:`response_columns`. ``frame_date`` is the survey's frame date (default: the manifest's).
    """
    rng = np.random.default_rng(seed)
    qs = _questions(codebook)
    fw_start = dt.date.fromisoformat(str(codebook["fieldwork"]["start"]))
    fw_end = dt.date.fromisoformat(str(codebook["fieldwork"]["end"]))
    na = str(codebook["not_applicable"])
    frame = _sampling_frame(listing, dt.date.fromisoformat(frame_date or manifest.survey_frame_date()))
    group_of = _group_of(members)
    frame_groups = np.array([group_of[s] for s in frame["iso3"]])
    h_frame = np.array([HUB_SHIFT[g] for g in frame_groups]) + rng.normal(0.0, 1.0, len(frame))
    n = int(round(len(frame) * RESPONSE_RATE))
    weight = np.array([RESPONSE_WEIGHT[g] for g in frame_groups]) * np.exp(0.35 * h_frame)
    chosen = np.sort(rng.choice(len(frame), size=n, replace=False, p=weight / weight.sum()))

    iso3 = frame["iso3"].to_numpy()[chosen]
    groups = frame_groups[chosen]
    h = h_frame[chosen]
    appointed = frame["appointed_on"].to_numpy()[chosen]

    # Tenure bins: under 1, 1 to 2, 3 to 5, over 5 years; nobody can have served longer than
    # the State has had a POC.
    tenure_codes = _codes(qs["tenure"], "options")
    years_with_poc = np.array([(fw_start - d).days / 365.25 for d in appointed])
    max_tenure = np.digitize(years_with_poc, [1.0, 3.0, 5.0])
    t_lat = 0.35 * h + rng.normal(0.0, 1.0, n)
    tenure = np.minimum(np.digitize(t_lat, [-1.0, -0.15, 0.7]), max_tenure)

    share_codes = _codes(qs["time_share"], "options")
    time_share = np.digitize(0.6 * h + rng.normal(0.0, 1.0, n), [-0.2, 0.6, 1.3])

    agency_codes = _codes(qs["agency"], "options")
    base = np.log(np.array([_AGENCY[c][0] for c in agency_codes]))
    slope = np.array([_AGENCY[c][1] for c in agency_codes])
    logits = base[None, :] + h[:, None] * slope[None, :]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    u = rng.random(n)
    agency_idx = np.minimum((probs.cumsum(axis=1) < u[:, None]).sum(axis=1), len(agency_codes) - 1)
    agency = np.array(agency_codes)[agency_idx]

    p_dont_know = 0.05 + 0.08 * (tenure == 0)
    p_yes = _logistic(-1.0 + 0.8 * tenure + 0.6 * h)
    u_dk, u_yes = rng.random(n), rng.random(n)
    mandate = np.where(u_dk < p_dont_know, "dont_know", np.where(u_yes < p_yes, "yes", "no"))

    role_scale = np.clip(np.rint(3.0 + 1.0 * h + rng.normal(0.0, 0.75, n)), 1, 5).astype(int)

    since_first = tenure >= max_tenure
    p_first = np.where(since_first, 0.65, 0.08)
    p_handover = _logistic(0.1 + 0.5 * h + 0.3 * tenure)
    u_first, u_hand = rng.random(n), rng.random(n)
    handover = np.where(u_first < p_first, "first_poc", np.where(u_hand < p_handover, "yes", "no"))

    support_codes = _codes(qs["support"], "items")
    none_code = qs["support"].get("exclusive")
    support = _multi(rng, h, groups, _SUPPORT, [c for c in support_codes if c != none_code])
    if none_code:
        support[none_code] = (np.sum(list(support.values()), axis=0) == 0).astype(int)

    task_codes = _codes(qs["tasks"], "items")
    tasks = _multi(rng, h, groups, _TASKS, task_codes)
    # Those trained by UNODA report taking part in POC training.
    if "task_training" in tasks and "support_unoda_training" in support:
        tasks["task_training"] = np.maximum(tasks["task_training"], support["support_unoda_training"])
    # A POC with no task ticked still forwards the Committee's mail.
    no_task = sum(tasks.values()) == 0
    tasks[task_codes[0]] = np.where(no_task, 1, tasks[task_codes[0]])

    chal_codes = _codes(qs["challenges"], "items")
    missing = set(chal_codes) - set(_CHALLENGES)
    if missing:
        raise KeyError(f"the generator has no model for codebook items {sorted(missing)}")
    challenges: dict[str, np.ndarray] = {}
    for code in chal_codes:
        a, b, shifts, na_rate = _CHALLENGES[code]
        p_na = np.full(n, float(na_rate))
        lat = a + b * h + np.array([shifts.get(g, 0.0) for g in groups]) + rng.normal(0.0, 1.0, n)
        if code == "chal_mandate":
            lat += np.where(mandate == "yes", -1.3, np.where(mandate == "dont_know", 0.3, 0.4))
        if code == "chal_turnover":
            lat += 0.5 * (tenure == 0) - 0.5 * (handover == "yes")
        if code == "chal_language":
            p_na = np.where(groups == "WEOG", 0.3, p_na)
        values = (np.digitize(lat, _LIKERT_CUTS) + 1).astype(str).astype(object)
        values[rng.random(n) < p_na] = na
        challenges[code] = values

    sugg_codes = _codes(qs["suggestions"], "items")
    suggestions = _multi(rng, h, groups, _SUGGESTIONS, sugg_codes)
    if "sugg_define_roles" in suggestions:
        extra = (mandate != "yes") & (rng.random(n) < 0.35)
        suggestions["sugg_define_roles"] = np.maximum(suggestions["sugg_define_roles"], extra.astype(int))
    if "sugg_handbook" in suggestions:
        extra = (tenure <= 1) & (rng.random(n) < 0.3)
        suggestions["sugg_handbook"] = np.maximum(suggestions["sugg_handbook"], extra.astype(int))

    # Submissions bunch early in the window and trail off after reminders.
    window = (fw_end - fw_start).days
    offsets = np.floor(rng.beta(1.2, 2.4, n) * (window + 1)).astype(int).clip(0, window)
    submitted = np.array([(fw_start + dt.timedelta(days=int(o))).isoformat() for o in offsets])

    ids = np.array([f"R{k:03d}" for k in rng.permutation(n) + 1])

    df = pd.DataFrame(
        {
            "respondent_id": ids,
            "country": iso3,
            "submitted": submitted,
            "agency": agency,
            "tenure": np.array(tenure_codes)[tenure],
            "time_share": np.array(share_codes)[time_share],
            "written_mandate": mandate,
            "role_scale": role_scale.astype(str),
            "predecessor_handover": handover,
        }
    ).astype(object)

    for qid in ("agency", "tenure", "time_share", "written_mandate", "role_scale", "predecessor_handover"):
        df.loc[rng.random(n) < SINGLE_MISSING, qid] = ""
    for answers in (tasks, support, suggestions):
        skipped = rng.random(n) < MULTI_SKIPPED
        for code, values in answers.items():
            df[code] = np.where(skipped, "", values.astype(str)).astype(object)
    for code, values in challenges.items():
        df[code] = np.where(rng.random(n) < LIKERT_MISSING, "", values).astype(object)

    other = df["sugg_other"] == "1" if "sugg_other" in df else pd.Series(False, index=df.index)
    texts = [_OTHER_TEXTS[i % len(_OTHER_TEXTS)] for i in rng.permutation(len(_OTHER_TEXTS))]
    text_col = np.full(n, "", dtype=object)
    text_col[other.to_numpy()] = [texts[i % len(texts)] for i in range(int(other.sum()))]
    df["sugg_other_text"] = text_col

    df = df[response_columns(codebook)]
    return df.sort_values("respondent_id").reset_index(drop=True)


def write_synthetic_survey(out_dir: Path, codebook: Path, listing: Path, seed: int = SEED, member_states: Path | None = None) -> Path:
    """Write ``survey_responses.csv`` to ``out_dir`` from the codebook, the POC listing and the Member States.

    ``member_states`` defaults to ``member_states.csv`` beside the listing: the raw files are one
    set, and the regional groups are read from it rather than defined again here.
    The file is UTF-8 with ``\\n`` line ends, one row per respondent sorted by respondent id,
    written to a temporary name and renamed. Same seed and inputs, same bytes. Returns the path.
    """
    out_dir = Path(out_dir)
    cb = Codebook.load(Path(codebook)).raw
    lst = pd.read_csv(listing, dtype=str, keep_default_na=False, encoding="utf-8")
    states_path = Path(listing).with_name("member_states.csv") if member_states is None else Path(member_states)
    members = pd.read_csv(states_path, dtype=str, keep_default_na=False, encoding="utf-8")
    df = synthetic_survey(cb, lst, seed, members=members)
    return write_csv_atomic(df, out_dir / "survey_responses.csv")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/raw")
    print(write_synthetic_survey(target, target / "survey_codebook.yaml", target / "poc_listing.csv"))
