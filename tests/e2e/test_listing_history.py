"""The README's listing walkthrough, run as written on a newer Committee listing with history.

The edition is written as the Committee publishes its list (State, office, date of notification)
with the former POCs kept and marked: three POCs withdrawn after the 2020 survey frame date, two
replaced by a successor, four States appointing their first POC after 2020. Every count the
report prints on a date is recomputed here from that file with pandas alone.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from support import readme
from support.pdf import pdf_text
from support.repo import run

WITHDRAWN = {0: "15 March 2021", 7: "1 July 2022", 19: "20 November 2023"}  # index in the current list -> date it left
REPLACED = {3: ("Ministry of Foreign Affairs, Arms Control Department", "2 May 2022"), 11: ("National Security Council", "10 October 2019")}
NEW = ["15 January 2021", "9 September 2022", "4 April 2023", "29 February 2024"]
OFFICE = "Ministry of Foreign Affairs, Department of Disarmament and Non-Proliferation"


def spelled(iso: str) -> str:
    ts = pd.Timestamp(iso)
    return f"{ts.day} {ts:%B %Y}"


def write_edition(repo: Path, target: Path) -> None:
    """The newer listing, from the shipped one: names as the Committee writes them, dates spelled out."""
    names = {r["iso3"]: r["name"] for r in csv.DictReader(open(repo / "data/raw/member_states.csv", encoding="utf-8"))}
    current = list(csv.DictReader(open(repo / "data/raw/poc_listing.csv", encoding="utf-8")))
    early = [r for r in current if r["appointed_on"] <= "2018-08-31"]
    rows = []
    for i, r in enumerate(early):
        state, date = names[r["iso3"]], spelled(r["appointed_on"])
        if i in WITHDRAWN:
            rows.append([state, OFFICE, date, "withdrawn", WITHDRAWN[i]])
        elif i in REPLACED:
            rows.append([state, OFFICE, date, "replaced", ""])
            rows.append([state, REPLACED[i][0], REPLACED[i][1], "", ""])
        else:
            rows.append([state, OFFICE, date, "", ""])
    rows += [[names[r["iso3"]], OFFICE, spelled(r["appointed_on"]), "", ""] for r in current if r["appointed_on"] > "2018-08-31"]
    without = sorted(set(names) - {r["iso3"] for r in current})
    rows += [[names[iso3], OFFICE, date, "", ""] for iso3, date in zip(without[::17], NEW)]
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(["State", "Point of Contact (name/title of office)", "Date of notification", "Status", "Withdrawn on"])
        writer.writerows(sorted(rows))


def states_with_poc_on(listing: Path, date: str) -> int:
    """Independent count: States with a POC row covering the date (a replaced POC serves until its successor)."""
    df = pd.read_csv(listing, dtype=str, keep_default_na=False)
    df["start"] = pd.to_datetime(df["Date of notification"], format="%d %B %Y")
    df["end"] = pd.to_datetime(df["Withdrawn on"].replace("", None), format="%d %B %Y")
    df = df.sort_values(["State", "start"])
    successor = df.groupby("State")["start"].shift(-1)
    df.loc[df["Status"].eq("replaced"), "end"] = successor
    when = pd.Timestamp(date)
    return df.loc[(df["start"] <= when) & (df["end"].isna() | (df["end"] > when)), "State"].nunique()


@pytest.mark.slow
def test_the_readme_listing_walkthrough_keeps_the_history(clone_of_copy: Path) -> None:
    repo = clone_of_copy
    (repo / ".venv").symlink_to(Path(sys.prefix))  # what `make` would create
    listing = repo / "listing.csv"
    write_edition(repo, listing)
    steps = readme.blocks(repo / "README.md", "listing")
    assert [b.lang for b in steps] == ["sh", "yaml", "sh"]
    for block in steps:
        if block.lang == "yaml":
            readme.apply_manifest(block, repo)
        else:
            for args in block.commands():
                run(args, cwd=repo, root=repo)

    manifest = yaml.safe_load((repo / "data/raw/manifest.yaml").read_text())["files"]
    snapshot = manifest["poc_listing.csv"]["snapshot"]
    frame = manifest["survey_responses.csv"]["frame_date"]
    comparison = yaml.safe_load((repo / "params/coverage.yaml").read_text())["comparison_date"]
    expected = {d: states_with_poc_on(listing, d) for d in (comparison, frame, snapshot)}
    assert expected[comparison] == 102 and expected[frame] == 123  # the published totals survive the new edition
    variables = yaml.safe_load((repo / "report/_variables.yml").read_text())
    assert variables["coverage"]["states_with_poc_comparison"] == str(expected[comparison])
    assert variables["survey"]["population"] == str(expected[frame])
    assert variables["coverage"]["states_with_poc"] == str(expected[snapshot])
    assert variables["coverage"]["comparison_gap"] == "six years"  # 31 August 2018 to 31 August 2024
    caveat = variables["coverage"]["overlap_caveat"]  # the listing is now real: only the action plans are not
    assert "the POC listing (31 August 2024)" in caveat and "In this edition the action plans are illustrative, not real" in caveat
    assert "listing is illustrative" not in caveat and "listing and the action plans" not in caveat

    text = re.sub(r"\s+", " ", pdf_text(repo / "report/_output/poc1540-report.pdf"))
    assert f"On 31 August 2018, six years earlier, the count stood at {expected[comparison]}" in text
    assert f"the POCs of the {expected[frame]} States listed with a POC on 31 August 2020" in text
    assert f"On 31 August 2024, {round(100 * expected[snapshot] / 193)}% ({expected[snapshot]} of 193)" in text


@pytest.mark.slow
def test_inconsistent_dates_are_refused_before_any_stage_runs(built_copy: Path) -> None:
    """A frame date after the listing's snapshot: validate fails, naming file, key, value and rule; no output changes."""
    from support.repo import output_hashes

    outputs = ("results", "report/_variables.yml", "report/_generated", "report/_output", "data/processed/validation.json")
    before = output_hashes(built_copy, outputs)
    path = built_copy / "data/raw/manifest.yaml"
    path.write_text(path.read_text().replace('frame_date: "2020-08-31"', 'frame_date: "2020-09-30"'))
    proc = run(["dvc", "repro"], cwd=built_copy, root=built_copy, check=False)
    assert proc.returncode != 0
    assert (
        "data/raw/manifest.yaml, column 'frame_date': value '2020-09-30' entry 'survey_responses.csv': frame_date is after the listing's snapshot 2020-08-31"
        in proc.stderr
    )
    assert "Running stage 'prepare'" not in proc.stdout
    assert output_hashes(built_copy, outputs) == before
