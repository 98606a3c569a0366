"""The checks applied to published text: what to look for, and the five rules.

:func:`targets` reads the confidential values from the survey file (ids, open-text answers,
the responding States); :func:`check` applies the rules to one :class:`~poc1540.guard.model.Segment`.
Whether a segment is survey-derived (rules 3 and 4) was decided before, by
:mod:`poc1540.guard.scope`. The rules are described in :mod:`poc1540.guard.audit`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from poc1540.core import manifest, paths
from poc1540.core.text import collapse_space, fold_typography
from poc1540.errors import UserError
from poc1540.guard.model import (
    MIN_NUMERIC_ID,
    MIN_OPEN_TEXT,
    OPEN_TEXT,
    PER_STATE,
    RESPONDENT_ID,
    RESPONDENT_ROWS,
    RESPONDENT_ROWS_FLOOR,
    SMALL_CELL,
    Leak,
    Segment,
)


def plain(text: str) -> str:
    """Typographic quotes, dashes and spaces folded, soft hyphens dropped, whitespace collapsed."""
    return collapse_space(fold_typography(text))


def _folded(text: str) -> str:
    return plain(text).casefold()


def checked_min_cell(value: object, source: str = "params/common.yaml: min_cell_size") -> int:
    """The small-cell threshold, refused unless it is a positive integer (``source`` names where it came from)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"{source} must be a positive integer (the smallest count of respondents that may be published), not {value!r}")
    return value


# --------------------------------------------------------------------------- what to look for


@dataclass
class Targets:
    """The confidential values to look for, and the threshold."""

    min_cell: int
    n_respondents: int
    id_re: re.Pattern[str] | None
    ids_not_searched: int
    open_texts: list[tuple[str, str, str]]  # (respondent id, question, folded answer)
    open_texts_too_short: int
    state_re: re.Pattern[str] | None  # ISO3 codes and names of responding States


def _token_re(values: Iterable[str], boundary: str) -> re.Pattern[str] | None:
    values = sorted(set(values), key=len, reverse=True)
    if not values:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in v.split()) for v in values)
    return re.compile(rf"(?<!{boundary})(?:{alternatives})(?!{boundary})")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _raw_input(schema: str, raw_dir: Path, default: Path) -> Path:
    try:
        return manifest.input_path(schema, raw_dir)
    except KeyError:  # an older manifest without schemas: the file's usual name
        return raw_dir / default.name


def targets(raw_dir: Path, survey: Path, min_cell: int) -> Targets:
    """What to look for: from the codebook and Member States in ``raw_dir`` and the survey file."""
    questions = yaml.safe_load(_raw_input("codebook", raw_dir, paths.CODEBOOK).read_text(encoding="utf-8"))["questions"]
    key = next((q["id"] for q in questions if q["type"] == "key"), "respondent_id")
    countries = [q["id"] for q in questions if q["type"] == "country"]
    texts = [q["id"] for q in questions if q["type"] == "text" or (q.get("confidential") and q["type"] not in ("country", "key"))]

    rows = _read_csv(survey)
    ids = [r[key].strip() for r in rows if r.get(key, "").strip()]
    searchable = [i for i in ids if not (i.isdigit() and len(i) < MIN_NUMERIC_ID)]
    open_texts, too_short = [], 0
    for r in rows:
        for q in texts:
            answer = _folded(r.get(q) or "")
            if not answer:
                continue
            if len(answer) < MIN_OPEN_TEXT:
                too_short += 1
            else:
                open_texts.append((r.get(key, "?"), q, answer))

    iso3 = {r[c].strip().upper() for r in rows for c in countries if r.get(c, "").strip()}
    states = _read_csv(_raw_input("member_states", raw_dir, paths.MEMBER_STATES))
    names = {s["name"].strip() for s in states if s["iso3"].strip().upper() in iso3 and s.get("name", "").strip()}
    return Targets(
        min_cell=min_cell,
        n_respondents=len(rows),
        id_re=_token_re(searchable, r"[A-Za-z0-9_]"),
        ids_not_searched=len(ids) - len(searchable),
        open_texts=open_texts,
        open_texts_too_short=too_short,
        state_re=_token_re(iso3 | names, r"[\w]"),  # ISO3 case-sensitive, so only upper case matches
    )


# --------------------------------------------------------------------------- shares

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_PCT = r"(?:\d+(?:\.\d+)?\s*%\s*)?"
SHARE_OF = re.compile(rf"{_PCT}\(\s*({_NUM})\s+of\s+({_NUM})\s*(?=[);])")
SHARE_SLASH = re.compile(rf"{_PCT}\(\s*({_NUM})\s*/\s*({_NUM})\s*\)")
PCT_COUNT = re.compile(rf"\d+(?:\.\d+)?\s*%\s*\(\s*({_NUM})\s*\)")
#: The ways a share is written, for collecting the shares a State-level output publishes.
SHARE_PATTERNS = (SHARE_OF, SHARE_SLASH, PCT_COUNT)
_BASE = re.compile(rf"\(\s*n\s*=\s*({_NUM})\s*(?=[),;])")
_INT_CELL = re.compile(rf"^(?:{_NUM})$")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def share_key(text: str) -> str:
    """A share's text without spaces or closing parenthesis, to compare across line breaks."""
    return re.sub(r"\s+", "", text).rstrip(")")


def share_problem(count: int | None, base: int | None, min_cell: int) -> str | None:
    """Why a count out of a base may not be published, or None when it may."""
    if count is not None and 1 <= count < min_cell:
        return f"its count {count} is below the suppression threshold {min_cell}"
    if count is not None and base is not None and count <= base and 1 <= base - count < min_cell:
        return f"its complement {base - count} (base {base} minus count {count}) is below the suppression threshold {min_cell}"
    if base is not None and 0 < base < min_cell:
        return f"its base {base} is below the suppression threshold {min_cell}"
    return None


def _is_year(value: int) -> bool:
    return 1900 <= value <= 2100


def shares(text: str, min_cell: int) -> Iterator[tuple[str, str]]:
    """(matched text, problem) for every share in ``text`` that breaks the small-cell rule."""
    for m in SHARE_OF.finditer(text):
        k, n = _int(m.group(1)), _int(m.group(2))
        if k <= n and (problem := share_problem(k, n, min_cell)):
            yield m.group(0) + ")", problem
    for m in SHARE_SLASH.finditer(text):
        k, n = _int(m.group(1)), _int(m.group(2))
        if k <= n and not (_is_year(k) and _is_year(n)) and (problem := share_problem(k, n, min_cell)):
            yield m.group(0), problem
    for m in PCT_COUNT.finditer(text):
        if problem := share_problem(_int(m.group(1)), None, min_cell):
            yield m.group(0), problem
    for m in _BASE.finditer(text):
        if problem := share_problem(None, _int(m.group(1)), min_cell):
            yield m.group(0) + ")", problem


# --------------------------------------------------------------------------- the rules


def check(file: str, seg: Segment, t: Targets, state_shares: set[str]) -> Iterator[Leak]:
    """Every leak in one segment of ``file``; ``state_shares`` are the exempt State-level shares.

    Rules 1 and 2 (respondent ids, open text) apply to every segment; rules 3 to 5 only to
    survey-derived ones. The order of the leaks is the order of the rules within each text.
    """
    for text in seg.texts:
        yield from _respondent_values(file, seg, text, t)
        if seg.survey:
            flat = plain(text)
            yield from _responding_states(file, seg, flat, t)
            yield from _small_shares(file, seg, flat, t, state_shares)
    if seg.survey:
        yield from _small_cells(file, seg, t)
        yield from _small_counts(file, seg, t)
        yield from _respondent_tables(file, seg, t)


def _respondent_values(file: str, seg: Segment, text: str, t: Targets) -> Iterator[Leak]:
    """Rules 1 and 2: a respondent id or an open-text answer from the survey file, anywhere in ``text``."""
    if t.id_re is not None:
        for m in t.id_re.finditer(text):
            yield Leak(file, RESPONDENT_ID, f"respondent id '{m.group(0)}' from the survey file", seg.location)
    folded = _folded(text)
    for rid, question, answer in t.open_texts:
        if answer in folded:
            yield Leak(
                file,
                OPEN_TEXT,
                f"the open-text answer to {question} of respondent {rid} ({len(answer)} characters; not repeated here)",
                seg.location,
            )


def _responding_states(file: str, seg: Segment, flat: str, t: Targets) -> Iterator[Leak]:
    """Rule 3: the ISO3 code or name of a responding State in survey-derived text (already :func:`plain`)."""
    if t.state_re is None:
        return
    for m in t.state_re.finditer(flat):
        what = "ISO3 code" if re.fullmatch(r"[A-Z]{3}", m.group(0)) else "Member State name"
        yield Leak(file, PER_STATE, f"{what} '{m.group(0)}' of a responding State in survey-derived output", seg.location)


def _small_shares(file: str, seg: Segment, flat: str, t: Targets, state_shares: set[str]) -> Iterator[Leak]:
    """Rule 4 in text: a written share below the threshold, unless it is an exempt State-level share."""
    for share, problem in shares(flat, t.min_cell):
        if seg.exempt_shares and share_key(share) in state_shares:
            continue
        yield Leak(file, SMALL_CELL, f"share '{share}': {problem}", seg.location)


def _small_cells(file: str, seg: Segment, t: Targets) -> Iterator[Leak]:
    """Rule 4 in tables: an integer cell from 1 to below the threshold."""
    for column, value in seg.cells:
        value = value.strip()
        if _INT_CELL.match(value) and 1 <= _int(value) < t.min_cell:
            where = f"{seg.location}, column '{column}'" if column else seg.location
            yield Leak(file, SMALL_CELL, f"cell '{value}' is below the suppression threshold {t.min_cell}", where)


def _small_counts(file: str, seg: Segment, t: Targets) -> Iterator[Leak]:
    """Rule 4 in structured data: a (count, base) pair whose count, complement or base is too small."""
    for count, base in seg.counts:
        if problem := share_problem(count, base, t.min_cell):
            yield Leak(file, SMALL_CELL, f"count {count} of base {base}: {problem}", seg.location)


def _respondent_tables(file: str, seg: Segment, t: Targets) -> Iterator[Leak]:
    """Rule 5: a displayed table with a respondent_id column or about as many rows as respondents."""
    # half the respondents (with a floor) is already a respondent-level table, not a summary
    many = max(RESPONDENT_ROWS_FLOOR, t.n_respondents // 2)
    for shown in seg.displayed:
        if shown.footer and shown.rows >= many:
            yield Leak(file, RESPONDENT_ROWS, f"the output displays {shown.rows} rows (respondents: {t.n_respondents})", seg.location)
        elif not shown.footer and (shown.respondent_id or shown.rows >= many):
            why = "a respondent_id column" if shown.respondent_id else f"{shown.rows} rows (respondents: {t.n_respondents})"
            yield Leak(file, RESPONDENT_ROWS, f"the output displays a table with {why}", seg.location)
