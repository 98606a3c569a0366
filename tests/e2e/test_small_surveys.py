"""Small and odd survey editions build a report that says what it cannot publish, in words.

Each test writes the survey as a contributor would hand it over (the tidy CSV that
``poc1540 import --format canonical`` reads, countries by name), points the manifest at it as the
README's swap does, and runs the real pipeline (``dvc repro``) in a copy of the repository.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from poc1540.core.codebook import NOT_ASKED
from support.pdf import figure_alts, pdf_text
from support.repo import run

SURVEY_CHAPTERS = ["Who answered", "Tasks and roles", "Support received", "Challenges", "Suggestions"]
MIN_CELL = 5  # params/common.yaml's min_cell_size, read again below so a change there fails loudly


def point_manifest_at_private_survey(repo: Path, source: str) -> None:
    """Step 2 of the README's swap: the survey entry points at data/private/, the sample goes inactive."""
    path = repo / "data/raw/manifest.yaml"
    manifest = yaml.safe_load(path.read_text())
    manifest["files"]["survey_responses.csv"].update(
        path="../private/survey_responses.csv", truth="real", source=source, snapshot="2020-11-30"
    )
    manifest["inactive"] = ["survey_responses.csv"]
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))


def tidy_header(repo: Path) -> list[str]:
    """The tidy survey file's columns, as the template (the shipped sample) lists them."""
    with open(repo / "data/raw/survey_responses.csv", newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def write_tidy(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def three_responses() -> list[dict[str, str]]:
    """Three POCs' answers, typed as a contributor would fill the tidy template."""
    tasks = ["task_forward", "task_report", "task_meetings", "task_action_plan", "task_assistance", "task_experts", "task_training"]
    tasks += ["task_outreach", "task_legislation", "task_regional"]
    support = ["support_unoda_training", "support_committee", "support_regional_org", "support_bilateral", "support_civil_society"]
    challenges = ["chal_mandate", "chal_staff_time", "chal_turnover", "chal_coordination", "chal_awareness", "chal_language"]
    challenges += ["chal_funding", "chal_expertise", "chal_priorities", "chal_feedback"]
    suggestions = ["sugg_define_roles", "sugg_regional_training", "sugg_online_network", "sugg_handbook", "sugg_mentoring"]
    suggestions += ["sugg_funding", "sugg_annual_meeting", "sugg_other"]
    answers = [
        (
            "R1",
            "Denmark",
            "2020-09-22",
            "foreign_affairs",
            "3_5",
            "10_25",
            "yes",
            "4",
            "no",
            "1101010110",
            "110000",
            "3421534215",
            "11010000",
        ),
        (
            "R2",
            "Canada",
            "2020-10-20",
            "mission_un",
            "1_2",
            "under_10",
            "no",
            "2",
            "first_poc",
            "1000001000",
            "010010",
            "2212143321",
            "01100100",
        ),
        (
            "R3",
            "Malawi",
            "2020-09-24",
            "export_control",
            "under_1",
            "under_10",
            "no",
            "1",
            "yes",
            "1100000001",
            "000001",
            "5435434535",
            "10011010",
        ),
    ]
    rows = []
    for rid, country, day, agency, tenure, time_share, mandate, scale, handover, t, s, c, g in answers:
        row = dict(respondent_id=rid, country=country, submitted=day, agency=agency, tenure=tenure, time_share=time_share)
        row |= dict(written_mandate=mandate, role_scale=scale, predecessor_handover=handover)
        row |= dict(zip(tasks, t, strict=True)) | dict(zip(support + ["support_none"], s, strict=True))
        row |= dict(zip(challenges, c, strict=True)) | dict(zip(suggestions, g, strict=True))
        rows.append(row)
    return rows


def html_text(path: Path) -> str:
    """The visible text of an HTML page, white space folded (scripts and styles dropped)."""
    raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def notebook_outputs(path: Path) -> str:
    """Everything an executed notebook shows as output (its source code is not published text)."""
    out = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for o in cell.get("outputs", []):
            out.append("".join(o.get("text", "")))
            out += ["".join(v) if isinstance(v, list) else str(v) for v in o.get("data", {}).values()]
    return "\n".join(out)


def small_cell_leaks(text: str, min_cell: int) -> list[str]:
    """Texts a report built from a tiny survey must never print: nan, bases and totals below the threshold."""
    small = "|".join(str(k) for k in range(1, min_cell))
    patterns = [r"\bnan\b", rf"\(n = ({small})\)", rf"\bn = ({small})\b", rf"\(({small}) in all\)", rf"\b\d+ of ({small})\b"]
    return [m.group(0) for p in patterns for m in re.finditer(p, text, flags=re.IGNORECASE)]


def without_page_furniture(text: str) -> str:
    """The text without the page furniture a page break puts inside it (page number, running heads)."""
    return re.sub(r"\s*\b\d+ 1540 Points of Contact ILLUSTRATIVE EDITION: NOT THE STUDY'S RESULTS\s*", " ", text).strip() + " "


@pytest.mark.slow
def test_a_three_respondent_survey_says_in_every_survey_chapter_that_it_is_too_small(clone_of_copy: Path, tmp_path: Path) -> None:
    repo = clone_of_copy
    assert yaml.safe_load((repo / "params/common.yaml").read_text())["min_cell_size"] == MIN_CELL
    export = write_tidy(tmp_path / "three_pocs.csv", tidy_header(repo), three_responses())
    run(["poc1540", "import", "--format", "canonical", str(export)], cwd=repo, root=repo)
    point_manifest_at_private_survey(repo, "Three invented responses")
    out = run(["dvc", "repro"], cwd=repo, root=repo).stdout
    assert "Confidentiality guard passed" in out

    pdf = pdf_text(repo / "report/_output/poc1540-report.pdf")
    sentence = f"Fewer than {MIN_CELL} POCs answered the survey"
    # each survey chapter: its heading, then the sentence, and nothing else before the next chapter
    headings = [re.search(rf"\b\d+ {re.escape(title)} (?={sentence})", pdf) for title in SURVEY_CHAPTERS]
    assert all(headings), [t for t, h in zip(SURVEY_CHAPTERS, headings, strict=True) if h is None]
    starts = [h.end() for h in headings if h is not None]
    after = re.compile(r" \d+ Recommendations ").search(pdf, starts[-1])
    assert after is not None
    recommendations = after.start()
    ends = [h.start() for h in headings[1:] if h is not None] + [recommendations]
    for title, start, end in zip(SURVEY_CHAPTERS, starts, ends, strict=True):
        body = without_page_furniture(pdf[start:end])
        assert body.startswith(sentence) and body.rstrip().endswith("this chapter publishes nothing from the survey."), (title, body)
    # the summary and the recommendations say the survey could not be published; the listing's still stand
    methods = re.compile(r" \d+ Methods and data ").search(pdf, recommendations)
    assert methods is not None
    summary, advice = pdf[: headings[0].start()], pdf[recommendations : methods.start()]  # type: ignore[union-attr]
    for part in (summary, advice):
        assert part.count("so this edition publishes nothing from the survey") == 1
    assert "Close the coverage gap where it is widest" in advice and "Give every POC written terms" not in advice
    # no survey figure or table: the only figures are the coverage chapter's, and no survey folder holds one
    coverage = json.loads((repo / "results/02_coverage/findings.json").read_text())["figures"]
    assert figure_alts(repo / "report/_output/poc1540-report.pdf") == [f["alt"] for f in coverage.values()]
    for folder in sorted((repo / "results").glob("0[3-7]_*")):
        assert sorted(p.suffix for p in folder.iterdir() if p.suffix in (".svg", ".md", ".csv")) == [], folder
    assert "Table " not in pdf[starts[0] : recommendations]

    texts = {"PDF": pdf, "HTML": html_text(repo / "report/_output/poc1540-report.html")}
    texts |= {p.name: notebook_outputs(p) for p in sorted((repo / "results").glob("*/*.ipynb"))}
    texts |= {p.relative_to(repo).as_posix(): p.read_text(encoding="utf-8") for p in sorted((repo / "results").glob("*/findings.json"))}
    texts["report/_variables.yml"] = (repo / "report/_variables.yml").read_text(encoding="utf-8")
    assert texts["HTML"].count(sentence) >= len(SURVEY_CHAPTERS) + 2
    leaks = {name: small_cell_leaks(text, MIN_CELL) for name, text in texts.items()}
    assert not {name: found for name, found in leaks.items() if found}
    variables = yaml.safe_load(texts["report/_variables.yml"])
    assert "respondents" not in variables["survey"]  # the count itself (3) is a small cell
    receipt = json.loads((repo / "results/confidentiality.json").read_text())
    assert receipt["passed"] is True and receipt["respondents"] == f"fewer than {MIN_CELL}"


def _shipped_rows(repo: Path) -> list[dict[str, str]]:
    names = {r["iso3"]: r["name"] for r in csv.DictReader(open(repo / "data/raw/member_states.csv", encoding="utf-8"))}
    rows = list(csv.DictReader(open(repo / "data/raw/survey_responses.csv", encoding="utf-8")))
    return [{**r, "country": names[r["country"]]} for r in rows]


@pytest.mark.slow
def test_a_question_skipped_in_an_edition_is_reported_as_not_asked(clone_of_copy: Path, tmp_path: Path) -> None:
    """The edition dropped the handover question: the export has no answers, the codebook marks it skip: true."""
    repo = clone_of_copy
    rows = [{**r, "predecessor_handover": ""} for r in _shipped_rows(repo)]
    export = write_tidy(tmp_path / "no_handover.csv", tidy_header(repo), rows)
    codebook = repo / "data/raw/survey_codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    assert "  - id: predecessor_handover\n    type: single\n" in text
    codebook.write_text(text.replace("  - id: predecessor_handover\n", "  - id: predecessor_handover\n    skip: true\n"), encoding="utf-8")
    run(["poc1540", "import", "--format", "canonical", str(export)], cwd=repo, root=repo)
    point_manifest_at_private_survey(repo, "The shipped answers without the handover question")
    out = run(["dvc", "repro"], cwd=repo, root=repo).stdout
    assert "Confidentiality guard passed" in out

    receipt = json.loads((repo / "data/processed/validation.json").read_text())
    assert not [w for w in receipt["warnings"] if w.get("column") == "predecessor_handover"]  # empty by design, not non-response
    pdf = pdf_text(repo / "report/_output/poc1540-report.pdf")
    variables = yaml.safe_load((repo / "report/_variables.yml").read_text())
    assert variables["profile"]["handover"] == NOT_ASKED and variables["profile"]["first_poc"] == NOT_ASKED
    # the chapter's sentence and the recommendation resting on it say so, in words
    assert f"Whether POCs received a handover from a predecessor was {NOT_ASKED}" in pdf
    assert (
        f"whether POCs receive a handover from a predecessor was {NOT_ASKED}, so this part of the recommendation rests on no finding" in pdf
    )
    # the figure's panel and its alt text say so, and never as a suppressed cell
    svg = (repo / "results/03_respondents/respondent_profile.svg").read_text(encoding="utf-8")
    assert NOT_ASKED.capitalize() in svg
    alt = next(a for a in figure_alts(repo / "report/_output/poc1540-report.pdf") if "terms of reference" in a)
    assert f"whether they received a handover from a predecessor was {NOT_ASKED}" in alt and "suppressed" not in alt
    assert not re.search(r"handover[^.]{0,80}suppressed", pdf, flags=re.IGNORECASE)
    # the other questions' findings are the shipped answers', recomputed here with pandas
    answers = pd.DataFrame(rows)["written_mandate"].replace("", pd.NA).dropna()
    count, base = int((answers == "yes").sum()), len(answers)
    assert variables["profile"]["written_mandate"] == f"{100 * count / base:.0f}% ({count} of {base})"

    # a skipped question the chapters cannot yet report as not asked is refused, naming it and the chapter
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("  - id: written_mandate\n", "  - id: written_mandate\n    skip: true\n"), encoding="utf-8")
    failed = run(["dvc", "repro"], cwd=repo, root=repo, check=False)
    assert failed.returncode != 0
    message = failed.stdout + failed.stderr
    assert "marks 'written_mandate' skip: true (not asked in this edition), but 03_respondents cannot yet report it as not asked" in message
