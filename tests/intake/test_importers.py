"""The survey importers: every export format gives exactly the canonical table, or clear problems."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from poc1540 import cli
from poc1540.core import paths
from poc1540.intake import countries, importers, schemas, validate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"
EXPECTED = FIXTURES / "expected.csv"

CASES = [
    ("canonical", "canonical.csv"),
    ("canonical", "expected.csv"),
    ("qualtrics", "qualtrics_joined.csv"),
    ("qualtrics", "qualtrics_columns.csv"),
    ("qualtrics-xlsx", "qualtrics.xlsx"),
    ("surveymonkey", "surveymonkey.csv"),
    ("surveymonkey-xlsx", "surveymonkey.xlsx"),
    ("surveymonkey", "surveymonkey_condensed.csv"),  # "condensed" columns: one column per multi-select question
]


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def imported_bytes(df, tmp_path: Path) -> bytes:
    """The codebook's columns as written (the response metadata is checked on its own)."""
    return importers.write_canonical(df.drop(columns=list(schemas.RESPONSE_METADATA), errors="ignore"), tmp_path / "out.csv").read_bytes()


def only_error(problems):
    found = errors(problems)
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


def variant(tmp_path: Path, name: str, edit, encoding: str = "utf-8") -> Path:
    """A copy of a fixture with its text edited (the BOM, if any, is kept out of the edit)."""
    text = (FIXTURES / name).read_bytes().decode("utf-8-sig")
    target = tmp_path / name
    target.write_bytes(edit(text).encode(encoding))
    return target


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_every_fixture_imports_to_exactly_the_expected_table(fmt: str, name: str, tmp_path: Path) -> None:
    df, problems = importers.import_survey(FIXTURES / name, fmt)
    assert df is not None, "\n".join(map(str, problems))
    assert imported_bytes(df, tmp_path) == EXPECTED.read_bytes()
    # Qualtrics' preview row is skipped with a warning; a SurveyMonkey export without a response
    # status column is said to count every response; nothing else is said
    assert all(p.severity == "warning" and ("Survey Preview" in p.rule or "'Response Status'" in p.rule) for p in problems), "\n".join(
        map(str, problems)
    )


def test_imported_table_passes_the_project_validator(raw_copy: Path) -> None:
    df, _ = importers.import_survey(FIXTURES / "surveymonkey.xlsx", "surveymonkey-xlsx")
    importers.write_canonical(df, raw_copy / "survey_responses.csv")
    result = validate.validate_all(raw_copy)
    assert result.ok, "\n".join(map(str, result.errors))


def test_unknown_answer_text_names_row_column_value_and_fix(tmp_path: Path) -> None:
    path = variant(tmp_path, "qualtrics_joined.csv", lambda t: t.replace("Ministry of Defence", "Ministry of National Defence"))
    df, problems = importers.import_survey(path, "qualtrics")
    assert df is None
    problem = only_error(problems)
    # three header rows, the preview on line 4, R001 on line 5: R005 (Brazil) is on line 9
    assert problem.row == 9
    assert problem.column.startswith("Q2 (column S)")
    assert problem.value == "Ministry of National Defence"
    assert "params/import/qualtrics.yaml" in problem.fix and "survey_codebook.yaml" in problem.fix
    assert "defence" in problem.fix


def test_unknown_choice_in_a_comma_joined_answer_is_named(tmp_path: Path) -> None:
    path = variant(
        tmp_path, "qualtrics_joined.csv", lambda t: t.replace(",An annual global POC meeting", ",A yearly global POC meeting", 1)
    )
    _, problems = importers.import_survey(path, "qualtrics")
    problem = only_error(problems)
    assert problem.value == "A yearly global POC meeting" and problem.column.startswith("Q11") and problem.row == 6


def test_unknown_option_column_of_a_multi_select_is_an_error(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        lines = text.split("\n")
        lines[1] = lines[1].replace("Define POC roles in Council or Committee guidance", "Define POC roles in a Council resolution")
        return "\n".join(lines)

    _, problems = importers.import_survey(variant(tmp_path, "surveymonkey.csv", edit), "surveymonkey")
    problem = only_error(problems)
    assert "sugg_define_roles" in problem.rule or "Define POC roles in Council or Committee guidance" in problem.rule
    assert "Define POC roles in a Council resolution" in problem.fix  # the closest option in the export


def test_reworded_question_needs_only_a_mapping_change(tmp_path: Path) -> None:
    old = "Which institution do you work for?"
    new = "Which institution is your home institution?"
    export = variant(tmp_path, "surveymonkey.csv", lambda t: t.replace(old, new))
    _, problems = importers.import_survey(export, "surveymonkey")
    problem = only_error(problems)
    assert old in problem.rule and "agency" in problem.rule
    mapping = tmp_path / "sm.yaml"
    mapping.write_text((paths.PARAMS / "import" / "surveymonkey.yaml").read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    df, problems = importers.import_survey(export, "surveymonkey", mapping)
    assert df is not None and imported_bytes(df, tmp_path) == EXPECTED.read_bytes()


def test_unresolvable_country_suggests_the_closest_member_state(tmp_path: Path) -> None:
    path = variant(tmp_path, "surveymonkey.csv", lambda t: t.replace(",Kenya,", ",Kenia,"))
    _, problems = importers.import_survey(path, "surveymonkey")
    problem = only_error(problems)
    assert problem.value == "Kenia" and problem.row == 8
    assert "'Kenya'" in problem.fix


NON_MEMBERS = {  # country in the fixture -> (non-member put in its place, the reason given)
    "Cote d'Ivoire": ("Kosovo", "which is not a UN Member State"),
    "Türkiye": ("Holy See", "a non-member observer State"),
    '"Korea, Republic of"': ("State of Palestine", "a non-member observer State"),
    "United States of America": ("Taiwan", "which is not a UN Member State"),
    "Brazil": ("Puerto Rico", "a territory"),
    "Kenya": ("Western Sahara", "a territory"),
}


def test_non_members_are_refused_with_the_reason(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        for old, (new, _) in NON_MEMBERS.items():
            text = text.replace(f",{old},", f",{new},", 1)
        return text

    _, problems = importers.import_survey(variant(tmp_path, "qualtrics_columns.csv", edit), "qualtrics")
    found = errors(problems)
    assert [(p.row, p.value) for p in found] == [(row, new) for row, (new, _) in enumerate(NON_MEMBERS.values(), start=5)], "\n".join(
        map(str, problems)
    )
    for problem, (_, reason) in zip(found, NON_MEMBERS.values()):
        assert problem.column.startswith("Q1 ") and reason in problem.rule and "not a UN Member State" in problem.rule


def test_latin1_file_is_refused_with_byte_and_line_unless_encoding_is_given(tmp_path: Path) -> None:
    path = variant(tmp_path, "surveymonkey.csv", lambda t: t, encoding="cp1252")
    df, problems = importers.import_survey(path, "surveymonkey")
    problem = only_error(problems)
    assert df is None and problem.row == 3
    assert "0xf4" in problem.rule and "line 3" in problem.rule  # the ô of Côte d'Ivoire
    assert "--encoding cp1252" in problem.fix
    df, problems = importers.import_survey(path, "surveymonkey", encoding="cp1252")
    assert df is not None, "\n".join(map(str, problems))
    assert df.loc[0, "country"] == "CIV"
    assert "Lomé" in df.loc[0, "sugg_other_text"]
    assert imported_bytes(df, tmp_path) == EXPECTED.read_bytes()
    # the same through the mapping file
    mapping = tmp_path / "sm.yaml"
    mapping.write_text(
        (paths.PARAMS / "import" / "surveymonkey.yaml").read_text(encoding="utf-8").replace("encoding: utf-8", "encoding: cp1252"),
        encoding="utf-8",
    )
    df, _ = importers.import_survey(path, "surveymonkey", mapping)
    assert df is not None and df.loc[0, "country"] == "CIV"


def test_utf8_is_tried_first_even_when_cp1252_is_allowed(tmp_path: Path) -> None:
    df, _ = importers.import_survey(FIXTURES / "qualtrics_joined.csv", "qualtrics", encoding="cp1252")
    assert df.loc[1, "country"] == "TUR" and "Lomé" in df.loc[0, "sugg_other_text"]


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "sm.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "surveymonkey.csv").read_bytes().replace(b"\n", b"\r\n"))
    df, problems = importers.import_survey(path, "surveymonkey")
    assert df is not None, "\n".join(map(str, problems))
    assert imported_bytes(df, tmp_path) == EXPECTED.read_bytes()


def test_truncated_file_with_an_open_quote_is_a_clear_problem(tmp_path: Path) -> None:
    text = (FIXTURES / "qualtrics_joined.csv").read_bytes()
    cut = text.index(b'"A ""train the trainer"" course') + 10  # inside R001's quoted open answer, line 5
    path = tmp_path / "cut.csv"
    path.write_bytes(text[:cut])
    df, problems = importers.import_survey(path, "qualtrics")
    problem = only_error(problems)
    assert df is None and problem.row == 5 and "cut short" in problem.rule


def test_cut_short_row_without_quotes_is_a_clear_problem(tmp_path: Path) -> None:
    text = (FIXTURES / "surveymonkey.csv").read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.rindex(",Norway,") + 8], encoding="utf-8")
    _, problems = importers.import_survey(path, "surveymonkey")
    problem = only_error(problems)
    assert problem.row == 9 and "cut short" in problem.rule


@pytest.mark.parametrize(
    ("fmt", "name", "header_rows"),
    [("qualtrics", "qualtrics_joined.csv", 3), ("surveymonkey", "surveymonkey.csv", 2), ("canonical", "expected.csv", 1)],
)
def test_header_only_export_is_a_clear_problem(fmt: str, name: str, header_rows: int, tmp_path: Path) -> None:
    path = variant(tmp_path, name, lambda t: "".join(t.splitlines(keepends=True)[:header_rows]))
    df, problems = importers.import_survey(path, fmt)
    assert df is None and "no responses" in only_error(problems).rule


def test_legacy_qualtrics_export_with_two_header_rows_is_recognised(tmp_path: Path) -> None:
    def drop_import_ids(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join(lines[:2] + lines[3:])

    _, problems = importers.import_survey(variant(tmp_path, "qualtrics_joined.csv", drop_import_ids), "qualtrics")
    assert "three header rows" in only_error(problems).rule


def test_rows_are_file_lines_even_when_an_answer_spans_lines(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = text.replace("course in French, like", "course in French,\nlike")
        return text.replace("R003,KOR,2020-10-02,mission_un", "R003,KOR,2020-10-02,ministry")

    _, problems = importers.import_survey(variant(tmp_path, "expected.csv", edit), "canonical")
    problem = only_error(problems)
    assert problem.row == 5 and problem.value == "ministry"  # header 1, R001 lines 2-3, R002 4, R003 5


def test_validator_rules_are_reported_by_export_line_and_column(tmp_path: Path) -> None:
    path = variant(tmp_path, "qualtrics_joined.csv", lambda t: t.replace("2020-11-27 17:43:20", "2020-12-03 17:43:20"))
    _, problems = importers.import_survey(path, "qualtrics")
    problem = only_error(problems)
    assert problem.row == 11 and problem.column.startswith("RecordedDate") and problem.column.endswith("-> submitted")
    assert "fieldwork window" in problem.rule


def test_response_id_becomes_respondent_id_only_when_the_mapping_says_so(tmp_path: Path) -> None:
    df, _ = importers.import_survey(FIXTURES / "qualtrics_columns.csv", "qualtrics")
    assert list(df["respondent_id"]) == [f"R{n:03d}" for n in range(1, 8)]
    mapping = yaml.safe_load((paths.PARAMS / "import" / "qualtrics.yaml").read_text(encoding="utf-8"))
    mapping["questions"]["respondent_id"] = {"column": "ResponseId"}
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    df, _ = importers.import_survey(FIXTURES / "qualtrics_columns.csv", "qualtrics", path)
    assert df.loc[0, "respondent_id"] == "R_1jUyGfQ2mXbN8kP"


def test_mapping_mistakes_are_reported_before_reading_the_export(tmp_path: Path) -> None:
    mapping = yaml.safe_load((paths.PARAMS / "import" / "qualtrics.yaml").read_text(encoding="utf-8"))
    mapping["questions"]["agency"]["answers"]["Ministry of Interior"] = "home_affairs"
    mapping["questions"]["written_mandate"]["answers"] = {True: "yes"}
    del mapping["questions"]["tenure"]
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    _, problems = importers.import_survey(FIXTURES / "qualtrics_joined.csv", "qualtrics", path)
    rules = " | ".join(p.rule for p in errors(problems))
    assert "'home_affairs', which is not a code of 'agency'" in rules
    assert "true/false" in rules
    assert "says nothing about the codebook question 'tenure'" in rules


def test_cli_run_writes_nothing_when_the_import_fails(tmp_path: Path) -> None:
    out = tmp_path / "survey_responses.csv"
    out.write_text("previous\n", encoding="utf-8")
    bad = variant(tmp_path, "surveymonkey.csv", lambda t: t.replace(",Kenya,", ",Atlantis,"))
    err, log = io.StringIO(), io.StringIO()
    assert importers.run(bad, "surveymonkey", out=out, err=err, log=log) == 1
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert "Atlantis" in err.getvalue() and "Nothing was written" in err.getvalue()
    assert importers.run(FIXTURES / "surveymonkey.csv", "surveymonkey", out=out, err=err, log=log) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
    assert list(written.columns) == [*expected.columns, "submitted_at"]  # End Date, to the second
    pd.testing.assert_frame_equal(written[expected.columns], expected)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".survey_responses")]  # no temporary left


def test_missing_file_and_unknown_format_are_problems_not_tracebacks(tmp_path: Path) -> None:
    _, problems = importers.import_survey(tmp_path / "nope.csv", "qualtrics")
    assert "does not exist" in only_error(problems).rule
    _, problems = importers.import_survey(FIXTURES / "qualtrics.xlsx", "qualtrics")  # an xlsx given as CSV
    assert errors(problems)
    _, problems = importers.import_survey(FIXTURES / "qualtrics_joined.csv", "qualtrics-xlsx")  # a CSV given as xlsx
    assert "Excel workbook" in only_error(problems).rule
    _, problems = importers.import_survey(FIXTURES / "qualtrics_joined.csv", "spss")
    assert "--format" in only_error(problems).fix


def test_xlsx_merged_header_cells_are_filled(tmp_path: Path) -> None:
    grid = importers.read_xlsx(FIXTURES / "surveymonkey.xlsx", "sm.xlsx")
    tasks = "Which of these tasks have you performed in the last three years? (Select all that apply)"
    assert grid.rows[0].count(tasks) == 10  # written once, merged over its ten option columns


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Korea, Republic of", "KOR"),
        ("Republic of Korea", "KOR"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo", "COG"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Guinea", "GIN"),
        ("Guinea-Bissau", "GNB"),
        ("Namibia", "NAM"),
        ("civ", "CIV"),
    ],
)
def test_country_spellings_resolve_to_iso3(name: str, iso3: str) -> None:
    assert countries.resolve_member(name).iso3 == iso3


def test_every_member_state_name_resolves_to_itself() -> None:
    for iso3, name in countries.member_states().items():
        assert countries.resolve(name) == iso3, name


def test_suggest_gives_the_closest_member_state() -> None:
    assert countries.suggest("Germny") == "Germany"
    assert countries.resolve("Atlantis") is None
    resolution = countries.resolve_member("Atlantis")
    assert not resolution.ok and "closest Member State" in resolution.fix


def test_fixture_scripts_are_reproducible(tmp_path: Path) -> None:
    """Running the fixture scripts again gives the committed bytes (so they leave git clean)."""
    import importlib.util

    for name in ("qualtrics_columns.csv", "qualtrics_partial.csv", "surveymonkey.csv", "make_xlsx.py", "make_exports.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    modules = {}
    for script in ("make_exports", "make_xlsx"):
        spec = importlib.util.spec_from_file_location(script, tmp_path / f"{script}.py")
        modules[script] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(modules[script])
    exports, xlsx = modules["make_exports"], modules["make_xlsx"]
    exports.surveymonkey_status()
    exports.surveymonkey_condensed()
    exports.qualtrics_tsv()
    xlsx.qualtrics()
    xlsx.surveymonkey()
    xlsx.surveymonkey("surveymonkey_status.csv", "surveymonkey_status.xlsx")
    made = (
        "qualtrics.xlsx",
        "surveymonkey.xlsx",
        "surveymonkey_status.xlsx",
        "surveymonkey_status.csv",
        "surveymonkey_condensed.csv",
        "qualtrics_export.tsv",
    )
    for name in made:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


# --- completion fields, and parsers that never guess (issue 10 §1, §5), through the real command

PARTIAL = FIXTURES / "qualtrics_partial.csv"  # qualtrics_columns.csv plus unfinished, repeated and test responses


def poc1540_import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``poc1540 import ARGS`` as the console script runs it: exit code, stdout, stderr."""
    code = cli.main(["import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def qualtrics_export(path: Path) -> pd.DataFrame:
    """A Qualtrics CSV read independently: row 1 names the columns, rows 2-3 are header rows."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=[1, 2], encoding="utf-8-sig")


def refused_unchanged(capsys, tmp_path: Path, *args: str) -> str:
    """Run an import that must be refused over a previous output; the output keeps its bytes. Returns stderr."""
    out = tmp_path / "previous.csv"
    out.write_bytes(EXPECTED.read_bytes())
    code, _, err = poc1540_import(capsys, *args, "--out", str(out))
    assert code == 1, err
    assert out.read_bytes() == EXPECTED.read_bytes()
    assert "Nothing was written" in err and "Traceback" not in err
    return err


def test_qualtrics_completion_fields_are_kept_as_finished_and_submitted_at(capsys, tmp_path: Path) -> None:
    out = tmp_path / "survey.csv"
    code, log, err = poc1540_import(capsys, "--format", "qualtrics", str(PARTIAL), "--out", str(out))
    assert code == 0, err
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    export = qualtrics_export(PARTIAL)
    real = export[~export["Status"].isin(["Survey Preview", "Survey Test"])].reset_index(drop=True)
    assert list(written["finished"]) == ["yes" if f == "True" else "no" for f in real["Finished"]]
    assert list(written["submitted_at"]) == [d.replace(" ", "T") for d in real["RecordedDate"]]
    # the response abandoned before the first question imports, with no State
    assert (written.loc[real["Q1"] == "", "country"] == "").all()
    assert "'Survey Test' response" in log and "'Survey Preview' response" in log
    # the command says how many will count: one submitted response per State
    submitted = real[(real["Finished"] == "True") & (real["Q1"] != "")]
    assert f"{submitted['Q1'].nunique()} of the {len(real)} responses count as respondents" in log


def test_numeric_qualtrics_export_finished_1_0_and_contradictory_progress(capsys, tmp_path: Path) -> None:
    def numeric(text: str) -> str:
        return text.replace(",True,", ",1,").replace(",False,", ",0,")

    df, problems = importers.import_survey(variant(tmp_path, "qualtrics_partial.csv", numeric), "qualtrics")
    assert df is not None, "\n".join(map(str, problems))
    assert list(df["finished"]).count("no") == 2

    # a response marked finished whose progress is 60% is refused, not guessed either way
    def contradiction(text: str) -> str:
        return text.replace("192.0.2.14,100,734,True", "192.0.2.14,60,734,True", 1)

    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(variant(tmp_path, "qualtrics_partial.csv", contradiction)))
    assert "row 5" in err and "column 'Finished (column G)'" in err and "progress is 60%" in err


def surveymonkey_with_status(statuses: list[str]) -> str:
    """surveymonkey.csv with SurveyMonkey's response status column after End Date (row 2 empty there)."""
    lines = (FIXTURES / "surveymonkey.csv").read_text(encoding="utf-8").split("\n")
    out = []
    for n, line in enumerate(lines):
        if not line:
            out.append(line)
            continue
        cells = next(csv.reader([line]))
        value = "Response Status" if n == 0 else "" if n == 1 else statuses[n - 2]
        cells.insert(4, value)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        out.append(buf.getvalue())
    return "\n".join(out)


def test_surveymonkey_completed_and_partial_status(tmp_path: Path) -> None:
    rows = len(pd.read_csv(FIXTURES / "surveymonkey.csv", skiprows=[1]))
    statuses = ["Completed"] * rows
    statuses[2] = "Partial"
    path = tmp_path / "sm.csv"
    path.write_text(surveymonkey_with_status(statuses), encoding="utf-8")
    df, problems = importers.import_survey(path, "surveymonkey")
    assert df is not None, "\n".join(map(str, problems))
    assert list(df["finished"]) == ["no" if s == "Partial" else "yes" for s in statuses]
    assert not [p for p in problems if "Response Status" in p.rule]  # the column is there: no warning


def test_formula_cell_is_refused_with_paste_values_fix(capsys, tmp_path: Path) -> None:
    formula = '"=IF(A2=""France"",""x"")"'
    path = variant(tmp_path, "qualtrics_columns.csv", lambda t: t.replace(",Kenya,", f",{formula},", 1))
    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(path))
    assert "row 10" in err and "column 'Q1 (column R)'" in err and '\'=IF(A2="France","x")\'' in err
    assert "spreadsheet formula" in err and "as values" in err
    assert err.count("ERROR") == 1  # the formula is not also judged as a country name


@pytest.mark.parametrize("cell", ["see France", "France (see note)"])
def test_a_state_name_inside_other_text_does_not_resolve(cell: str, capsys, tmp_path: Path) -> None:
    path = variant(tmp_path, "qualtrics_columns.csv", lambda t: t.replace(",Kenya,", f',"{cell}",', 1))
    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(path))
    assert "row 10" in err and "column 'Q1 (column R)'" in err and repr(cell) in err
    assert "holds other text besides a country name" in err and "FRA" not in err


def test_iso2_and_iso3_codes_in_any_case_resolve(tmp_path: Path) -> None:
    codes = {"Cote d'Ivoire": "ci", "Türkiye": "TR", '"Korea, Republic of"': "kor", "Brazil": "Br"}

    def edit(text: str) -> str:
        for old, new in codes.items():
            text = text.replace(f",{old},", f",{new},", 1)
        return text

    df, problems = importers.import_survey(variant(tmp_path, "qualtrics_columns.csv", edit), "qualtrics")
    assert df is not None, "\n".join(map(str, problems))
    expected = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
    assert list(df["country"]) == list(expected["country"])  # CIV, TUR, KOR, ..., BRA as from the names


def test_duplicate_column_header_is_refused_naming_both_columns(capsys, tmp_path: Path) -> None:
    def edit(text: str) -> str:
        lines = text.split("\n")
        lines[0] = lines[0].replace(",Q3,", ",Q2,", 1)
        return "\n".join(lines)

    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(variant(tmp_path, "qualtrics_columns.csv", edit)))
    assert "two columns with the same name" in err and "column 'Q2 (column T)'" in err and "also column S" in err


def test_excel_trailing_blank_rows_and_columns_are_dropped_with_a_note(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(FIXTURES / "qualtrics.xlsx")
    sheet = wb.worksheets[0]
    width, height = sheet.max_column, sheet.max_row
    # five blank rows below, three blank columns right: cells a user cleared with a space bar, which
    # Excel keeps (truly empty cells are not in the file at all)
    for r in range(1, height + 6):
        for c in range(width + 1, width + 4):
            sheet.cell(r, c).value = " "
    for r in range(height + 1, height + 6):
        sheet.cell(r, 1).value = " "
    path = tmp_path / "q.xlsx"
    wb.save(path)
    df, problems = importers.import_survey(path, "qualtrics-xlsx")
    assert df is not None, "\n".join(map(str, problems))
    assert imported_bytes(df, tmp_path) == EXPECTED.read_bytes()
    notes = [p.rule for p in problems if "ignored" in p.rule]
    assert len(notes) == 2 and any("3 empty column(s)" in n for n in notes), notes


def test_csv_saved_by_excel_with_trailing_separators_and_blank_lines(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        lines = text.rstrip("\n").split("\n")
        return "\n".join(line + ",,," for line in lines) + "\n" + ",,,,,\n" * 4

    df, problems = importers.import_survey(variant(tmp_path, "expected.csv", edit), "canonical")
    assert df is not None, "\n".join(map(str, problems))
    assert imported_bytes(df, tmp_path) == EXPECTED.read_bytes()
    assert not errors(problems) and len([p for p in problems if "ignored" in p.rule]) == 2


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"", b"\xef\xbb\xbf\r\n"])
def test_bom_only_or_empty_file_is_a_clean_message(content: bytes, capsys, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(path))
    assert "export.csv" in err and ("byte-order mark" in err or "is empty" in err)


def test_over_long_cell_is_reported_with_row_and_column(capsys, tmp_path: Path) -> None:
    long_answer = "I would like " + "much more training " * 8000  # 144k characters, above the CSV reader's limit
    path = variant(tmp_path, "qualtrics_columns.csv", lambda t: t.replace("more, shorter meetings", long_answer, 1))
    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(path))
    assert (
        "row 9" in err
        and "Q11_8_TEXT" in err
        and f"{len(long_answer) + len('Translation of Committee documents into Portuguese; '):,} characters" in err
    )
    assert "quote" not in err.split("Fix:")[0]


def test_excel_serial_date_is_refused_with_the_fix(capsys, tmp_path: Path) -> None:
    path = variant(tmp_path, "qualtrics_columns.csv", lambda t: t.replace(",2020-10-15 13:32:44,R_6Mf", ",44119,R_6Mf", 1))
    err = refused_unchanged(capsys, tmp_path, "--format", "qualtrics", str(path))
    assert "row 8" in err and "RecordedDate" in err and "'44119'" in err and "Excel date serial number" in err
    assert "format the column as dates" in err


def test_numeric_dates_are_refused_unless_a_date_format_is_given(capsys, tmp_path: Path) -> None:
    day_first = variant(tmp_path, "expected.csv", lambda t: t.replace(",2020-10-02,", ",02/10/2020,", 1))
    err = refused_unchanged(capsys, tmp_path, "--format", "canonical", str(day_first))
    assert "row 4" in err and "column 'submitted (column C)'" in err and "'02/10/2020'" in err and "--date-format" in err
    out = tmp_path / "survey.csv"
    code, _, err = poc1540_import(capsys, "--format", "canonical", str(day_first), "--date-format", "%d/%m/%Y", "--out", str(out))
    assert code == 0, err
    assert pd.read_csv(out, dtype=str).loc[2, "submitted"] == "2020-10-02"
