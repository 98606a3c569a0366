"""The executed notebooks as HTML next to the report, for reviewers who do not run Jupyter.

All notebooks are converted in one process, so nbconvert's start-up is paid once, and only the
notebooks that changed are converted again: each page carries, in a ``<meta>`` tag, a hash of
the executed notebook it was made from and of the exporter (nbconvert's version and this
module's code). A page whose hash matches is left as it is; a page whose notebook is gone is
removed. (The DVC stage keeps its output between runs, ``persist: true``, for this.)
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import nbformat

from poc1540.core import atomic, paths

META = "poc1540-source"


def _fingerprint() -> bytes:
    return f"nbconvert {metadata.version('nbconvert')}\n".encode() + Path(__file__).read_bytes()


def source_key(notebook: Path) -> str:
    """The hash a page of ``notebook`` carries: the notebook's bytes and the exporter's."""
    return hashlib.sha256(_fingerprint() + Path(notebook).read_bytes()).hexdigest()[:32]


def _tag(key: str) -> str:
    return f'<meta name="{META}" content="{key}">'


def export_all(results: Path = paths.RESULTS, target: Path = paths.REPORT_OUTPUT / "notebooks") -> list[Path]:
    """Write ``<target>/<notebook>.html`` for every executed notebook under ``results/``; return the pages converted."""
    sources = sorted(Path(results).glob("*/*.ipynb"))
    target = Path(target)
    wanted = {f"{s.stem}.html" for s in sources}
    for stale in target.glob("*.html"):
        if stale.name not in wanted:
            stale.unlink()
    exporter = None
    written = []
    for source in sources:
        page, tag = target / f"{source.stem}.html", _tag(source_key(source))
        if page.is_file() and tag in page.read_text(encoding="utf-8", errors="replace"):
            continue
        if exporter is None:
            from nbconvert import HTMLExporter

            exporter = HTMLExporter(template_name="lab")
        body, _ = exporter.from_notebook_node(nbformat.read(source, as_version=4))
        body = body.replace("<head>", f"<head>\n{tag}", 1)
        written.append(atomic.write_text(page, body))
    return written
