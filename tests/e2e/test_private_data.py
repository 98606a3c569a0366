"""Real survey data never enters git, and swapping it in works end to end.

The synthetic sample is the only survey file git holds; a confidential export goes to the
git-ignored data/private/ and the manifest points at it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from poc1540.core import paths
from support import readme
from support.repo import clone, run, tool_env


def git(*args: str, cwd: Path = paths.ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def test_the_private_folder_is_ignored_by_git() -> None:
    for name in ("survey_responses.csv", "export.xlsx", "nested/file.csv"):
        assert git("check-ignore", "-q", f"data/private/{name}").returncode == 0, name
    assert git("check-ignore", "-q", "data/private/README.md").returncode == 1
    # DVC's pointer file for an export may be committed (README step 5)
    assert git("check-ignore", "-q", "data/private/survey_responses.csv.dvc").returncode == 1


def test_the_synthetic_sample_is_the_only_survey_file_in_git() -> None:
    tracked = git("ls-files", "-z").stdout.split("\0")
    survey_like = []
    for name in filter(None, tracked):
        if name.startswith("tests/fixtures/") or not name.endswith(".csv"):
            continue  # test fixtures are small invented files for the importers' tests
        with open(paths.ROOT / name, newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh), [])
        if "respondent_id" in header:
            survey_like.append(name)
    assert survey_like == ["data/raw/survey_responses.csv"]
    manifest = yaml.safe_load(paths.MANIFEST.read_text())["files"]["survey_responses.csv"]
    assert manifest["truth"] == "synthetic" and "path" not in manifest


def point_manifest_at_private_survey(repo: Path, source: str) -> None:
    """Step 2 of the README's swap: the survey entry points at data/private/, the sample goes inactive."""
    manifest_path = repo / "data/raw/manifest.yaml"
    manifest = yaml.safe_load(manifest_path.read_text())
    manifest["files"]["survey_responses.csv"].update(
        path="../private/survey_responses.csv", truth="real", source=source, snapshot="2020-09-01/2020-11-30"
    )
    manifest["inactive"] = ["survey_responses.csv"]
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))


@pytest.mark.slow
def test_swapping_in_a_private_export(clone_of_copy: Path, tmp_path: Path) -> None:
    repo = clone_of_copy
    before = {p.parent.name: json.loads(p.read_text())["findings"] for p in repo.glob("results/*/findings.json")}

    # An "export" with country names instead of codes, as a contributor might hold it.
    names = {r["iso3"]: r["name"] for r in csv.DictReader(open(repo / "data/raw/member_states.csv", encoding="utf-8"))}
    rows = list(csv.DictReader(open(repo / "data/raw/survey_responses.csv", encoding="utf-8")))
    export = tmp_path / "export.csv"
    with open(export, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({**r, "country": names[r["country"]]} for r in rows)
    run(["poc1540", "import", "--format", "canonical", str(export)], cwd=repo, root=repo)
    private = repo / "data/private/survey_responses.csv"
    assert private.exists()
    assert git("status", "--porcelain", cwd=repo).stdout.strip() == ""  # git does not see it

    point_manifest_at_private_survey(repo, "Test export (invented)")

    run(["dvc", "repro"], cwd=repo, root=repo)
    notice = (repo / "report/_generated/data_notice.md").read_text()
    assert "survey_responses.csv" not in notice and "synthetic" not in notice
    listing = yaml.safe_load((repo / "data/raw/manifest.yaml").read_text())["files"]["poc_listing.csv"]
    assert listing["reader_name"] in notice and "poc_listing.csv" not in notice  # still illustrative, named for readers
    after = {p.parent.name: json.loads(p.read_text())["findings"] for p in repo.glob("results/*/findings.json")}
    texts = lambda fs: {k: [(f["key"], f["text"]) for f in v] for k, v in fs.items()}  # noqa: E731
    assert texts(after) == texts(before)  # same answers, so the same findings
    assert "survey_responses.csv" not in git("status", "--porcelain", cwd=repo).stdout


def _run_as_written(args: list[str], cwd: Path, remote: Path) -> subprocess.CompletedProcess[str]:
    """One README command, run in ``cwd`` as a reader would (the private remote's folder is the only stand-in)."""
    args = [str(remote) if a == README_REMOTE else a for a in args]
    env = {**tool_env(cwd), **GIT_IDENTITY}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


README_REMOTE = "/secure/share/poc1540"  # the README's example of a folder only the study team can read
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}
QUALTRICS_EXPORT = paths.ROOT / "tests/fixtures/imports/qualtrics_joined.csv"


@pytest.mark.slow
def test_the_readme_swap_walkthrough_runs_as_written(clone_of_copy: Path, tmp_path: Path) -> None:
    """README steps 1-5 exactly as printed: import, manifest, build, `dvc add`, `dvc push -r private`,
    then a fresh clone with `dvc pull` builds the same report.

    The export holds seven respondents: too few for any share (each needs a count and a complement
    of 5), yet every stage runs and the guard passes."""
    repo = clone_of_copy
    (repo / ".venv").symlink_to(Path(sys.prefix))  # what `make` would create
    shutil.copy(QUALTRICS_EXPORT, repo / "export.csv")
    remote = tmp_path / "private-remote"
    steps = readme.blocks(repo / "README.md", "swap")
    assert [b.name for b in steps][:2] == ["swap", "swap manifest"] and steps[-1].name == "swap clone"
    teammate = None
    printed: list[str] = []
    for block in steps:
        if block.lang == "yaml":
            readme.apply_manifest(block, repo)
            continue
        where = repo
        if block.name == "swap clone":
            teammate = clone(repo, tmp_path / "teammate")
            (teammate / ".venv").symlink_to(Path(sys.prefix))
            where = teammate
        for args in block.commands():
            printed.append(_run_as_written(args, where, remote).stdout)
    assert teammate is not None
    assert "Confidentiality guard passed" in "".join(printed) and "7 respondents" in "".join(printed)

    # every survey chapter says so instead of printing figures of suppressed cells
    variables = yaml.safe_load((repo / "report/_variables.yml").read_text())
    assert {k: v.split(",")[0] for k, v in variables["gate"].items()} == dict.fromkeys(
        ["respondents", "tasks_roles", "support", "challenges", "suggestions"], "Only 7 POCs answered the survey"
    )
    assert "support" not in variables

    # The report names the file actually read, as real, and never calls it synthetic.
    sources = (repo / "report/_generated/data_sources.md").read_text()
    assert "(`data/private/survey_responses.csv`; real;" in sources
    assert "synthetic" not in sources.lower() and "Invented responses" not in sources
    provenance = (repo / "report/_generated/provenance.md").read_text()
    assert "`data/private/survey_responses.csv`" in provenance and "`data/raw/survey_responses.csv`" not in provenance
    assert "synthetic" not in (repo / "report/_generated/data_notice.md").read_text().lower()

    # git holds the pointer, never the export; the private remote holds the export's content.
    tracked = git("ls-files", "data/private", cwd=repo).stdout.split()
    assert "data/private/survey_responses.csv.dvc" in tracked and "data/private/survey_responses.csv" not in tracked
    export = (repo / "data/private/survey_responses.csv").read_bytes()
    digest = hashlib.md5(export).hexdigest()
    assert (remote / "files/md5" / digest[:2] / digest[2:]).read_bytes() == export

    # The teammate's clone pulled the same export and built the same report.
    assert (teammate / "data/private/survey_responses.csv").read_bytes() == export
    for name in ("report/_variables.yml", "report/_generated/data_sources.md", "results/03_respondents/findings.json"):
        assert (teammate / name).read_bytes() == (repo / name).read_bytes(), name
    assert (teammate / "report/_output/poc1540-report.pdf").stat().st_size > 0
