"""``poc1540 render``: render the report source to PDF and HTML with the chosen engine."""

from __future__ import annotations

import argparse
from pathlib import Path

from poc1540.core import paths
from poc1540.errors import UserError

HELP = "render the report (pandoc + Typst, or quarto where installed)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", default=str(paths.REPORT_MAIN))
    p.add_argument("--to", nargs="+", default=["pdf"], choices=["pdf", "html"])
    p.add_argument("--output", help="output file (with a single --to)")
    # The edition goes to the staging folder: only the guard publishes it to report/_output/.
    p.add_argument("--output-dir", default=str(paths.REPORT_STAGING), help="folder of the PDF and HTML (default: report/_staging)")
    # No "auto": the committed PDF is made by one engine, named in dvc.yaml, so a machine that
    # happens to have quarto on PATH builds the same bytes as every other.
    p.add_argument("--engine", required=True, choices=["pandoc", "quarto"], help="pandoc (pandoc + Typst, always available) or quarto")


def render(source: Path, output: Path, fmt: str, engine: str, build_dir: Path) -> None:
    """Render the report with qmdrender; a render error is the user's (file, line, construct)."""
    import qmdrender

    try:
        qmdrender.render(source, output, to=fmt, engine=engine, build_dir=build_dir)
    except qmdrender.RenderError as exc:
        raise UserError(str(exc)) from None


def main(args: argparse.Namespace) -> int:
    for fmt in args.to:
        name = paths.REPORT_PDF.name if fmt == "pdf" else paths.REPORT_HTML.name
        output = Path(args.output) if args.output and len(args.to) == 1 else Path(args.output_dir) / name
        render(Path(args.source), output, fmt, args.engine, paths.RENDER_BUILD)
        print(f"Rendered {paths.relative(output)}")
    return 0
