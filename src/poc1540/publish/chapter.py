"""What every chapter notebook starts from, set up in one call.

    chapter = start(min_cell_size=min_cell_size, confidence_level=confidence_level, disclosure=disclosure)
    fx, codebook, respondents = chapter.recorder, chapter.codebook, chapter.respondents

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

from poc1540.analysis import cells, stats
from poc1540.analysis import disclosure as disclosure_rules
from poc1540.core import paths, processed
from poc1540.core.codebook import Codebook
from poc1540.errors import UserError
from poc1540.publish import figures
from poc1540.publish.record import Recorder


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
    recorder.cells = cells.CellRegister(states, chapter.respondents, chapter.rules)
    return chapter
