"""A newer Committee listing: names in common spellings resolve to ISO3, withdrawn POCs count as
none, and names that are not Member States are refused with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml

from poc1540 import cli
from poc1540.core import paths
from poc1540.intake import listings, validate

LISTING = """Member State,POC since,Status
Côte d'Ivoire,12/03/2019,
Turkey,2010-05-04,
"Korea, Republic of",2008-01-15,
USA,2005-06-30,
Ivory Coast Republic of Kenya,,
Norway,2012-09-01,withdrawn
Viet Nam,2021-02-11,
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "listing.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_names_resolve_and_withdrawn_pocs_count_as_none(tmp_path: Path) -> None:
    text = LISTING.replace("Ivory Coast Republic of Kenya,,\n", "Kenya,,\n")
    table, problems = listings.import_listing(write(tmp_path, text))
    assert problems == []
    assert len(table) == 193 and list(table.columns) == ["iso3", "poc_appointed", "appointed_on"]
    got = table.set_index("iso3")
    assert got.loc["CIV"].tolist() == ["yes", "2019-03-12"]  # day-first date read as such
    assert got.loc["TUR"].tolist() == ["yes", "2010-05-04"]
    assert got.loc["KOR", "poc_appointed"] == "yes" and got.loc["USA", "poc_appointed"] == "yes"
    assert got.loc["NOR"].tolist() == ["no", ""] and got.loc["KEN"].tolist() == ["no", ""]
    assert int((table["poc_appointed"] == "yes").sum()) == 5


def test_unknown_names_and_non_members_are_refused_with_reasons(tmp_path: Path) -> None:
    text = LISTING + "Holy See,2011-01-01,\nNarnia,2012-01-01,\nTürkiye,2013-01-01,\n"
    table, problems = listings.import_listing(write(tmp_path, text))
    assert table is None
    by_value = {p.value: p for p in problems}
    assert "non-member observer State" in by_value["Holy See"].rule and by_value["Holy See"].row == 9
    assert "closest Member State" in by_value["Narnia"].fix
    assert "again (first on row 3)" in by_value["Türkiye"].rule
    assert by_value["Ivory Coast Republic of Kenya"].row == 6


def test_imported_listing_passes_the_validator_with_a_newer_snapshot(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(paths.DATA_RAW, raw)
    text = LISTING.replace("Ivory Coast Republic of Kenya,,\n", "")
    assert cli.main(["import", "--format", "listing", str(write(tmp_path, text)), "--out", str(raw / "poc_listing.csv")]) == 0
    result = validate.validate_all(raw)
    assert [p.value for p in result.errors] == ["2021-02-11"]  # after the manifest's 2020-08-31 snapshot
    assert "after the listing's snapshot date 2020-08-31" in result.errors[0].rule
    manifest = yaml.safe_load((raw / "manifest.yaml").read_text())
    manifest["files"]["poc_listing.csv"]["snapshot"] = "2021-06-30"
    (raw / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    assert validate.validate_all(raw).ok


def test_failed_listing_import_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "poc_listing.csv"
    out.write_text("previous\n")
    assert cli.main(["import", "--format", "listing", str(write(tmp_path, "Country,Date\nAtlantis,2020-01-01\n")), "--out", str(out)]) == 1
    assert out.read_text() == "previous\n"
    assert pd.read_csv(paths.POC_LISTING).shape[0] == 193
