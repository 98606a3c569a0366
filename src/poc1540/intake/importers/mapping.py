"""The mapping file: which export column and answer text is which codebook question and code.

A mapping file (YAML, see ``params/import/*.yaml``) ties the export's columns and answer texts to
codebook ids, so a reworded question or option needs only a mapping change:

.. code-block:: yaml

    format: qualtrics            # or surveymonkey: which exports the mapping is for
    encoding: utf-8              # cp1252 allows a Windows/Latin-1 file (UTF-8 is still tried first)
    skip_rows: {Status: [Survey Preview, Survey Test]}   # rows that are not responses (left out, with a warning)
    keep_rows: {Status: [IP Address, Imported]}          # the values of a real response: any other is refused
    completion:                  # was each response submitted, and when (columns finished, submitted_at)
      finished: Finished         # True/False, 1/0, Completed/Partial
      progress: Progress         # percent seen (finished = 100 when there is no finished column)
      submitted_at: {column: RecordedDate, date_format: "%Y-%m-%d %H:%M:%S"}
    drop: [StartDate, IPAddress, ...]                    # export columns that are not imported
    questions:                   # one entry per codebook question id
      respondent_id: {generate: "R{n:03d}"}              # or {column: ...} to keep an id field
      country: {column: Q1, answers: {"Rep. of Korea": KOR}}
      submitted: {column: RecordedDate, date_format: "%Y-%m-%d %H:%M:%S"}
      agency: {column: Q2, answers: {Ministry of Foreign Affairs: foreign_affairs}}
      tasks: {column: Q8, items: {task_forward: Q8_1, ...}}
      suggestions: {column: ..., items: {sugg_other: {option: Other (please specify), any_text: true}}}
      sugg_other_text: {column: ..., option: Other (please specify)}
      some_question: {skip: true}                        # not asked in this export: left empty

``column`` is a Qualtrics column id (row 1, e.g. ``Q8``) or import id (row 3, ``QID8``), a
SurveyMonkey question text (row 1; ``option`` picks a row-2 text when the question has several
columns), or a canonical column name. ``items`` maps the items of a multi-select or Likert
question to their columns (Qualtrics column ids; SurveyMonkey option/statement texts, by default
the codebook's item labels). ``answers`` maps answer texts to codes.

The whole file is checked against the codebook before the export is read; every mistake is a
problem naming the mapping file, the question id (or top-level key), the value and the rule.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from poc1540.core import paths
from poc1540.core.codebook import Codebook
from poc1540.core.problems import Problem
from poc1540.intake.importers.common import Stop, norm

MAPPINGS_DIR = paths.PARAMS / "import"
DEFAULT_MAPPINGS = {"qualtrics": MAPPINGS_DIR / "qualtrics.yaml", "surveymonkey": MAPPINGS_DIR / "surveymonkey.yaml"}
MAPPING_KEYS = {"format", "encoding", "skip_rows", "keep_rows", "drop", "questions", "description", "completion"}
COMPLETION_KEYS = {"finished", "progress", "submitted_at"}
QUESTION_KEYS = {"column", "option", "items", "answers", "date_format", "generate", "skip"}
#: the respondent id a mapping that says nothing about it gets: anonymous ids in row order
DEFAULT_ID_FORMAT = "R{n:03d}"

# libyaml's loader when the wheel has it: mappings are read on every import
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Spec:
    """How one codebook question is read from the export."""

    qid: str
    column: str | None = None
    option: str | None = None
    items: dict[str, tuple[str, bool]] = field(default_factory=dict)  # item code -> (column or option text, any_text)
    answers: dict[str, str] = field(default_factory=dict)  # normalised answer text -> code
    date_formats: list[str] = field(default_factory=list)
    generate: str | None = None
    skip: bool = False


@dataclass
class Completion:
    """Where the export says whether a response was submitted, and when (all optional)."""

    finished: str | None = None
    progress: str | None = None
    submitted_at: str | None = None
    date_formats: list[str] = field(default_factory=list)


@dataclass
class Mapping:
    """A checked mapping file: the export's rows to skip, columns to drop, and one Spec per question."""

    shown: str
    encoding: str | None = None
    skip_rows: dict[str, list[str]] = field(default_factory=dict)
    keep_rows: dict[str, list[str]] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    specs: dict[str, Spec] = field(default_factory=dict)
    completion: Completion = field(default_factory=Completion)


def answer_codes(q: dict[str, Any], na: str) -> list[str]:
    """The codes an answer to question ``q`` may map to (``na``: the codebook's not-applicable code)."""
    kind = q["type"]
    if kind in ("single", "ordinal"):
        return [str(o["code"]) for o in q["options"]]
    if kind == "multi":
        return [str(i["code"]) for i in q["items"]]
    if kind == "likert":
        return [str(v) for v in q["scale"]] + ([na] if q.get("allow_na") else [])
    if kind == "scale":
        return [str(v) for v in range(int(q["min"]), int(q["max"]) + 1)]
    return []


def canonical_mapping(codebook: Codebook) -> Mapping:
    """The identity mapping of a tidy CSV: every codebook column under its own name."""
    specs = {}
    for q in codebook.raw["questions"]:
        items = {str(i["code"]): (str(i["code"]), False) for i in q.get("items", [])}
        specs[q["id"]] = Spec(q["id"], column=q["id"], items=items)
    # a tidy CSV may carry the response metadata under its own names
    return Mapping("(canonical columns)", specs=specs, completion=Completion(finished="finished", submitted_at="submitted_at"))


def mapping_encoding(path: Path) -> str | None:
    """Only the ``encoding`` of a mapping file (all a tidy CSV uses of one)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Stop([Problem(paths.relative(path), f"cannot be read as a YAML mapping: {exc}".replace("\n", " "))]) from None
    return str(raw["encoding"]) if isinstance(raw, dict) and raw.get("encoding") else None


# ---------------------------------------------------------------------------------------------
# Checking a mapping file: each function checks one thing and reports to the file's _Report


@dataclass
class _Report:
    """The problems found in one mapping file so far."""

    shown: str
    problems: list[Problem] = field(default_factory=list)

    def bad(self, rule: str, column: str | None = None, value: Any = None, fix: str = "") -> None:
        """One mistake: ``column`` is the question id (or top-level key) it is under."""
        self.problems.append(Problem(self.shown, rule, column=column, value=None if value is None else str(value), fix=fix))


def _read(path: Path, shown: str) -> dict[str, Any]:
    """The parsed file; a file that is missing, not YAML or has no 'questions' stops the import."""
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise Stop([Problem(shown, "does not exist", fix="give the path of a mapping file, e.g. params/import/qualtrics.yaml")]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Stop([Problem(shown, f"is not valid YAML: {exc}".replace("\n", " "))]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), dict):
        raise Stop([Problem(shown, "must be a mapping with a 'questions' mapping (codebook question id -> where to find it)")])
    return raw


def _check_top_keys(raw: dict[str, Any], report: _Report) -> None:
    for key in raw:
        if key not in MAPPING_KEYS:
            report.bad("has an unknown top-level key", value=key, fix=f"use only {', '.join(sorted(MAPPING_KEYS))}")


def _check_format(raw: dict[str, Any], family: str, report: _Report) -> None:
    if raw.get("format") not in (None, family):
        report.bad(
            f"is a mapping for '{raw['format']}' exports, not '{family}'",
            column="format",
            value=raw["format"],
            fix=f"use params/import/{family}.yaml or a copy of it",
        )


def _rows(raw: dict[str, Any], key: str, report: _Report) -> dict[str, list[str]]:
    """``skip_rows`` or ``keep_rows``: a column -> the values that mark a row to skip (or a row to keep)."""
    rows = raw.get(key) or {}
    what = "skip" if key == "skip_rows" else "keep (a real response)"
    if not isinstance(rows, dict):
        report.bad(f"'{key}' must map a column to the values that mark rows to {what}", column=key)
        return {}
    return {str(k): [str(v) for v in (vals if isinstance(vals, list) else [vals])] for k, vals in rows.items()}


def _completion(raw: dict[str, Any], report: _Report) -> Completion:
    """The 'completion' block: column names of the finished flag, the progress and the submission time."""
    block = raw.get("completion") or {}
    if not isinstance(block, dict):
        report.bad("'completion' must map finished, progress and submitted_at to export columns", column="completion")
        return Completion()
    out = Completion()
    for key, value in block.items():
        if key not in COMPLETION_KEYS:
            report.bad("has an unknown key", column="completion", value=key, fix=f"use only {', '.join(sorted(COMPLETION_KEYS))}")
            continue
        if isinstance(value, dict):
            formats = value.get("date_format")
            if formats is not None and key != "submitted_at":
                report.bad("'date_format' is only for submitted_at", column=f"completion.{key}")
            out.date_formats = [str(f) for f in (formats if isinstance(formats, list) else [formats])] if formats else []
            value = value.get("column")
        if not isinstance(value, str) or not value.strip():
            report.bad("must name an export column (in quotes)", column=f"completion.{key}", value=value)
            continue
        setattr(out, key, value)
    return out


def _known_question(qid: Any, by_id: dict[str, dict[str, Any]], report: _Report) -> bool:
    if qid in by_id:
        return True
    close = difflib.get_close_matches(str(qid), list(by_id), n=1)
    report.bad(
        "names a question the codebook does not have",
        column=str(qid),
        fix=f"use a codebook question id{f' (did you mean {close[0]!r}?)' if close else ''}",
    )
    return False


def _entry(qid: str, entry: Any, report: _Report) -> dict[str, Any] | None:
    """A question's entry as a dict (``Q1`` is short for ``{column: Q1}``), its keys checked."""
    if isinstance(entry, str):
        entry = {"column": entry}
    if not isinstance(entry, dict):
        report.bad("must be a mapping such as {column: Q1}", column=qid, value=entry)
        return None
    for key in entry:
        if key not in QUESTION_KEYS:
            report.bad("has an unknown key", column=qid, value=key, fix=f"use only {', '.join(sorted(QUESTION_KEYS))}")
    return entry


def _column_texts(spec: Spec, entry: dict[str, Any], report: _Report) -> None:
    for key in ("column", "option"):
        value = entry.get(key)
        if isinstance(value, bool):  # an unquoted Yes/No/On/Off header
            report.bad(f"'{key}' reads as true/false", column=spec.qid, value=value, fix="put the text in quotes")
        elif value is not None:
            setattr(spec, key, str(value))


def _generate(q: dict[str, Any], entry: dict[str, Any], report: _Report) -> str | None:
    if entry.get("generate") is None:
        return None
    if q["type"] != "key":
        report.bad("'generate' is only for the respondent id", column=q["id"])
        return None
    try:
        str(entry["generate"]).format(n=1)
    except (KeyError, IndexError, ValueError) as exc:
        report.bad(
            f"'generate' must be a Python format string with {{n}}, e.g. R{{n:03d}} ({exc})", column=q["id"], value=entry["generate"]
        )
        return None
    return str(entry["generate"])


def _date_formats(q: dict[str, Any], entry: dict[str, Any], report: _Report) -> list[str]:
    if entry.get("date_format") is None:
        return []
    if q["type"] != "date":
        report.bad("'date_format' is only for a date question", column=q["id"])
    formats = entry["date_format"]
    return [str(f) for f in (formats if isinstance(formats, list) else [formats])]


def _item_target(qid: str, code: Any, target: Any, report: _Report) -> tuple[str, bool] | None:
    """One entry of 'items': a column (or option text), or {column|option: ..., any_text: true}."""
    any_text = False
    if isinstance(target, dict):
        any_text = bool(target.get("any_text"))
        target = target.get("column", target.get("option"))
    if target is None or isinstance(target, bool):
        report.bad(f"item '{code}' needs a column (or option text) in quotes", column=qid, value=target)
        return None
    return str(target), any_text


def _items(q: dict[str, Any], entry: dict[str, Any], report: _Report) -> dict[str, tuple[str, bool]]:
    qid = q["id"]
    items = entry.get("items") or {}
    if items and q["type"] not in ("multi", "likert"):
        report.bad("'items' is only for a multi-select or Likert question", column=qid)
        return {}
    if not isinstance(items, dict):
        report.bad("'items' must map item codes to columns", column=qid)
        return {}
    known = [str(i["code"]) for i in q.get("items", [])]
    out: dict[str, tuple[str, bool]] = {}
    for code, target in items.items():
        if str(code) not in known:
            report.bad(
                f"'items' names '{code}', which is not an item of '{qid}'", column=qid, value=code, fix=f"use one of {', '.join(known)}"
            )
            continue
        found = _item_target(qid, code, target, report)
        if found is not None:
            out[str(code)] = found
    return out


def _answers(q: dict[str, Any], entry: dict[str, Any], allowed: set[str], report: _Report) -> dict[str, str]:
    """Normalised answer text -> code, each code one the question can take (``allowed``)."""
    qid = q["id"]
    answers = entry.get("answers") or {}
    if not isinstance(answers, dict):
        report.bad("'answers' must map answer texts to codes", column=qid)
        return {}
    out: dict[str, str] = {}
    for text, code in answers.items():
        if isinstance(text, bool) or isinstance(code, bool):
            report.bad(
                "an answer text or code reads as true/false (YAML reads unquoted yes/no/on/off so)",
                column=qid,
                value=f"{text}: {code}",
                fix='put both in quotes, e.g. "Yes": "yes"',
            )
            continue
        if str(code) not in allowed:
            codes = (
                "an ISO3 code of a UN Member State"
                if q["type"] == "country"
                else ", ".join(sorted(allowed)) or "(this question takes no coded answers)"
            )
            report.bad(
                f"'answers' maps {str(text)!r} to '{code}', which is not a code of '{qid}'", column=qid, value=code, fix=f"use {codes}"
            )
            continue
        out[norm(text)] = str(code)
    return out


def _check_located(q: dict[str, Any], spec: Spec, report: _Report) -> None:
    """A question that is neither skipped nor generated must say where its answers are."""
    if not spec.skip and spec.generate is None and spec.column is None and not (q["type"] in ("multi", "likert") and spec.items):
        report.bad("says neither where to find the question ('column', or 'items') nor 'skip: true'", column=q["id"])


def _spec(q: dict[str, Any], entry: dict[str, Any], allowed: set[str], report: _Report) -> Spec:
    """One question's entry, every part checked in the order the file's reader meets them."""
    spec = Spec(q["id"], skip=bool(entry.get("skip")))
    _column_texts(spec, entry, report)
    spec.generate = _generate(q, entry, report)
    spec.date_formats = _date_formats(q, entry, report)
    spec.items = _items(q, entry, report)
    spec.answers = _answers(q, entry, allowed, report)
    _check_located(q, spec, report)
    return spec


def _unmentioned(codebook: Codebook, specs: dict[str, Spec], report: _Report) -> None:
    """Every codebook question must be in the mapping, except the respondent id (generated)."""
    for q in codebook.raw["questions"]:
        if q["id"] in specs:
            continue
        if q["type"] == "key":
            specs[q["id"]] = Spec(q["id"], generate=DEFAULT_ID_FORMAT)
        else:
            report.bad(
                f"says nothing about the codebook question '{q['id']}'",
                column=q["id"],
                fix=f"add '{q['id']}: {{column: ...}}' under questions, or '{q['id']}: {{skip: true}}' if the export does not have it",
            )


def load_mapping(path: Path, family: str, codebook: Codebook, members: dict[str, str]) -> Mapping:
    """Read and check a mapping file against the codebook; every mistake in it is a problem.

    ``family`` is ``qualtrics`` or ``surveymonkey``; ``members`` (ISO3 -> name) are the codes a
    country answer may map to. All problems are collected, then raised together as :class:`Stop`.
    """
    shown = paths.relative(path)
    raw = _read(path, shown)
    report = _Report(shown)
    _check_top_keys(raw, report)
    _check_format(raw, family, report)
    mapping = Mapping(shown, encoding=raw.get("encoding"))
    mapping.drop = [str(d) for d in raw.get("drop") or []]
    mapping.skip_rows = _rows(raw, "skip_rows", report)
    mapping.keep_rows = _rows(raw, "keep_rows", report)
    mapping.completion = _completion(raw, report)
    by_id = {q["id"]: q for q in codebook.raw["questions"]}
    for qid, entry in raw["questions"].items():
        if not _known_question(qid, by_id, report):
            continue
        q = by_id[qid]
        checked = _entry(qid, entry, report)
        if checked is None:
            continue
        allowed = set(members) if q["type"] == "country" else set(answer_codes(q, codebook.not_applicable))
        mapping.specs[qid] = _spec(q, checked, allowed, report)
    _unmentioned(codebook, mapping.specs, report)
    if report.problems:
        raise Stop(report.problems)
    return mapping
