"""Complementary suppression over the whole register: the protect stage's search, on publications built to leak.

Each case is published the way the chapters publish (the analysis functions and the cell
register), attacked, protected by :func:`poc1540.analysis.protect.complementary`, published again
with the protection applied, and attacked again, by the build's attacker and by the independent
full-joint attacker of ``test_attack``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_attack import MIN, OPTIONS, ROLES, RULES, recovered

from poc1540.analysis import attack, cells, disclosure, protect, stats


def frame(n_states: int, n_answered: int) -> pd.DataFrame:
    states = pd.DataFrame({"iso3": [f"S{i:02d}" for i in range(n_states)], "in_survey_frame": True, "un_regional_group": "North"})
    states["first_report_submitted"] = True
    states.loc[n_states // 2 :, "un_regional_group"] = "South"
    return states


def respondents_of(states: pd.DataFrame, role: list[str], item: list[bool | None]) -> pd.DataFrame:
    n = len(role)
    return pd.DataFrame(
        {
            "country": states["iso3"][:n].to_numpy(),
            "un_regional_group": states["un_regional_group"][:n].to_numpy(),
            "first_report_submitted": True,
            "role_type": pd.Categorical(role, categories=ROLES),
            "item": pd.array(item, dtype="boolean"),
            "option": pd.Categorical(["a"] * n, categories=OPTIONS),
        }
    )


def naive(states: pd.DataFrame, respondents: pd.DataFrame, protection: dict | None = None) -> dict:
    """The overall share in one output, the shares by role in another, each suppressed only by its own rule."""
    register = cells.CellRegister(states, respondents, RULES, protection=protection)
    everyone = register.respondents_box()
    overall = stats.share_table(respondents, ["item"], population=len(states), confidence=0.95, **RULES.options)
    register.share_rows("figure: overall", overall, everyone)
    for r in ROLES:
        part = respondents[respondents["role_type"] == r]["item"].dropna()
        s = stats.share(int(part.sum()), len(part), population=len(states), confidence=0.95, **RULES.options)
        register.share("figure: by role", r, s, {"responded": [True], "role_type": [r]}, "item")
    return attack.merge([register.payload("naive")])


# Hub's 5 of 6 has a complement of 1 and is suppressed; Post Office and Intermediate are published,
# so the overall (published elsewhere) gives the Hub count away by subtraction.
ROLE = ["Post Office"] * 12 + ["Intermediate"] * 6 + ["Hub"] * 6
ITEM = [True] * 6 + [False] * 6 + [True] * 6 + [True] * 5 + [False]


def test_a_leak_between_two_outputs_is_closed_by_withholding_a_published_cell() -> None:
    states = frame(30, 24)
    respondents = respondents_of(states, ROLE, ITEM)
    leaking = naive(states, respondents)
    assert attack.exposures(leaking, MIN), "the case leaks before protection"
    chosen = protect.complementary(leaking, MIN)
    assert chosen, "the search withholds something"
    withheld = [c["label"] for c in chosen.values()]
    protected = naive(states, respondents, chosen)
    assert attack.exposures(protected, MIN) == []
    assert recovered(protected) == {}, "the independent attacker recovers nothing either"
    # what was withheld is suppressed complementarily in what the chapter prints, and only that
    hidden = {c["label"]: c["rule"] for c in protected["cells"] if c["value"] is None}
    assert all(hidden[label] == "complementary" for label in withheld)
    before = {c["label"] for c in leaking["cells"] if c["value"] is None}
    assert set(hidden) == before | set(withheld)


def test_a_publication_that_does_not_leak_withholds_nothing() -> None:
    states = frame(40, 30)
    role = ["Post Office"] * 10 + ["Intermediate"] * 10 + ["Hub"] * 10
    item = ([True] * 5 + [False] * 5) * 3
    register = naive(states, respondents_of(states, role, item))
    assert attack.exposures(register, MIN) == []
    assert protect.complementary(register, MIN) == {}


def test_the_returned_share_is_suppressed_and_printing_the_withheld_count_is_refused() -> None:
    states = frame(30, 24)
    respondents = respondents_of(states, ROLE, ITEM)
    chosen = protect.complementary(naive(states, respondents), MIN)
    register = cells.CellRegister(states, respondents, RULES, protection=chosen)
    target = next(iter(chosen.values()))
    (box,) = target["where"]
    item_cats = box.pop("item")
    count, base = register.count([{**box, "item": item_cats}]), register.count([{**box, "item": [True, False]}])
    s = stats.Share(count, base, 30, 0.95, 0.1, 0.9, False, MIN)  # published as far as its own rules go
    returned = register.share("figure: by role", "withheld", s, box, "item", item_cats)
    assert returned.suppressed and returned.text() == stats.suppressed_text(MIN)
    with pytest.raises(ValueError, match="withholds"):
        register.add("text", "printed anyway", [{**box, "item": item_cats}], value=s.count)


def test_a_count_in_an_empty_group_is_no_exposure() -> None:
    """No Hub answered: 'the item among Hubs' is 0 for certain, and describes nobody."""
    states = frame(30, 24)
    role = ["Post Office"] * 12 + ["Intermediate"] * 12
    item = [True] * 6 + [False] * 6 + [True] * 6 + [False] * 6
    respondents = respondents_of(states, role, item)
    register = cells.CellRegister(states, respondents, RULES)
    everyone = register.respondents_box()
    roles = disclosure.exclusive_shares(respondents["role_type"], ROLES, RULES, population=30, confidence=0.95)
    register.option_rows("roles", roles, everyone, "role_type", ROLES)
    by_role, _ = disclosure.grouped_shares(
        respondents, "role_type", ROLES, "item", RULES, population=30, confidence=0.95, overall_published=False
    )
    for role, s in by_role.items():
        register.share("item by role", role, s, {"responded": [True], "role_type": [role]}, "item", base_shown=False)
    merged = attack.merge([register.payload("empty")])
    hub = next(c for c in merged["cells"] if c["label"] == "Hub" and "item" in c["where"][0])
    assert hub["value"] is None
    assert attack.exposures(merged, MIN) == []
