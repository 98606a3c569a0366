"""The report's data notice: for readers, built from the manifest, gone when every input is real."""

from __future__ import annotations

from typing import Any

from poc1540.core import manifest
from poc1540.findings import notice

MANIFEST: dict[str, Any] = {
    "ref.csv": {"truth": "real", "title": "Reference", "reader_name": "UN membership", "reader_note": "stale note"},
    "list.csv": {"truth": "illustrative", "title": "Listing", "reader_name": "POC appointments", "reader_note": "Who is invented"},
    "survey.csv": {
        "truth": "synthetic",
        "title": "Survey",
        "reader_name": "survey responses",
        "notes": "Developer text: regenerate with poc1540 generate",
    },
}


def test_notice_says_what_is_real_what_is_not_and_how_to_read_it() -> None:
    text = notice.data_notice(MANIFEST)
    assert "callout-important" in text
    assert "UN membership" in text and "stale note" not in text  # a real input's note is not printed
    assert "**POC appointments** (illustrative). Who is invented." in text
    assert "**Survey responses** (synthetic). " + notice.FALLBACK["synthetic"] in text  # no reader_note: the fallback
    assert text.count("illustrative") == 1 + (notice.READING["illustrative"].count("illustrative"))  # once per input
    assert notice.READING["synthetic"] in text and notice.READING["illustrative"] in text


def test_notice_has_no_file_names_nor_developer_text() -> None:
    for entries in (MANIFEST, manifest.files()):
        text = notice.data_notice(entries)
        for name, entry in entries.items():
            assert name not in text and str(entry.get("source", "\0")) not in text
            assert str(entry.get("notes", "\0")) not in text
        assert "README" not in text and "`" not in text and "Replace" not in text


def test_notice_drops_an_input_that_becomes_real_and_disappears_when_all_are() -> None:
    partly = {**MANIFEST, "survey.csv": {**MANIFEST["survey.csv"], "truth": "real"}}
    text = notice.data_notice(partly)
    assert "synthetic" not in text and notice.READING["synthetic"] not in text and "POC appointments" in text
    real = {name: {**entry, "truth": "real"} for name, entry in MANIFEST.items()}
    assert notice.data_notice(real) == notice.ALL_REAL and "callout" not in notice.ALL_REAL
