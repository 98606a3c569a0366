"""``poc1540 guard``: fail if any published output could reveal a respondent."""

from __future__ import annotations

import argparse

HELP = "fail if any published output could reveal a respondent"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from poc1540.guard import command

    command.add_arguments(p)


def main(args: argparse.Namespace) -> int:
    from poc1540.guard import command

    return command.run(args)
