"""Front matter to pandoc metadata: title block, authors, dates (Quarto's keys and formats)."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .check import check_formats, check_meta
from .shortcodes import Document, RenderError, _deep_merge, show_path
from .subset import CROSSREF_DEFAULTS


def prepare_meta(doc: Document, to: str) -> dict[str, Any]:
    """Front matter as the templates and the Lua filter expect it."""
    meta = dict(doc.meta)
    fmt = meta.pop("format", None)
    check_formats(doc, fmt)
    if isinstance(fmt, dict):
        opts = fmt.get("typst" if to == "pdf" else "html")
        if isinstance(opts, dict):
            meta = _deep_merge(meta, opts)
    check_meta(doc, meta)
    where = show_path(doc.source)

    authors = meta.pop("authors", None)
    authors = meta.pop("author", authors)
    if authors is not None:
        meta["author"] = _authors(authors, where)

    date = meta.get("date")
    meta.pop("poc1540-date-iso", None)
    if date is not None and date != "":
        display, iso = _date(date, meta.pop("date-format", None), where)
        meta["date"] = display
        if iso:
            meta["poc1540-date-iso"] = iso

    lang = str(meta.get("lang") or "en")
    meta["lang"] = lang
    code, _, region = lang.replace("_", "-").partition("-")
    meta["poc1540-lang"] = code.lower()
    if region:
        meta["poc1540-region"] = region.upper()

    # Quarto's default: sections are numbered only when the front matter asks for it.
    meta["number-sections"] = bool(meta.get("number-sections", False))
    _navigation(meta, where)
    _crossref(meta)
    _cover(meta, where)
    _notice_file(meta, doc, where)
    if to == "html" and not meta.get("pagetitle"):
        meta["pagetitle"] = str(meta.get("title") or doc.source.stem)
    return _plain(meta)


# Quarto's defaults for the contents (toc-title is Quarto's English default); the list titles
# are LaTeX's, since Quarto's lof/lot keys come from its LaTeX output (crossref.lof-title).
TOC_DEFAULTS = {"toc-depth": 3, "toc-title": "Table of contents"}
LIST_TITLES = {"lof": ("lof-title", "List of Figures"), "lot": ("lot-title", "List of Tables")}
# The PDF standards Typst can check and write (Quarto's `pdf-standard` values for Typst).
PDF_STANDARDS = ("1.4", "1.5", "1.6", "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a",
                 "a-3b", "a-3u", "a-3a", "a-4", "a-4f", "a-4e", "ua-1")  # fmt: skip


def _flag(meta: dict[str, Any], key: str, where: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        raise RenderError(f"{where}: {key}: must be true or false, not {value!r}")
    return value


def _navigation(meta: dict[str, Any], where: str) -> None:
    """toc, toc-depth, toc-title, lof, lot and pdf-standard, checked, with Quarto's defaults.

    The templates read them as they stand, so every default is filled in here, once.
    """
    meta["toc"] = _flag(meta, "toc", where)
    for key, default in TOC_DEFAULTS.items():
        meta.setdefault(key, default)
    depth = meta["toc-depth"]
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 6:
        raise RenderError(f"{where}: toc-depth: must be a whole number from 1 to 6, not {depth!r}")
    crossref = meta.get("crossref")
    if not isinstance(crossref, dict):
        crossref = {}
    for key, (title_key, default) in LIST_TITLES.items():
        meta[key] = _flag(meta, key, where)
        meta[title_key] = str(crossref.get(title_key, default))

    standards = meta.pop("pdf-standard", None)
    if standards is not None:
        items = [str(s).lower() for s in (standards if isinstance(standards, list) else [standards])]
        unknown = [s for s in items if s not in PDF_STANDARDS]
        if unknown:
            raise RenderError(f"{where}: pdf-standard: unknown {', '.join(unknown)} (Typst writes {', '.join(PDF_STANDARDS)})")
        meta["poc1540-pdf-standards"] = items


def _crossref(meta: dict[str, Any]) -> None:
    """Quarto's crossref options, defaults filled in: for the Lua filter (poc1540-crossref)
    and the Typst template (the captions' and headings' supplements, the caption delimiter)."""
    crossref = meta.get("crossref")
    given = crossref if isinstance(crossref, dict) else {}
    xref = {key: str(given.get(key, default)) for key, default in CROSSREF_DEFAULTS.items()}
    meta["poc1540-crossref"] = xref
    meta["poc1540-fig-title"] = xref["fig-title"]
    meta["poc1540-tbl-title"] = xref["tbl-title"]
    meta["poc1540-sec-prefix"] = xref["sec-prefix"]
    if xref["title-delim"] != CROSSREF_DEFAULTS["title-delim"]:
        # Only when asked: Typst's own separator is the default ": ".
        meta["poc1540-title-delim"] = xref["title-delim"]


# Title-page keys of this project, printed in this order in the block under the authors.
COVER_KEYS = ("institution", "edition", "data-as-of", "suggested-citation", "license", "contact")


def _cover(meta: dict[str, Any], where: str) -> None:
    """The cover's keys as text; Quarto's `license` may also be a mapping {text, url}."""
    licence = meta.get("license")
    if isinstance(licence, dict):
        text = licence.get("text") or licence.get("type")
        if not text:
            raise RenderError(f"{where}: license: a mapping needs a 'text' (or 'type')")
        url = licence.get("url")
        meta["license"] = f"[{text}]({url})" if url else str(text)
    for key in COVER_KEYS:
        value = meta.get(key)
        if isinstance(value, (dict, list)):
            raise RenderError(f"{where}: {key}: must be text (Markdown), not a {type(value).__name__}")
        if value is not None:
            meta[key] = str(value)
    # The templates cannot test "any of": whether the cover's foot (or the HTML's list) is there.
    meta["poc1540-about"] = any(meta.get(k) for k in ("suggested-citation", "license", "contact"))


def _notice_file(meta: dict[str, Any], doc: Document, where: str) -> None:
    """`notice-file`: the notice read from a Markdown file (one a pipeline writes), relative to
    the source; an empty file means no notice, as a notice that has nothing to say disappears."""
    name = meta.pop("notice-file", None)
    if name is None:
        return
    if meta.get("notice"):
        raise RenderError(f"{where}: give notice or notice-file, not both")
    path = doc.source.parent / str(name)
    if not path.is_file():
        raise RenderError(f"{where}: notice-file not found: {show_path(path)}")
    text = path.read_text(encoding="utf-8")
    if "{{<" in text:
        # The file is read after the shortcode pass; expanding it half-way would be a surprise.
        raise RenderError(f"{show_path(path)}: a notice-file cannot hold shortcodes ({{{{< ... >}}}})")
    if text.strip():
        meta["notice"] = text


def _plain(node: Any) -> Any:
    """YAML-safe copy: dates as ISO strings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, (_dt.date, _dt.datetime)):
        return node.isoformat()
    return node


def _authors(value: Any, where: str) -> list[dict[str, str]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append({"name": item})
            continue
        if not isinstance(item, dict) or "name" not in item:
            raise RenderError(f"{where}: author entries must be names or mappings with a 'name'")
        name = item["name"]
        if isinstance(name, dict):  # Quarto: {given, family} or {literal}
            name = name.get("literal") or " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
        entry = {"name": str(name)}
        affs = item.get("affiliations", item.get("affiliation"))
        if affs:
            affs = affs if isinstance(affs, list) else [affs]
            names = [str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in affs]
            entry["affiliation"] = "; ".join(n for n in names if n)
        if item.get("email"):
            entry["email"] = str(item["email"])
        out.append(entry)
    return out


_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DATE_STYLES = {
    "full": "dddd, MMMM D, YYYY",
    "long": "MMMM D, YYYY",
    "medium": "MMM D, YYYY",
    "short": "M/D/YY",
    "iso": "YYYY-MM-DD",
}
_DATE_TOKEN = re.compile(r"\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd")


def format_date(day: _dt.date, fmt: str | None = None) -> str:
    """`day` in a Quarto date style (long, full, medium, short, iso) or dayjs-style pattern."""
    pattern = _DATE_STYLES.get(fmt or "long", fmt or "")

    def token(match: re.Match) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return {
            "YYYY": f"{day.year:04d}",
            "YY": f"{day.year % 100:02d}",
            "MMMM": _MONTHS[day.month - 1],
            "MMM": _MONTHS[day.month - 1][:3],
            "MM": f"{day.month:02d}",
            "M": str(day.month),
            "DD": f"{day.day:02d}",
            "D": str(day.day),
            "dddd": _DAYS[day.weekday()],
            "ddd": _DAYS[day.weekday()][:3],
        }[match.group(0)]

    return _DATE_TOKEN.sub(token, pattern)


def _date(value: Any, fmt: Any, where: str) -> tuple[str, str | None]:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return format_date(value, fmt), value.isoformat()
    text = str(value).strip()
    if text in ("today", "now", "last-modified"):
        raise RenderError(
            f"{where}: date: {text} depends on the clock or the file system, so the report "
            "would not rebuild byte-for-byte; give the date as YYYY-MM-DD (or a variable)"
        )
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            day = _dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise RenderError(f"{where}: date {text!r} is not a valid date") from None
        return format_date(day, fmt), day.isoformat()
    return text, None  # free text ("August 2020"): printed as is; the PDF gets no date
