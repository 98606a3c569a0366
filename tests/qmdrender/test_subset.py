"""The supported subset is explicit: other Quarto constructs are refused, naming file, line,
construct and what to do; the README lists exactly what qmdrender.SUPPORTED declares; the
report's own sources use nothing outside it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from qmdrender import SUPPORTED, RenderError, check, expand, render
from qmdrender.metadata import prepare_meta

ROOT = Path(__file__).resolve().parents[2]
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n'

FIGS = "![A](a.svg){#fig-a}\n\n![B](a.svg){#fig-b}\n\n"

# (the document's body, the line refused, text naming the construct)
REFUSED = {
    "sub-figures with layout-ncol": (
        "# Intro\n\n::: {#fig-pair layout-ncol=2}\n" + FIGS + "Pair\n:::\n",
        3,
        "layout-ncol=2",
    ),
    "sub-figures without a layout": ("# Intro\n\n::: {#fig-pair}\n" + FIGS + "Pair\n:::\n", 4, "#fig-a inside figure #fig-pair"),
    "list table": ("Text.\n\n::: {#tbl-list .list-table}\n\n* - a\n  - b\n:::\n", 3, ".list-table"),
    "theorem": ("Text.\n\n::: {#thm-line}\n## Line theorem\nA line is straight.\n:::\n", 3, "#thm-line"),
    "equation label": ("Text.\n\n$$ a = b $$ {#eq-ab}\n", 3, "#eq-ab"),
    "equation reference": ("Text.\n\nAs (@eq-ab) shows.\n", 3, "@eq-ab"),
    "tabset": ("Text.\n\n::: panel-tabset\n## One\nx\n:::\n", 3, ".panel-tabset"),
    "margin column": ("Text [aside]{.column-margin} here.\n", 1, ".column-margin"),
    "collapsed callout": ('::: {.callout-note collapse="true"}\nx\n:::\n', 1, "collapse=true"),
    "code listing": ("Text.\n\n```{#lst-loop .python}\nfor x in y: pass\n```\n", 3, "#lst-loop"),
    "executable cell": ("Text.\n\n```{python}\n1 + 1\n```\n", 3, "```{python}"),
    "inline executable code": ("The sum is `{r} 1 + 1`.\n", 1, "`{r} 1 + 1`"),
    "unknown shortcode": ("Text.\n\n{{< video clip.mp4 >}}\n", 3, "{{< video clip.mp4 >}}"),
}

# (front matter, the line refused, text naming the construct)
REFUSED_FRONT = {
    "number-offset": ("title: T\nnumber-offset: [2]\n", 3, "number-offset"),
    "unknown crossref option": ("title: T\ncrossref:\n  fig-labels: alpha a\n", 4, "crossref: fig-labels"),
    "a citation style": ("title: T\ncsl: apa.csl\n", 3, "csl"),
    "a LaTeX format": ("title: T\nformat: pdf\n", 3, "format: pdf"),
    "letter paper": ("title: T\npapersize: us-letter\n", 3, "papersize: us-letter"),
}


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "a.svg").write_text(SVG)
    source = tmp_path / "doc.qmd"
    source.write_text(text)
    return source


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_unsupported_construct_is_refused_with_file_line_and_construct(tmp_path: Path, case: str) -> None:
    body, line, construct = REFUSED[case]
    source = _write(tmp_path, body)
    out = tmp_path / "doc.pdf"
    out.write_bytes(b"previous")
    with pytest.raises(RenderError) as err:
        render(source, out)
    message = str(err.value)
    assert message.startswith(f"doc.qmd:{line}: ") or f"/doc.qmd:{line}: " in message, message
    assert construct in message, message
    assert "not supported by qmdrender" in message and "--engine quarto" in message, message
    assert out.read_bytes() == b"previous"  # the previous output is left untouched


@pytest.mark.parametrize("case", sorted(REFUSED_FRONT))
def test_an_unsupported_front_matter_option_is_refused(tmp_path: Path, case: str) -> None:
    front, line, construct = REFUSED_FRONT[case]
    source = _write(tmp_path, f"---\n{front}---\n\nText.\n")
    for fmt in ("pdf", "html"):
        with pytest.raises(RenderError) as err:
            render(source, tmp_path / f"doc.{fmt}", to=fmt)
        message = str(err.value)
        assert f"doc.qmd:{line}: " in message and construct in message, message
        assert "not supported by qmdrender" in message, message


def test_an_option_in_quarto_yml_is_refused_naming_that_file(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\nnumber-depth: 2\n")
    source = _write(tmp_path, "# A\n\nText.\n")
    with pytest.raises(RenderError, match=r"_quarto\.yml:3: number-depth: 2: .*not supported by qmdrender"):
        render(source, tmp_path / "doc.pdf")


def test_a_refused_construct_in_an_include_names_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "_part.qmd").write_text("Intro.\n\n::: {.panel-tabset}\n## One\n:::\n")
    source = _write(tmp_path, "# A\n\n{{< include _part.qmd >}}\n")
    with pytest.raises(RenderError, match=r"_part\.qmd:3: \.panel-tabset"):
        render(source, tmp_path / "doc.html", to="html")


def test_code_and_ordinary_attributes_are_not_refused(tmp_path: Path) -> None:
    """What looks like a refused construct inside code, an e-mail address, or a class of the
    author's own is left alone (the report's headings carry {.state-level})."""
    source = _write(
        tmp_path,
        "# Intro {#sec-intro .state-level}\n\nMail desk@eq-office.org; code `@eq-x` and `{.panel-tabset}`.\n\n"
        "```{.python}\nprint('{#thm-x}')\n```\n\n```\n::: {layout-ncol=2}\n```\n\n"
        "```{=html}\n<p>{.column-margin}</p>\n```\n\n[kept]{.mark} {braces in prose}.\n",
    )
    text = (tmp_path / "out.html").name
    out = render(source, tmp_path / text, to="html").read_text(encoding="utf-8")
    assert "desk@eq-office.org" in out and "braces in prose" in out


def test_the_reports_sources_use_only_the_supported_subset() -> None:
    """The real report: every construct it uses passes the checks, for both formats."""
    doc = expand(ROOT / "report" / "index.qmd")
    check.check_body(doc)
    for fmt in ("pdf", "html"):
        prepare_meta(doc, fmt)


# --- README ------------------------------------------------------------------------------


def _readme_subset() -> dict[str, tuple[str, ...]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### What the renderer supports", 1)[1].split("\n#", 1)[0]
    listed = {}
    for match in re.finditer(r"^- (?P<name>[\w -]+): (?P<items>.+?)(?=^- |\Z)", section, re.M | re.S):
        listed[match.group("name").strip()] = tuple(re.findall(r"`([^`]+)`", match.group("items")))
    return listed


def test_readme_lists_exactly_the_supported_subset() -> None:
    assert _readme_subset() == SUPPORTED


def test_every_supported_construct_is_exercised_by_the_tests() -> None:
    """The README's list matches what the tests use: each item appears in a test document."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    forms = {
        "shortcodes": lambda item: "{{< " + item,
        "cross-references": lambda item: item,
        "callouts": lambda item: "." + item,
        "crossref options": lambda item: f"  {item}:",
        "front matter": lambda item: f"\n{item}:",
        "project keys": lambda item: f"\n{item}:",
    }
    unused = [f"{group}: {item}" for group, items in SUPPORTED.items() for item in items if forms[group](item) not in tests]
    assert not unused, f"supported but exercised by no test document: {unused}"


def test_the_render_command_prints_the_refusal_as_a_message(tmp_path: Path) -> None:
    """`poc1540 render` shows the refusal (file, line, construct) as its message, exit 1, no
    traceback, and writes no output."""
    source = _write(tmp_path, "# A\n\n::: {.panel-tabset}\n## One\n:::\n")
    out = tmp_path / "doc.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "poc1540.cli", "render", str(source), "--to", "pdf", "--output", str(out), "--engine", "pandoc"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1
    assert "doc.qmd:3: .panel-tabset" in proc.stderr and "not supported by qmdrender" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
