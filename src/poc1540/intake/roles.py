"""The POC role typology, from "Post Office" to "Hub", derived from the tasks a POC performs.

Definition (stated in the report's methods appendix):

- The *Hub tasks* are the codebook's task items with ``role: hub`` (coordination meetings,
  action plans, outreach, advising on legislation); the *Post Office task* is forwarding
  communications (``role: post_office``).
- The *role index* is 1 + the number of Hub tasks performed, so it runs from 1 (no Hub task:
  a pure Post Office) to 5 (all four Hub tasks), on the same 1-5 range as the respondents' own
  placement (``role_scale``), which makes the two directly comparable.
- The *role type* bands either score: Post Office (1-2), Intermediate (3), Hub (4-5).

A respondent who skipped the task question has no index (missing, not zero).
"""

from __future__ import annotations

import pandas as pd

from poc1540.core.codebook import Codebook

ROLE_TYPES = ["Post Office", "Intermediate", "Hub"]


def hub_tasks(codebook: Codebook) -> list[str]:
    """Task items that make a POC Hub-like."""
    return codebook.items_with("tasks", "role", "hub")


def role_index(respondents: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """1 + number of Hub tasks performed (1-5); missing where the task question was skipped."""
    tasks = respondents[hub_tasks(codebook)]
    answered = tasks.notna().all(axis=1)
    index = 1 + tasks.fillna(False).astype(int).sum(axis=1)
    return index.where(answered).astype("Int64").rename("role_index")


def role_type(score: pd.Series) -> pd.Series:
    """Band a 1-5 score (derived index or self-placement) into Post Office / Intermediate / Hub."""
    bands = pd.cut(score.astype("Float64"), bins=[0, 2, 3, 5], labels=ROLE_TYPES)
    return bands.astype(pd.CategoricalDtype(ROLE_TYPES, ordered=True))
