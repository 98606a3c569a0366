"""Who counts as a respondent: the rule in ``params/validate.yaml``, applied to the survey file.

A survey file holds responses; the report counts Points of Contact, one per State. The rule says
which responses count: by default only submitted ones (``finished`` = ``yes``; a file without
that column, such as the tidy synthetic sample, counts every row), and of several from one State
only the latest submitted (the others are *superseded*). The validator applies it to the whole
file and records the counts in its receipt; the prepare stage applies the same rule, read back
from the receipt, so both always agree. Previews and tests never reach the file: the importers
skip them (``skip_rows`` in ``params/import/*.yaml``).

Warnings name rows only (never a respondent id or a State): the receipt and the report's methods
appendix are published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from poc1540.core import paths
from poc1540.core.problems import Problem
from poc1540.errors import UserError

PER_STATE = ("latest", "earliest", "refuse")
#: the survey file's response metadata: written by the importers after the codebook's columns
FINISHED = "finished"
SUBMITTED_AT = "submitted_at"
ROWS_SHOWN = 12  # rows named in one warning; the rest are counted


@dataclass(frozen=True)
class Rule:
    """Which responses count (see ``params/validate.yaml``)."""

    finished_only: bool = True
    per_state: str = "latest"

    def describe(self) -> str:
        """The rule as a clause for the methods appendix."""
        which = "only submitted (finished) responses count" if self.finished_only else "submitted and unfinished responses count alike"
        if self.per_state == "refuse":
            return f"{which}, and a State with more than one such response stops the build"
        return f"{which}, and only one per State: the {self.per_state} submitted one"


class RuleError(Exception):
    """The rule file is missing or wrong; carries the problems to report."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def load_rule(path: Path = paths.RESPONDENT_RULE) -> Rule:
    """The ``respondents`` block of the rule file, every key checked (file, key, value, rule)."""
    shown = paths.relative(Path(path))
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError([Problem(shown, "is missing: it says who counts as a respondent", fix="restore it from git")]) from None
    except yaml.YAMLError as exc:
        raise RuleError([Problem(shown, f"is not valid YAML: {exc}".replace("\n", " "))]) from None
    block = raw.get("respondents") if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        raise RuleError([Problem(shown, "must have a 'respondents' mapping (finished_only, per_state)", key="respondents")])
    problems = []
    for key in sorted(set(block) - {"finished_only", "per_state"}):
        problems.append(
            Problem(shown, "is not a key of the respondent rule", key=f"respondents.{key}", fix="use finished_only and per_state")
        )
    finished_only = block.get("finished_only", True)
    if not isinstance(finished_only, bool):
        problems.append(
            Problem(shown, "must be true or false", key="respondents.finished_only", value=str(finished_only), fix="write true or false")
        )
    per_state = block.get("per_state", "latest")
    if per_state not in PER_STATE:
        problems.append(
            Problem(shown, f"must be one of {', '.join(PER_STATE)}", key="respondents.per_state", value=str(per_state), fix="write latest")
        )
    if problems:
        raise RuleError(problems)
    return Rule(finished_only=finished_only, per_state=per_state)


@dataclass
class Selection:
    """The outcome of the rule on one file: which rows (index labels) count and why the others do not."""

    rows: int = 0
    counted: list[int] = field(default_factory=list)
    unfinished: list[int] = field(default_factory=list)
    without_state: list[int] = field(default_factory=list)  # counted by the rule, but they name no State
    superseded: dict[int, list[int]] = field(default_factory=dict)  # kept row -> the rows it supersedes

    def counts(self) -> dict[str, int]:
        """The numbers the methods appendix states."""
        return {
            "rows": self.rows,
            "unfinished": len(self.unfinished),
            "without_state": len(self.without_state),
            "superseded": sum(len(v) for v in self.superseded.values()),
            "counted": len(self.counted),
        }


def select(df: pd.DataFrame, rule: Rule) -> Selection:
    """Apply the rule to a survey table read as text (``country``, ``submitted``, optionally
    ``finished`` and ``submitted_at``); the index labels are the rows' identities.

    An empty ``country`` (a response abandoned before the question) is never counted.
    """
    selection = Selection(rows=len(df))
    finished = df[FINISHED] if FINISHED in df.columns else pd.Series("yes", index=df.index)
    eligible = (finished == "yes") | (not rule.finished_only)
    selection.unfinished = [int(i) for i in df.index[~eligible]]
    selection.without_state = [int(i) for i in df.index[eligible & (df["country"] == "")]]
    candidates = df[eligible & (df["country"] != "")]
    order = pd.DataFrame(
        {
            "at": candidates[SUBMITTED_AT] if SUBMITTED_AT in candidates.columns else "",
            "day": candidates["submitted"] if "submitted" in candidates.columns else "",
            "pos": range(len(candidates)),
            "country": candidates["country"],
        },
        index=candidates.index,
    )
    # the submitted date-time when the file has it, else the date; a tie goes to the later row
    order = order.sort_values(["at", "day", "pos"], kind="stable")
    for _, group in order.groupby("country", sort=False, observed=True):
        rows = [int(i) for i in group.index]
        keep = rows[0] if rule.per_state == "earliest" else rows[-1]
        selection.counted.append(keep)
        others = [r for r in rows if r != keep]
        if others:
            selection.superseded[keep] = sorted(others)
    selection.counted.sort()
    return selection


def _rows(rows: list[int]) -> str:
    lines = [str(r + 2) for r in rows]  # header = line 1
    shown = ", ".join(lines[:ROWS_SHOWN])
    return shown + (f" and {len(lines) - ROWS_SHOWN} more" if len(lines) > ROWS_SHOWN else "")


def problems(selection: Selection, rule: Rule, shown: str, rule_shown: str) -> list[Problem]:
    """Warnings for the responses left out (errors when ``per_state: refuse``); rows only, no ids."""
    out = []
    if selection.unfinished:
        n = len(selection.unfinished)
        out.append(
            Problem(
                shown,
                f"has {n} unfinished response{'s' if n > 1 else ''} (row{'s' if n > 1 else ''} {_rows(selection.unfinished)}), "
                f"which do not count as respondents ({rule_shown}: respondents.finished_only)",
                column=FINISHED,
                severity="warning",
            )
        )
    if selection.without_state:
        n = len(selection.without_state)
        out.append(
            Problem(
                shown,
                f"has {n} response{'s that name' if n > 1 else ' that names'} no State (row{'s' if n > 1 else ''} {_rows(selection.without_state)}), "
                "which cannot count as a State's answer",
                column="country",
                severity="warning",
            )
        )
    for keep, others in sorted(selection.superseded.items()):
        if rule.per_state == "refuse":
            out.append(
                Problem(
                    shown,
                    f"has {len(others) + 1} responses from one State (rows {_rows(sorted([*others, keep]))}), and {rule_shown} says per_state: refuse",
                    row=keep + 2,
                    column="country",
                    fix="remove the responses that are not the State's answer, or set per_state: latest",
                )
            )
            continue
        word = "is" if len(others) == 1 else "are"
        out.append(
            Problem(
                shown,
                f"is the {rule.per_state} submitted response of its State: row{'s' if len(others) > 1 else ''} {_rows(others)} "
                f"from the same State {word} superseded and do{'es' if len(others) == 1 else ''} not count ({rule_shown}: respondents.per_state)",
                row=keep + 2,
                column="country",
                severity="warning",
            )
        )
    return out


def summary(selection: Selection, rule: Rule) -> dict[str, Any]:
    """The receipt's ``respondents`` entry: the rule as applied (and in words, for the report) and its counts."""
    return {"rule": asdict(rule), "rule_text": rule.describe(), **selection.counts()}


def receipt_rule(receipt: Path = paths.VALIDATION_RECEIPT) -> Rule:
    """The rule the validator applied, from its receipt (what the prepare stage applies again)."""
    import json

    data = json.loads(Path(receipt).read_text(encoding="utf-8"))
    if "respondents" not in data:
        raise UserError(f"{paths.relative(Path(receipt))} does not say which responses count: run 'poc1540 validate --receipt' again")
    return Rule(**data["respondents"]["rule"])


def counted(raw: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """The rows of a survey table (read as text) that count, in file order."""
    return raw.loc[select(raw, rule).counted].reset_index(drop=True)
