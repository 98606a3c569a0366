"""Translating the export's answers into the codebook's codes, question by question.

Without an ``answers`` entry in the mapping an answer matches a codebook label or code, ignoring
case, spacing and curly quotes (Likert: the scale labels, "Not applicable" -> ``na``; scale: the
number, its anchors, or "1 - Post Office"). Countries in any common spelling are resolved by
:mod:`poc1540.intake.countries`. Multi-select answers come either as one column of choice texts
joined by commas, or as one column per option holding 1 or the option text when ticked; both give
0/1 per item, empty when the question was skipped.

Every answer that cannot be translated is a problem naming the export line, the column, the value
and what to change in the mapping (or the codebook). The codebook's own rules then run on the
translated table, so that one run lists every problem; a cell already reported is not reported
again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from poc1540.core.codebook import Codebook
from poc1540.core.problems import Problem
from poc1540.intake import countries, dates, schemas
from poc1540.intake.importers import responses
from poc1540.intake.importers.answers import answer_table, item_codes, scale_point, split_choices
from poc1540.intake.importers.columns import HEADER_ROWS, SM_SINGLE_OPTIONS, Column, Columns, span
from poc1540.intake.importers.common import norm, short
from poc1540.intake.importers.mapping import Mapping, Spec, answer_codes
from poc1540.intake.importers.read import Grid
from poc1540.intake.importers.responses import Rows
from poc1540.intake.validate import survey_schema_problems


class Translator:
    """One import: the grid, the mapping, the codebook, and the problems found so far."""

    def __init__(self, family: str, grid: Grid, mapping: Mapping, codebook: Codebook, codebook_shown: str, members: dict[str, str]):
        self.family, self.grid, self.mapping, self.codebook = family, grid, mapping, codebook
        self.codebook_shown = codebook_shown
        self.members = members
        self.na = codebook.not_applicable
        self.problems: list[Problem] = list(grid.notes)
        self.columns = Columns(family, grid, mapping, codebook_shown, self.problems)
        self.source: dict[str, str] = {}  # canonical column -> export column shown, for the validator's problems
        self.reported: set[tuple[int, str]] = set()  # (line, canonical column) with a problem already
        self.unfinished: set[int] = set()  # lines of responses that were not submitted
        self.formula_cells: set[tuple[int, int]] = set()  # (line, column index) of a refused formula
        self.formula_shown: set[tuple[int, str]] = set()  # the same, by the column as messages name it
        self.date_override: list[str] = []  # --date-format: the one format of every date column
        self.kept: Rows = []  # the responses, once known

    def run(self) -> pd.DataFrame | None:
        """The canonical table (every cell text), or None when any error was found."""
        grid = self.grid
        need = HEADER_ROWS[self.family]
        data = list(zip(grid.lines[need:], grid.rows[need:]))
        responses.check_widths(self, data, max(len(row) for row in grid.rows[:need]))
        kept = self.kept = responses.kept_rows(self, data, need)
        self._formulas(kept)
        meta = responses.completion_columns(self, kept)
        self.unfinished = {line for (line, _), done in zip(kept, meta.get("finished", [])) if done == "no"}
        out: dict[str, list[str]] = {}
        for q in self.codebook.raw["questions"]:
            self._question(q, self.mapping.specs.get(q["id"], Spec(q["id"], skip=True)), kept, out)
        if any(p.severity == "error" and p.row in (None, grid.lines[0]) for p in self.problems):
            return None  # a column is not found: the codebook's rules would only repeat that
        columns = schemas.survey_columns(self.codebook.raw)
        df = pd.DataFrame({**out, **meta}, index=range(len(kept)), dtype=object)[columns + list(meta)].astype(str)
        self._validate(df, [line for line, _ in kept])
        if any(p.severity == "error" for p in self.problems):
            return None
        return df

    # --- cells that are not answers

    def _formulas(self, kept: Rows) -> None:
        """A cell starting with '=' is a spreadsheet formula, not what the respondent answered: refused."""
        for line, row in kept:
            for col in self.columns.all:
                cell = row[col.index] if col.index < len(row) else ""
                if cell.lstrip().startswith("="):
                    self.formula_cells.add((line, col.index))
                    self.formula_shown.add((line, col.shown))
                    row[col.index] = ""  # reported here; no other rule should judge it again
                    self.problems.append(
                        Problem(
                            self.grid.shown,
                            "is a spreadsheet formula, not an answer",
                            row=line,
                            column=col.shown,
                            value=short(cell, 80),
                            fix="in the spreadsheet, copy the column and paste it back as values (Paste Special > Values), save, and import again; or export again from the survey platform",
                        )
                    )

    # --- one question

    def _question(self, q: dict[str, Any], spec: Spec, kept: Rows, out: dict[str, list[str]]) -> None:
        if not self.codebook.asked(q["id"]) and not spec.skip and spec.generate is None:
            self._not_asked(q, spec, kept, out)
        elif spec.skip:
            for code in item_codes(q):
                out[code] = [""] * len(kept)
            self.problems.append(
                Problem(
                    self.grid.shown,
                    f"does not give '{q['id']}' ({self.mapping.shown} says skip: true), so it is left empty",
                    severity="warning",
                )
            )
        elif spec.generate is not None:
            out[q["id"]] = [spec.generate.format(n=k) for k in range(1, len(kept) + 1)]
        elif q["type"] in ("multi", "likert"):
            self._items_question(q, spec, kept, out)
        else:
            self._single_question(q, spec, kept, out)

    def _not_asked(self, q: dict[str, Any], spec: Spec, kept: Rows, out: dict[str, list[str]]) -> None:
        """A question the codebook marks skip: true (not asked in this edition) stays empty; if the
        export's columns for it hold answers, they are refused rather than silently dropped."""
        for code in item_codes(q):
            out[code] = [""] * len(kept)
        cols = self.columns.question_columns(spec, q)
        self.columns.used.update(c.index for c in cols)
        answered = [line for line, row in kept if any(row[c.index].strip() for c in cols if c.index < len(row))]
        if not answered:
            return
        where = span(cols)
        lines = ", ".join(map(str, answered[:10])) + (f" and {len(answered) - 10} more" if len(answered) > 10 else "")
        if self.family == "canonical":
            drop = f"if they do not belong to this edition, empty the column{'s' if len(cols) > 1 else ''} in the file"
        else:
            drop = (
                f"if they do not belong to this edition, drop the column{'s' if len(cols) > 1 else ''} from the export, "
                f"or write '{q['id']}: {{skip: true}}' in {self.mapping.shown} (then the export's answers are not imported)"
            )
        self.problems.append(
            Problem(
                self.grid.shown,
                f"holds {len(answered)} answer(s) to '{q['id']}' (rows {lines}), but {self.codebook_shown} marks '{q['id']}' "
                "skip: true (not asked in this edition)",
                row=self.grid.lines[0],
                column=where,
                fix=f"if this edition asked the question, remove 'skip: true' from '{q['id']}' in {self.codebook_shown}; {drop}",
            )
        )

    def _items_question(self, q: dict[str, Any], spec: Spec, kept: Rows, out: dict[str, list[str]]) -> None:
        """A multi-select or Likert question: one joined column, or one column per item."""
        # a tidy CSV writes one column per item code; SurveyMonkey one per option ("expanded"
        # columns) or, "condensed", one 'Response' column of the ticked choices
        joined: list[Column] = []
        if q["type"] == "multi" and spec.column and self.family == "qualtrics":
            joined = self.columns.find(spec.column)
        elif q["type"] == "multi" and spec.column and self.family == "surveymonkey":
            joined = [c for c in self.columns.find(spec.column) if norm(c.option) in SM_SINGLE_OPTIONS[:2]]
        if len(joined) == 1:
            self.columns.used.add(joined[0].index)
            self._multi_joined(q, spec, joined[0], kept, out)
            return
        found = self.columns.items(spec, q)
        if found is None:
            for code in item_codes(q):
                out[code] = [""] * len(kept)
            return
        items, extra = found
        for code, (col, _) in items.items():
            self.source[code] = col.shown
        if q["type"] == "multi" and self.family == "canonical":  # already 0/1/empty: the validator judges it
            for code, (col, _) in items.items():
                out[code] = [row[col.index].strip() for _, row in kept]
        elif q["type"] == "multi":
            self._multi_columns(q, spec, items, extra, kept, out)
        else:
            self._likert(q, spec, items, extra, kept, out)

    def _single_question(self, q: dict[str, Any], spec: Spec, kept: Rows, out: dict[str, list[str]]) -> None:
        col = self.columns.single(spec)
        if col is None:
            out[q["id"]] = [""] * len(kept)
            return
        self.source[q["id"]] = col.shown
        table = answer_table(q, spec, self.na)
        out[q["id"]] = [self._answer(q, spec, table, line, col, row[col.index]) for line, row in kept]

    def _answer(self, q: dict[str, Any], spec: Spec, table: dict[str, str], line: int, col: Column, raw: str) -> str:
        """One cell of a single-column question as its canonical value ("" when not understood)."""
        if q["type"] == "text":  # kept as written, line ends made \n
            return raw.replace("\r\n", "\n").replace("\r", "\n").strip()
        text = raw.strip()
        if text == "":
            self._empty(q, line, col)
            return ""
        if q["type"] == "key":
            return text
        readers: dict[str, Callable[[dict[str, Any], Spec, dict[str, str], int, Column, str], str]] = {
            "country": self._country,
            "date": self._date_answer,
            "scale": self._scale_answer,
        }
        return readers.get(q["type"], self._coded)(q, spec, table, line, col, text)

    def _empty(self, q: dict[str, Any], line: int, col: Column) -> None:
        if (
            q.get("required") and line not in self.unfinished and (line, col.index) not in self.formula_cells
        ):  # an unsubmitted response may stop before any question
            self.reported.add((line, q["id"]))
            self.problems.append(
                Problem(
                    self.grid.shown,
                    f"is empty, but every response must give '{q['id']}' ({q.get('label', q['id'])})",
                    row=line,
                    column=col.shown,
                    value="",
                    fix="complete the answer in the survey platform and export again, or remove the response if it is not a real one",
                )
            )

    def _coded(self, q: dict[str, Any], spec: Spec, table: dict[str, str], line: int, col: Column, text: str) -> str:
        value = table.get(norm(text), "")
        if not value:
            self._unknown(line, col, text, q["id"], q["id"])
        return value

    def _country(self, q: dict[str, Any], spec: Spec, table: dict[str, str], line: int, col: Column, text: str) -> str:
        if norm(text) in spec.answers:
            return spec.answers[norm(text)]
        found = countries.resolve_member(text, self.members)
        if found.ok:
            return str(found.iso3)
        self.reported.add((line, q["id"]))
        fix = found.fix
        if "closest" in fix:
            fix += f", or add this spelling under 'answers' of '{q['id']}' in {self.mapping.shown}"
        self.problems.append(Problem(self.grid.shown, found.rule, row=line, column=col.shown, value=text, fix=fix))
        return ""

    def _date_answer(self, q: dict[str, Any], spec: Spec, table: dict[str, str], line: int, col: Column, text: str) -> str:
        value = self.read_date(line, col, text, spec.date_formats, f"'{q['id']}'")
        if value is None:
            self.reported.add((line, q["id"]))
            return ""
        return value.isoformat()

    def read_date(self, line: int, col: Column, text: str, formats: list[str], where: str, *, times: bool = False) -> dt.date | None:
        """A date cell read by :func:`poc1540.intake.dates.read` (``--date-format`` overrides the mapping's
        ``formats`` for ``where``, a question id or mapping key); a refusal is a problem, and None."""
        override = bool(self.date_override)
        mapped = self.family != "canonical"
        advice = dates.Advice(
            also=f"or set 'date_format' of {where} in {self.mapping.shown}" if mapped else "",
            given="given with --date-format" if override or not mapped else f"of {where} in {self.mapping.shown}",
            source="export it again from the survey platform" if mapped else "export it again from its source",
        )
        column = [row[col.index] for _, row in self.kept if col.index < len(row)]
        value = dates.read(text, self.date_override or formats, column=column, times=times, advice=advice)
        if isinstance(value, dates.DateError):
            self.problems.append(Problem(self.grid.shown, value.rule, row=line, column=col.shown, value=text, fix=value.fix))
            return None
        return value

    def _scale_answer(self, q: dict[str, Any], spec: Spec, table: dict[str, str], line: int, col: Column, text: str) -> str:
        value = scale_point(q, spec.answers, text) or ""
        if not value:
            anchors = ", ".join(map(str, (q.get("anchors") or {}).values()))
            self._unknown(
                line,
                col,
                text,
                q["id"],
                q["id"],
                rule=f"is not a point of the scale of '{q['id']}' ({q['min']} to {q['max']}, or an anchor: {anchors})",
            )
        return value

    # --- multi-select and Likert questions

    def _multi_joined(self, q: dict[str, Any], spec: Spec, col: Column, kept: Rows, out: dict[str, list[str]]) -> None:
        """One column of choice texts joined by commas (choice texts may contain commas themselves).

        In a SurveyMonkey export the mapping's ``items`` are option texts: they are choice texts
        too, and an item marked ``any_text`` whose option has a column of its own (SurveyMonkey's
        "Other (please specify)") is ticked when that column holds text.
        """
        codes = item_codes(q)
        for code in codes:
            out[code] = []
            self.source[code] = col.shown
        table = answer_table(q, spec, self.na)
        typed: dict[str, Column] = {}
        if self.family == "surveymonkey":
            for code, (target, any_text) in spec.items.items():
                table.setdefault(norm(target), code)
                own = [c for c in self.columns.find(spec.column or "", target) if c.index != col.index]
                if any_text and len(own) == 1:
                    typed[code] = own[0]
                    self.columns.used.add(own[0].index)
        for line, row in kept:
            cell = row[col.index]
            ticked = self._choices(q, table, line, col, cell) if cell.strip() else set()
            ticked |= {code for code, other in typed.items() if row[other.index].strip()}
            answered = bool(cell.strip()) or bool(ticked)
            for code in codes:
                out[code].append("" if not answered else ("1" if code in ticked else "0"))

    def _choices(self, q: dict[str, Any], table: dict[str, str], line: int, col: Column, cell: str) -> set[str]:
        """The codes of a comma-joined answer; each piece that is no choice text is a problem."""
        ticked, unknown = split_choices(cell, table)
        for piece in unknown:
            self._unknown(
                line,
                col,
                piece,
                q["id"],
                item_codes(q)[0],
                rule=f"is not a choice of '{q['id']}' that the mapping or the codebook knows (in the answer {short(cell, 80)!r})",
            )
        return ticked

    def _option_state(self, q: dict[str, Any], table: dict[str, str], line: int, code: str, col: Column, any_text: bool, text: str) -> str:
        """One option column's cell: "1" ticked, "0" shown but not ticked, "" empty or not understood."""
        if text in ("", "0"):
            return text
        if text == "1" or any_text or table.get(norm(text)) == code or (col.option and norm(text) == norm(col.option)):
            return "1"
        labels = {str(i["code"]): str(i["label"]) for i in q["items"]}
        other = table.get(norm(text))
        rule = (
            f"names the option '{labels[other]}' but is the column of '{labels[code]}' in the mapping"
            if other
            else f"is not the option of '{q['id']}' this column stands for ('{labels[code]}')"
        )
        self._unknown(line, col, text, q["id"], code, rule=rule)
        return ""

    def _multi_columns(
        self,
        q: dict[str, Any],
        spec: Spec,
        items: dict[str, tuple[Column, bool]],
        extra: list[Column],
        kept: Rows,
        out: dict[str, list[str]],
    ) -> None:
        """One column per option, holding 1 or the option text when ticked."""
        table = answer_table(q, spec, self.na)
        for code in items:
            out[code] = []
        for line, row in kept:
            state = {
                code: self._option_state(q, table, line, code, col, any_text, row[col.index].strip())
                for code, (col, any_text) in items.items()
            }
            for col in extra:
                text = row[col.index].strip()
                if text and text != "0":
                    self._unknown(
                        line,
                        col,
                        text,
                        q["id"],
                        next(iter(items)),
                        rule=f"is an option of '{q['id']}' that the mapping and the codebook do not know",
                    )
            answered = any(v != "" for v in state.values())
            for code in items:
                out[code].append(("1" if state[code] == "1" else "0") if answered else "")

    def _likert(
        self,
        q: dict[str, Any],
        spec: Spec,
        items: dict[str, tuple[Column, bool]],
        extra: list[Column],
        kept: Rows,
        out: dict[str, list[str]],
    ) -> None:
        table = answer_table(q, spec, self.na)
        for code in items:
            out[code] = []
        for line, row in kept:
            for code, (col, _) in items.items():
                text = row[col.index].strip()
                value = "" if not text else table.get(norm(text), "")
                if text and not value:
                    self._unknown(line, col, text, q["id"], code)
                out[code].append(value)
            for col in extra:
                if row[col.index].strip():
                    self._unknown(
                        line,
                        col,
                        row[col.index].strip(),
                        q["id"],
                        next(iter(items)),
                        rule=f"answers a statement of '{q['id']}' that the mapping and the codebook do not know",
                    )

    # --- problems

    def _unknown(self, line: int, col: Column, value: str, qid: str, canonical: str, rule: str | None = None) -> None:
        codes = answer_codes(self.codebook.question(qid), self.na)
        self.reported.add((line, canonical))
        self.problems.append(
            Problem(
                self.grid.shown,
                rule or f"is not an answer to '{qid}' that the mapping or the codebook knows",
                row=line,
                column=col.shown,
                value=value,
                fix=f"add it under 'answers' of '{qid}' in {self.mapping.shown} (\"{value}\": one of {', '.join(codes)}), "
                f"or if it is a genuinely new option, add it to {self.codebook_shown} first",
            )
        )

    def _validate(self, df: pd.DataFrame, lines: list[int]) -> None:
        """The codebook's own rules (fieldwork window, exclusive options, unique ids ...), by export line."""
        check = df.copy()
        check.index = [line - 2 for line in lines]  # the validator reports index + 2 as the row
        fix = f"correct the answer in the export, or the mapping {self.mapping.shown}"
        schema = schemas.survey_responses(self.codebook.raw, set(self.members))
        partial = schemas.survey_responses(self.codebook.raw, set(self.members), unfinished=True)
        for problem in survey_schema_problems(check, schema, partial, self.grid.shown, fix):
            if problem.row is not None and problem.column and (problem.row, problem.column) in self.reported:
                continue
            if (problem.row, self.source.get(problem.column or "")) in self.formula_shown:
                continue  # the cell is a formula, reported as such
            if problem.column in self.source:
                problem = replace(problem, column=f"{self.source[problem.column]} -> {problem.column}")
            self.problems.append(problem)
