"""``poc1540 protect``: decide complementary suppression over every survey chapter's cells at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths

HELP = "run the survey chapters, and withhold whatever keeps a suppressed cell recoverable across them"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebooks", nargs="+", help="the survey chapters' notebooks, then their params files (.yaml)")


def main(args: argparse.Namespace) -> int:
    from poc1540.pipeline import protect

    given = [Path(a) for a in args.notebooks]
    notebooks = [p for p in given if p.suffix == ".ipynb"]
    params_files = [p for p in given if p.suffix in (".yaml", ".yml")]
    result = protect.run(notebooks, params_files)
    withheld = len(result["cells"])
    print(
        f"Protected {len(notebooks)} chapters together in {result['rounds']} round(s): "
        f"{withheld} published cell(s) withheld complementarily -> {paths.relative(paths.PROTECTION)}"
    )
    return 0
