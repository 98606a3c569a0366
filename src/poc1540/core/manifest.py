"""The raw-data manifest: what each input is, whether it is real, and where it lives.

Each entry is keyed by a file name in ``data/raw/``. An entry may point elsewhere with
``path`` (relative to ``data/raw/``): that is how a confidential survey export kept in the
git-ignored ``data/private/`` replaces the synthetic sample without entering git. Files that
stay in ``data/raw/`` but are not used by this edition are listed under ``inactive``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from poc1540.core import paths
from poc1540.errors import UserError


def load(path: Path = paths.MANIFEST) -> dict[str, Any]:
    """The whole manifest (``files`` and the optional ``inactive`` list)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def files(path: Path = paths.MANIFEST) -> dict[str, Any]:
    """Entry name -> description."""
    return load(path)["files"]


def location(name: str, entry: dict[str, Any], raw_dir: Path = paths.DATA_RAW) -> Path:
    """Where an entry's file is: ``data/raw/<name>`` unless the entry gives a ``path``."""
    return (Path(raw_dir) / str(entry.get("path", name))).resolve()


def input_path(schema: str, raw_dir: Path = paths.DATA_RAW) -> Path:
    """The file the manifest names for a schema (e.g. 'survey_responses')."""
    name, entry = entry_for(schema, raw_dir)
    return location(name, entry, raw_dir)


def shown_path(name: str, entry: dict[str, Any], raw_dir: Path = paths.DATA_RAW) -> str:
    """How the report names an entry's file: the one actually read, relative to the repository."""
    return paths.relative(location(name, entry, raw_dir), Path(raw_dir).resolve().parents[1])


def entry_for(schema: str, raw_dir: Path = paths.DATA_RAW) -> tuple[str, dict[str, Any]]:
    """The active entry (name, description) for a schema, e.g. 'poc_listing'."""
    for name, entry in files(Path(raw_dir) / paths.MANIFEST.name).items():
        if entry.get("schema") == schema:
            return name, entry
    raise UserError(f"{paths.relative(Path(raw_dir) / paths.MANIFEST.name)} names no file with schema {schema!r}")


# The edition's two reference dates, each written once in the manifest: the date the listing was
# taken (its entry's ``snapshot``) and the survey's frame date (its entry's ``frame_date``: the
# survey went to the States listed with a POC on that day). Every stage reads them here.
LISTING_SNAPSHOT = ("poc_listing", "snapshot")
SURVEY_FRAME_DATE = ("survey_responses", "frame_date")


def date_field(which: tuple[str, str], raw_dir: Path = paths.DATA_RAW) -> str:
    """One of the edition's dates (:data:`LISTING_SNAPSHOT`, :data:`SURVEY_FRAME_DATE`) as YYYY-MM-DD text."""
    schema, key = which
    name, entry = entry_for(schema, raw_dir)
    if key not in entry:
        raise UserError(f"{paths.relative(Path(raw_dir) / paths.MANIFEST.name)}: entry '{name}' is missing '{key}'")
    return str(entry[key])


def listing_snapshot(raw_dir: Path = paths.DATA_RAW) -> str:
    """The date the POC listing was taken (the coverage chapter's 'today')."""
    return date_field(LISTING_SNAPSHOT, raw_dir)


def survey_frame_date(raw_dir: Path = paths.DATA_RAW) -> str:
    """The survey's frame date: its population is the States listed with a POC on that day."""
    return date_field(SURVEY_FRAME_DATE, raw_dir)
