"""Each DVC stage depends on exactly the code it runs, so an edit reruns only the stages it can change.

The expected code deps of a stage are computed from the import graph (grimp, the library under
import-linter), never written down twice: the command module the stage runs
(``poc1540 <command>`` -> ``poc1540.commands.<module>``), for stages that run notebooks every module the
notebooks import, and everything those import. Modules of ``poc1540.commands`` count one file
each; any other module counts as its whole family folder (``src/poc1540/<family>`` or a
top-level package such as ``src/qmdrender``).
"""

from __future__ import annotations

import ast
import json
import re
import shlex

import grimp
import pytest
import yaml

from poc1540 import cli
from poc1540.core import paths

STAGES = yaml.safe_load((paths.ROOT / "dvc.yaml").read_text())["stages"]
ALWAYS = {"src/poc1540/cli.py", "src/poc1540/errors.py"}  # the console script itself


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("poc1540", "qmdrender")


def notebook_imports(notebook: str) -> set[str]:
    """First-party modules a notebook imports (``from poc1540.x import y`` counts y when it is a module)."""
    found: set[str] = set()
    for cell in json.loads((paths.ROOT / notebook).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("poc1540", "qmdrender"):
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.split(".")[0] in ("poc1540", "qmdrender")}
    return found


def code_dep(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "poc1540" and len(parts) > 2 and parts[1] == "commands":
        return f"src/poc1540/commands/{parts[2]}.py"
    if parts[0] == "poc1540" and len(parts) == 2 and not (paths.ROOT / "src" / "poc1540" / parts[1]).is_dir():
        return f"src/poc1540/{parts[1]}.py"
    if parts[0] == "poc1540":
        return f"src/poc1540/{parts[1]}"
    return f"src/{parts[0]}"


def expected_code_deps(stage: dict, graph: grimp.ImportGraph) -> set[str]:
    argv = shlex.split(stage["cmd"])
    assert argv[0] == "bin/poc1540", f"stage command {stage['cmd']!r} does not run bin/poc1540 (the launcher)"
    roots = {f"poc1540.commands.{cli.COMMANDS[argv[1]]}"}
    # a stage that runs notebooks (execute one, protect several) runs what they import too
    for notebook in (a for a in argv[2:] if a.endswith(".ipynb")):
        roots |= {m for m in notebook_imports(notebook) if m in graph.modules}
    modules = set(roots)
    for root in roots:
        modules |= graph.find_upstream_modules(root)
    return ALWAYS | {code_dep(m) for m in modules if m != "poc1540"}


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_code_deps_are_exactly_what_it_imports(name: str, graph: grimp.ImportGraph) -> None:
    stage = STAGES[name]
    listed = {d for d in stage["deps"] if d.startswith("src/")}
    expected = expected_code_deps(stage, graph)
    assert listed == expected, (
        f"stage {name}: dvc.yaml lists code {sorted(listed)}\n but the stage imports {sorted(expected)}\n"
        f" missing: {sorted(expected - listed)}; not imported: {sorted(listed - expected)}"
    )


def test_no_stage_depends_on_the_whole_package() -> None:
    for name, stage in STAGES.items():
        assert "src/poc1540" not in stage["deps"], f"{name} depends on all of src/poc1540: list the families it imports"


def test_the_check_sees_a_missing_family(graph: grimp.ImportGraph) -> None:
    # A chapter stage that forgot the analysis family must fail the check above.
    stage = dict(STAGES["support"], deps=[d for d in STAGES["support"]["deps"] if d != "src/poc1540/analysis"])
    assert "src/poc1540/analysis" in expected_code_deps(stage, graph) - {d for d in stage["deps"] if d.startswith("src/")}


def test_the_renderer_and_the_guard_rerun_only_their_stages(graph: grimp.ImportGraph) -> None:
    users = {name for name, s in STAGES.items() if "src/qmdrender" in s["deps"]}
    assert users == {"report"}
    users = {name for name, s in STAGES.items() if "src/poc1540/guard" in s["deps"]}
    assert users == {"guard"}
    assert re.search(r"--engine (pandoc|quarto)\b", STAGES["report"]["cmd"]), "the report stage names its engine"
