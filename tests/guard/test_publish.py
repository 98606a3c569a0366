"""The guard gates publication: the edition is rendered to report/_staging/ and reaches
report/_output/ only when the guard passes (real ``dvc repro`` in a built copy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poc1540.core import atomic
from poc1540.guard import publish
from support.repo import output_hashes, run

EDITION = ("report/_output", "results/confidentiality.json")


@pytest.mark.slow
def test_a_leak_in_the_report_keeps_the_last_good_edition(built_copy: Path) -> None:
    edition = output_hashes(built_copy, EDITION)
    respondent = re.search(r"^R\d{3}", (built_copy / "data/raw/survey_responses.csv").read_text(encoding="utf-8"), re.M)
    assert respondent, "the survey file has respondent ids"
    chapter = built_copy / "report/chapters/_respondents.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nRespondent {respondent.group(0)} answered first.\n", encoding="utf-8")

    proc = run(["dvc", "repro"], cwd=built_copy, root=built_copy, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "Running stage 'report'" in log and "Running stage 'guard'" in log
    for output in ("report/_staging/poc1540-report.pdf", "report/_staging/poc1540-report.html"):
        assert re.search(
            rf"{re.escape(output)}, [^:]+: respondent id '{respondent.group(0)}' from the survey file \(rule: respondent id\)", log
        ), log[-3000:]
    assert "report/_output/ keeps the previous edition" in log
    assert output_hashes(built_copy, EDITION) == edition, "a failed guard must leave the published edition byte-identical"
    staged = (built_copy / "report/_staging/poc1540-report.pdf").read_bytes()
    assert staged != (built_copy / "report/_output/poc1540-report.pdf").read_bytes(), "the leaking edition stays in staging"


def test_publishing_replaces_the_edition_whole(tmp_path: Path) -> None:
    (tmp_path / "report/_staging/notebooks").mkdir(parents=True)
    (tmp_path / "report/_staging/poc1540-report.pdf").write_bytes(b"new edition")
    (tmp_path / "report/_staging/notebooks/05_support.html").write_text("<p>new</p>", encoding="utf-8")
    (tmp_path / "report/_staging/.build").mkdir()  # intermediates are not published
    (tmp_path / "report/_staging/.build/x.typ").write_text("x", encoding="utf-8")
    old = tmp_path / "report/_output"
    (old / "notebooks").mkdir(parents=True)
    (old / "poc1540-report.pdf").write_bytes(b"old edition")
    (old / "notebooks/08_dropped.html").write_text("<p>a chapter no longer built</p>", encoding="utf-8")

    assert publish.publish(tmp_path) == ["notebooks/05_support.html", "poc1540-report.pdf"]
    assert (old / "poc1540-report.pdf").read_bytes() == b"new edition"
    assert sorted(p.relative_to(old).as_posix() for p in old.rglob("*")) == ["notebooks", "notebooks/05_support.html", "poc1540-report.pdf"]
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["_output", "_staging"], "no scratch folder is left"
    assert publish.renamed({"report/_staging/a.pdf": "1", "results/x.md": "2"}) == {"report/_output/a.pdf": "1", "results/x.md": "2"}


def test_a_failure_while_staging_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "results/05_support"
    target.mkdir(parents=True)
    (target / "findings.json").write_text("{}\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.staged_dir(target) as scratch:
        (scratch / "findings.json").write_text('{"half": true}\n', encoding="utf-8")
        raise RuntimeError("the notebook failed")
    assert [p.name for p in target.iterdir()] == ["findings.json"] and (target / "findings.json").read_text() == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["05_support"]
