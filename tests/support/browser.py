"""The published HTML opened in a real headless browser (Debian's ``chromium``, driven by playwright).

The network is cut: every request whose URL is not ``file:`` (or ``data:``) is aborted and
recorded, and the browser context is offline besides. Each check returns what it found wrong as
readable lines, so a test asserts an empty list and a failure says what and where.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The browser the project's set-up installs (`.ci/run`: apt-get install chromium).
CHROMIUM = "chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file:", "data:", "about:")


def unavailable() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is in the `test` extra: pip install -c constraints.txt -e '.[test]')"
    if shutil.which(CHROMIUM) is None:
        return "no `chromium` on PATH: install Debian's browser with `apt-get install chromium` (bash .ci/run does it)"
    return None


@contextmanager
def browser() -> Iterator[Any]:
    """A fresh chromium context (own user data dir, offline), closed afterwards."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which(CHROMIUM)
    assert executable, unavailable()
    with tempfile.TemporaryDirectory(prefix="poc1540-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=executable, args=ARGS, headless=True, offline=True)
        try:
            yield context
        finally:
            context.close()


@dataclass
class Visit:
    """One page as the browser loaded it, and what went wrong while it did."""

    page: Any
    name: str
    problems: list[str] = field(default_factory=list)


def _route(visit: Visit) -> Any:
    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            visit.problems.append(f"{visit.name}: request to {url} (aborted: the network is cut)")
            route.abort()

    return handle


def open_page(context: Any, file: Path) -> Visit:
    """Load ``file`` from its file: URL, recording remote requests, console errors and script errors."""
    page = context.new_page()
    visit = Visit(page, Path(file).name)
    page.route("**/*", _route(visit))
    page.on("console", lambda m: m.type == "error" and visit.problems.append(f"{visit.name}: console error: {m.text}"))
    page.on("pageerror", lambda e: visit.problems.append(f"{visit.name}: script error: {e}"))
    page.goto(Path(file).resolve().as_uri(), wait_until="load")
    visit.problems.extend(broken_images(visit))
    return visit


def broken_images(visit: Visit) -> list[str]:
    """Every <img> that did not load (naturalWidth 0)."""
    bad = visit.page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"
    )
    return [f"{visit.name}: image did not load: {str(src)[:120]}" for src in bad]


# The element the URL's fragment names, and whether any of it is inside the viewport.
_TARGET = """() => {
  const id = decodeURIComponent(location.hash.slice(1));
  const el = document.getElementById(id);
  if (!el) return {id, found: false, visible: false};
  const r = el.getBoundingClientRect();
  return {id, found: true, visible: r.bottom > 0 && r.top < window.innerHeight - 1};
}"""


def landed(visit: Visit, href: str) -> str | None:
    """Why the page, just sent to ``href``, did not land on its target (None when it did)."""
    where = visit.page.evaluate(_TARGET)
    if not where["found"]:
        return f"{visit.name}: {href} has no target (no element with id {where['id']!r})"
    if not where["visible"]:
        return f"{visit.name}: {href} did not scroll its target into view"
    return None


def contents_links(visit: Visit) -> tuple[int, list[str]]:
    """Click every link of the contents (nav#TOC); (number of links, those that do not land)."""
    links = visit.page.locator('nav#TOC a[href^="#"]')
    problems = []
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href")
        visit.page.evaluate("window.scrollTo(0, 0)")
        link.click()
        visit.page.wait_for_function("h => location.hash === h", arg=href)
        problem = landed(visit, href)
        if problem:
            problems.append(problem)
    return links.count(), problems


_REGISTER = """() => Array.from(document.querySelectorAll('#tbl-findings-register tr')).flatMap(row => {
  const key = row.querySelector('code');
  const link = row.querySelector('a[href^="notebooks/"][href*="#cell-id="]');
  return key && link ? [{key: key.textContent, href: link.getAttribute('href'), url: link.href}] : [];
})"""

# The text the cell the URL's fragment names printed (its output area), or null when there is none.
_OUTPUT = """() => {
  const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!el) return null;
  return Array.from(el.querySelectorAll('.jp-OutputArea')).map(o => o.innerText).join('\\n');
}"""


def register_links(context: Any, visit: Visit) -> tuple[int, list[str]]:
    """Open every findings-register link; (number of links, those whose cell does not print ``key = ``).

    Each notebook page is loaded once (through ``open_page``, so its requests and errors count
    too); further links into it are followed as the browser follows a fragment.
    """
    rows = visit.page.evaluate(_REGISTER)
    opened: dict[str, Visit] = {}
    problems: list[str] = []
    for row in rows:
        file_url, _, fragment = row["url"].partition("#")
        if file_url not in opened:
            path = Path(visit.page.evaluate("u => decodeURIComponent(new URL(u).pathname)", file_url))
            if not path.is_file():
                problems.append(f"{row['key']}: {row['href']} opens a page that does not exist")
                continue
            opened[file_url] = open_page(context, path)
        nb = opened[file_url]
        nb.page.goto(row["url"])
        problem = landed(nb, row["href"])
        printed = nb.page.evaluate(_OUTPUT)
        if problem:
            problems.append(f"{row['key']}: {problem}")
        elif f"{row['key']} = " not in (printed or ""):
            problems.append(f"{row['key']}: {row['href']} prints {(printed or '').strip()[:80]!r}")
    for nb in opened.values():
        problems.extend(nb.problems)
        nb.page.close()
    return len(rows), problems
