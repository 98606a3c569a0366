"""The data appendix and provenance table name the file actually read, and describe a generated
placeholder only while it is the file read."""

from __future__ import annotations

import copy

import yaml

from poc1540.core import paths
from poc1540.findings import provenance


def manifest() -> dict:
    return yaml.safe_load(paths.MANIFEST.read_text())["files"]


def swapped() -> dict:
    """The survey entry after README step 2: a private export, real."""
    files = copy.deepcopy(manifest())
    files["survey_responses.csv"].update(path="../private/survey_responses.csv", truth="real", source="Qualtrics export")
    return files


def survey_block(text: str) -> str:
    return next(b for b in text.split("\n\n") if b.startswith("**Survey of national 1540 Points of Contact, responses**"))


def test_the_synthetic_sample_is_described_while_it_is_read() -> None:
    block = survey_block(provenance.data_sources(manifest()))
    assert "(`data/raw/survey_responses.csv`; synthetic;" in block
    assert manifest()["survey_responses.csv"]["notes"] in block
    assert "sampling frame: the States listed with a POC on 2020-08-31" in block


def test_a_real_export_is_named_by_its_file_and_never_called_synthetic() -> None:
    block = survey_block(provenance.data_sources(swapped()))
    assert "(`data/private/survey_responses.csv`; real;" in block and "Source: Qualtrics export." in block
    assert "synthetic" not in block.lower() and manifest()["survey_responses.csv"]["notes"] not in block


def test_the_provenance_table_names_the_file_read() -> None:
    receipt = {"inputs": {"survey_responses.csv": "ab" * 32, "manifest.yaml": "cd" * 32}}
    table = provenance.provenance(receipt, swapped())
    assert "| `data/private/survey_responses.csv` | `abababababababab` |" in table
    assert "| `data/raw/manifest.yaml` | `cdcdcdcdcdcdcdcd` |" in table
    assert "data/raw/survey_responses.csv" not in table
