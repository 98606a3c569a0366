"""``poc1540 import``: map a survey-platform export (or a Committee POC listing) onto the canonical table."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths

HELP = "map a survey-platform export (or a Committee POC listing) onto the canonical table"
FORMATS = ["canonical", "qualtrics", "qualtrics-xlsx", "surveymonkey", "surveymonkey-xlsx", "listing"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the exported file")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--mapping", help="mapping YAML (default: params/import/<platform>.yaml)")
    p.add_argument("--out", help="tidy CSV to write (default: data/private/survey_responses.csv; for a listing data/raw/poc_listing.csv)")
    p.add_argument("--encoding", help="fallback when the file is not UTF-8, e.g. cp1252")
    p.add_argument("--check", action="store_true", help="report problems only; write nothing")
    p.add_argument(
        "--date-format",
        help="how dates are written when day and month are numbers (strptime codes, e.g. %%m/%%d/%%Y or %%d/%%m/%%Y): the survey's date columns or the listing's dates; numeric dates are refused without one (never guessed), ISO dates need none",
    )


def main(args: argparse.Namespace) -> int:
    if args.format == "listing":
        from poc1540.intake import listings

        return listings.run(Path(args.file), Path(args.out) if args.out else paths.POC_LISTING, date_format=args.date_format)
    from poc1540.intake import importers

    out = None if args.check else (args.out or importers.DEFAULT_OUT)
    return importers.run(args.file, args.format, args.mapping, out, args.encoding, date_format=args.date_format)
