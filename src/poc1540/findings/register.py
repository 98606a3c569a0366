"""The findings register: every finding, in the order the report is read, with where it is used.

The register is a table in the methods appendix (``report/_generated/findings_register.md``).
Its rows follow the report: chapters in the order ``report/index.qmd`` includes them, and
within a chapter the order in which the text first uses each key (``{{< var key >}}``).
A finding the text never uses closes the chapter of the notebook that computed it, so a
reviewer still finds it beside its neighbours.

Each row names the notebook and cell that computed the finding in the text itself
("06_challenges.ipynb, In [6]"), because a PDF published on its own cannot follow a link into
a local ``notebooks/`` folder; in the HTML report, where the executed notebooks sit beside it,
the same words are a link to that cell (a raw HTML anchor, which the Typst writer drops).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poc1540.core import paths
from poc1540.core.finding import Finding

INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+(?P<path>\S+?)\s*>\}\}\s*$")
VAR = re.compile(r"\{\{<\s*var\s+(?P<key>[^\s>]+)\s*>\}\}")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
NOT_IN_TEXT = "not in the text"

# The register's column widths, as shares of a line of the table's text (pandoc turns the
# lengths of the separator's dashes into Typst's and HTML's column widths). Keys and
# notebook names cannot wrap, so their columns are sized to hold the longest; value and
# "where used" wrap at their spaces and share the rest equally. A line of the
# A4 text width holds about LINE_CHARS characters of the table's type (the monospaced keys
# run about as wide as the serif text; tests/structure/test_pdf_layout.py checks the result).
LINE_CHARS = 104
# The keys' monospaced type is set smaller than the text: a key character is about this share
# of an average text character (measured on the built register).
MONO_WIDTH = 0.9
CELL_PAD = 3  # the cells' inset, in characters


@dataclass
class Section:
    """A heading of the report, numbered as the renderer numbers it, with its identifier."""

    number: str | None
    title: str
    identifier: str = ""  # the heading's id in the HTML and its label in the Typst source
    level: int = 1

    def label(self) -> str:
        """'§4.2' (the reader finds it by its number), or the title of an unnumbered section."""
        return f"§{self.number}" if self.number else self.title

    def reference(self) -> str:
        """The label as Markdown: in HTML a link to the section, in the PDF followed by its page.

        The page is the printed page label of the section's heading ("p. 12"), which Typst
        resolves at layout time, so it stays right however the text reflows.
        """
        if not self.identifier:
            return _md(self.label())
        target = json.dumps(self.identifier)
        page = f"#context {{ let at = locate(label({target})); numbering(at.page-numbering(), ..counter(page).at(at)) }}"
        return f'`<a href="#{self.identifier}">`{{=html}}{_md(self.label())}`</a>`{{=html}}`,~p.~{page}`{{=typst}}'


def auto_identifier(title: str) -> str:
    """The identifier pandoc gives a heading without one (its ``auto_identifiers`` rule).

    Keep letters, digits, ``_``, ``-`` and ``.``; spaces become hyphens; lower case; drop
    everything before the first letter; "section" when nothing is left.
    """
    text = re.sub(r"[^\w\s.-]", "", title)
    text = re.sub(r"\s+", "-", text.strip()).lower()
    while text and not text[0].isalpha():
        text = text[1:]
    return text or "section"


@dataclass
class Chapter:
    """One included chapter file: its sections and each key's first use, in reading order."""

    name: str  # the file's stem without the leading underscore: "tasks_roles"
    uses: dict[str, list[Section]] = field(default_factory=dict)  # key -> sections, first use first


def cell_ids(results: Path = paths.RESULTS) -> dict[tuple[str, int], str]:
    """(notebook, execution count) -> cell id, read from the executed notebooks."""
    out = {}
    for path in sorted(Path(results).glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell.get("execution_count") is not None:
                out[(path.stem, int(cell["execution_count"]))] = str(cell.get("id"))
    return out


def read_report(main: Path = paths.REPORT_MAIN, numbered: bool = True) -> list[Chapter]:
    """The chapters ``main`` includes, in order, with the sections where each key is used."""
    return _read(main, numbered)[0]


def headings(main: Path = paths.REPORT_MAIN, numbered: bool = True) -> list[Section]:
    """Every heading of the report written in its ``.qmd`` files, in reading order."""
    return _read(main, numbered)[1]


def _read(main: Path, numbered: bool) -> tuple[list[Chapter], list[Section]]:
    """The report's chapters (with each key's uses) and all its headings.

    Follows ``{{< include >}}`` of ``.qmd`` files only: the generated Markdown includes are
    this stage's own outputs (and hold no ``{{< var >}}``). Headings are numbered as
    ``qmdrender``'s crossref filter numbers them (``{.unnumbered}`` or ``{-}`` opts out).
    """
    chapters: list[Chapter] = []
    sections: list[Section] = []
    counters: list[int] = []
    seen: set[str] = set()

    def walk(path: Path, chapter: Chapter | None, section: Section | None = None) -> Section | None:
        """Walk one file; returns the section it ends in (an included file continues its includer's section)."""
        nonlocal counters
        fenced = False
        for line in _body_lines(path):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                continue
            inc = INCLUDE.match(line)
            if inc:
                target = (path.parent / inc.group("path")).resolve()
                if target.suffix == ".qmd":
                    child = chapter
                    if child is None:
                        child = Chapter(target.stem.lstrip("_"))
                        chapters.append(child)
                    section = walk(target, child, section if child is chapter else None)
                continue
            heading = HEADING.match(line)
            if heading:
                section = _section(heading, counters, numbered, seen)
                sections.append(section)
                continue
            if chapter is None:
                continue
            for m in VAR.finditer(line):
                where = chapter.uses.setdefault(m.group("key"), [])
                if section is not None and section not in where:
                    where.append(section)
        return section

    walk(Path(main), None)
    return chapters, sections


def _body_lines(path: Path) -> list[str]:
    """The file's lines after its YAML front matter, whose comments would read as headings."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].strip() == "---":
        for end, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return lines[end + 1 :]
    return lines


def _section(heading: re.Match[str], counters: list[int], numbered: bool, seen: set[str]) -> Section:
    """The heading as a Section, advancing the section counters and the identifiers seen in place."""
    level = len(heading.group("hashes"))
    title = heading.group("title")
    attrs = (heading.group("attrs") or "").split()
    explicit = [a[1:] for a in attrs if a.startswith("#")]
    identifier = explicit[0] if explicit else _unique(auto_identifier(title), seen)
    seen.add(identifier)
    if not numbered or ".unnumbered" in attrs or "-" in attrs:
        return Section(None, title, identifier, level)
    del counters[level:]
    counters.extend([0] * (level - len(counters)))
    counters[level - 1] += 1
    return Section(".".join(str(n) for n in counters), title, identifier, level)


def _unique(identifier: str, seen: set[str]) -> str:
    """Pandoc's rule for a repeated identifier: the second is ``x-1``, the third ``x-2``."""
    candidate, n = identifier, 0
    while candidate in seen:
        n += 1
        candidate = f"{identifier}-{n}"
    return candidate


def reading_order(items: list[Finding], chapters: list[Chapter]) -> list[tuple[Finding, list[Section]]]:
    """Findings in the order the report is read, each with the sections that use it.

    A key belongs to the chapter that first uses it; a key no chapter uses goes after the
    used ones of its notebook's chapter ("04_tasks_roles" -> ``_tasks_roles.qmd``), or at the
    very end when no chapter matches the notebook.
    """
    by_key = {f.key: f for f in items}
    placed: set[str] = set()
    rows: list[tuple[Finding, list[Section]]] = []
    unused = [f for f in items if not any(f.key in c.uses for c in chapters)]
    for chapter in chapters:
        for key in chapter.uses:
            if key in by_key and key not in placed:
                placed.add(key)
                where = [s for c in chapters for s in c.uses.get(key, [])]
                rows.append((by_key[key], where))
        for f in sorted((f for f in unused if _chapter_name(f.notebook) == chapter.name), key=lambda f: f.key):
            placed.add(f.key)
            rows.append((f, []))
    rows += [(f, []) for f in sorted(unused, key=lambda f: f.key) if f.key not in placed]
    return rows


def _chapter_name(notebook: str) -> str:
    """The chapter file a notebook feeds: '04_tasks_roles' -> 'tasks_roles'."""
    return re.sub(r"^\d+_", "", notebook)


def _md(text: Any) -> str:
    """Text safe in a pipe-table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _label(f: Finding) -> str:
    """The notebook and cell as the PDF names them: '02_coverage.ipynb, In [5]'."""
    return f"{f.notebook}.ipynb" + (f", In [{f.cell}]" if f.cell is not None else "")


def _computed_in(f: Finding, ids: dict[tuple[str, int], str]) -> str:
    """The label in Markdown, a link to that cell in the HTML report only."""
    label = _label(f).replace("[", "\\[").replace("]", "\\]")
    anchor = ids.get((f.notebook, f.cell)) if f.cell is not None else None
    href = f"notebooks/{f.notebook}.html" + (f"#cell-id={anchor}" if anchor else "")
    return f'`<a href="{href}">`{{=html}}{label}`</a>`{{=html}}'


def _separator(rows: list[tuple[str, str, str, str]]) -> str:
    """The pipe table's dash line, whose lengths pandoc turns into the column widths."""
    key = math.ceil(max(len(r[0]) for r in rows) * MONO_WIDTH) + CELL_PAD
    computed = max(len(word) for r in rows for word in r[3].split()) + CELL_PAD
    rest = max(LINE_CHARS - key - computed, 2 * CELL_PAD)
    widths = [key, rest // 2, rest - rest // 2, computed]
    return "|" + "|".join(":" + "-" * (w - 1) for w in widths) + "|"


def markdown(items: list[Finding], chapters: list[Chapter], ids: dict[tuple[str, int], str] | None = None) -> str:
    """The register as a Markdown table with its caption (``@tbl-findings-register``)."""
    ids = ids or {}
    ordered = reading_order(items, chapters)
    rows = [(f.key, str(f.text), "; ".join(s.label() for s in where) or NOT_IN_TEXT, _label(f)) for f, where in ordered]
    lines = ["| Key | Value | Where used | Computed in |", _separator(rows) if rows else "|:--|:--|:--|:--|"]
    for f, where in ordered:
        used = "; ".join(s.reference() for s in where) or NOT_IN_TEXT
        lines.append(f"| `{f.key}` | {_md(f.text)} | {used} | {_computed_in(f, ids)} |")
    return (
        "\n".join(lines) + "\n\n: Findings register: every number in the text, in reading order, with the sections (and, in the PDF, "
        "the pages) that use it and the notebook cell that computed it {#tbl-findings-register}\n"
    )


def write(items: list[Finding], main: Path = paths.REPORT_MAIN, results: Path = paths.RESULTS) -> str:
    """The register for the report at ``main`` (the findings stage writes it to ``_generated/``)."""
    return markdown(items, read_report(main), cell_ids(results))
