"""The built PDF as assistive technology reads it: tagged, titled, headings tagged at their levels in
the order the report's source writes them, every figure tagged with its alt text in source order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from poc1540.core import paths
from poc1540.findings import register
from support.pdf import struct_elements

FIGURE = re.compile(r"!\[[^\]]*\]\([^)]*\)\{#fig-(?P<name>[\w-]+)[^}]*fig-alt=\"\{\{< var (?P<alt>[\w.]+) >\}\}\"")


@pytest.fixture(scope="module")
def elements() -> list:
    return struct_elements(paths.REPORT_PDF)


def test_the_pdf_declares_its_title_and_language() -> None:
    reader = PdfReader(paths.REPORT_PDF)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"], "the PDF is marked as tagged"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), "viewers show the title, not the file name"
    assert str(root["/Lang"]).lower().startswith("en")
    front = yaml.safe_load(paths.REPORT_MAIN.read_text(encoding="utf-8").split("---")[1])
    assert reader.metadata.title == front["title"]


def test_headings_are_tagged_at_their_level_in_reading_order(elements: list) -> None:
    tagged = [(int(str(el["/S"])[2:]), str(el["/T"])) for el in elements if re.fullmatch(r"/H[1-6]", str(el["/S"])) and "/T" in el]
    written = [(s.level, s.title.strip()) for s in register.headings() if s.level <= 6]
    # The front matter (notice, contents, lists) comes first; the report's own headings follow it.
    body = tagged[len(tagged) - len(written) :]
    assert body == written
    assert any(el["/S"] == "/Title" for el in elements), "the title is tagged as the document's title"


def test_figures_are_tagged_with_their_alt_texts_in_source_order(elements: list) -> None:
    variables = yaml.safe_load(paths.REPORT_VARIABLES.read_text(encoding="utf-8"))

    def lookup(key: str) -> str:
        value = variables
        for part in key.split("."):
            value = value[part]
        return str(value)

    source = "\n".join(p.read_text(encoding="utf-8") for p in _chapter_files())
    expected = [lookup(m["alt"]) for m in FIGURE.finditer(source)]
    tagged = [str(el["/Alt"]) for el in elements if el.get("/S") == "/Figure"]
    assert expected, "the report's figures are found in its source"
    assert tagged == expected


def _chapter_files(path: Path = paths.REPORT_MAIN) -> list:
    """The .qmd files in the order report/index.qmd includes them, nested includes (the survey gates) followed."""
    files = []
    for m in re.findall(r"\{\{< include (\S+\.qmd) >\}\}", path.read_text(encoding="utf-8")):
        target = (path.parent / m).resolve()
        files += [target, *_chapter_files(target)]
    return files
