"""The executed notebooks as HTML next to the report, for reviewers who do not run Jupyter.

Each page is titled with its chapter (the notebook's first markdown heading), links back to its
chapter's section of the report, shows the data notice at the top while any input is not real, and shows every figure
the notebook saved right after the cell that saved it. Pages work offline and when
``report/_output/`` is published on its own: no script or stylesheet is fetched from the web
(nbconvert's require.js, MathJax and Mermaid are left out), the JupyterLab style sheet is one
shared file, ``notebook.css``, instead of ~240 KB inlined in every page, and the figures are
copied beside the pages (``<notebook>/<figure>.svg``).

All notebooks are converted in one process, so nbconvert's start-up is paid once, and only the
notebooks that changed are converted again: each page carries, in a ``<meta>`` tag, a hash of
what it was made from (the executed notebook, its figures and findings file, the notice, and
the exporter: nbconvert's version and this module's code). A page whose hash matches is left as
it is; a page whose notebook is gone is removed. (The DVC stage keeps its output between runs,
``persist: true``, for this.)
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat

from poc1540.core import atomic, notice, paths

META = "poc1540-source"
STYLESHEET = "notebook.css"
REPORT_LINK = "../poc1540-report.html"
# The report section each notebook's chapter is (the id of its heading in report/chapters/*.qmd);
# a page links back to it, a notebook not listed here to the report's top. A test checks the ids.
SECTIONS = {
    "01_prepare": "sec-methods",
    "02_coverage": "sec-coverage",
    "03_respondents": "sec-respondents",
    "04_tasks_roles": "sec-tasks",
    "05_support": "sec-support",
    "06_challenges": "sec-challenges",
    "07_suggestions": "sec-suggestions",
}
# nbconvert's lab page without what it would fetch from the web, and with one linked style sheet.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<link rel="stylesheet" href="notebook.css">
{%- endblock notebook_css -%}
"""
# Kept from the lab template's inline style, plus the page's own parts (back link, notice, figures).
EXTRA_CSS = """
* { -webkit-print-color-adjust: exact; }
a.anchor-link { display: none; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
.jp-OutputArea-output pre, .jp-RenderedText pre { line-height: inherit; font-family: inherit; }
.jp-Collapser { display: none; }
@media print { .jp-Cell-inputWrapper, .jp-Cell-outputWrapper { display: block; } }
.poc1540-nav { padding: 0.5em 1em; font-family: var(--jp-ui-font-family); }
.poc1540-notice { margin: 0.5em 1em 1em; padding: 0.6em 1em; border-left: 4px solid #b3261e;
  background: #fbeaea; font-family: var(--jp-ui-font-family); font-weight: bold; }
.poc1540-figure { margin: 0.5em 0; }
.poc1540-figure img { max-width: 100%; height: auto; }
"""


def _fingerprint() -> bytes:
    return f"nbconvert {metadata.version('nbconvert')}\n".encode() + Path(__file__).read_bytes()


def _figures(notebook: Path) -> dict[str, dict[str, Any]]:
    """The figures the notebook's findings file records (name -> file, alt text, cell)."""
    findings = Path(notebook).parent / "findings.json"
    if not findings.is_file():
        return {}
    return dict(json.loads(findings.read_text(encoding="utf-8")).get("figures", {}))


def _figure_file(notebook: Path, fig: dict[str, Any]) -> Path:
    # Recorded relative to the repository root; the figure sits beside the notebook it came from.
    return Path(notebook).parent / Path(str(fig["file"])).name


def source_key(notebook: Path, stamp: str = "") -> str:
    """The hash a page of ``notebook`` carries: the notebook's bytes, its figures', the notice and the exporter's."""
    digest = hashlib.sha256(_fingerprint() + Path(notebook).read_bytes() + stamp.encode())
    findings = Path(notebook).parent / "findings.json"
    if findings.is_file():
        digest.update(findings.read_bytes())
    for fig in _figures(notebook).values():
        file = _figure_file(notebook, fig)
        if file.is_file():
            digest.update(file.read_bytes())
    return digest.hexdigest()[:32]


def report_link(notebook: str) -> str:
    """Where a notebook's page links back to: its chapter's section of the report, else the report's top."""
    section = SECTIONS.get(notebook)
    return f"{REPORT_LINK}#{section}" if section else REPORT_LINK


def _tag(key: str) -> str:
    return f'<meta name="{META}" content="{key}">'


def chapter_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The notebook's first markdown heading (its chapter title), else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in str(cell.source).splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip() or fallback
    return fallback


def _show_figures(nb: nbformat.NotebookNode, name: str, figures: dict[str, dict[str, Any]]) -> None:
    """Add each saved figure as an output of the cell that saved it (the last code cell when unknown)."""
    by_count = {c.get("execution_count"): c for c in nb.cells if c.cell_type == "code"}
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for fig_name, fig in figures.items():
        cell = by_count.get(fig.get("cell")) or (code_cells[-1] if code_cells else None)
        if cell is None:
            continue
        src = f"{html.escape(name)}/{html.escape(Path(str(fig['file'])).name)}"
        img = f'<figure class="poc1540-figure" id="fig-{html.escape(fig_name)}"><img src="{src}" alt="{html.escape(str(fig["alt"]))}"></figure>'
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/html": img}))


def _copy_figures(notebook: Path, figures: dict[str, dict[str, Any]], target: Path) -> None:
    """Copy the notebook's figures to ``<target>/<notebook>/``, and remove copies it no longer saves."""
    folder = target / notebook.stem
    wanted = {_figure_file(notebook, fig) for fig in figures.values()}
    for stale in folder.glob("*") if folder.is_dir() else []:
        if stale.name not in {w.name for w in wanted}:
            stale.unlink()
    for file in sorted(wanted):
        copy = folder / file.name
        if file.is_file() and (not copy.is_file() or copy.read_bytes() != file.read_bytes()):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, copy)


def stylesheet(exporter: Any) -> str:
    """JupyterLab's light theme from nbconvert's lab template, and this page's own rules."""
    parts = []
    for name in ("index.css", "theme-light.css"):
        found = next((Path(d) / "static" / name for d in exporter.template_paths if (Path(d) / "static" / name).is_file()), None)
        if found is not None:
            parts.append(found.read_text(encoding="utf-8"))
    return "\n".join(parts) + EXTRA_CSS


def _page(exporter: Any, source: Path, tag: str, stamp: str) -> str:
    nb = nbformat.read(source, as_version=4)
    title = chapter_title(nb, source.stem)
    nb.metadata["title"] = f"{title} (notebook {source.stem})"
    _show_figures(nb, source.stem, _figures(source))
    body, _ = exporter.from_notebook_node(nb)
    top = f'<nav class="poc1540-nav"><a href="{html.escape(report_link(source.stem))}">Back to the report</a></nav>'
    if stamp:
        top += f'\n<p class="poc1540-notice" role="note">{html.escape(stamp)}</p>'
    body = body.replace("<head>", f"<head>\n{tag}", 1)
    return body.replace("<main>", f"<main>\n{top}", 1)


def export_all(results: Path = paths.RESULTS, target: Path = paths.REPORT_OUTPUT / "notebooks", stamp: str | None = None) -> list[Path]:
    """Write ``<target>/<notebook>.html`` for every executed notebook under ``results/``; return the pages converted.

    ``stamp`` is the notice at the top of every page (default: from the data manifest; "" for none).
    """
    stamp = notice.one_line() if stamp is None else stamp
    sources = sorted(Path(results).glob("*/*.ipynb"))
    target = Path(target)
    wanted = {f"{s.stem}.html" for s in sources}
    for stale in target.glob("*.html"):
        if stale.name not in wanted:
            stale.unlink()
    for folder in target.iterdir() if target.is_dir() else []:
        if folder.is_dir() and f"{folder.name}.html" not in wanted:
            shutil.rmtree(folder)
    exporter = None
    written = []
    for source in sources:
        figures = _figures(source)
        _copy_figures(source, figures, target)
        page, tag = target / f"{source.stem}.html", _tag(source_key(source, stamp))
        if page.is_file() and tag in page.read_text(encoding="utf-8", errors="replace"):
            continue
        if exporter is None:
            import jinja2
            from nbconvert import HTMLExporter

            exporter = HTMLExporter(
                template_name="lab", template_file="poc1540.html.j2", extra_loaders=[jinja2.DictLoader({"poc1540.html.j2": TEMPLATE})]
            )
            css = stylesheet(exporter)
            sheet = target / STYLESHEET
            if not sheet.is_file() or sheet.read_text(encoding="utf-8") != css:
                atomic.write_text(sheet, css)
        written.append(atomic.write_text(page, _page(exporter, source, tag, stamp)))
    return written
