"""Quarto shortcodes and project metadata, resolved as a text pre-pass before pandoc.

Supported, as Quarto does them:

* ``{{< include path.qmd >}}`` on a line of its own; the path is relative to the including
  file; includes nest, and a cycle is an error.
* ``{{< var key >}}`` / ``{{< var a.b.c >}}``: dotted keys into ``_variables.yml`` beside the
  main document (list items by index: ``{{< var items.0 >}}``).
* ``{{< meta key >}}``: dotted keys into the document metadata (``_quarto.yml`` merged under
  the front matter).
* ``{{< pagebreak >}}``: a page break (PDF) / print page break (HTML).
* ``{{{< var x >}}}`` is an escaped shortcode and renders literally as ``{{< var x >}}``;
  fenced code blocks with the attribute ``shortcodes=false`` are left untouched.

Shortcodes in the front matter are substituted too (``date: "{{< var report.date >}}"``).
A missing variable, metadata key or include file raises :class:`RenderError` naming the
file, the line and the key, never a silent ``?var:key``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import RenderError
from .subset import SHORTCODES

# An escaped shortcode ({{{< ... >}}}) or a shortcode ({{< ... >}}); escaped first.
_SHORTCODE = re.compile(r"\{\{\{<\s*(?P<esc>.*?)\s*>\}\}\}|\{\{<\s*(?P<body>.*?)\s*>\}\}")
_INCLUDE_LINE = re.compile(r"^\s*\{\{<\s*include\s+(?P<arg>.+?)\s*>\}\}\s*$")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")

VARIABLES_FILE = "_variables.yml"
PROJECT_FILE = "_quarto.yml"


@dataclass
class SourceLine:
    text: str
    file: Path
    lineno: int  # 1-based, in `file`


@dataclass
class Document:
    """A .qmd with its includes spliced in and its shortcodes resolved."""

    source: Path
    meta: dict[str, Any]  # _quarto.yml (minus `project`) merged under the front matter
    lines: list[SourceLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines) + "\n"

    def where(self, needle: str) -> list[str]:
        """'file:line' of every expanded line containing `needle` (for error messages)."""
        return [f"{show_path(line.file)}:{line.lineno}" for line in self.lines if needle in line.text]

    def origin(self, lineno: int) -> str | None:
        """'file:line' of line `lineno` (1-based) of :attr:`text`."""
        if 1 <= lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            return f"{show_path(line.file)}:{line.lineno}"
        return None


def show_path(path: Path) -> str:
    """A path as short as is still unambiguous: relative to the cwd when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------
# YAML files and front matter


def _load_yaml_file(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{show_path(path)}:{mark.line + 1}" if mark else show_path(path)
        raise RenderError(f"{where}: invalid YAML: {exc}") from None


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], list[str], int]:
    """(front matter, body lines, line number of the first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return {}, lines, 1
    for end in range(1, len(lines)):
        if _FRONT_MATTER_END.match(lines[end]):
            break
    else:
        raise RenderError(f"{show_path(path)}:1: front matter starting with '---' is never closed")
    raw = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{show_path(path)}:{mark.line + 2}" if mark else show_path(path)
        raise RenderError(f"{where}: invalid YAML in front matter: {exc}") from None
    if not isinstance(meta, dict):
        raise RenderError(f"{show_path(path)}:2: front matter must be a YAML mapping")
    return meta, lines[end + 1 :], end + 2


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_project_meta(directory: Path) -> dict[str, Any]:
    """Document metadata from ``_quarto.yml`` beside the source (its `project` key dropped)."""
    path = directory / PROJECT_FILE
    if not path.is_file():
        return {}
    data = _load_yaml_file(path) or {}
    if not isinstance(data, dict):
        raise RenderError(f"{show_path(path)}: must be a YAML mapping")
    data.pop("project", None)
    return data


# --------------------------------------------------------------------------------------
# Values


def format_value(value: Any) -> str:
    """A YAML scalar as Quarto prints it (booleans lower-case, 3.0 as 3, dates ISO)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def lookup(data: Any, key: str) -> tuple[bool, Any]:
    """Dotted-key lookup: (found, value). A literal key containing dots wins."""
    if isinstance(data, dict) and key in data:
        return True, data[key]
    node = data
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


# --------------------------------------------------------------------------------------
# Expansion


class _Expander:
    def __init__(self, source: Path, to: str):
        self.source = source
        self.to = to
        self.directory = source.parent
        self._variables: Any = None
        self.meta: dict[str, Any] = {}
        self.raw_meta = True  # True while the front matter itself is being expanded

    # -- lookups ------------------------------------------------------------------------
    @property
    def variables_path(self) -> Path:
        return self.directory / VARIABLES_FILE

    def variables(self, where: str, key: str) -> Any:
        if self._variables is None:
            if not self.variables_path.is_file():
                raise RenderError(
                    f"{where}: {{{{< var {key} >}}}} used but there is no "
                    f"{VARIABLES_FILE} beside {show_path(self.source)} "
                    f"(looked for {show_path(self.variables_path)})"
                )
            self._variables = _load_yaml_file(self.variables_path) or {}
        return self._variables

    def resolve(self, body: str, where: str, meta: dict[str, Any], depth: int = 0) -> str:
        parts = body.split(None, 1)
        name = parts[0] if parts else ""
        arg = _unquote(parts[1].strip()) if len(parts) > 1 else ""
        if name == "var":
            if not arg:
                raise RenderError(f"{where}: {{{{< var >}}}} needs a key")
            found, value = lookup(self.variables(where, arg), arg)
            if not found:
                raise RenderError(
                    f"{where}: unknown variable '{arg}' in {{{{< var {arg} >}}}} (not defined in {show_path(self.variables_path)})"
                )
            return self._scalar(value, where, f"variable '{arg}'")
        if name == "meta":
            if not arg:
                raise RenderError(f"{where}: {{{{< meta >}}}} needs a key")
            found, value = lookup(meta, arg)
            if not found:
                raise RenderError(
                    f"{where}: unknown metadata key '{arg}' in {{{{< meta {arg} >}}}} "
                    f"(not in the front matter of {show_path(self.source)} or in {PROJECT_FILE})"
                )
            text = self._scalar(value, where, f"metadata key '{arg}'")
            if self.raw_meta and "{{" in text:
                # Front matter phase: the referenced value may hold shortcodes of its own.
                if depth > 10:
                    raise RenderError(f"{where}: {{{{< meta {arg} >}}}} refers to itself")
                text = self.substitute(text, where, meta, depth + 1)
            return text
        if name == "pagebreak":
            if self.to == "pdf":
                return "\n```{=typst}\n#pagebreak()\n```\n"
            return '\n```{=html}\n<div class="page-break"></div>\n```\n'
        if name == "include":
            raise RenderError(f"{where}: {{{{< include >}}}} must be on a line of its own")
        raise RenderError(
            f"{where}: shortcode {{{{< {body} >}}}} is not supported by qmdrender (it knows "
            f"{', '.join(SHORTCODES)}); remove it, or render with --engine quarto"
        )

    @staticmethod
    def _scalar(value: Any, where: str, what: str) -> str:
        if value is None:
            raise RenderError(f"{where}: {what} is empty (null)")
        if isinstance(value, (dict, list)):
            raise RenderError(
                f"{where}: {what} is a {'mapping' if isinstance(value, dict) else 'list'}, not a single value; use a longer dotted key"
            )
        return format_value(value)

    def substitute(self, text: str, where: str, meta: dict[str, Any], depth: int = 0) -> str:
        def repl(match: re.Match) -> str:
            if match.group("esc") is not None:
                return "{{< " + match.group("esc") + " >}}"
            return self.resolve(match.group("body"), where, meta, depth)

        return _SHORTCODE.sub(repl, text)

    # -- front matter --------------------------------------------------------------------
    def expand_meta(self, node: Any, raw_lines: list[str], first_line: int, meta: dict) -> Any:
        if isinstance(node, dict):
            return {k: self.expand_meta(v, raw_lines, first_line, meta) for k, v in node.items()}
        if isinstance(node, list):
            return [self.expand_meta(v, raw_lines, first_line, meta) for v in node]
        if isinstance(node, str) and "{{" in node:
            where = show_path(self.source)
            for match in _SHORTCODE.finditer(node):
                for offset, line in enumerate(raw_lines):
                    if match.group(0) in line:
                        where = f"{show_path(self.source)}:{first_line + offset}"
                        break
                break
            return self.substitute(node, where, meta)
        return node

    # -- body ----------------------------------------------------------------------------
    def expand_file(self, path: Path, lines: list[str], first_line: int, stack: tuple[Path, ...]) -> list[SourceLine]:
        out: list[SourceLine] = []
        fence: str | None = None  # the open fence, when inside a fenced code block
        verbatim = False  # inside a code block marked shortcodes=false
        for offset, text in enumerate(lines):
            lineno = first_line + offset
            where = f"{show_path(path)}:{lineno}"
            fm = _FENCE.match(text)
            if fence is None and fm:
                fence = fm.group("fence")
                verbatim = "shortcodes=false" in fm.group("info").replace(" ", "")
            elif fence is not None and fm and _closes(fm, fence):
                fence, was_verbatim, verbatim = None, verbatim, False
                if was_verbatim:
                    out.append(SourceLine(text, path, lineno))
                    continue
            if verbatim:
                out.append(SourceLine(text, path, lineno))
                continue
            inc = _INCLUDE_LINE.match(text)
            if inc:
                target = (path.parent / _unquote(inc.group("arg").strip())).resolve()
                if target in stack or target == path:
                    chain = " -> ".join(show_path(p) for p in (*stack, path, target))
                    raise RenderError(f"{where}: include cycle: {chain}")
                if not target.is_file():
                    raise RenderError(
                        f"{where}: included file not found: {show_path(target)} (in {{{{< include {inc.group('arg').strip()} >}}}})"
                    )
                content = target.read_text(encoding="utf-8").splitlines()
                out.extend(self.expand_file(target, content, 1, (*stack, path)))
                continue
            out.append(SourceLine(self.substitute(text, where, self.meta), path, lineno))
        return out


def _closes(match: re.Match, fence: str) -> bool:
    got = match.group("fence")
    return got[0] == fence[0] and len(got) >= len(fence) and not match.group("info").strip()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def expand(source: Path, *, to: str = "pdf") -> Document:
    """Read `source`, merge its metadata, splice includes and resolve every shortcode."""
    source = Path(source).resolve()
    if not source.is_file():
        raise RenderError(f"source not found: {show_path(source)}")
    expander = _Expander(source, to)
    front, body, first_line = split_front_matter(source, source.read_text(encoding="utf-8"))
    raw = _deep_merge(load_project_meta(source.parent), front)
    fm_lines = source.read_text(encoding="utf-8").splitlines()[1 : max(first_line - 2, 1)]
    meta = expander.expand_meta(raw, fm_lines, 2, raw)
    expander.meta, expander.raw_meta = meta, False
    doc = Document(source=source, meta=meta)
    doc.lines = expander.expand_file(source, body, first_line, ())
    return doc
