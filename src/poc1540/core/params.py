"""The parameter files in ``params/``, read in one place.

Stages that are not notebooks (the findings stage, the guard) read their values here; notebooks
receive theirs from papermill. A missing file or key is the user's error, naming both.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from poc1540.core import paths
from poc1540.errors import UserError


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{paths.relative(path)}: parameter file not found") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{paths.relative(path)}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{paths.relative(path)}: must be a mapping of parameter names to values")
    return data


def load(name: str, params_dir: Path | None = None) -> dict[str, Any]:
    """All values of ``params/<name>.yaml`` (a copy; the file is read once per process)."""
    return dict(_read((Path(params_dir) if params_dir else paths.PARAMS) / f"{name}.yaml"))


def value(name: str, key: str, params_dir: Path | None = None) -> Any:
    """One value of ``params/<name>.yaml``; a missing key names the file and the key."""
    values = load(name, params_dir)
    if key not in values:
        raise UserError(f"params/{name}.yaml: missing parameter {key!r}")
    return values[key]
