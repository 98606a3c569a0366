"""Publishing an edition: the rendered report moves from its staging folder to ``report/_output/``.

The report and notebook pages are rendered into ``report/_staging/``; the guard scans them there
and only when the scan is clean copies the staged edition into ``report/_output/``, replacing
the previous edition whole and in one step (:func:`poc1540.core.atomic.replace_dir`). A failed
scan therefore leaves the last good edition byte-identical, and nothing that failed the guard
ever sits where an author picks up the report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from poc1540.core import atomic, paths

#: Where the report stages render and the guard reads, relative to the root.
STAGING = paths.REPORT_STAGING.relative_to(paths.ROOT)
#: Where the guard publishes, relative to the root.
OUTPUT = paths.REPORT_OUTPUT.relative_to(paths.ROOT)


def publish(root: Path, staging: Path = STAGING, output: Path = OUTPUT) -> list[str]:
    """Copy the staged edition (not its hidden folders) over ``report/_output/``; the files published."""
    source, target = Path(root) / staging, Path(root) / output
    if not source.is_dir():
        raise FileNotFoundError(f"{paths.relative(source, root)} does not exist: render the report first (dvc repro)")
    with atomic.staged_dir(target) as scratch:
        # copied, not moved: the staging folder is the report stages' DVC output
        shutil.copytree(source, scratch, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    return sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())


def renamed(files: dict[str, str], staging: Path = STAGING, output: Path = OUTPUT) -> dict[str, str]:
    """Scanned files keyed by where publishing put them (``report/_staging/x`` -> ``report/_output/x``), sorted."""
    prefix = staging.as_posix() + "/"
    moved = {f"{output.as_posix()}/{rel[len(prefix) :]}" if rel.startswith(prefix) else rel: digest for rel, digest in files.items()}
    return dict(sorted(moved.items()))
