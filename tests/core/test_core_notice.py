"""The one-line notice and the decision whether to stamp: made from the manifest, empty when all is real."""

from __future__ import annotations

from typing import Any

from poc1540.core import manifest, notice

MIXED: dict[str, Any] = {
    "a.csv": {"truth": "real", "title": "A reference", "reader_name": "membership"},
    "b.csv": {"truth": "illustrative", "title": "B listing", "reader_name": "appointments"},
    "c.csv": {"truth": "synthetic", "title": "C survey", "reader_name": "answers"},
    "d.csv": {"truth": "illustrative", "title": "D plans"},
}


def all_real(entries: dict[str, Any]) -> dict[str, Any]:
    return {name: {**entry, "truth": "real"} for name, entry in entries.items()}


def test_one_line_names_what_is_not_real_by_truth_synthetic_first() -> None:
    line = notice.one_line(MIXED)
    assert line.startswith(notice.LEAD) and line.endswith(f"{notice.CLOSE}.")
    assert "synthetic answers" in line and "illustrative appointments and D plans" in line  # title when no reader_name
    assert line.index("synthetic") < line.index("illustrative")
    assert "membership" not in line and ".csv" not in line
    assert notice.needed(MIXED) and notice.short(MIXED)


def test_nothing_is_stamped_when_every_input_is_real() -> None:
    real = all_real(MIXED)
    assert not notice.needed(real)
    assert notice.one_line(real) == "" and notice.short(real) == ""


def test_the_shipped_manifest_names_no_file_in_its_stamp() -> None:
    entries = manifest.files()
    line = notice.one_line(entries)
    assert notice.needed(entries) == any(e["truth"] != "real" for e in entries.values())
    for name, entry in entries.items():
        assert name not in line
        if entry["truth"] != "real":
            assert notice.reader_name(entry) in line
