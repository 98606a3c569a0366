"""Reading one answer: the answer tables (text -> code), comma-joined choices, scale points.

Pure functions of the codebook question, the mapping's spec and the text; the
:class:`~poc1540.intake.importers.translate.Translator` reports what they cannot read. Dates are
read by :mod:`poc1540.intake.dates`, as everywhere else in intake.
"""

from __future__ import annotations

import re
from typing import Any

from poc1540.intake.importers.common import norm
from poc1540.intake.importers.mapping import Spec

NA_TEXTS = ("not applicable", "n/a", "na")
#: how the platforms say whether a response was submitted (Qualtrics Finished: True/False, 1/0 in a
#: numeric export; SurveyMonkey's response status: completed/partial), normalised -> yes/no
FINISHED_TEXTS = {
    **dict.fromkeys(("true", "1", "yes", "finished", "completed", "complete"), "yes"),
    **dict.fromkeys(("false", "0", "no", "unfinished", "partial", "incomplete"), "no"),
}


def item_codes(q: dict[str, Any]) -> list[str]:
    """The canonical columns of a question: its item codes (multi, Likert) or its id."""
    return [str(i["code"]) for i in q["items"]] if q["type"] in ("multi", "likert") else [q["id"]]


def answer_table(q: dict[str, Any], spec: Spec, na: str) -> dict[str, str]:
    """Normalised answer text -> code: codebook codes and labels, then the mapping's answers (``na``: the not-applicable code)."""
    table: dict[str, str] = {}
    kind = q["type"]
    if kind in ("single", "ordinal", "multi"):
        for opt in q.get("options", q.get("items", [])):
            table[norm(opt["code"])] = str(opt["code"])
            table[norm(opt["label"])] = str(opt["code"])
    elif kind == "likert":
        for value, label in q["scale"].items():
            table[norm(value)] = str(value)
            table[norm(label)] = str(value)
        if q.get("allow_na"):
            table.update({text: na for text in NA_TEXTS})
    table.update(spec.answers)
    return table


def split_choices(cell: str, table: dict[str, str]) -> tuple[set[str], list[str]]:
    """The codes of a comma-joined answer, and the pieces that are no choice text (in order).

    Choice texts may contain commas themselves: at each piece, the longest run of pieces that is
    one choice text wins.
    """
    pieces = cell.split(",")
    ticked: set[str] = set()
    unknown: list[str] = []
    i = 0
    while i < len(pieces):
        if not pieces[i].strip():
            i += 1
            continue
        for j in range(len(pieces), i, -1):
            code = table.get(norm(",".join(pieces[i:j])))
            if code is not None:
                ticked.add(code)
                i = j
                break
        else:
            unknown.append(pieces[i].strip())
            i += 1
    return ticked, unknown


def scale_point(q: dict[str, Any], answers: dict[str, str], text: str) -> str | None:
    """A scale answer as its point: the mapping's answer, the number (with its anchor), or an anchor."""
    key = norm(text)
    if key in answers:
        return answers[key]
    lo, hi = int(q["min"]), int(q["max"])
    anchors = {int(k): norm(v) for k, v in (q.get("anchors") or {}).items()}
    match = re.fullmatch(r"(\d+)(?:\.0+)?(?:\s*[-:.)]?\s*(.*))?", key)
    if match:
        n, rest = int(match.group(1)), (match.group(2) or "").strip()
        if lo <= n <= hi and (not rest or rest == anchors.get(n)):
            return str(n)
        return None
    for n, anchor in anchors.items():
        if key == anchor:
            return str(n)
    return None
