"""The report's references: every source the text cites is in report/references.yaml, every
entry there is cited, and the built PDF and HTML list each cited source under References."""

from __future__ import annotations

import re

import pytest
import yaml

from poc1540.core import paths
from support.pdf import pdf_text

BIBLIOGRAPHY = paths.REPORT / "references.yaml"
# A citation key inside [...] or after a space, as pandoc reads one; cross-references are not.
CITATION = re.compile(r"(?<![\w.])@(?P<key>[\w][\w:.#$%&+?<>~/-]*)")
CROSSREF = re.compile(r"^(fig|tbl|sec)-", re.IGNORECASE)


def _entries() -> dict[str, dict]:
    return {e["id"]: e for e in yaml.safe_load(BIBLIOGRAPHY.read_text(encoding="utf-8"))["references"]}


def _cited() -> set[str]:
    keys: set[str] = set()
    for qmd in [paths.REPORT_MAIN, *sorted((paths.REPORT / "chapters").glob("*.qmd"))]:
        for m in CITATION.finditer(qmd.read_text(encoding="utf-8")):
            key = m.group("key").rstrip(".,;:")
            if not CROSSREF.match(key):
                keys.add(key)
    return keys


def test_every_citation_has_an_entry_and_every_entry_is_cited() -> None:
    entries, cited = set(_entries()), _cited()
    assert cited, "the report cites its sources"
    assert cited - entries == set(), "cited without an entry in report/references.yaml"
    assert entries - cited == set(), "entries the text never cites (pandoc would leave them out silently)"


@pytest.mark.parametrize("output", ["pdf", "html"])
def test_the_built_report_lists_every_cited_source(output: str) -> None:
    if output == "pdf":
        text = pdf_text(paths.REPORT_PDF)
    else:
        text = re.sub(r"<[^>]+>", "", paths.REPORT_HTML.read_text(encoding="utf-8")).replace("\u00a0", " ")
    references = text.rsplit("References", 1)[-1]
    for key, entry in _entries().items():
        assert entry["title"] in references, f"{key}: '{entry['title']}' is not listed under References"
