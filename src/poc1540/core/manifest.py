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
    for name, entry in files(Path(raw_dir) / paths.MANIFEST.name).items():
        if entry.get("schema") == schema:
            return location(name, entry, raw_dir)
    raise UserError(f"{paths.relative(Path(raw_dir) / paths.MANIFEST.name)} names no file with schema {schema!r}")
