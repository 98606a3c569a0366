"""The disclosure rules, the register of published cells, and the guard's receipt of them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from poc1540.analysis import cells, disclosure, stats
from poc1540.guard import audit

RULES = disclosure.Rules(min_count=5, group_min_base=20, public_group_min_states=10)


@pytest.mark.parametrize(
    ("count", "base", "rule"),
    [
        (3, 60, "threshold"),
        (57, 60, "complement"),
        (2, 4, "base"),
        (0, 0, "base"),
        (8, 8, "group"),  # "100% (8 of 8)": every member of the group alike
        (0, 19, "group"),  # "0% (0 of 19)"
        (0, 20, None),  # a large group: zero publishable
        (20, 20, None),
        (10, 58, None),
    ],
)
def test_share_rules(count: int, base: int, rule: str | None) -> None:
    assert RULES.share_rule(count, base) == rule
    s = stats.share(count, base, population=None, confidence=0.95, **RULES.options) if base else None
    if s is not None:
        assert s.suppressed == (rule is not None)


def test_group_rule_is_a_parameter_that_can_be_switched_off() -> None:
    off = disclosure.Rules.from_params(5, {"group_min_base": 0, "public_group_min_states": 10})
    assert off.share_rule(8, 8) is None
    with pytest.raises(ValueError, match="disclosure needs exactly the keys"):
        disclosure.Rules.from_params(5, {"group_min_base": 20})


def line_range(counts: list[int], hidden: np.ndarray, k: int) -> tuple[float, float]:
    """An attacker's interval for hidden entry ``k`` of a line whose published entries and total are known."""
    idx = np.flatnonzero(hidden)
    rest = sum(c for c, h in zip(counts, hidden) if not h)
    objective = np.zeros(idx.size)
    objective[list(idx).index(k)] = 1.0
    ends = []
    for sign in (1.0, -1.0):
        r = scipy.optimize.linprog(
            sign * objective, A_eq=np.ones((1, idx.size)), b_eq=[sum(counts) - rest], bounds=(0, None), method="highs"
        )
        ends.append(sign * r.fun)
    return ends[0], ends[1]


def test_a_single_choice_question_is_protected_as_one_line() -> None:
    """Figure 5's leak: '25 to 50%: s' beside the other options and their base gives the count away."""
    answers = pd.Series(["a"] * 28 + ["b"] * 16 + ["c"] * 4 + ["d"] * 9)
    table = disclosure.exclusive_shares(answers, ["a", "b", "c", "d"], RULES, population=None, confidence=0.95)
    hidden = table["suppressed"].to_numpy()
    assert hidden.sum() >= 2 and table.loc[table["item"] == "c", "rule"].item() == "threshold"
    assert set(table.loc[hidden, "rule"]) == {"threshold", "complementary"}
    counts = [28, 16, 4, 9]
    for k in np.flatnonzero(hidden):
        low, high = line_range(counts, hidden, int(k))
        assert high - low >= 5


def frame_states(n_without: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": [f"S{i:03d}" for i in range(60)],
            "in_survey_frame": True,
            "un_regional_group": ["North"] * 30 + ["South"] * 30,
            "first_report_submitted": [False] * n_without + [True] * (60 - n_without),
        }
    )


@pytest.mark.parametrize(("n_without", "publishable"), [(1, False), (9, False), (10, True)])
def test_identification_rule(n_without: int, publishable: bool) -> None:
    """With fewer than public_group_min_states States in a public group, no breakdown by it."""
    assert disclosure.public_groups_publishable(frame_states(n_without), "first_report_submitted", RULES) is publishable


def test_a_breakdown_is_protected_with_its_overall_published_elsewhere() -> None:
    """Figure 10's leak: Post Office 21 of 30, Intermediate 8 of 8, Hub suppressed, and 'none: 10 of 58' overall."""
    role = ["Post Office"] * 30 + ["Intermediate"] * 8 + ["Hub"] * 19 + [None]
    item = [True] * 21 + [False] * 9 + [True] * 8 + [True] * 18 + [False] + [True]
    frame = pd.DataFrame({"role": role, "item": pd.array(item, dtype="boolean")})
    naive = {
        r: RULES.share(int(frame.loc[frame.role == r, "item"].sum()), int((frame.role == r).sum()), population=None, confidence=0.95)
        for r in ("Post Office", "Intermediate", "Hub")
    }
    assert not naive["Post Office"].suppressed and naive["Hub"].suppressed  # published alone, Hub's "no" is 10 - 9 - 0 - (0 or 1)
    shares, overall = disclosure.grouped_shares(
        frame, "role", ["Post Office", "Intermediate", "Hub"], "item", RULES, population=None, confidence=0.95, overall_published=True
    )
    assert not overall.suppressed
    assert shares["Intermediate"].suppressed and shares["Hub"].suppressed
    # the hidden "no" counts of Post Office, Intermediate, Hub and the untyped respondent add up to 10;
    # with Post Office published too the other three would add up to 1
    assert shares["Post Office"].suppressed


def test_the_register_refuses_a_definition_that_does_not_count_what_is_printed() -> None:
    states = frame_states(10)
    respondents = pd.DataFrame({"country": states["iso3"][:20], "item": pd.array([True] * 12 + [False] * 8, dtype="boolean")})
    register = cells.CellRegister(states, respondents, RULES)
    register.add("text", "item yes", {"responded": [True], "item": [True]}, value=12)
    with pytest.raises(ValueError, match="prints 11 but its definition counts 12"):
        register.add("figure", "item yes again", {"responded": [True], "item": [True]}, value=11)
    with pytest.raises(ValueError, match="printed by one output and suppressed by another"):
        register.add("table", "item yes hidden", {"item": [True], "responded": [True]}, value=None, rule="complementary")


def test_the_receipt_counts_suppressed_cells_per_rule(tmp_path: Path) -> None:
    register = {
        "checked": "done",
        "cells": [
            {"label": "a", "where": [], "outputs": ["table"], "value": None, "rule": "threshold"},
            {"label": "b", "where": [], "outputs": ["table"], "value": None, "rule": "threshold"},
            {"label": "c", "where": [], "outputs": ["figure"], "value": None, "rule": "complementary"},
            {"label": "d", "where": [], "outputs": ["figure", "table"], "value": 12, "rule": None},
            {"label": "e", "where": [], "outputs": ["listings"], "value": 123, "rule": None},
        ],
    }
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "disclosure.json").write_text(json.dumps(register), encoding="utf-8")
    counts = audit.suppression_counts(tmp_path)
    assert counts["suppressed_primary"]["threshold"] == 2 and counts["suppressed_primary"]["group"] == 0
    assert counts["suppressed_complementary"] == 1
    assert counts["published_cells"] == 2 and counts["outputs_with_survey_cells"] == 2
    assert audit.suppression_counts(tmp_path / "nowhere")["register"] is None


def test_the_findings_stage_refuses_a_recoverable_cell(tmp_path: Path) -> None:
    """Two outputs that are safe alone: a share suppressed in one is pinned by the overall and the other groups in another."""
    from poc1540.core.finding import FindingsError
    from poc1540.findings import disclosure as check

    def cell(label: str, where: dict, value: int | None, rule: str | None = None) -> dict:
        return {"label": label, "where": [where], "outputs": ["figure" if "role" in where else "table"], "value": value, "rule": rule}

    yes = {"responded": [True], "item": [True]}
    register = {
        "notebook": "09_planted",
        "domains": {
            "responded": [True, False],
            "item": [True, False, None],
            "role": ["a", "b", None],
            "un_regional_group": [None],
            "first_report_submitted": [None],
        },
        "cells": [
            cell("everyone", {}, 40),
            cell("respondents", {"responded": [True]}, 30),
            cell("item yes", yes, 20),
            cell("item answered", {"responded": [True], "item": [True, False]}, 30),
            cell("a yes", {**yes, "role": ["a"]}, 17),
            cell("a answered", {"responded": [True], "item": [True, False], "role": ["a"]}, 25),
            cell("b yes", {**yes, "role": ["b"]}, None, "threshold"),
            cell("b answered", {"responded": [True], "item": [True, False], "role": ["b"]}, 5),
        ],
    }
    (tmp_path / "09_planted").mkdir()
    (tmp_path / "09_planted" / "cells.json").write_text(json.dumps(register), encoding="utf-8")
    with pytest.raises(FindingsError, match="'b yes' .* between 3 and 3"):
        check.check(5, tmp_path)
    register["cells"][2]["value"] = None  # suppress the overall too: b yes is then anywhere in 0..5
    register["cells"][2]["rule"] = "complementary"
    (tmp_path / "09_planted" / "cells.json").write_text(json.dumps(register), encoding="utf-8")
    assert check.check(5, tmp_path)["suppressed_per_rule"] == {"threshold": 1, "complementary": 1}
