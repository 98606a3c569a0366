"""``poc1540 diff``: how each finding changed from one revision to the working tree (or another revision)."""

from __future__ import annotations

import argparse

from poc1540.core import paths

HELP = "how each finding changed from REV to the working tree (or to REV2)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rev")
    p.add_argument("rev2", nargs="?")


def main(args: argparse.Namespace) -> int:
    from poc1540.review import diff

    return diff.main_diff(args.rev, args.rev2, paths.ROOT)
