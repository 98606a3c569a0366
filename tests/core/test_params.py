"""The parameter files' schemas: the shipped files pass; a bad value is refused naming file, key, value and rule."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest
import yaml

from poc1540.commands import validate as validate_command
from poc1540.core import params, paths
from poc1540.errors import UserError
from poc1540.pipeline import execute


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    """A copy of params/ (the folder keeps its name: the schemas are those of a params/ folder)."""
    return Path(shutil.copytree(paths.PARAMS, tmp_path / "params"))


def set_value(path: Path, key: str, text: str) -> None:
    """Replace one top-level value, as written in YAML, keeping the comments."""
    new, n = re.subn(rf"(?m)^{re.escape(key)}:[^#\n]*", f"{key}: {text} ", path.read_text(encoding="utf-8"))
    assert n == 1, f"{key} not in {path}"
    path.write_text(new, encoding="utf-8")


def messages(params_dir: Path) -> list[str]:
    return [str(p) for p in params.problems(params_dir)]


def test_every_shipped_parameter_file_has_a_schema_and_passes() -> None:
    assert {p.stem for p in paths.PARAMS.glob("*.yaml")} == set(params.SCHEMAS)
    assert params.problems() == []


@pytest.mark.parametrize(
    ("file", "key", "text", "value", "rule"),
    [
        ("common", "min_cell_size", '"five"', "five", "must be an integer ≥ 2"),
        ("common", "min_cell_size", "0", "0", "must be an integer ≥ 2"),
        ("common", "min_cell_size", "2.5", "2.5", "must be an integer ≥ 2"),
        ("common", "min_cell_size", "true", "true", "must be an integer ≥ 2"),
        ("common", "confidence_level", "95", "95", "must be a number between 0 and 1"),
        ("common", "serious_from", "7", "7", "must be an integer from 1 to 5"),
        ("coverage", "comparison_date", '"31/08/2018"', "31/08/2018", 'must be a date written "YYYY-MM-DD"'),
        ("coverage", "comparison_date", '"2018-02-30"', "2018-02-30", 'must be a date written "YYYY-MM-DD"'),
        ("coverage", "start_year", '"2004"', "2004", "must be a year written as a whole number"),
        ("coverage", "encouragement_year", "2016.5", "2016.5", "must be a year written as a whole number"),
        ("guard", "state_level_results", "02_coverage", "02_coverage", "must be a list of results folder names"),
        ("report", "edition_date", "today", "today", 'must be a date written "YYYY-MM-DD"'),
    ],
)
def test_a_bad_value_names_file_key_value_and_rule(params_dir: Path, file: str, key: str, text: str, value: str, rule: str) -> None:
    set_value(params_dir / f"{file}.yaml", key, text)
    [message] = messages(params_dir)
    assert message.startswith(f"ERROR: {paths.relative(params_dir / f'{file}.yaml')}, key '{key}': value {value!r} {rule}"), message


def test_a_misspelt_or_missing_key_is_refused(params_dir: Path) -> None:
    common = params_dir / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8").replace("min_cell_size:", "min_cel_size:"), encoding="utf-8")
    found = messages(params_dir)
    assert any("key 'min_cel_size': value '5' is not a parameter of this file" in m for m in found), found
    assert any("key 'min_cell_size' is missing" in m for m in found), found


def test_a_comparison_date_after_the_listing_snapshot_is_refused_by_validate(
    params_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_value(params_dir / "coverage.yaml", "comparison_date", '"2021-08-31"')
    assert messages(params_dir) == [], "each file alone is well formed"
    receipt = tmp_path / "validation.json"
    args = argparse.Namespace(raw_dir=str(paths.DATA_RAW), params_dir=str(params_dir), receipt=str(receipt))
    assert validate_command.main(args) == 1
    err = capsys.readouterr().err
    assert "comparison_date" in err and "2021-08-31" in err and "must be before the listing's snapshot" in err
    assert not receipt.exists()


def test_the_validate_command_refuses_bad_parameters_and_writes_no_receipt(
    params_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_value(params_dir / "common.yaml", "min_cell_size", '"five"')
    receipt = tmp_path / "validation.json"
    args = argparse.Namespace(raw_dir=str(paths.DATA_RAW), params_dir=str(params_dir), receipt=str(receipt))
    assert validate_command.main(args) == 1
    err = capsys.readouterr().err
    assert "common.yaml, key 'min_cell_size': value 'five' must be an integer ≥ 2" in err and "Validation failed: 1 error(s)" in err
    assert not receipt.exists()


def test_the_validate_command_checks_the_import_mappings(params_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = params_dir / "import/qualtrics.yaml"
    data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    data["questions"]["agency"]["answers"]["Ministry of Defence"] = "army"  # not a code of the codebook
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = argparse.Namespace(raw_dir=str(paths.DATA_RAW), params_dir=str(params_dir), receipt=None)
    assert validate_command.main(args) == 1
    err = capsys.readouterr().err
    assert "import/qualtrics.yaml" in err and "army" in err and "agency" in err


def test_execute_refuses_a_bad_parameter_before_the_kernel_starts(params_dir: Path, tmp_path: Path) -> None:
    set_value(params_dir / "common.yaml", "min_cell_size", '"five"')
    failed = tmp_path / "failed"
    with pytest.raises(UserError, match=r"common.yaml, key 'min_cell_size': value 'five' must be an integer ≥ 2"):
        execute.run(paths.NOTEBOOKS / "05_support.ipynb", [params_dir / "common.yaml"], output_dir=tmp_path / "out", failed_dir=failed)
    assert not (tmp_path / "out").exists() and not list(failed.glob("*"))
