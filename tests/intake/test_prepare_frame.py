"""The survey frame and the States table read the POC periods: a POC withdrawn after the frame
date is in the frame; one withdrawn before it is not."""

from __future__ import annotations

from pathlib import Path

from poc1540.core import paths
from poc1540.intake import prepare

LISTING = """iso3,appointed_on,withdrawn_on
CHL,2015-06-30,2019-02-01
CHL,2023-03-01,
KEN,2010-01-20,
NOR,2012-09-01,2021-03-15
"""


def test_frame_and_states_from_periods(tmp_path: Path) -> None:
    listing = tmp_path / "poc_listing.csv"
    listing.write_text(LISTING)
    periods = prepare.poc_periods(listing)
    states = prepare.states_table(poc_listing=listing)
    framed = prepare.mark_survey_frame(states, periods, "2020-08-31").set_index("iso3")
    assert set(framed.index[framed["in_survey_frame"]]) == {"KEN", "NOR"}  # Chile's POC was vacant then
    assert bool(framed.loc["NOR", "in_survey_frame"]) and not bool(framed.loc["NOR", "poc_appointed"])  # withdrawn since
    assert str(framed.loc["CHL", "appointed_on"].date()) == "2023-03-01" and bool(framed.loc["CHL", "poc_appointed"])
    assert len(framed) == len(prepare._read(paths.MEMBER_STATES)) and int(framed["poc_appointed"].sum()) == 2
