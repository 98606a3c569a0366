"""The title page as a reader sees it: every fact params/report.yaml sets for it is printed on the
PDF's first page and in the HTML's title block, and the PDF's metadata names the same authors."""

from __future__ import annotations

import re

import pytest
import yaml
from pypdf import PdfReader

from poc1540.core import paths
from poc1540.guard import pdftext

COVER = ("institution", "edition", "licence", "contact")


@pytest.fixture(scope="module")
def params() -> dict:
    return yaml.safe_load((paths.PARAMS / "report.yaml").read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u2019", "'"))


def test_the_pdf_title_page_prints_the_params(params: dict) -> None:
    first = _fold(pdftext.pages(paths.REPORT_PDF)[0])
    for key in COVER:
        assert _fold(params[key]) in first, f"params/report.yaml {key} is not on the title page"
    for author in params["authors"]:
        assert author in first
    assert PdfReader(paths.REPORT_PDF).metadata.author == ", ".join(params["authors"])


def test_the_html_title_block_prints_the_params(params: dict) -> None:
    html = paths.REPORT_HTML.read_text(encoding="utf-8")
    head = _fold(re.sub(r"<[^>]+>", " ", html[: html.index("</header>")]))
    for key in COVER:
        assert _fold(params[key]) in head, f"params/report.yaml {key} is not in the HTML title block"


def test_the_front_matter_reads_the_params_rather_than_repeating_them(params: dict) -> None:
    front = paths.REPORT_MAIN.read_text(encoding="utf-8").split("---")[1]
    for key in COVER:
        assert params[key] not in front, f"{key} is typed in report/index.qmd; read it with {{{{< var report.{key} >}}}}"
        assert f"{{{{< var report.{key} >}}}}" in front
