"""Reference and 1540 Committee listing tables: the project's immutable raw inputs.

Four CSV files are written to ``data/raw/`` by :func:`write_reference_files`:

``member_states.csv`` (real)
    The 193 UN Member States with their UN regional group and M49 region. Regional-group
    membership is typed below as data, as the UN lists it ("United Nations Regional Groups of
    Member States", https://www.un.org/dgacm/en/content/regional-groups), with its conventions: the United States is counted in the Western European and Others
    Group (it attends as an observer and is counted there for elections), Kiribati (in no group)
    is placed with Asia-Pacific, Türkiye and Israel are in WEOG. Names come from ``pycountry``
    (``common_name`` where it exists, else ``name``; where ISO's ``name`` is in the inverted
    "X, Y of" form, the plain-order official name from ``country_converter`` is used instead).
    M49 region, M49 sub-region and the year of UN admission come from ``country_converter``'s
    bundled table. The sub-region is the finest M49 grouping coco gives: the intermediate region
    where M49 defines one (e.g. "Western Africa", "Caribbean"), else the sub-region.

``national_reports.csv`` (real)
    First national report submitted or not, 2022/2023 snapshot: 185 yes, and the 8 States the
    Committee listed as never having reported (TCD PRK SWZ GMB GIN MLI MRT SOM) no.

``poc_listing.csv`` (illustrative)
    Which States had appointed a national 1540 Point of Contact, and when, at the listing snapshot
    2020-08-31. Which individual State had a POC is *not* public knowledge here, so the listing is
    generated from a fixed seed and calibrated to the two published totals:

    * exactly 102 States with ``appointed_on <= 2018-08-31`` (UN press release SC/13480);
    * exactly 123 States with ``appointed_on <= 2020-08-31`` (Stimson Center, citing the 1540
      Committee website), hence 70 without a POC.

    The counts are constructed, not hoped for: each regional group gets a fixed quota of POC
    States by each date (WEOG and EEG near-complete, Africa and Asia-Pacific about half, Latin
    America in between), the States inside a group are drawn with ``numpy.random.default_rng``,
    and the 8 non-reporting States are down-weighted (a State that never reported is unlikely to
    have named a POC). Appointment dates are spread over 2005-2020 with a higher rate after
    resolution 2325 (adopted 2016-12-15), which encouraged all States to provide a POC: of the 102
    early POCs, 70 fall in 2005 .. 2016-12-14 and 32 in 2016-12-15 .. 2018-08-31; the 21 later
    ones fall in 2018-09-01 .. 2020-08-31.

``action_plans.csv`` (illustrative)
    One row per national implementation action plan, calibrated to the Committee's published
    totals: exactly 48 plans from exactly 39 States, 26 of them from 2016 on, years 2007 .. 2022.
    Construction: 39 States are drawn (34 among POC States, 5 among the rest, because a POC is
    usually who drafts the plan); their first plans get 22 years in 2007 .. 2015 and 17 years in
    2016 .. 2022; 9 of the States with an early first plan get a second plan in 2016 .. 2022
    (a revision), giving 22 plans before 2016 and 26 from 2016.

Run ``python -m poc1540.placeholder.reference_data data/raw`` to rewrite the files; the same seed and package
versions give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from poc1540.core import atomic
from poc1540.intake import countries, schemas

SEED = 1540

LISTING_SNAPSHOT = dt.date(2020, 8, 31)
EARLY_SNAPSHOT = dt.date(2018, 8, 31)
RESOLUTION_2325 = dt.date(2016, 12, 15)
FIRST_POC_DATE = dt.date(2005, 1, 1)

# The names as the validator requires them (code -> name): one list for both.
GROUP_NAMES = schemas.REGIONAL_GROUPS

# UN regional groups of the 193 Member States (https://www.un.org/dgacm/en/content/regional-groups).
REGIONAL_GROUPS: dict[str, tuple[str, ...]] = {
    "AFR": tuple(
        """AGO BDI BEN BFA BWA CAF CIV CMR COD COG COM CPV DJI DZA EGY ERI ETH GAB GHA GIN GMB GNB
        GNQ KEN LBR LBY LSO MAR MDG MLI MOZ MRT MUS MWI NAM NER NGA RWA SDN SEN SLE SOM SSD STP
        SWZ SYC TCD TGO TUN TZA UGA ZAF ZMB ZWE""".split()
    ),
    "APG": tuple(
        """AFG ARE BGD BHR BRN BTN CHN CYP FJI FSM IDN IND IRN IRQ JOR JPN KAZ KGZ KHM KIR KOR KWT
        LAO LBN LKA MDV MHL MMR MNG MYS NPL NRU OMN PAK PHL PLW PNG PRK QAT SAU SGP SLB SYR THA
        TJK TKM TLS TON TUV UZB VNM VUT WSM YEM""".split()
    ),
    "EEG": tuple(
        """ALB ARM AZE BGR BIH BLR CZE EST GEO HRV HUN LTU LVA MDA MKD MNE POL ROU RUS SRB SVK SVN
        UKR""".split()
    ),
    "GRULAC": tuple(
        """ARG ATG BHS BLZ BOL BRA BRB CHL COL CRI CUB DMA DOM ECU GRD GTM GUY HND HTI JAM KNA LCA
        MEX NIC PAN PER PRY SLV SUR TTO URY VCT VEN""".split()
    ),
    "WEOG": tuple(
        """AND AUS AUT BEL CAN CHE DEU DNK ESP FIN FRA GBR GRC IRL ISL ISR ITA LIE LUX MCO MLT NLD
        NOR NZL PRT SMR SWE TUR USA""".split()
    ),
}
GROUP_SIZES = {"AFR": 54, "APG": 54, "EEG": 23, "GRULAC": 33, "WEOG": 29}

# The 8 States without a first national report (2022/2023 snapshot): 1540 Committee national
# implementation page (https://www.un.org/en/sc/1540/national-implementation/national-reports.shtml).
NON_REPORTING = ("TCD", "PRK", "SWZ", "GMB", "GIN", "MLI", "MRT", "SOM")

# Calibration targets, published totals: 102 POCs by August 2018 (UN press release SC/13480),
# 123 by August 2020 (Stimson Center, "1540 Points of Contact (POCs): An Under-Utilized Resource").
N_POC_2018 = 102
N_POC_2020 = 123
N_PLANS = 48
N_PLAN_STATES = 39
N_PLANS_SINCE_2016 = 26

# Illustrative per-group quotas. They must add up to the published totals; the spread (high in
# WEOG/EEG, lower in Africa/Asia-Pacific) is an assumption for illustration, not a fact.
POC_QUOTA_2020 = {"AFR": 28, "APG": 27, "EEG": 21, "GRULAC": 21, "WEOG": 26}
POC_QUOTA_2018 = {"AFR": 21, "APG": 21, "EEG": 18, "GRULAC": 17, "WEOG": 25}
N_EARLY_BEFORE_2325 = 70  # of the 102 POCs by 2018-08-31, the rest after resolution 2325

N_PLAN_STATES_WITH_POC = 34
N_FIRST_PLANS_BEFORE_2016 = 22
PLAN_YEARS = (2007, 2022)

# coco calls the M49 region "America"; M49 itself names it "Americas".
_M49_REGION_NAMES = {"America": "Americas"}


def _display_name(iso3: str, coco_official: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise LookupError(f"pycountry does not know ISO3 code {iso3!r}")
    name = getattr(country, "common_name", None) or country.name
    # ISO's inverted forms ("Congo, The Democratic Republic of the") read badly in a report.
    if "," in name and coco_official:
        name = coco_official
    return name


def groups_of_states() -> dict[str, str]:
    """Each Member State's UN regional group code (iso3 -> code), from :data:`REGIONAL_GROUPS`.

    The one derivation of the mapping: :func:`member_states` writes it to ``member_states.csv``,
    and the listing, action plans and synthetic survey draw by group from it. Raises
    ``ValueError`` unless the lists hold 193 distinct States in groups of :data:`GROUP_SIZES`.
    """
    group_of = {iso3: code for code, members in REGIONAL_GROUPS.items() for iso3 in members}
    if len(group_of) != 193 or sum(len(m) for m in REGIONAL_GROUPS.values()) != 193:
        raise ValueError("regional group lists must hold 193 distinct States")
    for code, size in GROUP_SIZES.items():
        if len(REGIONAL_GROUPS[code]) != size:
            raise ValueError(f"group {code} has {len(REGIONAL_GROUPS[code])} States, expected {size}")
    return group_of


def member_states() -> pd.DataFrame:
    """The 193 UN Member States with name, UN regional group and M49 region.

    Returns a DataFrame sorted by ``iso3`` with columns ``iso3, name, un_regional_group,
    group_code, m49_region, m49_subregion, un_member_since`` (the last an integer year).
    Raises ``ValueError`` if the group lists, pycountry or country_converter disagree with the
    expected 193 States.
    """
    group_of = groups_of_states()
    coco = countries.coco_table().set_index("ISO3")
    un_members = set(coco.index[coco["UNmember"] != ""])
    if un_members != set(group_of):
        raise ValueError(
            "country_converter UN members differ from the regional groups: "
            f"only in coco {sorted(un_members - set(group_of))}, "
            f"only in groups {sorted(set(group_of) - un_members)}"
        )

    rows = []
    for iso3 in sorted(group_of):
        rec = coco.loc[iso3]
        code = group_of[iso3]
        rows.append(
            {
                "iso3": iso3,
                "name": _display_name(iso3, rec["name_official"]),
                "un_regional_group": GROUP_NAMES[code],
                "group_code": code,
                "m49_region": _M49_REGION_NAMES.get(rec["continent"], rec["continent"]),
                "m49_subregion": rec["UNregion"],
                "un_member_since": int(rec["UNmember"]),
            }
        )
    df = pd.DataFrame(rows)
    if df.isna().any().any() or (df.astype(str) == "").any().any():
        raise ValueError("member_states has missing values")
    return df


def national_reports() -> pd.DataFrame:
    """First national report status per State (real, 2022/2023 snapshot): 185 yes, 8 no."""
    states = member_states()["iso3"]
    status = np.where(states.isin(NON_REPORTING), "no", "yes")
    return pd.DataFrame({"iso3": states, "first_report_submitted": status})


def _random_dates(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """n dates drawn uniformly from the closed interval [start, end]."""
    offsets = rng.integers(0, (end - start).days + 1, size=n)
    return [start + dt.timedelta(days=int(o)) for o in offsets]


def _weighted_pick(rng: np.random.Generator, pool: list[str], weights: list[float], k: int) -> list[str]:
    p = np.asarray(weights, dtype=float)
    chosen = rng.choice(len(pool), size=k, replace=False, p=p / p.sum())
    return sorted(pool[i] for i in chosen)


def poc_listing(seed: int = SEED) -> pd.DataFrame:
    """Illustrative POC listing at 2020-08-31, calibrated to 102 (Aug 2018) and 123 (Aug 2020).

    Returns columns ``iso3, poc_appointed`` ("yes"/"no") and ``appointed_on`` (a ``date`` or
    ``None`` when the State has no POC), sorted by ``iso3``.
    """
    assert sum(POC_QUOTA_2020.values()) == N_POC_2020
    assert sum(POC_QUOTA_2018.values()) == N_POC_2018
    rng = np.random.default_rng(seed)

    appointed: dict[str, dt.date] = {}
    early: list[str] = []
    late: list[str] = []
    for code in sorted(REGIONAL_GROUPS):
        pool = sorted(REGIONAL_GROUPS[code])
        weights = [0.15 if iso3 in NON_REPORTING else 1.0 for iso3 in pool]
        with_poc = _weighted_pick(rng, pool, weights, POC_QUOTA_2020[code])
        # Early appointment is equally likely for each POC State inside its group's quota.
        early_here = _weighted_pick(rng, with_poc, [1.0] * len(with_poc), POC_QUOTA_2018[code])
        early += early_here
        late += [iso3 for iso3 in with_poc if iso3 not in early_here]

    early = sorted(early)
    order = rng.permutation(len(early))
    before_2325 = {early[i] for i in order[:N_EARLY_BEFORE_2325]}
    pre = sorted(before_2325)
    post = sorted(set(early) - before_2325)
    for states, start, end in (
        (pre, FIRST_POC_DATE, RESOLUTION_2325 - dt.timedelta(days=1)),
        (post, RESOLUTION_2325, EARLY_SNAPSHOT),
        (sorted(late), EARLY_SNAPSHOT + dt.timedelta(days=1), LISTING_SNAPSHOT),
    ):
        appointed.update(zip(states, _random_dates(rng, len(states), start, end)))

    iso3s = sorted(groups_of_states())
    df = pd.DataFrame(
        {
            "iso3": iso3s,
            "poc_appointed": ["yes" if s in appointed else "no" for s in iso3s],
            "appointed_on": [appointed.get(s) for s in iso3s],
        }
    )
    dates = pd.Series([d for d in df["appointed_on"] if d is not None])
    if (dates <= EARLY_SNAPSHOT).sum() != N_POC_2018 or (dates <= LISTING_SNAPSHOT).sum() != N_POC_2020:
        raise AssertionError("POC listing calibration failed")
    return df


def action_plans(seed: int = SEED, listing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Illustrative action plans: 48 plans from 39 States, 26 from 2016 on, years 2007..2022.

    ``listing`` is the POC listing the plan States are mostly drawn from (default:
    :func:`poc_listing` with the same seed). Returns columns ``iso3, year`` sorted by
    ``iso3, year``.
    """
    if listing is None:
        listing = poc_listing(seed)
    # A separate stream, so changing the listing's draws does not reshuffle the plans.
    rng = np.random.default_rng([seed, 2])
    group_of = groups_of_states()
    # Plans have come disproportionately from Europe and the Americas; illustrative weights.
    plan_weight = {"AFR": 0.8, "APG": 0.6, "EEG": 1.6, "GRULAC": 1.3, "WEOG": 1.0}

    with_poc = sorted(listing.loc[listing["poc_appointed"] == "yes", "iso3"])
    without = sorted(listing.loc[listing["poc_appointed"] == "no", "iso3"])
    states = _weighted_pick(rng, with_poc, [plan_weight[group_of[s]] for s in with_poc], N_PLAN_STATES_WITH_POC) + _weighted_pick(
        rng,
        without,
        [0.0 if s in NON_REPORTING else plan_weight[group_of[s]] for s in without],
        N_PLAN_STATES - N_PLAN_STATES_WITH_POC,
    )
    states = sorted(states)

    lo, hi = PLAN_YEARS
    n_early = N_FIRST_PLANS_BEFORE_2016
    n_late_first = N_PLAN_STATES - n_early
    n_second = N_PLANS - N_PLAN_STATES
    order = rng.permutation(len(states))
    early_states = sorted(states[i] for i in order[:n_early])
    late_states = sorted(states[i] for i in order[n_early:])
    early_years = rng.integers(lo, 2016, size=n_early)
    late_years = rng.integers(2016, hi + 1, size=n_late_first)
    # Pin the ends so the table spans the published range 2007..2022.
    early_years[0], late_years[0] = lo, hi
    second_states = sorted(early_states[i] for i in rng.permutation(n_early)[:n_second])
    second_years = rng.integers(2016, hi + 1, size=n_second)

    rows = (
        list(zip(early_states, early_years.tolist()))
        + list(zip(late_states, late_years.tolist()))
        + list(zip(second_states, second_years.tolist()))
    )
    df = pd.DataFrame(rows, columns=["iso3", "year"]).sort_values(["iso3", "year"], kind="stable")
    df = df.reset_index(drop=True)
    if not (
        len(df) == N_PLANS
        and df["iso3"].nunique() == N_PLAN_STATES
        and (df["year"] >= 2016).sum() == N_PLANS_SINCE_2016
        and df["year"].between(lo, hi).all()
    ):
        raise AssertionError("action plan calibration failed")
    return df


def write_csv_atomic(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as UTF-8 CSV (no index, ``\\n`` line ends, mode 0644) all-or-nothing.

    Through :func:`poc1540.core.atomic.write_text`, so readers never see a half-written file.
    """
    return atomic.write_text(path, df.to_csv(index=False, lineterminator="\n"))


def write_reference_files(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write member_states, national_reports, poc_listing and action_plans CSVs to ``out_dir``.

    Files are UTF-8 with ``\\n`` line ends, sorted by ``iso3``, without an index, dates as
    ``YYYY-MM-DD``. Each file is written to a temporary name and renamed, so a failure never
    leaves a half-written file. Returns the paths written, in that order.
    """
    out_dir = Path(out_dir)
    listing = poc_listing(seed)
    # The canonical listing holds POC periods; the illustrative one has no withdrawals.
    held = listing[listing["poc_appointed"] == "yes"]
    listing_out = pd.DataFrame({"iso3": held["iso3"], "appointed_on": [d.isoformat() for d in held["appointed_on"]], "withdrawn_on": ""})
    tables = {
        "member_states.csv": member_states(),
        "national_reports.csv": national_reports(),
        "poc_listing.csv": listing_out,
        "action_plans.csv": action_plans(seed, listing),
    }
    written = []
    for name, df in tables.items():
        path = out_dir / name
        write_csv_atomic(df, path)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/raw")
    for p in write_reference_files(target):
        print(p)
