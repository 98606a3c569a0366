"""``poc1540 findings``: merge the notebooks' findings into metrics, report variables and generated sections."""

from __future__ import annotations

import argparse

from poc1540.core import paths

HELP = "merge the notebooks' findings into metrics and report variables"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--params", default="report", help="params file name under params/ (default: report)")


def main(args: argparse.Namespace) -> int:
    from poc1540.core import params
    from poc1540.findings import assemble

    for path in assemble.write_all(params.load(args.params), int(params.value("common", "min_cell_size"))):
        print(f"wrote {paths.relative(path)}")
    return 0
