"""Whether this edition needs a data notice, and the notice's one-line form: decided in one place.

Every published artefact (figures, tables, findings files, notebook pages, the report) is
stamped from here, so the stamp and the decision cannot drift apart between the chapter
notebooks (:mod:`poc1540.publish`) and the findings stage (:mod:`poc1540.findings`). Both read
the data manifest (``data/raw/manifest.yaml``): an input whose ``truth`` is not ``real`` makes
the edition illustrative; with every input real, every function here returns an empty stamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poc1540.core import manifest

REAL = "real"
# Order in which the kinds of not-real input are named: invented answers weigh most.
TRUTH_ORDER = ("synthetic", "illustrative")
LEAD = "Illustrative edition"
CLOSE = "not the study's results"
SHORT = f"{LEAD}: {CLOSE}"


def _entries(entries: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return manifest.files() if entries is None else entries


def reader_name(entry: Mapping[str, Any]) -> str:
    """How a reader calls an input ('survey responses'): the manifest's ``reader_name``, else its title."""
    return str(entry.get("reader_name") or entry["title"])


def not_real(entries: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Manifest entries that are not real, by truth (synthetic first), in manifest order within each."""
    found: dict[str, list[str]] = {}
    for name, entry in _entries(entries).items():
        if entry["truth"] != REAL:
            found.setdefault(str(entry["truth"]), []).append(name)
    rank = {truth: i for i, truth in enumerate(TRUTH_ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def needed(entries: Mapping[str, Any] | None = None) -> bool:
    """Whether any input is not real, so that every published artefact must carry the notice."""
    return bool(not_real(entries))


def join(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def one_line(entries: Mapping[str, Any] | None = None) -> str:
    """The stamp for figures, tables, findings files and notebook pages; "" when every input is real.

    For example: "Illustrative edition: built from synthetic survey responses and illustrative
    POC appointments; not the study's results." Names come from the manifest, never file names.
    """
    entries = _entries(entries)
    groups = [f"{truth} {join([reader_name(entries[n]) for n in names])}" for truth, names in not_real(entries).items()]
    return f"{LEAD}: built from {join(groups)}; {CLOSE}." if groups else ""


def short(entries: Mapping[str, Any] | None = None) -> str:
    """The shortest stamp, without a full stop (the page header watermark, alt texts); "" when every input is real."""
    return SHORT if needed(entries) else ""
