"""``poc1540 generate``: regenerate the shipped placeholder data (reference files, listing, synthetic survey)."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths

HELP = "regenerate the reference, listing and synthetic survey files"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out_dir", nargs="?", default=str(paths.DATA_RAW))


def main(args: argparse.Namespace) -> int:
    from poc1540.placeholder import reference_data, synthetic

    out = Path(args.out_dir)
    written = reference_data.write_reference_files(out)
    written.append(synthetic.write_synthetic_survey(out, paths.CODEBOOK, out / paths.POC_LISTING.name))
    for path in written:
        print(f"wrote {paths.relative(path)}")
    return 0
