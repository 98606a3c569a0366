"""Check every raw file before anything else runs, and say exactly what is wrong.

Each problem names the file, the row (as a line number in the file, header = line 1), the
column, the offending value, the rule it breaks and what to do. Errors stop the build; warnings
are printed and recorded in the receipt, which the report's methods appendix reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandas.api.types import union_categoricals

from poc1540.core import atomic, paths
from poc1540.core import manifest as manifest_module
from poc1540.core.codebook import Codebook, CodebookError
from poc1540.core.problems import CHUNK_ROWS, CsvError, Problem, cap, iter_csv_text, read_csv_text
from poc1540.intake import countries, dates, edition, respondents, schemas
from poc1540.intake.structure import check_codebook, check_manifest, load_yaml

NONRESPONSE_WARNING = 0.2  # share of empty answers in a survey column above which to warn


@dataclass
class Result:
    """Everything the validator found, plus the content hash of every file it read."""

    problems: list[Problem] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    respondents: dict[str, Any] = field(default_factory=dict)  # the respondent rule as applied, and its counts

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def sha256(path: Path) -> str:
    """Content hash of a file, for the receipt and the provenance appendix."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def problems_from_schema(schema: pa.DataFrameSchema, df: pd.DataFrame, shown: str, fix: str = "") -> list[Problem]:
    """Run a pandera schema lazily and turn every failure case into a Problem."""
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _from_failures(exc.failure_cases, df, shown, fix)
    return []


def _from_failures(failures: pd.DataFrame, df: pd.DataFrame, shown: str, fix: str) -> list[Problem]:
    out: list[Problem] = []
    for case in failures.itertuples(index=False):
        check = str(case.check)
        column = None if pd.isna(case.column) else str(case.column)
        index = None if pd.isna(case.index) else int(case.index)
        row = None if index is None else index + 2  # header is line 1, first data row line 2
        value = None if pd.isna(case.failure_case) else str(case.failure_case)
        if check == "column_in_dataframe":
            out.append(
                Problem(shown, f"is missing the required column '{value}'", row=1, fix="add the column (see the schema or codebook)")
            )
        elif check == "column_in_schema":
            out.append(Problem(shown, f"has a column '{value}' that the schema does not know", row=1, fix="remove or rename it"))
        elif check == "field_uniqueness":
            out.append(
                Problem(
                    shown, "must be unique, but appears more than once", row=row, column=column, value=value, fix="remove the duplicate row"
                )
            )
        elif column is None or column == "None" or case.schema_context == "DataFrameSchema":
            # a rule across columns: report the row with its values
            shown_value = None if index is None else ", ".join(f"{k}={v}" for k, v in df.loc[index].items() if v != "")[:200]
            out.append(Problem(shown, check, row=row, value=shown_value, fix=fix))
        else:
            out.append(Problem(shown, check, row=row, column=column, value=value, fix=fix))
    # a rule across columns fails once per column of the row: report it once; stable order
    return sorted(set(out), key=lambda p: (p.row or 0, p.column or "", p.rule))


def survey_problems(
    path: Path,
    shown: str,
    codebook: dict[str, Any],
    members: set[str],
    listing: pd.DataFrame | None,
    *,
    codebook_shown: str,
    nonresponse_warning: float,
    chunk_rows: int = CHUNK_ROWS,
    rule: respondents.Rule | None = None,
    rule_shown: str = "",
    selection: respondents.Selection | None = None,
) -> list[Problem]:
    """Check the survey file chunk by chunk: schema errors, duplicate ids across the whole file,
    and warnings (unknown columns, States without a POC, high item non-response); then apply the
    respondent ``rule`` (when given) to the whole file, filling ``selection`` with its outcome.

    Responses not submitted (``finished`` = ``no``) are checked with the codebook's rules too,
    except that a required answer may be empty.

    ``nonresponse_warning`` is the share of empty answers in a column above which to warn: a
    policy value, so the caller states it (:func:`validate_all` passes :data:`NONRESPONSE_WARNING`).
    ``chunk_rows`` only bounds memory; it changes no result.
    """
    schema = schemas.survey_responses(codebook, members)
    partial_schema = schemas.survey_responses(codebook, members, unfinished=True)
    key = next(q["id"] for q in codebook["questions"] if q["type"] == "key")
    known = set(schemas.survey_columns(codebook)) | set(schemas.RESPONSE_METADATA)
    # open text is answered only by those who ticked "other": its emptiness is not non-response
    answerable = known - {q["id"] for q in codebook["questions"] if q["type"] == "text"} - set(schemas.RESPONSE_METADATA)
    # a question the edition did not ask (skip: true) is empty by design, not item non-response
    answerable -= set(schemas.survey_columns({"questions": [q for q in codebook["questions"] if q.get("skip") is True]}))
    with_poc = set(listing["iso3"]) if listing is not None and "iso3" in listing.columns else None  # ever listed with a POC
    fix = f"correct the value, or if it is a new valid answer add it to {codebook_shown}"
    problems: list[Problem] = []
    duplicates = _DuplicateIds(shown, key)
    empty: dict[str, int] = {}
    rows = 0
    selecting = ("country", "submitted", *schemas.RESPONSE_METADATA)
    kept: list[pd.DataFrame] = []  # the few columns the respondent rule needs, over the whole file
    try:
        for n, chunk in enumerate(iter_csv_text(path, shown, chunk_rows, notes=problems)):
            if n == 0:
                problems += _unknown_columns(chunk, known, shown)
            problems += survey_schema_problems(chunk, schema, partial_schema, shown, fix)
            kept.append(chunk[[c for c in selecting if c in chunk.columns]].astype("category"))  # few distinct values: small
            # item non-response among submitted responses: an abandoned one is empty by nature
            answered = chunk[chunk["finished"] != "no"] if (rule is None or rule.finished_only) and "finished" in chunk else chunk
            rows += len(answered)
            _count_empty(answered, answerable, empty)
            if key in chunk.columns:
                problems += duplicates.check(chunk[key])
            if with_poc is not None and "country" in chunk.columns:
                problems += _states_without_poc(chunk["country"], with_poc, members, shown)
    except CsvError as exc:
        return [exc.problem]
    problems += _high_nonresponse(empty, rows, nonresponse_warning, shown)
    if rule is not None and kept and "country" in kept[0].columns and not any(p.severity == "error" for p in problems):
        outcome = respondents.select(_concat_categorical(kept), rule)
        problems += respondents.problems(outcome, rule, shown, rule_shown)
        if selection is not None:  # the caller's record of the outcome
            for part in fields(outcome):
                setattr(selection, part.name, getattr(outcome, part.name))
    return cap(_explain_dates([_explain_country(p) for p in problems]))


DATE_RULES = {"must be a date written YYYY-MM-DD": False, "must be a date and time written YYYY-MM-DDTHH:MM:SS": True}  # rule -> times


def _explain_dates(problems: list[Problem]) -> list[Problem]:
    """For each date the file does not write as the schema asks, say what it is (an Excel serial
    number, day/month numbers, ...) and how to convert the file, judged on the column's other such dates."""
    times = {p: next((t for rule, t in DATE_RULES.items() if p.rule.startswith(rule)), None) for p in problems}
    column: dict[str | None, list[str]] = {}
    for p in problems:
        if times[p] is not None and p.value:
            column.setdefault(p.column, []).append(p.value)
    out = []
    for p in problems:
        if times[p] is None or not p.value:
            out.append(p)
            continue
        advice = dates.Advice(
            verb="convert the file with",
            option=f"'poc1540 import --format canonical {p.file} --date-format {{fmt}}'",
            also="it writes the dates as the schema asks",
            source="convert the file with 'poc1540 import', which writes YYYY-MM-DD",
        )
        read = dates.read(p.value, column=column.get(p.column, []), times=bool(times[p]), advice=advice)
        if isinstance(read, dates.DateError):
            out.append(replace(p, rule=f"{p.rule}: it {read.rule}", fix=read.fix))
        else:  # a date in words: readable, but not as the schema asks
            shown = read.isoformat(timespec="seconds") if isinstance(read, dt.datetime) else read.isoformat()
            out.append(
                replace(
                    p,
                    rule=f"{p.rule}: it is {shown} written another way",
                    fix=f"write it as {shown}, or convert the file with 'poc1540 import --format canonical {p.file}'",
                )
            )
    return out


def _concat_categorical(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Chunks of categorical columns as one frame; categories sorted, so that sorting stays lexical."""
    index = pd.Index(np.concatenate([f.index.to_numpy() for f in frames]))
    return pd.DataFrame(
        {c: pd.Categorical(union_categoricals([f[c] for f in frames], sort_categories=True)) for c in frames[0].columns}, index=index
    )


def survey_schema_problems(
    chunk: pd.DataFrame, schema: pa.DataFrameSchema, partial_schema: pa.DataFrameSchema, shown: str, fix: str
) -> list[Problem]:
    """The codebook's rules on submitted responses; on unsubmitted ones (``finished`` = ``no``) the lenient schema."""
    if "finished" not in chunk.columns:
        return problems_from_schema(schema, chunk, shown, fix=fix)
    partial = chunk["finished"] == "no"
    out = problems_from_schema(schema, chunk[~partial], shown, fix=fix) if (~partial).any() else []
    if partial.any():
        out += problems_from_schema(partial_schema, chunk[partial], shown, fix=fix)
    return sorted(out, key=lambda p: (p.row or 0, p.column or "", p.rule))


def _unknown_columns(chunk: pd.DataFrame, known: set[str], shown: str) -> list[Problem]:
    """A warning for each header column that the codebook does not define (header = line 1)."""
    return [
        Problem(
            shown,
            "is not in the codebook and will be ignored",
            row=1,
            column=column,
            severity="warning",
            fix="map it to a codebook id or drop it",
        )
        for column in chunk.columns
        if column not in known
    ]


def _count_empty(chunk: pd.DataFrame, answerable: set[str], empty: dict[str, int]) -> None:
    """Add the chunk's empty answers per answerable column to ``empty`` (a running total over chunks)."""
    for column in answerable & set(chunk.columns):
        empty[column] = empty.get(column, 0) + int((chunk[column] == "").sum())


@dataclass
class _DuplicateIds:
    """The respondent ids seen so far, across chunks: each repeated id is reported on both of its lines."""

    shown: str
    key: str
    first_row: dict[str, int] = field(default_factory=dict)
    reported: set[int] = field(default_factory=set)

    def check(self, ids: pd.Series) -> list[Problem]:
        """A problem for each line (the first one and the repeat) of an id met before, once per line."""
        problems = []
        for i, value in ids.items():
            line = int(i) + 2
            if value in self.first_row:
                for dup in (self.first_row[value], line):
                    if dup not in self.reported:
                        self.reported.add(dup)
                        problems.append(
                            Problem(
                                self.shown,
                                "must be unique, but appears more than once",
                                row=dup,
                                column=self.key,
                                value=value,
                                fix="remove the duplicate row",
                            )
                        )
            elif value:
                self.first_row[value] = line
        return problems


def _states_without_poc(country: pd.Series, with_poc: set[str], members: set[str], shown: str) -> list[Problem]:
    """A warning for each response from a Member State that the listing shows without a POC."""
    outside = country[(country != "") & ~country.isin(with_poc) & country.isin(members)]
    return [
        Problem(
            shown,
            "comes from a State without a POC in the listing",
            row=int(i) + 2,
            column="country",
            value=iso3,
            severity="warning",
        )
        for i, iso3 in outside.items()
    ]


def _high_nonresponse(empty: dict[str, int], rows: int, threshold: float, shown: str) -> list[Problem]:
    """A warning for each column empty in more than ``threshold`` of the ``rows``, in column order."""
    return [
        Problem(
            shown,
            f"is empty in {count} of {rows} rows ({count / rows:.0%}), above the {threshold:.0%} item non-response warning level",
            column=column,
            severity="warning",
            fix="check the export; the item's base will be small",
        )
        for column, count in sorted(empty.items())
        if rows and count / rows > threshold
    ]


def _explain_country(problem: Problem) -> Problem:
    """For a value that is not a Member State's ISO3 code, say what it is and what to write."""
    if problem.rule != schemas.MEMBER_RULE or not problem.value:
        return problem
    resolution = countries.resolve_member(problem.value)
    if resolution.ok and resolution.iso3:
        name = countries.member_states().get(resolution.iso3, resolution.iso3)
        return replace(problem, fix=f"write the ISO3 code '{resolution.iso3}' ({name}) instead of the name")
    return replace(problem, rule=f"{problem.rule}: it {resolution.rule}", fix=resolution.fix)


def validate_all(raw_dir: Path = paths.DATA_RAW, params_dir: Path = paths.PARAMS) -> Result:
    """Validate the manifest, the reference data, the listings, the codebook and the survey, and
    apply the respondent rule (``validate.yaml`` in ``params_dir``) to the survey."""
    rule_path = Path(params_dir) / paths.RESPONDENT_RULE.name
    try:
        rule = respondents.load_rule(rule_path)
    except respondents.RuleError as exc:
        return Result(problems=exc.problems)
    return _validate_inputs(Path(raw_dir), rule, paths.relative(rule_path), Path(params_dir))


def _validate_inputs(raw_dir: Path, rule: respondents.Rule, rule_shown: str, params_dir: Path) -> Result:
    result = Result()
    manifest_path = raw_dir / paths.MANIFEST.name
    manifest_shown = paths.relative(manifest_path)
    if not manifest_path.exists():
        result.problems.append(Problem(manifest_shown, "is missing: every raw file must be described in it"))
        return result
    manifest, probs = load_yaml(manifest_path, manifest_shown)
    result.problems += probs or check_manifest(manifest, raw_dir, manifest_shown)
    if not result.ok:
        return result
    for name, entry in sorted(manifest["files"].items()):
        result.hashes[name] = sha256(manifest_module.location(name, entry, raw_dir))
    result.hashes[manifest_path.name] = sha256(manifest_path)
    by_schema = {entry["schema"]: name for name, entry in manifest["files"].items()}

    def shown(name: str) -> str:
        """How a manifest entry's file is named in messages: its real location."""
        return paths.relative(manifest_module.location(name, manifest["files"][name], raw_dir))

    def table(schema_name: str) -> tuple[str, pd.DataFrame | None]:
        name = by_schema.get(schema_name)
        if name is None:
            result.problems.append(Problem(manifest_shown, f"names no file with schema '{schema_name}'"))
            return "", None
        df, probs = read_csv_text(manifest_module.location(name, manifest["files"][name], raw_dir), shown(name))
        result.problems.extend(probs)
        return name, df

    name, members_df = table("member_states")
    if members_df is None:
        return result
    result.problems += problems_from_schema(schemas.member_states(), members_df, shown(name))
    members = set(members_df["iso3"]) if "iso3" in members_df else set()

    builders = {
        "national_reports": schemas.national_reports,
        "poc_listing": schemas.poc_listing,
        "action_plans": schemas.action_plans,
    }
    frames: dict[str, pd.DataFrame | None] = {}
    for schema_name, build in builders.items():
        name, df = table(schema_name)
        frames[schema_name] = df
        if df is not None:
            result.problems += [_explain_country(p) for p in problems_from_schema(build(members), df, shown(name))]
    listing_name = by_schema.get("poc_listing")
    if listing_name is not None and frames.get("poc_listing") is not None:
        result.problems += edition.overlapping_periods(frames["poc_listing"], shown(listing_name))
    # the listing snapshot, the survey frame date and the comparison date must agree
    result.problems += edition.check(manifest, raw_dir, frames.get("poc_listing"), params_dir)

    cb_name = by_schema.get("codebook")
    if cb_name is None:
        result.problems.append(Problem(manifest_shown, "names no file with schema 'codebook'"))
        return result
    try:
        codebook = Codebook.load(manifest_module.location(cb_name, manifest["files"][cb_name], raw_dir))
    except CodebookError as exc:
        result.problems.append(Problem(shown(cb_name), exc.rule))
        return result
    probs = check_codebook(codebook.raw, shown(cb_name))
    result.problems += probs
    if probs:
        return result

    name = by_schema.get("survey_responses")
    if name is None:
        result.problems.append(Problem(manifest_shown, "names no file with schema 'survey_responses'"))
        return result
    selection = respondents.Selection()
    result.problems += survey_problems(
        manifest_module.location(name, manifest["files"][name], raw_dir),
        shown(name),
        codebook.raw,
        members,
        frames.get("poc_listing"),
        codebook_shown=shown(cb_name),
        nonresponse_warning=NONRESPONSE_WARNING,
        rule=rule,
        rule_shown=rule_shown,
        selection=selection,
    )
    result.respondents = respondents.summary(selection, rule)
    return result


def write_receipt(result: Result, target: Path = paths.VALIDATION_RECEIPT) -> Path:
    """Record what was validated (content hashes) and the warnings, for later stages and the report."""
    receipt = {
        "inputs": dict(sorted(result.hashes.items())),
        "respondents": result.respondents,
        "warnings": [asdict(w) for w in result.warnings],
    }
    return atomic.write_text(target, json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")
