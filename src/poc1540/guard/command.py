"""``poc1540 guard``: scan the published outputs, print every leak, write the receipt only when clean.

With ``--publish`` (as the DVC stage runs it) the report and notebook pages are scanned in
``report/_staging/`` and, only when the scan is clean, published to ``report/_output/``
(:mod:`poc1540.guard.publish`); a failed scan leaves the previous edition there as it was.

The parameters come from the parameter files, read here and passed on (the scan itself reads
none): ``min_cell_size`` from ``params/common.yaml`` unless ``--min-cell`` is given, and the
State-level results folders from ``params/guard.yaml`` (``state_level_results``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from poc1540.core import atomic, params, paths
from poc1540.errors import UserError
from poc1540.guard import publish, rules, scope
from poc1540.guard.audit import audit
from poc1540.guard.model import PARAMS, RECEIPT


def guard(
    root: Path,
    *,
    min_cell: int,
    state_level: Iterable[str],
    survey: Path | None = None,
    receipt: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stage: bool = False,
) -> int:
    """Scan, print every leak and a summary; on a clean scan write the receipt. Returns 0 or 1.

    With ``stage``, the report is scanned in the staging folder and published when clean.
    """
    out, err = out or sys.stdout, err or sys.stderr
    report_dir = publish.STAGING if stage else publish.OUTPUT
    result = audit(root, min_cell=min_cell, state_level=state_level, survey=survey, report_dir=report_dir)
    receipt = Path(receipt) if receipt is not None else Path(root) / RECEIPT
    for note in result.notes:
        print(f"note: {note}", file=out)
    counts = ", ".join(f"{rule}: {n}" for rule, n in result.counts().items() if n)
    if result.leaks:
        for leak in result.leaks:
            print(leak, file=err)
        print(
            f"\nConfidentiality guard failed: {len(result.leaks)} leak(s) in {len({leak.file for leak in result.leaks})} of "
            f"{len(result.files)} published file(s) ({counts}). No receipt was written"
            + (f" and {publish.OUTPUT.as_posix()}/ keeps the previous edition" if stage else "")
            + "; fix the outputs (or the notebooks that make them) and rebuild.",
            file=err,
        )
        return 1
    if stage:
        published = publish.publish(Path(root))
        print(f"Published {len(published)} file(s) from {publish.STAGING.as_posix()}/ to {publish.OUTPUT.as_posix()}/", file=out)
        result.files = publish.renamed(result.files)  # the receipt names the files where they are now
    atomic.write_text(receipt, json.dumps(result.receipt(), indent=2, ensure_ascii=False) + "\n")
    print(
        f"Confidentiality guard passed: {len(result.files)} published file(s) scanned, min cell {result.min_cell}, "
        f"{result.respondents} respondents. Receipt: {paths.relative(receipt, Path(root))}",
        file=out,
    )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The guard's options (shared by ``poc1540 guard`` and ``python -m poc1540.guard.command``)."""
    parser.add_argument("--root", default=None, help="repository root (default: POC1540_ROOT or this checkout)")
    parser.add_argument("--survey", default=None, help="survey responses (default: the file the manifest names)")
    parser.add_argument("--min-cell", type=int, default=None, help="suppression threshold (default: params/common.yaml min_cell_size)")
    parser.add_argument("--receipt", default=None, help=f"receipt to write when clean (default: {RECEIPT.as_posix()})")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="scan the edition in report/_staging/ and, when clean, publish it to report/_output/ (what dvc repro runs)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the guard from parsed options, with the parameters of ``<root>/params/``."""
    root = Path(args.root) if args.root else paths.ROOT
    params_dir = root / PARAMS
    if args.min_cell is not None:
        min_cell = rules.checked_min_cell(args.min_cell, source="--min-cell")
    else:
        min_cell = rules.checked_min_cell(params.value("common", "min_cell_size", params_dir))
    state_level = scope.checked_state_level(params.value("guard", "state_level_results", params_dir))
    return guard(
        root,
        min_cell=min_cell,
        state_level=state_level,
        survey=Path(args.survey) if args.survey else None,
        receipt=Path(args.receipt) if args.receipt else None,
        stage=args.publish,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m poc1540.guard.command [--root R] [--survey F] [--min-cell N] [--receipt P]``."""
    parser = add_arguments(argparse.ArgumentParser(prog="poc1540 guard", description=__doc__.splitlines()[0]))
    try:
        return run(parser.parse_args(argv))
    except (UserError, FileNotFoundError, KeyError) as exc:
        print(f"poc1540 guard: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
