"""The committed HTML report and every notebook page, opened in a real headless browser with the network cut.

No request leaves the machine, nothing is logged as an error, every image loads, every link of
the contents lands on its section and every findings-register link opens the notebook cell that
prints its key. Tests the committed ``report/_output/`` (no rebuild: the unit tier). Needs
Debian's ``chromium`` (``.ci/run`` installs it) and playwright (the ``test`` extra); without
either the tests skip and say which is missing. A small page built broken on purpose shows that
every check can fail.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poc1540.core import paths
from support import browser

needs_browser = pytest.mark.skipif(browser.unavailable() is not None, reason=f"browser tests: {browser.unavailable()}")

NOTEBOOK_PAGES = sorted((paths.REPORT_OUTPUT / "notebooks").glob("*.html"))


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    with browser.browser() as ctx:
        yield ctx


@pytest.fixture(scope="module")
def report(context: Any) -> Iterator[browser.Visit]:
    visit = browser.open_page(context, paths.REPORT_HTML)
    yield visit
    visit.page.close()


@needs_browser
def test_the_report_loads_offline_without_errors(report: browser.Visit) -> None:
    assert report.page.evaluate("document.images.length") > 0, "the report shows its figures"
    assert NOTEBOOK_PAGES, "the notebook pages are published beside the report"
    assert report.problems == []


@needs_browser
@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=[p.stem for p in NOTEBOOK_PAGES])
def test_a_notebook_page_loads_offline_without_errors_and_links_back_to_its_chapter(context: Any, page: Path) -> None:
    visit = browser.open_page(context, page)
    try:
        assert visit.problems == []
        back = visit.page.locator("nav.poc1540-nav a")
        assert back.count() == 1, "one link back to the report"
        href = back.get_attribute("href")
        back.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.split("#")[0] == paths.REPORT_HTML.resolve().as_uri(), f"{href} opens the report"
        assert "#sec-" in href, f"{href}: the link names its chapter's section"
        assert browser.landed(visit, href) is None, "the link lands on the chapter's section"
        assert visit.problems == [], "the report, reached from the page, loads cleanly too"
    finally:
        visit.page.close()


@needs_browser
def test_every_contents_link_lands_on_its_section(report: browser.Visit) -> None:
    links, problems = browser.contents_links(report)
    assert links > 10, "the report has a table of contents"
    assert problems == []


@needs_browser
def test_every_register_link_opens_the_cell_that_prints_its_key(context: Any, report: browser.Visit) -> None:
    links, problems = browser.register_links(context, report)
    assert links > 50, "the findings register links its findings to notebook cells"
    assert problems == []


# --- the checks fail when they should --------------------------------------------------------

BROKEN_REPORT = """<!DOCTYPE html><html><head><title>broken</title>
<script src="https://cdn.example.org/lib.js"></script>
<link rel="stylesheet" href="http://fonts.example.org/font.css">
</head><body>
<nav id="TOC"><ul><li><a href="#sec-there">There</a></li><li><a href="#sec-missing">Missing</a></li></ul></nav>
<main>
<img src="missing.svg" alt="a figure whose file is gone">
<script>console.error("boom"); undefinedFunction();</script>
<div style="height: 3000px"></div>
<section id="sec-there"><h1>There</h1></section>
<div style="height: 3000px"></div>
<table id="tbl-findings-register">
<tr><td><code>demo.one</code></td><td><a href="notebooks/nb.html#cell-id=a">nb, In [1]</a></td></tr>
<tr><td><code>demo.one</code></td><td><a href="notebooks/nb.html#cell-id=b">nb, In [2]</a></td></tr>
<tr><td><code>demo.two</code></td><td><a href="notebooks/nb.html#cell-id=c">nb, In [3]</a></td></tr>
<tr><td><code>demo.three</code></td><td><a href="notebooks/gone.html#cell-id=a">gone, In [1]</a></td></tr>
</table>
</main></body></html>
"""
CELL = '<div class="jp-Cell" id="cell-id={id}"><pre>fx.add("{key}", 1)</pre><div class="jp-OutputArea"><pre>{out}</pre></div></div>'
BROKEN_NOTEBOOK = (
    '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.org/nb.css"></head><body>'
    + CELL.format(id="a", key="demo.one", out="")  # the key in the source, not in the output
    + CELL.format(id="b", key="demo.one", out="demo.one = 1")
    + "</body></html>"
)


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "nb.html").write_text(BROKEN_NOTEBOOK, encoding="utf-8")
    (tmp_path / "report.html").write_text(BROKEN_REPORT, encoding="utf-8")
    return tmp_path / "report.html"


@needs_browser
def test_the_checks_see_remote_requests_errors_broken_images_and_bad_links(context: Any, broken_site: Path) -> None:
    visit = browser.open_page(context, broken_site)
    try:
        found = "\n".join(visit.problems)
        assert "request to https://cdn.example.org/lib.js (aborted" in found
        assert "request to http://fonts.example.org/font.css (aborted" in found
        assert "console error: boom" in found
        assert "script error:" in found and "undefinedFunction" in found
        assert "image did not load: missing.svg" in found
        links, problems = browser.contents_links(visit)
        assert links == 2
        assert problems == ["report.html: #sec-missing has no target (no element with id 'sec-missing')"]
        links, problems = browser.register_links(context, visit)
        assert links == 4
        assert problems[0] == "demo.one: notebooks/nb.html#cell-id=a prints ''"
        assert problems[1].startswith("demo.two: nb.html: notebooks/nb.html#cell-id=c has no target")
        assert problems[2] == "demo.three: notebooks/gone.html#cell-id=a opens a page that does not exist"
        assert problems[3] == "nb.html: request to https://cdn.example.org/nb.css (aborted: the network is cut)"
    finally:
        visit.page.close()


@needs_browser
def test_the_checks_see_a_target_left_out_of_view(context: Any, tmp_path: Path) -> None:
    # The target exists, but a script scrolls the page away from it whenever the fragment changes.
    page = tmp_path / "away.html"
    page.write_text(
        '<nav id="TOC"><a href="#far">far</a></nav><div style="height: 5000px"></div><h1 id="far">Far</h1>'
        '<div style="height: 5000px"></div><script>addEventListener("hashchange", () => setTimeout(() => scrollTo(0, 0), 0))</script>',
        encoding="utf-8",
    )
    visit = browser.open_page(context, page)
    try:
        visit.page.locator("a").click()
        visit.page.wait_for_timeout(100)
        assert browser.landed(visit, "#far") == "away.html: #far did not scroll its target into view"
    finally:
        visit.page.close()


def test_without_the_browser_the_tests_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    assert browser.unavailable() == "no `chromium` on PATH: install Debian's browser with `apt-get install chromium` (bash .ci/run does it)"
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # an import of it now fails
    assert str(browser.unavailable()).startswith("playwright is not installed")
