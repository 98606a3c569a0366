"""The gate files: a survey chapter's text, or the sentence its notebook recorded instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from poc1540.core.finding import Finding, FindingsError
from poc1540.findings import gates, register


def _gate(chapter: str, published: bool) -> Finding:
    text = "published" if published else f"Fewer than 5 POCs answered ({chapter})"
    return Finding(key=f"gate.{chapter}", value=published, text=text, unit="flag", notebook=f"05_{chapter}", cell=4)


def _uses(main: Path) -> dict[str, list[str]]:
    """Key -> the sections that use it, over every chapter, in reading order."""
    out: dict[str, list[str]] = {}
    for chapter in register.read_report(main):
        for key, where in chapter.uses.items():
            out.setdefault(key, []).extend(s.label() for s in where)
    return out


def _report(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A report with one survey chapter and a summary, both gated, as the project's report is laid out."""
    report = tmp_path / "report"
    chapters, target = report / "chapters", report / "_generated" / "survey"
    chapters.mkdir(parents=True)
    (chapters / "_summary.qmd").write_text("# Summary {.unnumbered}\n\n- Listing.\n{{< include ../_generated/survey/summary.qmd >}}\n")
    (chapters / "_summary_survey.qmd").write_text("- Support: {{< var support.top >}}.\n")
    (chapters / "_summary_withheld.qmd").write_text("- The survey: {{< var survey.withheld >}}.\n")
    (chapters / "_support.qmd").write_text("# Support {#sec-support}\n\n{{< include ../_generated/survey/support.qmd >}}\n")
    (chapters / "_support_survey.qmd").write_text("Most named {{< var support.top >}}.\n\n## By role\n\n{{< var support.hub >}}.\n")
    main = report / "index.qmd"
    main.write_text("---\ntitle: T\n---\n\n{{< include chapters/_summary.qmd >}}\n\n{{< include chapters/_support.qmd >}}\n")
    return main, chapters, target


def test_the_parts_are_found_from_the_chapters_includes(tmp_path: Path) -> None:
    _, chapters, _ = _report(tmp_path)
    assert gates.gated_parts(chapters) == ["summary", "support"]


def test_a_published_survey_includes_each_chapters_text(tmp_path: Path) -> None:
    main, chapters, target = _report(tmp_path)
    gates.write([_gate("support", True)], target, chapters)
    assert (target / "support.qmd").read_text() == "{{< include ../../chapters/_support_survey.qmd >}}\n"
    assert (target / "summary.qmd").read_text() == "{{< include ../../chapters/_summary_survey.qmd >}}\n"
    # the register follows the gate into the chapter's text, in the sections it falls in
    assert _uses(main) == {"support.top": ["Summary", "§1"], "support.hub": ["§1.1"]}


def test_a_withheld_survey_prints_the_recorded_sentence_and_the_summarys_own_text(tmp_path: Path) -> None:
    main, chapters, target = _report(tmp_path)
    gates.write([_gate("support", False)], target, chapters)
    assert (target / "support.qmd").read_text() == "{{< var gate.support >}}\n"
    assert (target / "summary.qmd").read_text() == "{{< include ../../chapters/_summary_withheld.qmd >}}\n"
    assert _uses(main) == {"survey.withheld": ["Summary"], "gate.support": ["§1"]}


def test_one_withheld_chapter_withholds_the_summary(tmp_path: Path) -> None:
    _, chapters, target = _report(tmp_path)
    decided = gates.decisions([_gate("support", True), _gate("challenges", False)])
    assert gates.gate_text("summary", decided, chapters) == "{{< include ../../chapters/_summary_withheld.qmd >}}\n"


def test_a_gate_file_no_chapter_includes_is_removed(tmp_path: Path) -> None:
    _, chapters, target = _report(tmp_path)
    target.mkdir(parents=True)
    (target / "old_chapter.qmd").write_text("{{< var gate.old_chapter >}}\n")
    gates.write([_gate("support", True)], target, chapters)
    assert sorted(p.name for p in target.iterdir()) == ["summary.qmd", "support.qmd"]


def test_missing_texts_and_gates_are_named(tmp_path: Path) -> None:
    _, chapters, target = _report(tmp_path)
    with pytest.raises(FindingsError, match="no survey chapter recorded its gate"):
        gates.gate_text("summary", {}, chapters)
    (chapters / "_summary_withheld.qmd").unlink()
    with pytest.raises(FindingsError, match="_summary_withheld.qmd does not exist"):
        gates.gate_text("summary", {"support": False}, chapters)
    with pytest.raises(FindingsError, match="_nothing_survey.qmd does not exist"):
        gates.gate_text("nothing", {"support": True}, chapters)


def test_a_withheld_survey_lists_no_validator_warning_that_counts_its_rows() -> None:
    from poc1540.findings.assemble import validation_notes

    survey = "data/private/survey_responses.csv"
    receipt = {
        "warnings": [
            {
                "file": survey,
                "rule": "is empty in 1 of 3 rows (33%), above the 20% item non-response warning level",
                "column": "chal_mandate",
            },
            {"file": "data/raw/poc_listing.csv", "rule": "lists a State twice", "row": 7},
        ]
    }
    published = validation_notes(receipt)
    assert "1 of 3 rows" in published and "lists a State twice" in published
    withheld = validation_notes(receipt, withheld_file=survey)
    assert "1 of 3" not in withheld and "chal_mandate" not in withheld
    assert "lists a State twice" in withheld and "warning(s) about the survey file are not listed" in withheld
    only_survey = validation_notes({"warnings": receipt["warnings"][:1]}, withheld_file=survey)
    assert only_survey.startswith("The validator reported no warnings for this edition's other inputs.") and "1 of 3" not in only_survey
