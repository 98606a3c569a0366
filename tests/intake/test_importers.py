"""The survey importers: every export format gives exactly the canonical table, or clear problems."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

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


def test_make_xlsx_is_reproducible(tmp_path: Path) -> None:
    """Running the fixture script again gives the committed bytes (so it leaves git clean)."""
    import importlib.util

    for name in ("qualtrics_columns.csv", "surveymonkey.csv", "make_xlsx.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    spec = importlib.util.spec_from_file_location("make_xlsx", tmp_path / "make_xlsx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.qualtrics()
    module.surveymonkey()
    for name in ("qualtrics.xlsx", "surveymonkey.xlsx"):
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name
