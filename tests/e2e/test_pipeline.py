"""End to end: the real DVC pipeline in a scratch copy of the repository.

One forced run builds everything from data/raw (shared with the verify tests); the tests check the PDF against the
findings, that a second run does nothing, and that bad input stops the build without touching
any earlier output.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from support.pdf import figure_alts, pdf_text
from support.repo import ForcedBuild, output_hashes, run

pytestmark = pytest.mark.slow

OUTPUTS = ("results", "report/_variables.yml", "report/_generated", "report/_output", "data/processed")


def snapshot(root: Path) -> dict[str, str]:
    """Content hash of every output file."""
    return output_hashes(root, OUTPUTS)


@pytest.fixture(scope="module")
def built(forced_build: ForcedBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the session's forced rebuild from raw data (see conftest)."""
    assert forced_build.code == 0, forced_build.out[-3000:]
    target = tmp_path_factory.mktemp("pipeline") / "repo"
    shutil.copytree(forced_build.rebuild, target, symlinks=True)
    return target


def test_dag_runs_validate_prepare_chapters_findings_report_guard(built: Path) -> None:
    stages = list(yaml.safe_load((built / "dvc.yaml").read_text())["stages"])
    assert stages[:4] == ["validate", "prepare", "protect", "coverage"] and stages[-4:] == ["findings", "report", "notebooks", "guard"]
    dag = run(["dvc", "dag", "--md"], cwd=built, root=built).stdout
    names = dict(re.findall(r'(node\d+)\["([a-z_]+)"\]', dag))
    edges = {(names[a], names[b]) for a, b in re.findall(r"(node\d+)-->(node\d+)", dag)}
    chapters = [s for s in stages[3:-4]]
    assert len(chapters) >= 6
    survey_chapters = [c for c in chapters if c != "coverage"]
    for edge in (
        ("validate", "prepare"),
        ("prepare", "protect"),
        *(("protect", c) for c in survey_chapters),  # the complementary suppressions every survey chapter applies
        ("protect", "findings"),
        *(("prepare", c) for c in chapters),
        *((c, "findings") for c in chapters),
        ("findings", "report"),
        ("report", "guard"),
        *((c, "notebooks") for c in ["prepare", *chapters]),
        ("notebooks", "guard"),
    ):
        assert edge in edges, edges


def all_findings(root: Path) -> list[dict]:
    return [f for path in sorted(root.glob("results/*/findings.json")) for f in json.loads(path.read_text())["findings"]]


def test_pdf_states_every_finding_as_the_findings_file_has_it(built: Path) -> None:
    text = pdf_text(built / "report/_output/poc1540-report.pdf")
    variables = yaml.safe_load((built / "report/_variables.yml").read_text())
    findings = all_findings(built)
    assert len(findings) >= 30
    for f in findings:
        node = variables
        for part in f["key"].split("."):
            node = node[part]
        assert node == f["text"]
        assert f["text"].replace("\u2019", "'") in text, f"{f['key']}: {f['text']!r} not in the PDF"
    prose = text.rsplit("Findings register", 1)[0]  # the heading, not the contents entry
    for key in ("coverage.share_with_poc", "survey.response_rate", "roles.hub_share", "challenges.top_share"):
        assert next(f["text"] for f in findings if f["key"] == key) in prose


def test_every_finding_is_used_in_the_text_or_listed_in_the_register(built: Path) -> None:
    sources = "".join(p.read_text() for p in (built / "report").rglob("*.qmd"))
    used = set(re.findall(r"\{\{< var ([a-z0-9_.]+) >\}\}", sources))
    register = (built / "report/_generated/findings_register.md").read_text()
    for f in all_findings(built):
        assert f["key"] in used or f"`{f['key']}`" in register, f["key"]
    assert len(used & {f["key"] for f in all_findings(built)}) >= 30, "most findings should be stated in the prose"


def test_figures_carry_their_alt_text_into_the_tagged_pdf(built: Path) -> None:
    variables = yaml.safe_load((built / "report/_variables.yml").read_text())
    expected = sorted(fig["alt"] for fig in variables["fig"].values())
    assert len(expected) >= 8
    assert sorted(figure_alts(built / "report/_output/poc1540-report.pdf")) == expected


def test_published_outputs_carry_no_machine_paths(built: Path, forced_build: ForcedBuild) -> None:
    for path in sorted((built / "results").rglob("*")) + sorted((built / "report").rglob("*.md")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert str(forced_build.rebuild) not in text and "PosixPath(" not in text, path


def test_metrics_are_listed_by_dvc(built: Path) -> None:
    out = run(["dvc", "metrics", "show", "--json"], cwd=built, root=built).stdout
    metrics = json.loads(out)
    data = next(iter(metrics.values()))["data"]["results/findings.json"]["data"]
    assert data["coverage"]["states_with_poc"] == json.loads((built / "results/findings.json").read_text())["coverage"]["states_with_poc"]


def test_second_run_does_nothing(built: Path) -> None:
    before = snapshot(built)
    out = run(["dvc", "repro"], cwd=built, root=built).stdout
    assert "Running stage" not in out, out
    assert snapshot(built) == before


def test_bad_input_stops_the_build_and_touches_no_output(built: Path) -> None:
    before = snapshot(built)
    survey = built / "data/raw/survey_responses.csv"
    original = survey.read_bytes()
    lines = original.decode().split("\n")
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("tenure")] = "forever"
    lines[3] = ",".join(cells)
    survey.write_text("\n".join(lines))
    try:
        proc = run(["dvc", "repro"], cwd=built, root=built, check=False)
        assert proc.returncode != 0
        message = proc.stdout + proc.stderr
        assert "data/raw/survey_responses.csv, row 4, column 'tenure': value 'forever'" in message
        assert snapshot(built) == before
    finally:
        survey.write_bytes(original)
