"""Check every raw file before anything else runs, and say exactly what is wrong.

Each problem names the file, the row (as a line number in the file, header = line 1), the
column, the offending value, the rule it breaks and what to do. Errors stop the build; warnings
are printed and recorded in the receipt, which the report's methods appendix reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from poc1540.core import atomic, paths
from poc1540.core import manifest as manifest_module
from poc1540.core.codebook import Codebook, CodebookError
from poc1540.core.problems import CHUNK_ROWS, CsvError, Problem, cap, iter_csv_text, read_csv_text
from poc1540.intake import countries, schemas
from poc1540.intake.structure import check_codebook, check_manifest, load_yaml

NONRESPONSE_WARNING = 0.2  # share of empty answers in a survey column above which to warn


@dataclass
class Result:
    """Everything the validator found, plus the content hash of every file it read."""

    problems: list[Problem] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)

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
) -> list[Problem]:
    """Check the survey file chunk by chunk: schema errors, duplicate ids across the whole file,
    and warnings (unknown columns, States without a POC, high item non-response).

    ``nonresponse_warning`` is the share of empty answers in a column above which to warn: a
    policy value, so the caller states it (:func:`validate_all` passes :data:`NONRESPONSE_WARNING`).
    ``chunk_rows`` only bounds memory; it changes no result.
    """
    schema = schemas.survey_responses(codebook, members)
    key = next(q["id"] for q in codebook["questions"] if q["type"] == "key")
    known = set(schemas.survey_columns(codebook))
    # open text is answered only by those who ticked "other": its emptiness is not non-response
    answerable = known - {q["id"] for q in codebook["questions"] if q["type"] == "text"}
    # a question the edition did not ask (skip: true) is empty by design, not item non-response
    answerable -= set(schemas.survey_columns({"questions": [q for q in codebook["questions"] if q.get("skip") is True]}))
    with_poc = set(listing.loc[listing["poc_appointed"] == "yes", "iso3"]) if listing is not None else None
    fix = f"correct the value, or if it is a new valid answer add it to {codebook_shown}"
    problems: list[Problem] = []
    duplicates = _DuplicateIds(shown, key)
    empty: dict[str, int] = {}
    rows = 0
    try:
        for n, chunk in enumerate(iter_csv_text(path, shown, chunk_rows)):
            if n == 0:
                problems += _unknown_columns(chunk, known, shown)
            problems += problems_from_schema(schema, chunk, shown, fix=fix)
            rows += len(chunk)
            _count_empty(chunk, answerable, empty)
            if key in chunk.columns:
                problems += duplicates.check(chunk[key])
            if with_poc is not None and "country" in chunk.columns:
                problems += _states_without_poc(chunk["country"], with_poc, members, shown)
    except CsvError as exc:
        return [exc.problem]
    problems += _high_nonresponse(empty, rows, nonresponse_warning, shown)
    return cap([_explain_country(p) for p in problems])


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


def listing_after_snapshot(listing: pd.DataFrame, snapshot: str, shown: str) -> list[Problem]:
    """An appointment dated after the listing's snapshot (in the manifest) means one of them is wrong."""
    if "appointed_on" not in listing.columns or not re_iso_date(snapshot):
        return []
    late = listing[(listing["appointed_on"] != "") & (listing["appointed_on"] > snapshot)]
    return [
        Problem(
            shown,
            f"is after the listing's snapshot date {snapshot} (data/raw/manifest.yaml)",
            row=int(i) + 2,
            column="appointed_on",
            value=v,
            fix="correct the date, or update the snapshot in the manifest for a newer listing",
        )
        for i, v in late["appointed_on"].items()
    ]


def re_iso_date(text: str) -> bool:
    """True for a plain ISO date (YYYY-MM-DD)."""
    import re

    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def _explain_country(problem: Problem) -> Problem:
    """For a value that is not a Member State's ISO3 code, say what it is and what to write."""
    if problem.rule != schemas.MEMBER_RULE or not problem.value:
        return problem
    resolution = countries.resolve_member(problem.value)
    if resolution.ok and resolution.iso3:
        name = countries.member_states().get(resolution.iso3, resolution.iso3)
        return replace(problem, fix=f"write the ISO3 code '{resolution.iso3}' ({name}) instead of the name")
    return replace(problem, rule=f"{problem.rule}: it {resolution.rule}", fix=resolution.fix)


def validate_all(raw_dir: Path = paths.DATA_RAW) -> Result:
    """Validate the manifest, the reference data, the listings, the codebook and the survey."""
    raw_dir = Path(raw_dir)
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
        result.problems += listing_after_snapshot(
            frames["poc_listing"], str(manifest["files"][listing_name]["snapshot"]), shown(listing_name)
        )

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
    result.problems += survey_problems(
        manifest_module.location(name, manifest["files"][name], raw_dir),
        shown(name),
        codebook.raw,
        members,
        frames.get("poc_listing"),
        codebook_shown=shown(cb_name),
        nonresponse_warning=NONRESPONSE_WARNING,
    )
    return result


def write_receipt(result: Result, target: Path = paths.VALIDATION_RECEIPT) -> Path:
    """Record what was validated (content hashes) and the warnings, for later stages and the report."""
    receipt = {
        "inputs": dict(sorted(result.hashes.items())),
        "warnings": [asdict(w) for w in result.warnings],
    }
    return atomic.write_text(target, json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")
