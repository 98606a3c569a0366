"""The findings helper and the merge into metrics and report variables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from poc1540.findings import assemble, merge
from poc1540.publish import record as findings


def test_add_formats_and_echoes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = findings.Recorder("02_demo", directory=tmp_path)
    fx.add("demo.states", np.int64(1234), unit="States")
    f = fx.findings["demo.states"]
    assert (f.value, f.text, f.notebook) == (1234, "1,234", "02_demo")
    assert isinstance(f.value, int)  # numpy scalars become plain numbers for JSON/YAML
    assert "demo.states = 1,234" in capsys.readouterr().out


def test_share_always_carries_count_and_base(tmp_path: Path) -> None:
    fx = findings.Recorder("02_demo", directory=tmp_path, echo=False)
    fx.add_listing_share("demo.share", 27, 66)
    f = fx.findings["demo.share"]
    assert f.text == "41% (27 of 66)"
    assert f.value == 40.9 and f.extra == {"count": 27, "base": 66}
    with pytest.raises(findings.FindingsError, match="do not make a share"):
        fx.add_listing_share("demo.bad", 7, 5)


@pytest.mark.parametrize("key", ["nochapter", "Demo.Upper", "demo.", "demo.with space"])
def test_bad_keys_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(findings.FindingsError, match="must look like"):
        findings.Recorder("02_demo", directory=tmp_path).add(key, 1, unit="States")


def test_a_key_is_recorded_once(tmp_path: Path) -> None:
    fx = findings.Recorder("02_demo", directory=tmp_path, echo=False)
    fx.add("demo.x", 1, unit="States")
    with pytest.raises(findings.FindingsError, match="recorded twice"):
        fx.add("demo.x", 2, unit="States")


def test_save_load_and_clash_between_notebooks(tmp_path: Path) -> None:
    a = findings.Recorder("02_a", directory=tmp_path / "02_a", echo=False)
    a.add("demo.x", 3, unit="States")
    a.add("demo.label", "Eastern European Group", unit="group")
    a.save()
    items, _ = merge.load_all(tmp_path)
    assert [(f.key, f.notebook) for f in items] == [("demo.label", "02_a"), ("demo.x", "02_a")]
    b = findings.Recorder("03_b", directory=tmp_path / "03_b", echo=False)
    b.add("demo.x", 4, unit="States")
    b.save()
    with pytest.raises(findings.FindingsError, match="recorded by both 02_a and 03_b"):
        merge.load_all(tmp_path)


def test_metrics_keep_numbers_only_and_nest(tmp_path: Path) -> None:
    fx = findings.Recorder("02_a", directory=tmp_path, echo=False)
    fx.add("demo.x", 3, unit="States")
    fx.add("demo.name", "WEOG", unit="group")
    fx.add_listing_share("other.share", 1, 4)
    assert merge.metrics(list(fx.findings.values())) == {"demo": {"x": 3}, "other": {"share": 25.0}}


def test_nest_refuses_a_key_below_a_value() -> None:
    with pytest.raises(findings.FindingsError, match="clashes"):
        merge.nest({"a.b": 1, "a.b.c": 2})


def test_variables_carry_texts_alt_texts_and_the_notice_flag(tmp_path: Path) -> None:
    fx = findings.Recorder("02_a", directory=tmp_path, echo=False)
    fx.add_listing_share("demo.share", 1, 4)
    manifest = {"a.csv": {"truth": "real", "title": "A"}, "b.csv": {"truth": "synthetic", "title": "B"}}
    figs = {"demo_fig": {"alt": "A bar chart", "file": "x.svg", "notebook": "02_a"}}
    cover = {
        "authors": ["A. Author", "B. Author"],
        "institution": "Inst",
        "edition": "First edition",
        "licence": "CC BY 4.0",
        "contact": "x@example.org",
    }
    v = assemble.variables(list(fx.findings.values()), figs, manifest, {"edition_date": "2026-01-02", **cover})
    assert v["demo"]["share"] == "25% (1 of 4)"
    assert v["fig"]["demo_fig"]["alt"] == "A bar chart"
    assert v["report"]["date"] == "2026-01-02" and v["report"]["watermark"]
    assert v["report"]["authors"] == "A. Author, B. Author" and v["report"]["licence"] == "CC BY 4.0"
    real_only = assemble.variables([], {}, {"a.csv": {"truth": "real", "title": "A"}}, {"edition_date": "2026-01-02", **cover})
    assert real_only["report"]["watermark"] == ""
    yaml.safe_dump(v)  # plain types only


def test_committed_findings_file_matches_notebook_findings() -> None:
    from poc1540.core import paths

    items, _ = merge.load_all()
    committed = json.loads(paths.FINDINGS_METRICS.read_text())
    assert committed == json.loads(json.dumps(merge.metrics(items), sort_keys=True))


def test_a_respondent_count_below_the_threshold_is_not_printed() -> None:
    receipt = {
        "respondents": {"rule_text": "rule", "rows": 5, "counted": 3, "unfinished": 2, "superseded": 0, "rule": {"per_state": "latest"}}
    }
    small = assemble.respondent_variables(receipt, min_count=5)
    assert small["intake.counted"] == "fewer than 5" and "2" not in small["intake.left_out"]
    receipt["respondents"].update(rows=9, counted=7)
    assert assemble.respondent_variables(receipt, min_count=5)["intake.counted"] == "7"
