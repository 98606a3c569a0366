"""The codebook marks a question an edition did not ask with skip: true."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from poc1540.core import paths
from poc1540.core.codebook import Codebook


def _edition_without(tmp_path: Path, qid: str) -> Codebook:
    raw = yaml.safe_load(paths.CODEBOOK.read_text(encoding="utf-8"))
    for q in raw["questions"]:
        if q["id"] == qid:
            q["skip"] = True
    target = tmp_path / "survey_codebook.yaml"
    target.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return Codebook.load(target)


def test_the_shipped_edition_asks_every_question() -> None:
    codebook = Codebook.load()
    assert codebook.not_asked == []
    assert all(codebook.asked(q["id"]) for q in codebook.raw["questions"])


def test_a_skipped_question_is_not_asked(tmp_path: Path) -> None:
    codebook = _edition_without(tmp_path, "predecessor_handover")
    assert codebook.not_asked == ["predecessor_handover"]
    assert not codebook.asked("predecessor_handover") and codebook.asked("written_mandate")
    assert codebook.codes("predecessor_handover") == ["yes", "no", "first_poc"]  # its entry, and so its columns, stay


def test_an_unknown_question_is_named() -> None:
    with pytest.raises(KeyError, match="no_such_question"):
        Codebook.load().asked("no_such_question")
