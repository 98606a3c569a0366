"""``poc1540 execute``: run a notebook with papermill and its params files."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths

HELP = "run a notebook with papermill and its params files"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebook")
    p.add_argument("params", nargs="*", help="params files (shared ones first)")


def main(args: argparse.Namespace) -> int:
    from poc1540.pipeline import execute

    target = execute.run(Path(args.notebook), [Path(p) for p in args.params])
    print(f"Executed {args.notebook} -> {paths.relative(target)}")
    return 0
