"""Refuse the Quarto constructs qmdrender does not render the way Quarto does.

Run on the expanded document (includes spliced, shortcodes resolved) before pandoc sees it, so
every message names the file and line the author wrote, the construct, and what to do. The
lists of refused constructs live in :mod:`qmdrender.subset`.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from . import subset
from .errors import RenderError
from .shortcodes import PROJECT_FILE, Document, show_path

_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_EXEC_CELL = re.compile(r"^\{\s*(?P<lang>[A-Za-z][\w-]*)")  # ```{python}, not ```{=typst} or ```{.r}
_INLINE_EXEC = re.compile(r"`\{(?P<lang>[A-Za-z][\w-]*)\}[^`]*`")
_INLINE_CODE = re.compile(r"(`+).+?\1")
_DIV_BARE = re.compile(r"^\s*:{3,}\s*(?P<cls>[A-Za-z][\w-]*)\s*$")
_ATTRS = re.compile(r"\{(?P<body>[^{}]*)\}")
_REF = re.compile(r"(?<![\w.@/])@(?P<id>(?P<prefix>[A-Za-z]+)-[\w:.-]*\w)")


def _refuse(where: str, construct: str, what: str, advice: str) -> RenderError:
    return RenderError(f"{where}: {construct}: {what}, not supported by qmdrender; {advice}, or {subset.REFUSED_ADVICE}")


def _attributes(body: str) -> tuple[list[str], list[str], dict[str, str]] | None:
    """(ids, classes, key=value) of a pandoc attribute block, or None when it is not one."""
    try:
        tokens = shlex.split(body, posix=True)
    except ValueError:
        return None
    if not tokens:
        return None
    ids: list[str] = []
    classes: list[str] = []
    attrs: dict[str, str] = {}
    for token in tokens:
        if token.startswith("#") and len(token) > 1:
            ids.append(token[1:])
        elif token.startswith(".") and len(token) > 1:
            classes.append(token[1:])
        elif re.match(r"^[A-Za-z][\w-]*=", token):
            key, _, value = token.partition("=")
            attrs[key] = value
        elif token == "-":  # {-}: pandoc's short form of .unnumbered
            classes.append("unnumbered")
        else:
            return None  # prose in braces, not attributes
    return ids, classes, attrs


def _check_attributes(where: str, body: str, ids: list[str], classes: list[str], attrs: dict[str, str]) -> None:
    shown = "{" + body.strip() + "}"
    for ident in ids:
        prefix = ident.split("-", 1)[0].lower() if "-" in ident else ""
        if prefix in subset.REFUSED_CROSSREF_TYPES:
            kind = subset.REFUSED_CROSSREF_TYPES[prefix]
            raise _refuse(where, f"#{ident}", f"a {kind} label ({prefix}-)", "drop the label, or use fig-, tbl- or sec-")
    for cls in classes:
        what = subset.REFUSED_CLASSES.get(cls)
        if what is None:
            what = next((w for p, w in subset.REFUSED_CLASS_PREFIXES.items() if cls.startswith(p)), None)
        if what is not None:
            raise _refuse(where, f".{cls} in {shown}", what, "write it as plain paragraphs, figures or tables")
    for key, value in attrs.items():
        if key in subset.REFUSED_ATTRIBUTES:
            raise _refuse(where, f"{key}={value} in {shown}", subset.REFUSED_ATTRIBUTES[key], "remove the attribute")


def check_body(doc: Document) -> None:
    """Raise RenderError at the first refused construct of the document's body."""
    fence: str | None = None
    for line in doc.lines:
        where = f"{show_path(line.file)}:{line.lineno}"
        text = line.text
        match = _FENCE.match(text)
        if fence is not None:
            if (
                match
                and match.group("fence")[0] == fence[0]
                and len(match.group("fence")) >= len(fence)
                and not match.group("info").strip()
            ):
                fence = None
            continue  # code and raw blocks are verbatim
        if match:
            fence = match.group("fence")
            info = match.group("info").strip()
            block = _ATTRS.fullmatch(info)
            parsed = _attributes(block.group("body")) if block else None
            if block and parsed:  # ```{#lst-x .python}: a code block's own attributes
                _check_attributes(where, block.group("body"), *parsed)
            cell = _EXEC_CELL.match(info)
            if cell:
                raise _refuse(
                    where,
                    f"```{{{cell.group('lang')}}}",
                    "an executable code cell",
                    "compute the value in the pipeline and print it with {{< var key >}}",
                )
            continue
        inline = _INLINE_EXEC.search(text)
        if inline:
            raise _refuse(
                where, inline.group(0), "inline executable code", "compute the value in the pipeline and print it with {{< var key >}}"
            )
        text = _INLINE_CODE.sub("", text)
        bare = _DIV_BARE.match(text)
        if bare:
            _check_attributes(where, "." + bare.group("cls"), [], [bare.group("cls")], {})
        for block in _ATTRS.finditer(text):
            parsed = _attributes(block.group("body"))
            if parsed:
                _check_attributes(where, block.group("body"), *parsed)
        for ref in _REF.finditer(text):
            prefix = ref.group("prefix").lower()
            if prefix in subset.REFUSED_CROSSREF_TYPES:
                kind = subset.REFUSED_CROSSREF_TYPES[prefix]
                raise _refuse(where, f"@{ref.group('id')}", f"a reference to a {kind} (@{prefix}-)", "write the reference out as text")


# --------------------------------------------------------------------------------------
# front matter


def _meta_where(doc: Document, key: str) -> str:
    """file:line of `key:` in the source's front matter, else in _quarto.yml, else the file."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*:")
    for path in (doc.source, doc.source.parent / PROJECT_FILE):
        if path.is_file():
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.match(text):
                    return f"{show_path(path)}:{number}"
    return show_path(doc.source)


def check_meta(doc: Document, meta: dict[str, Any]) -> None:
    """Raise RenderError for a front-matter option of Quarto's that qmdrender would ignore.

    `meta` is the metadata with the format's own options merged in (format: {typst: ...}).
    """
    for key, what in subset.REFUSED_FRONT_MATTER.items():
        if key in meta:
            raise _refuse(_meta_where(doc, key), f"{key}: {meta[key]!r}", what, f"remove {key}")
    crossref = meta.get("crossref")
    if crossref is not None:
        if not isinstance(crossref, dict):
            raise RenderError(f"{_meta_where(doc, 'crossref')}: crossref: must be a mapping of options")
        for key in crossref:
            if key not in subset.CROSSREF_OPTIONS:
                raise _refuse(
                    _meta_where(doc, str(key)),
                    f"crossref: {key}",
                    "this crossref option",
                    f"use only {', '.join(subset.CROSSREF_OPTIONS)}",
                )
    size = meta.get("papersize")
    if size is not None and str(size).lower() != subset.PAPERSIZE:
        raise _refuse(_meta_where(doc, "papersize"), f"papersize: {size}", "a paper other than A4", "remove papersize")


def check_formats(doc: Document, fmt: Any) -> None:
    """`format:` may name only typst and html (qmdrender's PDF is Typst's)."""
    names = [fmt] if isinstance(fmt, str) else list(fmt) if isinstance(fmt, dict) else []
    for name in names:
        if str(name) not in subset.FORMATS:
            raise _refuse(
                _meta_where(doc, "format") if isinstance(fmt, str) else _meta_where(doc, str(name)),
                f"format: {name}",
                "this output format",
                f"use {' or '.join(subset.FORMATS)} (the PDF is made with Typst)",
            )
