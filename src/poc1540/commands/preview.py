"""``poc1540 preview``: re-render the report on every save, as ``quarto preview`` does.

It watches the report's sources (``report/**/*.qmd``, ``_quarto.yml``, the variables and the
generated sections) and renders to ``report/_preview/`` (git-ignored), never to
``report/_output/``: the published edition is made only by ``dvc repro`` and checked by the
guard. A render error is printed and the watch goes on.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from poc1540.core import paths
from poc1540.errors import UserError

HELP = "re-render the report to report/_preview/ on every save of its sources"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", nargs="+", default=["pdf"], choices=["pdf", "html"])
    p.add_argument("--once", action="store_true", help="render once and exit (no watching)")
    p.add_argument("--interval", type=float, default=0.3, help="seconds between checks for changes")


def sources(report: Path = paths.REPORT) -> dict[Path, int]:
    """Every file the report is rendered from, with its modification time in nanoseconds."""
    found = [*report.rglob("*.qmd"), *report.glob("_quarto.yml"), *report.glob("_variables.yml"), *(report / "_generated").glob("*")]
    return {p: p.stat().st_mtime_ns for p in sorted(found) if p.is_file() and "_output" not in p.parts and "_preview" not in p.parts}


def render_once(formats: list[str]) -> float:
    """Render the report to report/_preview/ in each format; returns the seconds it took."""
    from poc1540.commands.render import render

    start = time.perf_counter()
    for fmt in formats:
        target = paths.REPORT_PREVIEW / (paths.REPORT_PDF.name if fmt == "pdf" else paths.REPORT_HTML.name)
        render(paths.REPORT_MAIN, target, fmt, "pandoc", paths.REPORT_PREVIEW / ".build")
    return time.perf_counter() - start


def main(args: argparse.Namespace) -> int:
    if args.once:
        seconds = render_once(args.to)
        print(f"Rendered {paths.relative(paths.REPORT_PREVIEW)} in {seconds:.2f} s")
        return 0
    print(f"Watching {paths.relative(paths.REPORT)} (Ctrl-C to stop); output in {paths.relative(paths.REPORT_PREVIEW)}/")
    seen: dict[Path, int] = {}
    try:
        while True:
            now = sources()
            if now != seen:
                seen = now
                try:
                    print(f"Rendered in {render_once(args.to):.2f} s", flush=True)
                except UserError as exc:
                    print(f"Render failed (fix and save again): {exc}", flush=True)
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
