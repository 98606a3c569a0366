"""Static rules for the source notebooks and their DVC stages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from poc1540.core import paths
from poc1540.pipeline import execute

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
STAGES = yaml.safe_load((paths.ROOT / "dvc.yaml").read_text())["stages"]


def notebook_stages() -> dict[str, dict]:
    out = {}
    for name, stage in STAGES.items():
        m = re.match(r"bin/poc1540 execute (notebooks/\S+\.ipynb)", stage["cmd"])
        if m:
            out[m.group(1)] = {"name": name, **stage}
    return out


def test_there_are_notebooks_numbered_in_pipeline_order() -> None:
    assert NOTEBOOKS, "no notebooks found"
    assert all(re.match(r"\d\d_[a-z_]+\.ipynb$", p.name) for p in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_source_notebooks_are_committed_without_outputs(notebook: Path) -> None:
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{notebook.name}: clear outputs before committing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reads_like_a_chapter(notebook: Path) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# "), "start with a markdown lead"
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert cells.index(tagged[0]) == 1, "the parameters cell comes right after the lead"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_a_stage_with_exactly_its_parameters(notebook: Path) -> None:
    rel = f"notebooks/{notebook.name}"
    stage = notebook_stages().get(rel)
    assert stage is not None, f"no DVC stage runs {rel}"
    declared = execute.declared_parameters(notebook)
    listed: set[str] = set()
    for entry in stage.get("params", []):
        for file, keys in entry.items():
            keys = keys or list((yaml.safe_load((paths.ROOT / file).read_text()) or {}).keys())
            listed |= set(keys)
            assert file in stage["cmd"], f"stage {stage['name']} lists {file} but does not pass it to papermill"
    assert listed == declared, f"stage {stage['name']}: params {sorted(listed)} != notebook parameters {sorted(declared)}"
    assert rel in stage["deps"]


def test_notebook_export_and_guard_depend_on_every_notebook_result() -> None:
    # the notebooks stage exports every executed notebook as HTML; a missing dep leaves stale HTML
    outs = {next(iter(o)) if isinstance(o, dict) else o for s in notebook_stages().values() for o in s["outs"]}
    results = {o for o in outs if o.startswith("results/")}
    assert results
    for stage in ("notebooks", "guard"):
        assert results <= set(STAGES[stage]["deps"]), f"{stage} misses {sorted(results - set(STAGES[stage]['deps']))}"
