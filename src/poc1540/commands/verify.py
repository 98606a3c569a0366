"""``poc1540 verify``: rebuild everything in a scratch copy and compare with the committed outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths

HELP = "rebuild everything in a scratch copy and compare with the committed outputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workdir", help="build here and keep it (default: a temp dir, kept only on failure)")
    p.add_argument("--rebuilt", help="compare with this earlier rebuild of the same inputs instead of building again")


def main(args: argparse.Namespace) -> int:
    from poc1540.review import verify

    return verify.main_verify(
        paths.ROOT, workdir=Path(args.workdir) if args.workdir else None, rebuilt=Path(args.rebuilt) if args.rebuilt else None
    )
