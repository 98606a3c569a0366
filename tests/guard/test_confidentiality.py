"""The confidentiality guard, on real copies of the published outputs with leaks planted in them.

The committed outputs are copied into a scratch root (as ``POC1540_ROOT`` would point at it);
every planted leak must be reported under its rule and in its file, and nothing else may change.
Only one scan reads the real 17-page PDF; the other copies carry a tiny PDF rendered with Typst
that has the report's top-level headings (as the copy's HTML report lists them).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from poc1540.core import manifest, params, paths
from poc1540.errors import UserError
from poc1540.guard import command
from poc1540.guard.audit import audit, scan
from poc1540.guard.model import (
    MIN_OPEN_TEXT,
    OPEN_TEXT,
    PER_STATE,
    RECEIPT,
    RESPONDENT_ID,
    RESPONDENT_ROWS,
    SMALL_CELL,
    SURVEY_SCOPE,
    UNREADABLE,
    Audit,
    Leak,
)

PUBLISHED = ["results", "report/_output", "report/_variables.yml", "report/_generated", "data/raw", "params"]
PDF = "report/_output/poc1540-report.pdf"
HTML = "report/_output/poc1540-report.html"
#: The parameters the guard stage runs with (the command reads them; audit and scan are given them).
MIN_CELL = params.value("common", "min_cell_size")
STATE_LEVEL = params.value("guard", "state_level_results")


def copy_published(root: Path) -> Path:
    for rel in PUBLISHED:
        src, dst = paths.ROOT / rel, root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*"))
        else:
            shutil.copy2(src, dst)
    (root / RECEIPT).unlink(missing_ok=True)
    return root


def report_headings(root: Path) -> list[tuple[str, str]]:
    """(number, title) of each top-level heading of the HTML report in ``root``, in order."""
    found = []
    for attrs, inner in re.findall(r"<h1([^>]*)>(.*?)</h1>", (root / HTML).read_text(encoding="utf-8"), flags=re.DOTALL):
        if 'class="title"' in attrs:
            continue
        number = re.search(r'<span class="header-section-number">([^<]*)</span>', inner)
        title = " ".join(
            html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'<span class="header-section-number">[^<]*</span>', "", inner))).split()
        )
        found.append((number.group(1) if number else "", title))
    return found


def tiny_pdf(
    target: Path,
    survey_text: str = "Nothing to see.",
    appendix_text: str = "Sources.",
    omit: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
) -> Path:
    """A small PDF with the top-level headings of the HTML report beside it, rendered with Typst.

    ``survey_text`` goes under "Who answered", ``appendix_text`` under "Methods and data",
    ``extra`` maps other titles to their text; ``omit`` leaves headings out.
    """
    import typst

    texts = {"Who answered": survey_text, "Methods and data": appendix_text, **(extra or {})}
    body = []
    for number, title in report_headings(target.parents[2]):
        if title in omit:
            continue
        if number:
            body.append(f"= {title}")
        else:
            body.append(f"#heading(numbering: none)[{title}]")
        body.append(texts.get(title, f"The text of {title}."))
    source = target.with_suffix(".typ")
    source.write_text('#set page(width: 14cm, height: auto)\n#set heading(numbering: "1.1")\n' + "\n\n".join(body) + "\n", encoding="utf-8")
    typst.compile(str(source), output=str(target))
    source.unlink()
    return target


@pytest.fixture(scope="module")
def survey() -> dict[str, str]:
    """Facts about the survey file to plant: an id, a country (ISO3 and name), an open-text answer."""
    with open(manifest.input_path("survey_responses"), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(paths.MEMBER_STATES, encoding="utf-8", newline="") as handle:
        names = {r["iso3"]: r["name"] for r in csv.DictReader(handle)}
    answered = {r["country"] for r in rows}
    texts = [r for r in rows if len(r["sugg_other_text"].strip()) >= MIN_OPEN_TEXT]
    assert texts, "the survey file has no open-text answer long enough to plant"
    # a State that did not answer, for the State-level chapter and the appendix
    other = next(iso for iso in sorted(names) if iso not in answered)
    return {
        "id": rows[0]["respondent_id"],
        "second_id": rows[1]["respondent_id"],
        "iso3": rows[2]["country"],
        "name": names[rows[3]["country"]],
        "text": texts[0]["sugg_other_text"],
        "n": str(len(rows)),
        "other_name": names[other],
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """The guard on an untouched copy of the committed outputs (the only scan of the real PDF)."""
    return audit(copy_published(tmp_path_factory.mktemp("published")), min_cell=MIN_CELL, state_level=STATE_LEVEL)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the published outputs with a clean tiny PDF in place of the report's."""
    root = copy_published(tmp_path / "root")
    tiny_pdf(root / PDF)
    return root


def new_leaks(root: Path, baseline: Audit, **kwargs) -> list[Leak]:
    """Leaks in ``root`` that the untouched copy does not have (the real PDF is not compared)."""
    before = {leak for leak in baseline.leaks if leak.file != PDF}
    options = {"min_cell": MIN_CELL, "state_level": STATE_LEVEL, **kwargs}
    return [leak for leak in scan(root, **options) if leak not in before]


def found(leaks: list[Leak], file: str, rule: str) -> list[Leak]:
    return [leak for leak in leaks if leak.file == file and leak.rule == rule]


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def add_output(path: Path, output: dict, code: str | None = None) -> None:
    """Add an output (and optionally replace the source) of the notebook's last code cell."""

    def change(nb):
        cell = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
        cell["outputs"].append(output)
        if code is not None:
            cell["source"] = code

    edit_json(path, change)


# --------------------------------------------------------------------------- the committed outputs


def test_published_outputs_pass(baseline: Audit) -> None:
    assert [str(leak) for leak in baseline.leaks] == []


def test_the_scan_covers_every_kind_of_output(baseline: Audit, survey: dict[str, str]) -> None:
    scanned = set(baseline.files)
    assert {PDF, "report/_output/poc1540-report.html", "report/_variables.yml", "report/_generated/findings_register.md"} <= scanned
    for suffix in (".ipynb", ".svg", ".md", ".csv", "findings.json"):
        assert any(f.startswith("results/") and f.endswith(suffix) for f in scanned), suffix
    assert any(f.startswith("report/_output/notebooks/") for f in scanned)
    assert RECEIPT.as_posix() not in scanned
    assert baseline.skipped == []
    # 02_coverage is State-level (the 1540 Committee listings); every other notebook reads the survey
    assert baseline.survey_folders == [
        f"results/{n}" for n in ("01_prepare", "03_respondents", "04_tasks_roles", "05_support", "06_challenges", "07_suggestions")
    ]
    assert baseline.respondents == int(survey["n"]) and baseline.open_texts > 0 and baseline.min_cell == MIN_CELL


# --------------------------------------------------------------------------- planted leaks


def test_planted_leaks_are_reported(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    # a respondent id in a published table
    table = root / "results/04_tasks_roles/role_by_group.md"
    table.write_text(table.read_text(encoding="utf-8").replace("African Group", f"African Group ({survey['id']})"), encoding="utf-8")
    # an open-text answer in a finding's text
    edit_json(root / "results/07_suggestions/findings.json", lambda d: d["findings"][1].update(text=survey["text"].upper()))
    # a responding State's name and ISO3 code in executed survey notebooks' outputs
    add_output(
        root / "results/04_tasks_roles/04_tasks_roles.ipynb",
        {"output_type": "stream", "name": "stdout", "text": [f"largest: {survey['name']}\n"]},
    )
    add_output(
        root / "results/06_challenges/06_challenges.ipynb",
        {"output_type": "execute_result", "execution_count": 99, "metadata": {}, "data": {"text/plain": [f"'{survey['iso3']}'"]}},
    )
    # a cell of 3 in a survey table
    support = root / "results/05_support/support_by_report.md"
    support.write_text(
        support.read_text(encoding="utf-8").replace("| First report submitted | s | s | s |", "| First report submitted | s | 3 | s |"),
        encoding="utf-8",
    )
    # where the planted row is: below the data notice's line while the edition is illustrative
    planted_line = next(n for n, line in enumerate(support.read_text(encoding="utf-8").splitlines(), 1) if "| s | 3 | s |" in line)
    # a share of 2 of 40 in a figure's alt text
    edit_json(
        root / "results/05_support/findings.json",
        lambda d: d["figures"]["support_sources"].update(alt=d["figures"]["support_sources"]["alt"] + " Other 5% (2 of 40)."),
    )
    # a respondent-level table displayed by a survey notebook
    rows = "".join(f"<tr><th>{i}</th><td>yes</td></tr>" for i in range(40))
    add_output(
        root / "results/03_respondents/03_respondents.ipynb",
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "text/html": [
                    f"<table class='dataframe'><thead><tr><th></th><th>task_forward</th></tr></thead><tbody>{rows}</tbody></table>"
                ],
                "text/plain": ["..."],
            },
        },
    )
    # a respondent id (and a State in the survey chapters) in the PDF
    tiny_pdf(root / PDF, survey_text=f"Respondent {survey['second_id']} works in {survey['name']}.")

    leaks = new_leaks(root, baseline)
    assert found(leaks, "results/04_tasks_roles/role_by_group.md", RESPONDENT_ID)
    [open_text] = found(leaks, "results/07_suggestions/findings.json", OPEN_TEXT)
    assert survey["text"].casefold() not in str(open_text).casefold(), "the guard must not repeat the answer"
    assert found(leaks, "results/04_tasks_roles/04_tasks_roles.ipynb", PER_STATE)
    assert found(leaks, "results/06_challenges/06_challenges.ipynb", PER_STATE)
    assert (
        f"results/05_support/support_by_report.md, line {planted_line}, column 'No support': cell '3' is below the suppression threshold 5 (rule: small cell)"
        in map(str, leaks)
    )
    [alt] = found(leaks, "results/05_support/findings.json", SMALL_CELL)
    assert alt.location == "figures.support_sources.alt" and "(2 of 40)" in alt.detail
    assert found(leaks, "results/03_respondents/03_respondents.ipynb", RESPONDENT_ROWS)
    assert [leak.detail for leak in found(leaks, PDF, RESPONDENT_ID)] == [f"respondent id '{survey['second_id']}' from the survey file"]
    assert found(leaks, PDF, PER_STATE)
    planted = {
        "results/04_tasks_roles/role_by_group.md",
        "results/07_suggestions/findings.json",
        "results/04_tasks_roles/04_tasks_roles.ipynb",
        "results/06_challenges/06_challenges.ipynb",
        "results/05_support/support_by_report.md",
        "results/05_support/findings.json",
        "results/03_respondents/03_respondents.ipynb",
        PDF,
    }
    assert {leak.file for leak in leaks} == planted, "\n".join(map(str, leaks))


def test_code_is_not_an_output(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    notebook = root / "results/04_tasks_roles/04_tasks_roles.ipynb"
    code = f'respondents.set_index("respondent_id").loc["{survey["id"]}"]  # {survey["name"]}, {survey["iso3"]}\n'
    add_output(notebook, {"output_type": "stream", "name": "stdout", "text": ["fine\n"]}, code=code)
    html = root / "report/_output/notebooks/04_tasks_roles.html"
    editor = f'<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"><div class="highlight"><pre>{code}</pre></div></div>'
    html.write_text(html.read_text(encoding="utf-8").replace("</body>", f"{editor}</body>", 1), encoding="utf-8")
    assert new_leaks(root, baseline) == []

    add_output(notebook, {"output_type": "stream", "name": "stdout", "text": [code]})
    leaks = new_leaks(root, baseline)
    assert {
        leak.rule
        for leak in found(leaks, "results/04_tasks_roles/04_tasks_roles.ipynb", RESPONDENT_ID)
        + found(leaks, "results/04_tasks_roles/04_tasks_roles.ipynb", PER_STATE)
    } == {
        RESPONDENT_ID,
        PER_STATE,
    }


def test_state_level_outputs_may_name_states(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    # 02_coverage is about the Committee's listings: States may be named, small counts published ...
    add_output(
        root / "results/02_coverage/02_coverage.ipynb",
        {"output_type": "stream", "name": "stdout", "text": [f"{survey['name']} ({survey['iso3']}): 12% (1 of 8)\n"]},
    )
    # ... and the report's appendix lists States from the manifest notes.
    tiny_pdf(
        root / PDF,
        survey_text="Of the 8 States without a report, 12% (1 of 8) had a POC.",
        appendix_text=f"Notes: {survey['name']}, {survey['iso3']}; 5% (2 of 40).",
    )
    assert new_leaks(root, baseline) == []
    # but a respondent id is a leak anywhere, and a share that the State-level chapter does not publish is a survey cell
    add_output(root / "results/02_coverage/02_coverage.ipynb", {"output_type": "stream", "name": "stdout", "text": [f"{survey['id']}\n"]})
    tiny_pdf(root / PDF, survey_text="Of them, 13% (1 of 8) answered.")
    leaks = new_leaks(root, baseline)
    assert [(leak.file, leak.rule) for leak in leaks] == [
        ("report/_output/poc1540-report.pdf", SMALL_CELL),
        ("results/02_coverage/02_coverage.ipynb", RESPONDENT_ID),
    ]


def new_notebook(root: Path, name: str, code: str, output: str) -> Path:
    """A results folder ``name`` with an executed notebook: one code cell and its printed output."""
    folder = root / "results" / name
    folder.mkdir(parents=True)
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c1",
        "metadata": {},
        "source": [code],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": [output]}],
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / f"{name}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return folder


def test_an_undeclared_results_folder_is_survey_derived(root: Path, baseline: Audit) -> None:
    # reads the respondents without read_table("respondents"): the scope does not depend on the code
    folder = new_notebook(
        root, "08_extra", 'people = pd.read_parquet(DATA / "people.parquet")\nprint(share(people))\n', "Other: 5% (2 of 40)\n"
    )
    (folder / "by_group.md").write_text("| Group | Yes | No |\n|---|---|---|\n| African Group | 3 | 20 |\n", encoding="utf-8")
    leaks = new_leaks(root, baseline)
    assert {(leak.file, leak.rule) for leak in leaks} == {
        ("results/08_extra/08_extra.ipynb", SMALL_CELL),
        ("results/08_extra/by_group.md", SMALL_CELL),
    }
    assert "results/08_extra" in audit(root, min_cell=MIN_CELL, state_level=STATE_LEVEL).survey_folders
    # declared State-level (and its code reads no survey), the same outputs are State-level facts
    assert new_leaks(root, baseline, state_level=[*STATE_LEVEL, "08_extra"]) == []


def test_a_declared_folder_whose_code_reads_the_survey_is_a_scope_leak(root: Path, baseline: Audit) -> None:
    new_notebook(root, "08_extra", 'respondents = read_table("respondents")\nprint(share(respondents))\n', "Other: 5% (2 of 40)\n")
    leaks = new_leaks(root, baseline, state_level=[*STATE_LEVEL, "08_extra"])
    [wrong] = found(leaks, "results/08_extra/08_extra.ipynb", SURVEY_SCOPE)
    assert "08_extra" in wrong.detail and 'read_table("respondents"' in wrong.detail
    # the declaration is not an exemption: the small cell is still caught
    assert found(leaks, "results/08_extra/08_extra.ipynb", SMALL_CELL)
    assert "results/08_extra" in audit(root, min_cell=MIN_CELL, state_level=[*STATE_LEVEL, "08_extra"]).survey_folders


def add_report_section(root: Path, number: str, title: str, text: str) -> None:
    """A top-level section at the end of the HTML report (after the methods appendix)."""
    page = root / HTML
    section = f'<h1 id="sec-annex"><span class="header-section-number">{number}</span> {title}</h1>\n<p>{text}</p>\n'
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", section + "</main>", 1), encoding="utf-8")


def test_a_survey_chapter_after_the_methods_is_checked(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    number = str(1 + max(int(n) for n, _ in report_headings(root) if n))
    # the appendix before it is State-level: it may name States
    appendix = f"Notes: {survey['name']}, {survey['iso3']}."
    add_report_section(root, number, "Follow-up survey", "Nothing to see.")
    tiny_pdf(root / PDF, appendix_text=appendix)
    assert new_leaks(root, baseline) == []

    planted = f"Most follow-up answers came from {survey['name']}: 5% (2 of 40)."
    page = root / HTML
    page.write_text(page.read_text(encoding="utf-8").replace("Nothing to see.", planted), encoding="utf-8")
    tiny_pdf(root / PDF, appendix_text=appendix, extra={"Follow-up survey": planted})
    leaks = new_leaks(root, baseline)
    assert {(leak.file, leak.rule) for leak in leaks} == {(HTML, PER_STATE), (HTML, SMALL_CELL), (PDF, PER_STATE), (PDF, SMALL_CELL)}
    assert {leak.location for leak in leaks if leak.file == HTML} == {f"section '{number} Follow-up survey'"}


def test_the_state_level_class_is_what_exempts_a_section(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    page = root / HTML
    text = page.read_text(encoding="utf-8")
    [methods] = re.findall(r'<h1[^>]*id="sec-methods"[^>]*>', text)
    assert "state-level" in methods, "the methods appendix is declared State-level in its .qmd heading"
    end = text.index("</h1>", text.index(methods)) + len("</h1>")  # inside the methods section
    planted = text[:end] + f"<p>Notes: {survey['name']}.</p>" + text[end:]
    page.write_text(planted, encoding="utf-8")
    assert new_leaks(root, baseline) == []
    page.write_text(planted.replace(methods, re.sub(r"\s*state-level", "", methods).replace(' class=""', "")), encoding="utf-8")
    assert {(leak.file, leak.rule) for leak in new_leaks(root, baseline)} >= {(HTML, PER_STATE)}


def test_a_state_level_heading_missing_from_the_pdf_fails_closed(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    coverage = next(f"{n} {t}" for n, t in report_headings(root) if t == "POC coverage")
    tiny_pdf(root / PDF, omit=("POC coverage",), appendix_text=f"Notes: {survey['name']}.")
    leaks = new_leaks(root, baseline)
    [scope_leak] = found(leaks, PDF, SURVEY_SCOPE)
    assert f"'{coverage}'" in scope_leak.detail and scope_leak.location == "whole document"
    # the whole PDF is then survey-derived: the appendix's State is caught too
    assert found(leaks, PDF, PER_STATE)
    assert {leak.file for leak in leaks} == {PDF}


def test_a_pdf_without_the_headings_fails_closed(root: Path, baseline: Audit) -> None:
    tiny_pdf(root / PDF, omit=tuple(title for _, title in report_headings(root)))
    assert {(leak.file, leak.rule) for leak in new_leaks(root, baseline)} == {(PDF, SURVEY_SCOPE)}


# --------------------------------------------------------------------------- the command


def test_receipt_only_when_clean(root: Path, survey: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    receipt = root / RECEIPT
    # min cell 1: no count is small, so the copy (known leak included) is clean
    assert command.main(["--root", str(root), "--min-cell", "1"]) == 0
    data = json.loads(receipt.read_text(encoding="utf-8"))
    assert data["passed"] is True and data["min_cell"] == 1 and data["survey"] == "data/raw/survey_responses.csv"
    assert set(data["leaks_per_rule"].values()) == {0} and PDF in data["files_scanned"]
    assert "Confidentiality guard passed" in capsys.readouterr().out

    receipt.unlink()
    tiny_pdf(root / PDF, survey_text=f"Respondent {survey['id']}.")
    err = io.StringIO()
    assert command.guard(root, min_cell=1, state_level=STATE_LEVEL, out=io.StringIO(), err=err) == 1
    assert not receipt.exists()
    assert f"{PDF}, page 1: respondent id '{survey['id']}' from the survey file (rule: respondent id)" in err.getvalue()
    assert "Confidentiality guard failed: 1 leak(s)" in err.getvalue()


@pytest.mark.parametrize("bad", [0, -3, 2.5, "five", True])
def test_the_threshold_must_be_a_positive_integer(root: Path, bad: object, capsys: pytest.CaptureFixture[str]) -> None:
    common = root / "params/common.yaml"
    common.write_text(
        re.sub(r"(?m)^min_cell_size:.*$", f"min_cell_size: {json.dumps(bad)}", common.read_text(encoding="utf-8")), encoding="utf-8"
    )
    assert command.main(["--root", str(root)]) == 1
    message = capsys.readouterr().err
    written = bad if isinstance(bad, str) else json.dumps(bad)  # the value as the file holds it
    assert f"params/common.yaml, key 'min_cell_size': value {written!r} must be an integer ≥ 2" in message
    assert not (root / RECEIPT).exists()
    with pytest.raises(UserError, match="min_cell_size"):
        audit(root, min_cell=bad, state_level=STATE_LEVEL)  # type: ignore[arg-type]


def test_the_state_level_folders_must_be_a_list(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "params/guard.yaml").write_text("state_level_results: 02_coverage\n", encoding="utf-8")
    assert command.main(["--root", str(root), "--min-cell", "1"]) == 1
    message = capsys.readouterr().err
    assert "params/guard.yaml, key 'state_level_results': value '02_coverage' must be a list of results folder names" in message
    assert not (root / RECEIPT).exists()


def test_the_state_level_folders_are_read_from_params(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "params/guard.yaml").write_text("state_level_results: [02_coverage, 99_renamed]\n", encoding="utf-8")
    assert command.main(["--root", str(root), "--min-cell", "1"]) == 0
    assert "99_renamed, which is not a folder of results/" in capsys.readouterr().out
    assert "results/02_coverage" not in json.loads((root / RECEIPT).read_text(encoding="utf-8"))["survey_derived_results"]


def test_leak_reads_as_file_location_detail_rule() -> None:
    leak = Leak("results/05_support/support_by_report.md", SMALL_CELL, "cell '3' is below the suppression threshold 5", "line 3")
    assert str(leak) == "results/05_support/support_by_report.md, line 3: cell '3' is below the suppression threshold 5 (rule: small cell)"


def test_a_figure_copied_beside_a_notebook_page_is_scoped_as_its_notebook() -> None:
    from poc1540.guard import scope

    assert scope.file_kind("report/_output/notebooks/05_support.html") == ("notebook html", "05_support")
    assert scope.file_kind("report/_output/notebooks/02_coverage/coverage_overlap.svg") == ("notebook html", "02_coverage")
    assert scope.file_kind("report/_output/notebooks/notebook.css") == ("notebook html", "notebook")  # unknown: survey-derived


# --------------------------------------------------------------------------- every leak class in every kind of output
# One scan per kind of output: a leak of every class the guard knows is planted in that kind, each
# in its own place (its own sentence, figure, output, element, row or finding), and every one of
# them must be reported under its rule, in that file, and fail the command. (Rule "survey scope"
# is about declarations, not text: the tests above plant it.)

#: A share only a small count makes: 2 of 40 is a count below the threshold of 5.
SMALL_SHARE = "5% (2 of 40)"
#: A count that breaks the threshold in a table cell.
SMALL_COUNT = "3"
#: A table of 40 rows displayed by a notebook: as many rows as a respondent-level table has.
ROWS_TABLE = (
    "<table class='dataframe'><thead><tr><th></th><th>task_forward</th></tr></thead><tbody>"
    + "".join(f"<tr><th>{i}</th><td>yes</td></tr>" for i in range(40))
    + "</tbody></table>"
)
SVG_IMAGE = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_cells(path: Path, cells: list[tuple[int, int, str]]) -> None:
    """Set (data row, column, value) cells of the table in ``path``: CSV, or a Markdown pipe table."""
    if path.suffix == ".csv":
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row, column, value in cells:
            table[1 + row][column] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(table)
        path.write_text(buf.getvalue(), encoding="utf-8")
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|:")) + 1  # below the delimiter row
    for row, column, value in cells:
        parts = lines[first + row].split("|")
        parts[column + 1] = f" {value} "
        lines[first + row] = "|".join(parts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# How each kind of output gets its planted texts; survey-derived places only (the 05_support
# chapter, the report's "Who answered").
def _plant_pdf_text(root: Path, texts: dict[str, str]) -> None:
    tiny_pdf(root / PDF, survey_text="\n\n".join(f"A planted sentence: {t}." for t in texts.values()))


def _plant_pdf_alt(root: Path, texts: dict[str, str]) -> None:
    figures = [
        f'#figure(image(bytes({_typst_string(SVG_IMAGE)}), format: "svg", alt: {_typst_string(t)}), caption: [Figure {i}])'
        for i, t in enumerate(texts.values(), 1)
    ]
    tiny_pdf(root / PDF, survey_text="\n\n".join(figures))


def _plant_html_report(root: Path, texts: dict[str, str]) -> None:
    page = root / HTML
    heading = re.search(r'<h1 id="sec-respondents">.*?</h1>', page.read_text(encoding="utf-8")).group(0)  # type: ignore[union-attr]
    _replace_once(page, heading, heading + "".join(f"\n<p>{html.escape(t)}</p>" for t in texts.values()))


def _plant_notebook_html(root: Path, texts: dict[str, str]) -> None:
    outputs = "".join(
        '<div class="jp-Cell jp-CodeCell"><div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" '
        f'data-mime-type="text/html">{t if rule == RESPONDENT_ROWS else f"<pre>{html.escape(t)}</pre>"}</div></div>\n'
        for rule, t in texts.items()
    )
    _replace_once(root / "report/_output/notebooks/05_support.html", "</main>", outputs + "</main>")


def _plant_notebook(root: Path, texts: dict[str, str]) -> None:
    for rule, t in texts.items():
        if rule == RESPONDENT_ROWS:
            add_output(root / NOTEBOOK, {"output_type": "display_data", "metadata": {}, "data": {"text/html": [t], "text/plain": ["..."]}})
        else:
            add_output(root / NOTEBOOK, {"output_type": "stream", "name": "stdout", "text": [f"{t}\n"]})


def _plant_svg_text(root: Path, texts: dict[str, str]) -> None:
    _replace_once(root / SVG, "</svg>", "".join(f'<text x="0" y="0">{html.escape(t)}</text>\n' for t in texts.values()) + "</svg>")


def _plant_svg_title(root: Path, texts: dict[str, str]) -> None:
    svg = root / SVG
    opening = re.search(r"<svg\b[^>]*>", svg.read_text(encoding="utf-8")).group(0)  # type: ignore[union-attr]
    # one titled group per planted text: <title> is the accessible name of its parent element
    _replace_once(svg, opening, opening + "".join(f"\n<g><title>{html.escape(t)}</title></g>" for t in texts.values()))


def _plant_table(name: str):
    def plant(root: Path, texts: dict[str, str]) -> None:
        # a count goes in a count column (row 0, "No support"); other texts in the row labels of rows 0-2
        labels = [t for rule, t in texts.items() if rule != SMALL_CELL]
        _set_cells(root / name, [(i, 0, t) for i, t in enumerate(labels)] + [(0, 2, texts[SMALL_CELL])])

    return plant


def _plant_findings(root: Path, texts: dict[str, str]) -> None:
    def change(data: dict) -> None:
        for finding, t in zip(data["findings"], texts.values(), strict=False):
            finding["text"] = t

    edit_json(root / "results/05_support/findings.json", change)


NOTEBOOK = "results/05_support/05_support.ipynb"
SVG = "results/05_support/support_sources.svg"
KINDS = {
    "PDF text": (PDF, _plant_pdf_text),
    "PDF alt text": (PDF, _plant_pdf_alt),
    "HTML report": (HTML, _plant_html_report),
    "notebook HTML": ("report/_output/notebooks/05_support.html", _plant_notebook_html),
    "executed notebook": (NOTEBOOK, _plant_notebook),
    "SVG text": (SVG, _plant_svg_text),
    "SVG title": (SVG, _plant_svg_title),
    "CSV table": ("results/05_support/support_by_report.csv", _plant_table("results/05_support/support_by_report.csv")),
    "Markdown table": ("results/05_support/support_by_report.md", _plant_table("results/05_support/support_by_report.md")),
    "findings JSON": ("results/05_support/findings.json", _plant_findings),
}
#: Kinds that show a notebook's displayed tables (rule 5 is about those).
DISPLAYS = ("notebook HTML", "executed notebook")


def planted_texts(kind: str, survey: dict[str, str]) -> dict[str, str]:
    """Rule -> the text of a leak of it, as it would appear in ``kind``."""
    texts = {
        RESPONDENT_ID: survey["id"],
        OPEN_TEXT: survey["text"],
        PER_STATE: survey["name"],
        SMALL_CELL: SMALL_COUNT if kind.endswith("table") else SMALL_SHARE,
    }
    return texts | ({RESPONDENT_ROWS: ROWS_TABLE} if kind in DISPLAYS else {})


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_leak_class_planted_in_each_kind_of_output_fails_the_guard(
    root: Path, baseline: Audit, survey: dict[str, str], kind: str
) -> None:
    file, plant = KINDS[kind]
    texts = planted_texts(kind, survey)
    plant(root, texts)
    leaks = new_leaks(root, baseline)
    for rule in texts:
        assert found(leaks, file, rule), f"{rule} planted in {kind} ({file}) was not reported:\n" + "\n".join(map(str, leaks))
    assert {leak.file for leak in leaks} == {file}, "\n".join(map(str, leaks))
    assert all(survey["text"].casefold() not in str(leak).casefold() for leak in leaks), "the guard must not repeat the answer"
    # the command fails, prints each leak as output, location, detail and rule, and writes no receipt
    err = io.StringIO()
    assert command.guard(root, min_cell=MIN_CELL, state_level=STATE_LEVEL, out=io.StringIO(), err=err) == 1
    for leak in leaks:
        assert f"{leak.file}, {leak.location}: {leak.detail} (rule: {leak.rule})" in err.getvalue()
    assert not (root / RECEIPT).exists()


UNREADABLE_FILES = {
    PDF: b"%PDF-1.7\nnot a PDF after all\n",
    HTML: "<h1>Côte d'Ivoire</h1>".encode("utf-16"),
    "report/_output/notebooks/05_support.html": "<p>Côte d'Ivoire</p>".encode("latin-1"),
    SVG: "<svg><text>Côte</text></svg>".encode("cp1252"),
    "results/05_support/support_by_report.csv": "National report,Total\nCôte,3\n".encode("latin-1"),
    "results/05_support/support_by_report.md": "| Côte | 3 |\n".encode("cp1252"),
    "results/05_support/findings.json": b'{"findings": [',
    NOTEBOOK: b"{not json",
    "results/05_support/extra_chart.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
}


def test_every_output_the_guard_cannot_read_fails_closed(root: Path, baseline: Audit) -> None:
    for file, data in UNREADABLE_FILES.items():
        (root / file).write_bytes(data)
    leaks = new_leaks(root, baseline)
    for file in UNREADABLE_FILES:
        assert found(leaks, file, UNREADABLE), f"{file}:\n" + "\n".join(map(str, leaks))


def test_every_file_the_report_can_include_is_scanned(root: Path, baseline: Audit, survey: dict[str, str]) -> None:
    # not only the Markdown the findings stage writes today: any file there is survey-derived
    (root / "report/_generated/extra_table.csv").write_text(f"Group,Count\nAll,{SMALL_COUNT}\n", encoding="utf-8")
    (root / "report/_generated/notes.txt").write_text(f"Answered by {survey['name']}.\n", encoding="utf-8")
    leaks = new_leaks(root, baseline)
    assert {(leak.file, leak.rule) for leak in leaks} == {
        ("report/_generated/extra_table.csv", SMALL_CELL),
        ("report/_generated/notes.txt", PER_STATE),
    }
