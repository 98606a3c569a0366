"""A survey chapter decides once whether it can publish anything, and says so when it cannot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from IPython.core.interactiveshell import InteractiveShell

from poc1540.analysis import stats
from poc1540.core import gate, paths
from poc1540.core.codebook import Codebook
from poc1540.errors import UserError
from poc1540.publish import chapter
from poc1540.publish.record import Recorder


def some_share_publishes(n: int, min_cell: int) -> bool:
    """Independently: is there a count strictly between 0 and n whose share of n is not suppressed?"""
    return any(not stats.is_suppressed(x, n, min_cell, group_min=0) for x in range(1, n))


@pytest.mark.parametrize("min_cell", [1, 2, 3, 5, 10])
def test_a_chapter_publishes_exactly_when_some_share_can_be_published(min_cell: int) -> None:
    for n in range(0, 4 * min_cell + 3):
        assert chapter.publishable(n, min_cell) == some_share_publishes(n, min_cell), (n, min_cell)


def test_the_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="min_cell"):
        chapter.publishable(3, 0)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_a_count_below_the_threshold_is_never_printed(n: int) -> None:
    for text in (chapter.withheld_text(n, 5), chapter.survey_withheld_text(n, 5)):
        assert re.findall(r"\d+", text) == ["5", "5"], text
        assert text.startswith("Fewer than 5 POCs answered the survey")
    assert chapter.withheld_text(n, 5).endswith("this chapter publishes nothing from the survey.")


def test_a_count_at_or_above_the_threshold_is_printed() -> None:
    assert chapter.withheld_text(7, 5).startswith("Only 7 POCs answered the survey")
    assert chapter.respondents_text(1, 1) == "Only 1 POC"


def _chapter(tmp_path: Path, n: int, notebook: str = "05_support") -> chapter.Chapter:
    respondents = pd.DataFrame({"respondent_id": [f"R{i:03d}" for i in range(n)]})
    states = pd.DataFrame({"in_survey_frame": [True] * 20})
    recorder = Recorder(notebook, directory=tmp_path, echo=False, stamp="")
    ch = chapter.Chapter(recorder, states, None, respondents)
    ch.options = dict(population=20, confidence=0.95, min_cell=5)
    return ch


def test_a_publishable_chapter_records_its_gate_and_goes_on(tmp_path: Path) -> None:
    ch = _chapter(tmp_path, 10)
    assert ch.withhold_if_too_small(summary_key="survey.withheld") is False
    assert ch.recorder.findings["gate.support"].text == gate.PUBLISHED
    assert "survey.withheld" not in ch.recorder.findings
    assert not (tmp_path / "findings.json").exists()  # the notebook's own fx.save() writes it later


def test_a_withheld_chapter_records_the_sentence_and_saves(tmp_path: Path) -> None:
    ch = _chapter(tmp_path, 3, notebook="03_respondents")
    assert ch.withhold_if_too_small(summary_key="survey.withheld") is True
    saved = {f["key"]: f for f in json.loads((tmp_path / "findings.json").read_text())["findings"]}
    assert set(saved) == {"gate.respondents", "survey.withheld"}
    assert saved["gate.respondents"]["value"] is False
    assert saved["gate.respondents"]["text"] == chapter.withheld_text(3, 5)
    assert saved["survey.withheld"]["text"] == chapter.survey_withheld_text(3, 5)


def test_a_listing_chapter_has_no_survey_to_withhold(tmp_path: Path) -> None:
    ch = chapter.Chapter(Recorder("02_coverage", directory=tmp_path, echo=False, stamp=""), pd.DataFrame())
    with pytest.raises(Exception, match="no survey"):
        ch.publishable


def test_later_cells_are_not_run_once_a_chapter_is_withheld() -> None:
    shell = InteractiveShell.instance()
    before = list(shell.input_transformers_cleanup)
    try:
        shell.run_cell("ran_before = True")
        chapter._skip_remaining_cells("not run: too small")
        result = shell.run_cell("ran_after = True\nraise RuntimeError('must not run')")
        assert result.success
        assert shell.user_ns.get("ran_before") is True and "ran_after" not in shell.user_ns
    finally:
        shell.input_transformers_cleanup[:] = before


def test_a_chapter_refuses_a_skipped_question_it_rests_on_by_name(tmp_path: Path) -> None:
    raw = yaml.safe_load(paths.CODEBOOK.read_text(encoding="utf-8"))
    for q in raw["questions"]:
        q["skip"] = q["id"] == "written_mandate"
    ch = _chapter(tmp_path, 10, notebook="04_tasks_roles")
    ch.codebook = Codebook(raw)
    ch.require_asked("tasks", "tenure")  # asked: nothing to say
    with pytest.raises(UserError, match=r"survey_codebook.yaml marks 'written_mandate' skip: true .* 04_tasks_roles cannot yet report it"):
        ch.require_asked("tasks", "written_mandate")
