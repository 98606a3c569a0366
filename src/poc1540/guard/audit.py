"""The confidentiality guard: no published output may reveal a respondent.

A stage after the report (``poc1540 guard``) scans every published output and fails the build
when it finds a leak. :func:`scan` returns the leaks; :func:`guard` prints them and, only when
there are none, writes a receipt (``results/confidentiality.json``) that the DVC stage keeps as
its output.

**What is published** (paths relative to the root):

- everything under ``results/``, except the guard's own receipt: executed notebooks (``.ipynb``:
  the cell *outputs* only, never the code, so code that names a column such as
  ``respondent_id`` is fine), ``findings.json`` files, Markdown and CSV tables, SVG figures (their
  ``<text>``, ``<title>`` and ``<desc>`` elements and the comments in which Matplotlib keeps the
  text it draws as paths);
- everything under ``report/_output/``: the PDF (page text extracted with pypdf, the tagged
  PDF's alternative texts and its metadata), the HTML report and the executed notebooks as HTML
  (text with tags stripped, plus ``alt``, ``aria-label`` and ``title`` attributes and comments;
  ``<style>``, ``<script>`` and, in notebook HTML, the code editor areas and prompts
  are left out);
- ``report/_variables.yml`` and ``report/_generated/*.md``.

Files in hidden folders (``report/_output/.build/``, ``.ipynb_checkpoints/``) are git-ignored
intermediates and are not scanned.

Files whose text cannot be read (binary formats other than PDF) are listed as *skipped*; a PDF
or notebook that cannot be parsed is a leak of rule ``unreadable`` (the guard fails closed).

**Survey-derived outputs.** Rules 3 and 4 concern survey answers, so they apply only where the
survey can show up, which keeps State-level facts (the 1540 Committee listings) out of them:

- ``results/<folder>/`` is survey-derived when the code of its executed notebook reads the
  respondents (see :data:`SURVEY_CODE`: ``read_table("respondents")``, ``respondents_table(``
  or the survey file), or when the folder has no notebook at all (fail closed). On the
  committed outputs that is 01 and 03-07; 02 (coverage) is State-level.
- ``report/_output/notebooks/<name>.html`` follows ``results/<name>/<name>.ipynb``.
- In the report itself (the PDF and HTML files directly in ``report/_output/``), the *survey
  chapters*: the text from the heading "Key findings"
  to the heading "Introduction", and from "Who answered" to "Methods and data"
  (:data:`SURVEY_SECTIONS`). HTML is cut at the section ids ``sec-key-findings``,
  ``sec-introduction``, ``sec-respondents`` and ``sec-methods`` (the ids the chapter sources
  set) or at the heading titles; the PDF's page text at heading lines ("3 Who answered"), its
  alternative texts at the headings (``/T``) of its structure tree. The appendix
  after "Methods and data" (the data sources name States from the manifest notes, e.g. the 8
  States without a first national report) is therefore not checked for States. If a start
  heading cannot be found, the guard reports a ``survey scope`` leak rather than skip the check;
  a missing end heading extends the scope to the end of the document.
- Within the survey chapters, a share whose exact text (e.g. ``12% (1 of 8)``) is published by
  a State-level results folder (02_coverage) is a State-level fact quoted in a survey chapter
  and is not a small cell. This exemption applies to the report text only (PDF, HTML,
  ``_variables.yml``, ``_generated``), never to ``results/`` of survey notebooks.
- ``report/_variables.yml``: the keys recorded by survey notebooks (and ``fig.<name>.alt`` of
  their figures); ``report/_generated/*.md``: the table rows that name a survey notebook
  (the findings register's "Computed in" column).

**Rules** (``Leak.rule``):

1. ``respondent id``: any ``respondent_id`` (the codebook's ``key`` question) of the survey file
   appearing as a whole token (not inside a longer run of letters, digits or ``_``) anywhere
   published. Purely numeric ids shorter than 6 digits cannot be told apart from numbers and are
   not searched; the guard says so in its output and receipt.
2. ``open text``: any non-empty answer to an open-text question (codebook ``type: text``, or any
   other question marked ``confidential`` except the country) appearing anywhere published,
   compared case-insensitively with whitespace collapsed and typographic quotes, soft hyphens and
   line-end hyphenation (PDF) normalised. Answers shorter than :data:`MIN_OPEN_TEXT` (12)
   characters are not searched, since short phrases ("More money") occur in ordinary prose;
   their number is reported. The leak message names the respondent and question, never the text.
3. ``per-State answer``: in survey-derived outputs, a responding State's ISO3 code (upper case,
   whole word) or its name from ``member_states.csv`` (case-sensitive, whole words).
4. ``small cell``: in survey-derived outputs,

   - in tables (``.md``/``.csv`` under ``results/``): any cell that is a bare integer from 1 to
     min_cell - 1; the header row and the first column (row labels) are not counts and are
     skipped;
   - in all survey-derived text (table cells, findings texts and figure alt texts, figure text,
     notebook outputs, the survey chapters of the report): a share written ``(k of n)``
     (also ``(k of n; 95% CI ...)``), ``(k/n)`` or ``p% (k)``, where 1 <= k < min_cell, or
     1 <= n - k < min_cell, or 0 < n < min_cell; and a base ``(n = N)`` with 0 < N < min_cell.
     Zeros are published ("none of the respondents" identifies nobody). ``(k/n)`` where both
     numbers are years (1900-2100) is a period such as ``(2022/2023)``, not a share;
   - in ``findings.json``, a finding whose ``extra`` holds ``count`` and ``base`` that break the
     share rule, even when its text does not show them.

   Bare numbers in running text, in notebook outputs and in finding values are not checked
   (a scale point such as ``serious_from = 4`` is not a count).
5. ``respondent rows``: an output of a survey notebook displays a table with a
   ``respondent_id`` column or index, or with at least half as many rows as there are
   respondents and at least ``RESPONDENT_ROWS_FLOOR`` rows (aggregates here have a dozen rows at
   most), counted from pandas' HTML
   (``<tbody>`` rows) or its text footers (``[N rows x M columns]``, ``Length: N``).

Also ``survey scope`` (the survey chapters could not be found, see above) and ``unreadable``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html.parser
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from poc1540.core import atomic, manifest, paths
from poc1540.guard import pdftext

# --------------------------------------------------------------------------- constants

RESPONDENT_ID = "respondent id"
OPEN_TEXT = "open text"
PER_STATE = "per-State answer"
SMALL_CELL = "small cell"
RESPONDENT_ROWS = "respondent rows"
# With a small survey, half the respondents is fewer rows than an ordinary aggregate table has
# (ten challenges, eight suggestions): below this many rows a table is not taken for raw rows.
RESPONDENT_ROWS_FLOOR = 12
SURVEY_SCOPE = "survey scope"
UNREADABLE = "unreadable"
#: Every rule a leak can be reported under, in the order the summary lists them.
RULES = (RESPONDENT_ID, OPEN_TEXT, PER_STATE, SMALL_CELL, RESPONDENT_ROWS, SURVEY_SCOPE, UNREADABLE)

#: Open-text answers shorter than this are not searched (too likely to occur in ordinary prose).
MIN_OPEN_TEXT = 12
#: Purely numeric respondent ids shorter than this cannot be told apart from numbers.
MIN_NUMERIC_ID = 6

#: Code in an executed notebook that shows it reads the survey (respondent-level data).
SURVEY_CODE = re.compile(r"""chapter\.start\(\s*min_cell_size|read_table\(\s*["']respondents["']|respondents_table\(|survey_responses|SURVEY_RESPONSES""")


@dataclass(frozen=True)
class Section:
    """A stretch of the report that is built from the survey: from one heading to another."""

    start_title: str
    start_id: str
    end_title: str
    end_id: str


#: The survey chapters of the PDF and HTML report.
SURVEY_SECTIONS = (
    Section("Key findings", "sec-key-findings", "Introduction", "sec-introduction"),
    Section("Who answered", "sec-respondents", "Methods and data", "sec-methods"),
)

#: The guard's receipt, relative to the root (written only when the scan is clean).
RECEIPT = paths.RESULTS.relative_to(paths.ROOT) / "confidentiality.json"

_RESULTS = paths.RESULTS.relative_to(paths.ROOT)
_OUTPUT = paths.REPORT_OUTPUT.relative_to(paths.ROOT)
_VARIABLES = paths.REPORT_VARIABLES.relative_to(paths.ROOT)
_GENERATED = paths.REPORT.relative_to(paths.ROOT) / "_generated"
_RAW = paths.DATA_RAW.relative_to(paths.ROOT)
_COMMON_PARAMS = paths.PARAMS.relative_to(paths.ROOT) / "common.yaml"


@dataclass(frozen=True)
class Leak:
    """One published piece of text that breaks a confidentiality rule."""

    file: str  # relative to the root, with forward slashes
    rule: str  # one of RULES
    detail: str
    location: str  # "line 3", "cell 7, output 1", "page 4", "finding 'x.y' text", ...

    def __str__(self) -> str:
        return f"{self.file}, {self.location}: {self.detail} (rule: {self.rule})"


@dataclass
class Audit:
    """The result of a scan: the leaks, and what was looked at.

    ``receipt()`` is what the guard publishes; the open-text and id counts stay out of it.
    """

    leaks: list[Leak]
    files: dict[str, str]  # relative path -> first 16 hex digits of its SHA-256
    skipped: list[str]  # published files whose text cannot be read (binary, not PDF)
    survey: str
    min_cell: int
    respondents: int
    open_texts: int
    open_texts_too_short: int
    ids_not_searched: int
    survey_folders: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.leaks

    def counts(self) -> dict[str, int]:
        found = Counter(leak.rule for leak in self.leaks)
        return {rule: found.get(rule, 0) for rule in RULES}

    def receipt(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "min_cell": self.min_cell,
            "survey": self.survey,
            "respondents": self.respondents,
            # how many open-text answers there are is itself a count of respondents: left out
            "survey_derived_results": self.survey_folders,
            "leaks_per_rule": self.counts(),
            "files_scanned": self.files,
            "files_skipped": self.skipped,
        }


# --------------------------------------------------------------------------- what to look for


@dataclass
class _Targets:
    """The confidential values to look for, and the threshold."""

    min_cell: int
    n_respondents: int
    id_re: re.Pattern[str] | None
    ids_not_searched: int
    open_texts: list[tuple[str, str, str]]  # (respondent id, question, normalised answer)
    open_texts_too_short: int
    state_re: re.Pattern[str] | None  # ISO3 codes and names of responding States


_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ad": None, "\u00a0": " ", "\u202f": " "})


def _collapse(text: str) -> str:
    """Typographic quotes and spaces normalised, soft hyphens dropped, whitespace collapsed."""
    return " ".join(text.translate(_TRANSLATE).split())


def _fold(text: str) -> str:
    return _collapse(text).casefold()


def _token_re(values: Iterable[str], boundary: str) -> re.Pattern[str] | None:
    values = sorted(set(values), key=len, reverse=True)
    if not values:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in v.split()) for v in values)
    return re.compile(rf"(?<!{boundary})(?:{alternatives})(?!{boundary})")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _targets(root: Path, survey: Path, min_cell: int) -> _Targets:
    raw_dir = root / _RAW
    try:
        codebook_path = manifest.input_path("codebook", raw_dir)
    except KeyError:
        codebook_path = raw_dir / paths.CODEBOOK.name
    try:
        states_path = manifest.input_path("member_states", raw_dir)
    except KeyError:
        states_path = raw_dir / paths.MEMBER_STATES.name
    questions = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))["questions"]
    key = next((q["id"] for q in questions if q["type"] == "key"), "respondent_id")
    countries = [q["id"] for q in questions if q["type"] == "country"]
    texts = [q["id"] for q in questions if q["type"] == "text" or (q.get("confidential") and q["type"] not in ("country", "key"))]

    rows = _read_csv(survey)
    ids = [r[key].strip() for r in rows if r.get(key, "").strip()]
    searchable = [i for i in ids if not (i.isdigit() and len(i) < MIN_NUMERIC_ID)]
    open_texts, too_short = [], 0
    for r in rows:
        for q in texts:
            answer = _fold(r.get(q) or "")
            if not answer:
                continue
            if len(answer) < MIN_OPEN_TEXT:
                too_short += 1
            else:
                open_texts.append((r.get(key, "?"), q, answer))

    iso3 = {r[c].strip().upper() for r in rows for c in countries if r.get(c, "").strip()}
    names = {s["name"].strip() for s in _read_csv(states_path) if s["iso3"].strip().upper() in iso3 and s.get("name", "").strip()}
    state_re = _token_re(iso3 | names, r"[\w]")  # ISO3 case-sensitive, so only upper case matches
    return _Targets(
        min_cell=min_cell,
        n_respondents=len(rows),
        id_re=_token_re(searchable, r"[A-Za-z0-9_]"),
        ids_not_searched=len(ids) - len(searchable),
        open_texts=open_texts,
        open_texts_too_short=too_short,
        state_re=state_re,
    )


# --------------------------------------------------------------------------- shares


_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_PCT = r"(?:\d+(?:\.\d+)?\s*%\s*)?"
_SHARE_OF = re.compile(rf"{_PCT}\(\s*({_NUM})\s+of\s+({_NUM})\s*(?=[);])")
_SHARE_SLASH = re.compile(rf"{_PCT}\(\s*({_NUM})\s*/\s*({_NUM})\s*\)")
_PCT_COUNT = re.compile(rf"\d+(?:\.\d+)?\s*%\s*\(\s*({_NUM})\s*\)")
_BASE = re.compile(rf"\(\s*n\s*=\s*({_NUM})\s*(?=[),;])")
_INT_CELL = re.compile(rf"^(?:{_NUM})$")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _share_key(text: str) -> str:
    """A share's text without spaces or closing parenthesis, to compare across line breaks."""
    return re.sub(r"\s+", "", text).rstrip(")")


def _share_problem(count: int | None, base: int | None, min_cell: int) -> str | None:
    if count is not None and 1 <= count < min_cell:
        return f"its count {count} is below the suppression threshold {min_cell}"
    if count is not None and base is not None and count <= base and 1 <= base - count < min_cell:
        return f"its complement {base - count} (base {base} minus count {count}) is below the suppression threshold {min_cell}"
    if base is not None and 0 < base < min_cell:
        return f"its base {base} is below the suppression threshold {min_cell}"
    return None


def _is_year(value: int) -> bool:
    return 1900 <= value <= 2100


def _shares(text: str, min_cell: int) -> Iterator[tuple[str, str]]:
    """(matched text, problem) for every share in ``text`` that breaks the small-cell rule."""
    for m in _SHARE_OF.finditer(text):
        k, n = _int(m.group(1)), _int(m.group(2))
        if k <= n and (problem := _share_problem(k, n, min_cell)):
            yield m.group(0) + ")", problem
    for m in _SHARE_SLASH.finditer(text):
        k, n = _int(m.group(1)), _int(m.group(2))
        if k <= n and not (_is_year(k) and _is_year(n)) and (problem := _share_problem(k, n, min_cell)):
            yield m.group(0), problem
    for m in _PCT_COUNT.finditer(text):
        if problem := _share_problem(_int(m.group(1)), None, min_cell):
            yield m.group(0), problem
    for m in _BASE.finditer(text):
        if problem := _share_problem(None, _int(m.group(1)), min_cell):
            yield m.group(0) + ")", problem


# --------------------------------------------------------------------------- segments and rules


@dataclass
class _Segment:
    """A piece of published text, where it is, and which rules apply to it."""

    location: str
    texts: tuple[str, ...]  # variants of the same text (e.g. with PDF line-end hyphens joined)
    survey: bool = False  # rules 3 and 4 apply
    cells: tuple[tuple[str, str], ...] = ()  # (column, value) of table cells that hold counts
    exempt_shares: bool = False  # State-level shares quoted in a survey chapter are not cells


def _check(file: str, seg: _Segment, t: _Targets, state_shares: set[str]) -> Iterator[Leak]:
    for text in seg.texts:
        if t.id_re is not None:
            for m in t.id_re.finditer(text):
                yield Leak(file, RESPONDENT_ID, f"respondent id '{m.group(0)}' from the survey file", seg.location)
        folded = _fold(text)
        for rid, question, answer in t.open_texts:
            if answer in folded:
                yield Leak(file, OPEN_TEXT, f"the open-text answer to {question} of respondent {rid} ({len(answer)} characters; not repeated here)", seg.location)
        if not seg.survey:
            continue
        if t.state_re is not None:
            for m in t.state_re.finditer(_collapse(text)):
                what = "ISO3 code" if re.fullmatch(r"[A-Z]{3}", m.group(0)) else "Member State name"
                yield Leak(file, PER_STATE, f"{what} '{m.group(0)}' of a responding State in survey-derived output", seg.location)
        for share, problem in _shares(_collapse(text), t.min_cell):
            if seg.exempt_shares and _share_key(share) in state_shares:
                continue
            yield Leak(file, SMALL_CELL, f"share '{share}': {problem}", seg.location)
    if seg.survey:
        for column, value in seg.cells:
            value = value.strip()
            if _INT_CELL.match(value) and 1 <= _int(value) < t.min_cell:
                where = f"{seg.location}, column '{column}'" if column else seg.location
                yield Leak(file, SMALL_CELL, f"cell '{value}' is below the suppression threshold {t.min_cell}", where)


# --------------------------------------------------------------------------- readers


class _HTMLText(html.parser.HTMLParser):
    """Text of an HTML document in order, cut into segments at headings or notebook cells.

    ``mode`` is "report" (segments per heading, in or out of the survey chapters) or
    "notebook" (nbconvert output: segments per cell, code editor areas left out).
    """

    SKIP_TAGS = {"style", "script"}
    SKIP_CLASSES = {"jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt", "input_area", "prompt"}
    ATTRS = ("alt", "aria-label", "title")
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self, mode: str):
        super().__init__(convert_charrefs=True)
        self.mode = mode
        self.segments: list[tuple[str, bool, list[str]]] = [("before the first heading" if mode == "report" else "notebook", False, [])]
        self.skip: list[list[Any]] = []  # [tag, depth] of the element being skipped
        self.heading: list[str] | None = None
        self.in_survey = False
        self.seen: set[str] = set()  # survey section markers found ("start:<title>", "end:<title>")
        self.cell = 0

    def _new(self, location: str) -> None:
        self.segments.append((location, self.in_survey, []))

    def _marker(self, ident: str | None, title: str | None) -> None:
        for sec in SURVEY_SECTIONS:
            if ident == sec.start_id or title == sec.start_title:
                self.in_survey = True
                self.seen.add(f"start:{sec.start_title}")
            elif ident == sec.end_id or title == sec.end_title:
                if self.in_survey:
                    self.in_survey = False
                self.seen.add(f"end:{sec.end_title}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] += 1
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag in self.SKIP_TAGS or classes & self.SKIP_CLASSES:
            if tag not in ("img", "br", "hr", "meta", "link", "input"):
                self.skip.append([tag, 1])
            return
        if self.mode == "notebook" and tag == "div" and "jp-Cell" in classes:
            self.cell += 1
            self._new(f"cell {self.cell}")
        if self.mode == "report" and a.get("id"):
            before = self.in_survey
            self._marker(a.get("id"), None)
            if before != self.in_survey:
                self._new(self.segments[-1][0])
        if self.mode == "report" and tag in self.HEADINGS:
            self.heading = []
        for name in self.ATTRS:
            if a.get(name):
                self.segments[-1][2].append(str(a[name]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip:
            self.handle_starttag(tag, attrs)
            if self.skip and self.skip[-1][0] == tag:
                self.skip.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] -= 1
                if self.skip[-1][1] == 0:
                    self.skip.pop()
            return
        if self.mode == "report" and tag in self.HEADINGS and self.heading is not None:
            title = _collapse(" ".join(self.heading))
            self.heading = None
            self._marker(None, re.sub(r"^\d+(?:\.\d+)*\s+", "", title))
            self._new(f"section '{title}'")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.segments[-1][2].append(data)
        if self.heading is not None:
            self.heading.append(data)

    def handle_comment(self, data: str) -> None:
        if not self.skip:
            self.segments[-1][2].append(data)


def _html_text(text: str) -> str:
    parser = _HTMLText("plain")
    parser.feed(text)
    parser.close()
    return " ".join(" ".join(parts) for _, _, parts in parser.segments)


def _missing_sections(seen: set[str]) -> list[str]:
    return [sec.start_title for sec in SURVEY_SECTIONS if f"start:{sec.start_title}" not in seen]


def _scope_leak(file: str, missing: list[str]) -> Leak:
    headings = ", ".join(f"'{m}'" for m in missing)
    return Leak(
        file,
        SURVEY_SCOPE,
        f"the survey chapters cannot be found (no heading {headings}), so the per-State and small-cell checks cannot be scoped; "
        "update confidentiality.SURVEY_SECTIONS if the headings were renamed",
        "whole document",
    )


def _report_html(file: str, text: str) -> tuple[list[_Segment], list[Leak]]:
    parser = _HTMLText("report")
    parser.feed(text)
    parser.close()
    segments = [_Segment(loc, (" ".join(parts),), survey=survey, exempt_shares=True) for loc, survey, parts in parser.segments if parts]
    missing = _missing_sections(parser.seen)
    return segments, [_scope_leak(file, missing)] if missing else []


def _notebook_html(text: str, survey: bool) -> list[_Segment]:
    parser = _HTMLText("notebook")
    parser.feed(text)
    parser.close()
    return [_Segment(loc, (" ".join(parts),), survey=survey) for loc, _, parts in parser.segments if parts]


_HEADING_LINE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\s+)?(?P<title>\S.*?)\s*$")


def _dehyphenate(text: str) -> str:
    return re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)


def _pdf(file: str, path: Path, survey: bool | None = None) -> tuple[list[_Segment], list[Leak]]:
    """Page text, alternative texts and metadata of a PDF.

    ``survey=None``: the report, cut into survey chapters at its headings; otherwise every page
    is survey-derived or not as given.
    """
    try:
        from pypdf import PdfReader

        reader = PdfReader(path)  # for the structure tree and metadata
        pages = pdftext.pages(path)  # page text, fast
    except Exception as exc:  # a PDF the guard cannot read is not a PDF it can pass
        return [], [Leak(file, UNREADABLE, f"cannot extract the PDF's text: {exc}", "whole document")]
    segments = _pdf_structure(reader)
    in_survey, seen = False, set()
    for number, page in enumerate(pages, start=1):
        parts: list[tuple[bool, list[str]]] = [(in_survey, [])]
        for line in page.splitlines():
            m = _HEADING_LINE.match(line)
            title = m.group("title") if m else None
            for sec in SURVEY_SECTIONS:
                if title == sec.start_title:
                    in_survey = True
                    seen.add(f"start:{sec.start_title}")
                elif title == sec.end_title:
                    in_survey = False
            if in_survey != parts[-1][0]:
                parts.append((in_survey, []))
            parts[-1][1].append(line)
        for in_chapters, lines in parts:
            if lines:
                text = "\n".join(lines)
                flag = in_chapters if survey is None else survey
                segments.append(_Segment(f"page {number}", (text, _dehyphenate(text)), survey=flag, exempt_shares=survey is None))
    if survey is not None:
        return [seg if seg.location.startswith("page") else _Segment(seg.location, seg.texts, survey=survey) for seg in segments], []
    missing = _missing_sections(seen)
    return segments, [_scope_leak(file, missing)] if missing else []


def _pdf_structure(reader: Any) -> list[_Segment]:
    """The tagged PDF's alternative texts (scoped by its heading titles) and its metadata."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    segments: list[_Segment] = []
    try:
        meta = reader.metadata or {}
        if meta:
            segments.append(_Segment("metadata", (" ".join(str(v) for v in meta.values()),)))
        root = reader.trailer["/Root"]
        tree = root.get("/StructTreeRoot") if hasattr(root, "get") else None
    except Exception:  # pragma: no cover - metadata is optional
        return segments
    state = {"survey": False, "n": 0}
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                return
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            title = str(node["/T"]) if "/T" in node else None
            for sec in SURVEY_SECTIONS:
                if title == sec.start_title:
                    state["survey"] = True
                elif title == sec.end_title:
                    state["survey"] = False
            for key in ("/Alt", "/ActualText"):
                if key in node:
                    state["n"] += 1
                    segments.append(_Segment(f"alternative text {state['n']}", (str(node[key]),), survey=bool(state["survey"]), exempt_shares=True))
            if "/K" in node:
                walk(node["/K"])

    if tree is not None:
        walk(tree)
    return segments


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]


def _markdown(text: str, survey: bool, cells: bool, row_survey: re.Pattern[str] | None = None) -> list[_Segment]:
    """Lines of a Markdown file; pipe-table cells (but the header and first column) as counts.

    ``row_survey`` marks single lines (e.g. findings-register rows naming a survey notebook) as
    survey-derived in a file that is not.
    """
    segments: list[_Segment] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        row_cells: tuple[tuple[str, str], ...] = ()
        if line.lstrip().startswith("|"):
            values = _split_row(line)
            if header is None:
                header = values
            elif all(re.fullmatch(r":?-+:?", v) for v in values if v):
                pass
            elif cells:
                row_cells = tuple((header[i] if i < len(header) else "", v) for i, v in enumerate(values) if i > 0)
        else:
            header = None
        seg_survey = survey or bool(row_survey and row_survey.search(line))
        segments.append(_Segment(f"line {number}", (line.replace("\\|", "|"),), survey=seg_survey, cells=row_cells))
    return segments


def _csv(text: str, survey: bool) -> list[_Segment]:
    segments: list[_Segment] = []
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    start = 1
    for values in reader:
        location = f"line {start}"
        start = reader.line_num + 1
        if header is None:
            header = values
            segments.append(_Segment(location, (" ".join(values),), survey=survey))
            continue
        row_cells = tuple((header[i] if i < len(header) else "", v) for i, v in enumerate(values) if i > 0)
        segments.append(_Segment(location, (" ".join(values),), survey=survey, cells=row_cells))
    return segments


_SVG_TEXT = re.compile(r"<!--(.*?)-->|<(text|tspan|title|desc)\b[^>]*>(.*?)</\2>", re.S)


def _svg(text: str, survey: bool) -> list[_Segment]:
    pieces = []
    for m in _SVG_TEXT.finditer(text):
        piece = m.group(1) if m.group(1) is not None else re.sub(r"<[^>]+>", " ", m.group(3))
        pieces.append(_collapse(piece))
    return [_Segment("figure text", (" ".join(p for p in pieces if p),), survey=survey)] if pieces else []


def _json_strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _json_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            label = repr(v["key"]) if isinstance(v, dict) and isinstance(v.get("key"), str) else str(i)
            yield from _json_strings(v, f"{path}[{label}]")


def _json(file: str, text: str, survey: bool, min_cell: int) -> tuple[list[_Segment], list[Leak]]:
    data = json.loads(text)
    segments = [_Segment(path or "value", (value,), survey=survey) for path, value in _json_strings(data, "")]
    leaks = []
    if survey and isinstance(data, dict):
        for item in data.get("findings", []) if isinstance(data.get("findings"), list) else []:
            extra = item.get("extra") if isinstance(item, dict) else None
            if isinstance(extra, dict) and isinstance(extra.get("count"), int) and isinstance(extra.get("base"), int):
                if problem := _share_problem(extra["count"], extra["base"], min_cell):
                    leaks.append(Leak(file, SMALL_CELL, f"count {extra['count']} of base {extra['base']}: {problem}", f"findings[{item.get('key')!r}].extra"))
    return segments, leaks


_ROWS_FOOTER = re.compile(r"\[(\d+) rows x \d+ columns\]|Length: (\d+)")


def _table_rows(html_text: str) -> list[tuple[int, bool]]:
    """(body rows, has a respondent_id header) for each HTML table in an output."""
    found = []
    for table in re.findall(r"<table\b.*?</table>", html_text, flags=re.S | re.I):
        body = re.search(r"<tbody\b.*?</tbody>", table, flags=re.S | re.I)
        rows = len(re.findall(r"<tr\b", body.group(0) if body else table, flags=re.I)) - (0 if body else 1)
        heads = [_collapse(re.sub(r"<[^>]+>", " ", h)) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table, flags=re.S | re.I)]
        found.append((rows, "respondent_id" in heads))
    return found


def _notebook(file: str, text: str, survey: bool, t: _Targets) -> tuple[list[_Segment], list[Leak]]:
    nb = json.loads(text)
    segments, leaks = [], []
    many = max(RESPONDENT_ROWS_FLOOR, t.n_respondents // 2)
    for i, cell in enumerate(nb.get("cells", []), start=1):
        for j, out in enumerate(cell.get("outputs", []) if cell.get("cell_type") == "code" else [], start=1):
            location = f"cell {i}, output {j}"
            pieces: list[str] = []
            if out.get("output_type") == "stream":
                pieces.append(_joined(out.get("text", "")))
            elif out.get("output_type") == "error":
                pieces += [str(out.get("ename", "")), str(out.get("evalue", ""))]
                pieces += [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.get("traceback", [])]
            for mime, value in (out.get("data") or {}).items():
                if not mime.endswith("json"):
                    value = _joined(value)
                if mime in ("text/html", "image/svg+xml"):
                    pieces.append(_html_text(value))
                    if survey and mime == "text/html":
                        for rows, has_id in _table_rows(value):
                            if has_id or rows >= many:
                                why = "a respondent_id column" if has_id else f"{rows} rows (respondents: {t.n_respondents})"
                                leaks.append(Leak(file, RESPONDENT_ROWS, f"the output displays a table with {why}", location))
                elif mime.startswith("text/") or mime.endswith("json"):
                    pieces.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                    if survey and mime == "text/plain":
                        for m in _ROWS_FOOTER.finditer(value):
                            rows = int(m.group(1) or m.group(2))
                            if rows >= many:
                                leaks.append(Leak(file, RESPONDENT_ROWS, f"the output displays {rows} rows (respondents: {t.n_respondents})", location))
            if pieces:
                segments.append(_Segment(location, ("\n".join(pieces),), survey=survey))
    return segments, leaks


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _yaml_variables(text: str, survey_keys: set[str]) -> list[_Segment]:
    def flat(node: Any, prefix: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from flat(v, f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from flat(v, f"{prefix}[{i}]")
        elif node is not None:
            yield prefix, str(node)

    return [_Segment(f"key {key}", (value,), survey=key in survey_keys) for key, value in flat(yaml.safe_load(text), "")]


# --------------------------------------------------------------------------- the scan


def published_files(root: Path = paths.ROOT) -> list[Path]:
    """Every published output under ``root``, sorted.

    Left out: the guard's receipt, and files in hidden folders (``.build/``,
    ``.ipynb_checkpoints/``: git-ignored intermediates, not published).
    """
    root = Path(root)
    found: list[Path] = []
    for folder in (root / _RESULTS, root / _OUTPUT):
        if folder.is_dir():
            found += [p for p in folder.rglob("*") if p.is_file()]
    if (root / _VARIABLES).is_file():
        found.append(root / _VARIABLES)
    if (root / _GENERATED).is_dir():
        found += [p for p in (root / _GENERATED).glob("*.md") if p.is_file()]
    receipt = (root / RECEIPT).resolve()
    kept = {p for p in found if p.resolve() != receipt and not any(part.startswith(".") for part in p.relative_to(root).parts[:-1])}
    return sorted(kept, key=lambda p: p.as_posix())


def survey_folders(root: Path = paths.ROOT) -> dict[str, bool]:
    """results/<folder> -> whether its outputs are survey-derived (see the module docstring)."""
    out = {}
    results = Path(root) / _RESULTS
    for folder in sorted(p for p in results.iterdir() if p.is_dir()) if results.is_dir() else []:
        notebooks = sorted(folder.glob("*.ipynb"))
        reads_survey = not notebooks
        for nb in notebooks:
            try:
                cells = json.loads(nb.read_text(encoding="utf-8")).get("cells", [])
            except (OSError, ValueError):
                reads_survey = True  # cannot tell: treat as survey-derived
                break
            code = "\n".join(_joined(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
            reads_survey = reads_survey or bool(SURVEY_CODE.search(code))
        out[folder.name] = reads_survey
    return out


def _state_level_shares(root: Path, folders: dict[str, bool]) -> set[str]:
    """Normalised share texts that State-level results folders publish (see the docstring)."""
    shares: set[str] = set()
    for name, survey in folders.items():
        if survey:
            continue
        for path in (Path(root) / _RESULTS / name).rglob("*"):
            if path.suffix.lower() not in (".json", ".md", ".csv", ".svg"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix.lower() == ".svg":
                text = " ".join(seg.texts[0] for seg in _svg(text, False))
            text = _collapse(text)
            for pattern in (_SHARE_OF, _SHARE_SLASH, _PCT_COUNT):
                shares.update(_share_key(m.group(0)) for m in pattern.finditer(text))
    return shares


def _survey_keys(root: Path, folders: dict[str, bool]) -> tuple[set[str], set[str]]:
    """Finding keys and figure variables (``fig.<name>.alt``) recorded by survey notebooks, and the notebooks."""
    keys, notebooks = set(), set()
    for name, survey in folders.items():
        if not survey:
            continue
        notebooks.add(name)
        path = Path(root) / _RESULTS / name / "findings.json"
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        notebooks.add(str(data.get("notebook", name)))
        keys.update(str(f.get("key")) for f in data.get("findings", []) if isinstance(f, dict))
        keys.update(f"fig.{fig}.alt" for fig in data.get("figures", {}) or {})
    return keys, notebooks


def _default_survey(root: Path) -> Path:
    return manifest.input_path("survey_responses", Path(root) / _RAW)


def _default_min_cell(root: Path) -> int:
    params = yaml.safe_load((Path(root) / _COMMON_PARAMS).read_text(encoding="utf-8")) or {}
    return int(params["min_cell_size"])


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def audit(root: Path = paths.ROOT, survey: Path | None = None, min_cell: int | None = None) -> Audit:
    """Scan every published output under ``root``; the leaks and what was scanned."""
    root = Path(root)
    survey = Path(survey) if survey is not None else _default_survey(root)
    if not survey.is_file():
        raise FileNotFoundError(f"the survey file {survey} does not exist: the guard needs it to know what to look for")
    min_cell = int(min_cell) if min_cell is not None else _default_min_cell(root)
    targets = _targets(root, survey, min_cell)
    folders = survey_folders(root)
    state_shares = _state_level_shares(root, folders)
    survey_keys, survey_notebooks = _survey_keys(root, folders)
    register_row = re.compile("|".join(re.escape(f"{nb}.ipynb") for nb in sorted(survey_notebooks))) if survey_notebooks else None

    leaks: list[Leak] = []
    files: dict[str, str] = {}
    skipped: list[str] = []
    for path in published_files(root):
        rel = _relative(path, root)
        data = path.read_bytes()
        parts = Path(rel).parts
        suffix = path.suffix.lower()
        in_results = parts[: len(_RESULTS.parts)] == _RESULTS.parts
        if in_results:
            folder = parts[len(_RESULTS.parts)] if len(parts) > len(_RESULTS.parts) + 1 else None
            survey_file = folders.get(folder, True) if folder else False
        elif parts[: len(_OUTPUT.parts) + 1] == (*_OUTPUT.parts, "notebooks"):
            survey_file = folders.get(path.stem, True)
        else:
            survey_file = False
        # the report itself (PDF and HTML directly in report/_output/) is cut into survey chapters
        report = parts[:-1] == _OUTPUT.parts
        segments: list[_Segment] = []
        found: list[Leak] = []
        if suffix == ".pdf":
            segments, found = _pdf(rel, path, None if report else survey_file)
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                skipped.append(rel)
                continue
            try:
                if suffix == ".ipynb":
                    segments, found = _notebook(rel, text, survey_file, targets)
                elif suffix in (".html", ".htm"):
                    if report:
                        segments, found = _report_html(rel, text)
                    else:
                        segments = _notebook_html(text, survey_file)
                elif suffix == ".svg":
                    segments = _svg(text, survey_file)
                elif suffix == ".csv":
                    segments = _csv(text, survey_file)
                elif suffix == ".json":
                    segments, found = _json(rel, text, survey_file, min_cell)
                elif rel == _VARIABLES.as_posix():
                    segments = [_exempt(s) for s in _yaml_variables(text, survey_keys)]
                elif suffix in (".md", ".markdown", ".qmd", ".txt"):
                    generated = parts[: len(_GENERATED.parts)] == _GENERATED.parts
                    segments = _markdown(text, survey_file, cells=in_results, row_survey=register_row if generated else None)
                    if generated:
                        segments = [_exempt(s) for s in segments]
                else:
                    segments = [_Segment(f"line {n}", (line,), survey=survey_file) for n, line in enumerate(text.splitlines(), start=1)]
            except (ValueError, yaml.YAMLError) as exc:
                found = [Leak(rel, UNREADABLE, f"cannot parse the file: {exc}", "whole document")]
        files[rel] = hashlib.sha256(data).hexdigest()[:16]
        leaks += found
        for seg in segments:
            leaks += _check(rel, seg, targets, state_shares)

    unique = list(dict.fromkeys(leaks))
    notes = []  # without counts: a number of respondents in a build log is a published cell too
    if targets.ids_not_searched:
        notes.append(f"respondent ids that are numbers shorter than {MIN_NUMERIC_ID} digits were not searched")
    if targets.open_texts_too_short:
        notes.append(f"open-text answers shorter than {MIN_OPEN_TEXT} characters were not searched")
    return Audit(
        leaks=unique,
        files=files,
        skipped=skipped,
        survey=_relative(survey, root),
        min_cell=min_cell,
        respondents=targets.n_respondents,
        open_texts=len(targets.open_texts),
        open_texts_too_short=targets.open_texts_too_short,
        ids_not_searched=targets.ids_not_searched,
        survey_folders=sorted(f"{_RESULTS.as_posix()}/{name}" for name, s in folders.items() if s),
        notes=notes,
    )


def _exempt(seg: _Segment) -> _Segment:
    """Mark a segment's State-level shares exempt (report text that quotes both kinds)."""
    seg.exempt_shares = True
    return seg


def scan(root: Path = paths.ROOT, survey: Path | None = None, min_cell: int | None = None) -> list[Leak]:
    """Every leak in the published outputs under ``root`` (empty when they are clean).

    ``survey`` defaults to the file the manifest names for the schema ``survey_responses``;
    ``min_cell`` to ``min_cell_size`` in ``params/common.yaml``. The rules and the scope are in
    the module docstring.
    """
    return audit(root, survey, min_cell).leaks


# --------------------------------------------------------------------------- command line


def guard(
    root: Path = paths.ROOT,
    survey: Path | None = None,
    min_cell: int | None = None,
    receipt: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Scan, print every leak and a summary; on a clean scan write the receipt. Returns 0 or 1."""
    out, err = out or sys.stdout, err or sys.stderr
    result = audit(root, survey, min_cell)
    receipt = Path(receipt) if receipt is not None else Path(root) / RECEIPT
    for note in result.notes:
        print(f"note: {note}", file=out)
    counts = ", ".join(f"{rule}: {n}" for rule, n in result.counts().items() if n)
    if result.leaks:
        for leak in result.leaks:
            print(leak, file=err)
        print(
            f"\nConfidentiality guard failed: {len(result.leaks)} leak(s) in {len({leak.file for leak in result.leaks})} of "
            f"{len(result.files)} published file(s) ({counts}). No receipt was written; fix the outputs (or the notebooks "
            "that make them) and rebuild.",
            file=err,
        )
        return 1
    atomic.write_text(receipt, json.dumps(result.receipt(), indent=2, ensure_ascii=False) + "\n")
    for rel in result.skipped:
        print(f"note: {rel} is not text and was not scanned", file=out)
    skipped = f", {len(result.skipped)} skipped (not text)" if result.skipped else ""
    print(
        f"Confidentiality guard passed: {len(result.files)} published file(s) scanned{skipped}, min cell {result.min_cell}, "
        f"{result.respondents} respondents. Receipt: {_relative(receipt, Path(root))}",
        file=out,
    )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The guard's options (shared by ``poc1540 guard`` and ``python -m poc1540.guard.audit``)."""
    parser.add_argument("--root", default=None, help="repository root (default: POC1540_ROOT or this checkout)")
    parser.add_argument("--survey", default=None, help="survey responses (default: the file the manifest names)")
    parser.add_argument("--min-cell", type=int, default=None, help="suppression threshold (default: params/common.yaml min_cell_size)")
    parser.add_argument("--receipt", default=None, help=f"receipt to write when clean (default: {RECEIPT.as_posix()})")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the guard from parsed options."""
    root = Path(args.root) if args.root else paths.ROOT
    return guard(
        root,
        survey=Path(args.survey) if args.survey else None,
        min_cell=args.min_cell,
        receipt=Path(args.receipt) if args.receipt else None,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m poc1540.guard.audit [--root R] [--survey F] [--min-cell N] [--receipt P]``."""
    parser = add_arguments(argparse.ArgumentParser(prog="poc1540 guard", description=__doc__.splitlines()[0]))
    try:
        return run(parser.parse_args(argv))
    except (FileNotFoundError, KeyError) as exc:
        print(f"poc1540 guard: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
