"""What every chapter notebook starts from, set up in one call.

    chapter = start(min_cell_size=min_cell_size, confidence_level=confidence_level, disclosure=disclosure)
    fx, codebook, respondents = chapter.recorder, chapter.codebook, chapter.respondents

A survey chapter then records what it publishes whatever the data (codebook facts, the
threshold) and calls ``chapter.withhold_if_too_small()``: when the survey is too small to publish
anything (:func:`publishable`), that records the chapter's one sentence saying so, saves the
findings and leaves the notebook's remaining cells unrun, so the chapter publishes no figure,
table or share at all (the findings stage then prints the sentence in place of the chapter's text).

The notebook's name (which names its ``results/`` folder and its findings) comes from the
executor (:mod:`poc1540.pipeline.execute` sets ``POC1540_NOTEBOOK``), or from Jupyter's
``JPY_SESSION_NAME`` when an author runs the notebook by hand, never typed in the notebook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from poc1540.analysis import cells, protect, stats
from poc1540.analysis import disclosure as disclosure_rules
from poc1540.core import gate, paths, processed
from poc1540.core.codebook import Codebook
from poc1540.errors import UserError
from poc1540.publish import figures
from poc1540.publish.record import Recorder


def publishable(respondents: int, min_cell: int) -> bool:
    """Whether a survey of ``respondents`` can publish any share at the threshold ``min_cell``.

    A share is published only when its count and its complement both reach ``min_cell``
    (:func:`poc1540.analysis.stats.is_suppressed`), which needs at least ``2 * min_cell``
    respondents; below that every share is suppressed (a 0% or 100% cell describes the whole
    group, which group disclosure suppresses too), so a chapter would be figures of blanks.
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, not {min_cell!r}")
    return int(respondents) >= 2 * int(min_cell)


def respondents_text(respondents: int, min_cell: int) -> str:
    """How many POCs answered, as it may be published: 'Fewer than 5 POCs' below the threshold, else '7 POCs'."""
    if respondents < min_cell:
        return f"Fewer than {min_cell} POCs"
    return f"Only {respondents} POC" + ("" if respondents == 1 else "s")


def withheld_text(respondents: int, min_cell: int) -> str:
    """The sentence a survey chapter reads when the survey is too small to publish it."""
    return (
        f"{respondents_text(respondents, min_cell)} answered the survey, too few to publish any of its shares without "
        f"revealing a group of fewer than {min_cell} respondents: this chapter publishes nothing from the survey."
    )


def survey_withheld_text(respondents: int, min_cell: int) -> str:
    """The sentence the summary and recommendations read when the survey is too small to publish."""
    return (
        f"{respondents_text(respondents, min_cell)} answered the survey, too few to publish any of its shares without "
        f"revealing a group of fewer than {min_cell} respondents, so this edition publishes nothing from the survey"
    )


def notebook_name() -> str:
    """The running notebook's stem, e.g. ``05_support``."""
    name = os.environ.get(paths.NOTEBOOK_ENV) or Path(os.environ.get("JPY_SESSION_NAME", "")).stem
    if not name:
        raise UserError(
            f"cannot tell which notebook this is: run it with `poc1540 execute notebooks/<name>.ipynb ...`, "
            f"or set {paths.NOTEBOOK_ENV}=<name> before starting Jupyter"
        )
    return name


@dataclass
class Chapter:
    """One chapter's recorder, codebook and tables, and the survey's statistical options."""

    recorder: Recorder
    states: pd.DataFrame
    codebook: Codebook | None = None
    respondents: pd.DataFrame | None = None
    # Share options: population (States in the survey frame), confidence level, disclosure thresholds
    options: dict[str, Any] = field(default_factory=dict)
    rules: disclosure_rules.Rules | None = None

    @property
    def population(self) -> int:
        """States in the survey frame: the population the survey's shares describe."""
        return int(self.states["in_survey_frame"].sum())

    @property
    def role_types(self) -> list[str]:
        """The POC role types, Post Office to Hub, as the prepare stage banded them."""
        if self.respondents is None:
            raise UserError("a chapter about the public listings has no respondents (start() was given no survey options)")
        return [str(c) for c in self.respondents["role_type"].cat.categories]

    def share(self, count: int, base: int) -> stats.Share:
        """A survey share with this chapter's interval and suppression options."""
        return stats.share(count, base, **self.options)

    @property
    def publishable(self) -> bool:
        """Whether the survey is large enough for this chapter to publish anything (:func:`publishable`)."""
        if self.respondents is None:
            raise UserError("a chapter about the public listings has no survey to withhold (start() was given no survey options)")
        return publishable(len(self.respondents), int(self.options["min_cell"]))

    def require_asked(self, *qids: str) -> None:
        """Refuse, naming the question, an edition that did not ask a question this chapter cannot do without.

        A chapter lists the questions its analysis rests on (crossed with others, ranked, or
        quoted in sentences that have no "not asked" wording yet); a question it can report as
        "not asked in this edition" is left out of the list.
        """
        if self.codebook is None:
            raise UserError("a chapter about the public listings asks no survey question")
        missing = [q for q in qids if not self.codebook.asked(q)]
        if missing:
            raise UserError(
                f"{paths.relative(paths.CODEBOOK)} marks {', '.join(repr(q) for q in missing)} skip: true (not asked in this edition), "
                f"but {self.recorder.notebook} cannot yet report {'it' if len(missing) == 1 else 'them'} as not asked: "
                "its figures and sentences rest on the answers. Ask the question, or teach the chapter to say 'not asked in this edition' "
                "(as notebooks/03_respondents.ipynb does for predecessor_handover)"
            )

    def withhold_if_too_small(self, *, summary_key: str | None = None) -> bool:
        """Record this chapter's gate; when the survey is too small, save and leave the rest unrun.

        Returns True when the chapter is withheld; then ``summary_key``, when given, records the
        sentence the summary and recommendations read instead of their survey findings. The notebook's later cells are then replaced
        by a comment as they are run (an IPython input transformer), so no figure, table or
        share is made from a survey that cannot be published; the executed notebook keeps their
        source for reviewers, with no outputs.
        """
        n, min_cell = len(self.respondents) if self.respondents is not None else 0, int(self.options.get("min_cell", 0))
        key = gate.key(self.recorder.notebook)
        if self.publishable:
            self.recorder.add(key, True, unit="flag", text=gate.PUBLISHED)
            return False
        self.recorder.add(key, False, unit="flag", text=withheld_text(n, min_cell))
        if summary_key is not None:
            self.recorder.add(summary_key, False, unit="flag", text=survey_withheld_text(n, min_cell))
        self.recorder.save()
        _skip_remaining_cells(f"not run: {withheld_text(n, min_cell)}")
        print("The chapter's later cells are not run: it publishes nothing else.")
        return True


def start(*, min_cell_size: int | None = None, confidence_level: float | None = None, disclosure: dict[str, Any] | None = None) -> Chapter:
    """Apply the figure theme and load what a chapter needs.

    A chapter about the survey passes its ``min_cell_size``, ``confidence_level`` and
    ``disclosure`` parameters and gets the respondents too; a chapter about the public listings
    passes none.
    """
    figures.set_theme()
    recorder = Recorder(notebook_name())
    states = processed.read_table("states")
    if min_cell_size is None and confidence_level is None:
        return Chapter(recorder, states)
    if min_cell_size is None or confidence_level is None or disclosure is None:
        raise UserError("a survey chapter needs min_cell_size, confidence_level and disclosure (params/common.yaml)")
    chapter = Chapter(recorder, states, Codebook.load(), processed.read_table("respondents"))
    try:
        chapter.rules = disclosure_rules.Rules.from_params(min_cell_size, disclosure)
    except ValueError as error:
        raise UserError(str(error)) from None
    chapter.options = dict(population=chapter.population, confidence=confidence_level, **chapter.rules.options)
    # every survey cell the chapter publishes is registered here, with its definition
    # (and withheld when the protect stage decided so, across every chapter's cells)
    recorder.cells = cells.CellRegister(states, chapter.respondents, chapter.rules, protection=protect.load())
    return chapter


def _skip_remaining_cells(reason: str) -> None:
    """Run every later cell of this kernel as a comment (outside IPython: nothing to skip)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None:
        return

    def withhold(lines: list[str]) -> list[str]:
        return [f"# {reason}\n"]

    shell.input_transformers_cleanup.append(withhold)
