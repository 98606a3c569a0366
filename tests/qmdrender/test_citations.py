"""Citations: [@key] with a bibliography in the front matter, formatted by pandoc's citeproc.

Real pandoc and Typst on tiny documents; a citation without a bibliography, or of a key the
bibliography lacks, stops the render with a message naming it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qmdrender import RenderError, render
from support.pdf import pdf_text

BIB = """\
references:
  - id: council-1540
    type: report
    author:
      - literal: UN Security Council
    title: Resolution 1540 (2004)
    number: S/RES/1540 (2004)
    issued: {date-parts: [[2004, 4, 28]]}
    URL: https://undocs.org/S/RES/1540(2004)
  - id: never-cited
    type: report
    author:
      - literal: Nobody Institute
    title: A study nobody cites
"""

DOC = """\
---
title: Cited
bibliography: refs.yaml
number-sections: true
---

# Background {#sec-background}

The resolution binds every State [@council-1540], as @sec-background says.

# References {.unnumbered}

::: {#refs}
:::
"""


def _doc(folder: Path, text: str, bib: str | None = BIB) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if bib is not None:
        (folder / "refs.yaml").write_text(bib, encoding="utf-8")
    source = folder / "doc.qmd"
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize("to", ["pdf", "html"])
def test_a_citation_is_formatted_and_listed_under_references(tmp_path: Path, to: str) -> None:
    source = _doc(tmp_path / "doc", DOC)
    out = tmp_path / f"doc.{to}"
    render(source, out, to=to, build_dir=tmp_path / "build")
    text = pdf_text(out) if to == "pdf" else out.read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "(UN Security Council 2004)" in text
    assert "Resolution 1540 (2004)" in text.split("References")[-1], "the cited source is listed"
    assert "A study nobody cites" not in text, "only cited sources are listed"
    assert "Section 1" in text, "cross-references still resolve beside citations"


def test_a_key_the_bibliography_lacks_stops_the_render(tmp_path: Path) -> None:
    source = _doc(tmp_path / "doc", DOC.replace("[@council-1540]", "[@council-9999]"))
    with pytest.raises(RenderError, match="council-9999"):
        render(source, tmp_path / "doc.pdf", to="pdf", build_dir=tmp_path / "build")


def test_a_citation_without_a_bibliography_is_refused(tmp_path: Path) -> None:
    source = _doc(tmp_path / "doc", DOC.replace("bibliography: refs.yaml\n", ""), bib=None)
    with pytest.raises(RenderError, match=r"@council-1540 .*no bibliography"):
        render(source, tmp_path / "doc.html", to="html", build_dir=tmp_path / "build")


def test_a_citation_mixed_with_a_cross_reference_is_refused(tmp_path: Path) -> None:
    source = _doc(tmp_path / "doc", DOC.replace("[@council-1540]", "[@council-1540; @sec-background]"))
    with pytest.raises(RenderError, match="separate brackets"):
        render(source, tmp_path / "doc.html", to="html", build_dir=tmp_path / "build")
