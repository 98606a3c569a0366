"""``poc1540 validate``: check every raw file against its schema and the codebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from poc1540.core import paths

HELP = "check every raw file against its schema and the codebook"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-dir", default=str(paths.DATA_RAW))
    p.add_argument("--receipt", help="on success, write the validation receipt here")


def main(args: argparse.Namespace) -> int:
    from poc1540.intake import validate

    result = validate.validate_all(Path(args.raw_dir))
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    if not result.ok:
        print(
            f"\nValidation failed: {len(result.errors)} error(s), {len(result.warnings)} warning(s) in {paths.relative(Path(args.raw_dir))}. "
            "Nothing was built and no earlier output was changed.",
            file=sys.stderr,
        )
        return 1
    if args.receipt:
        validate.write_receipt(result, Path(args.receipt))
    print(f"Validation passed: {len(result.hashes)} files, {len(result.warnings)} warning(s).")
    return 0
