"""Every artefact a chapter publishes carries the one-line notice while an input is not real, and none when all are."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from poc1540.core import manifest, notice  # noqa: E402
from poc1540.publish import figures, record, tables  # noqa: E402

ENTRIES = {
    "ref.csv": {"truth": "real", "title": "Reference", "reader_name": "membership"},
    "survey.csv": {"truth": "synthetic", "title": "Survey", "reader_name": "survey answers"},
}
ALL_REAL = {name: {**entry, "truth": "real"} for name, entry in ENTRIES.items()}


def publish(tmp_path: Path, entries: dict) -> Path:
    """A tiny chapter: one figure, one table, the findings file; stamped as ``entries`` require."""
    fx = record.Recorder("02_demo", directory=tmp_path, echo=False, stamp=notice.one_line(entries))
    figures.set_theme()
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    figures.save(fig, "demo", "Two bars", fx)
    plt.close(fig)
    tables.save(pd.DataFrame({"count": [10, 20]}, index=pd.Index(["x", "y"], name="item")), "demo_table", fx)
    fx.add("demo.x", 3, unit="States")
    fx.save()
    return tmp_path


def test_every_artefact_is_stamped_while_an_input_is_not_real(tmp_path: Path) -> None:
    stamp = notice.one_line(ENTRIES)
    out = publish(tmp_path, ENTRIES)
    svg = (out / "demo.svg").read_text()
    assert f"<desc>{stamp}</desc>" in svg.replace("&#x27;", "'")
    # the footer is drawn (matplotlib keeps drawn text in comments when it draws glyphs as paths)
    drawn = " ".join(re.findall(r"<!-- (.*?) -->", svg, re.DOTALL)).replace("&#x27;", "'")
    assert " ".join(stamp.split()) in " ".join(drawn.split())
    payload = json.loads((out / "findings.json").read_text())
    assert payload["notice"] == stamp
    assert payload["figures"]["demo"]["alt"].startswith("Two bars.") and payload["figures"]["demo"]["alt"].endswith(f"{notice.SHORT}.")
    md = (out / "demo_table.md").read_text()
    assert md.splitlines()[0] == f"*{stamp}*" and md.splitlines()[2].startswith("| item")
    assert pd.read_csv(out / "demo_table.csv").columns.tolist() == ["item", "count"]  # the CSV stays plain CSV
    sidecar = (out / record.NOTICE_FILE).read_text()
    assert sidecar.startswith(stamp) and "demo_table.csv" in sidecar and "demo.svg" in sidecar


def test_nothing_is_stamped_when_every_input_is_real(tmp_path: Path) -> None:
    (tmp_path / record.NOTICE_FILE).write_text("left from an illustrative edition")
    out = publish(tmp_path, ALL_REAL)
    svg = (out / "demo.svg").read_text()
    assert "<desc>" not in svg and notice.LEAD not in svg
    payload = json.loads((out / "findings.json").read_text())
    assert "notice" not in payload and payload["figures"]["demo"]["alt"] == "Two bars"
    assert (out / "demo_table.md").read_text().startswith("| item")
    assert not (out / record.NOTICE_FILE).exists()


def test_the_footer_leaves_the_notebook_figure_as_it_was(tmp_path: Path) -> None:
    fx = record.Recorder("02_demo", directory=tmp_path, echo=False, stamp=notice.one_line(ENTRIES))
    fig, ax = plt.subplots()
    before = len(fig.texts)
    figures.save(fig, "demo", "Alt", fx)
    assert len(fig.texts) == before
    plt.close(fig)


@pytest.mark.parametrize("name", ["02_coverage", "05_support"])
def test_committed_results_carry_the_manifest_notice(name: str) -> None:
    from poc1540.core import paths

    stamp = notice.one_line(manifest.files())
    folder = paths.chapter_results(name)
    payload = json.loads((folder / "findings.json").read_text())
    assert payload.get("notice", "") == stamp
    for svg in folder.glob("*.svg"):
        assert (f"<desc>{stamp}" in svg.read_text().replace("&#x27;", "'")) == bool(stamp)
