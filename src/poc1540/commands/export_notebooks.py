"""``poc1540 export-notebooks``: every executed notebook as HTML beside the report, for reviewers."""

from __future__ import annotations

import argparse

from poc1540.core import paths

HELP = "write every executed notebook under results/ as HTML to report/_staging/notebooks/ (the guard publishes them)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def main(args: argparse.Namespace) -> int:
    from poc1540.review import notebook_html

    target = paths.REPORT_STAGING / "notebooks"
    written = notebook_html.export_all(target=target)
    print(f"Converted {len(written)} changed executed notebook(s) to HTML in {paths.relative(target)}")
    return 0
