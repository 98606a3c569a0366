"""``poc1540 validate``: check every raw file against its schema and the codebook, and every parameter file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from poc1540.core import paths
from poc1540.core.problems import Problem
from poc1540.errors import UserError

HELP = "check every raw file against its schema and the codebook, and every parameter file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-dir", default=str(paths.DATA_RAW))
    p.add_argument("--params-dir", default=str(paths.PARAMS))
    p.add_argument("--receipt", help="on success, write the validation receipt here")


def import_mapping_problems(params_dir: Path, raw_dir: Path) -> list[Problem]:
    """Problems of the import mappings (``params/import/<platform>.yaml``), checked as ``poc1540 import`` reads them.

    A mapping is checked against the codebook and the Member States, so it is checked only when
    those two files are readable (their own problems are reported by the raw-data validation).
    """
    from poc1540.core import manifest
    from poc1540.core.codebook import Codebook
    from poc1540.intake import countries
    from poc1540.intake.importers.common import Stop
    from poc1540.intake.importers.mapping import DEFAULT_MAPPINGS, load_mapping

    try:
        codebook = Codebook.load(manifest.input_path("codebook", raw_dir))
        members = countries.member_states(manifest.input_path("member_states", raw_dir))
    except (UserError, KeyError, OSError, ValueError):  # reported by the raw-data validation
        return []
    found: list[Problem] = []
    for family in sorted(DEFAULT_MAPPINGS):
        path = Path(params_dir) / "import" / f"{family}.yaml"
        if not path.is_file():
            continue
        try:
            load_mapping(path, family, codebook, members)
        except Stop as stop:
            found += stop.problems
    return found


def main(args: argparse.Namespace) -> int:
    from poc1540.core import params
    from poc1540.intake import validate

    raw_dir, params_dir = Path(args.raw_dir), Path(args.params_dir)
    result = validate.validate_all(raw_dir, params_dir)
    # Parameters are checked here, before any notebook runs (and again by `poc1540 execute`).
    result.problems += params.problems(params_dir) + import_mapping_problems(params_dir, raw_dir)
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    if not result.ok:
        print(
            f"\nValidation failed: {len(result.errors)} error(s), {len(result.warnings)} warning(s) in "
            f"{paths.relative(raw_dir)} and {paths.relative(params_dir)}. Nothing was built and no earlier output was changed.",
            file=sys.stderr,
        )
        return 1
    if args.receipt:
        validate.write_receipt(result, Path(args.receipt))
    print(f"Validation passed: {len(result.hashes)} files, {len(result.warnings)} warning(s).")
    return 0
