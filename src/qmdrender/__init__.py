"""Render a Quarto-style ``.qmd`` report to PDF (pandoc -> Typst) or HTML, with or without Quarto.

    from qmdrender import render, RenderError
    render(Path("report/index.qmd"), Path("report/_output/report.pdf"))            # PDF
    render(Path("report/index.qmd"), Path("report/_output/report.html"), to="html")

``engine="quarto"`` runs ``quarto render`` (a ``quarto`` binary must be on PATH);
``engine="pandoc"`` (the default) does what Quarto does for these formats with the tools the project can install: the text
pre-pass of :mod:`qmdrender.shortcodes` (``include``, ``var``, ``meta``), the refusal of
every Quarto construct outside the declared subset (:mod:`qmdrender.subset`,
:mod:`qmdrender.check`: file, line, construct, what to do), pandoc with the
Lua filter ``crossref.lua`` (cross-references, callouts, figure alt text) and the templates
``template.typ`` / ``template.html``, then Typst (the ``typst`` wheel) for the PDF.

Front matter (and ``_quarto.yml`` beside the source, merged underneath it):

``title``, ``subtitle``, ``author`` (a name, a list of names, or Quarto's ``name`` /
``affiliations`` mappings), ``date`` (``YYYY-MM-DD``: printed per ``date-format`` and used as
the PDF's creation date; ``today``/``now``/``last-modified`` are refused as irreproducible),
``date-format`` (``long`` (default), ``full``, ``medium``, ``short``, ``iso`` or a pattern
such as ``D MMMM YYYY``), ``abstract``, ``abstract-title``, ``lang``,
``number-sections`` (default false, as in Quarto; a document without a ``#`` heading numbers
its ``##`` headings 1, 2, ...), ``crossref`` (``fig-title``, ``tbl-title``, ``fig-prefix``,
``tbl-prefix``, ``sec-prefix``, ``title-delim``), ``toc`` (default false; PDF: an outline
after the title page, HTML: ``<nav id="TOC">`` linking to every section), ``toc-depth``
(default 3), ``toc-title`` (default "Table of contents"), ``lof`` / ``lot`` (PDF only, as in
Quarto's LaTeX output: a list of figures / of tables after the contents; titles from
``crossref: {lof-title, lot-title}``, default "List of Figures" / "List of Tables"),
``pdf-standard`` (a Typst standard or a list, e.g. ``ua-1``: Typst checks the document against
it and refuses it otherwise; PDF/UA-1 also makes viewers show the title, DisplayDocTitle),
``license`` (text, or Quarto's mapping ``{text, url}``),
``format: {typst: {...}, html: {...}}`` (per-format overrides), and keys of this project:

``watermark``
    short text printed small in the header of every PDF page (and atop the HTML page); used
    to mark builds made from synthetic or illustrative data.
``notice``
    a block of Markdown boxed at the foot of the title page (HTML: under the title block),
    e.g. the list of inputs that are not real data. A callout in it is the notice itself: its
    title becomes the notice's heading.
``notice-file``
    the notice read from a Markdown file (relative to the source; no shortcodes), for a notice
    a pipeline writes; an empty file gives no notice.
``institution``, ``edition``, ``data-as-of``, ``suggested-citation``, ``contact``
    Markdown text for the title page (institution above the title, edition and "Data as of"
    under the date, citation, licence and contact at its foot; HTML: in the title block).

Tables are set as in a journal (booktabs): a rule above and below, a light one under the
header and above a totals row, no vertical lines. A totals row is a body row, not the first,
whose first cell reads ``Total``; in HTML it has ``class="total"``. Columns align as the pipe
table's delimiter row says (``--:`` right, ``:--`` left); a pipe table with a line longer than
72 characters is set to the text width, its columns in proportion to the delimiter's dashes
(pandoc's rule), else each column is as wide as its content.

PDF pages are numbered i, ii, ... up to the end of the contents (the title page is i, its
number not printed) and from 1 in the body; the PDF's page labels are the printed numbers.
The title is Typst's ``title`` element (tagged ``/Title``), the PDF's metadata title and author
come from ``title`` and ``author``.

Output is deterministic: the same input gives byte-identical PDF/HTML (no clock, no system
fonts: only the fonts embedded in Typst are used). The final file is written atomically, so
a failed render leaves a previous output untouched. Intermediates (expanded Markdown,
metadata, the ``.typ``) go to ``build_dir`` (default: ``<output dir>/.build``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import yaml

from .check import check_body
from .errors import RenderError
from .metadata import format_date, prepare_meta
from .shortcodes import Document, expand, show_path
from .subset import SUPPORTED

# Pandoc's markdown without example lists: with them, a wrapped line that starts with
# "(@fig-x)" would silently become a numbered example instead of a cross-reference.
READER = "markdown-example_lists"

__all__ = ["render", "RenderError", "RenderWarning", "SUPPORTED", "expand", "find_quarto", "format_date"]

HERE = Path(__file__).resolve().parent
LUA_FILTER = HERE / "crossref.lua"
TYPST_TEMPLATE = HERE / "template.typ"
HTML_TEMPLATE = HERE / "template.html"
HTML_CSS = HERE / "report.css"

FORMATS = ("pdf", "html")
# No "auto": which engine made a file must never depend on what happens to be on PATH.
ENGINES = ("pandoc", "quarto")
# The fonts Typst ships inside its binary; the template uses only these.
EMBEDDED_FONTS = ("Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono")


class RenderWarning(UserWarning):
    """A non-fatal message from Typst."""


def find_quarto() -> str | None:
    return shutil.which("quarto")


def render(
    source: Path,
    output: Path,
    *,
    to: str = "pdf",
    engine: str = "pandoc",
    build_dir: Path | None = None,
) -> Path:
    """Render `source` (.qmd) to `output` as ``to`` ("pdf" or "html"); return `output`.

    engine: "pandoc" (pandoc + Typst, no Quarto needed) or "quarto" (``quarto render``).
    Raises RenderError with a message naming file and line for anything wrong in the input.
    """
    if to not in FORMATS:
        raise ValueError(f"to must be one of {FORMATS}, not {to!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    source = Path(source).resolve()
    output = Path(output).resolve()
    if not source.is_file():
        raise RenderError(f"source not found: {source}")
    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(build_dir).resolve() if build_dir else output.parent / ".build"
    build.mkdir(parents=True, exist_ok=True)
    if engine == "quarto":
        return _render_quarto(source, output, to, build)
    return _render_pandoc(source, output, to, build)


# ---------------------------------------------------------------------------------------
# pandoc + typst


def _render_pandoc(source: Path, output: Path, to: str, build: Path) -> Path:
    doc = expand(source, to=to)
    check_body(doc)  # a Quarto construct qmdrender does not render is refused, never approximated
    meta = prepare_meta(doc, to)
    stem = build / output.name
    body_md = stem.with_name(output.name + ".md")
    meta_yml = stem.with_name(output.name + ".meta.yml")
    images_json = stem.with_name(output.name + ".images.json")
    _write_text(body_md, doc.text)
    _write_text(
        meta_yml,
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=True, default_flow_style=False),
    )

    # Pass 1: parse, to find every image (resolved against the source's directory, as Quarto
    # does) and the Typst root that holds the source and all of them.
    ast = json.loads(_pandoc(["-f", READER, "-t", "json", str(body_md)], source, doc))
    image_map, root = _resolve_images(ast, doc)
    _write_text(images_json, json.dumps(image_map, indent=1, sort_keys=True))

    common = [
        str(body_md),
        "-f", READER,
        "--metadata-file", str(meta_yml),
        "-M", f"poc1540-images={images_json}",
        "--lua-filter", str(LUA_FILTER),
        "--fail-if-warnings",
    ]  # fmt: skip
    if meta.get("bibliography"):
        # After the crossref filter, which leaves every citation that is not a cross-reference
        # to citeproc; the bibliography's path is relative to the source, pandoc's working
        # directory. A key the bibliography lacks is a warning, which --fail-if-warnings stops.
        common += ["--citeproc"]
    if meta.get("toc"):
        common += ["--toc", f"--toc-depth={int(meta.get('toc-depth', 3))}"]
    if to == "html":
        html = _pandoc(
            [
                *common,
                "-t",
                "html5",
                "--standalone",
                "--template",
                str(HTML_TEMPLATE),
                "--css",
                str(HTML_CSS),
                "--embed-resources",
                "--resource-path",
                str(source.parent),
                "--wrap",
                "none",
            ],  # fmt: skip
            source,
            doc,
        )
        _check_html_offline(html, doc)
        _write_atomic(output, html)
        return output

    typ_file = stem.with_name(output.name + ".typ")
    typ = _pandoc(
        [*common, "-t", "typst", "--standalone", "--template", str(TYPST_TEMPLATE)],
        source,
        doc,
    )
    typ_file.write_bytes(typ)
    pdf = _typst(typ, root, typ_file, meta.get("poc1540-pdf-standards", []))
    _write_atomic(output, pdf)
    return output


def _pandoc(args: list[str], source: Path, doc: Document) -> bytes:
    import pypandoc

    exe = pypandoc.get_pandoc_path()
    proc = subprocess.run([exe, *args], cwd=source.parent, capture_output=True, env=_quiet_env(), check=False)
    if proc.returncode != 0:
        raise RenderError(_pandoc_message(proc.stderr.decode("utf-8", "replace"), doc))
    return proc.stdout


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)  # not needed: nothing we produce reads the clock
    return env


_LUA_ERROR = re.compile(r"poc1540-render: (?P<msg>[^\n]*)")
_TOKEN = re.compile(r"(?P<tok>[@#][A-Za-z][\w.:-]*\w)|\"(?P<quoted>[\w.:-]+)\"")
_PANDOC_LINE = re.compile(r"\b(?:line|Line) (?P<line>\d+)(?:,? column (?P<col>\d+))?")


def _pandoc_message(stderr: str, doc: Document) -> str:
    lua = _LUA_ERROR.search(stderr)
    if lua:
        msg = lua.group("msg").strip()
        places: list[str] = []
        for match in _TOKEN.finditer(msg):
            tok = match.group("tok") or match.group("quoted")
            pattern = re.compile(re.escape(tok) + r"(?![\w-])")
            places = [f"{show_path(line.file)}:{line.lineno}" for line in doc.lines if pattern.search(line.text)]
            if places:
                break
        where = ", ".join(dict.fromkeys(places)) if places else show_path(doc.source)
        return f"{where}: {msg}"
    # pandoc's own messages name lines of the expanded Markdown: map them back.

    def origin(match: re.Match) -> str:
        place = doc.origin(int(match.group("line")))
        return f"{match.group(0)} ({place})" if place else match.group(0)

    text = _PANDOC_LINE.sub(origin, stderr.strip())
    return f"pandoc failed on {show_path(doc.source)}:\n{text}"


def _walk_images(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("t") == "Image":
            out.append(node["c"][2][0])
        for value in node.values():
            _walk_images(value, out)
    elif isinstance(node, list):
        for value in node:
            _walk_images(value, out)


def _resolve_images(ast: dict, doc: Document) -> tuple[dict[str, str], Path]:
    srcs: list[str] = []
    _walk_images(ast.get("blocks", []), srcs)
    resolved: dict[str, Path] = {}
    for src in dict.fromkeys(srcs):
        where = ", ".join(doc.where(src)) or show_path(doc.source)
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src) and not re.match(r"^[A-Za-z]:[\\/]", src):
            raise RenderError(f"{where}: image {src!r} is not a local file (remote resources are not fetched: the build runs offline)")
        path = (doc.source.parent / src).resolve()
        if not path.is_file():
            raise RenderError(f"{where}: image not found: {src} (looked for {path})")
        resolved[src] = path
    root = Path(os.path.commonpath([doc.source.parent, *(p.parent for p in resolved.values())]))
    image_map = {src: "/" + path.relative_to(root).as_posix() for src, path in resolved.items()}
    return image_map, root


def _typst(typ: bytes, root: Path, typ_file: Path, standards: list[str]) -> bytes:
    """Compile `typ` to PDF; `standards` (pdf-standard) are checked by Typst, which refuses a
    document that breaks them (ua-1: a title, alt text on every image and equation)."""
    import typst

    try:
        # typst's stubs lag its signature (pdf_tags); the call is exercised by every render test
        pdf, diagnostics = typst.compile_with_warnings(  # type: ignore[call-overload]
            typ,
            root=str(root),
            font_paths=[],
            ignore_system_fonts=True,
            format="pdf",
            pdf_tags=True,
            **({"pdf_standards": standards} if standards else {}),
        )
    except typst.TypstError as exc:
        raise RenderError(_typst_message(exc, typ_file)) from None
    for warning in diagnostics:
        text = _typst_message(warning, typ_file)
        if "font" in str(getattr(warning, "message", warning)).lower():
            fonts = ", ".join(EMBEDDED_FONTS)
            raise RenderError(f"{text}\n(only the fonts embedded in Typst are used: {fonts})")
        warnings.warn(text, RenderWarning, stacklevel=3)
    return pdf


def _typst_message(exc: Any, typ_file: Path) -> str:
    diagnostic = getattr(exc, "diagnostic", "") or getattr(exc, "message", "") or str(exc)
    diagnostic = re.sub(r"\S*__typst_py_bytes__\.typ", str(typ_file), diagnostic)
    hints = getattr(exc, "hints", None) or []
    extra = "".join(f"\nhint: {hint}" for hint in hints)
    return f"typst failed ({typ_file}):\n{diagnostic.rstrip()}{extra}"


_REMOTE = re.compile(rb"""(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _check_html_offline(html: bytes, doc: Document) -> None:
    """The HTML must be self-contained: no resource fetched from the network."""
    for match in _REMOTE.finditer(html):
        tag_start = html.rfind(b"<", 0, match.start())
        tag = html[tag_start : html.find(b">", match.end()) + 1].decode("utf-8", "replace")
        if tag.lower().startswith("<a "):
            continue  # a hyperlink the reader may follow is fine
        raise RenderError(f"{show_path(doc.source)}: HTML would load a remote resource: {tag[:200]}")


# ---------------------------------------------------------------------------------------
# quarto


def _render_quarto(source: Path, output: Path, to: str, build: Path) -> Path:
    quarto = find_quarto()
    if not quarto:
        raise RenderError("engine='quarto' but no quarto binary on PATH")
    name = f".poc1540-{output.stem}.{'pdf' if to == 'pdf' else 'html'}"
    args = [quarto, "render", str(source), "--to", "typst" if to == "pdf" else "html",
            "--output", name]  # fmt: skip
    if to == "html":
        args += ["-M", "embed-resources:true"]
    proc = subprocess.run(args, cwd=source.parent, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RenderError(f"quarto render failed on {show_path(source)}:\n" + proc.stderr.decode("utf-8", "replace").strip())
    produced = _quarto_output(source, name)
    try:
        _write_atomic(output, produced.read_bytes())
    finally:
        produced.unlink(missing_ok=True)
    return output


def _quarto_output(source: Path, name: str) -> Path:
    candidates = [source.parent / name]
    project = source.parent / "_quarto.yml"
    if project.is_file():
        conf = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
        out_dir = (conf.get("project") or {}).get("output-dir")
        if out_dir:
            candidates.insert(0, source.parent / out_dir / name)
    for path in candidates:
        if path.is_file():
            return path
    raise RenderError(f"quarto render succeeded but {name} was not found in {candidates}")


# ---------------------------------------------------------------------------------------
# files


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same directory and os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":  # pragma: no cover - handy for manual checks
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    fmt = sys.argv[3] if len(sys.argv) > 3 else ("html" if out.suffix == ".html" else "pdf")
    print(render(src, out, to=fmt))
