"""The report's data notice: what in this edition is real, what is not, and how to read its numbers.

Written for a reader of the report, not for whoever maintains the data: built from the
manifest's ``reader_name`` and ``reader_note`` (never file names, sources or instructions),
so a swap of real data for an input (its ``truth`` set to ``real``) takes its paragraph away.
Whether a notice is needed, and its one-line form, come from :mod:`poc1540.core.notice`, which
stamps the other artefacts too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poc1540.core import notice

# What each kind of not-real input means for the numbers built on it; said once, not per input.
READING = {
    "synthetic": "Survey percentages describe invented answers; they show how the analysis reads a survey, not what Points of Contact said.",
    "illustrative": "Counts of States match the published totals they are calibrated to, but which States, regions and dates make them up is invented.",
}
# When an entry gives no reader_note: what its truth means, in a reader's words.
FALLBACK = {
    "synthetic": "Invented for this edition, not collected.",
    "illustrative": "Invented, but calibrated to published totals.",
}
ALL_REAL = "All inputs of this edition are real data; their sources are listed in the data appendix.\n"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def data_notice(manifest: Mapping[str, Any]) -> str:
    """Markdown for the notice on the title page (a callout), or one line when every input is real."""
    groups = notice.not_real(manifest)
    if not groups:
        return ALL_REAL
    real = [notice.reader_name(e) for e in manifest.values() if e["truth"] == notice.REAL]
    lines = [
        f'::: {{.callout-important title="{notice.LEAD}: {notice.CLOSE}"}}',
        "This edition shows how the study's analysis works. Some of its inputs are not real, so its "
        "findings must not be cited as results of the study.",
        "",
    ]
    if real:
        lines += [f"Real public records: {'; '.join(real)}.", ""]  # names may hold "and"
    lines += ["Not real:", ""]
    for truth, names in groups.items():
        for name in names:
            entry = manifest[name]
            note = entry.get("reader_note") or FALLBACK.get(truth, "")
            lines.append(f"- **{_capital(notice.reader_name(entry))}** ({truth}). {_sentence(note)}".rstrip())
    reading = [READING[truth] for truth in groups if truth in READING]
    if reading:
        lines += ["", "**Reading the numbers.** " + " ".join(reading)]
    lines += [":::", ""]
    return "\n".join(lines)
