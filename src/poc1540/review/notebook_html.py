"""The executed notebooks as HTML next to the report, for reviewers who do not run Jupyter.

All notebooks are converted in one process, so nbconvert's start-up is paid once.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from poc1540.core import atomic, paths


def export_all(results: Path = paths.RESULTS, target: Path = paths.REPORT_OUTPUT / "notebooks") -> list[Path]:
    """Write ``<target>/<notebook>.html`` for every executed notebook under ``results/``."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    written = []
    for source in sorted(Path(results).glob("*/*.ipynb")):
        body, _ = exporter.from_notebook_node(nbformat.read(source, as_version=4))
        written.append(atomic.write_text(Path(target) / f"{source.stem}.html", body))
    return written
